"""The numbering hierarchy of Chinese official documents: 一、（一）一是 第一，1. 1、（1）1) ①.

Each clean line (one paragraph) is cut into segments, one per ordinal marker. A marker counts at
the start of a line; inside a paragraph it counts only right after a sentence end (。；：！？) and only
when it continues its sequence (一是 starts a list, 二是 must follow 一是 …), so that words such as
统一是 or 第一议题 never split a sentence.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

CN_DIGITS = {
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "〇": 0,
    "零": 0,
}

_CN = "[一二三四五六七八九十]{1,3}"
# One alternative per marker kind; the group name is the kind.
_MARKERS = (
    rf"[（(](?P<paren_cn>{_CN})[）)][、.．]?"
    rf"|(?P<cn>{_CN})[、.．](?![\d一二三四五六七八九十])"
    rf"|(?P<shi>{_CN})是(?:[，,：:](?!\s*$))?"
    rf"|第(?P<di>{_CN})[，,、：:]"
    r"|[（(](?P<paren_arabic>\d{1,2})[）)]"
    r"|(?P<arabic>\d{1,2})(?:[.．](?![\d%])|、(?!\d))"
    r"|(?P<arabic_rp>\d{1,2})[)）]"
    r"|(?P<circled>[①-⑳])"
)
_LINE_MARKER_RE = re.compile(rf"^(?:{_MARKERS})\s*")
# Inside a paragraph: a marker right after a sentence end (possibly after a closing quote).
# The pattern starts at the sentence end itself (no lookbehind tried at every character); the
# marker begins after the sentence end, its closing quote and spaces (`_LEAD_RE`).
_INLINE_MARKER_RE = re.compile(rf"[。；;：:！？!?][”’」』]?\s*(?:{_MARKERS})")
_LEAD_RE = re.compile(r"[。；;：:！？!?][”’」』]?\s*")
_HEADING_RE = re.compile(r"^(#{1,6}) ")

KINDS = ("paren_cn", "cn", "shi", "di", "paren_arabic", "arabic", "arabic_rp", "circled")
# Kinds that open a list of items (their first member may appear inside a paragraph).
_INLINE_START_KINDS = frozenset({"shi", "di", "paren_arabic", "arabic", "arabic_rp", "circled", "paren_cn"})


class Segment(NamedTuple):
    """A piece of a paragraph that starts with an ordinal marker (or the unmarked start of a line).

    kind: the marker kind (see KINDS), "#" for a heading line without a marker, None when unmarked.
    heading: the `#` level the source gave the line (Word heading style, Markdown), else 0.
    """

    kind: str | None
    ordinal: int
    body: str
    line_start: bool
    heading: int
    line: int
    marker: str = ""  # the ordinal as written ("（1）", "二是"), "" when unmarked

    @property
    def text(self) -> str:
        """The segment as written: marker and body."""
        return self.marker + self.body


# A document numbers hundreds of items with a dozen numerals.
@functools.lru_cache(maxsize=1024)
def ordinal_value(numeral: str) -> int:
    """The value of a small ordinal: '3' → 3, '十二' → 12, '二十' → 20, '①' → 1."""
    if numeral.isdigit() and numeral.isascii():
        return int(numeral)
    if len(numeral) == 1 and "①" <= numeral <= "⑳":
        return ord(numeral) - ord("①") + 1
    total, current = 0, 0
    for ch in numeral:
        value = CN_DIGITS.get(ch, 0)
        if value == 10:
            total += (current or 1) * 10
            current = 0
        else:
            current = value
    return total + current


def _marker(match: re.Match[str]) -> tuple[str, int]:
    kind = match.lastgroup or ""
    return kind, ordinal_value(match.group(kind))


def segment_lines(lines: list[str]) -> list[Segment]:
    """Cut lines into segments at ordinal markers, in document order."""
    last: dict[str, int] = {}
    segments: list[Segment] = []
    for number, raw in enumerate(lines):
        heading = 0
        line = raw
        if line[:1] == "#" and (heading_match := _HEADING_RE.match(line)):
            heading = len(heading_match.group(1))
            line = line[heading_match.end() :]
        kind: str | None = "#" if heading else None
        ordinal = 0
        marker = ""
        if match := _LINE_MARKER_RE.match(line):
            kind, ordinal = _marker(match)
            last[kind] = ordinal
            marker = match.group(0).strip()
            line = line[match.end() :]
        if kind in ("cn", "paren_cn", "#"):
            # A new heading restarts the lists below it.
            for sub in ("shi", "di", "paren_arabic", "arabic", "arabic_rp", "circled"):
                last.pop(sub, None)
        start = 0
        pieces: list[tuple[str, int, int, int]] = []  # kind, ordinal, body start, marker start
        for inline in _INLINE_MARKER_RE.finditer(line):
            inline_kind, inline_ordinal = _marker(inline)
            previous = last.get(inline_kind)
            continues = previous is not None and inline_ordinal == previous + 1
            starts = inline_ordinal == 1 and inline_kind in _INLINE_START_KINDS
            if not (continues or starts):
                continue
            last[inline_kind] = inline_ordinal
            lead = _LEAD_RE.match(line, inline.start())
            marker_start = lead.end() if lead else inline.start()
            pieces.append((inline_kind, inline_ordinal, inline.end(), marker_start))
        current_kind, current_ordinal, current_marker = kind, ordinal, marker
        for inline_kind, inline_ordinal, body_start, marker_start in pieces:
            body = line[start:marker_start].strip()
            first = start == 0
            segments.append(
                Segment(
                    current_kind,
                    current_ordinal,
                    body,
                    first,
                    heading if first else 0,
                    number,
                    current_marker,
                )
            )
            current_kind, current_ordinal, start = inline_kind, inline_ordinal, body_start
            current_marker = line[marker_start:body_start].strip()
        body = line[start:].strip()
        first = start == 0
        segments.append(
            Segment(
                current_kind, current_ordinal, body, first, heading if first else 0, number, current_marker
            )
        )
    return segments
