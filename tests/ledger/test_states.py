"""The workflow table, and the service that applies it, against DESIGN.md's workflow written out here
by hand: every allowed and every forbidden transition, for every kind of actor."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger.models import Review
from luoshi.ledger.services import transition
from luoshi.ledger.states import TRANSITIONS, MeasureStatus, targets_from

S = MeasureStatus
OWNER_SIDE = {"owner", "organizer"}
# DESIGN.md, "Measure workflow", written out independently of states.py.
ALLOWED: dict[tuple[str, str], set[str]] = {
    ("planned", "in_progress"): OWNER_SIDE,
    ("in_progress", "submitted"): OWNER_SIDE,
    ("in_progress", "continuing"): OWNER_SIDE,
    ("continuing", "submitted"): OWNER_SIDE,
    ("returned", "in_progress"): OWNER_SIDE,
    ("submitted", "closed"): {"reviewer"},
    ("submitted", "returned"): {"reviewer"},
    ("closed", "in_progress"): {"reviewer"},
}
# The steps that take the outcome (整改成效); no other step may change it.
OUTCOME_STEPS = {("in_progress", "submitted"), ("in_progress", "continuing"), ("continuing", "submitted")}
ACTORS = ["owner", "organizer", "reviewer", "viewer", "other_member", "outsider", "town_organizer"]
PAIRS = [(a.value, b.value) for a, b in itertools.product(S, S) if a != b]


def test_table_is_exactly_the_design() -> None:
    assert {(a.value, b.value) for a, b in TRANSITIONS} == set(ALLOWED)


def test_targets_from_lists_the_next_states() -> None:
    assert targets_from("submitted") == [S.CLOSED, S.RETURNED]
    assert targets_from("closed") == [S.IN_PROGRESS]


@pytest.mark.parametrize(("source", "target"), PAIRS)
@pytest.mark.parametrize("actor_name", ACTORS)
def test_every_transition_for_every_actor(
    request: pytest.FixtureRequest, make_measure: Any, source: str, target: str, actor_name: str
) -> None:
    actor = request.getfixturevalue(actor_name)
    measure = make_measure(status=source, outcome="已完成")
    events_before = Event.objects.count()
    allowed = ALLOWED.get((source, target))
    outcome = "成效" if (source, target) in OUTCOME_STEPS else None
    if allowed is None:
        with pytest.raises(Conflict):
            transition(measure, target, actor=actor, reason="理由", outcome=outcome)
    elif actor_name not in allowed:
        with pytest.raises(NotAllowed):
            transition(measure, target, actor=actor, reason="理由", outcome=outcome)
    else:
        transition(measure, target, actor=actor, reason="理由", outcome=outcome)
        measure.refresh_from_db()
        assert measure.status == target
        event = Event.objects.latest("seq")
        assert event.event_type == EventType.MEASURE_TRANSITIONED
        assert (event.old["status"], event.new["status"]) == (source, target)
        assert event.actor == actor
        return
    measure.refresh_from_db()
    assert measure.status == source, "a refused transition changes nothing"
    assert Event.objects.count() == events_before, "a refused transition writes no event"


def test_owner_who_is_also_reviewer_cannot_close_own_measure(
    owner: Any, county: Any, make_measure: Any
) -> None:
    from luoshi.orgs.models import RoleAssignment

    RoleAssignment.objects.create(user=owner, organization=county, role="reviewer")
    measure = make_measure(status="submitted", outcome="已完成")
    for target in ("closed", "returned"):
        with pytest.raises(NotAllowed, match="自己的"):
            transition(measure, target, actor=owner, reason="理由")
    closed = make_measure(status="closed", outcome="已完成")
    with pytest.raises(NotAllowed):
        transition(closed, "in_progress", actor=owner, reason="问题复发")


def test_the_submitter_cannot_verify_what_they_submitted(
    organizer: Any, county: Any, make_measure: Any
) -> None:
    from luoshi.orgs.models import RoleAssignment

    RoleAssignment.objects.create(user=organizer, organization=county, role="reviewer")
    measure = make_measure(status="in_progress")
    transition(measure, "submitted", actor=organizer, outcome="代为提交的成效")
    with pytest.raises(NotAllowed, match="提交验收的人"):
        transition(measure, "closed", actor=organizer)


@pytest.mark.parametrize(("source", "target"), [("submitted", "returned"), ("closed", "in_progress")])
def test_return_and_reopen_need_a_reason(reviewer: Any, make_measure: Any, source: str, target: str) -> None:
    measure = make_measure(status=source, outcome="已完成")
    with pytest.raises(Invalid, match="理由"):
        transition(measure, target, actor=reviewer, reason="  ")


@pytest.mark.parametrize(
    ("source", "target"),
    [("in_progress", "submitted"), ("in_progress", "continuing"), ("continuing", "submitted")],
)
def test_submitting_needs_an_outcome(owner: Any, make_measure: Any, source: str, target: str) -> None:
    measure = make_measure(status=source)
    with pytest.raises(Invalid, match="整改成效"):
        transition(measure, target, actor=owner)


def test_closing_records_a_digest_of_what_was_verified(owner: Any, reviewer: Any, measure: Any) -> None:
    transition(measure, "in_progress", actor=owner)
    transition(measure, "submitted", actor=owner, outcome="建立台账并完成销号")
    closed = transition(measure, "closed", actor=reviewer)
    review = Review.objects.get(measure=measure)
    assert review.decision == "close"
    assert review.reviewer == reviewer
    assert len(review.digest) == 64
    assert Event.objects.latest("seq").new["digest"] == review.digest
    assert closed.closed_at is not None
    assert closed.submitted_by == owner

    # A different outcome gives a different digest: what was verified is pinned down.
    from luoshi.ledger.services import evidence_digest

    closed.outcome = "另一段成效"
    assert evidence_digest(closed) != review.digest


def test_reopen_clears_closure_and_keeps_the_reviews(owner: Any, reviewer: Any, make_measure: Any) -> None:
    measure = make_measure(status="submitted", outcome="完成", submitted_by=owner)
    transition(measure, "closed", actor=reviewer)
    reopened = transition(measure, "in_progress", actor=reviewer, reason="问题在巡察中再次被发现")
    assert reopened.closed_at is None
    assert list(Review.objects.filter(measure=measure).values_list("decision", flat=True)) == [
        "close",
        "reopen",
    ]


def test_continuing_marks_the_measure_long_term(owner: Any, make_measure: Any) -> None:
    measure = make_measure(status="in_progress")
    result = transition(measure, "continuing", actor=owner, outcome="主体完成，需长期坚持")
    assert result.long_term is True
    assert result.is_open is False


def test_reopen_tells_the_owner_why(
    owner: Any, reviewer: Any, make_measure: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from luoshi.notices.models import Notice

    measure = make_measure(status="closed", outcome="完成")
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, "in_progress", actor=reviewer, reason="巡察再次发现同类问题")
    notice = Notice.objects.get(user=owner)
    assert "重新打开" in notice.text and "巡察再次发现同类问题" in notice.text
