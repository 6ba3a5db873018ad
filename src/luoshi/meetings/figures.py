"""Figures of a round's preparation, counted from the records (never typed into a report)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from luoshi.ledger.models import Round
from luoshi.meetings.models import Opinion, OpinionSource


@dataclass(frozen=True)
class OpinionFigures:
    total: int
    # (source label, count) for every source, in the order of OpinionSource, zeros included.
    by_source: list[tuple[str, int]]


def opinion_figures(round: Round) -> OpinionFigures:
    counts = dict(
        Opinion.objects.filter(round=round)
        .values_list("source")
        .annotate(n=Count("pk"))
        .values_list("source", "n")
    )
    by_source = [(str(label), counts.get(value, 0)) for value, label in OpinionSource.choices]
    return OpinionFigures(total=sum(counts.values()), by_source=by_source)
