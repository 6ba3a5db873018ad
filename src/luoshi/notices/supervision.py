"""催办 and 督办单 by hand, as 督查 offices practise them.

An organizer or reviewer urges an owner (催办, with an optional message, at most once per measure
per day), or issues a numbered 督办单 graded 蓝/黄/红 with a reply deadline (限期反馈). The owner
acknowledges it (签收) and replies (反馈). The rules suggest a grade; a person decides. Every step is
an audit event on the measure, so it is in the measure's history; nothing here scores anybody.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from luoshi.audit.chain import record
from luoshi.audit.models import EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger.models import Measure
from luoshi.ledger.services import capacities, org_path_of, require_live
from luoshi.ledger.states import OWNER_SIDE, Actor, MeasureStatus
from luoshi.notices import delivery
from luoshi.notices.models import OrderGrade, OrderState, SupervisionOrder, Urge
from luoshi.notices.rules import SUMMARY_QUOTE, Due, measure_url
from luoshi.notices.services import notify
from luoshi.orgs.access import grants
from luoshi.orgs.models import Organization, Role
from luoshi.text.shorten import shorten

URGEABLE = frozenset(
    {MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS, MeasureStatus.RETURNED, MeasureStatus.CONTINUING}
)
SUPERVISORS = frozenset({Actor.ORGANIZER, Actor.REVIEWER})

GRADE_MEANING = {
    OrderGrade.BLUE: "完成时限临近",
    OrderGrade.YELLOW: "进度滞后或整改质量不高",
    OrderGrade.RED: "已超过完成时限",
}


def _lock(measure: Measure) -> Measure:
    locked = (
        Measure.all_objects.select_for_update(of=("self",))
        .select_related("round__team__organization", "owner__user")
        .get(pk=measure.pk)
    )
    require_live(locked)  # a voided measure is urged and supervised no more
    return locked


def _require_supervisor(measure: Measure, actor: Any, what: str) -> None:
    held = capacities(measure, actor)
    if not held & SUPERVISORS:
        raise NotAllowed(f"只有组织者或验收人可以{what}")
    if Actor.OWNER in held:
        raise NotAllowed(f"不能对自己负责的措施{what}")


def _owner_user(measure: Measure) -> Any:
    if measure.owner is None or measure.owner.user is None:
        raise Conflict("责任领导还没有登录账号，无法送达；请先在班子成员中关联账号")
    return measure.owner.user


def _deliver_now(rule: str, object_key: str, period: str) -> None:
    """After commit: the inbox copy goes at once; other channels follow with the next reminder pass."""

    def go() -> None:
        only = Q(rule=rule, object_key=object_key, period=period, channel_key="inbox")
        delivery.send_due(delivery.holder_name(), only=only)

    transaction.on_commit(go)


def _queue(
    measure: Measure, rule: str, object_key: str, period: str, subject: str, body: str, *, urgent: bool
) -> None:
    owner = _owner_user(measure)
    due = Due(
        rule=rule,
        object_key=object_key,
        period=period,
        recipient_id=owner.pk,
        path=org_path_of(measure),
        organization_id=measure.round.team.organization_id,
        subject=subject,
        body=body,
        url=measure_url(measure.pk),
        measure_id=measure.pk,
        urgent=urgent,
    )
    delivery.enqueue([due])
    _deliver_now(rule, object_key, period)


# --- 催办 ------------------------------------------------------------------------------------------


@transaction.atomic
def urge(measure: Measure, *, actor: Any, message: str = "", today: datetime.date | None = None) -> Urge:
    """Urge MEASURE's owner (organizer or reviewer; not one's own measure; once per measure per day)."""
    today = today or timezone.localdate()
    locked = _lock(measure)
    _require_supervisor(locked, actor, "催办")
    if locked.status not in URGEABLE:
        raise Conflict(f"措施当前为“{locked.get_status_display()}”，无需催办")
    owner = _owner_user(locked)
    message = message.strip()[:300]
    if Urge.objects.filter(measure=locked, day=today).exists():
        raise Conflict("该措施今天已催办过，每项措施每天最多催办一次")
    try:
        with transaction.atomic():
            item = Urge.objects.create(measure=locked, day=today, message=message, urged_by=actor)
    except IntegrityError:
        raise Conflict("该措施今天已催办过，每项措施每天最多催办一次") from None
    record(
        EventType.MEASURE_URGED,
        locked,
        actor=actor,
        new={"to": owner.get_full_name() or owner.get_username(), "message": message},
        organization_path=org_path_of(locked),
    )
    deadline = f"，完成时限 {locked.current_deadline:%Y-%m-%d}" if locked.current_deadline else ""
    body = f"措施{locked.number}：{shorten(locked.summary, SUMMARY_QUOTE)}（{locked.round.title}）{deadline}。请抓紧落实。"
    if message:
        body += f"\n留言：{message}"
    _queue(locked, "urge", f"measure:{locked.pk}", today.isoformat(), "整改措施催办", body, urgent=False)
    return item


@dataclass(frozen=True)
class BulkResult:
    urged: list[Measure]
    skipped: list[tuple[Measure, str]]


def urge_many(measures: Iterable[Measure], *, actor: Any, message: str = "") -> BulkResult:
    """催办 in bulk from the ledger: each measure on its own, a refusal skips only that one."""
    from luoshi.errors import DomainError

    urged, skipped = [], []
    for measure in measures:
        try:
            urge(measure, actor=actor, message=message)
        except DomainError as exc:
            skipped.append((measure, exc.message))
        else:
            urged.append(measure)
    return BulkResult(urged, skipped)


# --- 督办单 -----------------------------------------------------------------------------------------


def suggest_grade(measure: Measure, today: datetime.date | None = None) -> OrderGrade | None:
    """The grade the rules suggest: 红 overdue, 黄 returned (quality) or not started past half its
    time, 蓝 within LUOSHI_DUE_SOON_DAYS of the deadline; None when nothing calls for one."""
    today = today or timezone.localdate()
    if measure.status not in URGEABLE:
        return None
    if measure.is_overdue(today):
        return OrderGrade.RED
    if measure.status == MeasureStatus.RETURNED:
        return OrderGrade.YELLOW
    left = measure.days_left(today)
    if measure.status == MeasureStatus.PLANNED and left is not None and measure.created_at:
        span = (
            (measure.current_deadline - timezone.localtime(measure.created_at).date()).days
            if measure.current_deadline
            else 0
        )
        if span > 0 and left < span / 2:
            return OrderGrade.YELLOW
    if left is not None and left <= settings.LUOSHI_DUE_SOON_DAYS:
        return OrderGrade.BLUE
    return None


def _issuing_organization(measure: Measure, actor: Any) -> Organization:
    """The highest organization above (or at) the measure where ACTOR organizes or reviews."""
    path = org_path_of(measure)
    if getattr(actor, "is_superuser", False):
        return measure.round.team.organization
    held = sorted(
        (p for p, role in grants(actor) if role in (Role.ORGANIZER, Role.REVIEWER) and path.startswith(p)),
        key=len,
    )
    return Organization.objects.get(path=held[0]) if held else measure.round.team.organization


@transaction.atomic
def issue_order(
    measure: Measure,
    *,
    actor: Any,
    grade: OrderGrade | str,
    reason: str,
    reply_deadline: datetime.date | None = None,
    today: datetime.date | None = None,
) -> SupervisionOrder:
    """Issue a numbered 督办单 to MEASURE's owner (organizer or reviewer), with 限期反馈."""
    today = today or timezone.localdate()
    locked = _lock(measure)
    _require_supervisor(locked, actor, "签发督办单")
    if locked.status not in URGEABLE:
        raise Conflict(f"措施当前为“{locked.get_status_display()}”，无需督办")
    owner = _owner_user(locked)
    try:
        grade = OrderGrade(grade)
    except ValueError:
        raise Invalid("请选择督办等级：蓝色、黄色或红色") from None
    reason = reason.strip()
    if not reason:
        raise Invalid("请填写督办事由")
    reply_deadline = reply_deadline or today + datetime.timedelta(days=settings.LUOSHI_REMIND_REPLY_DAYS)
    if reply_deadline < today:
        raise Invalid("限期反馈日期不能早于今天")
    organization = Organization.objects.select_for_update().get(pk=_issuing_organization(locked, actor).pk)
    number = (
        SupervisionOrder.objects.filter(organization=organization, year=today.year).aggregate(
            n=Max("number")
        )["n"]
        or 0
    ) + 1
    order = SupervisionOrder.objects.create(
        organization=organization,
        year=today.year,
        number=number,
        measure=locked,
        grade=grade,
        reason=reason,
        reply_deadline=reply_deadline,
        issued_by=actor,
    )
    record(
        EventType.ORDER_ISSUED,
        locked,
        actor=actor,
        new={
            "order": order.title,
            "grade": str(grade.label),
            "reason": reason,
            "reply_deadline": reply_deadline,
            "to": owner.get_full_name() or owner.get_username(),
        },
        organization_path=org_path_of(locked),
    )
    body = (
        f"{order.title}（{grade.label}：{GRADE_MEANING[grade]}）\n措施{locked.number}：{shorten(locked.summary, SUMMARY_QUOTE)}"
        f"（{locked.round.title}）\n督办事由：{reason}\n请签收，并于 {reply_deadline:%Y-%m-%d} 前反馈整改情况。"
    )
    _queue(locked, "order", f"order:{order.pk}", "issued", f"收到{grade.label}单", body, urgent=True)
    return order


