"""The deadline light with its words beside it (never colour alone), the same on every page."""

from __future__ import annotations

import datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def light_html(light: str, label: str) -> SafeString:
    """The light and its label; nothing for a measure without one (no deadline, or closed)."""
    if not light:
        return mark_safe("")
    if light == "green":  # the normal case: the colour and the label for screen readers suffice
        return format_html(
            '<span class="light {}" role="img" aria-label="{}" title="{}"></span>', light, label, label
        )
    return format_html(
        '<span class="light {}" role="img" aria-label="{}" title="{}"></span><span class="light-text {}">{}</span>',
        light,
        label,
        label,
        light,
        label,
    )


@register.simple_tag
def light(measure: object, today: datetime.date | None = None) -> SafeString:
    """{% light measure %}: the measure's deadline light with its words."""
    return light_html(measure.light(today), measure.light_label(today))  # type: ignore[attr-defined]
