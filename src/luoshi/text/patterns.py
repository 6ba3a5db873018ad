"""Regular-expression helpers shared by the readers.

Python's `re` tries the branches of an alternation one after the other at every position it
reaches, so a list of 90 units (个百分点|个工作日|…|只) costs 90 failed tries after every numeral.
`alternation` writes the same list as a prefix tree (个(?:百分点|工作日|…|)|人(?:次|)|…|[亩吨辆…]):
at most one branch per first character is tried, and the pattern matches exactly what the plain
list matched, with the same preference among words sharing a first character.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def alternation(words: Iterable[str]) -> str:
    """A regex matching what "w1|w2|…" matches (literal words), as a prefix tree.

    Words with different first characters never compete, so they may be regrouped; words sharing
    a first character keep their order, and so does the empty word (met inside the tree when one
    word is a prefix of another: 个|个月 → 个(?:|月)), so that the first listed still wins and
    backtracking tries the others in the same order.
    """
    listed = list(words)
    if "" in listed:
        cut = listed.index("")
        parts = [alternation(listed[:cut])] if cut else []
        parts.append("")
        if cut + 1 < len(listed):
            parts.append(alternation(listed[cut + 1 :]))
        return "|".join(parts)
    groups: dict[str, list[str]] = {}
    for word in listed:
        groups.setdefault(word[0], []).append(word[1:])
    branches: list[str] = []
    singles: list[str] = []
    for first, rests in groups.items():
        if rests == [""]:
            singles.append(first)
        else:
            branches.append(f"{re.escape(first)}(?:{alternation(rests)})")
    if len(singles) == 1:
        branches.append(re.escape(singles[0]))
    elif singles:
        branches.append("[" + "".join(re.escape(ch) for ch in singles) + "]")
    return "|".join(branches)
