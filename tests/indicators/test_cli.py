"""`luoshi indicators ROUND_ID [--json]`: the grid as JSON lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from luoshi.cli import main
from luoshi.indicators.models import Indicator
from tests.indicators.conftest import D


@pytest.mark.django_db(transaction=True)
def test_json_lines_per_member_and_period(
    capsys: pytest.CaptureFixture[str],
    round_: Any,
    make_indicator: Callable[..., Indicator],
    add: Callable[..., Any],
    owner: Any,
    other_member: Any,
) -> None:
    visits = make_indicator()
    team_seminars = make_indicator(name="专题研讨", kind="seminar", scope="team", period="quarter")
    add(owner.memberships.get(), D(2026, 1, 5))
    assert main(["indicators", str(round_.pk), "--json", "--today", "2026-03-15"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_visit = [line for line in lines if line["indicator"] == visits.pk]
    assert len(by_visit) == 2 * 3  # two members × Jan, Feb, Mar
    first = next(line for line in by_visit if line["member_name"] == "李建华")
    assert first == {
        "indicator": visits.pk,
        "indicator_name": "每月至少走访1次",
        "member": owner.memberships.get().pk,
        "member_name": "李建华",
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
        "target": 1.0,
        "op": ">=",
        "actual": 1.0,
        "state": "met",
    }
    assert {line["state"] for line in by_visit} == {"met", "no_data", "open"}
    team_lines = [line for line in lines if line["indicator"] == team_seminars.pk]
    assert [(line["member"], line["state"]) for line in team_lines] == [(None, "open")]


@pytest.mark.django_db(transaction=True)
def test_unknown_round_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indicators", "999999"]) == 2
    assert "没有编号为 999999 的检视轮次" in capsys.readouterr().err
