"""Template tags for the import links: whether the person looking may organize a round."""

from __future__ import annotations

from typing import Any

from django import template
from django.db import connection

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


@register.inclusion_tag("ledger/import/partials/pending_drafts.html", takes_context=True)
def pending_drafts(context: template.Context, round_: Any, back: str = "") -> dict[str, Any]:
    """The round's drafts not yet confirmed, each with 预览 and 放弃 (for organizers; the service
    decides who may discard)."""
    from luoshi.ledger.models import ImportDraft

    pending = getattr(round_, "luoshi_pending_drafts", None)  # read with the round (round_for_page)
    if pending is None:
        # Plain SQL first: on the round page of every organizer there usually is none, and building
        # the ORM query costs more than running this one.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {ImportDraft._meta.db_table} WHERE round_id = %s AND confirmed_at IS NULL LIMIT 1",
                [round_.pk],
            )
            pending = cursor.fetchone() is not None
    drafts = (
        list(
            ImportDraft.objects.filter(round=round_, confirmed_at__isnull=True)
            .defer("data")  # the parsed document: large, and not shown here
            .select_related("created_by")
            .order_by("-created_at")
        )
        if pending
        else []  # not even an empty queryset: building one costs as much as a query
    )
    return {"drafts": drafts, "round": round_, "back": back, "csrf_token": context.get("csrf_token")}
