"""Fixtures of the indicator tests: a round with a measure and its parsed commitments, indicators
over fixed dates (2026), and a helper that records activities through the service."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from luoshi.indicators import services
from luoshi.indicators.models import Activity, Indicator
from luoshi.ledger.models import Commitment

D = datetime.date
TODAY = D(2026, 4, 10)  # compliance tests compute "as of" this day


@pytest.fixture
def owner_member(owner: Any) -> Any:
    return owner.memberships.get()


@pytest.fixture
def other(other_member: Any) -> Any:
    return other_member.memberships.get()


@pytest.fixture
def commitments(measure: Any) -> list[Commitment]:
    return [
        Commitment.objects.create(
            measure=measure, text="每月至少到联系乡镇走访1次", period="month", op=">=", value=1, unit="次"
        ),
        Commitment.objects.create(
            measure=measure, text="深入群众家不少于10家次", period="month", op=">=", value=10, unit="家次"
        ),
        Commitment.objects.create(
            measure=measure, text="每季度至少开展1次专题研讨", period="quarter", op=">=", value=1, unit="次"
        ),
        Commitment.objects.create(
            measure=measure, text="财政支出的70%以上用于民生", period="", op=">=", value=70, unit="%"
        ),
    ]


@pytest.fixture
def make_indicator(round_: Any, organizer: Any) -> Callable[..., Indicator]:
    def make(**fields: Any) -> Indicator:
        values: dict[str, Any] = {
            "name": "每月至少走访1次",
            "kind": "visit",
            "scope": "each",
            "period": "month",
            "op": ">=",
            "target": Decimal(1),
            "unit": "次",
            "start": D(2026, 1, 1),
            "end": D(2026, 12, 31),
        }
        values.update(fields)
        return services.create_indicator(round_, actor=organizer, **values)

    return make


@pytest.fixture
def visits(make_indicator: Callable[..., Indicator]) -> Indicator:
    return make_indicator()


@pytest.fixture
def add(team: Any, organizer: Any) -> Callable[..., Activity]:
    """Record an activity on the member's behalf (office staff), as of TODAY."""

    def record(member: Any, date: datetime.date, kind: str = "visit", **fields: Any) -> Activity:
        return services.record_activity(
            team, actor=organizer, member=member, date=date, kind=kind, today=TODAY, **fields
        )

    return record
