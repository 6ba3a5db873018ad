"""The round page's compact steps block (cached with the round's version, like the ledger's parts)."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from luoshi.ledger.fragments import cached_fragment
from luoshi.ledger.models import Round
from luoshi.meetings.steps import is_feedback_round, timeline

register = template.Library()


@register.simple_tag
def prep_steps_block(round_: Round) -> SafeString:
    """ROUND's process as one section: each step in order, where it stands and the page where it is
    done (opinions, talks, materials, the meeting, the report); two queries uncached."""

    def render() -> str:
        line = timeline(round_, suggest=False)
        return render_to_string(
            "meetings/prep/partials/round_block.html",
            {"round": round_, "timeline": line, "feedback": is_feedback_round(round_)},
        )

    return cached_fragment(round_, "prep-steps", "", render)
