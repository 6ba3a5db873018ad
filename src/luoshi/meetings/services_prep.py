"""Every change to a round's preparation happens here, once: the anchor date, the steps' planned
and done dates, study sessions, talks, the secretary and the units members oversee. Each checks
that the actor organizes the round's organization (or one above it), saves, and appends its audit
event in the same transaction. A talk's confidential summary never enters the audit log; who may
read it is decided by `can_read_summary` alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from luoshi.audit.chain import record
from luoshi.audit.models import EventType
from luoshi.errors import Invalid, NotAllowed
from luoshi.ledger.models import Round
from luoshi.meetings.models import (
    Meeting,
    Oversight,
    Preparation,
    RoundStep,
    StudySession,
    Talk,
    TalkMode,
)
from luoshi.meetings.steps import is_feedback_round, step_keys
from luoshi.orgs.access import has_role
from luoshi.orgs.models import Member, Team

# A date more than this far from today is a typing slip (a preparation spans weeks, not years).
MAX_YEARS_AWAY = 2


def _path(round_: Round) -> str:
    return round_.team.organization.path


def can_manage(user: Any, round_: Round) -> bool:
    return has_role(user, _path(round_), "manage")


def _require_manage(actor: Any, round_: Round, what: str) -> None:
    if not can_manage(actor, round_):
        raise NotAllowed(f"只有本轮次的组织者可以{what}")


def _check_date(value: Any, label: str, *, not_future: bool = False) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise Invalid(f"请填写{label}")
    today = timezone.localdate()
    if abs(value.year - today.year) > MAX_YEARS_AWAY:
        raise Invalid(f"{label}超出合理范围：{value:%Y-%m-%d}")
    if not_future and value > today:
        raise Invalid(f"{label}不能晚于今天")
    return value


def _team_members(team: Team, members: Iterable[Member], label: str) -> list[Member]:
    found = list(members)
    if any(m.team_id != team.pk for m in found):
        raise Invalid(f"{label}须是本班子的成员")
    return found


# --- the timeline ----------------------------------------------------------------------------------


@transaction.atomic
def set_anchor(round_: Round, anchor: datetime.date | None, *, actor: Any) -> Preparation:
    """Set (or clear) the meeting date, or for a feedback round the day the feedback arrived.

    The meeting date is one fact: a registered meeting's date follows (and `services_meeting`
    moves this anchor when the meeting page changes the date)."""
    _require_manage(actor, round_, "设定会议日期")
    if anchor is not None:
        _check_date(anchor, "日期")
    meeting = None
    if not is_feedback_round(round_):
        meeting = Meeting.objects.select_for_update().filter(round=round_).first()
        if meeting is not None and meeting.held and anchor is None:
            raise Invalid("会议已确认召开，会议日期不能为空")
    preparation = store_anchor(round_, anchor, actor=actor)
    if meeting is not None and meeting.date != anchor:
        old_date, meeting.date = meeting.date, anchor
        meeting.save(update_fields=["date"])
        record(
            EventType.MEETING_CHANGED,
            meeting,
            actor=actor,
            old={"date": old_date},
            new={"date": anchor},
            organization_path=_path(round_),
        )
    return preparation


def store_anchor(round_: Round, anchor: datetime.date | None, *, actor: Any) -> Preparation:
    """Write ROUND's anchor date and its event (the caller checked the actor, in its transaction)."""
    preparation, _created = Preparation.objects.select_for_update().get_or_create(round=round_)
    old = preparation.anchor_date
    if old == anchor and not _created:
        return preparation
    preparation.anchor_date = anchor
    preparation.save(update_fields=["anchor_date"])
    record(
        EventType.PREP_SCHEDULED,
        round_,
        actor=actor,
        old={"anchor_date": old},
        new={"anchor_date": anchor},
        organization_path=_path(round_),
    )
    return preparation


@transaction.atomic
def mark_step(
    round_: Round,
    step: str,
    *,
    actor: Any,
    planned: datetime.date | None = None,
    done: datetime.date | None = None,
) -> RoundStep:
    """Record a step's planned date and the day it was done (None clears either)."""
    _require_manage(actor, round_, "记录轮次步骤")
    if step not in step_keys(round_):
        raise Invalid("本轮次没有这个步骤")
    if planned is not None:
        _check_date(planned, "计划日期")
    if done is not None:
        _check_date(done, "完成日期", not_future=True)
    row, _created = RoundStep.objects.select_for_update().get_or_create(round=round_, step=step)
    old = {"planned": row.planned_date, "done": row.done_date}
    row.planned_date, row.done_date = planned, done
    row.save(update_fields=["planned_date", "done_date"])
    record(
        EventType.PREP_STEP_MARKED,
        round_,
        actor=actor,
        old={"step": step, **old},
        new={"step": step, "planned": planned, "done": done},
        organization_path=_path(round_),
    )
    return row


# --- study sessions --------------------------------------------------------------------------------


