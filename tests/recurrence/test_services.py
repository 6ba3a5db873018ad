"""Feedback import, matching scope and the three decisions, through the services."""

from __future__ import annotations

from typing import Any

import pytest

from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger.models import Problem, Source
from luoshi.ledger.states import MeasureStatus
from luoshi.recurrence import services
from luoshi.recurrence.matching import earlier_for_round, index_for, match_texts
from luoshi.recurrence.models import Decision, FeedbackItem
from luoshi.recurrence.services import FeedbackEntry
from tests.recurrence.history import NEW_ITEM, RESTATED, History


def _import(round_: Any, actor: Any, *texts: str, kind: str = "supervision") -> list[FeedbackItem]:
    batch = services.import_feedback(
        round_, [FeedbackEntry(t, t) for t in texts], actor=actor, kind=kind, name="县委第二督导组反馈"
    )
    return list(batch.items.order_by("order"))


def _events(target: Any, event_type: str) -> list[Event]:
    return list(
        Event.objects.filter(
            target_type=target._meta.label_lower, target_id=str(target.pk), event_type=event_type
        )
    )


# --- reading feedback ---------------------------------------------------------------------------


def test_pasted_lines_are_items() -> None:
    entries = services.entries_from_text(f"{RESTATED}\n\n{NEW_ITEM}\n")
    assert [e.summary for e in entries] == [RESTATED, NEW_ITEM]


def test_numbered_items_join_their_continuation_lines() -> None:
    entries = services.split_list(
        "1. 层层开会、层层发文，\n基层减负成效不明显。\n2、干部队伍年龄结构老化\n（三）文件多"
    )
    assert [e.text for e in entries] == [
        "层层开会、层层发文，基层减负成效不明显。",
        "干部队伍年龄结构老化",
        "文件多",
    ]
    assert entries[0].summary == "层层开会、层层发文，基层减负成效不明显。"


def test_a_document_is_read_through_the_parser() -> None:
    text = "督导反馈意见\n一、存在的主要问题\n（一）工作作风方面。一是层层开会、层层发文，基层减负成效不明显。二是干部队伍年龄结构老化。\n"
    entries = services.entries_from_document(text.encode("utf-8"), "反馈.txt")
    assert [e.summary for e in entries] == ["层层开会、层层发文，基层减负成效不明显", "干部队伍年龄结构老化"]
    assert entries[0].aspect == "工作作风"


def test_an_unreadable_document_is_invalid_in_chinese() -> None:
    with pytest.raises(Invalid, match="PDF"):
        services.entries_from_document(b"%PDF-1.4 binary", "反馈.pdf")


# --- import and matching -------------------------------------------------------------------------


def test_import_matches_and_suggests_the_earlier_closed_problem(
    round_: Any, organizer: Any, history: History
) -> None:
    restated, new = _import(round_, organizer, RESTATED, NEW_ITEM)
    assert restated.suggested_id == history.formalism.pk
    assert restated.matches[0]["id"] == history.formalism.pk
    assert new.suggested_id is None
    assert all(i.decision == Decision.PENDING for i in (restated, new))
    assert not Problem.objects.filter(round=round_).exists()  # nothing in the ledger yet
    (event,) = _events(restated.batch, EventType.FEEDBACK_IMPORTED)
    assert event.new["items"] == 2 and event.new["suggested"] == 1


def test_another_organizations_history_never_appears(
    round_: Any, organizer: Any, history: History, elsewhere_history: History
) -> None:
    (item,) = _import(round_, organizer, RESTATED)
    theirs = {p.pk for p in Problem.objects.filter(round=elsewhere_history.round)}
    assert item.matches and not {m["id"] for m in item.matches} & theirs
    assert item.suggested_id == history.formalism.pk


