"""`{{ text|shorten:40 }}`: a long text cut at a word boundary with "…" (luoshi.text.shorten)."""

from __future__ import annotations

from django import template

from luoshi.text.shorten import shorten as _shorten

register = template.Library()


@register.filter
def shorten(text: object, limit: int = 60) -> str:
    return _shorten("" if text is None else str(text), int(limit))


@register.filter
def is_shortened(text: object, limit: int = 60) -> bool:
    """Whether `shorten` would cut TEXT (the page then offers the whole text below)."""
    return len(" ".join(("" if text is None else str(text)).split())) > int(limit)
