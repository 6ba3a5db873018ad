"""Every document of the project's own corpus parses to its reviewed golden JSON.

The corpus (tests/text/corpus/) is text written for these tests: team and member materials,
rectification plans, feedback lists, in GBK, UTF-16, UTF-8 with BOM, with PDF hard breaks, page
furniture, scrape debris, traditional characters; the .docx documents are built by make_docx.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from luoshi.text import parse_bytes, parse_file

from .contract import assert_contains
from .make_docx import BUILDERS

CORPUS = Path(__file__).resolve().parent / "corpus"
GOLDEN = sorted(CORPUS.glob("*.expected.json"))


def _source(golden: Path, tmp_path: Path) -> Path:
    name = golden.name.removesuffix(".expected.json")
    if name in BUILDERS:
        path = tmp_path / f"{name}.docx"
        BUILDERS[name]().save(str(path))
        return path
    (source,) = [p for p in CORPUS.glob(f"{name}.*") if not p.name.endswith(".expected.json")]
    return source


def test_corpus_is_varied() -> None:
    assert len(GOLDEN) >= 15
    assert set(BUILDERS) <= {g.name.removesuffix(".expected.json") for g in GOLDEN}


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_corpus_document_matches_golden(golden: Path, tmp_path: Path) -> None:
    expected = json.loads(golden.read_text(encoding="utf-8"))
    parsed = parse_file(_source(golden, tmp_path)).to_dict()
    assert_contains(parsed, expected)


def test_parse_bytes_equals_parse_file() -> None:
    source = CORPUS / "plan-labelled.txt"
    assert parse_bytes(source.read_bytes(), source.name) == parse_file(source)
