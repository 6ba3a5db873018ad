"""Request-scoped memo of role assignments (luoshi.orgs.access.request_scope)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from luoshi.orgs.access import request_scope


class RequestScopeMiddleware:
    """Lets every permission check of one request share one read of the user's roles.

    It does not touch request.user: a request that checks nothing (/healthz) costs nothing more.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_scope():
            return self.get_response(request)
