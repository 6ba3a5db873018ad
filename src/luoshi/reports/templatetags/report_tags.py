"""`{% member_downloads %}`: the member page's links to the user's own 个人整改清单, one per round
in which they own measures (rounds fetched through `Round.objects.for_user`)."""

from __future__ import annotations

from typing import Any

from django import template

from luoshi.ledger.models import Round
from luoshi.orgs.models import Member

register = template.Library()


@register.inclusion_tag("reports/partials/member_downloads.html", takes_context=True)
def member_downloads(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"downloads": []}
    members = {m.team_id: m for m in Member.objects.filter(user=user)}
    if not members:
        return {"downloads": []}
    rounds = (
        Round.objects.for_user(user)
        .filter(measures__owner__user=user)
        .select_related("team__organization")
        .distinct()
        .order_by("-year", "-id")
    )
    return {"downloads": [(r, members[r.team_id]) for r in rounds if r.team_id in members]}
