"""A member's page (履职记录) cached until anything it shows may have changed.

The page's standings, grids and records cost two compliance computations and a table of records on
every visit; what they show changes only when an indicator of the member's team or one of the
member's records does, and every such change goes through a service that appends an audit event
tagged with the team's organization (`luoshi.indicators.services`). The version reads that event
with a fingerprint of the rows themselves, in one query (see `luoshi.ledger.fragments`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.safestring import SafeString

from luoshi.audit.models import Event
from luoshi.indicators.models import Activity, Indicator
from luoshi.ledger.fragments import cached_personal_fragment
from luoshi.ledger.models import Round
from luoshi.orgs.models import Member


def member_version(member: Member) -> str:
    """The last audit event of MEMBER's organization; the count, the sum of the ids and the last
    change of the member's records and of the team's indicators (rows written without an event);
    and the names of those who entered the records (shown beside them; an account's name is not an
    event of the organization). Plain SQL: building the ORM queries would cost more than running
    them, each from an index (event path and number, the member's records, the round's team)."""
    event, activity, indicator = Event._meta.db_table, Activity._meta.db_table, Indicator._meta.db_table
    round_, user = Round._meta.db_table, get_user_model()._meta.db_table
    sql = (
        "SELECT 'e', (SELECT CAST(e.seq AS TEXT) || '-' || SUBSTR(e.hash, 1, 16)"
        f" FROM {event} e WHERE e.organization_path = %s ORDER BY e.seq DESC LIMIT 1)"
        " UNION ALL SELECT 'a', CAST(COUNT(*) AS TEXT) || '-' || CAST(COALESCE(SUM(id), 0) AS TEXT)"
        f" || '-' || COALESCE(CAST(MAX(updated_at) AS TEXT), '') FROM {activity} WHERE member_id = %s"
        " UNION ALL SELECT 'i', CAST(COUNT(*) AS TEXT) || '-' || CAST(COALESCE(SUM(i.id), 0) AS TEXT)"
        f" FROM {indicator} i INNER JOIN {round_} r ON r.id = i.round_id WHERE r.team_id = %s"
        " UNION ALL SELECT DISTINCT 'u', CAST(u.id AS TEXT) || ':' || u.username || ':' || u.first_name"
        f" || ':' || u.last_name FROM {activity} a INNER JOIN {user} u ON u.id = a.entered_by_id"
        " WHERE a.member_id = %s"
    )
    params: list[str | int] = [member.team.organization.path, member.pk, member.team_id, member.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = sorted((str(part), str(value or "0")) for part, value in cursor.fetchall())
    return "|".join(f"{part}:{value}" for part, value in rows)


def cached_member_fragment(member: Member, variant: str, render: Callable[[], str]) -> SafeString:
    """RENDER()'s HTML of MEMBER's standings, grids and records, cached under `member_version`;
    VARIANT says what else differs per viewer (whether they may record and correct)."""
    return cached_personal_fragment("member-page", member.pk, lambda: member_version(member), variant, render)
