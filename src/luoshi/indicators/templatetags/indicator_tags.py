"""Indicator parts shown on the ledger's pages: the measure page's panel (with what is not met, for
the reviewer before 销号), the progress form's optional activity fields, the dashboard's figures.
The ledger's templates include them by name; the ledger's code never imports this app."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from luoshi.indicators import compliance
from luoshi.indicators.models import ActivityKind, Indicator
from luoshi.ledger.fragments import cached_fragment
from luoshi.ledger.models import Measure, Round

register = template.Library()


@register.inclusion_tag("indicators/partials/measure_panel.html", takes_context=True)
def measure_indicators(context: dict[str, Any], measure: Measure) -> dict[str, Any]:
    """The measure's indicators with their periods so far; the unmet ones listed for the reviewer."""
    user = context["request"].user
    indicators = list(
        Indicator.objects.for_user(user).filter(measure=measure).select_related("round__team", "member")
    )
    grid_map = compliance.grids(indicators, timezone.localdate())
    rows = []
    for ind in indicators:
        grid = grid_map[ind.pk]
        names = {m.pk: m.name for m in grid.members if m is not None}
        unmet = [(names.get(cell.member_id or 0, "班子"), cell) for cell in compliance.unmet_so_far(grid)]
        rows.append((ind, grid.counts(), unmet))
    return {"measure": measure, "rows": rows, "any_unmet": any(unmet for _i, _c, unmet in rows)}


@register.inclusion_tag("indicators/partials/progress_fields.html")
def progress_activity_fields(measure: Measure) -> dict[str, Any]:
    """Optional fields of the progress form: the same update also counts as an activity record."""
    kinds = [(k.value, k.label) for k in ActivityKind if k != ActivityKind.FIGURE]
    return {"measure": measure, "kinds": kinds}


@register.simple_tag
def round_indicator_summary(round_: Round) -> SafeString:
    """The dashboard's share of member-periods met with its formula (cached with the round's version)."""

    def render() -> str:
        indicators = list(Indicator.objects.filter(round=round_).select_related("round__team"))
        if not indicators:
            return render_to_string(
                "indicators/partials/round_summary.html", {"round": round_, "tally": None}
            )
        grid_map = compliance.grids(indicators, timezone.localdate())
        return render_to_string(
            "indicators/partials/round_summary.html",
            {"round": round_, "tally": compliance.tally(grid_map.values())},
        )

    return cached_fragment(round_, "indicators", "", render)
