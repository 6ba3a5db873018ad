"""The meeting itself (民主生活会): registration and attendance with the quorum, 回头看 of the previous
round's unfinished measures, and the criticisms raised, each of which can become its target member's
problem.

As in `luoshi.ledger.services`, every write checks the actor's role, changes its rows and appends
its audit event in one transaction. Closing a carried measure goes through the ledger's one
transition service, with its four-eyes rule: nothing here closes a measure by itself.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.chain import record
from luoshi.audit.models import EventType
from luoshi.errors import Conflict, DomainError, Invalid, NotAllowed
from luoshi.ledger import planning
from luoshi.ledger.models import Aspect, Measure, Problem, Round, Source
from luoshi.ledger.services import transition
from luoshi.ledger.states import MeasureStatus
from luoshi.meetings.models import (
    Attendance,
    CarriedMeasure,
    CarryDecision,
    Criticism,
    Meeting,
    Preparation,
)
from luoshi.meetings.services_prep import store_anchor
from luoshi.meetings.steps import is_feedback_round
from luoshi.orgs.access import has_role
from luoshi.orgs.models import Member
from luoshi.reports.records import counted_measures

CRITICISM_MAX_CHARS = 2000
NOTE_MAX_CHARS = 1000


def _path(round_: Round) -> str:
    return round_.team.organization.path


def can_manage(user: Any, round_: Round) -> bool:
    """Organizers of the round's organization (or above) register the meeting and its records."""
    return has_role(user, _path(round_), "manage")


def can_decide_carried(user: Any, round_: Round) -> bool:
    """Organizers record 回头看 conclusions; reviewers too (closing a measure is theirs to do)."""
    path = _path(round_)
    return has_role(user, path, "manage") or has_role(user, path, "review")


def _require_manage(actor: Any, round_: Round, doing: str) -> None:
    if not can_manage(actor, round_):
        raise NotAllowed(f"只有本单位（或上级单位）的组织者可以{doing}")


