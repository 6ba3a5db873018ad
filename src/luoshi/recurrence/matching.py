"""The organization's earlier problems as a match index, and what each new text matches in them.

One index per organization subtree and process, built from every problem of the subtree (summary and
text) and kept until problems are added: the cache key carries the largest problem id, and newer
problems are added to the index incrementally (the engine's `add`). A problem deleted (the count
drops) rebuilds it. Edited texts are not noticed until the next rebuild; problems rarely change
after import, and a restart rebuilds everything.

With ``LUOSHI_EMBEDDING=e5`` (or ``LUOSHI_EMBEDDING_MODEL_DIR``) the indexes blend in the embedding
backend, loaded once per process, and `threshold()` / `decide` follow the backend's threshold.

Permission is applied to the answers, not the index: every match is filtered through
`Problem.objects.for_user(user, "view")` restricted to earlier rounds, so another organization's
history, or a higher level's, never reaches a page.
"""

from __future__ import annotations

import datetime
import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from luoshi.ledger.models import Measure, Problem, Round
from luoshi.text.match import DEFAULT_THRESHOLD, Match, MatchIndex, embedding
from luoshi.text.match import decide as _decide

# How many earlier problems a page shows per item.
TOP = 5
# Asked from the engine before filtering by permission and by round (the current round's own
# problems and later rounds' are in the same index and must not crowd out earlier ones).
_ASK = 50

__all__ = [
    "DEFAULT_THRESHOLD",
    "TOP",
    "Earlier",
    "decide",
    "earlier_for_round",
    "earlier_scope",
    "match_texts",
    "threshold",
]


@dataclass
class _Cached:
    index: MatchIndex
    max_id: int = 0
    count: int = 0
    newest: datetime.datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_CACHE: dict[str, _Cached] = {}
_CACHE_LOCK = threading.Lock()


@functools.cache
def _embedder() -> embedding.EmbeddingBackend | None:
    """The embedding backend configured in the environment (None: lexical), loaded once."""
    return embedding.backend_from_env()


def _new_index() -> MatchIndex:
    return MatchIndex(embedder=_embedder())


def _backend_threshold() -> float:
    return _new_index().threshold


def threshold() -> float:
    """The score at which a match is suggested: the backend's threshold, or the lexical default."""
    return _backend_threshold()


SIMILARITY_LEVELS = ("高", "中", "低")


def similarity_level(score: float, threshold: float) -> str:
    """高 / 中 / 低 for a match score: 低 below the suggestion threshold, 高 in the top third of the
    range above it, else 中 (a bare decimal means little to a reader)."""
    if score < threshold:
        return "低"
    return "高" if score >= threshold + (1 - threshold) / 3 else "中"


def decide(matches: Sequence[Match], threshold: float | None = None) -> str | None:
    """The engine's decision at THRESHOLD (default: `threshold()`, which follows the backend)."""
    return _decide(matches, threshold=_backend_threshold() if threshold is None else threshold)


def problem_text(summary: str, text: str) -> str:
    """What the engine compares: the summary, and the full text when it adds something."""
    return summary if not text or text == summary else f"{summary}\n{text}"


def _subtree(path: str) -> QuerySet[Problem]:
    return Problem.objects.filter(round__team__organization__path__startswith=path)


def _current(path: str) -> _Cached:
    """The cache entry of PATH, brought up to date with the database (its lock is not held).

    Costs one aggregate query when nothing changed; one more (the new rows) when problems were added.
    The count and the newest creation time catch what the largest id alone would miss: a deletion,
    or an id used again after a rolled-back insert (SQLite), which rebuild the index from scratch.
    """
    state = _subtree(path).aggregate(max_id=Max("id"), count=Count("id"), newest=Max("created_at"))
    max_id, count, newest = state["max_id"] or 0, state["count"], state["newest"]
    with _CACHE_LOCK:
        cached = _CACHE.get(path)
        stale = cached is not None and (
            count < cached.count
            or max_id < cached.max_id
            or (max_id == cached.max_id and (count != cached.count or newest != cached.newest))
        )
        if cached is None or stale:
            cached = _Cached(_new_index())
            _CACHE[path] = cached
    with cached.lock:
        if max_id > cached.max_id:
            _add_newer(cached, path, max_id)
            if len(cached.index) != count:  # an id seen before has gone: start again
                cached.index, cached.max_id = _new_index(), 0
                _add_newer(cached, path, max_id)
            cached.max_id, cached.count, cached.newest = max_id, count, newest
    return cached


