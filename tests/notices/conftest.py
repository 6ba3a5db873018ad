"""Fixtures for reminders: a fixed clock, a pass at a given local time, and what it delivered."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 3, 10)  # a Tuesday, before the measures' default deadline 2026-06-30


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def run_at() -> Callable[..., Any]:
    """Run one reminder pass at DAY HOUR:MINUTE (Shanghai); returns the PassResult."""
    from luoshi.notices.delivery import run_pass

    def run(day: datetime.date, hour: int = 10, minute: int = 0, **kwargs: Any) -> Any:
        return run_pass(at(day, hour, minute), **kwargs)

    return run


def deliveries(**filters: Any) -> list[Any]:
    from luoshi.notices.models import Delivery

    return list(Delivery.objects.filter(**filters).order_by("id"))


def keys(**filters: Any) -> list[tuple[str, str, str]]:
    """(rule, period, recipient username) of the inbox deliveries, sorted."""
    return sorted(
        (d.rule, d.period, d.recipient.username) for d in deliveries(channel_key="inbox", **filters)
    )
