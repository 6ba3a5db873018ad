"""Compliance of indicators, aggregated from the activity records by the database.

Nothing here is stored: every grid is one GROUP BY (team, member, calendar bucket[, indicator]) over
the activity records, whatever the number of members, folded into the indicators' periods in Python.
Indicators sharing their dates share the query; a round's indicators usually do (the default is the
round's rectification period), so a round's grids cost two queries plus one per distinct date range.

States of a member × period (or the team × period for team indicators):
- ``open``: the period is not over yet (today is inside it);
- ``no_data``: the period is over and nothing at all was recorded for the member (or team) in it;
- ``met`` / ``not_met``: the period is over and the actual figure does / does not satisfy the target.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Q, Sum

from luoshi.indicators import periods
from luoshi.indicators.models import KIND_VERBS, Activity, ActivityKind, Indicator, Period, Scope, fmt_number
from luoshi.orgs.models import Member

MET, NOT_MET, NO_DATA, OPEN = "met", "not_met", "no_data", "open"
STATE_LABELS = {MET: "达标", NOT_MET: "未达标", NO_DATA: "无记录", OPEN: "进行中"}
COUNTED_KINDS = [k for k in ActivityKind if k not in (ActivityKind.FIGURE, ActivityKind.HOUSEHOLD)]

RATE_FORMULA = "达标率 = 达标的成员·周期 ÷ 已结束的成员·周期（达标 + 未达标 + 无记录；进行中的周期不计）"


def satisfies(op: str, actual: Decimal, target: Decimal) -> bool:
    return {
        ">=": actual >= target,
        ">": actual > target,
        "<=": actual <= target,
        "<": actual < target,
    }[op]


@dataclass(frozen=True, slots=True)
class Cell:
    """One member × period (member None: the team as a whole)."""

    indicator_id: int
    member_id: int | None
    start: datetime.date
    end: datetime.date
    target: Decimal
    actual: Decimal | None
    state: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def actual_text(self) -> str:
        return fmt_number(self.actual) if self.actual is not None else "—"


@dataclass
class Grid:
    """An indicator's compliance: rows (members, or one team row) × its periods so far."""

    indicator: Indicator
    members: list[Member | None]
    spans: list[periods.Span]
    cells: dict[tuple[int | None, datetime.date], Cell] = field(default_factory=dict)

    def rows(self) -> list[tuple[Member | None, list[Cell]]]:
        return [
            (member, [self.cells[(member.pk if member else None, span[0])] for span in self.spans])
            for member in self.members
        ]

    def column_labels(self) -> list[str]:
        return [periods.label(span, self.indicator.period) for span in self.spans]

    def all_cells(self) -> Iterable[Cell]:
        return self.cells.values()

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(STATE_LABELS, 0)
        for cell in self.cells.values():
            found[cell.state] += 1
        return found


@dataclass(frozen=True)
class Tally:
    """Counts of member-periods by state, and the share met among those over (with its formula)."""

    met: int = 0
    not_met: int = 0
    no_data: int = 0
    open: int = 0

    @property
    def over(self) -> int:
        return self.met + self.not_met + self.no_data

    @property
    def rate(self) -> float | None:
        return self.met / self.over if self.over else None

    @property
    def rate_text(self) -> str:
        return f"{self.rate:.0%}" if self.rate is not None else "—"

    formula = RATE_FORMULA


def tally(grids: Iterable[Grid]) -> Tally:
    totals = dict.fromkeys(STATE_LABELS, 0)
    for grid in grids:
        for state, n in grid.counts().items():
            totals[state] += n
    return Tally(**totals)


# --- aggregation -----------------------------------------------------------------------------------

Key = tuple[int, int | None, datetime.date, int | None]  # team, member, bucket, figure's indicator


# The first day of a record's month / week, computed by the database itself (Django's TruncMonth
# calls a Python function per row on SQLite: 25 s for a province's 480,000 records). SQLite keeps
# dates as 'YYYY-MM-DD' text; 'weekday 0' moves to the next Sunday (or stays on one), six days back
# is that week's Monday. PostgreSQL's ISO weeks start on Monday too.
_BUCKETS = {
    ("sqlite", "month"): "SUBSTR(date, 1, 8) || '01'",
    ("sqlite", "week"): "DATE(date, 'weekday 0', '-6 days')",
    ("postgresql", "month"): "CAST(DATE_TRUNC('month', date) AS date)",
    ("postgresql", "week"): "CAST(DATE_TRUNC('week', date) AS date)",
}
_AGGREGATE_COLUMNS = [
    "team_id",
    "member_id",
    "bucket",
    "indicator_id",
    "records",
    "visit_households",
    "household_count",
    "figure_sum",
    "figure_n",
    *(k.value for k in COUNTED_KINDS),
]