def test_only_earlier_rounds_are_matched(round_: Any, organizer: Any, history: History, team: Any) -> None:
    from luoshi.ledger.services import create_round, import_parsed
    from luoshi.text.model import ParsedDocument
    from luoshi.text.model import Problem as Parsed

    later = create_round(team=team, title="2026年度民主生活会", year=2026, actor=organizer)
    import_parsed(
        later, ParsedDocument("2026", problems=(Parsed("工作作风", RESTATED, RESTATED),)), actor=organizer
    )
    (item,) = _import(round_, organizer, RESTATED)
    assert {m["id"] for m in item.matches} <= set(
        Problem.objects.filter(round=history.round).values_list("pk", flat=True)
    )


def test_town_organizer_cannot_see_county_history(
    town_round: Any, town_organizer: Any, history: History
) -> None:
    assert match_texts(town_round, town_organizer, [RESTATED]) == [[]]
    (item,) = _import(town_round, town_organizer, RESTATED)
    assert item.matches == [] and item.suggested_id is None


def test_county_organizer_sees_the_township_history(
    town_round: Any, town_team: Any, town_organizer: Any, organizer: Any, owner: Any, reviewer: Any
) -> None:
    from luoshi.ledger.services import create_round, import_parsed
    from luoshi.text.model import ParsedDocument
    from tests.recurrence.history import FORMALISM

    earlier = create_round(team=town_team, title="2023年镇民主生活会", year=2023, actor=town_organizer)
    (problem,) = import_parsed(
        earlier, ParsedDocument("2023", problems=(FORMALISM,)), actor=town_organizer
    ).problems
    (item,) = _import(town_round, organizer, RESTATED)
    assert item.suggested_id == problem.pk


def test_the_index_is_built_once_and_grows_incrementally(
    round_: Any, organizer: Any, history: History, django_assert_num_queries: Any
) -> None:
    path = round_.team.organization.path
    first = index_for(path)
    with django_assert_num_queries(1):  # only the "anything new?" aggregate
        assert index_for(path) is first
    size = len(first)
    Problem.objects.create(round=history.round, number=99, summary="新增的问题")
    assert index_for(path) is first and len(first) == size + 1


