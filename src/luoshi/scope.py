"""What one web request reads once and shares, and nothing outside it.

A page asks several times for the same few facts about the request: the user's roles (every
permission check), the unread notices and the audit chain's head (the navigation bar, the cache keys
of rendered parts). Within `request_scope` (entered by `luoshi.web.middleware.RequestScopeMiddleware`
around every request) they are kept in one memo for the rest of the request. Outside a request
(commands, services called from tests) there is no memo and every reader goes to the database, so
nothing read a moment ago is ever served stale.

A request that changes what was read drops it (`forget`): appending an audit event moves the chain's
head, marking notices read changes the unread count.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_memo: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "luoshi_request_memo", default=None
)


@contextmanager
def request_scope() -> Iterator[None]:
    """Within this block, what is read once per request is kept in one memo."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def request_memo() -> dict[str, Any] | None:
    """This request's memo, or None outside a request."""
    return _memo.get()


def forget(*names: str) -> None:
    """Drop NAMES from this request's memo (what the request has just changed)."""
    memo = _memo.get()
    if memo is not None:
        for name in names:
            memo.pop(name, None)
