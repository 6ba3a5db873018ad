"""Compliance aggregated from the records: states per member × period, team figures, clipping,
households counted from visits, reported figures, standing sentences, and a fixed query count."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from luoshi.indicators import compliance, periods
from luoshi.indicators.models import Indicator
from luoshi.orgs.models import Member
from tests.indicators.conftest import TODAY, D


def grid_of(indicator: Indicator, today: Any = TODAY) -> compliance.Grid:
    fresh = Indicator.objects.select_related("round__team").get(pk=indicator.pk)
    return compliance.grids([fresh], today)[indicator.pk]


def states(grid: compliance.Grid, member: Any) -> list[str]:
    return [grid.cells[(member.pk if member else None, span[0])].state for span in grid.spans]


def test_periods_are_calendar_periods_clipped_to_the_indicator() -> None:
    assert periods.spans("month", D(2026, 1, 15), D(2026, 3, 10), D(2026, 12, 1)) == [
        (D(2026, 1, 15), D(2026, 1, 31)),
        (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2026, 3, 1), D(2026, 3, 10)),
    ]
    assert periods.spans("quarter", D(2026, 1, 1), D(2026, 12, 31), D(2026, 4, 1))[-1] == (
        D(2026, 4, 1),
        D(2026, 6, 30),
    )
    assert periods.span_of(D(2026, 8, 5), "halfyear", D(2026, 1, 1), D(2026, 12, 31)) == (
        D(2026, 7, 1),
        D(2026, 12, 31),
    )
    assert periods.span_of(D(2026, 4, 9), "week", D(2026, 1, 1), D(2026, 12, 31)) == (
        D(2026, 4, 6),
        D(2026, 4, 12),
    )


def test_each_member_gets_met_not_met_no_data_and_open(
    visits: Indicator, add: Callable[..., Any], owner_member: Member, other: Member
) -> None:
    add(owner_member, D(2026, 1, 5))
    add(owner_member, D(2026, 2, 7), kind="study")  # a record, but no visit: not met
    add(owner_member, D(2026, 4, 2))
    add(other, D(2026, 1, 20), count=2)
    grid = grid_of(visits)
    assert [periods.label(s, "month") for s in grid.spans] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert states(grid, owner_member) == ["met", "not_met", "no_data", "open"]
    assert states(grid, other) == ["met", "no_data", "no_data", "open"]
    assert grid.cells[(other.pk, D(2026, 1, 1))].actual == 2
    assert grid.cells[(owner_member.pk, D(2026, 4, 1))].actual == 1
    tally = compliance.tally([grid])
    assert (tally.met, tally.not_met, tally.no_data, tally.open) == (2, 1, 3, 2)
    assert tally.rate_text == "33%"


def test_a_visit_with_households_counts_once_as_visit_and_n_times_as_household_visits(
    make_indicator: Callable[..., Indicator], add: Callable[..., Any], owner_member: Member
) -> None:
    visits = make_indicator()
    households = make_indicator(name="入户不少于10家次", kind="household", target=10, unit="家次")
    add(owner_member, D(2026, 1, 8), households=12, place="河东村")
    grid_map = compliance.grids(
        list(Indicator.objects.select_related("round__team").filter(pk__in=[visits.pk, households.pk])), TODAY
    )
    assert grid_map[visits.pk].cells[(owner_member.pk, D(2026, 1, 1))].actual == 1
    assert grid_map[households.pk].cells[(owner_member.pk, D(2026, 1, 1))].actual == 12
    assert grid_map[households.pk].cells[(owner_member.pk, D(2026, 1, 1))].state == "met"


def test_team_indicator_sums_everyone_and_the_team_records(
    make_indicator: Callable[..., Indicator], add: Callable[..., Any], owner_member: Member, other: Member
) -> None:
    seminars = make_indicator(name="每季度专题研讨", kind="seminar", scope="team", period="quarter")
    add(None, D(2026, 2, 3), kind="seminar")
    add(other, D(2026, 2, 10), kind="visit")
    grid = grid_of(seminars)
    assert grid.members == [None]
    assert states(grid, None) == ["met", "open"]
    assert grid.cells[(None, D(2026, 1, 1))].actual == 1


def test_named_member_and_upper_bound(
    make_indicator: Callable[..., Indicator], add: Callable[..., Any], owner_member: Member, other: Member
) -> None:
    meetings = make_indicator(
        name="每月会议不超过2次", kind="meeting", scope="member", member=other, op="<=", target=2
    )
    add(other, D(2026, 1, 3), kind="meeting", count=3)
    add(other, D(2026, 2, 3), kind="meeting", count=2)
    grid = grid_of(meetings)
    assert grid.members == [other]
    assert states(grid, other)[:3] == ["not_met", "met", "no_data"]


def test_records_outside_the_indicator_dates_do_not_count(
    make_indicator: Callable[..., Indicator], add: Callable[..., Any], owner_member: Member
) -> None:
    late = make_indicator(start=D(2026, 1, 15), end=D(2026, 3, 31))
    add(owner_member, D(2026, 1, 10))  # before the start, in the same month
    grid = grid_of(late)
    assert grid.spans[0] == (D(2026, 1, 15), D(2026, 1, 31))
    assert states(grid, owner_member) == ["no_data", "no_data", "no_data"]


def test_reported_figure_is_the_average_of_the_period(
    make_indicator: Callable[..., Indicator], add: Callable[..., Any]
) -> None:
    share = make_indicator(
        name="民生支出占比", kind="figure", scope="team", period="quarter", target=70, unit="%"
    )
    add(None, D(2026, 1, 31), kind="figure", value=Decimal("66"), indicator=share)
    add(None, D(2026, 3, 31), kind="figure", value=Decimal("76"), indicator=share)
    grid = grid_of(share)
    assert grid.cells[(None, D(2026, 1, 1))].actual == 71
    assert states(grid, None) == ["met", "open"]


def test_standing_sentence_and_period_ending_soon(
    visits: Indicator, add: Callable[..., Any], owner_member: Member, other: Member
) -> None:
    day = D(2026, 4, 26)
    found = compliance.standing(visits, owner_member, day)
    assert found is not None and found.text == "本月已走访 0/1 次，剩 4 天"
    add(owner_member, D(2026, 4, 2))
    found = compliance.standing(visits, owner_member, day)
    assert found is not None and found.satisfied and found.text.startswith("本月已走访 1/1 次")
    due = compliance.period_ending_soon([visits], day, within_days=5)
    assert [(s.member, s.days_left) for s in due] == [(other, 4)]
    assert compliance.period_ending_soon([visits], day, within_days=3) == []
    assert compliance.standing(visits, owner_member, D(2027, 1, 5)) is None


def test_grid_queries_do_not_grow_with_members(
    visits: Indicator,
    make_indicator: Callable[..., Indicator],
    add: Callable[..., Any],
    team: Any,
    django_assert_num_queries: Any,
) -> None:
    make_indicator(name="入户", kind="household", target=10)
    indicators = list(Indicator.objects.select_related("round__team"))
    for index in range(2):
        member = Member.objects.create(team=team, name=f"成员{index}", position="委员")
        add(member, D(2026, 1, 3 + index))
    with django_assert_num_queries(2):  # members, one aggregation for both indicators
        small = compliance.grids(indicators, TODAY)
    for index in range(30):
        member = Member.objects.create(team=team, name=f"新成员{index}", position="委员")
        add(member, D(2026, 2, 1 + index % 27), households=3)
    with django_assert_num_queries(2):
        large = compliance.grids(indicators, TODAY)
    assert len(large[visits.pk].members) == len(small[visits.pk].members) + 30


@pytest.mark.parametrize(
    ("op", "actual", "met"), [(">=", 1, True), (">", 1, False), ("<=", 2, True), ("<", 2, False)]
)
def test_satisfies(op: str, actual: int, met: bool) -> None:
    target = 1 if op in (">=", ">") else 2
    assert compliance.satisfies(op, Decimal(actual), Decimal(target)) is met


def test_weekly_buckets_run_monday_to_sunday(
    make_indicator: Callable[..., Indicator], add: Callable[..., Any], owner_member: Member
) -> None:
    weekly = make_indicator(name="每周学习", kind="study", period="week", target=2)
    add(owner_member, D(2026, 1, 7), kind="study")  # Wednesday
    add(owner_member, D(2026, 1, 11), kind="study")  # Sunday of the same week
    add(owner_member, D(2026, 1, 12), kind="study")  # Monday of the next
    grid = grid_of(weekly)
    assert grid.spans[1] == (D(2026, 1, 5), D(2026, 1, 11))
    assert grid.cells[(owner_member.pk, D(2026, 1, 5))].actual == 2
    assert grid.cells[(owner_member.pk, D(2026, 1, 5))].state == "met"
    assert grid.cells[(owner_member.pk, D(2026, 1, 12))].state == "not_met"


def test_round_summary_for_reports(
    round_: Any,
    visits: Indicator,
    add: Callable[..., Any],
    owner_member: Member,
    django_assert_num_queries: Any,
) -> None:
    add(owner_member, D(2026, 1, 5))
    with django_assert_num_queries(3):
        lines, total = compliance.round_summary(round_, TODAY)
    assert [(line.indicator, line.target_text, line.scope_text) for line in lines] == [
        (visits, "每月不少于 1 次", "每名班子成员")
    ]
    assert (total.met, total.over) == (1, 3)  # one member × Jan–Mar (April is open)