def _granularity(period: str) -> str:
    return "week" if period == Period.WEEK else "month"


def _aggregate(
    team_ids: set[int], granularity: str, start: datetime.date, end: datetime.date
) -> list[dict[str, Any]]:
    """One GROUP BY over the records of TEAMS between START and END: per (team, member, bucket and,
    for reported figures, the indicator) the number of records, the sums per kind, the households.

    Plain SQL: this runs on every grid, and building the equivalent ORM query (values + annotate
    with filtered Sums) costs more than running it for a team."""
    bucket = _BUCKETS[(connection.vendor, granularity)]
    kinds = ", ".join("SUM(CASE WHEN kind = %s THEN count ELSE 0 END)" for _ in COUNTED_KINDS)
    teams = ", ".join("%s" for _ in team_ids)
    sql = (
        f"SELECT team_id, member_id, {bucket} AS bucket, indicator_id, COUNT(*),"
        " SUM(CASE WHEN kind = %s THEN households ELSE 0 END),"
        " SUM(CASE WHEN kind = %s THEN count ELSE 0 END),"
        " SUM(CASE WHEN kind = %s THEN value END),"
        " SUM(CASE WHEN kind = %s THEN 1 ELSE 0 END),"
        f" {kinds} FROM {Activity._meta.db_table}"
        f" WHERE team_id IN ({teams}) AND date >= %s AND date <= %s"
        " GROUP BY team_id, member_id, bucket, indicator_id"
    )
    params: list[Any] = [ActivityKind.VISIT.value, ActivityKind.HOUSEHOLD.value, ActivityKind.FIGURE.value]
    params += [ActivityKind.FIGURE.value, *(k.value for k in COUNTED_KINDS), *sorted(team_ids)]
    params += [start.isoformat(), end.isoformat()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [dict(zip(_AGGREGATE_COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def _as_date(value: Any) -> datetime.date:
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value.date() if isinstance(value, datetime.datetime) else value


def _amount(row: dict[str, Any], indicator: Indicator) -> tuple[Decimal, int]:
    """What ROW adds to INDICATOR's actual: (sum, figures reported) — figures are averaged."""
    kind = indicator.kind
    if kind == ActivityKind.FIGURE:
        if row["indicator_id"] != indicator.pk or not row["figure_n"]:
            return Decimal(0), 0
        return Decimal(str(row["figure_sum"] or 0)), int(row["figure_n"])
    if kind == ActivityKind.HOUSEHOLD:
        return Decimal((row["visit_households"] or 0) + (row["household_count"] or 0)), 0
    return Decimal(row[kind] or 0), 0


def grids(indicators: Sequence[Indicator], today: datetime.date) -> dict[int, Grid]:
    """The compliance grid of each of INDICATORS as of TODAY, keyed by indicator id.

    Queries: the active members of the indicators' teams (one), and one aggregation per distinct
    (week or month buckets, start, end) among the indicators — never one per member or indicator.
    INDICATORS should come with `round__team` selected."""
    if not indicators:
        return {}
    team_of = {ind.pk: ind.round.team_id for ind in indicators}
    team_ids = set(team_of.values())
    members_by_team: dict[int, list[Member]] = defaultdict(list)
    member_by_id: dict[int, Member] = {}
    for member in Member.objects.filter(team_id__in=team_ids).order_by("team_id", "order", "id"):
        member_by_id[member.pk] = member
        if member.active:
            members_by_team[member.team_id].append(member)

    groups: dict[tuple[str, datetime.date, datetime.date], list[Indicator]] = defaultdict(list)
    for ind in indicators:
        groups[(_granularity(ind.period), ind.start, ind.end)].append(ind)

    result: dict[int, Grid] = {}
    for (granularity, start, end), members_of_group in groups.items():
        group_teams = {team_of[ind.pk] for ind in members_of_group}
        rows_by_team: dict[int, list[dict[str, Any]]] = defaultdict(list)
        if start <= today:
            for row in _aggregate(group_teams, granularity, start, min(end, today)):
                rows_by_team[row["team_id"]].append(row)
        for ind in members_of_group:
            team_id = team_of[ind.pk]
            if ind.scope == Scope.TEAM:
                rows: list[Member | None] = [None]
            elif ind.scope == Scope.MEMBER:
                chosen = member_by_id.get(ind.member_id or 0)
                rows = [chosen] if chosen is not None else []
            else:
                rows = list(members_by_team[team_id])
            result[ind.pk] = _fold(ind, rows, rows_by_team[team_id], today)
    return result


def _fold(
    ind: Indicator, members: list[Member | None], rows: list[dict[str, Any]], today: datetime.date
) -> Grid:
    spans = periods.spans(ind.period, ind.start, ind.end, today)
    team_scope = ind.scope == Scope.TEAM
    wanted = {m.pk for m in members if m is not None}
    totals: dict[tuple[int | None, datetime.date], list[Any]] = defaultdict(lambda: [Decimal(0), 0, 0])
    for row in rows:
        member_id = None if team_scope else row["member_id"]
        if not team_scope and member_id not in wanted:
            continue
        span_start = max(periods.period_start(_as_date(row["bucket"]), ind.period), ind.start)
        amount, figures = _amount(row, ind)
        entry = totals[(member_id, span_start)]
        entry[0] += amount
        entry[1] += figures
        entry[2] += row["records"]
    grid = Grid(indicator=ind, members=members, spans=spans)
    for member in members:
        member_id = member.pk if member else None
        for start, end in spans:
            total, figures, records = totals.get((member_id, start), (Decimal(0), 0, 0))
            if ind.kind == ActivityKind.FIGURE:
                actual = (total / figures) if figures else None
            else:
                actual = total if records else None
            grid.cells[(member_id, start)] = Cell(
                indicator_id=ind.pk,
                member_id=member_id,
                start=start,
                end=end,
                target=ind.target,
                actual=actual,
                state=_state(ind, actual, records, end, today),
            )
    return grid


def _state(
    ind: Indicator, actual: Decimal | None, records: int, end: datetime.date, today: datetime.date
) -> str:
    if end >= today:
        return OPEN
    if not records or actual is None:
        return NO_DATA
    return MET if satisfies(ind.op, actual, ind.target) else NOT_MET


# --- one member's standing in the current period ----------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """Where MEMBER (None: the team) stands on INDICATOR in the period containing TODAY."""

    indicator: Indicator
    member: Member | None
    start: datetime.date
    end: datetime.date
    actual: Decimal
    satisfied: bool
    days_left: int

    @property
    def text(self) -> str:
        """The sentence a member reads: 本月已走访 0/1 次，剩 5 天."""
        ind = self.indicator
        word = periods.this_period_word(ind.period)
        verb = KIND_VERBS[ActivityKind(ind.kind)]
        unit = f" {ind.unit}" if ind.unit else ""
        left = f"剩 {self.days_left} 天" if self.days_left > 0 else "今天是最后一天"
        if ind.kind == ActivityKind.FIGURE:
            body = f"{word}{verb}{fmt_number(self.actual)}{unit}（要求{ind.get_op_display()} {fmt_number(ind.target)}）"
        elif ind.op in (">=", ">"):
            body = f"{word}已{verb} {fmt_number(self.actual)}/{fmt_number(ind.target)}{unit}"
        else:
            body = f"{word}已{verb} {fmt_number(self.actual)}{unit}（{ind.get_op_display()} {fmt_number(ind.target)}）"
        return f"{body}，{left}"


def standing(indicator: Indicator, member: Member | None, today: datetime.date) -> Standing | None:
    """MEMBER's (None: the team's) standing on INDICATOR in the period containing TODAY, or None
    when TODAY is outside the indicator's dates. One aggregate query."""
    if not indicator.start <= today <= indicator.end:
        return None
    start, end = periods.span_of(today, indicator.period, indicator.start, indicator.end)
    records = Activity.objects.filter(team_id=indicator.round.team_id, date__gte=start, date__lte=today)
    if member is not None:
        records = records.filter(member=member)
    actual = _actual(indicator, records)
    return Standing(
        indicator=indicator,
        member=member,
        start=start,
        end=end,
        actual=actual if actual is not None else Decimal(0),
        satisfied=actual is not None and satisfies(indicator.op, actual, indicator.target),
        days_left=(end - today).days,
    )


def _actual(indicator: Indicator, records: Any) -> Decimal | None:
    kind = indicator.kind
    if kind == ActivityKind.FIGURE:
        figures = records.filter(kind=kind, indicator=indicator).aggregate(total=Sum("value"), n=Count("id"))
        return Decimal(figures["total"]) / figures["n"] if figures["n"] else None
    if kind == ActivityKind.HOUSEHOLD:
        sums = records.aggregate(
            visits=Sum("households", filter=Q(kind=ActivityKind.VISIT)),
            direct=Sum("count", filter=Q(kind=ActivityKind.HOUSEHOLD)),
        )
        return Decimal((sums["visits"] or 0) + (sums["direct"] or 0))
    return Decimal(records.filter(kind=kind).aggregate(total=Sum("count"))["total"] or 0)


def standings_for_member(member: Member, today: datetime.date) -> list[Standing]:
    """MEMBER's standing on every current indicator that binds them (each member, or named)."""
    indicators = (
        Indicator.objects.counted()
        .filter(round__team_id=member.team_id, start__lte=today, end__gte=today)
        .filter(Q(scope=Scope.EACH_MEMBER) | Q(scope=Scope.MEMBER, member=member))
        .select_related("round__team")
    )
    grid_map = grids(list(indicators), today)
    found = []
    for ind in indicators:
        cell = grid_map[ind.pk].cells.get(
            (member.pk, periods.span_of(today, ind.period, ind.start, ind.end)[0])
        )
        if cell is None:
            continue
        actual = cell.actual if cell.actual is not None else Decimal(0)
        found.append(
            Standing(
                indicator=ind,
                member=member,
                start=cell.start,
                end=cell.end,
                actual=actual,
                satisfied=cell.actual is not None and satisfies(ind.op, actual, ind.target),
                days_left=(cell.end - today).days,
            )
        )
    return found


def period_ending_soon(
    indicators: Iterable[Indicator], today: datetime.date, within_days: int = 3
) -> list[Standing]:
    """Current periods ending within WITHIN_DAYS days (today included) whose target is not yet met:
    one Standing per member (each member / named member) or per team (team indicators).

    For the reminders: each Standing names the indicator, the member (None: the team; remind the
    round's organizers) and the sentence to send ("本月已走访 0/1 次，剩 2 天")."""
    due = []
    for ind in indicators:
        if not ind.start <= today <= ind.end:
            continue
        _start, end = periods.span_of(today, ind.period, ind.start, ind.end)
        if (end - today).days <= within_days:
            due.append(ind)
    found: list[Standing] = []
    grid_map = grids(due, today)
    for ind in due:
        grid = grid_map[ind.pk]
        start, end = periods.span_of(today, ind.period, ind.start, ind.end)
        for member in grid.members:
            cell = grid.cells[(member.pk if member else None, start)]
            actual = cell.actual if cell.actual is not None else Decimal(0)
            if cell.actual is not None and satisfies(ind.op, actual, ind.target):
                continue
            if ind.op in ("<=", "<"):
                continue  # an upper bound not yet exceeded needs no reminder
            found.append(
                Standing(
                    indicator=ind,
                    member=member,
                    start=start,
                    end=end,
                    actual=actual,
                    satisfied=False,
                    days_left=(end - today).days,
                )
            )
    return found


def unmet_so_far(grid: Grid) -> list[Cell]:
    """The periods already over that were not met (not met or no records): what a reviewer must see."""
    return [cell for cell in grid.all_cells() if cell.state in (NOT_MET, NO_DATA)]


@dataclass(frozen=True)
class IndicatorLine:
    """One indicator's line in a report: its rule and its member-periods by state."""

    indicator: Indicator
    target_text: str
    scope_text: str
    tally: Tally


def round_summary(round_: Any, today: datetime.date) -> tuple[list[IndicatorLine], Tally]:
    """Every indicator of ROUND with its counts, and the round's total, for the progress report and
    the dashboard. Three queries whatever the number of members (indicators, members, aggregation)."""
    indicators = list(
        Indicator.objects.counted().filter(round=round_).select_related("round__team", "member")
    )
    grid_map = grids(indicators, today)
    lines = [
        IndicatorLine(
            indicator=ind,
            target_text=ind.requirement,
            scope_text=ind.member.name if ind.member else str(ind.get_scope_display()),
            tally=tally([grid_map[ind.pk]]),
        )
        for ind in indicators
    ]
    return lines, tally(grid_map.values())