def _lock_order(order: SupervisionOrder) -> tuple[SupervisionOrder, Measure]:
    measure = _lock(order.measure)
    return SupervisionOrder.objects.select_for_update().get(pk=order.pk), measure


def _require_receiver(measure: Measure, order: SupervisionOrder, actor: Any, what: str) -> None:
    held = capacities(measure, actor)
    if not held & OWNER_SIDE:
        raise NotAllowed(f"只有责任领导（或代为登记的组织者）可以{what}")
    if Actor.OWNER not in held and order.issued_by_id == actor.pk:
        raise NotAllowed(f"签发人不能代为{what}")


@transaction.atomic
def acknowledge(order: SupervisionOrder, *, actor: Any) -> SupervisionOrder:
    """签收: the owner confirms receipt of the 督办单."""
    locked, measure = _lock_order(order)
    _require_receiver(measure, locked, actor, "签收督办单")
    if locked.state != OrderState.ISSUED:
        raise Conflict(f"{locked.title}已签收")
    locked.state = OrderState.ACKNOWLEDGED
    locked.acknowledged_by = actor
    locked.acknowledged_at = timezone.now()
    locked.save()
    record(
        EventType.ORDER_ACKNOWLEDGED,
        measure,
        actor=actor,
        new={"order": locked.title},
        organization_path=org_path_of(measure),
    )
    return locked


@transaction.atomic
def reply(order: SupervisionOrder, *, actor: Any, text: str) -> SupervisionOrder:
    """反馈: the owner reports what was done (acknowledging it too, if not yet); the issuer is told."""
    locked, measure = _lock_order(order)
    _require_receiver(measure, locked, actor, "反馈督办单")
    if locked.state == OrderState.REPLIED:
        raise Conflict(f"{locked.title}已反馈")
    text = text.strip()
    if not text:
        raise Invalid("请填写反馈情况")
    now = timezone.now()
    if locked.state == OrderState.ISSUED:
        locked.acknowledged_by, locked.acknowledged_at = actor, now
    locked.state = OrderState.REPLIED
    locked.reply, locked.replied_by, locked.replied_at = text, actor, now
    locked.save()
    record(
        EventType.ORDER_REPLIED,
        measure,
        actor=actor,
        new={"order": locked.title, "reply": text, "late": timezone.localdate(now) > locked.reply_deadline},
        organization_path=org_path_of(measure),
    )
    notify(locked.issued_by, f"{locked.title}已反馈：{text}"[:500], locked.get_absolute_url())
    return locked