def _clean(text: str, limit: int, what: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise Invalid(f"请填写{what}")
    if len(text) > limit:
        raise Invalid(f"{what}不能超过 {limit} 个字")
    return text


# --- quorum ------------------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九十"


def share_text(share: Fraction) -> str:
    """2/3 → 三分之二, 4/5 → 五分之四, 1 → 全体; beyond ten the digits read better."""
    if share == 1:
        return "全体"
    if share.denominator <= 10:
        return f"{_DIGITS[share.denominator]}分之{_DIGITS[share.numerator]}"
    return f"{share.numerator}/{share.denominator}"


@dataclass(frozen=True)
class Quorum:
    """Who was expected (应到), who was present (实到), and whether the required share was met."""

    expected: int
    present: int
    share: Fraction

    @property
    def required(self) -> int:
        """The fewest present for the meeting to be quorate: present ÷ expected ≥ share."""
        return math.ceil(self.expected * self.share)

    @property
    def met(self) -> bool:
        return self.expected > 0 and self.present >= self.required

    @property
    def percent(self) -> float | None:
        return None if self.expected == 0 else round(100 * self.present / self.expected, 1)

    @property
    def text(self) -> str:
        """ "应到 6 人，实到 5 人（83.3%）；须达到应到人数的三分之二（至少 4 人），已达到"."""
        figure = "—" if self.percent is None else f"{self.percent:.1f}%"
        verdict = "已达到" if self.met else "未达到"
        return (
            f"应到 {self.expected} 人，实到 {self.present} 人（{figure}）；须达到应到人数的"
            f"{share_text(self.share)}（至少 {self.required} 人），{verdict}"
        )


def quorum(meeting: Meeting) -> Quorum:
    """The meeting's quorum, counted from its attendance rows (one query)."""
    counts = Attendance.objects.filter(meeting=meeting).aggregate(
        expected=Count("pk"), present=Count("pk", filter=Q(present=True))
    )
    return Quorum(counts["expected"], counts["present"], settings.LUOSHI_MEETING_QUORUM)


# --- the meeting and its attendance ------------------------------------------------------------


def _check_member(member: Member | None, round_: Round, what: str) -> None:
    if member is not None and member.team_id != round_.team_id:
        raise Invalid(f"{what}{member.name}不是本班子成员")


def _follow_date(round_: Round, date: datetime.date | None, *, actor: Any) -> None:
    """The meeting date is one fact: the steps' anchor (their deadlines and reminders count from
    it) moves with the meeting's date. A meeting without a date leaves the planned one alone."""
    if date is not None and not is_feedback_round(round_):
        store_anchor(round_, date, actor=actor)


def planned_date(round_: Round) -> datetime.date | None:
    """The meeting date set on the steps page before the meeting is registered."""
    if is_feedback_round(round_):
        return None
    return Preparation.objects.filter(round=round_).values_list("anchor_date", flat=True).first()


@transaction.atomic
def register_meeting(
    round_: Round,
    *,
    actor: Any,
    date: datetime.date | None = None,
    place: str = "",
    host: Member | None = None,
) -> Meeting:
    """Register ROUND's meeting: the expected attendees are the team's active members, all present
    until the organizer records an absence. Then 回头看 carries the previous round's unfinished
    measures into this round."""
    locked = Round.objects.select_for_update().select_related("team__organization").get(pk=round_.pk)
    _require_manage(actor, locked, "登记民主生活会")
    if Meeting.objects.filter(round=locked).exists():
        raise Conflict("本轮次的会议已登记")
    _check_member(host, locked, "主持人")
    place = _clean(place, 200, "会议地点", required=False)
    date = date or planned_date(locked)
    meeting = Meeting.objects.create(round=locked, date=date, place=place, host=host)
    _follow_date(locked, date, actor=actor)
    members = list(Member.objects.filter(team_id=locked.team_id, active=True))
    Attendance.objects.bulk_create([Attendance(meeting=meeting, member=m) for m in members])
    record(
        EventType.MEETING_REGISTERED,
        meeting,
        actor=actor,
        new={
            "date": date,
            "place": place,
            "host": host.name if host else "",
            "expected": [m.name for m in members],
        },
        organization_path=_path(locked),
    )
    carry_forward(locked, actor=actor)
    return meeting


@transaction.atomic
def change_meeting(
    meeting: Meeting,
    *,
    actor: Any,
    date: datetime.date | None,
    place: str,
    host: Member | None,
) -> Meeting:
    """Correct the meeting's date, place or host."""
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("round__team__organization", "host")
        .get(pk=meeting.pk)
    )
    _require_manage(actor, locked.round, "修改会议信息")
    _check_member(host, locked.round, "主持人")
    place = _clean(place, 200, "会议地点", required=False)
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    if date != locked.date:
        old["date"], new["date"] = locked.date, date
    if place != locked.place:
        old["place"], new["place"] = locked.place, place
    if (host.pk if host else None) != locked.host_id:
        old["host"], new["host"] = (locked.host.name if locked.host else ""), (host.name if host else "")
    if not new:
        return locked
    if locked.held and date is None:
        raise Invalid("会议已确认召开，会议日期不能为空")
    locked.date, locked.place, locked.host = date, place, host
    locked.save(update_fields=["date", "place", "host"])
    if "date" in new:
        _follow_date(locked.round, date, actor=actor)
    record(
        EventType.MEETING_CHANGED,
        locked,
        actor=actor,
        old=old,
        new=new,
        organization_path=_path(locked.round),
    )
    return locked


@transaction.atomic
def record_attendance(meeting: Meeting, *, actor: Any, absences: Mapping[int, str]) -> Quorum:
    """Record who was absent and why (ABSENCES: member id → reason); every other expected attendee
    was present. Refused once the meeting is recorded as held (its quorum was decided on these)."""
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("round__team__organization")
        .get(pk=meeting.pk)
    )
    _require_manage(actor, locked.round, "登记出席情况")
    if locked.held:
        raise Conflict("会议已确认召开，出席情况不能再修改")
    rows = list(Attendance.objects.filter(meeting=locked).select_related("member"))
    known = {row.member_id for row in rows}
    strangers = set(absences) - known
    if strangers:
        raise Invalid("缺席人员须是本次会议的应到人员")
    old_absent = {row.member.name: row.reason for row in rows if not row.present}
    changed = []
    for row in rows:
        reason = absences.get(row.member_id)
        present = reason is None
        if not present:
            reason = _clean(reason or "", 200, f"{row.member.name}的缺席原因")
        if row.present != present or row.reason != (reason or ""):
            row.present, row.reason = present, reason or ""
            changed.append(row)
    Attendance.objects.bulk_update(changed, ["present", "reason"])
    found = quorum(locked)
    if changed:
        record(
            EventType.MEETING_ATTENDANCE,
            locked,
            actor=actor,
            old={"absent": old_absent},
            new={
                "absent": {row.member.name: row.reason for row in rows if not row.present},
                "present": found.present,
                "expected": found.expected,
            },
            organization_path=_path(locked.round),
        )
    return found


