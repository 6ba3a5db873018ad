from __future__ import annotations

import random
import re

import pytest

from luoshi.text.patterns import alternation


@pytest.mark.parametrize(
    ("words", "pattern"),
    [
        (["个", "个月"], "个(?:|月)"),
        (["个月", "个"], "个(?:月|)"),
        (["人次", "人", "天", "日"], "人(?:次|)|[天日]"),
    ],
)
def test_words_become_a_prefix_tree(words: list[str], pattern: str) -> None:
    assert alternation(words) == pattern


def test_the_tree_matches_what_the_plain_list_matches() -> None:
    # Same matches, same preference and same backtracking, whatever follows the alternation.
    rng = random.Random(7)
    for _ in range(2000):
        words = list(
            dict.fromkeys("".join(rng.choice("abc") for _ in range(rng.randint(1, 3))) for _ in range(6))
        )
        after = rng.choice(["", "c", "bc", "(?=a)", "a?b"])
        plain = re.compile(f"(?:{'|'.join(words)}){after}")
        tree = re.compile(f"(?:{alternation(words)}){after}")
        for _ in range(5):
            text = "".join(rng.choice("abc") for _ in range(rng.randint(0, 8)))
            assert [m.span() for m in plain.finditer(text)] == [m.span() for m in tree.finditer(text)], (
                words,
                after,
            )
