"""The first round trip of a signed-in request: the session, its user and what every page shows.

Every page of a signed-in user reads the session row, then the session's user with their roles
(`backends.UserBackend`), then for the navigation bar the unread notices and the audit chain's head
(`luoshi.notices.services.navigation_counts`), and the chain's head again as the version of cached
parts (`luoshi.ledger.fragments.ledger_version`). On PostgreSQL each is a round trip to the server,
and under load the round trips, not the work, are what a page waits for.

Which user a session belongs to is known before its row is read whenever this process has decoded
that session before (`luoshi.web.sessions`). Then the session row, that user with their roles, the
unread count and the chain's head come back in one query, and are kept in the request's memo
(`luoshi.scope`). What was read for the user is used only if the session, once decoded, names that
very user: a session that changed hands or was signed out meanwhile falls back to the plain reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.exceptions import ValidationError

from luoshi.scope import request_memo

USER_BACKEND = "luoshi.accounts.backends.UserBackend"
_USER = "prelude-user"  # the request memo's key (luoshi.scope)


@dataclass(frozen=True, slots=True)
class PrefetchedUser:
    user_id: int
    rows: list[Any]  # the user model built by raw(), one per role (luoshi_path, luoshi_role)


def user_columns() -> str:
    return ", ".join(f'u."{f.column}"' for f in get_user_model()._meta.concrete_fields)


def roles_join() -> str:
    from luoshi.orgs.models import Organization, RoleAssignment

    return (
        f" LEFT JOIN {RoleAssignment._meta.db_table} r ON r.user_id = u.id"
        f" LEFT JOIN {Organization._meta.db_table} o ON o.id = r.organization_id"
    )


def expected_user(decoded: dict[str, Any] | None) -> int | None:
    """The user id a session decoded earlier in this process names, when it signed in through
    UserBackend and a request is under way; otherwise None (read the session plainly)."""
    if decoded is None or request_memo() is None or decoded.get(BACKEND_SESSION_KEY) != USER_BACKEND:
        return None
    try:
        pk = get_user_model()._meta.pk.to_python(decoded.get(SESSION_KEY))
    except ValidationError:
        return None
    return pk if isinstance(pk, int) else None


def read_session(session_table: str, session_key: str, now: Any, user_id: int) -> str | None:
    """The live session row's data (None when there is none), with USER_ID's user, roles, unread
    notices and the chain's head read in the same query and kept in this request's memo."""
    from luoshi.audit.chain import remember_head
    from luoshi.audit.models import ChainHead
    from luoshi.notices.services import UNREAD_SQL, remember_unread

    user_model = get_user_model()
    sql = (
        f"SELECT s.session_data AS luoshi_session, {user_columns()},"
        " o.path AS luoshi_path, r.role AS luoshi_role,"
        f" ({UNREAD_SQL}) AS luoshi_unread, h.seq AS luoshi_head_seq, h.hash AS luoshi_head_hash"
        f" FROM {session_table} s LEFT JOIN {user_model._meta.db_table} u ON u.id = %s{roles_join()}"
        f" LEFT JOIN {ChainHead._meta.db_table} h ON h.id = 1"
        " WHERE s.session_key = %s AND s.expire_date > %s"
    )
    # raw() builds each row's user as the ORM does, the database's converters applied (dates).
    rows: list[Any] = list(user_model._default_manager.raw(sql, [user_id, user_id, session_key, now]))
    if not rows:
        return None
    first, memo = rows[0], request_memo()
    if memo is not None:
        memo[_USER] = PrefetchedUser(user_id, rows if first.pk is not None else [])
        remember_unread(user_id, int(first.luoshi_unread))
        seq = first.luoshi_head_seq
        remember_head((int(seq), str(first.luoshi_head_hash)) if seq is not None else (0, ""))
    return str(first.luoshi_session)


def prefetched_user(user_id: int) -> list[Any] | None:
    """The rows read for USER_ID with the session (empty: no such user), or None when not read."""
    memo = request_memo()
    found = None if memo is None else memo.pop(_USER, None)
    return found.rows if found is not None and found.user_id == user_id else None
