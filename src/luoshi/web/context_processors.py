"""What the navigation bar needs: which work lists apply to the user, and unread notices.

Evaluated lazily, once per request, and only on pages that render the bar (two small queries).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest


class Navigation:
    def __init__(self, user: Any) -> None:
        self.user = user

    @cached_property
    def roles(self) -> frozenset[str]:
        from luoshi.orgs.access import grants
        from luoshi.orgs.models import Role

        if not self.user.is_authenticated:
            return frozenset()
        if self.user.is_superuser:
            return frozenset(Role.values)
        return frozenset(role for _path, role in grants(self.user))

    @property
    def works(self) -> bool:
        """Owns measures as a team member (我的整改)."""
        return "member" in self.roles

    @property
    def reviews(self) -> bool:
        return "reviewer" in self.roles

    @property
    def oversees(self) -> bool:
        """Organizers, reviewers and viewers see the roll-up across organizations (汇总)."""
        return bool(self.roles & {"organizer", "reviewer", "viewer"})

    @cached_property
    def unread(self) -> int:
        from luoshi.notices.services import unread_count

        return unread_count(self.user)


def navigation(request: HttpRequest) -> dict[str, Any]:
    # An error page for a request refused before authentication (a bad Host header) has no user.
    from django.contrib.auth.models import AnonymousUser

    return {"nav": Navigation(getattr(request, "user", None) or AnonymousUser())}
