"""`{% supervision_panel measure %}`: 催办 and 督办单 on the measure page (the ledger's template)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.inclusion_tag("notices/partials/measure_panel.html", takes_context=True)
def supervision_panel(context: dict[str, Any], measure: Any) -> dict[str, Any]:
    from luoshi.ledger.services import capacities
    from luoshi.ledger.states import OWNER_SIDE, Actor
    from luoshi.notices import supervision
    from luoshi.notices.forms import UrgeForm

    user = context["request"].user
    # A voided (作废) measure is urged and supervised no more: its records stay, no action is offered.
    held = capacities(measure, user) if measure.voided_at is None else frozenset()
    supervises = bool(held & supervision.SUPERVISORS) and Actor.OWNER not in held
    today = timezone.localdate()
    orders = list(measure.orders.select_related("issued_by").order_by("-issued_at"))
    urges = list(measure.urges.select_related("urged_by").order_by("-created_at")[:5])
    open_ = measure.status in supervision.URGEABLE
    return {
        "measure": measure,
        "orders": orders,
        "urges": urges,
        "can_urge": supervises and open_ and measure.owner is not None and measure.owner.user_id is not None,
        "urged_today": any(u.day == today for u in urges),
        "suggested": supervision.suggest_grade(measure, today) if supervises else None,
        "receiver": bool(held & OWNER_SIDE),
        "urge_form": UrgeForm(),
        "csrf_token": context.get("csrf_token"),
    }
