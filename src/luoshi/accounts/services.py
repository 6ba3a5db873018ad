"""Account changes a user makes himself, each with its audit event in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from luoshi.audit.chain import record
from luoshi.audit.models import EventType


def change_password(user: Any, new_password: str) -> None:
    """Set USER's password (already validated by the form) and record that it changed, not to what."""
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record(EventType.PASSWORD_CHANGED, user, actor=user, new={"changed": True})
