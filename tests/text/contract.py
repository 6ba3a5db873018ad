"""Comparing parser output with golden JSON under the contract: fields may be added, never renamed.

A golden file written before a field was added does not name it; the parsed output must still
hold every key of the golden file with the same value, and the keys the golden file has must come
first, in the same order.
"""

from __future__ import annotations

from typing import Any


def assert_contains(parsed: Any, expected: Any, path: str = "$") -> None:
    """Every key and value of `expected` is in `parsed` (lists element by element, same length)."""
    if isinstance(expected, dict):
        assert isinstance(parsed, dict), f"{path}: expected an object, got {parsed!r}"
        missing = [key for key in expected if key not in parsed]
        assert not missing, f"{path}: missing keys {missing}"
        assert list(parsed)[: len(expected)] == list(expected), f"{path}: key order changed"
        for key, value in expected.items():
            assert_contains(parsed[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(parsed, list), f"{path}: expected a list, got {parsed!r}"
        assert len(parsed) == len(expected), f"{path}: {len(parsed)} items, expected {len(expected)}"
        for index, (got, want) in enumerate(zip(parsed, expected, strict=True)):
            assert_contains(got, want, f"{path}[{index}]")
    else:
        assert parsed == expected, f"{path}: {parsed!r} != {expected!r}"
