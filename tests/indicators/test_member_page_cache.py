"""A member's page (履职记录) is cached: every change it shows must still show at once."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.indicators import services
from luoshi.indicators.fragments import member_version
from luoshi.indicators.models import Activity, Indicator

TODAY = timezone.localdate()


@pytest.fixture
def current(round_: Any, organizer: Any) -> Indicator:
    return services.create_indicator(
        round_,
        actor=organizer,
        name="每月至少走访1次",
        kind="visit",
        scope="each",
        period="month",
        op=">=",
        target=1,
        unit="次",
        start=TODAY.replace(day=1),
        end=TODAY + datetime.timedelta(days=40),
    )


def page_of(user: Any, member: Any) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("member_activities", args=[member.pk]))
    assert response.status_code == 200
    return str(response.content.decode())


def test_records_indicators_and_names_show_on_the_cached_page(
    current: Indicator, owner: Any, organizer: Any, django_user_model: Any
) -> None:
    member = owner.memberships.get()
    assert "本月已走访 0/1 次" in page_of(owner, member)
    activity = services.record_activity(
        member.team, actor=organizer, member=member, date=TODAY, kind="visit", place="河东村"
    )
    body = page_of(owner, member)
    assert "本月已走访 1/1 次" in body and "河东村" in body and "organizer 填报" in body
    services.correct_activity(activity, actor=organizer, place="柳树村")
    assert "柳树村" in page_of(owner, member)
    services.change_indicator(current, actor=organizer, target=2)
    assert "本月已走访 1/2 次" in page_of(owner, member)
    django_user_model.objects.filter(pk=organizer.pk).update(first_name="王主任")  # no event
    assert "王主任 填报" in page_of(owner, member)
    Activity.objects.create(
        team=member.team, member=member, date=TODAY, kind="visit", place="南湾村", entered_by=owner
    )
    assert "南湾村" in page_of(owner, member)


def test_the_correction_links_follow_the_viewer(
    current: Indicator, owner: Any, organizer: Any, viewer: Any
) -> None:
    member = owner.memberships.get()
    services.record_activity(member.team, actor=owner, member=member, date=TODAY, kind="visit")
    assert "更正" in page_of(owner, member)
    assert "更正" not in page_of(viewer, member)
    assert "更正" in page_of(organizer, member)


def test_each_member_has_their_own_version(current: Indicator, owner: Any, other_member: Any) -> None:
    mine, theirs = owner.memberships.get(), other_member.memberships.get()
    before = member_version(mine)
    services.record_activity(theirs.team, actor=other_member, member=theirs, date=TODAY, kind="visit")
    assert member_version(mine) != before  # the team's organization has a new event
    assert member_version(mine) != member_version(theirs)


def test_the_page_lets_in_exactly_whom_members_for_user_lets_in(
    request: pytest.FixtureRequest, owner: Any, django_user_model: Any
) -> None:
    from django.http import Http404

    from luoshi.indicators.views import member_for_page, members_for_user

    member = owner.memberships.get()
    names = ["owner", "other_member", "organizer", "reviewer", "viewer", "town_organizer", "outsider"]
    users = [request.getfixturevalue(name) for name in names]
    users.append(django_user_model.objects.create_superuser("root", password="pw"))
    users.append(django_user_model.objects.create_user("nobody", password="pw"))
    for user in users:
        allowed = members_for_user(user).filter(pk=member.pk).exists()
        try:
            found = member_for_page(user, member.pk)
        except Http404:
            found = None
        assert (found is not None) == allowed, user.username
        if found is not None:
            assert found.team.organization.path == member.team.organization.path
            assert found.active is True and found.name == member.name
    with pytest.raises(Http404):
        member_for_page(owner, member.pk + 1000)