def _add_newer(cached: _Cached, path: str, up_to: int) -> None:
    # Bounded by the id the aggregate saw, so a problem added meanwhile is added once, next time.
    rows = (
        _subtree(path)
        .filter(id__gt=cached.max_id, id__lte=up_to)
        .order_by("id")
        .values_list("id", "summary", "text")
    )
    for pk, summary, text in rows:
        cached.index.add(str(pk), problem_text(summary, text))


def index_for(path: str) -> MatchIndex:
    """The match index over every problem of the organization with PATH and its subtree."""
    return _current(path).index


def _query(path: str, texts: Sequence[str], top: int) -> list[list[Match]]:
    cached = _current(path)
    # Under the entry's lock: a query compiles the index lazily, which must not race an add().
    with cached.lock:
        if not len(cached.index):
            return [[] for _ in texts]
        return cached.index.query_many(list(texts), top=min(len(cached.index), top))


def clear_cache() -> None:
    """Forget every index and the loaded backend (tests; a process that edits many problems in bulk)."""
    with _CACHE_LOCK:
        _CACHE.clear()
        _embedder.cache_clear()


def earlier_scope(round_: Round, user: Any) -> QuerySet[Problem]:
    """Problems USER may see in rounds of ROUND's organization (and below) that came before ROUND:
    an earlier year, or the same year and created before it."""
    earlier = Q(round__year__lt=round_.year) | Q(round__year=round_.year, round_id__lt=round_.pk)
    return (
        Problem.objects.for_user(user, "view")
        .filter(round__team__organization__path__startswith=round_.team.organization.path)
        .filter(earlier)
    )


def match_texts(round_: Round, user: Any, texts: Sequence[str], top: int = TOP) -> list[list[Match]]:
    """For each text, its best earlier problems (ids are problem pks as strings), best first."""
    if not texts:
        return []
    allowed = {str(pk) for pk in earlier_scope(round_, user).values_list("pk", flat=True)}
    if not allowed:
        return [[] for _ in texts]
    answers = _query(round_.team.organization.path, texts, _ASK)
    return [[m for m in found if m.id in allowed][:top] for found in answers]


@dataclass(frozen=True)
class Earlier:
    """An earlier problem a problem of the round matches, with the score; `confirmed` when staff
    linked them (Problem.recurrence_of)."""

    problem: Problem
    score: float | None
    confirmed: bool = False


def earlier_for_round(round_: Round, user: Any, threshold: float | None = None) -> dict[int, list[Earlier]]:
    """For every problem of ROUND: the earlier problems it matches at or above THRESHOLD (default:
    `threshold()`) and its confirmed earlier problem, first. A fixed number of queries, whatever the
    number of problems."""
    if threshold is None:
        threshold = _backend_threshold()
    problems = list(Problem.objects.filter(round=round_).only("pk", "summary", "text", "recurrence_of_id"))
    found = match_texts(round_, user, [problem_text(p.summary, p.text) for p in problems])
    wanted = {int(m.id) for matches in found for m in matches if m.score >= threshold}
    linked = {p.recurrence_of_id for p in problems if p.recurrence_of_id}
    visible = {
        p.pk: p
        for p in earlier_scope(round_, user)
        .filter(pk__in=wanted | linked)
        .select_related("round")
        .prefetch_related(Prefetch("measures", queryset=Measure.objects.order_by("number")))
    }
    result: dict[int, list[Earlier]] = {}
    for problem, matches in zip(problems, found, strict=True):
        rows: list[Earlier] = []
        if problem.recurrence_of_id in visible:
            score = next((m.score for m in matches if int(m.id) == problem.recurrence_of_id), None)
            rows.append(Earlier(visible[problem.recurrence_of_id], score, confirmed=True))
        for m in matches:
            pk = int(m.id)
            if m.score >= threshold and pk in visible and pk != problem.recurrence_of_id:
                rows.append(Earlier(visible[pk], m.score))
        result[problem.pk] = rows
    return result
