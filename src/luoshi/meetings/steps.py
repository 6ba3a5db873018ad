"""The round's timeline: its steps, each with a deadline computed from the anchor date and the
settings, the planned and actual dates the organizer recorded, and what the records suggest.

Nothing here is stored but what the organizer typed (`Preparation`, `RoundStep`); deadlines, overdue
and the suggestions are computed on every read (DESIGN.md principles 5 and 9).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from luoshi.ledger.models import ImportDraft, Measure, Round, RoundKind
from luoshi.meetings.models import Meeting, Opinion, OpinionStatus, Preparation, RoundStep, StepKey, Talk
from luoshi.meetings.step_offsets import FEEDBACK_STEPS, MEETING_STEPS, Offset

# Rounds that start from findings handed to the team (巡察/审计/督导反馈) rather than from a meeting.
FEEDBACK_KINDS = frozenset({RoundKind.INSPECTION, RoundKind.AUDIT, RoundKind.SUPERVISION})


def is_feedback_round(round_: Round) -> bool:
    return round_.kind in FEEDBACK_KINDS


def step_keys(round_: Round) -> tuple[str, ...]:
    return FEEDBACK_STEPS if is_feedback_round(round_) else MEETING_STEPS


def offsets(round_: Round) -> dict[str, Offset]:
    if is_feedback_round(round_):
        return dict(settings.LUOSHI_FEEDBACK_STEP_OFFSETS)
    return dict(settings.LUOSHI_MEETING_STEP_OFFSETS)


def anchor_label(round_: Round) -> str:
    return "收到反馈意见日期" if is_feedback_round(round_) else "会议日期"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """DAY moved by MONTHS calendar months (the 31st becomes the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def deadline_from(anchor: datetime.date, offset: Offset) -> datetime.date:
    if offset.months:
        return add_months(anchor, offset.amount)
    return anchor + datetime.timedelta(days=offset.amount)


def offset_text(offset: Offset, round_: Round) -> str:
    """'会前 15 天' / '会后 15 天内' / '收到反馈后 2 个月内'."""
    base = "收到反馈" if is_feedback_round(round_) else "会"
    unit = "个月" if offset.months else "天"
    if offset.amount == 0:
        return "当天" if not is_feedback_round(round_) else "收到反馈当天"
    if offset.amount < 0:
        return f"{base}前 {-offset.amount} {unit}"
    return f"{base}后 {offset.amount} {unit}内"


@dataclass(frozen=True)
class Suggestion:
    """The records say this step has happened: when, and why we think so."""

    date: datetime.date
    reason: str


@dataclass(frozen=True)
class StepView:
    key: str
    label: str
    rule: str
    deadline: datetime.date | None
    planned: datetime.date | None
    done: datetime.date | None
    today: datetime.date
    suggestion: Suggestion | None = None
    # The feedback step of an inspection round is done on the anchor date by definition.
    implied: bool = False

    @property
    def state(self) -> str:
        """done / done_late / overdue / soon / pending / unscheduled (no anchor date yet)."""
        if self.done is not None:
            return "done_late" if self.deadline and self.done > self.deadline else "done"
        if self.deadline is None:
            return "unscheduled"
        if self.deadline < self.today:
            return "overdue"
        if (self.deadline - self.today).days <= settings.LUOSHI_DUE_SOON_DAYS:
            return "soon"
        return "pending"

    @property
    def days_left(self) -> int | None:
        return (self.deadline - self.today).days if self.deadline else None

    @property
    def state_text(self) -> str:
        state = self.state
        if state == "done":
            return f"已完成（{self.done:%Y-%m-%d}）"
        if state == "done_late":
            return f"逾期完成（{self.done:%Y-%m-%d}）"
        if state == "unscheduled":
            return "待定（尚未设定日期）"
        days = self.days_left or 0
        if state == "overdue":
            return f"已逾期 {-days} 天"
        if days == 0:
            return "今天到期"
        return f"还剩 {days} 天"

    @property
    def is_overdue(self) -> bool:
        return self.state == "overdue"


@dataclass(frozen=True)
class Timeline:
    round: Round
    anchor: datetime.date | None
    anchor_label: str
    steps: list[StepView]

    @property
    def overdue(self) -> list[StepView]:
        return [s for s in self.steps if s.is_overdue]

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.steps if s.done is not None)

    @property
    def current(self) -> StepView | None:
        """The first step not yet done."""
        return next((s for s in self.steps if s.done is None), None)


