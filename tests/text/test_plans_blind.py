"""Quality on the blind plans (tests/text/plans_blind): written by someone who had not seen the
parser, with golden JSON reviewed against the rules of issue 9. This is the tuning split; a
held-out split is scored apart (bench/parse/README.md).

Every field's F1 over the documents the engine reads is 1.000 (three "全年…" commitments in the
goldens were given the period "year" when that convention was ruled) and must stay at least 0.99
(the issue's target is 0.95). The one PDF holding a table is refused by design (its message
asks for the .docx or .xlsx) and not counted.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BLIND = Path(__file__).resolve().parent / "plans_blind"
QUALITY = Path(__file__).resolve().parents[2] / "bench" / "parse" / "quality.py"
# The scorer's fields every split of plans is held to (the later blind splits import this).
PLAN_FIELDS = (
    "title",
    "count:problems",
    "count:measures",
    "labels (aspect/group)",
    "summaries",
    "text",
    "problem links",
    "owner",
    "owners",
    "department",
    "co_department",
    "deadline",
    "deadline_text",
    "commitments",
)
MIN_F1 = 0.99


def _quality() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_parse_quality", QUALITY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def split_tests(name: str, documents: int, floor: float = 0.99) -> tuple[Any, Any, Any]:
    """The tests of a later blind split (tests/text/NAME), kept once held out and tuned on as a
    regression floor: a module-scoped `result` fixture, every layout read, no field below FLOOR.
    A split's module assigns them: `result, test_every_layout_is_read, test_no_field_falls_below_its_level
    = split_tests("plans_blind5", 12)`."""
    directory = Path(__file__).resolve().parent / name

    @pytest.fixture(scope="module")
    def result() -> dict:
        return _quality().evaluate(directory)

    def test_every_layout_is_read(result: dict) -> None:
        assert result["overall"]["documents"] == documents
        assert {"plan-text", "plan-docx", "table-docx", "autonum-docx", "xlsx", "pdf"} <= set(
            result["layouts"]
        )

    @pytest.mark.parametrize("field", PLAN_FIELDS)
    def test_no_field_falls_below_its_level(result: dict, field: str) -> None:
        row = result["overall"]["fields"][field]
        assert row["f1"] >= floor, (field, row, result["errors"][:20])

    return result, test_every_layout_is_read, test_no_field_falls_below_its_level


@pytest.fixture(scope="module")
def result() -> dict:
    return _quality().evaluate(BLIND)


def test_blind_corpus_is_varied(result: dict) -> None:
    layouts = set(result["layouts"])
    assert {"plan-text", "plan-docx", "table-docx", "autonum-docx", "self-exam", "feedback-list"} <= layouts
    assert result["overall"]["documents"] >= 16


@pytest.mark.parametrize("field", ("count:causes", *PLAN_FIELDS))
def test_every_field_reaches_f1(result: dict, field: str) -> None:
    row = result["overall"]["fields"][field]
    assert row["f1"] >= MIN_F1, (field, row, result["errors"][:20])


def test_scorer_counts_a_wrong_field_and_a_missed_item() -> None:
    quality = _quality()
    expected = {
        "title": "t",
        "problems": [{"aspect": "a", "summary": "学习不深", "text": "学习不深。"}],
        "causes": [],
        "measures": [
            {"group": "a", "summary": "每月学习", "text": "每月学习1次。", "problem": 0, "owner": "张三"},
            {"group": "a", "summary": "建立台账", "text": "建立学习台账。", "problem": 0, "owner": "李四"},
        ],
    }
    predicted = {
        "title": "t",
        "problems": [{"aspect": "a", "summary": "学习不深", "text": "学习不深。"}],
        "causes": [],
        "measures": [
            {"group": "a", "summary": "每月学习", "text": "每月学习1次。", "problem": 0, "owner": "王五"}
        ],
    }
    score = quality.score_document(expected, predicted)
    owner = score.tallies[("measures", "owner")]
    assert (owner.tp, owner.fp, owner.fn) == (0, 1, 2)
    link = score.tallies[("measures", "problem")]
    assert (link.tp, link.fp, link.fn) == (1, 0, 1)
    assert score.tallies[("count", "measures")].fn == 1
