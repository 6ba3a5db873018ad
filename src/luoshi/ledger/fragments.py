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
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from luoshi.audit.models import Event
from luoshi.ledger.models import Round


def round_version(round_: Round) -> str:
    """The last audit event recorded for ROUND's organization, as "number-hash" ("0" when none).

    The hash makes the version unique even where numbers repeat (a database restored from a backup
    under a running server, or test databases rolled back between tests)."""
    cached: str | None = getattr(round_, "_luoshi_version", None)
    if cached is not None:  # asked once per request, however many fragments the page has
        return cached
    path = round_.team.organization.path
    last = Event.objects.filter(organization_path=path).order_by("-seq").values_list("seq", "hash").first()
    version = f"{last[0]}-{last[1][:16]}" if last else "0"
    round_._luoshi_version = version  # type: ignore[attr-defined]
    return version


def cached_fragment(round_: Round, name: str, variant: str, render: Callable[[], str]) -> SafeString:
    """RENDER()'s HTML for ROUND, from the cache when nothing changed since it was rendered."""
    if settings.LUOSHI_FRAGMENT_CACHE_SECONDS <= 0:
        return mark_safe(render())
    # The day and the due-soon setting decide the lights; the variant what else differs per viewer.
    shown = f"{timezone.localdate().isoformat()}|{settings.LUOSHI_DUE_SOON_DAYS}|{variant}"
    digest = hashlib.sha1(shown.encode("utf-8")).hexdigest()[:16]
    key = f"luoshi:frag:{name}:{round_.pk}:{round_version(round_)}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, settings.LUOSHI_FRAGMENT_CACHE_SECONDS)
    return mark_safe(html)
