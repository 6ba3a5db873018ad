"""Figures of a round's preparation, counted from the records (never typed into a report)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count

from luoshi.ledger.models import Round
from luoshi.meetings.models import Opinion, OpinionSource, StudySession, Talk


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


@dataclass(frozen=True)
class PreparationFigures:
    study_sessions: int
    seminars: int
    talks: int
    # 人次: one for each partner of each talk, in the team or outside it.
    talk_person_times: int


def preparation_figures(round: Round) -> PreparationFigures:
    sessions = list(StudySession.objects.filter(round=round).values_list("seminar", flat=True))
    talks = list(
        Talk.objects.filter(round=round).annotate(n=Count("partners")).values_list("n", "outside_partners")
    )
    person_times = sum(n + len(_outside_names(outside)) for n, outside in talks)
    return PreparationFigures(
        study_sessions=len(sessions),
        seminars=sum(1 for seminar in sessions if seminar),
        talks=len(talks),
        talk_person_times=person_times,
    )


def _outside_names(text: str) -> list[str]:
    return [name for name in re.split(r"[、，,；;\s]+", text) if name]
