"""The ledger list (filters, htmx, lights) and the organizer's planning pages; 404 for outsiders."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.models import Event, EventType
from luoshi.ledger.models import Measure, Problem
from luoshi.ledger.services import create_round

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def ledger(make_measure: Any, other_member: Any, round_: Any) -> dict[str, Any]:
    """Measures covering each filter: an aspect, statuses, owners, lights and an extension."""
    aspects = list(round_.framework.aspects.all())
    red = make_measure(status="in_progress", baseline_deadline=days(-3), summary="修订议事规则")
    yellow = make_measure(status="planned", baseline_deadline=days(2), summary="开展专题调研")
    green = make_measure(status="closed", baseline_deadline=days(-10), summary="建立联系群众制度")
    extended = make_measure(
        status="in_progress",
        baseline_deadline=days(-5),
        current_deadline=days(60),
        owner=other_member.memberships.get(),
        summary="推进项目落地",
    )
    unassigned = make_measure(
        status="planned", baseline_deadline=days(90), owner=None, summary="整治形式主义"
    )
    Problem.objects.filter(pk=red.problem_id).update(aspect=aspects[0], text="会议纪要流于形式")
    return {
        "red": red,
        "yellow": yellow,
        "green": green,
        "extended": extended,
        "unassigned": unassigned,
        "aspect": aspects[0],
    }


def shown(response: Any) -> set[str]:
    body = response.content.decode()
    return {
        name
        for name in ("修订议事规则", "开展专题调研", "建立联系群众制度", "推进项目落地", "整治形式主义")
        if name in body
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"修订议事规则", "开展专题调研", "建立联系群众制度", "推进项目落地", "整治形式主义"}),
        ({"deadline": "overdue"}, {"修订议事规则"}),
        ({"deadline": "soon"}, {"开展专题调研"}),
        ({"deadline": "extended"}, {"推进项目落地"}),
        ({"status": "closed"}, {"建立联系群众制度"}),
        ({"status": "open"}, {"修订议事规则", "开展专题调研", "推进项目落地", "整治形式主义"}),
        ({"owner": "none"}, {"整治形式主义"}),
        ({"q": "议事"}, {"修订议事规则"}),
        ({"q": "流于形式"}, {"修订议事规则"}),  # the problem's text is searched too
        ({"status": "in_progress", "deadline": "overdue"}, {"修订议事规则"}),
        (
            {"status": "bogus"},
            {"修订议事规则", "开展专题调研", "建立联系群众制度", "推进项目落地", "整治形式主义"},
        ),
    ],
)
def test_filters(
    client: Client, viewer: Any, ledger: dict[str, Any], query: dict[str, str], expected: set[str]
) -> None:
    client.force_login(viewer)
    response = client.get(reverse("round_detail", args=[ledger["red"].round_id]), query)
    assert response.status_code == 200
    table = response.content.decode().split('id="ledger-table"')[1].split("查摆的问题")[0]
    assert {n for n in expected if n in table} == expected
    assert not (
        {"修订议事规则", "开展专题调研", "建立联系群众制度", "推进项目落地", "整治形式主义"} - expected
    ) & {n for n in shown(response) if n in table}


def test_filter_by_aspect_and_owner(
    client: Client, viewer: Any, ledger: dict[str, Any], other_member: Any
) -> None:
    client.force_login(viewer)
    url = reverse("round_detail", args=[ledger["red"].round_id])
    response = client.get(url, {"aspect": ledger["aspect"].pk}, HTTP_HX_REQUEST="true")
    assert shown(response) == {"修订议事规则"}
    response = client.get(url, {"owner": other_member.memberships.get().pk}, HTTP_HX_REQUEST="true")
    assert shown(response) == {"推进项目落地"}


def test_htmx_gets_only_the_table(client: Client, viewer: Any, ledger: dict[str, Any]) -> None:
    client.force_login(viewer)
    url = reverse("round_detail", args=[ledger["red"].round_id])
    response = client.get(url, {"deadline": "overdue"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="ledger-table">')
    assert "共 1 项整改措施（已筛选）" in body
    assert "HX-Request" in response["Vary"]
    # A reload of the pushed URL (or htmx restoring history) gets the whole page.
    full = client.get(
        url, {"deadline": "overdue"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in full.content.decode()


def test_filter_form_uses_htmx_and_pushes_the_url(
    client: Client, viewer: Any, ledger: dict[str, Any]
) -> None:
    client.force_login(viewer)
    body = client.get(reverse("round_detail", args=[ledger["red"].round_id])).content.decode()
    assert 'hx-target="#ledger-table" hx-swap="outerHTML"' in body and 'hx-push-url="true"' in body


def test_lights_baseline_and_links(client: Client, viewer: Any, ledger: dict[str, Any]) -> None:
    client.force_login(viewer)
    response = client.get(reverse("round_detail", args=[ledger["red"].round_id]))
    body = response.content.decode()
    rows = {
        m: body.split(f'data-measure="{ledger[m].pk}"')[1].split("</tr>")[0] for m in ledger if m != "aspect"
    }
    assert 'class="light red"' in rows["red"] and '<span class="light-text red">逾期</span>' in rows["red"]
    assert (
        'class="light yellow"' in rows["yellow"]
        and '<span class="light-text yellow">临近</span>' in rows["yellow"]
    )
    assert 'class="light' not in rows["green"]  # closed: no light at all
    assert 'class="light green"' in rows["unassigned"] and "light-text" not in rows["unassigned"]
    assert all('data-label="完成时限" class="nowrap"' in row for row in rows.values())  # dates never wrap
    assert f"原定 {days(-5):%Y-%m-%d}（已延期）" in rows["extended"]
    assert "原定" not in rows["red"]
    red = ledger["red"]
    assert reverse("problem_detail", args=[red.problem_id]) in rows["red"]
    assert reverse("measure_detail", args=[red.pk]) in rows["red"]
    assert reverse("measure_history", args=[red.pk]) in rows["red"]
    assert 'form="bulk-assign"' not in body  # a viewer does not plan


def test_due_soon_days_is_a_setting(
    client: Client, viewer: Any, ledger: dict[str, Any], settings: Any
) -> None:
    settings.LUOSHI_DUE_SOON_DAYS = 1
    client.force_login(viewer)
    response = client.get(reverse("round_detail", args=[ledger["red"].round_id]), {"deadline": "soon"})
    assert (
        shown(response) - {"修订议事规则", "建立联系群众制度"} == set()
    )  # only the problems table may name others
    body = response.content.decode()
    row = body.split(f'data-measure="{ledger["yellow"].pk}"')
    assert len(row) == 1  # 2 days left is no longer "soon"


@pytest.mark.parametrize("query", [{}, {"deadline": "overdue", "q": "措施"}])
def test_ledger_query_count_does_not_grow_with_rows(
    client: Client,
    organizer: Any,
    make_measure: Any,
    django_assert_max_num_queries: Any,
    query: dict[str, str],
) -> None:
    for _ in range(3):
        make_measure(baseline_deadline=days(-1), status="in_progress")
    client.force_login(organizer)
    url = reverse("round_detail", args=[make_measure().round_id])
    with django_assert_max_num_queries(18) as small:
        assert client.get(url, query).status_code == 200
    with django_assert_max_num_queries(11) as partial:
        assert client.get(url, query, HTTP_HX_REQUEST="true").status_code == 200
    for _ in range(30):
        make_measure(baseline_deadline=days(-1), status="in_progress")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, query).status_code == 200
    with django_assert_max_num_queries(len(partial.captured_queries)):
        assert client.get(url, query, HTTP_HX_REQUEST="true").status_code == 200


def test_home_groups_rounds_by_organization(
    client: Client, organizer: Any, round_: Any, town: Any, town_organizer: Any
) -> None:
    from luoshi.orgs.models import Team

    town_team = Team.objects.create(organization=town, name="城关镇党委班子")
    town_round = create_round(team=town_team, title="城关镇民主生活会", year=2025, actor=town_organizer)
    client.force_login(organizer)
    body = client.get(reverse("home")).content.decode()
    assert body.index("<h2>示范县</h2>") < body.index(round_.title) < body.index("<h2>城关镇</h2>")
    assert body.index("<h2>城关镇</h2>") < body.index(town_round.title)
    client.force_login(town_organizer)
    body = client.get(reverse("home")).content.decode()
    assert town_round.title in body and round_.title not in body
    assert client.get(reverse("round_detail", args=[town_round.pk])).status_code == 200


# --- the organizer's planning pages ------------------------------------------------------------


def test_bulk_assign_two_measures(
    client: Client,
    organizer: Any,
    make_measure: Any,
    other_member: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    a, b, untouched = (make_measure(baseline_deadline=None) for _ in range(3))
    member = other_member.memberships.get()
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("round_assign", args=[a.round_id]),
            {"measures": [a.pk, b.pk], "owner": member.pk, "department": "县委办", "deadline": "2026-08-31"},
        )
    assert response.status_code == 302
    for m in Measure.objects.filter(pk__in=[a.pk, b.pk]):
        assert (m.owner, m.department, m.baseline_deadline) == (member, "县委办", datetime.date(2026, 8, 31))
    untouched.refresh_from_db()
    assert untouched.department == ""
    assert Event.objects.filter(event_type=EventType.MEASURE_ASSIGNED).count() == 2
    assert other_member.notices.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "已为 2 项整改措施分配责任" in page


def test_bulk_assign_refusal_changes_nothing(client: Client, organizer: Any, make_measure: Any) -> None:
    fine, started = make_measure(baseline_deadline=None), make_measure(status="in_progress")
    client.force_login(organizer)
    response = client.post(
        reverse("round_assign", args=[fine.round_id]),
        {"measures": [fine.pk, started.pk], "deadline": "2026-12-31"},
    )
    assert response.status_code == 409
    assert "整改已开始" in response.content.decode()
    fine.refresh_from_db()
    assert fine.baseline_deadline is None


def test_bulk_assign_is_refused_to_a_reviewer(client: Client, reviewer: Any, measure: Any) -> None:
    client.force_login(reviewer)
    response = client.post(
        reverse("round_assign", args=[measure.round_id]), {"measures": [measure.pk], "department": "x"}
    )
    assert response.status_code == 403
    assert "只有组织者" in response.content.decode()
    measure.refresh_from_db()
    assert measure.department == ""


def test_bulk_assign_without_a_selection_says_so(client: Client, organizer: Any, measure: Any) -> None:
    client.force_login(organizer)
    response = client.post(reverse("round_assign", args=[measure.round_id]), {"department": "x"}, follow=True)
    assert "请先勾选要分配的整改措施" in response.content.decode()


def test_add_a_problem_then_a_measure_by_hand(
    client: Client, organizer: Any, round_: Any, owner: Any, make_measure: Any
) -> None:
    make_measure()
    aspect = round_.framework.aspects.last()
    client.force_login(organizer)
    assert "问题来源" in client.get(reverse("problem_create", args=[round_.pk])).content.decode()
    response = client.post(
        reverse("problem_create", args=[round_.pk]),
        {"summary": "对群众反映的问题回应不及时", "source": "opinion", "aspect": aspect.pk},
    )
    problem = Problem.objects.get(summary="对群众反映的问题回应不及时")
    assert response.status_code == 302 and response["Location"] == reverse(
        "problem_detail", args=[problem.pk]
    )
    assert (problem.number, problem.source, problem.aspect) == (2, "opinion", aspect)
    response = client.post(
        reverse("measure_create", args=[problem.pk]),
        {
            "summary": "建立群众诉求限时回应机制",
            "owner": owner.memberships.get().pk,
            "deadline": "2026-10-31",
        },
    )
    assert response.status_code == 302
    measure = problem.measures.get()
    assert measure.number == 2 and measure.baseline_deadline == datetime.date(2026, 10, 31)
    page = client.get(reverse("problem_detail", args=[problem.pk])).content.decode()
    assert "建立群众诉求限时回应机制" in page and "新增整改措施" in page


def test_problem_form_errors_are_shown(client: Client, organizer: Any, round_: Any) -> None:
    client.force_login(organizer)
    response = client.post(reverse("problem_create", args=[round_.pk]), {"summary": "", "source": "self"})
    assert response.status_code == 422
    assert not Problem.objects.exists()


@pytest.mark.parametrize("who", ["reviewer", "viewer", "owner"])
def test_planning_pages_refuse_those_who_only_see(
    request: pytest.FixtureRequest, client: Client, measure: Any, who: str
) -> None:
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("problem_create", args=[measure.round_id]), {"summary": "x", "source": "self"}
    )
    assert response.status_code == 403 and "组织者" in response.content.decode()
    response = client.post(reverse("measure_create", args=[measure.problem_id]), {"summary": "x"})
    assert response.status_code == 403
    response = client.post(reverse("measure_assign", args=[measure.pk]), {"department": "x"})
    assert response.status_code == 403
    response = client.post(reverse("problem_causes", args=[measure.problem_id]), {"new_cause": "x"})
    assert response.status_code == 403
    assert Problem.objects.count() == 1 and Measure.objects.count() == 1


def test_link_causes_from_the_problem_page(client: Client, organizer: Any, measure: Any) -> None:
    client.force_login(organizer)
    response = client.post(
        reverse("problem_causes", args=[measure.problem_id]), {"new_cause": "理想信念有所淡化"}
    )
    assert response.status_code == 302
    problem = Problem.objects.get(pk=measure.problem_id)
    assert [c.summary for c in problem.causes.all()] == ["理想信念有所淡化"]
    cause = problem.causes.get()
    client.post(reverse("problem_causes", args=[problem.pk]), {"causes": []})
    assert not problem.causes.exists()
    client.post(reverse("problem_causes", args=[problem.pk]), {"causes": [cause.pk]})
    assert list(problem.causes.all()) == [cause]


def test_assign_one_measure_and_move_it_to_another_problem(
    client: Client, organizer: Any, make_measure: Any, other_member: Any
) -> None:
    m, other = make_measure(), make_measure()
    client.force_login(organizer)
    assert client.get(reverse("measure_assign", args=[m.pk])).status_code == 200
    response = client.post(
        reverse("measure_assign", args=[m.pk]),
        {"owner": other_member.memberships.get().pk, "department": "县住建局", "problem": other.problem_id},
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.owner.name, m.department, m.problem_id) == ("王志刚", "县住建局", other.problem_id)
    assert Event.objects.filter(event_type=EventType.MEASURE_LINKED, target_id=str(m.pk)).count() == 1


# --- outsiders -----------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "round_detail", "round"),
    ("post", "round_assign", "round"),
    ("get", "round_dashboard", "round"),
    ("get", "problem_create", "round"),
    ("post", "problem_create", "round"),
    ("get", "problem_detail", "problem"),
    ("post", "measure_create", "problem"),
    ("post", "problem_causes", "problem"),
    ("get", "measure_history", "measure"),
    ("get", "measure_assign", "measure"),
    ("post", "measure_assign", "measure"),
]


@pytest.mark.parametrize("who", ["outsider", "town_organizer"])
@pytest.mark.parametrize(("method", "name", "kind"), ENDPOINTS)
def test_every_page_is_404_without_a_role_there(
    request: pytest.FixtureRequest, client: Client, measure: Any, who: str, method: str, name: str, kind: str
) -> None:
    pk = {"round": measure.round_id, "problem": measure.problem_id, "measure": measure.pk}[kind]
    client.force_login(request.getfixturevalue(who))
    data = {"summary": "x", "source": "self", "measures": [measure.pk], "department": "x", "new_cause": "x"}
    response = getattr(client, method)(reverse(name, args=[pk]), data if method == "post" else None)
    assert response.status_code == 404
    assert Problem.objects.count() == 1 and Measure.objects.get().department == ""


@pytest.mark.parametrize("who", ["outsider", "town_organizer"])
def test_cross_round_pages_show_nothing_of_the_county(
    request: pytest.FixtureRequest, client: Client, measure: Any, county: Any, who: str
) -> None:
    client.force_login(request.getfixturevalue(who))
    for query in ({"org": county.pk}, {"tree": county.pk}):
        assert client.get(reverse("ledger_list"), query).status_code == 404
    assert client.get(reverse("org_dashboard"), {"org": county.pk}).status_code == 404
    assert measure.summary not in client.get(reverse("ledger_list")).content.decode()
    assert "示范县" not in client.get(reverse("org_dashboard")).content.decode()


@pytest.mark.parametrize(
    "name", ["round_detail", "problem_detail", "measure_history", "ledger_list", "org_dashboard"]
)
def test_anonymous_is_sent_to_login(client: Client, measure: Any, name: str) -> None:
    args = {
        "problem_detail": [measure.problem_id],
        "round_detail": [measure.round_id],
        "measure_history": [measure.pk],
    }
    response = client.get(reverse(name, args=args.get(name)))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_ledger_fragments_are_cached_until_the_round_changes(
    client: Client, organizer: Any, owner: Any, make_measure: Any, django_assert_max_num_queries: Any
) -> None:
    from luoshi.ledger.services import transition

    measure = make_measure()
    client.force_login(organizer)
    url = reverse("round_detail", args=[measure.round_id])
    with django_assert_max_num_queries(18) as first:
        client.get(url)
    with django_assert_max_num_queries(len(first.captured_queries) - 3):
        repeat = client.get(url).content.decode()
    assert "未开始" in repeat

    transition(measure, "in_progress", actor=owner)  # a change appends an audit event: a new version
    changed = client.get(url).content.decode()
    assert f'data-measure="{measure.pk}"' in changed
    row = changed.split(f'data-measure="{measure.pk}"')[1].split("</tr>")[0]
    assert "整改中" in row and "未开始" not in row


def test_cached_ledger_keeps_the_organizers_controls_to_organizers(
    client: Client, organizer: Any, viewer: Any, make_measure: Any
) -> None:
    measure = make_measure()
    url = reverse("round_detail", args=[measure.round_id])
    client.force_login(organizer)
    assert 'form="bulk-assign"' in client.get(url).content.decode()
    client.force_login(viewer)
    assert 'form="bulk-assign"' not in client.get(url).content.decode()
    client.force_login(organizer)
    assert 'form="bulk-assign"' in client.get(url).content.decode()
