"""Rendered parts of the busiest pages, cached until the round's ledger changes.

Many people look at the same round's ledger and dashboard; rendering a table of fifty measures
costs far more than the queries behind it. Every change to a round goes through a service that
appends an audit event tagged with the round's organization path (admin edits included, see
`luoshi.web.admin_audit`), so the last event number for that path is a version that moves whenever
anything shown about the round may have changed. A fragment is cached under that version (and the
day, since lights and overdue depend on it): a changed round is rendered anew, with no explicit
invalidation to forget. Fragments hold no CSRF token and nothing specific to one user beyond the
`variant` the caller puts in the key (e.g. whether the organizer's controls are shown).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from luoshi.audit.chain import current_head
from luoshi.audit.models import Event
from luoshi.ledger.models import ImportDraft, Round
from luoshi.orgs.access import has_role
from luoshi.orgs.models import Organization, Team

T = TypeVar("T")


def _last_event(path: str) -> tuple[int, str] | None:
    """(seq, hash) of the last audit event for PATH, from the (path, seq) index.

    Plain SQL: asked on every round page and dashboard, where building the ORM query
    (Event.objects.filter(organization_path=path).order_by("-seq").values_list("seq", "hash")
    .first()) costs several times more than running it."""
    table = Event._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT seq, hash FROM {table} WHERE organization_path = %s ORDER BY seq DESC LIMIT 1", [path]
        )
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else None


def round_for_page(user: Any, pk: int, *, drafts: bool = False) -> Round:
    """The round with PK, its team, organization and version (`round_version`) read in one query,
    and with DRAFTS whether an import draft waits for confirmation (`luoshi_pending_drafts`), if
    USER may see it (`orgs.access.has_role`, the rule of `Round.objects.for_user` for one
    organization); else a 404.

    Plain SQL: asked on every visit to a round's ledger and dashboard, where building the ORM query
    (an OR over the user's organizations, two joins, the version as a subquery) costs several times
    more than running it."""
    table, team, organization = Round._meta.db_table, Team._meta.db_table, Organization._meta.db_table
    event, draft = Event._meta.db_table, ImportDraft._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"{alias}.{quote(field.column)} AS {alias}_{field.column}"
        for alias, model in (("t", Team), ("o", Organization))
        for field in model._meta.concrete_fields
    )
    waiting = (
        f", EXISTS (SELECT 1 FROM {draft} d WHERE d.round_id = {table}.id AND d.confirmed_at IS NULL)"
        " AS luoshi_pending_drafts"
        if drafts
        else ""
    )
    sql = (
        f"SELECT {table}.*, {columns},"
        f" (SELECT CAST(e.seq AS TEXT) || '-' || SUBSTR(e.hash, 1, 16) FROM {event} e"
        f" WHERE e.organization_path = o.path ORDER BY e.seq DESC LIMIT 1) AS luoshi_version{waiting}"
        f" FROM {table} INNER JOIN {team} t ON t.id = {table}.team_id"
        f" INNER JOIN {organization} o ON o.id = t.organization_id WHERE {table}.id = %s"
    )
    # raw() builds the round as the ORM does, the database's converters applied (dates).
    found = list(Round.objects.raw(sql, [pk]))
    if not found:
        raise Http404
    round_ = found[0]
    organization_row = _joined(round_, "o", Organization)
    team_row = _joined(round_, "t", Team)
    team_row.organization = organization_row
    round_.team = team_row
    if drafts:  # SQLite answers EXISTS with 0 or 1
        round_.luoshi_pending_drafts = bool(round_.luoshi_pending_drafts)  # type: ignore[attr-defined]
    if not has_role(user, organization_row.path, "view"):
        raise Http404
    return round_


M = TypeVar("M", Team, Organization)


def _joined(row: Round, alias: str, model: type[M]) -> M:
    """The MODEL instance read into ROW's ALIAS_column attributes (round_for_page)."""
    found = model._meta.concrete_fields
    return model.from_db(
        connection.alias,
        [field.attname for field in found],
        [getattr(row, f"{alias}_{field.column}") for field in found],
    )


def round_version(round_: Round) -> str:
    """The last audit event recorded for ROUND's organization, as "number-hash" ("0" when none).

    The hash makes the version unique even where numbers repeat (a database restored from a backup
    under a running server, or test databases rolled back between tests)."""
    cached: str | None = getattr(round_, "_luoshi_version", None)
    if cached is not None:  # asked once per request, however many fragments the page has
        return cached
    if hasattr(round_, "luoshi_version"):  # read with the round (round_for_page)
        round_._luoshi_version = round_.luoshi_version or "0"  # type: ignore[attr-defined]
        return str(round_._luoshi_version)  # type: ignore[attr-defined]
    last = _last_event(round_.team.organization.path)
    version = f"{last[0]}-{last[1][:16]}" if last else "0"
    round_._luoshi_version = version  # type: ignore[attr-defined]
    return version


class _FragmentStore:
    """Rendered HTML kept in this process's memory, least recently used dropped first.

    Django's local-memory cache pickles every value to isolate callers from each other's changes;
    HTML strings are immutable, so they are kept as they are and a hit copies nothing (on the round
    page that is a tenth of the time)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return found[1]

    def set(self, key: str, html: str, seconds: float) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + seconds, html)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


fragment_store = _FragmentStore(max_entries=500)  # a few tens of MB per process at most


def cached_fragment(round_: Round, name: str, variant: str, render: Callable[[], str]) -> SafeString:
    """RENDER()'s HTML for ROUND, from the cache when nothing changed since it was rendered."""
    if settings.LUOSHI_FRAGMENT_CACHE_SECONDS <= 0:
        return mark_safe(render())
    # The day and the due-soon setting decide the lights; the variant what else differs per viewer.
    shown = f"{timezone.localdate().isoformat()}|{settings.LUOSHI_DUE_SOON_DAYS}|{variant}"
    digest = hashlib.sha1(shown.encode("utf-8")).hexdigest()[:16]
    key = f"luoshi:frag:{name}:{round_.pk}:{round_version(round_)}:{digest}"
    html = fragment_store.get(key)
    if html is None:
        html = str(render())
        fragment_store.set(key, html, settings.LUOSHI_FRAGMENT_CACHE_SECONDS)
    return mark_safe(html)


def ledger_version() -> str:
    """The last audit event of all, as "number-hash": moves whenever anything anywhere changed.
    Read from the chain's head (once per request, often with the session: luoshi.accounts.prelude)."""
    seq, hash_ = current_head()
    return f"{seq}-{hash_[:16]}" if seq else "0"


def cached_value(name: str, variant: str, compute: Callable[[], T]) -> T:
    """COMPUTE()'s result (picklable), cached until anything in the ledger changes (or the day does).

    For figures across many organizations (the roll-up), where no single round's version will do.
    """
    if settings.LUOSHI_FRAGMENT_CACHE_SECONDS <= 0:
        return compute()
    shown = f"{timezone.localdate().isoformat()}|{variant}"
    digest = hashlib.sha1(shown.encode("utf-8")).hexdigest()[:16]
    key = f"luoshi:value:{name}:{ledger_version()}:{digest}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, settings.LUOSHI_FRAGMENT_CACHE_SECONDS)
    return found


# --- pages about one person: a user's own measures (我的整改), a member's records ----------------------

# One page per person (我的整改, a member's records): kept apart, so they never push out the rounds'.
user_fragment_store = _FragmentStore(max_entries=1000)


def owner_version(user_id: int) -> str:
    """A version of everything shown about the measures USER_ID owns or co-owns, in one query.

    Those measures belong to rounds of the teams the user sits on (the services refuse an owner
    from another team), so the last audit event of each of those organizations moves whenever
    anything shown about them may have changed; the organizations of the rounds the measures are
    actually in are added, should an owner have been set some other way. The count, the sum of
    the ids and the last change of the measures themselves catch a row written without an event.
    Plain SQL: asked on every visit to 我的整改, where building the ORM query would cost more than
    running it (each part starts from the user's member rows, through the owner and user indexes).
    """
    from luoshi.ledger.models import Measure
    from luoshi.orgs.models import Member

    event, organization, team = Event._meta.db_table, Organization._meta.db_table, Team._meta.db_table
    member, measure, round_ = Member._meta.db_table, Measure._meta.db_table, Round._meta.db_table
    co_owners = Measure.co_owners.through._meta.db_table
    # Scalar subqueries on primary keys where a join would let PostgreSQL hash whole tables.
    sql = (
        f"WITH mine AS (SELECT id, team_id FROM {member} WHERE user_id = %s),"
        f" owned AS (SELECT id, round_id, updated_at FROM {measure} WHERE owner_id IN (SELECT id FROM mine)"
        f" UNION SELECT m.id, m.round_id, m.updated_at FROM {co_owners} c"
        f" INNER JOIN {measure} m ON m.id = c.measure_id WHERE c.member_id IN (SELECT id FROM mine)),"
        " teams AS (SELECT team_id FROM mine"
        f" UNION SELECT (SELECT r.team_id FROM {round_} r WHERE r.id = owned.round_id) FROM owned),"
        f" paths AS (SELECT (SELECT o.path FROM {team} t INNER JOIN {organization} o"
        " ON o.id = t.organization_id WHERE t.id = teams.team_id) AS path FROM teams)"
        " SELECT path, (SELECT CAST(e.seq AS TEXT) || '-' || SUBSTR(e.hash, 1, 16)"
        f" FROM {event} e WHERE e.organization_path = paths.path ORDER BY e.seq DESC LIMIT 1) FROM paths"
        " UNION ALL SELECT '', CAST(COUNT(*) AS TEXT) || '-' || CAST(COALESCE(SUM(id), 0) AS TEXT)"
        " || '-' || COALESCE(CAST(MAX(updated_at) AS TEXT), '') FROM owned"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        rows = sorted((str(path), str(version or "0")) for path, version in cursor.fetchall())
    return "|".join(f"{path}:{version}" for path, version in rows)


def cached_personal_fragment(
    name: str, scope: int, version: Callable[[], str], variant: str, render: Callable[[], str]
) -> SafeString:
    """RENDER()'s HTML of part NAME of a page about one person (SCOPE: a user or member id), from
    the cache while VERSION() (one query), the day and VARIANT (what else the part depends on, e.g.
    the viewer's roles) are unchanged. VERSION is not asked when the cache is off."""
    if settings.LUOSHI_FRAGMENT_CACHE_SECONDS <= 0:
        return mark_safe(render())
    shown = f"{timezone.localdate().isoformat()}|{settings.LUOSHI_DUE_SOON_DAYS}|{version()}|{variant}"
    digest = hashlib.sha1(shown.encode("utf-8")).hexdigest()
    key = f"luoshi:personal:{name}:{scope}:{digest}"
    html = user_fragment_store.get(key)
    if html is None:
        html = str(render())
        user_fragment_store.set(key, html, settings.LUOSHI_FRAGMENT_CACHE_SECONDS)
    return mark_safe(html)


def cached_owner_fragment(user_id: int, name: str, variant: str, render: Callable[[], str]) -> SafeString:
    """RENDER()'s HTML of part NAME of USER_ID's own measures page, cached under `owner_version`."""
    return cached_personal_fragment(name, user_id, lambda: owner_version(user_id), variant, render)
