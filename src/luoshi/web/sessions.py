"""Sessions read from the database on every request, with one plain query.

A per-process cache of sessions (Django's cached_db) keeps a session alive in every server process
that has read it, after logging out deleted it elsewhere: an old session id kept working on the
other processes until their cache expired. The database is the one place all processes share, so
each request asks it; plain SQL, because building the ORM query costs more than running it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return dict(self.decode(row[0]))
