"""What a report is written from: the round's problems and measures, read once with everything a
report shows prefetched, so the number of queries does not grow with the number of measures.

`counted_measures` and `counted_problems` are the one place that decides which records a report
counts: every report, figure and spreadsheet of this app goes through them. Voided (作废) problems
and measures are left out by the models' default managers (`luoshi.ledger.models.LiveManager`),
which these read; only the ledger .xlsx asks for them explicitly, through its 作废 filter.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from luoshi.ledger.models import (
    Aspect,
    Evidence,
    Measure,
    Problem,
    ProgressUpdate,
    Review,
    Round,
)
from luoshi.ledger.services import Rates, rates
from luoshi.ledger.states import MeasureStatus
from luoshi.orgs.models import Member
from luoshi.reports.docx_layout import chinese_date


def counted_measures(round_: Round) -> QuerySet[Measure]:
    """The measures of ROUND that reports count: all but the voided ones."""
    return Measure.objects.filter(round=round_)


def counted_problems(round_: Round) -> QuerySet[Problem]:
    """The problems of ROUND that reports count: all but the voided ones."""
    return Problem.objects.filter(round=round_)


def with_details(measures: QuerySet[Measure], *, evidence: bool = False) -> QuerySet[Measure]:
    """MEASURES with what reports show of each: owner, problem and aspect, progress updates,
    reviews with their reviewer, and (for the ledger) evidence — a fixed number of queries."""
    # Only the columns reports print: a report builds thousands of these objects.
    updates = ProgressUpdate.objects.only("id", "measure_id", "date", "text").order_by("date", "id")
    reviews = (
        Review.objects.select_related("reviewer")
        .only(
            "id",
            "measure_id",
            "decision",
            "reasons",
            "created_at",
            "reviewer__username",
            "reviewer__first_name",
            "reviewer__last_name",
        )
        .order_by("created_at", "id")
    )
    prefetch = [Prefetch("updates", queryset=updates), Prefetch("reviews", queryset=reviews)]
    if evidence:
        prefetch.append(Prefetch("evidence", queryset=Evidence.objects.order_by("evidence_date", "id")))
    return measures.select_related("owner", "problem__aspect").prefetch_related(*prefetch).order_by("number")


def person(user: Any) -> str:
    """A user's name as reports print it."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


def owner_name(measure: Measure) -> str:
    if measure.owner is not None:
        return measure.owner.name
    return measure.owner_label or "未明确"


def deadline_text(measure: Measure) -> str:
    """The current deadline; "（原定…，已延期）" after an extension; the deadline as written else."""
    if measure.current_deadline is None:
        return measure.deadline_text or ("长期坚持" if measure.long_term else "未明确")
    text = chinese_date(measure.current_deadline)
    if measure.extended and measure.baseline_deadline is not None:
        text += f"（原定{chinese_date(measure.baseline_deadline)}，已延期）"
    return text


def latest_review(measure: Measure) -> Review | None:
    reviews = list(measure.reviews.all())  # prefetched, in order
    return reviews[-1] if reviews else None


def latest_update(measure: Measure) -> ProgressUpdate | None:
    updates = list(measure.updates.all())  # prefetched, in order
    return updates[-1] if updates else None


def is_unfinished(measure: Measure) -> bool:
    """Not closed: open, or basically done and continuing."""
    return measure.status != MeasureStatus.CLOSED


@dataclass
class AspectGroup:
    """The problems of one aspect, each with its measures, in ledger order."""

    name: str
    problems: list[tuple[Problem, list[Measure]]] = field(default_factory=list)


@dataclass
class RoundRecords:
    """A round read for a report."""

    round: Round
    organization: str
    today: datetime.date
    problems: list[Problem]
    measures: list[Measure]
    rates: Rates

    @property
    def problem_count(self) -> int:
        return len(self.problems)

    def status_count(self, status: MeasureStatus) -> int:
        return sum(1 for m in self.measures if m.status == status)

    def by_aspect(self, aspects: Iterable[Aspect]) -> tuple[list[AspectGroup], list[Measure]]:
        """Problems grouped by the framework's aspects (in its order; problems filed under none go
        by the aspect as written, then under 其他), and the measures that belong to no problem."""
        by_problem: dict[int | None, list[Measure]] = {}
        for measure in self.measures:
            by_problem.setdefault(measure.problem_id, []).append(measure)
        groups: dict[str, AspectGroup] = {a.name: AspectGroup(a.name) for a in aspects}
        for problem in self.problems:
            name = problem.aspect_name or "其他"
            group = groups.setdefault(name, AspectGroup(name))
            group.problems.append((problem, by_problem.get(problem.pk, [])))
        return [g for g in groups.values() if g.problems], by_problem.get(None, [])


def load_round(round_: Round, *, today: datetime.date | None = None) -> RoundRecords:
    """ROUND with its counted problems and measures and the rates over them (a fixed number of
    queries: round with team and organization, problems, measures and their details, rates)."""
    today = today or timezone.localdate()
    round_ = Round.objects.select_related("team__organization", "framework").get(pk=round_.pk)
    measures = counted_measures(round_)
    return RoundRecords(
        round=round_,
        organization=round_.team.organization.name,
        today=today,
        problems=list(counted_problems(round_).select_related("aspect").order_by("number")),
        measures=list(with_details(measures)),
        rates=rates(measures, today),
    )


def member_measures(round_: Round, member: Member) -> list[Measure]:
    """The counted measures of ROUND that MEMBER owns, with their details."""
    return list(with_details(counted_measures(round_).filter(owner=member)))


__all__ = [
    "AspectGroup",
    "RoundRecords",
    "counted_measures",
    "counted_problems",
    "load_round",
    "member_measures",
    "with_details",
]
