"""Response headers that keep the browser on the pages' side: the Content-Security-Policy.

The pages load scripts and styles only from our own static files (htmx and ECharts are vendored),
with no inline script, style element or style attribute, so the policy allows nothing else; a
regression test (tests/security) keeps inline code out of the templates.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.LUOSHI_CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