def build_steps(
    round_: Round,
    anchor: datetime.date | None,
    recorded: Iterable[RoundStep],
    today: datetime.date,
    suggestions: dict[str, Suggestion] | None = None,
) -> list[StepView]:
    """The round's steps in order (pure: the caller reads the rows)."""
    rows = {row.step: row for row in recorded}
    labels = dict(StepKey.choices)
    found = []
    for key, offset in ((k, offsets(round_)[k]) for k in step_keys(round_)):
        row = rows.get(key)
        done = row.done_date if row else None
        implied = key == StepKey.FEEDBACK and done is None and anchor is not None
        if implied:
            done = anchor
        found.append(
            StepView(
                key=key,
                label=str(labels[key]),
                rule=offset_text(offset, round_),
                deadline=deadline_from(anchor, offset) if anchor else None,
                planned=row.planned_date if row else None,
                done=done,
                today=today,
                suggestion=(suggestions or {}).get(key) if done is None else None,
                implied=implied,
            )
        )
    return found


def _day(value: datetime.datetime | datetime.date) -> datetime.date:
    return timezone.localdate(value) if isinstance(value, datetime.datetime) else value


def suggestions(round_: Round) -> dict[str, Suggestion]:
    """Steps the records show as having happened: opinions received (or forwarded), talks recorded,
    material imported, the meeting held with its criticisms, measures made (six small queries)."""
    found: dict[str, Suggestion] = {}
    opinions = Opinion.objects.filter(round=round_).aggregate(
        last=Max("received_at"),
        n=Count("pk"),
        forwarded=Count("pk", filter=Q(status=OpinionStatus.FORWARDED)),
    )
    if opinions["last"] is not None and not is_feedback_round(round_):
        reason = f"已收到意见建议 {opinions['n']} 条"
        if opinions["forwarded"]:
            reason += f"，已转交 {opinions['forwarded']} 条"
        found[StepKey.OPINIONS] = Suggestion(_day(opinions["last"]), reason)
    talks = Talk.objects.filter(round=round_).aggregate(n=Max("date"))["n"]
    if talks is not None and not is_feedback_round(round_):
        found[StepKey.TALKS] = Suggestion(talks, "已记录谈心谈话")
    imported = ImportDraft.objects.filter(round=round_, confirmed_at__isnull=False).aggregate(
        n=Max("confirmed_at")
    )["n"]
    if imported is not None and not is_feedback_round(round_):
        found[StepKey.MATERIALS] = Suggestion(_day(imported), "已导入对照检查材料")
    meeting = Meeting.objects.filter(round=round_, held=True).annotate(n=Count("round__criticisms")).first()
    if meeting is not None and meeting.date is not None and not is_feedback_round(round_):
        reason = "会议已召开" + (f"，登记批评意见 {meeting.n} 条" if meeting.n else "")
        found[StepKey.MEETING] = Suggestion(meeting.date, reason)
    measures = Measure.objects.filter(round=round_).aggregate(n=Max("created_at"))["n"]
    if measures is not None:
        key = StepKey.PLAN if is_feedback_round(round_) else StepKey.MEASURES
        found[key] = Suggestion(_day(measures), "台账中已有整改措施")
    return found


def timeline(round_: Round, today: datetime.date | None = None, *, suggest: bool = True) -> Timeline:
    """ROUND's steps as they stand today."""
    today = today or timezone.localdate()
    preparation = Preparation.objects.filter(round=round_).first()
    anchor = preparation.anchor_date if preparation else None
    recorded = list(RoundStep.objects.filter(round=round_))
    found = suggestions(round_) if suggest else None
    return Timeline(round_, anchor, anchor_label(round_), build_steps(round_, anchor, recorded, today, found))
