"""The blind plans' held-out split (tests/text/plans_holdout): kept unopened while the parser was
tuned, scored once after the merge (README, "解析质量"). It has been looked at since, so it is no
longer held out: a later round of work needs a fresh blind split to report generalisation.

Here it guards against regressions: every field stays at least at the level reached after the
misses it showed were fixed in general (a text plan whose measures are numbered like its problems,
implied commitments, quotes and Latin spans from a PDF's text layer, a closing request). Every
field is at 1.000 since the golden convention was ruled (全年… = a yearly commitment).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.text.test_plans_blind import _quality

HOLDOUT = Path(__file__).resolve().parent / "plans_holdout"
# Every field 1.000 (first scored at 0.870), less a small margin.
FLOOR = 0.99

pytestmark = pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")),
    reason="the split holds a legacy .doc, read through LibreOffice (apt-get install libreoffice-writer-nogui)",
)


@pytest.fixture(scope="module")
def result() -> dict:
    return _quality().evaluate(HOLDOUT)


def test_every_layout_is_read(result: dict) -> None:
    assert result["overall"]["documents"] == 12
    assert {"plan-text", "plan-docx", "table-docx", "autonum-docx", "xlsx", "pdf", "doc"} <= set(
        result["layouts"]
    )


@pytest.mark.parametrize(
    "field",
    [
        "count:problems",
        "count:measures",
        "labels (aspect/group)",
        "summaries",
        "text",
        "problem links",
        "owner",
        "owners",
        "department",
        "deadline",
        "deadline_text",
        "commitments",
    ],
)
def test_no_field_falls_below_its_first_measured_level(result: dict, field: str) -> None:
    row = result["overall"]["fields"][field]
    assert row["f1"] >= FLOOR, (field, row, result["errors"][:20])
