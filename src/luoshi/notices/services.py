"""Sending notices once the change that caused them has committed."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction

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
    # Plain SQL: the navigation bar asks this on every page, and building the ORM's count query
    # (Notice.objects.filter(user=user, read_at__isnull=True).count()) costs more than running it.
    sql = f"SELECT COUNT(*) FROM {Notice._meta.db_table} WHERE user_id = %s AND read_at IS NULL"
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        return int(cursor.fetchone()[0])
