"""Demo indicators and activity records: the demo round's commitments accepted as indicators and a
few months of records, so a new user's grids show met, unmet and empty periods side by side."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from luoshi.indicators import services
from luoshi.indicators.models import ActivityKind, Indicator
from luoshi.ledger.models import Round
from luoshi.orgs.models import Member

# Visits per member (rows) in each of the four months before this one, oldest first: 0 with a study record is
# "not met", None is "no records at all".
VISIT_PATTERN: list[list[int | None]] = [
    [2, 1, 1, 1],
    [1, 0, 2, 1],
    [1, 1, None, 0],
    [None, 1, 1, 1],
    [1, 2, 1, 0],
    [0, None, 1, 1],
]
VILLAGES = ["城关镇东关村", "河东乡李家村", "河东乡柳树村", "城关镇西街社区", "河东乡南湾村"]


def load(round_: Round, organizer: Any, members: list[Member], today: datetime.date) -> list[Indicator]:
    """Accept the round's commitments as indicators from four months back, and record activities."""
    start = _months_back(today, 4)
    _default_start, end = services.default_dates(round_)
    rows = [
        {
            "commitment": s.commitment,
            "name": s.commitment.text,
            "kind": s.kind,
            "scope": s.scope,
            "period": s.period,
            "op": s.op,
            "target": s.target,
            "unit": s.unit,
            "start": start,
            "end": max(end, today),
        }
        for s in services.suggestions(round_)
    ]
    indicators = services.accept_suggestions(round_, rows, actor=organizer)
    team = round_.team

    def add(member: Member | None, day: datetime.date, kind: str, **fields: Any) -> None:
        if day > today or day < start:
            return
        own = member is not None and member.user is not None and day.day % 2 == 0
        services.record_activity(
            team,
            actor=member.user if own and member else organizer,
            member=member,
            date=day,
            kind=kind,
            **fields,
        )

    for row, member in enumerate(members):
        pattern = VISIT_PATTERN[row % len(VISIT_PATTERN)]
        for back, visits in enumerate(pattern):
            month = _months_back(today, 4 - back)  # the four months before this one
            if visits is None:
                continue
            if visits == 0:
                add(member, month + datetime.timedelta(days=row + 3), ActivityKind.STUDY, note="自学党章党规")
            for n in range(visits):
                day = month + datetime.timedelta(days=5 + 9 * n + row)
                add(
                    member,
                    day,
                    ActivityKind.VISIT,
                    households=4 + (row + n) % 9,
                    place=VILLAGES[(row + n + back) % len(VILLAGES)],
                    note="走访了解群众急难愁盼问题",
                )
    for member in members[::3]:  # this month, so far
        add(
            member,
            today,
            ActivityKind.VISIT,
            households=5,
            place=VILLAGES[0],
            note="走访了解群众急难愁盼问题",
        )
    for back in range(4):
        month = _months_back(today, 4 - back)
        if back != 1:  # one month without the team's study session
            add(None, month + datetime.timedelta(days=12), ActivityKind.STUDY, note="县委常委会专题学习")
    add(
        None,
        _months_back(today, 3) + datetime.timedelta(days=20),
        ActivityKind.SEMINAR,
        note="中心组专题研讨",
    )
    for indicator in indicators:
        if indicator.kind == ActivityKind.FIGURE and indicator.period != "week":
            add(
                None,
                today - datetime.timedelta(days=2),
                ActivityKind.FIGURE,
                value=_figure(indicator),
                indicator=indicator,
            )
    return indicators


def _figure(indicator: Indicator) -> Decimal:
    # Half the reported figures fall short of their targets, half reach them.
    factor = Decimal("0.8") if indicator.pk % 2 else Decimal("1.05")
    return (indicator.target * factor).quantize(Decimal(1))


def _months_back(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)
