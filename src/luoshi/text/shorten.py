"""Long texts cut for a line of a message, a notice or a page quote: at a word boundary, with "…".

The one place texts are shortened (notices, flash messages, the `shorten` template filter), so a
measure of 200 characters is never quoted whole, and never cut inside a word or a number.
"""

from __future__ import annotations

ELLIPSIS = "…"
# A cut is best made after one of these (the text reads as whole clauses).
_BREAKS = frozenset("，。；、：！？,.;:!?）)」』”’ ")
# Trailing punctuation is dropped before the ellipsis ("措施。…" reads badly).
_TRAILING = " ，。；、：,.;:"
# How far back from the limit a punctuation break is looked for (a share of the limit).
_LOOK_BACK = 0.4


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def shorten(text: str | None, limit: int) -> str:
    """TEXT on one line, at most LIMIT characters including the closing "…" when it had to be cut.

    The cut falls after the last punctuation or space within the last 40% of the room when there is
    one; otherwise between two characters that are not both letters or digits of a Latin word or a
    number ("2026", "PDF"), so no word and no figure is split.
    """
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat
    if limit <= 1:
        return ELLIPSIS
    room = limit - 1
    floor = max(1, int(room * (1 - _LOOK_BACK)))
    end = next((i for i in range(room, floor - 1, -1) if flat[i - 1] in _BREAKS), 0)
    if not end:
        end = room
        while end > 1 and _latin(flat[end - 1]) and _latin(flat[end]):
            end -= 1
        if end <= 1:  # one long Latin run: cutting inside it is all that is left
            end = room
    return flat[:end].rstrip(_TRAILING) + ELLIPSIS
