"""Co-owners (共同责任领导): named with the owner in the document, they work the measure like the
owner and, like the owner, never verify it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from luoshi.errors import NotAllowed
from luoshi.ledger import progress, services
from luoshi.ledger.models import Measure
from luoshi.orgs.models import RoleAssignment


@pytest.fixture
def shared(make_measure: Any, other_member: Any) -> Measure:
    measure: Measure = make_measure(status="in_progress", outcome="已完成")
    measure.co_owners.add(other_member.memberships.get())
    return measure


def test_co_owner_records_progress_like_the_owner(shared: Measure, other_member: Any) -> None:
    update = progress.record_progress(
        shared, actor=other_member, date=datetime.date(2025, 5, 1), text="已召开专题会"
    )
    assert update.measure_id == shared.pk and update.author == other_member
    assert Measure.objects.for_user(other_member, "work").filter(pk=shared.pk).exists()
    assert list(Measure.objects.owned_by(other_member)) == [shared]


def test_co_owner_never_verifies_even_as_reviewer(
    shared: Measure, other_member: Any, owner: Any, county: Any, reviewer: Any
) -> None:
    RoleAssignment.objects.create(user=other_member, organization=county, role="reviewer")
    services.transition(shared, "submitted", actor=owner)
    assert not Measure.objects.for_user(other_member, "review").filter(pk=shared.pk).exists()
    with pytest.raises(NotAllowed, match="责任人不能验收"):
        services.transition(shared, "closed", actor=other_member)
    assert services.transition(shared, "closed", actor=reviewer).status == "closed"


def test_someone_else_is_no_co_owner(make_measure: Any, other_member: Any) -> None:
    measure = make_measure(status="in_progress")
    with pytest.raises(NotAllowed):
        progress.record_progress(measure, actor=other_member, date=datetime.date(2025, 5, 1), text="x")
    assert not Measure.objects.owned_by(other_member).exists()


def test_my_measures_lists_co_owned_measures_once(
    client: Any, shared: Measure, other_member: Any, make_measure: Any, team: Any
) -> None:
    from luoshi.orgs.models import Member

    third = Member.objects.create(team=team, name="刘明", position="副县长")
    shared.co_owners.add(third)
    client.force_login(other_member)
    response = client.get(reverse("my_measures"))
    assert response.status_code == 200
    assert response.content.decode().count(shared.summary) == 1
