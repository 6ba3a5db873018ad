"""Sessions read from the database on every request, with one plain query.

A per-process cache of sessions (Django's cached_db) keeps a session alive in every server process
that has read it, after logging out deleted it elsewhere: an old session id kept working on the
other processes until their cache expired. The database is the one place all processes share, so
each request asks it; plain SQL, because building the ORM query costs more than running it.

What a process may keep is the decoded form of a session row it has already checked (decoding
verifies a signature, the larger part of the cost): it is used only when the row the database just
returned is exactly the one decoded, so a deleted or changed session is never served from it. It
also tells whose session it probably is before the row is read, so that user comes back in the
same query (`luoshi.accounts.prelude`); the guess counts only if the row confirms it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from luoshi.accounts import prelude

_DECODED_MAX = 2000


class _Decoded:
    """session key → (the row's session_data, its decoded dict), least recently used dropped."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: str) -> dict[str, Any] | None:
        """What KEY's session held when this process last decoded it, unchecked: only a guess of
        whom the session belongs to, to read their user with the session row (see load)."""
        with self._lock:
            found = self._entries.get(key)
            return None if found is None else found[1]

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
        key = str(self.session_key)
        user_id = prelude.expected_user(_decoded.peek(key))
        if user_id is not None:  # the row, and that user with what every page shows, in one query
            raw = prelude.read_session(table, key, now, user_id)
        else:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                    [key, now],
                )
                row = cursor.fetchone()
            raw = None if row is None else str(row[0])
        if raw is None:
            self._session_key = None
            return {}
        data = _decoded.get(key, raw)
        if data is None:
            data = dict(self.decode(raw))
            _decoded.put(key, raw, data)
        return data
