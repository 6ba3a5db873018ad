"""Calendar periods of an indicator: week (Monday to Sunday), month, quarter, half-year, year,
clipped to the indicator's start and end. Pure functions of dates."""

from __future__ import annotations

import datetime

from luoshi.indicators.models import Period

Span = tuple[datetime.date, datetime.date]


def period_start(day: datetime.date, period: str) -> datetime.date:
    """The first day of the calendar PERIOD that contains DAY."""
    if period == Period.WEEK:
        return day - datetime.timedelta(days=day.weekday())
    if period == Period.MONTH:
        return day.replace(day=1)
    if period == Period.QUARTER:
        return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if period == Period.HALFYEAR:
        return datetime.date(day.year, 1 if day.month <= 6 else 7, 1)
    if period == Period.YEAR:
        return datetime.date(day.year, 1, 1)
    raise ValueError(f"unknown period {period!r}")


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_end(start: datetime.date, period: str) -> datetime.date:
    """The last day of the calendar PERIOD that begins on START."""
    if period == Period.WEEK:
        return start + datetime.timedelta(days=6)
    months = {Period.MONTH: 1, Period.QUARTER: 3, Period.HALFYEAR: 6, Period.YEAR: 12}[Period(period)]
    return _add_months(start, months) - datetime.timedelta(days=1)


def span_of(day: datetime.date, period: str, start: datetime.date, end: datetime.date) -> Span:
    """The period containing DAY, clipped to [START, END]."""
    first = period_start(day, period)
    return max(first, start), min(period_end(first, period), end)


def spans(period: str, start: datetime.date, end: datetime.date, until: datetime.date) -> list[Span]:
    """Every period of [START, END] that has begun by UNTIL, oldest first, clipped to [START, END]."""
    found: list[Span] = []
    first = period_start(start, period)
    while first <= end and max(first, start) <= until:
        last = period_end(first, period)
        found.append((max(first, start), min(last, end)))
        first = last + datetime.timedelta(days=1)
    return found


def this_period_word(period: str) -> str:
    return {"week": "本周", "month": "本月", "quarter": "本季度", "halfyear": "本半年", "year": "本年"}[
        period
    ]


def label(span: Span, period: str) -> str:
    """A short column heading: "2026-03", "2026 Q1", "2026 上半年", "03-02 周"."""
    first = period_start(span[0], period)
    if period == Period.WEEK:
        return f"{span[0]:%m-%d}周"
    if period == Period.MONTH:
        return f"{first:%Y-%m}"
    if period == Period.QUARTER:
        return f"{first.year} Q{(first.month - 1) // 3 + 1}"
    if period == Period.HALFYEAR:
        return f"{first.year} {'上' if first.month == 1 else '下'}半年"
    return f"{first.year}年"
