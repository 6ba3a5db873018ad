"""Void (作废) and restore, and corrections after confirmation: the services, what voided items are
left out of, the history in Chinese, and who may do what."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger import corrections, planning, progress, services
from luoshi.ledger.history import describe_changes, measure_history, problem_history
from luoshi.ledger.models import Aspect, Commitment, Measure, Problem
from luoshi.ledger.states import MeasureStatus
from luoshi.reports.records import counted_measures, counted_problems

pytestmark = pytest.mark.django_db


def _events(kind: EventType, item: Any) -> list[Event]:
    return list(
        Event.objects.filter(event_type=kind, target_type=item._meta.label_lower, target_id=str(item.pk))
    )


# --- void and restore ------------------------------------------------------------------------------


def test_a_voided_measure_counts_nowhere(round_: Any, organizer: Any, owner: Any, make_measure: Any) -> None:
    kept = make_measure(baseline_deadline=datetime.date(2099, 1, 1))
    voided = make_measure(
        current_deadline=datetime.date(2020, 1, 1), baseline_deadline=datetime.date(2020, 1, 1)
    )
    corrections.void_measure(voided, actor=organizer, reason="重复导入")

    assert services.rates(round_.measures.all()).total == 1
    assert services.rates(round_.measures.all()).overdue == 0  # the voided one was overdue
    assert list(counted_measures(round_)) == [kept]
    assert list(Measure.objects.for_user(owner, "work")) == [kept]  # my-work lists
    assert not Measure.objects.overdue().exists()
    assert Measure.all_objects.filter(pk=voided.pk).exists()  # kept, never deleted
    # Reminders: nothing is due for the voided (overdue) measure.
    from luoshi.notices.rules import evaluate

    assert all(d.measure_id != voided.pk for d in evaluate(timezone.now()))


def test_a_voided_measure_takes_no_step_progress_or_assignment(
    organizer: Any, owner: Any, measure: Measure
) -> None:
    corrections.void_measure(measure, actor=organizer, reason="误录入")
    with pytest.raises(Conflict, match="已作废"):
        services.transition(measure, MeasureStatus.IN_PROGRESS, actor=owner)
    with pytest.raises(Conflict, match="已作废"):
        progress.record_progress(measure, actor=owner, date=timezone.localdate(), text="推进中")
    with pytest.raises(Conflict, match="已作废"):
        services.assign(measure, actor=organizer, department="县委办")
    with pytest.raises(Conflict, match="已作废"):
        corrections.edit_measure(measure, actor=organizer, summary="改")
    # The admin asks the same rule: every field of a voided measure is read-only.
    locked = Measure.all_objects.get(pk=measure.pk)
    assert {"summary", "text", "owner", "department"} <= set(services.measure_locked_fields(locked))
    assert Measure.all_objects.get(pk=measure.pk).status == MeasureStatus.PLANNED


def test_voiding_needs_an_organizer_and_a_reason(
    organizer: Any, reviewer: Any, viewer: Any, owner: Any, measure: Measure
) -> None:
    for user in (owner, viewer, reviewer):
        with pytest.raises(NotAllowed):
            corrections.void_measure(measure, actor=user, reason="x")
    with pytest.raises(Invalid, match="作废理由"):
        corrections.void_measure(measure, actor=organizer, reason="  ")
    assert Measure.objects.filter(pk=measure.pk).exists()
    corrections.void_measure(measure, actor=organizer, reason="误录入")
    with pytest.raises(Conflict, match="已经作废"):
        corrections.void_measure(measure, actor=organizer, reason="again")
    (event,) = _events(EventType.MEASURE_VOIDED, measure)
    assert event.actor == organizer and event.new["reason"] == "误录入"


def test_voiding_a_problem_voids_its_live_measures_and_restoring_brings_back_those(
    round_: Any, organizer: Any, reviewer: Any, owner: Any
) -> None:
    problem = planning.create_problem(round_, actor=organizer, summary="问题甲")
    first = planning.create_measure(problem, actor=organizer, summary="措施一")
    second = planning.create_measure(problem, actor=organizer, summary="措施二")
    corrections.void_measure(first, actor=organizer, reason="单独作废")

    corrections.void_problem(problem, actor=organizer, reason="重复导入")
    assert not Problem.objects.filter(pk=problem.pk).exists()
    assert list(counted_problems(round_)) == []
    second_voided = Measure.all_objects.get(pk=second.pk)
    assert second_voided.voided_at is not None and "重复导入" in second_voided.void_reason
    (event,) = _events(EventType.PROBLEM_VOIDED, problem)
    assert event.new["measures"] == [second.number]

    with pytest.raises(Conflict, match="请先恢复该问题"):
        corrections.restore_measure(second, actor=reviewer)
    with pytest.raises(NotAllowed):
        corrections.restore_problem(problem, actor=organizer)  # restoring is the reviewer's
    corrections.restore_problem(problem, actor=reviewer, reason="并非重复")
    assert Problem.objects.filter(pk=problem.pk).exists()
    assert Measure.objects.filter(pk=second.pk).exists()
    assert not Measure.objects.filter(pk=first.pk).exists()  # voided on its own: stays voided
    corrections.restore_measure(first, actor=reviewer)
    assert Measure.objects.filter(pk=first.pk).count() == 1
    assert len(_events(EventType.MEASURE_RESTORED, second)) == 1


def test_a_voided_number_is_never_given_again(round_: Any, organizer: Any) -> None:
    problem = planning.create_problem(round_, actor=organizer, summary="问题甲")
    corrections.void_problem(problem, actor=organizer, reason="误录入")
    again = planning.create_problem(round_, actor=organizer, summary="问题乙")
    assert again.number == problem.number + 1


def test_voided_problems_are_not_matched_against_new_feedback(team: Any, organizer: Any) -> None:
    from luoshi.recurrence import matching

    earlier = services.create_round(team=team, title="2024年度", year=2024, actor=organizer)
    later = services.create_round(team=team, title="2025年度", year=2025, actor=organizer)
    kept = planning.create_problem(earlier, actor=organizer, summary="学习不深入")
    voided = planning.create_problem(earlier, actor=organizer, summary="调研不扎实")
    corrections.void_problem(voided, actor=organizer, reason="误录入")
    assert list(matching.earlier_scope(later, organizer)) == [kept]


def test_an_indicator_of_a_voided_measure_counts_nowhere(
    round_: Any, organizer: Any, measure: Measure
) -> None:
    from luoshi.indicators.models import Indicator

    indicator = Indicator.objects.create(
        round=round_,
        measure=measure,
        name="走访",
        kind="visit",
        target=1,
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
        created_by=organizer,
    )
    assert list(Indicator.objects.counted()) == [indicator]
    corrections.void_measure(measure, actor=organizer, reason="误录入")
    assert not Indicator.objects.counted().exists()


def test_void_and_restore_are_told_in_the_history(organizer: Any, reviewer: Any, measure: Measure) -> None:
    corrections.void_measure(measure, actor=organizer, reason="重复导入")
    corrections.restore_measure(measure, actor=reviewer, reason="核实后恢复")
    entries = measure_history(Measure.objects.get(pk=measure.pk), show_actors=True)
    titles = [e.title for e in entries]
    assert "作废整改措施" in titles and "恢复整改措施" in titles
    voided = next(e for e in entries if e.title == "作废整改措施")
    assert "理由：重复导入" in voided.details and voided.actor == "organizer"


# --- corrections of content ----------------------------------------------------------------------


def test_a_problem_is_corrected_field_by_field(round_: Any, organizer: Any, viewer: Any, owner: Any) -> None:
    problem = planning.create_problem(round_, actor=organizer, summary="反馈问题", source="supervision")
    aspect = Aspect.objects.filter(framework=round_.framework).first()
    assert aspect is not None and problem.aspect is None  # as a problem made from feedback
    for user in (viewer, owner):
        with pytest.raises(NotAllowed):
            corrections.edit_problem(problem, actor=user, summary="x")
    changed = corrections.edit_problem(
        problem, actor=organizer, summary="改后的问题", text="具体表现", aspect=aspect, source="self"
    )
    assert changed == ["summary", "text", "aspect", "source"]
    problem.refresh_from_db()
    assert (problem.summary, problem.aspect, problem.source) == ("改后的问题", aspect, "self")
    events = _events(EventType.PROBLEM_CHANGED, problem)
    assert [list(e.new) for e in events] == [["summary"], ["text"], ["aspect"], ["source"]]
    lines = [line for e in problem_history(problem, show_actors=True) for line in e.details]
    assert "内容：反馈问题 → 改后的问题" in lines
    assert f"方面：（空） → {aspect.name}" in lines
    assert "问题来源：督导反馈 → 自我查摆" in lines  # choices by their labels, never "supervision"
    assert corrections.edit_problem(problem, actor=organizer, summary="改后的问题") == []


def test_a_measure_is_corrected_but_not_once_closed(organizer: Any, owner: Any, make_measure: Any) -> None:
    measure = make_measure()
    changed = corrections.edit_measure(
        measure, actor=organizer, summary="新措施", text="新内容", group="（一）学习方面"
    )
    assert changed == ["summary", "text", "group"]
    assert len(_events(EventType.MEASURE_CHANGED, measure)) == 3
    lines = [line for e in measure_history(measure, show_actors=True) for line in e.details]
    assert "内容：措施1 → 新措施" in lines and "具体内容（改为）：新内容" in lines
    assert "措施分组：（空） → （一）学习方面" in lines
    with pytest.raises(NotAllowed):
        corrections.edit_measure(measure, actor=owner, summary="owner")
    closed = make_measure(status=MeasureStatus.CLOSED)
    with pytest.raises(Conflict, match="已销号"):
        corrections.edit_measure(closed, actor=organizer, summary="改")
    with pytest.raises(Conflict, match="已销号"):
        corrections.add_commitment(closed, actor=organizer, text="每月1次", period="month", op=">=", value=1)


def test_commitments_are_added_changed_and_removed_with_history(organizer: Any, measure: Measure) -> None:
    commitment = corrections.add_commitment(
        measure, actor=organizer, text="每月至少走访1次", period="month", op=">=", value="1", unit="次"
    )
    corrections.change_commitment(
        commitment, actor=organizer, text="每月至少走访2次", period="month", op=">=", value="2", unit="次"
    )
    with pytest.raises(Invalid):
        corrections.change_commitment(commitment, actor=organizer, text="x", period="month", op="?", value=1)
    corrections.remove_commitment(Commitment.objects.get(pk=commitment.pk), actor=organizer)
    assert not measure.commitments.exists()
    lines = [line for e in measure_history(measure, show_actors=True) for line in e.details]
    assert "量化承诺：（空） → 每月 不少于 1 次（原文：每月至少走访1次）" in lines
    assert (
        "量化承诺：每月 不少于 1 次（原文：每月至少走访1次） → 每月 不少于 2 次（原文：每月至少走访2次）"
        in lines
    )
    assert "量化承诺：每月 不少于 2 次（原文：每月至少走访2次） → （空）" in lines


def test_history_names_fields_in_chinese_and_values_by_label() -> None:
    lines = describe_changes(
        {"status": "planned"},
        {"status": "in_progress", "feedback": "县委第一巡察组反馈", "recurrence_of": "2024年度 第 3 号问题"},
    )
    assert lines == (
        "状态：未开始 → 整改中",
        "督导/巡察反馈：县委第一巡察组反馈",
        "以往提出过的问题：2024年度 第 3 号问题",
    )
    assert describe_changes({}, {"period": "month", "op": ">=", "kind": "annual"}) == (
        "周期：每月",
        "比较：不少于",
        "类型：年度民主生活会",
    )


def test_the_admin_shows_a_voided_measure_but_cannot_change_or_delete_it(
    admin_client: Any, organizer: Any, measure: Measure
) -> None:
    from django.urls import reverse

    from tests.security.test_admin_audit import change_form

    corrections.void_measure(measure, actor=organizer, reason="误录入")
    url = reverse("admin:ledger_measure_change", args=[measure.pk])
    data = change_form(admin_client, url)
    data.update(summary="后台改写", text="后台改写的内容")
    admin_client.post(url, data)
    stored = Measure.all_objects.get(pk=measure.pk)
    assert (stored.summary, stored.text, stored.void_reason) == ("措施1", "", "误录入")
    delete = admin_client.post(reverse("admin:ledger_measure_delete", args=[measure.pk]), {"post": "yes"})
    assert delete.status_code == 403 and Measure.all_objects.filter(pk=measure.pk).exists()


def test_a_voided_measure_is_urged_no_more(organizer: Any, reviewer: Any, measure: Measure) -> None:
    from luoshi.notices import supervision

    corrections.void_measure(measure, actor=organizer, reason="误录入")
    with pytest.raises(Conflict, match="已作废"):
        supervision.urge(Measure.all_objects.get(pk=measure.pk), actor=reviewer, message="请加快")
