"""Every change to indicators and activity records happens here, once: pages, imports, the CLI, the
demo and tests call these. Each checks who may act, saves, and appends its audit event in the same
transaction. Compliance itself is never stored (see `luoshi.indicators.compliance`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from luoshi.audit.chain import record
from luoshi.audit.models import EventType
from luoshi.errors import Invalid, NotAllowed
from luoshi.indicators.models import Activity, ActivityKind, Indicator, Period, Scope, fmt_number
from luoshi.ledger.models import Commitment, Measure, ProgressUpdate, Round
from luoshi.orgs.access import has_role
from luoshi.orgs.models import Member, Team

# How far back a record may be dated: a year covers any indicator period and stops typing slips.
MAX_AGE_DAYS = 366

# Words of a commitment that tell which activity counts, checked in this order.
_KIND_WORDS: list[tuple[ActivityKind, tuple[str, ...]]] = [
    (ActivityKind.FIGURE, ("%", "％", "比例", "占比", "比重")),
    (ActivityKind.HOUSEHOLD, ("入户", "家次", "户次", "农户", "群众家")),
    (ActivityKind.SEMINAR, ("专题研讨", "研讨", "专题交流")),
    (ActivityKind.STUDY, ("学习", "读书", "授课", "讲党课", "党课")),
    (ActivityKind.MEETING, ("会议", "召开", "例会", "座谈", "听取", "汇报")),
    (ActivityKind.REPORT, ("报告", "调研报告", "材料")),
]
_VISIT_WORDS = ("走访", "调研", "下基层", "到基层", "宣讲", "蹲点", "接访", "包联", "联系")
_TEAM_WORDS = ("班子", "常委会", "中心组", "党组", "集体")
_UNIT_KINDS = {"户": ActivityKind.HOUSEHOLD, "家": ActivityKind.HOUSEHOLD, "篇": ActivityKind.REPORT}


def guess_kind(text: str, unit: str = "", period: str | None = "month") -> ActivityKind:
    """The kind of activity a commitment's text speaks of (the organizer corrects it if wrong).

    A target with no period and no activity word ("新增停车位500个以上") is a figure to report."""
    if unit in ("%", "％"):
        return ActivityKind.FIGURE
    for kind, words in _KIND_WORDS:
        if any(w in text for w in words):
            return kind
    if unit in _UNIT_KINDS:
        return _UNIT_KINDS[unit]
    if not period and not any(w in text for w in _VISIT_WORDS):
        return ActivityKind.FIGURE
    return ActivityKind.VISIT


def guess_scope(text: str, kind: str) -> Scope:
    """Team-wide when the text speaks of the team doing something together (a seminar, a meeting);
    each member when it names the members ("班子成员每月…")."""
    if "成员" in text:
        return Scope.EACH_MEMBER
    if kind in (ActivityKind.SEMINAR, ActivityKind.MEETING, ActivityKind.FIGURE) or any(
        w in text for w in _TEAM_WORDS
    ):
        return Scope.TEAM
    return Scope.EACH_MEMBER


def default_dates(round_: Round, today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The round's rectification period: its start (or today) to its end (or a year on)."""
    start = round_.start_date or today or timezone.localdate()
    end = round_.end_date or (start.replace(year=start.year + 1) - datetime.timedelta(days=1))
    return start, max(start, end)


@dataclass(frozen=True)
class Suggestion:
    """An indicator proposed from a parsed commitment, for the organizer to accept or correct."""

    commitment: Commitment
    kind: str
    scope: str
    period: str
    op: str
    target: Decimal
    unit: str


def suggestions(round_: Round) -> list[Suggestion]:
    """The round's commitments not yet made indicators, each with the fields guessed from its text."""
    found = []
    commitments = (
        Commitment.objects.filter(
            measure__round=round_, measure__voided_at__isnull=True, indicator__isnull=True
        )
        .select_related("measure")
        .order_by("measure__number", "id")
    )
    for c in commitments:
        kind = guess_kind(c.text, c.unit, c.period)
        period, target = c.period, c.value
        if period == "day":  # "每天": watched weekly, seven a week
            period, target = Period.WEEK, c.value * 7
        elif period not in Period.values:  # no period written: once over the year
            period = Period.YEAR
        found.append(
            Suggestion(
                commitment=c,
                kind=kind,
                scope=guess_scope(c.text, kind),
                period=period,
                op=c.op,
                target=target,
                unit=c.unit,
            )
        )
    return found


