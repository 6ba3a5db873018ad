"""Template tags for the import links: whether the person looking may organize a round."""

from __future__ import annotations

from typing import Any

from django import template

from luoshi.orgs.access import has_role
from luoshi.orgs.models import Organization

register = template.Library()


@register.simple_tag(takes_context=True)
def organizes_round(context: template.Context, round_: Any) -> bool:
    """True when the current user may import into ROUND (an organizer here or above)."""
    if "can_manage" in context:  # the round page already knows
        return bool(context["can_manage"])
    request = context.get("request")
    if request is None or round_ is None:
        return False
    return has_role(request.user, round_.team.organization.path, "manage")


@register.simple_tag(takes_context=True)
def organizes_any(context: template.Context) -> bool:
    """True when the current user organizes some organization (and so may create a round)."""
    nav = context.get("nav")
    if nav is not None:  # the navigation already read the user's roles
        return "organizer" in nav.roles
    request = context.get("request")
    if request is None:
        return False
    return Organization.objects.for_user(request.user, "manage").exists()
