"""Fuzzing the readers (issue 15, beyond the defects): random and damaged text, .docx and .xlsx
files are either read or refused with a DocumentError naming the file, never another exception,
and what is read carries no control characters. `bench/fuzz/run.py` runs 10^5 such cases."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security import fuzzcases

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.randoms(use_true_random=False))
def test_text_documents_are_read_or_refused(rng: random.Random) -> None:
    assert fuzzcases.check_document(fuzzcases.text_case(rng), "随机.txt") in ("ok", "refused")


@FUZZ
@given(st.randoms(use_true_random=False))
def test_word_documents_are_read_or_refused(rng: random.Random) -> None:
    assert fuzzcases.check_document(fuzzcases.docx_case(rng), "随机.docx") in ("ok", "refused")


@FUZZ
@given(st.randoms(use_true_random=False))
def test_ledger_spreadsheets_are_read_or_refused(rng: random.Random) -> None:
    assert fuzzcases.check_ledger(fuzzcases.xlsx_case(rng)) in ("ok", "refused")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096), st.sampled_from(["x.txt", "x.docx", "x.md"]))
def test_arbitrary_bytes_are_read_or_refused(data: bytes, name: str) -> None:
    assert fuzzcases.check_document(data, name) in ("ok", "refused")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_arbitrary_text_is_read_or_refused(value: str) -> None:
    assert fuzzcases.check_document(value.encode("utf-8", "surrogatepass"), "x.txt") in ("ok", "refused")


def test_the_crashes_fuzzing_found_are_refused() -> None:
    """Damage the fuzzer found escaping as other exceptions: a zip entry whose offset lies before
    the file's start (ValueError), a corrupt deflate stream (zlib.error), a document.xml whose root
    is not w:document (AttributeError in the reader), a broken worksheet (XML ParseError); and from
    the 10^5-case run, a zip directory claiming version 9.7 (NotImplementedError) and an XML
    declaration with encoding="es" (LookupError)."""
    cases = ((265, "docx"), (1_198, "docx"), (778, "docx"), (29, "xlsx"), (48_481, "docx"), (74_380, "docx"))
    for seed, kind in cases:
        build, check = fuzzcases.KINDS[kind]
        assert check(build(random.Random(seed))) in ("ok", "refused")
