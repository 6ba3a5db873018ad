"""The third blind split (tests/text/plans_blind3): 12 plans, table ledgers, automatically numbered
Word files, a PDF and a hand-made workbook, written blind by someone who had not seen the parser (the
golden conventions of the second split), with golden JSON. Scored once as a
held-out split after the second split had been tuned on: lowest field F1 0.833 (labels), summaries
0.949, commitments 0.920, deadline 0.935. Not yet tuned on: the misses are aspect headings ending in
"…的问题" / "…存在的问题" whose label keeps that ending (the goldens drop it), closing sections
"二、整改要求" / "三、整改保障" / a "注：" row read as a last measure or problem, a PDF whose inline
①②③ measures wrap across lines, month-only deadlines given the title's year where the signature's
is meant, and durations such as "15天以内" / "24小时以内" not read as commitments.

Here it guards against regressions below the held-out level; the next round of work tunes on it and
needs a fresh blind split to report generalisation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.text.test_plans_blind import PLAN_FIELDS, _quality

BLIND3 = Path(__file__).resolve().parent / "plans_blind3"
# Lowest per-field F1 as scored held out (labels 0.833), less a small margin.
FLOOR = 0.82


@pytest.fixture(scope="module")
def result() -> dict:
    return _quality().evaluate(BLIND3)


def test_every_layout_is_read(result: dict) -> None:
    assert result["overall"]["documents"] == 12
    assert {"plan-text", "plan-docx", "table-docx", "autonum-docx", "xlsx", "pdf"} <= set(result["layouts"])


@pytest.mark.parametrize("field", PLAN_FIELDS)
def test_no_field_falls_below_its_held_out_level(result: dict, field: str) -> None:
    row = result["overall"]["fields"][field]
    assert row["f1"] >= FLOOR, (field, row, result["errors"][:20])