@transaction.atomic
def mark_held(meeting: Meeting, *, actor: Any, confirm_without_quorum: bool = False) -> Meeting:
    """Record the meeting as held. Without the quorum this needs the organizer's explicit
    confirmation, which is kept with the meeting and in its audit event."""
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("round__team__organization")
        .get(pk=meeting.pk)
    )
    _require_manage(actor, locked.round, "确认会议召开")
    if locked.held:
        return locked
    if locked.date is None:
        raise Invalid("请先填写会议日期")
    found = quorum(locked)
    if not found.met and not confirm_without_quorum:
        raise Conflict(f"{found.text}。未达到规定人数的会议，须由组织者勾选确认后才能记录为已召开")
    locked.held = True
    locked.held_without_quorum = not found.met
    locked.save(update_fields=["held", "held_without_quorum"])
    record(
        EventType.MEETING_HELD,
        locked,
        actor=actor,
        new={
            "date": locked.date,
            "present": found.present,
            "expected": found.expected,
            "quorum_met": found.met,
            "confirmed_without_quorum": not found.met,
        },
        organization_path=_path(locked.round),
    )
    return locked


# --- 回头看 --------------------------------------------------------------------------------------


def _order_key(round_: Round) -> tuple[int, datetime.date, int]:
    return (round_.year, round_.start_date or datetime.date.min, round_.pk)


def previous_round(round_: Round) -> Round | None:
    """The round of the same team and kind held just before ROUND (by year, start date, creation)."""
    candidates = Round.objects.filter(team_id=round_.team_id, kind=round_.kind).exclude(pk=round_.pk)
    earlier = [
        r for r in candidates.select_related("team__organization") if _order_key(r) < _order_key(round_)
    ]
    return max(earlier, key=_order_key, default=None)


def carry_forward(round_: Round, *, actor: Any) -> list[CarriedMeasure]:
    """Carry the previous round's unfinished measures (not closed; only those reports count) into
    ROUND's 回头看, once each. Safe to call again: measures already carried are left alone, and a
    measure reopened since is carried then. Each carried measure gets an event in its history."""
    previous = previous_round(round_)
    if previous is None:
        return []
    carried = set(CarriedMeasure.objects.filter(round=round_).values_list("measure_id", flat=True))
    waiting = [
        m
        for m in counted_measures(previous).exclude(status=MeasureStatus.CLOSED).order_by("number")
        if m.pk not in carried
    ]
    if not waiting:
        return []
    created = []
    with transaction.atomic():
        for measure in waiting:
            row, new = CarriedMeasure.objects.get_or_create(round=round_, measure=measure)
            if not new:
                continue  # carried by someone opening the page at the same moment
            created.append(row)
            record(
                EventType.MEASURE_CARRIED,
                measure,
                actor=actor,
                new={"carried_to": round_.title, "status": measure.status},
                organization_path=_path(previous),
            )
    return created


class CloseRefused(DomainError):
    """The carried measure could not be closed by this user; the ledger's reason is kept, and the
    page links to the measure where the right person can close it."""

    def __init__(self, error: DomainError, measure: Measure) -> None:
        super().__init__(f"{error.message}。销号须按验收程序办理，请到该措施页面处理")
        self.status = error.status
        self.measure = measure