def _require_manage(round_: Round, actor: Any) -> None:
    if not has_role(actor, round_.team.organization.path, "manage"):
        raise NotAllowed("只有本轮次的组织者可以设置量化指标")


def _decimal(value: Any, label: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().rstrip("%％"))
    except (InvalidOperation, ValueError):
        raise Invalid(f"{label}应为数字：{value!r}") from None
    if not number.is_finite():
        raise Invalid(f"{label}应为数字：{value!r}")
    return number


def _indicator_fields(round_: Round, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Checked fields of an indicator of ROUND (Invalid names the first problem)."""
    name = str(fields.get("name") or "").strip()
    if not name:
        raise Invalid("请填写指标名称")
    kind, scope, period, op = (str(fields.get(k) or "") for k in ("kind", "scope", "period", "op"))
    if kind not in ActivityKind.values:
        raise Invalid("请选择计入的履职记录类别")
    if scope not in Scope.values:
        raise Invalid("请选择指标对象")
    if period not in Period.values:
        raise Invalid("请选择周期")
    if op not in Commitment.Op.values:
        raise Invalid("请选择比较方式")
    target = _decimal(fields.get("target"), "目标值")
    if target < 0:
        raise Invalid("目标值不能为负数")
    member = fields.get("member")
    if scope == Scope.MEMBER:
        if not isinstance(member, Member) or member.team_id != round_.team_id:
            raise Invalid("对象为“指定成员”时，须选择本班子的一名成员")
    else:
        member = None
    default_start, default_end = default_dates(round_)
    start = fields.get("start") or default_start
    end = fields.get("end") or default_end
    if end < start:
        raise Invalid("结束日期不能早于开始日期")
    measure = fields.get("measure")
    if measure is not None and measure.round_id != round_.pk:
        raise Invalid("措施不属于本轮次")
    return {
        "name": name[:300],
        "kind": kind,
        "scope": scope,
        "member": member,
        "period": period,
        "op": op,
        "target": target,
        "unit": str(fields.get("unit") or "").strip()[:20],
        "start": start,
        "end": end,
        "measure": measure,
    }


def _indicator_event(indicator: Indicator) -> dict[str, Any]:
    return {
        "name": indicator.name,
        "kind": indicator.kind,
        "scope": indicator.scope,
        "member": indicator.member_id,
        "period": indicator.period,
        "op": indicator.op,
        "target": fmt_number(indicator.target),
        "unit": indicator.unit,
        "start": indicator.start,
        "end": indicator.end,
        "measure": indicator.measure_id,
        "commitment": indicator.commitment_id,
    }


@transaction.atomic
def create_indicator(
    round_: Round, *, actor: Any, commitment: Commitment | None = None, **fields: Any
) -> Indicator:
    """Create an indicator of ROUND by hand (or from COMMITMENT). Organizers of the round only."""
    _require_manage(round_, actor)
    checked = _indicator_fields(round_, fields)
    if commitment is not None:
        if commitment.measure.round_id != round_.pk:
            raise Invalid("量化承诺不属于本轮次")
        checked["measure"] = checked["measure"] or commitment.measure
    indicator = Indicator.objects.create(round=round_, commitment=commitment, created_by=actor, **checked)
    record(
        EventType.INDICATOR_CREATED,
        indicator,
        actor=actor,
        new=_indicator_event(indicator),
        organization_path=round_.team.organization.path,
    )
    return indicator


@transaction.atomic
def accept_suggestions(round_: Round, rows: Sequence[Mapping[str, Any]], *, actor: Any) -> list[Indicator]:
    """Make indicators of the round's commitments in one go: each row names its `commitment` and
    carries the (possibly corrected) fields. All or nothing: Invalid names the first bad row."""
    _require_manage(round_, actor)
    created = []
    for number, row in enumerate(rows, 1):
        commitment = row["commitment"]
        if Indicator.objects.filter(commitment=commitment).exists():
            raise Invalid(f"第 {number} 项：该量化承诺已设为指标")
        try:
            created.append(
                create_indicator(
                    round_,
                    actor=actor,
                    commitment=commitment,
                    **{k: v for k, v in row.items() if k != "commitment"},
                )
            )
        except Invalid as error:
            raise Invalid(f"第 {number} 项：{error.message}") from None
    return created


@transaction.atomic
def change_indicator(indicator: Indicator, *, actor: Any, **fields: Any) -> Indicator:
    """Correct an indicator (target, period, dates …); the audit log keeps the old values."""
    locked = (
        Indicator.objects.select_for_update(of=("self",))
        .select_related("round__team__organization")
        .get(pk=indicator.pk)
    )
    _require_manage(locked.round, actor)
    old = _indicator_event(locked)
    merged = {**old, "member": locked.member, "measure": locked.measure, **fields}
    for key, value in _indicator_fields(locked.round, merged).items():
        setattr(locked, key, value)
    locked.save()
    record(
        EventType.INDICATOR_CHANGED,
        locked,
        actor=actor,
        old=old,
        new=_indicator_event(locked),
        organization_path=locked.round.team.organization.path,
    )
    return locked


# --- activity records -------------------------------------------------------------------------------


def may_record(actor: Any, team: Team, member: Member | None) -> bool:
    """A member records their own work; office staff (organizers of the team's organization) record
    on anyone's behalf, and the team's own activities."""
    if member is not None and member.user_id is not None and member.user_id == getattr(actor, "pk", None):
        return True
    return has_role(actor, team.organization.path, "manage")


def check_activity_fields(team: Team, fields: Mapping[str, Any], today: datetime.date) -> dict[str, Any]:
    """FIELDS of a record of TEAM, checked and normalised (Invalid names the first problem)."""
    member = fields.get("member")
    if member is not None and member.team_id != team.pk:
        raise Invalid("该成员不属于这个班子")
    date = fields.get("date")
    if not isinstance(date, datetime.date):
        raise Invalid("请填写日期")
    if date > today:
        raise Invalid("日期不能晚于今天")
    if date < today - datetime.timedelta(days=MAX_AGE_DAYS):
        raise Invalid(f"日期不能早于 {MAX_AGE_DAYS} 天前")
    kind = str(fields.get("kind") or "")
    if kind not in ActivityKind.values:
        raise Invalid("请选择类别")
    raw_count: Any = fields.get("count")
    raw_households: Any = fields.get("households") or 0
    try:
        count = 1 if raw_count in (None, "") else int(raw_count)
        households = int(raw_households)
    except (TypeError, ValueError):
        raise Invalid("次数和入户数应为整数") from None
    value: Decimal | None = None
    indicator = fields.get("indicator")
    if kind == ActivityKind.FIGURE:
        if not isinstance(indicator, Indicator) or indicator.kind != ActivityKind.FIGURE:
            raise Invalid("报告数值时须选择数值所属的指标")
        if indicator.round.team_id != team.pk:
            raise Invalid("该指标不属于这个班子")
        if fields.get("value") in (None, ""):
            raise Invalid("请填写报告的数值")
        value = _decimal(fields.get("value"), "数值")
        count, households = 0, 0
    else:
        indicator = None
        if count < 1 or count > 1000:
            raise Invalid("次数应在 1 到 1000 之间")
        if households < 0 or households > 10000:
            raise Invalid("入户数应在 0 到 10000 之间")
        if kind != ActivityKind.VISIT:
            households = 0
    return {
        "member": member,
        "date": date,
        "kind": kind,
        "count": count,
        "households": households,
        "value": value,
        "indicator": indicator,
        "place": str(fields.get("place") or "").strip()[:200],
        "note": str(fields.get("note") or "").strip()[:500],
    }


def _activity_event(activity: Activity) -> dict[str, Any]:
    return {
        "member": activity.member_id,
        "date": activity.date,
        "kind": activity.kind,
        "count": activity.count,
        "households": activity.households,
        "value": fmt_number(activity.value) if activity.value is not None else None,
        "indicator": activity.indicator_id,
        "place": activity.place,
        "note": activity.note,
        "photo": bool(activity.photo),
        "progress_update": activity.progress_update_id,
    }


def _check_photo(photo: Any) -> Any:
    """A photo is optional and never required; when given it must really be a JPEG or PNG."""
    if not photo:
        return None
    from luoshi.ledger.progress import check_upload

    checked = check_upload(photo)
    if not checked.content_type.startswith("image/"):
        raise Invalid(f"文件“{checked.name}”不是照片（JPEG 或 PNG）")
    return checked


@transaction.atomic
def record_activity(
    team: Team,
    *,
    actor: Any,
    photo: Any = None,
    progress_update: ProgressUpdate | None = None,
    today: datetime.date | None = None,
    **fields: Any,
) -> Activity:
    """Record one activity of MEMBER (None: the team as a whole) of TEAM.

    The member themselves, or office staff on their behalf (`may_record`). Fields: date, kind,
    count (default 1), households (visits), value and indicator (reported figures), place, note.
    """
    checked = check_activity_fields(team, fields, today or timezone.localdate())
    if not may_record(actor, team, checked["member"]):
        raise NotAllowed("只能填报本人的履职记录；代他人填报须是本单位的组织者（办公室工作人员）")
    photo_file = _check_photo(photo)
    activity = Activity(team=team, entered_by=actor, progress_update=progress_update, **checked)
    if photo_file is not None:
        from django.core.files.base import File

        photo_file.upload.seek(0)
        activity.photo.save(photo_file.name, File(photo_file.upload), save=False)
    activity.save()
    new = _activity_event(activity)
    if checked["member"] is not None and checked["member"].user_id != getattr(actor, "pk", None):
        new["on_behalf"] = True
    record(
        EventType.ACTIVITY_RECORDED,
        activity,
        actor=actor,
        new=new,
        organization_path=team.organization.path,
    )
    return activity


@transaction.atomic
def correct_activity(
    activity: Activity, *, actor: Any, today: datetime.date | None = None, **fields: Any
) -> Activity:
    """Correct a record; the audit event keeps the version before and after."""
    locked = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("team__organization", "member")
        .get(pk=activity.pk)
    )
    if not may_record(actor, locked.team, locked.member):
        raise NotAllowed("只能更正本人的履职记录，或由组织者代为更正")
    old = _activity_event(locked)
    merged = {**old, "member": locked.member, "indicator": locked.indicator, **fields}
    checked = check_activity_fields(locked.team, merged, today or timezone.localdate())
    if not may_record(actor, locked.team, checked["member"]):
        raise NotAllowed("只能填报本人的履职记录；代他人填报须是本单位的组织者（办公室工作人员）")
    for key, value in checked.items():
        setattr(locked, key, value)
    locked.save()
    reason = str(fields.get("reason") or "").strip()
    new = _activity_event(locked)
    if reason:
        new["reason"] = reason
    record(
        EventType.ACTIVITY_CORRECTED,
        locked,
        actor=actor,
        old=old,
        new=new,
        organization_path=locked.team.organization.path,
    )
    return locked


# --- progress updates that carry a record ------------------------------------------------------------

_INT_RE = re.compile(r"^\s*\d{1,4}\s*$")


def activity_from_progress(
    sender: Any, *, update: ProgressUpdate, measure: Measure, actor: Any, data: Mapping[str, Any], **_: Any
) -> None:
    """Receiver of `luoshi.ledger.signals.progress_recorded`: when the progress form also names an
    activity kind, the same update becomes an activity record of the measure's owner (nothing typed
    twice). Runs inside the progress transaction: a bad record rolls the update back too."""
    kind = str(data.get("activity_kind") or "").strip()
    if not kind:
        return
    if kind == ActivityKind.FIGURE:
        raise Invalid("报告数值请在履职记录页填报")
    if measure.owner is None:
        raise Invalid("措施尚未分配责任领导，进展不能同时记为履职记录")
    count_text = str(data.get("activity_count") or "1")
    households_text = str(data.get("activity_households") or "0")
    if not _INT_RE.match(count_text) or not _INT_RE.match(households_text):
        raise Invalid("履职记录的次数和入户数应为整数")
    record_activity(
        measure.round.team,
        actor=actor,
        member=measure.owner,
        date=update.date,
        kind=kind,
        count=int(count_text),
        households=int(households_text),
        place=str(data.get("activity_place") or ""),
        note=update.text[:500],
        progress_update=update,
    )
