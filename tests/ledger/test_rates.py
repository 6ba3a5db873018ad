"""Rates are computed from the data, each with its formula (DESIGN.md)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from luoshi.ledger.models import Measure
from luoshi.ledger.services import rates

TODAY = datetime.date(2026, 7, 1)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def test_rates_count_each_status_apart(make_measure: Any) -> None:
    june = datetime.date(2026, 6, 30)
    make_measure(status="closed", baseline_deadline=june, closed_at=at(datetime.date(2026, 6, 20)))  # on time
    make_measure(status="closed", baseline_deadline=june, closed_at=at(datetime.date(2026, 7, 1)))  # late
    make_measure(status="in_progress", baseline_deadline=june)  # overdue
    make_measure(status="continuing", baseline_deadline=june)  # not closed, not overdue
    extended = make_measure(status="in_progress", baseline_deadline=june)
    Measure.objects.filter(pk=extended.pk).update(current_deadline=datetime.date(2026, 9, 30))
    make_measure(status="planned", baseline_deadline=datetime.date(2026, 12, 31))  # not yet due

    result = rates(Measure.objects.all(), TODAY)

    assert (result.total, result.closed, result.continuing, result.extended, result.overdue) == (
        6,
        2,
        1,
        1,
        1,
    )
    assert (result.completion.numerator, result.completion.denominator) == (2, 6)
    assert result.completion.percent == 33.3
    assert (result.on_time.numerator, result.on_time.denominator) == (1, 5)
    assert "÷" in result.completion.formula and "÷" in result.on_time.formula


def test_rates_of_nothing_have_no_percentage(db: None) -> None:
    result = rates(Measure.objects.none(), TODAY)
    assert result.total == 0
    assert result.completion.percent is None
