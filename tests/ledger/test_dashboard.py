"""The round dashboard and the roll-up across the organization tree: every figure explained and
traceable to the ledger rows behind it, at a fixed number of queries."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.ledger.models import Measure, Problem
from luoshi.ledger.services import create_round
from luoshi.orgs.models import Member, Organization, Team

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def spread(make_measure: Any, round_: Any) -> dict[str, Any]:
    aspects = list(round_.framework.aspects.all())
    made = {
        "overdue": make_measure(status="in_progress", baseline_deadline=days(-3), summary="逾期的措施"),
        "upcoming": make_measure(status="planned", baseline_deadline=days(20), summary="将到期的措施"),
        "later": make_measure(status="planned", baseline_deadline=days(200), summary="远期措施"),
        "closed": make_measure(
            status="closed",
            baseline_deadline=days(-1),
            closed_at=timezone.now() - datetime.timedelta(days=5),
            summary="已销号措施",
        ),
        "continuing": make_measure(status="continuing", baseline_deadline=days(100), summary="持续措施"),
    }
    Problem.objects.filter(pk=made["overdue"].problem_id).update(aspect=aspects[0])
    Problem.objects.filter(pk=made["closed"].problem_id).update(aspect=aspects[0])
    made["aspect"] = aspects[0]
    return made


def test_round_dashboard_figures(client: Client, viewer: Any, spread: dict[str, Any]) -> None:
    client.force_login(viewer)
    round_id = spread["overdue"].round_id
    response = client.get(reverse("round_dashboard", args=[round_id]))
    assert response.status_code == 200
    body = response.content.decode()
    ledger = reverse("round_detail", args=[round_id])
    for label in ("完成率", "按期完成率", "持续整改", "延期", "逾期"):
        assert label in body
    assert (
        "已销号措施数 ÷ 措施总数" in body
        and f'href="{ledger}?status=closed">1</a>/<a href="{ledger}">5</a>' in body
    )
    assert f'href="{ledger}?deadline=on_time">1</a>/<a href="{ledger}?deadline=due">2</a>' in body
    assert f'href="{ledger}?deadline=overdue">1</a>' in body
    overdue = body.split("逾期措施（1 项）")[1].split("近期到期")[0]
    assert "逾期的措施" in overdue and "将到期的措施" not in overdue
    upcoming = body.split("近期到期")[1]
    assert "将到期的措施" in upcoming and "远期措施" not in upcoming
    # The chart data: one stacked series per status, one category per aspect (+ 未归入方面).
    data = json.loads(re.search(r'id="aspect-chart-data"[^>]*>(.*?)</script>', body, re.S).group(1))  # type: ignore[union-attr]
    assert data["aspects"][0] == spread["aspect"].name and data["aspects"][-1] == "未归入方面"
    by_status = {s["key"]: s["data"] for s in data["series"]}
    assert by_status["closed"][0] == 1 and by_status["in_progress"][0] == 1
    assert by_status["planned"][-1] == 2
    assert 'src="/static/vendor/echarts/echarts.min.js"' in body and "cdn" not in body.lower()
    assert f"{ledger}?aspect={spread['aspect'].pk}&amp;status=closed" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("deadline=on_time", {"已销号措施"}),
        ("deadline=due", {"已销号措施", "逾期的措施"}),
        ("deadline=upcoming", {"将到期的措施"}),
        ("status=continuing", {"持续措施"}),
    ],
)
def test_each_figure_links_to_its_rows(
    client: Client, viewer: Any, spread: dict[str, Any], query: str, expected: set[str]
) -> None:
    client.force_login(viewer)
    url = reverse("round_detail", args=[spread["overdue"].round_id]) + "?" + query
    body = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    names = {"逾期的措施", "将到期的措施", "远期措施", "已销号措施", "持续措施"}
    assert {n for n in names if n in body} == expected


def test_round_dashboard_query_count_is_fixed(
    client: Client, organizer: Any, make_measure: Any, django_assert_max_num_queries: Any
) -> None:
    make_measure(status="in_progress", baseline_deadline=days(-2))
    client.force_login(organizer)
    url = reverse("round_dashboard", args=[make_measure().round_id])
    with django_assert_max_num_queries(13) as small:
        assert client.get(url).status_code == 200
    for index in range(30):
        make_measure(status="in_progress", baseline_deadline=days(index - 15))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "town_organizer"])
def test_round_dashboard_is_404_without_a_role_there(
    request: pytest.FixtureRequest, client: Client, measure: Any, who: str
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("round_dashboard", args=[measure.round_id])).status_code == 404


# --- the organization tree -------------------------------------------------------------------------


Y2025 = {"year": "2025"}  # the fixtures' rounds (the 汇总 shows this year's unless told)


def add_town(parent: Organization, name: str, actor: Any, statuses: list[str]) -> Organization:
    """An organization below PARENT with a team, a round and one measure per status."""
    organization = Organization.objects.create(name=name, parent=parent)
    team = Team.objects.create(organization=organization, name=f"{name}班子")
    member = Member.objects.create(team=team, name=f"{name}书记", position="书记")
    round_ = create_round(team=team, title=f"{name}民主生活会", year=2025, actor=actor)
    for number, status in enumerate(statuses, start=1):
        deadline = days(-5) if status == "in_progress" else days(30)
        Measure.objects.create(
            round=round_,
            number=number,
            summary=f"{name}措施{number}",
            status=status,
            owner=member,
            baseline_deadline=deadline,
        )
    return organization


@pytest.fixture
def tree(organizer: Any, make_measure: Any, town: Any) -> dict[str, Any]:
    make_measure(status="closed")
    make_measure(status="planned", baseline_deadline=days(60))
    east = add_town(town, "东街社区", organizer, ["closed", "in_progress"])
    river = add_town(town.parent, "河东乡", organizer, ["continuing", "in_progress", "closed", "closed"])
    return {"county": town.parent, "town": town, "east": east, "river": river}


def rows_of(body: str) -> dict[str, list[str]]:
    table = body.split('id="org-rollup"')[1].split("</table>")[0]
    out = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = [
            re.sub(r"<[^>]+>", " ", c).split() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        if cells and cells[0] and cells[0][0] != "单位":
            out[cells[0][0]] = [c[0] if c else "" for c in cells[1:]]
    return out


def test_county_organizer_sees_the_whole_tree_rolled_up(
    client: Client, organizer: Any, tree: dict[str, Any]
) -> None:
    client.force_login(organizer)
    body = client.get(reverse("org_dashboard"), Y2025).content.decode()
    # measures, closed, continuing, overdue, completion
    assert rows_of(body)["示范县"] == ["8", "4", "1", "2", "50.0%"]
    assert f'href="{reverse("org_dashboard")}?org={tree["county"].pk}&amp;year=2025"' in body

    body = client.get(reverse("org_dashboard"), {"org": tree["county"].pk, **Y2025}).content.decode()
    rows = rows_of(body)
    assert rows["本级"] == ["2", "1", "0", "0", "50.0%"]
    assert rows["城关镇"] == ["2", "1", "0", "1", "50.0%"]  # its child 东街社区 rolled up
    assert rows["河东乡"] == ["4", "2", "1", "1", "50.0%"]
    assert rows["合计"] == ["8", "4", "1", "2", "50.0%"]
    ledger = reverse("ledger_list")
    assert f'href="{ledger}?tree={tree["town"].pk}&amp;year=2025&amp;deadline=overdue"' in body
    assert f'href="{ledger}?org={tree["county"].pk}&amp;year=2025&amp;status=closed"' in body


def test_the_figures_open_the_rows_behind_them(client: Client, organizer: Any, tree: dict[str, Any]) -> None:
    client.force_login(organizer)
    ledger = reverse("ledger_list")
    body = client.get(ledger, {"tree": tree["town"].pk, "deadline": "overdue"}).content.decode()
    assert "共 1 项整改措施" in body and "东街社区措施2" in body
    body = client.get(ledger, {"tree": tree["county"].pk}).content.decode()
    assert "共 8 项整改措施" in body
    body = client.get(ledger, {"org": tree["county"].pk}).content.decode()
    assert "共 2 项整改措施" in body and "东街社区" not in body.split('id="ledger-table"')[1]


def test_town_organizer_sees_only_below(client: Client, town_organizer: Any, tree: dict[str, Any]) -> None:
    client.force_login(town_organizer)
    body = client.get(reverse("org_dashboard"), Y2025).content.decode()
    rows = rows_of(body)
    assert list(rows) == ["城关镇"] and rows["城关镇"][0] == "2"
    assert client.get(reverse("org_dashboard"), {"org": tree["river"].pk, **Y2025}).status_code == 404
    assert client.get(reverse("ledger_list"), {"tree": tree["county"].pk}).status_code == 404
    body = client.get(reverse("ledger_list")).content.decode()
    assert "共 2 项整改措施" in body and "河东乡" not in body


def test_outsider_sees_no_organization(client: Client, outsider: Any, tree: dict[str, Any]) -> None:
    client.force_login(outsider)
    body = client.get(reverse("org_dashboard"), Y2025).content.decode()
    assert "示范县" not in body and "城关镇" not in body
    assert client.get(reverse("org_dashboard"), {"org": tree["county"].pk, **Y2025}).status_code == 404


def test_roll_up_query_count_does_not_grow_with_organizations(
    client: Client, organizer: Any, tree: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client.force_login(organizer)
    url = reverse("org_dashboard")
    query = {"org": tree["county"].pk, **Y2025}
    with django_assert_max_num_queries(12) as top:
        client.get(url, Y2025)
    with django_assert_max_num_queries(14) as drill:
        client.get(url, query)
    for index in range(12):
        add_town(tree["county"], f"新乡{index}", organizer, ["closed", "in_progress"])
    with django_assert_max_num_queries(len(top.captured_queries)):
        client.get(url, Y2025)
    with django_assert_max_num_queries(len(drill.captured_queries)):
        body = client.get(url, query).content.decode()
    assert rows_of(body)["合计"][0] == str(8 + 24)


def test_cross_round_ledger_query_count_is_fixed(
    client: Client, organizer: Any, tree: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client.force_login(organizer)
    url = reverse("ledger_list")
    query = {"tree": tree["county"].pk, "deadline": "overdue"}
    with django_assert_max_num_queries(13) as first:
        client.get(url, query)
    for index in range(12):
        add_town(tree["county"], f"新乡{index}", organizer, ["in_progress"] * 3)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url, query)


def test_roll_up_figures_are_cached_until_anything_changes(
    client: Client, organizer: Any, owner: Any, make_measure: Any, django_assert_max_num_queries: Any
) -> None:
    from luoshi.ledger.services import transition

    measure = make_measure(status="in_progress", outcome="完成")
    client.force_login(organizer)
    url = reverse("org_dashboard")
    with django_assert_max_num_queries(12) as first:
        client.get(url, Y2025)
    with django_assert_max_num_queries(len(first.captured_queries) - 1):
        client.get(url, Y2025)
    transition(measure, "submitted", actor=owner)
    from luoshi.ledger.models import Measure

    Measure.objects.filter(pk=measure.pk).update(
        status="closed"
    )  # as if verified; the event above moved the version
    body = client.get(url, Y2025).content.decode()
    assert "100.0%" in body


# --- the selection: year, kind, round ------------------------------------------------------------------


@pytest.fixture
def years(organizer: Any, tree: dict[str, Any], team: Any) -> dict[str, Any]:
    """Besides the tree's 2025 rounds: a special meeting of this year at the county and an inspection
    round of this year at 河东乡 (东街社区 and 城关镇 have no ledger this year)."""
    special = create_round(
        team=team, title="今年专题民主生活会", year=TODAY.year, kind="special", actor=organizer
    )
    river_team = Team.objects.get(organization=tree["river"])
    inspection = create_round(
        team=river_team, title="今年巡察整改", year=TODAY.year, kind="inspection", actor=organizer
    )
    member = Member.objects.get(team=river_team)
    for number, status in enumerate(["closed", "in_progress"], start=1):
        Measure.objects.create(
            round=special,
            number=number,
            summary=f"专题措施{number}",
            status=status,
            baseline_deadline=days(-2),
        )
    Measure.objects.create(
        round=inspection,
        number=1,
        summary="巡察措施1",
        status="planned",
        owner=member,
        baseline_deadline=days(9),
    )
    return {**tree, "special": special, "inspection": inspection}


def test_this_year_by_default_with_units_without_a_ledger_named_so(
    client: Client, organizer: Any, years: dict[str, Any]
) -> None:
    client.force_login(organizer)
    body = client.get(reverse("org_dashboard"), {"org": years["county"].pk}).content.decode()
    rows = rows_of(body)
    assert rows["本级"] == ["2", "1", "0", "1", "50.0%"]
    assert rows["河东乡"] == ["1", "0", "0", "0", "0.0%"]
    assert rows["城关镇"] == ["未建台账"]  # not a row of zeros
    assert rows["合计"][0] == "3"
    assert f'<option value="{TODAY.year}" selected>' in body


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ({"year": "all"}, 11),
        ({"year": "2025"}, 8),
        ({"kind": "inspection"}, 1),
        ({"kind": "special"}, 2),
        ({"year": "all", "kind": "special"}, 10),
    ],
)
def test_each_selection_and_its_figures_open_the_same_rows(
    client: Client, organizer: Any, years: dict[str, Any], query: dict[str, str], total: int
) -> None:
    client.force_login(organizer)
    body = client.get(reverse("org_dashboard"), query).content.decode()
    assert rows_of(body)["示范县"][0] == str(total)
    link = re.search(r'<td data-label="整改措施"><a href="([^"]+)">', body.split('id="org-rollup"')[1])
    assert link is not None
    ledger = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert f"共 {total} 项整改措施" in ledger
    overdue = re.search(
        r'<td data-label="逾期"><a href="([^"]+)">(\d+)</a>', body.split('id="org-rollup"')[1]
    )
    assert overdue is not None
    ledger = client.get(overdue.group(1).replace("&amp;", "&")).content.decode()
    assert f"共 {overdue.group(2)} 项整改措施" in ledger


def test_one_round_and_archived_rounds(client: Client, organizer: Any, years: dict[str, Any]) -> None:
    from luoshi.ledger.models import Round

    client.force_login(organizer)
    body = client.get(reverse("org_dashboard"), {"round": years["inspection"].pk}).content.decode()
    assert rows_of(body)["示范县"][0] == "1" and "今年巡察整改" in body
    Round.objects.filter(pk=years["special"].pk).update(archived=True)
    body = client.get(reverse("org_dashboard"), {"year": "all"}).content.decode()
    assert rows_of(body)["示范县"][0] == "9"  # the archived round's 2 measures left out
    body = client.get(reverse("org_dashboard"), {"year": "all", "archived": "1"}).content.decode()
    assert rows_of(body)["示范县"][0] == "11"
    ledger = client.get(reverse("ledger_list")).content.decode()
    assert "共 9 项整改措施" in ledger
    assert "共 11 项整改措施" in client.get(reverse("ledger_list"), {"archived": "1"}).content.decode()
    one = client.get(reverse("ledger_list"), {"round": years["special"].pk}).content.decode()
    assert "共 2 项整改措施" in one  # a round named explicitly is shown even when archived


def test_the_ledger_list_keeps_the_selection_in_its_filter_form(
    client: Client, organizer: Any, years: dict[str, Any]
) -> None:
    client.force_login(organizer)
    body = client.get(
        reverse("ledger_list"), {"year": "2025", "kind": "annual", "status": "open"}
    ).content.decode()
    form = body.split('id="ledger-filter"')[1].split("</form>")[0]
    assert '<input type="hidden" name="year" value="2025">' in form
    assert '<input type="hidden" name="kind" value="annual">' in form
    assert "范围：2025 年 · 年度民主生活会" in body


def test_the_round_choice_offers_the_selection_and_follows_changes(
    client: Client, organizer: Any, years: dict[str, Any]
) -> None:
    from luoshi.ledger.services import create_round

    client.force_login(organizer)
    special = years["special"]
    query = {"year": str(special.year), "round": str(special.pk)}
    body = client.get(reverse("org_dashboard"), query).content.decode()
    chosen = (
        f'<option value="{special.pk}" selected>{special.team.organization.name} · {special.title}</option>'
    )
    assert chosen in body
    # A new round is an audit event: the kept choices are built again and offer it, escaped.
    added = create_round(team=special.team, title="<b>新一轮</b>", year=special.year, actor=organizer)
    body = client.get(reverse("org_dashboard"), query).content.decode()
    assert (
        f'<option value="{added.pk}">{special.team.organization.name} · &lt;b&gt;新一轮&lt;/b&gt;</option>'
        in body
    )
