"""Sending notices once the change that caused them has committed."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from luoshi.notices.models import Notice


def notify(user: Any, text: str, url: str = "") -> None:
    """Queue a notice for USER, written only if the surrounding transaction commits."""
    if user is None or not getattr(user, "pk", None):
        return
    user_id = user.pk
    transaction.on_commit(lambda: Notice.objects.create(user_id=user_id, text=text[:500], url=url[:300]))


def unread_count(user: Any) -> int:
    if not user.is_authenticated:
        return 0
    return Notice.objects.filter(user=user, read_at__isnull=True).count()
