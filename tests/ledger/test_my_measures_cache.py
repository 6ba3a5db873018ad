"""我的整改 is cached per user: every change shown on it must still show at once."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.ledger import progress
from luoshi.ledger.fragments import owner_version
from luoshi.ledger.models import Measure
from luoshi.ledger.services import assign, transition
from luoshi.orgs.models import RoleAssignment

TODAY = timezone.localdate()


@pytest.fixture
def as_user(db: None) -> Any:
    def login(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


def my_page(client: Any) -> str:
    response = client.get(reverse("my_measures"))
    assert response.status_code == 200
    return str(response.content.decode())


def test_service_changes_show_on_the_cached_page(
    as_user: Any, make_measure: Any, owner: Any, organizer: Any, other_member: Any
) -> None:
    measure, handed_over = make_measure(), make_measure(summary="转交的措施")
    client = as_user(owner)
    body = my_page(client)
    assert "未开始" in body and "转交的措施" in body and "延期申请待审批" not in body
    assign(handed_over, actor=organizer, owner=other_member.memberships.get())
    assert "转交的措施" not in my_page(client)
    transition(measure, "in_progress", actor=owner)
    assert "整改中" in my_page(client)
    progress.request_extension(
        measure, actor=owner, requested_deadline=TODAY + datetime.timedelta(days=400), reason="协调"
    )
    assert "延期申请待审批" in my_page(client)


def test_a_measure_co_owned_or_written_without_an_event_shows(
    as_user: Any, make_measure: Any, owner: Any, other_member: Any
) -> None:
    client = as_user(owner)
    theirs = make_measure(summary="别人负责的措施", owner=other_member.memberships.get())
    assert "别人负责的措施" not in my_page(client)
    theirs.co_owners.add(owner.memberships.get())
    assert "别人负责的措施" in my_page(client)
    mine = make_measure(summary="我的措施")
    assert "我的措施" in my_page(client)
    mine.summary = "改过的措施"
    mine.save()
    body = my_page(client)
    assert "改过的措施" in body and "我的措施" not in body


def test_the_personal_lists_follow_the_roles(as_user: Any, measure: Any, owner: Any) -> None:
    client = as_user(owner)
    assert "个人整改清单" in my_page(client)
    RoleAssignment.objects.filter(user=owner).delete()  # no event: the roles are in the cache key
    body = my_page(client)
    assert "个人整改清单" not in body
    assert measure.summary in body  # one's own measures are listed whatever the roles


def test_each_user_sees_their_own_list(
    as_user: Any, make_measure: Any, owner: Any, other_member: Any
) -> None:
    make_measure(summary="甲的措施")
    make_measure(summary="乙的措施", owner=other_member.memberships.get())
    mine, theirs = my_page(as_user(owner)), my_page(as_user(other_member))
    assert "甲的措施" in mine and "乙的措施" not in mine
    assert "乙的措施" in theirs and "甲的措施" not in theirs


def test_the_version_moves_with_the_measures_and_their_organizations(
    measure: Any, owner: Any, other_member: Any
) -> None:
    before = owner_version(owner.pk)
    assert measure.round.team.organization.path in before
    transition(measure, "in_progress", actor=owner)
    after_event = owner_version(owner.pk)
    assert after_event != before
    Measure.objects.filter(pk=measure.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=5))
    assert owner_version(owner.pk) != after_event
    assert owner_version(other_member.pk) != owner_version(owner.pk)
