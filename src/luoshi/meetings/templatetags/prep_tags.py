"""The round page's compact steps block (cached with the round's version, like the ledger's parts)."""

from __future__ import annotations

from django import template
from django.template import Context
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from luoshi.ledger.fragments import cached_fragment
from luoshi.ledger.models import Round
from luoshi.meetings.services_prep import can_manage
from luoshi.meetings.steps import is_feedback_round, timeline

register = template.Library()


@register.simple_tag(takes_context=True)
def prep_steps_block(context: Context, round_: Round) -> SafeString:
    """ROUND's process as one section: each step in order, where it stands and the page where it is
    done (opinions, talks, materials, the meeting, the report); two queries uncached. Links to
    pages only organizers use (importing material) are shown to the organizers alone."""
    manage = context.get("can_manage")
    if manage is None:
        request = context.get("request")
        manage = request is not None and can_manage(request.user, round_)

    def render() -> str:
        line = timeline(round_, suggest=False)
        return render_to_string(
            "meetings/prep/partials/round_block.html",
            {"round": round_, "timeline": line, "feedback": is_feedback_round(round_), "can_manage": manage},
        )

    return cached_fragment(round_, "prep-steps", "manage" if manage else "", render)
