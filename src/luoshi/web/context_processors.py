"""What the navigation bar needs: which work lists apply to the user, and unread notices.

Evaluated lazily, once per request, and only on pages that render the bar (two small queries: the
roles, then the counts of unread notices, 我的整改 and 待验收 together).
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
    def counts(self) -> dict[str, int]:
        """Unread notices, and the counts on 我的整改 and 待验收, in one query (the bar's only one
        besides the roles)."""
        from luoshi.notices.services import navigation_counts

        return navigation_counts(self.user, mine=self.works, review=self.reviews)

    @property
    def unread(self) -> int:
        return self.counts["unread"]

    @property
    def mine(self) -> int:
        """The member's measures that wait for their work (未开始, 整改中, 已退回)."""
        return self.counts["mine"]

    @property
    def waiting(self) -> int:
        """What waits in the reviewer's 待验收: submitted measures and extension requests."""
        return self.counts["review"]


def navigation(request: HttpRequest) -> dict[str, Any]:
    # An error page for a request refused before authentication (a bad Host header) has no user.
    from django.contrib.auth.models import AnonymousUser

    return {"nav": Navigation(getattr(request, "user", None) or AnonymousUser())}
