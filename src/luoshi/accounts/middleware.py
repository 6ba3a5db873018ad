"""Sessions end after a time without activity (LUOSHI_SESSION_IDLE_MINUTES) and, however active,
a fixed time after signing in (LUOSHI_SESSION_MAX_HOURS)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse

from luoshi.accounts.signals import LOGIN_AT, SEEN_AT

TOUCH_SECONDS = 60  # the session is written at most once a minute for this, not on every page


class SessionLimitMiddleware:
    """Signs a session out when it has been idle or has lived too long.

    It reads only the session (no user query) and writes it at most once a minute, so a page view
    costs nothing more; a request without a session cookie (/healthz, the login page) is not touched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            self.check(request)
        return self.get_response(request)

    def check(self, request: HttpRequest) -> None:
        session = request.session
        if SESSION_KEY not in session:
            return
        now = int(time.time())
        idle = settings.LUOSHI_SESSION_IDLE_MINUTES * 60
        seen, login_at = session.get(SEEN_AT), session.get(LOGIN_AT)
        if idle and isinstance(seen, int) and now - seen > idle:
            self.end(request, "idle", "长时间未操作，已自动退出，请重新登录。")
        elif isinstance(login_at, int) and now - login_at > settings.SESSION_COOKIE_AGE:
            self.end(request, "expired", "登录已超过有效时长，请重新登录。")
        else:
            touch_every = min(TOUCH_SECONDS, max(idle // 2, 1))
            if idle and (not isinstance(seen, int) or now - seen >= touch_every):
                session[SEEN_AT] = now
            if not isinstance(login_at, int):  # a session from before this rule: its lifetime starts now
                session[LOGIN_AT] = now

    @staticmethod
    def end(request: HttpRequest, reason: str, message: str) -> None:
        request.luoshi_logout_reason = reason  # type: ignore[attr-defined]  # for the audit event
        logout(request)
        messages.info(request, message)
