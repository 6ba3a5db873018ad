"""Logins, logouts and failed logins as events in the hash-chained audit log.

Passwords never reach the log: a failed login records the name that was typed, the client address
and whether throttling refused it, nothing of the credentials beyond that.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from luoshi.audit.chain import record
from luoshi.audit.models import EventType

USERNAME_LIMIT = 150  # what a username column holds; a longer "name" is an attack, cut it
ANONYMOUS = "未登录"  # the actor of a failed login: nobody is signed in
LOGIN_AT = "luoshi_login_at"  # session key: when this session signed in (its absolute lifetime)
SEEN_AT = "luoshi_seen_at"  # session key: the last request, to the minute (the idle limit)


def client_ip(request: HttpRequest | None) -> str:
    """The client address: REMOTE_ADDR, or the header a trusted reverse proxy sets
    (LUOSHI_CLIENT_IP_HEADER, e.g. X-Real-IP behind nginx)."""
    from django.conf import settings

    if request is None:
        return ""
    header = settings.LUOSHI_CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        if value:
            return value.split(",")[0].strip()[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def axes_client_ip(request: HttpRequest) -> str:
    """django-axes' client address: the same one the audit log records."""
    return client_ip(request)


def _where(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {}
    where: dict[str, Any] = {"ip": client_ip(request), "admin": request.path.startswith("/admin/")}
    reason = getattr(request, "luoshi_logout_reason", "")
    if reason:
        where["reason"] = reason
    return where


@receiver(user_logged_in)
def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
    record(EventType.LOGGED_IN, user, actor=user, new=_where(request))


@receiver(user_logged_out)
def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or not user.is_authenticated:
        return
    record(EventType.LOGGED_OUT, user, actor=user, new=_where(request))


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    user_model = get_user_model()
    typed = str(credentials.get(user_model.USERNAME_FIELD) or credentials.get("username") or "")
    typed = typed[:USERNAME_LIMIT]
    known = (
        user_model._default_manager.filter(**{user_model.USERNAME_FIELD: typed}).first() if typed else None
    )
    target: Any = known if known is not None else (user_model._meta.label_lower, "")
    locked = bool(getattr(request, "axes_locked_out", False))
    record(
        EventType.LOGIN_FAILED,
        target,
        actor=ANONYMOUS,
        new={"username": typed, "known_user": known is not None, "locked": locked, **_where(request)},
    )


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """django-axes' name for the attempted account, cut like the audit log's (its column holds 255)."""
    source: Any = credentials if credentials is not None else request.POST
    return str(source.get(get_user_model().USERNAME_FIELD) or source.get("username") or "")[:USERNAME_LIMIT]