@transaction.atomic
def decide_carried(carried: CarriedMeasure, decision: str, *, actor: Any, note: str = "") -> CarriedMeasure:
    """Record the meeting's 回头看 conclusion on a carried measure: 继续整改, or 已完成销号.

    已完成销号 on a measure not yet closed closes it through `luoshi.ledger.services.transition`
    (a reviewer, four eyes, the measure submitted); when that is refused nothing is recorded and
    CloseRefused says why. The conclusion is written to this round's record and, as an event, to
    the measure's own history in its round."""
    locked = (
        CarriedMeasure.objects.select_for_update(of=("self",))
        .select_related("round__team__organization", "measure__round__team__organization")
        .get(pk=carried.pk)
    )
    if not can_decide_carried(actor, locked.round):
        raise NotAllowed("只有本单位的组织者或验收人可以记录回头看结论")
    if decision not in (CarryDecision.CONTINUE, CarryDecision.CLOSED):
        raise Invalid("请选择回头看结论：继续整改或已完成销号")
    note = _clean(note, NOTE_MAX_CHARS, "说明", required=False)
    measure = locked.measure
    if decision == CarryDecision.CLOSED and measure.status != MeasureStatus.CLOSED:
        try:
            measure = transition(measure, MeasureStatus.CLOSED, actor=actor)
        except DomainError as error:
            raise CloseRefused(error, measure) from None
    if decision == CarryDecision.CONTINUE and measure.status == MeasureStatus.CLOSED:
        raise Conflict("该措施已验收销号；问题仍未解决的，须由验收人在措施页面重新打开")
    old = {"decision": str(CarryDecision(locked.decision).label)}
    locked.decision = decision
    locked.note = note
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["decision", "note", "decided_by", "decided_at"])
    locked.measure = measure
    new: dict[str, Any] = {"decision": str(CarryDecision(decision).label), "carried_to": locked.round.title}
    if note:
        new["note"] = note
    record(
        EventType.MEASURE_CARRY_DECIDED,
        measure,
        actor=actor,
        old=old,
        new=new,
        organization_path=measure.round.team.organization.path,
    )
    return locked


# --- criticisms --------------------------------------------------------------------------------


@transaction.atomic
def record_criticism(
    round_: Round, *, actor: Any, from_member: Member, to_member: Member, text: str
) -> Criticism:
    """Record a criticism FROM_MEMBER raised about TO_MEMBER at the meeting (the same member:
    a self-criticism)."""
    round_ = Round.objects.select_related("team__organization").get(pk=round_.pk)
    _require_manage(actor, round_, "登记批评意见")
    _check_member(from_member, round_, "提出人")
    _check_member(to_member, round_, "被批评人")
    text = _clean(text, CRITICISM_MAX_CHARS, "批评意见")
    criticism = Criticism.objects.create(
        round=round_, from_member=from_member, to_member=to_member, text=text, entered_by=actor
    )
    record(
        EventType.CRITICISM_RECORDED,
        criticism,
        actor=actor,
        new={"critic": from_member.name, "member": to_member.name, "criticism": text},
        organization_path=_path(round_),
    )
    return criticism


def suggested_summary(text: str) -> str:
    """The first sentence of a criticism, as the summary of the problem it becomes."""
    first = re.split(r"(?<=[。；;！!？?])", text.strip(), maxsplit=1)[0]
    return first.rstrip("。；;")[:500] or text.strip()[:500]


@transaction.atomic
def criticism_to_problem(
    criticism: Criticism, *, actor: Any, summary: str = "", aspect: Aspect | None = None
) -> Problem:
    """Make CRITICISM its target member's problem (source 批评意见), linked back to the criticism.

    The problem is added through the ledger's planning service (numbered, with its own event); the
    member and the criticism it came from are recorded in a second event on the problem."""
    locked = (
        Criticism.objects.select_for_update(of=("self",))
        .select_related("round__team__organization", "from_member", "to_member", "problem")
        .get(pk=criticism.pk)
    )
    _require_manage(actor, locked.round, "把批评意见列为问题")
    if locked.problem is not None:
        raise Conflict(f"这条批评意见已列为问题 {locked.problem.number}")
    problem = planning.create_problem(
        locked.round,
        actor=actor,
        summary=(summary or "").strip() or suggested_summary(locked.text),
        source=Source.CRITICISM,
        aspect=aspect,
        text=locked.text,
        member=locked.to_member,
    )
    locked.problem = problem
    locked.save(update_fields=["problem"])
    record(
        EventType.CRITICISM_CONVERTED,
        problem,
        actor=actor,
        new={
            "member": locked.to_member.name,
            "critic": locked.from_member.name,
            "criticism": locked.text,
        },
        organization_path=_path(locked.round),
    )
    if locked.to_member.user_id is not None:
        from luoshi.notices.services import notify

        notify(
            locked.to_member.user,
            f"民主生活会上对您提出的批评意见已列为问题：{problem.summary[:40]}",
            reverse("problem_detail", args=[problem.pk]),
        )
    return problem
