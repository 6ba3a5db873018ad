"""The organizer's planning services: problems and measures by hand, links, bulk assignment."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection

from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger import planning
from luoshi.ledger.models import Measure, Problem, Source
from luoshi.notices.models import Notice
from luoshi.orgs.models import Member, Team

JUNE = datetime.date(2026, 6, 30)


def events(event_type: str, target: Any) -> list[Event]:
    return list(
        Event.objects.filter(
            event_type=event_type, target_type=target._meta.label_lower, target_id=str(target.pk)
        )
    )


def test_create_problem_numbers_next_and_records_the_event(
    round_: Any, organizer: Any, make_measure: Any
) -> None:
    make_measure()  # problem 1 exists
    aspect = round_.framework.aspects.first()
    problem = planning.create_problem(
        round_, actor=organizer, summary="  调查研究不够深入  ", source=Source.CRITICISM, aspect=aspect
    )
    assert problem.number == 2
    assert problem.summary == "调查研究不够深入"
    assert problem.aspect == aspect and problem.aspect_label == aspect.name
    [event] = events(EventType.PROBLEM_CREATED, problem)
    assert event.actor == organizer
    assert event.new["source"] == "criticism" and event.new["number"] == 2


@pytest.mark.parametrize("who", ["reviewer", "viewer", "owner", "town_organizer", "outsider"])
def test_only_organizers_add_problems(request: pytest.FixtureRequest, round_: Any, who: str) -> None:
    with pytest.raises(NotAllowed):
        planning.create_problem(round_, actor=request.getfixturevalue(who), summary="x")
    assert not Problem.objects.exists()


def test_problem_needs_a_summary_and_a_known_source(round_: Any, organizer: Any) -> None:
    with pytest.raises(Invalid, match="请填写问题"):
        planning.create_problem(round_, actor=organizer, summary="  ")
    with pytest.raises(Invalid, match="来源"):
        planning.create_problem(round_, actor=organizer, summary="x", source="gossip")
    assert not Event.objects.filter(event_type=EventType.PROBLEM_CREATED).exists()


def test_a_number_taken_meanwhile_is_retried(round_: Any, organizer: Any, monkeypatch: Any) -> None:
    """Simulates the race: the number computed is taken by someone else before the insert."""
    Problem.objects.create(round=round_, number=1, summary="已有")
    real_filter = Problem.all_objects.filter
    calls = {"n": 0}

    class StaleMax:
        def __init__(self, qs: Any) -> None:
            self.qs = qs

        def aggregate(self, **kwargs: Any) -> dict[str, int]:
            calls["n"] += 1
            return {"n": 0} if calls["n"] == 1 else self.qs.aggregate(**kwargs)

        def exists(self) -> bool:
            return bool(self.qs.exists())

    def stale_filter(*args: Any, **kwargs: Any) -> Any:
        return StaleMax(real_filter(*args, **kwargs))

    monkeypatch.setattr(Problem.all_objects, "filter", stale_filter)
    problem = planning.create_problem(round_, actor=organizer, summary="新问题")
    assert problem.number == 2
    assert calls["n"] == 2


@pytest.mark.django_db(transaction=True)
def test_two_organizers_adding_at_once_get_distinct_numbers(round_: Any, organizer: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def add(tag: str) -> None:
        try:
            barrier.wait()
            for index in range(5):
                planning.create_problem(round_, actor=organizer, summary=f"{tag}{index}")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(tag,)) for tag in "AB"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(Problem.objects.filter(round=round_).values_list("number", flat=True)) == list(range(1, 11))


def test_create_measure_under_a_problem(
    round_: Any, organizer: Any, owner: Any, make_measure: Any, django_capture_on_commit_callbacks: Any
) -> None:
    existing = make_measure()
    member = owner.memberships.get()
    problem = planning.create_problem(round_, actor=organizer, summary="问题", source=Source.OPINION)
    with django_capture_on_commit_callbacks(execute=True):
        first = planning.create_measure(
            problem, actor=organizer, summary="建立制度", owner=member, department="县委办", deadline=JUNE
        )
    second = planning.create_measure(problem, actor=organizer, summary="开展回访")
    assert (first.number, second.number) == (existing.number + 1, existing.number + 2)
    assert list(problem.measures.order_by("number")) == [first, second]
    assert first.baseline_deadline == first.current_deadline == JUNE
    [event] = events(EventType.MEASURE_CREATED, first)
    assert event.new["owner"] == "李建华" and event.new["problem"] == problem.number
    assert Notice.objects.filter(user=owner, text__contains="建立制度").exists()


def test_create_measure_refuses_someone_outside_the_team(
    round_: Any, organizer: Any, reviewer: Any, county: Any, make_measure: Any
) -> None:
    problem = make_measure().problem
    stranger = Member.objects.create(
        team=Team.objects.create(organization=county, name="别的班子"), name="外人", position="x"
    )
    with pytest.raises(Invalid, match="不是本班子成员"):
        planning.create_measure(problem, actor=organizer, summary="x", owner=stranger)
    with pytest.raises(NotAllowed):
        planning.create_measure(problem, actor=reviewer, summary="x")
    assert Measure.objects.count() == 1


def test_assign_many_is_one_transaction(
    organizer: Any, other_member: Any, make_measure: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a, b = make_measure(baseline_deadline=None), make_measure(baseline_deadline=None)
    member = other_member.memberships.get()
    with django_capture_on_commit_callbacks(execute=True):
        done = planning.assign_many(
            [a, b], actor=organizer, owner=member, department="县发展改革委", deadline=JUNE
        )
    assert {m.pk for m in done} == {a.pk, b.pk}
    for m in Measure.objects.filter(pk__in=[a.pk, b.pk]):
        assert (m.owner, m.department, m.baseline_deadline) == (member, "县发展改革委", JUNE)
        [event] = events(EventType.MEASURE_ASSIGNED, m)
        assert event.new["owner"] == "王志刚" and event.old["owner"] == "李建华"
    assert Notice.objects.filter(user=other_member).count() == 2


def test_assign_many_rolls_back_everything_when_one_is_refused(organizer: Any, make_measure: Any) -> None:
    fine = make_measure(baseline_deadline=None)
    started = make_measure(status="in_progress")
    with pytest.raises(Conflict, match=f"措施 {started.number}"):
        planning.assign_many(
            [fine, started], actor=organizer, department="县委办", deadline=datetime.date(2026, 9, 30)
        )
    fine.refresh_from_db()
    assert fine.department == "" and fine.baseline_deadline is None
    assert not Event.objects.filter(event_type=EventType.MEASURE_ASSIGNED).exists()


def test_assign_many_needs_something_to_assign(organizer: Any, make_measure: Any) -> None:
    with pytest.raises(Invalid):
        planning.assign_many([make_measure()], actor=organizer, department="  ")
    with pytest.raises(Invalid):
        planning.assign_many([], actor=organizer, department="县委办")


@pytest.mark.parametrize("who", ["reviewer", "owner", "town_organizer", "outsider"])
def test_assign_many_is_for_organizers(request: pytest.FixtureRequest, make_measure: Any, who: str) -> None:
    m = make_measure()
    with pytest.raises(NotAllowed):
        planning.assign_many([m], actor=request.getfixturevalue(who), department="县委办")
    m.refresh_from_db()
    assert m.department == ""


def test_link_measure_to_another_problem(round_: Any, organizer: Any, make_measure: Any) -> None:
    m = make_measure()
    target = make_measure().problem
    planning.link_measure(m, target, actor=organizer)
    m.refresh_from_db()
    assert m.problem == target
    [event] = events(EventType.MEASURE_LINKED, m)
    assert event.old["problem"].startswith("1.") and event.new["problem"].startswith("2.")
    planning.link_measure(m, target, actor=organizer)  # no change, no event
    assert len(events(EventType.MEASURE_LINKED, m)) == 1


def test_link_measure_stays_in_its_round(team: Any, organizer: Any, make_measure: Any, reviewer: Any) -> None:
    from luoshi.ledger.services import create_round

    other = create_round(team=team, title="另一轮", year=2026, actor=organizer)
    foreign = Problem.objects.create(round=other, number=1, summary="别处")
    m = make_measure()
    with pytest.raises(Invalid):
        planning.link_measure(m, foreign, actor=organizer)
    with pytest.raises(NotAllowed):
        planning.link_measure(m, None, actor=reviewer)


def test_link_causes(round_: Any, organizer: Any, make_measure: Any) -> None:
    problem = make_measure().problem
    first = planning.create_cause(round_, actor=organizer, summary="理论学习不深")
    second = planning.create_cause(round_, actor=organizer, summary="宗旨意识淡化")
    assert (first.order, second.order) == (1, 2)
    assert events(EventType.CAUSE_CREATED, first)
    planning.link_causes(problem, [first, second], actor=organizer)
    assert set(problem.causes.all()) == {first, second}
    planning.link_causes(problem, [second], actor=organizer)
    changes = events(EventType.PROBLEM_CHANGED, problem)
    assert [e.new["causes"] for e in changes] == [["理论学习不深", "宗旨意识淡化"], ["宗旨意识淡化"]]
    assert changes[1].old["causes"] == ["理论学习不深", "宗旨意识淡化"]
