"""The workflow's rules under attack: a reviewer rewriting the owner's outcome while closing, and the
ways round four eyes (issue 15, points 3 and 4). Each test reproduces an attack that once worked."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger import progress
from luoshi.ledger.models import Measure, Review
from luoshi.ledger.services import assign, evidence_digest, transition
from luoshi.ledger.views_work import offers_for
from luoshi.orgs.models import Member, RoleAssignment

TODAY = timezone.localdate()


@pytest.fixture
def insider(organizer: Any, county: Any) -> Any:
    """An organizer who is a reviewer of the same organization too (a small office does both)."""
    RoleAssignment.objects.create(user=organizer, organization=county, role="reviewer")
    return organizer


def _submitted(measure: Measure, owner: Any, outcome: str = "建立制度三项，整改到位") -> Measure:
    measure.refresh_from_db()
    if measure.status == "planned":  # recorded progress starts it by itself
        transition(measure, "in_progress", actor=owner)
    return transition(measure, "submitted", actor=owner, outcome=outcome)


# --- point 3: the outcome belongs to the owner's submission ---------------------------------------


@pytest.mark.parametrize("target", ["closed", "returned"])
def test_a_reviewer_cannot_rewrite_the_outcome_while_deciding(
    owner: Any, reviewer: Any, measure: Measure, target: str
) -> None:
    _submitted(measure, owner, "原文：建立制度三项")
    events = Event.objects.count()
    with pytest.raises(Invalid, match="整改成效"):
        transition(measure, target, actor=reviewer, reason="理由", outcome="改写后的成效")
    measure.refresh_from_db()
    assert (measure.status, measure.outcome) == ("submitted", "原文：建立制度三项")
    assert Event.objects.count() == events


def test_the_review_digest_is_over_what_the_owner_submitted(
    owner: Any, reviewer: Any, measure: Measure
) -> None:
    submitted = _submitted(measure, owner, "原文：建立制度三项")
    expected = evidence_digest(submitted)
    transition(measure, "closed", actor=reviewer)
    assert Review.objects.get(measure=measure).digest == expected


def test_the_reviewer_page_cannot_rewrite_the_outcome(owner: Any, reviewer: Any, measure: Measure) -> None:
    _submitted(measure, owner, "原文：建立制度三项")
    client = Client()
    client.force_login(reviewer)
    response = client.post(
        reverse("measure_transition", args=[measure.pk]),
        {"target": "closed", "outcome": "改写后的成效", "confirmed": "True"},
    )
    assert response.status_code == 422
    measure.refresh_from_db()
    assert (measure.status, measure.outcome) == ("submitted", "原文：建立制度三项")


@pytest.mark.parametrize(("status", "target"), [("planned", "in_progress"), ("returned", "in_progress")])
def test_steps_without_an_outcome_refuse_one(owner: Any, make_measure: Any, status: str, target: str) -> None:
    measure = make_measure(status=status, outcome="上次提交的成效")
    with pytest.raises(Invalid, match="整改成效"):
        transition(measure, target, actor=owner, outcome="另写的成效")
    measure.refresh_from_db()
    assert measure.outcome == "上次提交的成效"


def test_every_change_of_the_outcome_is_an_event_with_old_and_new(
    owner: Any, reviewer: Any, measure: Measure
) -> None:
    _submitted(measure, owner, "第一次的成效")
    transition(measure, "returned", actor=reviewer, reason="佐证不足")
    transition(measure, "in_progress", actor=owner)
    transition(measure, "submitted", actor=owner, outcome="补充后的成效")
    event = Event.objects.latest("seq")
    assert event.event_type == EventType.MEASURE_TRANSITIONED
    assert event.old["outcome"] == "第一次的成效"
    assert event.new["outcome"] == "补充后的成效"


# --- point 4: four eyes -------------------------------------------------------------------------


def _refused_everywhere(measure: Measure, user: Any, match: str) -> None:
    """USER can neither close nor return MEASURE, is offered neither, and does not see it in the queue."""
    from luoshi.ledger.services import capacities

    for target in ("closed", "returned"):
        with pytest.raises(NotAllowed, match=match):
            transition(measure, target, actor=user, reason="理由")
    measure.refresh_from_db()
    assert measure.status == "submitted"
    assert not offers_for(measure, user, capacities(measure, user))
    client = Client()
    client.force_login(user)
    assert list(client.get(reverse("review_queue")).context["submitted"]) == []


def test_who_started_the_measure_and_recorded_its_progress_cannot_close_it(
    insider: Any, owner: Any, reviewer: Any, measure: Measure
) -> None:
    transition(measure, "in_progress", actor=insider)
    progress.record_progress(
        measure, actor=insider, date=TODAY, text="代为填报进展", evidence_date=TODAY, statement="会议记录"
    )
    transition(measure, "submitted", actor=owner, outcome="整改到位")
    _refused_everywhere(measure, insider, "填报过")
    transition(measure, "closed", actor=reviewer)  # an uninvolved reviewer still can


def test_who_only_added_evidence_cannot_close_it(insider: Any, owner: Any, make_measure: Any) -> None:
    measure = make_measure(status="in_progress")
    progress.add_evidence(measure, actor=insider, evidence_date=TODAY, statement="代为上传的说明")
    transition(measure, "submitted", actor=owner, outcome="整改到位")
    _refused_everywhere(measure, insider, "填报过")


def test_a_former_owner_cannot_close_it(
    owner: Any, other_member: Any, organizer: Any, county: Any, make_measure: Any
) -> None:
    RoleAssignment.objects.create(user=other_member, organization=county, role="reviewer")
    measure = make_measure(status="planned", owner=other_member.memberships.get())
    assign(measure, actor=organizer, owner=owner.memberships.get())
    measure.refresh_from_db()
    _submitted(measure, owner)
    _refused_everywhere(measure, other_member, "责任领导")


def test_the_owner_cannot_change_while_submitted(
    owner: Any, other_member: Any, organizer: Any, county: Any, measure: Measure
) -> None:
    RoleAssignment.objects.create(user=owner, organization=county, role="reviewer")
    _submitted(measure, owner)
    with pytest.raises(Conflict, match="待验收"):
        assign(measure, actor=organizer, owner=other_member.memberships.get())
    measure.refresh_from_db()
    assert measure.owner == owner.memberships.get()
    with pytest.raises(NotAllowed):
        transition(measure, "closed", actor=owner)


def test_a_member_relinked_to_another_login_keeps_the_old_login_out(
    owner: Any, make_user: Any, county: Any, make_measure: Any, admin_client: Client
) -> None:
    """The member's login decides four eyes; relinking it in the admin must not free the old one."""
    later = make_user("later_login")
    RoleAssignment.objects.create(user=owner, organization=county, role="reviewer")
    member = owner.memberships.get()
    measure = make_measure(status="in_progress")
    data = {"team": member.team_id, "name": member.name, "position": member.position, "user": later.pk}
    data.update(active="on", order=member.order)
    response = admin_client.post(reverse("admin:orgs_member_change", args=[member.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    transition(measure, "submitted", actor=later, outcome="整改到位")
    with pytest.raises(NotAllowed):
        transition(measure, "closed", actor=owner)


def test_an_extension_is_not_decided_on_a_closed_measure(owner: Any, reviewer: Any, measure: Measure) -> None:
    transition(measure, "in_progress", actor=owner)
    extension = progress.request_extension(
        measure, actor=owner, requested_deadline=datetime.date(2026, 12, 31), reason="汛期施工受阻"
    )
    transition(measure, "submitted", actor=owner, outcome="整改到位")
    transition(measure, "closed", actor=reviewer)
    for approve in (True, False):
        with pytest.raises(Conflict, match="已销号"):
            progress.decide_extension(extension, actor=reviewer, approve=approve, note="意见")
    measure.refresh_from_db()
    assert measure.current_deadline == measure.baseline_deadline == datetime.date(2026, 6, 30)
    client = Client()
    client.force_login(reviewer)
    assert list(client.get(reverse("review_queue")).context["extensions"]) == []


def test_an_uninvolved_reviewer_still_closes(
    owner: Any, reviewer: Any, insider: Any, measure: Measure
) -> None:
    progress.record_progress(measure, actor=owner, date=TODAY, text="进展")
    _submitted(measure, owner)
    closed = transition(measure, "closed", actor=reviewer)
    assert closed.status == "closed"


def test_member_fixture_sanity(owner: Any) -> None:
    assert Member.objects.get(user=owner).name == "李建华"