@transaction.atomic
def record_study(
    round_: Round,
    *,
    actor: Any,
    date: datetime.date,
    topic: str,
    seminar: bool = False,
    attendees: Iterable[Member] = (),
) -> StudySession:
    """A study session (集中学习研讨) held to prepare the round."""
    _require_manage(actor, round_, "记录集中学习")
    _check_date(date, "学习日期", not_future=True)
    topic = (topic or "").strip()
    if not topic:
        raise Invalid("请填写学习内容")
    people = _team_members(round_.team, attendees, "参加人员")
    session = StudySession.objects.create(round=round_, date=date, topic=topic[:300], seminar=seminar)
    session.attendees.set(people)
    record(
        EventType.PREP_STUDY_RECORDED,
        session,
        actor=actor,
        new={
            "round": round_.pk,
            "date": date,
            "topic": session.topic,
            "seminar": seminar,
            "attendees": sorted(m.pk for m in people),
        },
        organization_path=_path(round_),
    )
    return session


# --- talks ---------------------------------------------------------------------------------------


def can_read_summary(talk: Talk, user: Any) -> bool:
    """Only the people in the talk and the round's organizer read its confidential summary."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    people = {talk.initiator.user_id, *(p.user_id for p in talk.partners.all())}
    people.discard(None)
    return user.pk in people or can_manage(user, talk.round)


def outside_names(text: str) -> list[str]:
    from luoshi.meetings.figures import _outside_names

    return _outside_names(text)


@transaction.atomic
def record_talk(
    round_: Round,
    *,
    actor: Any,
    initiator: Member,
    partners: Iterable[Member] = (),
    outside_partners: str = "",
    date: datetime.date,
    mode: str = TalkMode.ONE_TO_ONE,
    summary: str = "",
) -> Talk:
    """A talk (谈心谈话): who with whom, when, one-to-one or in a group. The summary is kept but
    never written to the audit log (the event says only whether there is one)."""
    _require_manage(actor, round_, "记录谈心谈话")
    _check_date(date, "谈话日期", not_future=True)
    (initiator,) = _team_members(round_.team, [initiator], "谈话人")
    people = [p for p in _team_members(round_.team, partners, "谈话对象") if p.pk != initiator.pk]
    outside = "、".join(outside_names(outside_partners or ""))[:500]
    count = len(people) + len(outside_names(outside))
    if count == 0:
        raise Invalid("请选择谈话对象")
    if mode not in TalkMode.values:
        raise Invalid("请选择谈话方式")
    if mode == TalkMode.ONE_TO_ONE and count > 1:
        raise Invalid("个别谈只能有一位谈话对象；多人请选“集体谈”")
    talk = Talk.objects.create(
        round=round_,
        initiator=initiator,
        outside_partners=outside,
        date=date,
        mode=mode,
        summary=(summary or "").strip(),
    )
    talk.partners.set(people)
    record(
        EventType.PREP_TALK_RECORDED,
        talk,
        actor=actor,
        new={
            "round": round_.pk,
            "initiator": initiator.pk,
            "partners": sorted(p.pk for p in people),
            "outside_partners": outside,
            "date": date,
            "mode": mode,
            "summary": bool(talk.summary),  # confidential: whether there is one, never its text
        },
        organization_path=_path(round_),
    )
    return talk


@transaction.atomic
def set_secretary(round_: Round, member: Member | None, *, actor: Any) -> Preparation:
    """Mark the member the talk matrix treats as the secretary (None: the first member by order)."""
    _require_manage(actor, round_, "指定书记")
    if member is not None:
        _team_members(round_.team, [member], "书记")
    preparation, _created = Preparation.objects.select_for_update().get_or_create(round=round_)
    old = preparation.secretary_id
    preparation.secretary = member
    preparation.save(update_fields=["secretary"])
    record(
        EventType.PREP_SECRETARY_SET,
        round_,
        actor=actor,
        old={"secretary": old},
        new={"secretary": member.pk if member else None},
        organization_path=_path(round_),
    )
    return preparation


def _require_team_manage(actor: Any, member: Member) -> None:
    if not has_role(actor, member.team.organization.path, "manage"):
        raise NotAllowed("只有本单位的组织者可以登记分管单位")


@transaction.atomic
def add_oversight(member: Member, *, actor: Any, unit: str, head: str) -> Oversight:
    """MEMBER oversees UNIT, headed by HEAD (the talk matrix pairs them)."""
    _require_team_manage(actor, member)
    unit, head = (unit or "").strip()[:200], (head or "").strip()[:100]
    if not unit or not head:
        raise Invalid("请填写分管单位和负责人姓名")
    if Oversight.objects.filter(member=member, unit=unit, head=head).exists():
        raise Invalid("该成员已登记此分管单位负责人")
    oversight = Oversight.objects.create(member=member, unit=unit, head=head)
    record(
        EventType.PREP_OVERSIGHT_SET,
        oversight,
        actor=actor,
        new={"member": member.pk, "unit": unit, "head": head},
        organization_path=member.team.organization.path,
    )
    return oversight


@transaction.atomic
def remove_oversight(oversight: Oversight, *, actor: Any) -> None:
    member = oversight.member
    _require_team_manage(actor, member)
    record(
        EventType.PREP_OVERSIGHT_SET,
        oversight,
        actor=actor,
        old={"member": member.pk, "unit": oversight.unit, "head": oversight.head},
        new={"removed": True},
        organization_path=member.team.organization.path,
    )
    oversight.delete()
