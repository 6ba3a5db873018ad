"""The permission choke point: which organizations a user may act on, and how.

Every `for_user(user, action)` in luoshi builds on `organizations_q`, so "who sees what" is decided
here and nowhere else. Actions are words, not model permissions, because they follow the review
cycle's roles (DESIGN.md): the organizer manages a round, the reviewer verifies, members work their
own measures, viewers read. A role given on an organization holds for the whole subtree below it.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Q

from luoshi.orgs.models import PATH_STEP, Organization, Role, RoleAssignment
from luoshi.scope import request_memo, request_scope

__all__ = ["request_scope"]  # a user's grants are read once per web request (luoshi.scope)

# Outside a request (services called from commands or tests) every check reads afresh, so a role
# granted a moment ago always counts.
_GRANTS = "grants"


def _grants_memo() -> dict[int, list[tuple[str, str]]] | None:
    memo = request_memo()
    return None if memo is None else memo.setdefault(_GRANTS, {})


def grants(user: Any) -> list[tuple[str, str]]:
    """(organization path, role) for every role USER holds."""
    memo = _grants_memo()
    if memo is not None and user.pk in memo:
        return memo[user.pk]
    found = _read_grants(user.pk)
    if memo is not None:
        memo[user.pk] = found
    return found


def remember_grants(user_id: int, found: list[tuple[str, str]]) -> None:
    """Keep FOUND as USER_ID's grants for the rest of this request, when they were read with the user
    (`luoshi.accounts.backends.UserBackend`). Outside a request nothing is kept."""
    memo = _grants_memo()
    if memo is not None:
        memo[user_id] = found


def _read_grants(user_id: int) -> list[tuple[str, str]]:
    # Plain SQL: every page asks this once, and building the equivalent ORM query costs several
    # times more than running it. The ORM form, for reference:
    # RoleAssignment.objects.filter(user_id=user_id).values_list("organization__path", "role")
    sql = (
        f"SELECT o.path, r.role FROM {RoleAssignment._meta.db_table} r"
        f" INNER JOIN {Organization._meta.db_table} o ON o.id = r.organization_id WHERE r.user_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        return [(path, role) for path, role in cursor.fetchall()]


ACTION_ROLES: dict[str, frozenset[Role] | None] = {
    "view": None,  # any role
    "manage": frozenset({Role.ORGANIZER}),
    "review": frozenset({Role.REVIEWER}),
    "work": frozenset({Role.MEMBER, Role.ORGANIZER}),
}


def roles_for_action(action: str) -> frozenset[Role] | None:
    try:
        return ACTION_ROLES[action]
    except KeyError:
        raise ValueError(f"unknown action {action!r}; known: {', '.join(ACTION_ROLES)}") from None


def top_paths(user: Any, roles: frozenset[Role] | None = None) -> list[str]:
    """The paths of the organizations where USER holds one of ROLES (any if None), leaving out those
    below another of them: the tops of the subtrees the user reaches."""
    kept: list[str] = []
    for path in sorted({path for path, role in grants(user) if roles is None or role in roles}):
        if not any(path.startswith(top) for top in kept):
            kept.append(path)
    return kept


def organizations_q(user: Any, roles: frozenset[Role] | None = None, prefix: str = "") -> Q:
    """A Q on `<prefix>path` matching the organizations where USER holds one of ROLES (any role if
    None), including everything below them. Superusers match everything; anonymous users nothing.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if getattr(user, "is_superuser", False):
        return Q()
    kept = top_paths(user, roles)
    if not kept:
        return Q(pk__in=[])
    q = Q()
    for path in kept:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def action_q(user: Any, action: str, prefix: str = "") -> Q:
    """`organizations_q` for the roles that may do ACTION (the querysets' `for_user` build on it)."""
    return organizations_q(user, roles_for_action(action), prefix=prefix)


def has_role(user: Any, organization_path: str, action: str) -> bool:
    """Whether USER may perform ACTION on the organization with this path: a role on it or on any
    organization above it (the ancestors' paths are the prefixes of its path)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    step = PATH_STEP + 1
    lineage = {organization_path[:end] for end in range(step, len(organization_path) + 1, step)}
    roles = roles_for_action(action)
    return any(path in lineage and (roles is None or role in roles) for path, role in grants(user))
