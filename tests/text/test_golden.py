"""The reference sample in ../shared/samples must parse to exactly its expected JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from luoshi.text import parse_file

SAMPLES = (Path(__file__).resolve().parents[2] / "../shared/samples").resolve()


@pytest.mark.skipif(
    not (SAMPLES / "county-team-2023.txt").is_file(),
    reason=f"reference sample not found at {SAMPLES} (CI places ../shared beside the clone)",
)
def test_reference_sample_matches_expected_json() -> None:
    parsed = parse_file(SAMPLES / "county-team-2023.txt").to_dict()
    expected = json.loads((SAMPLES / "county-team-2023.expected.json").read_text(encoding="utf-8"))
    assert parsed["title"] == expected["title"]
    assert parsed["problems"] == expected["problems"]
    assert parsed["causes"] == expected["causes"]
    assert parsed["measures"] == expected["measures"]
    assert parsed == expected
    assert list(parsed) == ["title", "problems", "causes", "measures"]