def test_the_e5_backend_is_used_when_the_environment_asks_for_it(
    round_: Any, organizer: Any, history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    from luoshi.recurrence import matching
    from luoshi.text.match.embedding import E5Backend

    assert matching.threshold() == matching.DEFAULT_THRESHOLD and index_for("/").embedder is None
    matching.clear_cache()
    monkeypatch.setenv("LUOSHI_EMBEDDING", "e5")
    index = index_for(round_.team.organization.path)
    assert isinstance(index.embedder, E5Backend) and index.embedding_name == "e5"
    assert matching.threshold() == 0.75
    restated, new = _import(round_, organizer, RESTATED, NEW_ITEM)
    assert restated.suggested_id == history.formalism.pk
    assert restated.matches[0]["score"] >= 0.75
    # Every earlier problem gets a cosine now; the suggestion still follows the backend's threshold.
    assert new.suggested_id == matching.decide(
        [matching.Match(str(m["id"]), m["score"]) for m in new.matches]
    )
    assert all(m["score"] < 0.75 for m in new.matches) == (new.suggested_id is None)


def test_the_index_is_rebuilt_when_a_problem_is_gone(round_: Any, history: History) -> None:
    path = round_.team.organization.path
    first = index_for(path)
    size, gone = len(first), str(history.water.pk)
    assert gone in first.ids
    history.water.delete()  # not the newest: the largest id stays, the count drops
    rebuilt = index_for(path)
    assert rebuilt is not first and len(rebuilt) == size - 1
    assert gone not in rebuilt.ids


def test_import_needs_manage(round_: Any, viewer: Any, reviewer: Any, history: History) -> None:
    for who in (viewer, reviewer):
        with pytest.raises(NotAllowed):
            _import(round_, who, RESTATED)


def test_import_needs_items_and_a_kind(round_: Any, organizer: Any) -> None:
    with pytest.raises(Invalid, match="没有找到反馈事项"):
        services.import_feedback(round_, [], actor=organizer, kind="supervision", name="")
    with pytest.raises(Invalid, match="反馈类型"):
        _import(round_, organizer, RESTATED, kind="self")


# --- decisions ----------------------------------------------------------------------------------


def test_confirmed_recurrence_links_and_marks_the_earlier_closure(
    round_: Any, organizer: Any, owner: Any, history: History, django_capture_on_commit_callbacks: Any
) -> None:
    from luoshi.notices.models import Notice

    (item,) = _import(round_, organizer, RESTATED, kind="inspection")
    with django_capture_on_commit_callbacks(execute=True):
        problem = services.confirm_recurrence(
            item,
            actor=organizer,
            earlier=history.formalism,
            lessons="排查了全县各部门发文情况，另发现2个类似问题",
        )
    notice = Notice.objects.get(user=owner, text__contains="整改不彻底")
    assert "精简文件会议" in notice.text and notice.url
    assert problem.round == round_ and problem.number == 1
    assert problem.recurrence_of == history.formalism
    assert problem.source == Source.INSPECTION
    item.refresh_from_db()
    assert item.decision == Decision.RECURRENCE and item.problem == problem
    assert item.lessons.startswith("排查了") and item.decided_by == organizer

    (on_problem,) = _events(history.formalism, EventType.PROBLEM_RECURRED)
    assert on_problem.new["lessons"].startswith("排查了")
    assert "整改不彻底" in on_problem.new["reason"] and on_problem.actor == organizer
    closed = history.formalism.measures.get()
    assert closed.status == MeasureStatus.CLOSED
    assert len(_events(closed, EventType.PROBLEM_RECURRED)) == 1
    # The open measure of another problem is untouched; the new problem has its own creation event.
    # (Matched by type and id: a measure may have the same id as the problem.)
    assert not _events(history.research, EventType.PROBLEM_RECURRED)
    assert not [m for m in history.research.measures.all() if _events(m, EventType.PROBLEM_RECURRED)]
    (created,) = _events(problem, EventType.PROBLEM_CREATED)
    assert created.new["number"] == 1 and "recurrence_of" in created.new
    (decided,) = _events(item, EventType.FEEDBACK_DECIDED)
    assert decided.new["decision"] == "recurrence" and decided.new["lessons"].startswith("排查了")


def test_only_closed_measures_are_marked(round_: Any, organizer: Any, history: History) -> None:
    (item,) = _import(round_, organizer, "调查研究不深入，到基层走马观花")
    services.confirm_recurrence(item, actor=organizer, earlier=history.research, lessons="已排查")
    assert len(_events(history.research, EventType.PROBLEM_RECURRED)) == 1
    assert not _events(history.research.measures.get(), EventType.PROBLEM_RECURRED)


def test_recurrence_requires_lessons(round_: Any, organizer: Any, history: History) -> None:
    (item,) = _import(round_, organizer, RESTATED)
    with pytest.raises(Invalid, match="举一反三"):
        services.confirm_recurrence(item, actor=organizer, earlier=history.formalism, lessons="  ")
    item.refresh_from_db()
    assert item.is_pending
    assert not Problem.objects.filter(round=round_).exists()
    assert not _events(history.formalism, EventType.PROBLEM_RECURRED)


def test_recurrence_of_a_problem_outside_the_history_is_refused(
    round_: Any, organizer: Any, history: History, elsewhere_history: History
) -> None:
    (item,) = _import(round_, organizer, RESTATED)
    with pytest.raises(Invalid):
        services.confirm_recurrence(
            item, actor=organizer, earlier=elsewhere_history.formalism, lessons="已排查"
        )
    with pytest.raises(Invalid):  # the round's own problems are not "earlier"
        own = Problem.objects.create(round=round_, number=1, summary="本轮问题")
        services.confirm_recurrence(item, actor=organizer, earlier=own, lessons="已排查")
    assert not _events(elsewhere_history.formalism, EventType.PROBLEM_RECURRED)


def test_new_problem_has_no_link_and_takes_the_next_number(
    round_: Any, organizer: Any, history: History, make_measure: Any
) -> None:
    make_measure()  # problem 1 of the round exists already
    (item,) = _import(round_, organizer, NEW_ITEM)
    problem = services.mark_new(item, actor=organizer)
    assert problem.number == 2 and problem.recurrence_of is None and problem.source == Source.SUPERVISION
    item.refresh_from_db()
    assert item.decision == Decision.NEW and item.problem == problem
    assert _events(problem, EventType.PROBLEM_CREATED)
    assert not Event.objects.filter(event_type=EventType.PROBLEM_RECURRED).exists()


def test_dismiss_needs_a_reason(round_: Any, organizer: Any, history: History) -> None:
    (item,) = _import(round_, organizer, NEW_ITEM)
    with pytest.raises(Invalid, match="理由"):
        services.dismiss(item, actor=organizer, reason=" ")
    services.dismiss(item, actor=organizer, reason="已在本轮自我查摆中列出")
    item.refresh_from_db()
    assert item.decision == Decision.DISMISSED and item.reason == "已在本轮自我查摆中列出"
    assert item.problem is None
    (event,) = _events(item, EventType.FEEDBACK_DECIDED)
    assert event.new["reason"] == "已在本轮自我查摆中列出"


@pytest.mark.parametrize("first", ["recurrence", "new", "dismiss"])
def test_a_second_decision_is_refused(round_: Any, organizer: Any, history: History, first: str) -> None:
    (item,) = _import(round_, organizer, RESTATED)
    decide = {
        "recurrence": lambda: services.confirm_recurrence(
            item, actor=organizer, earlier=history.formalism, lessons="已排查"
        ),
        "new": lambda: services.mark_new(item, actor=organizer),
        "dismiss": lambda: services.dismiss(item, actor=organizer, reason="重复"),
    }
    decide[first]()
    for again in decide.values():
        with pytest.raises(Conflict, match="已处理"):
            again()
    assert Problem.objects.filter(round=round_).count() == (0 if first == "dismiss" else 1)


@pytest.mark.parametrize("who", ["viewer", "reviewer", "owner", "town_organizer", "outsider"])
def test_decisions_need_manage(
    request: pytest.FixtureRequest, round_: Any, organizer: Any, history: History, who: str
) -> None:
    user = request.getfixturevalue(who)
    (item,) = _import(round_, organizer, RESTATED)
    with pytest.raises(NotAllowed):
        services.confirm_recurrence(item, actor=user, earlier=history.formalism, lessons="已排查")
    with pytest.raises(NotAllowed):
        services.mark_new(item, actor=user)
    with pytest.raises(NotAllowed):
        services.dismiss(item, actor=user, reason="重复")
    item.refresh_from_db()
    assert item.is_pending


# --- 以往提出过 ----------------------------------------------------------------------------------


def test_earlier_for_round_lists_matches_and_the_confirmed_link(
    round_: Any, organizer: Any, viewer: Any, outsider: Any, history: History
) -> None:
    (item,) = _import(round_, organizer, RESTATED)
    linked = services.confirm_recurrence(item, actor=organizer, earlier=history.formalism, lessons="已排查")
    (other,) = _import(round_, organizer, "有的村自来水时断时续，饮水安全保障不到位")
    new = services.mark_new(other, actor=organizer)
    found = earlier_for_round(round_, viewer)
    first = found[linked.pk][0]
    assert (first.problem, first.confirmed) == (history.formalism, True)
    assert [e.problem for e in found[new.pk]] == [history.water]
    assert earlier_for_round(round_, outsider) == {linked.pk: [], new.pk: []}
