"""Recurrence matching: is a new problem one that was written down (and "rectified") before?

Pure Python with numpy/scipy and jieba; no Django, no network, no model download.

    index = MatchIndex.build([Item("2022-07", "公车私用现象时有发生")])
    matches = index.query("有的干部开公车办私事", top=5)
    decide(matches)  # -> "2022-07" or None
"""

from luoshi.text.match.index import (
    DEFAULT_THRESHOLD,
    DEFAULT_WEIGHTS,
    Item,
    Match,
    MatchIndex,
    decide,
)

__all__ = ["DEFAULT_THRESHOLD", "DEFAULT_WEIGHTS", "Item", "Match", "MatchIndex", "decide"]
