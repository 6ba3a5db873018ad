"""`luoshi demo` gives a new user indicators whose grids show met and unmet periods."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from luoshi.audit.chain import verify
from luoshi.cli import main
from luoshi.indicators import compliance
from luoshi.indicators.models import Activity, Indicator


@pytest.mark.django_db
def test_demo_has_indicators_with_met_and_unmet_periods(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    capsys.readouterr()
    indicators = list(Indicator.objects.select_related("round__team"))
    assert len(indicators) >= 5
    assert Activity.objects.filter(kind="visit", households__gt=0).exists()
    grids = compliance.grids(indicators, timezone.localdate())
    monthly_visits = next(
        i for i in indicators if i.kind == "visit" and i.period == "month" and i.scope == "each"
    )
    states: set[Any] = {cell.state for cell in grids[monthly_visits.pk].all_cells()}
    assert {"met", "not_met", "no_data", "open"} <= states
    assert verify().ok
