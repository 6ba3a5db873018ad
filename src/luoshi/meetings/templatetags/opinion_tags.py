"""The opinions a problem came from, as a small block on the problem page."""

from __future__ import annotations

from typing import Any

from django import template

from luoshi.ledger.models import Problem
from luoshi.meetings import services_opinions as services
from luoshi.meetings.models import OpinionStatus

register = template.Library()


@register.inclusion_tag("meetings/opinions/partials/problem_sources.html", takes_context=True)
def problem_opinions(context: Any, problem: Problem) -> dict[str, Any]:
    """The opinions PROBLEM was formed from. Their text is shown to the organizers, and to a member
    when it was passed on to them (about them or the team); never their contact details. Anyone
    else who may see the problem sees how many there were."""
    opinions = list(problem.opinions.select_related("target_member"))
    if not opinions:
        return {"opinions": []}
    user = context["request"].user
    manage = services.may_manage(user, problem.round)
    if manage:
        shown = opinions
    else:
        member = services.member_of(user, problem.round)
        shown = [
            o
            for o in opinions
            if member is not None
            and o.status == OpinionStatus.FORWARDED
            and o.target_member_id in (None, member.pk)
        ]
    return {"opinions": opinions, "shown": shown, "manage": manage}
