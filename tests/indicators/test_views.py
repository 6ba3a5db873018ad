"""Indicator pages: what each person sees and may do, and a 404 for everything that isn't theirs."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.models import Event, EventType
from luoshi.indicators import services
from luoshi.indicators.models import Activity, Indicator
from luoshi.ledger.models import Commitment
from luoshi.orgs.models import Member

TODAY = timezone.localdate()


@pytest.fixture
def as_user(client: Client) -> Callable[[Any], Client]:
    def login(user: Any) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.fixture
def current(round_: Any, organizer: Any) -> Indicator:
    """Each member visits at least once a month, from two months ago to the end of next month."""
    start = (TODAY.replace(day=1) - datetime.timedelta(days=40)).replace(day=1)
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
        start=start,
        end=TODAY + datetime.timedelta(days=40),
    )


def test_round_page_lists_suggestions_to_organizers_and_accepts_them(
    as_user: Callable[[Any], Client], round_: Any, organizer: Any, commitments: list[Commitment]
) -> None:
    client = as_user(organizer)
    page = client.get(reverse("round_indicators", args=[round_.pk])).content.decode()
    assert "从量化承诺设置指标（4 项待确认）" in page
    post = {"accept": [str(commitments[0].pk), str(commitments[2].pk)]}
    for c in commitments[:3]:
        post.update(
            {f"kind-{c.pk}": "visit", f"scope-{c.pk}": "each", f"period-{c.pk}": "month", f"op-{c.pk}": ">="}
        )
        post.update({f"target-{c.pk}": "1", f"unit-{c.pk}": "次", f"name-{c.pk}": c.text})
    post[f"kind-{commitments[2].pk}"] = "seminar"
    post[f"scope-{commitments[2].pk}"] = "team"
    response = client.post(reverse("accept_indicators", args=[round_.pk]), post)
    assert response.status_code == 302
    made = {i.name: i for i in Indicator.objects.all()}
    assert set(made) == {"每月至少到联系乡镇走访1次", "每季度至少开展1次专题研讨"}
    assert made["每季度至少开展1次专题研讨"].scope == "team"
    page = client.get(reverse("round_indicators", args=[round_.pk])).content.decode()
    assert "2 项待确认" in page


def test_members_see_indicators_but_not_the_suggestions_and_cannot_accept(
    as_user: Callable[[Any], Client], round_: Any, owner: Any, commitments: list[Commitment]
) -> None:
    client = as_user(owner)
    page = client.get(reverse("round_indicators", args=[round_.pk])).content.decode()
    assert "待确认" not in page
    response = client.post(
        reverse("accept_indicators", args=[round_.pk]),
        {"accept": [str(commitments[0].pk)], f"kind-{commitments[0].pk}": "visit"},
    )
    assert response.status_code == 302 and not Indicator.objects.exists()
    assert client.get(reverse("indicator_create", args=[round_.pk])).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "town_organizer"])
def test_pages_of_another_organization_are_404(
    request: pytest.FixtureRequest,
    as_user: Callable[[Any], Client],
    round_: Any,
    current: Indicator,
    owner: Any,
    who: str,
) -> None:
    member = owner.memberships.get()
    activity = services.record_activity(round_.team, actor=owner, member=member, date=TODAY, kind="visit")
    client = as_user(request.getfixturevalue(who))
    for url in [
        reverse("round_indicators", args=[round_.pk]),
        reverse("indicator_grid", args=[current.pk]),
        reverse("member_activities", args=[member.pk]),
        reverse("activity_edit", args=[activity.pk]),
        reverse("activity_import", args=[round_.pk]),
        reverse("indicator_create", args=[round_.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("accept_indicators", args=[round_.pk]), {}).status_code == 404


def test_quick_entry_by_a_member_changes_the_grid_and_standing(
    as_user: Callable[[Any], Client], current: Indicator, owner: Any
) -> None:
    client = as_user(owner)
    member = owner.memberships.get()
    form = client.get(reverse("activity_new")).content.decode()
    assert 'type="hidden" name="who"' in form  # only themselves: nothing to choose
    page = client.get(reverse("member_activities", args=[member.pk])).content.decode()
    assert "本月已走访 0/1 次" in page
    response = client.post(
        reverse("activity_new"),
        {
            "who": f"m-{member.pk}",
            "date": TODAY.isoformat(),
            "kind": "visit",
            "count": "1",
            "households": "12",
            "place": "河东村",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("member_activities", args=[member.pk])).content.decode()
    assert "本月已走访 1/1 次" in page and "河东村" in page
    grid = client.get(reverse("indicator_grid", args=[current.pk])).content.decode()
    assert 'data-state="no_data"' in grid  # the earlier months, with nothing recorded
    assert "1 · 进行中" in grid


def test_member_cannot_record_for_someone_else(
    as_user: Callable[[Any], Client], owner: Any, other_member: Any
) -> None:
    other = other_member.memberships.get()
    response = as_user(owner).post(
        reverse("activity_new"),
        {"who": f"m-{other.pk}", "date": TODAY.isoformat(), "kind": "visit", "count": "1"},
    )
    assert response.status_code == 422 and not Activity.objects.exists()


def test_office_staff_record_on_behalf_and_for_the_team(
    as_user: Callable[[Any], Client], organizer: Any, team: Any, owner: Any
) -> None:
    member = owner.memberships.get()
    client = as_user(organizer)
    page = client.get(reverse("activity_new")).content.decode()
    assert f"代填：{member.name}" in page and "（班子整体）" in page
    client.post(
        reverse("activity_new"), {"who": f"m-{member.pk}", "date": TODAY.isoformat(), "kind": "study"}
    )
    client.post(
        reverse("activity_new"), {"who": f"t-{team.pk}", "date": TODAY.isoformat(), "kind": "seminar"}
    )
    assert [(a.member, a.kind, a.entered_by) for a in Activity.objects.order_by("id")] == [
        (member, "study", organizer),
        (None, "seminar", organizer),
    ]


def test_correction_page_shows_the_history(as_user: Callable[[Any], Client], owner: Any, team: Any) -> None:
    member = owner.memberships.get()
    activity = services.record_activity(
        team, actor=owner, member=member, date=TODAY, kind="visit", place="甲村"
    )
    client = as_user(owner)
    response = client.post(
        reverse("activity_edit", args=[activity.pk]),
        {
            "who": f"m-{member.pk}",
            "date": TODAY.isoformat(),
            "kind": "visit",
            "count": "2",
            "place": "乙村",
            "reason": "记错次数",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("activity_edit", args=[activity.pk])).content.decode()
    assert "甲村" in page and "乙村" in page and "记错次数" in page
    assert Event.objects.filter(event_type=EventType.ACTIVITY_CORRECTED).count() == 1


def test_measure_page_shows_unmet_indicators_to_the_reviewer(
    as_user: Callable[[Any], Client], round_: Any, organizer: Any, reviewer: Any, measure: Any
) -> None:
    start = (TODAY.replace(day=1) - datetime.timedelta(days=40)).replace(day=1)
    services.create_indicator(
        round_, actor=organizer, measure=measure, name="每月至少走访1次", kind="visit", scope="each",
        period="month", op=">=", target=1, start=start, end=TODAY,
    )  # fmt: skip
    page = as_user(reviewer).get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert 'id="unmet-warning"' in page and "无记录" in page


def test_progress_form_offers_the_activity_fields(
    as_user: Callable[[Any], Client], owner: Any, measure: Any
) -> None:
    client = as_user(owner)
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert 'name="activity_kind"' in page
    response = client.post(
        reverse("measure_progress", args=[measure.pk]),
        {
            "date": TODAY.isoformat(),
            "text": "走访河东村",
            "activity_kind": "visit",
            "activity_households": "5",
        },
    )
    assert response.status_code == 302
    assert Activity.objects.get().households == 5


def test_dashboard_shows_the_share_met_with_its_formula(
    as_user: Callable[[Any], Client], round_: Any, organizer: Any, current: Indicator
) -> None:
    page = as_user(organizer).get(reverse("round_dashboard", args=[round_.pk])).content.decode()
    assert 'id="indicator-summary"' in page and "达标率 = 达标的成员·周期 ÷ 已结束的成员·周期" in page


def test_grid_page_queries_do_not_grow_with_members(
    as_user: Callable[[Any], Client],
    organizer: Any,
    team: Any,
    current: Indicator,
    django_assert_max_num_queries: Any,
) -> None:
    client = as_user(organizer)
    url = reverse("indicator_grid", args=[current.pk])
    with django_assert_max_num_queries(12) as small:
        assert client.get(url).status_code == 200
    for index in range(20):
        member = Member.objects.create(team=team, name=f"成员{index}", position="委员")
        services.record_activity(team, actor=organizer, member=member, date=TODAY, kind="visit")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert "成员19" in page
