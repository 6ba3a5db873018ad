"""Sessions read from the database on every request, with one plain query.

A per-process cache of sessions (Django's cached_db) keeps a session alive in every server process
that has read it, after logging out deleted it elsewhere: an old session id kept working on the
other processes until their cache expired. The database is the one place all processes share, so
each request asks it; plain SQL, because building the ORM query costs more than running it.

What a process may keep is the decoded form of a session row it has already checked (decoding
verifies a signature, the larger part of the cost): it is used only when the row the database just
returned is exactly the one decoded, so a deleted or changed session is never served from it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

_DECODED_MAX = 2000


class _Decoded:
    """session key → (the row's session_data, its decoded dict), least recently used dropped."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, raw: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] != raw:
                return None
            self._entries.move_to_end(key)
            return dict(found[1])  # a copy: the session changes its own dict

    def put(self, key: str, raw: str, data: dict[str, Any]) -> None:
        with self._lock:
            self._entries[key] = (raw, dict(data))
            self._entries.move_to_end(key)
            while len(self._entries) > _DECODED_MAX:
                self._entries.popitem(last=False)


_decoded = _Decoded()


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        model = self.model
        connection = connections[router.db_for_read(model)]
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
        key, raw = str(self.session_key), str(row[0])
        data = _decoded.get(key, raw)
        if data is None:
            data = dict(self.decode(raw))
            _decoded.put(key, raw, data)
        return data
