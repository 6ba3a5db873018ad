"""The small 管理 block on a problem's and a measure's page: 编辑 and 作废 for the round's
organizer, 恢复 for a reviewer, and the 已作废 note for everyone. The services decide again."""

from __future__ import annotations

from typing import Any

from django import template

from luoshi.ledger.corrections import refusal
from luoshi.ledger.models import Measure

register = template.Library()


@register.inclusion_tag("ledger/partials/manage_block.html", takes_context=True)
def manage_block(context: template.Context, item: Any) -> dict[str, Any]:
    """ITEM is a Problem or a Measure (shown on its own page)."""
    request = context.get("request")
    user = getattr(request, "user", None)

    def may(doing: str) -> bool:
        return user is not None and refusal(user, item, doing) is None

    return {
        "item": item,
        "kind": "measure" if isinstance(item, Measure) else "problem",
        "voided": item.voided_at is not None,
        "can_edit": may("edit"),
        "can_void": may("void"),
        "can_restore": may("restore"),
    }
