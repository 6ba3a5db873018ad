"""Corrections after confirmation: voiding (作废) and restoring problems and measures, and editing
a problem's or a measure's content and a measure's quantified commitments.

A problem or measure entered by mistake (a document imported twice, a slip of the hand) is voided
with a reason by the round's organizer, never deleted: it stays in its history and in the exports
(filterable), and the default managers leave it out of every count, rate, reminder and list
(`luoshi.ledger.models.LiveManager`). A reviewer restores it. A correction of content records one
audit event per field changed, with the value before and after, so the history tells it in Chinese.

Like `luoshi.ledger.services`, each function checks the actor's role, locks what it changes, saves
and appends its audit events in the same transaction.
"""

from __future__ import annotations

import decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from luoshi.audit.chain import record
from luoshi.audit.models import EventType
from luoshi.errors import Conflict, DomainError, Invalid, NotAllowed
from luoshi.ledger import services
from luoshi.ledger.models import Aspect, Commitment, Measure, Problem, Source
from luoshi.orgs.access import has_role

REASON_LIMIT = 500


class _Unset:
    """A keyword left out (None is a value: "no aspect")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def _path(item: Measure | Problem) -> str:
    return item.round.team.organization.path


def _lock_measure(measure: Measure) -> Measure:
    return (
        Measure.all_objects.select_for_update(of=("self",))
        .select_related("round__team__organization", "problem")
        .get(pk=measure.pk)
    )


def _lock_problem(problem: Problem) -> Problem:
    return (
        Problem.all_objects.select_for_update(of=("self",))
        .select_related("round__team__organization", "round__framework", "aspect")
        .get(pk=problem.pk)
    )


def _require(actor: Any, item: Measure | Problem, action: str, doing: str) -> str:
    path = _path(item)
    if not has_role(actor, path, action):
        who = "组织者" if action == "manage" else "验收人"
        raise NotAllowed(f"只有本单位（或上级单位）的{who}可以{doing}")
    return path


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(f"请填写{what}")
    if len(reason) > REASON_LIMIT:
        raise Invalid(f"{what}不能超过 {REASON_LIMIT} 个字")
    return reason


_DOING = {
    "void": ("manage", "作废"),
    "restore": ("review", "恢复"),
    "edit": ("manage", "修改"),
}


def refusal(actor: Any, item: Measure | Problem, doing: str) -> DomainError | None:
    """Why ACTOR may not DOING ("void", "restore", "edit") ITEM now, or None. Pages ask here before
    they offer a link or show a form; the services below decide again under the row lock."""
    action, verb = _DOING[doing]
    what = "整改措施" if isinstance(item, Measure) else "问题"
    if not has_role(actor, _path(item), action):
        who = "组织者" if action == "manage" else "验收人"
        return NotAllowed(f"只有本单位（或上级单位）的{who}可以{verb}{what}")
    if doing == "restore":
        return None if item.voided_at is not None else Conflict(f"该{what}没有作废，无需恢复")
    if item.voided_at is not None:
        return Conflict(f"该{what}已经作废" if doing == "void" else str(services.voided_refusal(item)))
    if doing == "edit" and isinstance(item, Measure):
        reason = measure_edit_refusal(item)
        return Conflict(reason) if reason else None
    return None


# --- void and restore ------------------------------------------------------------------------------


def live_measures_of(problem: Problem) -> list[Measure]:
    """The measures voiding PROBLEM voids with it (its measures not voided already)."""
    return list(Measure.objects.filter(problem=problem).order_by("number"))


def _void(item: Measure | Problem, actor: Any, reason: str, at: Any) -> None:
    item.voided_at = at
    item.voided_by = actor
    item.void_reason = reason
    item.save(update_fields=["voided_at", "voided_by", "void_reason"])


def _unvoid(item: Measure | Problem) -> str:
    reason = item.void_reason
    item.voided_at = None
    item.voided_by = None
    item.void_reason = ""
    item.save(update_fields=["voided_at", "voided_by", "void_reason"])
    return reason


@transaction.atomic
def void_measure(measure: Measure, *, actor: Any, reason: str) -> Measure:
    """Void MEASURE (作废) with REASON: organizers of its round. It takes no step, progress or
    evidence afterwards and counts nowhere; its history and records stay."""
    locked = _lock_measure(measure)
    path = _require(actor, locked, "manage", "作废整改措施")
    if locked.voided_at is not None:
        raise Conflict("该整改措施已经作废")
    reason = _reason(reason, "作废理由")
    _void(locked, actor, reason, timezone.now())
    record(
        EventType.MEASURE_VOIDED,
        locked,
        actor=actor,
        new={"number": locked.number, "reason": reason},
        organization_path=path,
    )
    return locked


@transaction.atomic
def void_problem(problem: Problem, *, actor: Any, reason: str) -> Problem:
    """Void PROBLEM with REASON, and with it every measure of it not voided yet (each measure's
    history says so). Organizers of its round."""
    locked = _lock_problem(problem)
    path = _require(actor, locked, "manage", "作废问题")
    if locked.voided_at is not None:
        raise Conflict("该问题已经作废")
    reason = _reason(reason, "作废理由")
    now = timezone.now()
    measures = list(Measure.objects.select_for_update(of=("self",)).filter(problem=locked).order_by("number"))
    _void(locked, actor, reason, now)
    for measure in measures:
        # The same moment as the problem's: restoring the problem restores exactly these.
        _void(measure, actor, f"所属问题（第 {locked.number} 号）作废：{reason}", now)
        record(
            EventType.MEASURE_VOIDED,
            measure,
            actor=actor,
            new={"number": measure.number, "reason": measure.void_reason},
            organization_path=path,
        )
    record(
        EventType.PROBLEM_VOIDED,
        locked,
        actor=actor,
        new={"number": locked.number, "reason": reason, "measures": [m.number for m in measures]},
        organization_path=path,
    )
    return locked


@transaction.atomic
def restore_measure(measure: Measure, *, actor: Any, reason: str = "") -> Measure:
    """Restore a voided MEASURE: reviewers of its round. A measure of a voided problem is restored
    with its problem."""
    locked = _lock_measure(measure)
    path = _require(actor, locked, "review", "恢复已作废的整改措施")
    if locked.voided_at is None:
        raise Conflict("该整改措施没有作废，无需恢复")
    if locked.problem is not None and locked.problem.voided_at is not None:
        raise Conflict(f"所属问题（第 {locked.problem.number} 号）已作废，请先恢复该问题")
    was = _unvoid(locked)
    new: dict[str, Any] = {"number": locked.number}
    if reason.strip():
        new["reason"] = reason.strip()[:REASON_LIMIT]
    record(
        EventType.MEASURE_RESTORED,
        locked,
        actor=actor,
        old={"void_reason": was},
        new=new,
        organization_path=path,
    )
    return locked


@transaction.atomic
def restore_problem(problem: Problem, *, actor: Any, reason: str = "") -> Problem:
    """Restore a voided PROBLEM and the measures voided with it (not those voided on their own
    before): reviewers of its round."""
    locked = _lock_problem(problem)
    path = _require(actor, locked, "review", "恢复已作废的问题")
    if locked.voided_at is None:
        raise Conflict("该问题没有作废，无需恢复")
    voided_with = list(
        Measure.all_objects.select_for_update(of=("self",))
        .filter(problem=locked, voided_at=locked.voided_at)
        .order_by("number")
    )
    was = _unvoid(locked)
    note = reason.strip()[:REASON_LIMIT]
    for measure in voided_with:
        measure_was = _unvoid(measure)
        record(
            EventType.MEASURE_RESTORED,
            measure,
            actor=actor,
            old={"void_reason": measure_was},
            new={"number": measure.number, **({"reason": note} if note else {})},
            organization_path=path,
        )
    new: dict[str, Any] = {"number": locked.number, "measures": [m.number for m in voided_with]}
    if note:
        new["reason"] = note
    record(
        EventType.PROBLEM_RESTORED,
        locked,
        actor=actor,
        old={"void_reason": was},
        new=new,
        organization_path=path,
    )
    return locked


# --- corrections of content ----------------------------------------------------------------------


def _text(value: str, limit: int | None, label: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(f"请填写{label}")
    if limit is not None and len(value) > limit:
        raise Invalid(f"{label}不能超过 {limit} 个字")
    return value


def _changed(
    event_type: EventType, item: Measure | Problem, actor: Any, path: str, field: str, before: Any, after: Any
) -> None:
    record(event_type, item, actor=actor, old={field: before}, new={field: after}, organization_path=path)


@transaction.atomic
def edit_problem(
    problem: Problem,
    *,
    actor: Any,
    summary: str | None = None,
    text: str | None = None,
    aspect: Aspect | None = UNSET,
    source: str | None = None,
) -> list[str]:
    """Correct PROBLEM's summary, text, aspect (None: no aspect) and source; organizers of its round.
    Arguments left out stay as they are. One audit event per field changed; returns their names."""
    locked = _lock_problem(problem)
    path = _require(actor, locked, "manage", "修改问题")
    services.require_live(locked)
    changes: list[tuple[str, Any, Any]] = []
    if summary is not None:
        value = _text(summary, 500, "问题", required=True)
        if value != locked.summary:
            changes.append(("summary", locked.summary, value))
            locked.summary = value
    if text is not None:
        value = _text(text, None, "具体表现", required=False)
        if value != locked.text:
            changes.append(("text", locked.text, value))
            locked.text = value
    if aspect is not UNSET and (aspect.pk if aspect else None) != locked.aspect_id:
        if aspect is not None and aspect.framework_id != locked.round.framework_id:
            raise Invalid(f"“{aspect.name}”不是本轮次检视框架中的方面")
        changes.append(("aspect", locked.aspect_name or None, aspect.name if aspect else None))
        locked.aspect = aspect
        locked.aspect_label = aspect.name if aspect else ""
    if source is not None and source != locked.source:
        if source not in Source.values:
            raise Invalid("请选择问题来源")
        changes.append(("source", locked.source, source))
        locked.source = source
    if not changes:
        return []
    locked.save()
    for field, before, after in changes:
        _changed(EventType.PROBLEM_CHANGED, locked, actor, path, field, before, after)
    return [field for field, _before, _after in changes]


def measure_edit_refusal(measure: Measure) -> str | None:
    """Why MEASURE's content may not be corrected now, or None: voided, or closed (frozen until a
    reviewer reopens it, as `services.measure_locked_fields` decides)."""
    refusal = services.voided_refusal(measure)
    if refusal is not None:
        return refusal
    if "summary" in services.measure_locked_fields(measure):
        return "已销号的整改措施不能修改；如需修改，请先由验收人重新打开"
    return None


def _require_editable(measure: Measure) -> None:
    refusal = measure_edit_refusal(measure)
    if refusal is not None:
        raise Conflict(refusal)


@transaction.atomic
def edit_measure(
    measure: Measure,
    *,
    actor: Any,
    summary: str | None = None,
    text: str | None = None,
    group: str | None = None,
) -> list[str]:
    """Correct MEASURE's summary, text and group; organizers of its round, never on a closed or
    voided measure. (Its problem: `planning.link_measure`; owner, unit, deadline: `services.assign`.)
    One audit event per field changed; returns their names."""
    locked = _lock_measure(measure)
    path = _require(actor, locked, "manage", "修改整改措施")
    _require_editable(locked)
    changes: list[tuple[str, Any, Any]] = []
    for field, value, limit, label, required in (
        ("summary", summary, 500, "整改措施", True),
        ("text", text, None, "措施内容", False),
        ("group", group, 300, "措施分组", False),
    ):
        if value is None:
            continue
        cleaned = _text(value, limit, label, required=required)
        if cleaned != getattr(locked, field):
            changes.append((field, getattr(locked, field), cleaned))
            setattr(locked, field, cleaned)
    if not changes:
        return []
    locked.save()
    for field, before, after in changes:
        _changed(EventType.MEASURE_CHANGED, locked, actor, path, field, before, after)
    return [field for field, _before, _after in changes]


# --- quantified commitments ------------------------------------------------------------------------


def describe_commitment(commitment: Commitment | None) -> str | None:
    """A commitment as the history reads it: "每月 不少于 1 次（原文：每月至少走访1次）"."""
    if commitment is None:
        return None
    period = commitment.get_period_display() if commitment.period else ""
    value = decimal.Decimal(commitment.value).normalize()
    figure = f"{period} {commitment.get_op_display()} {value:f} {commitment.unit}".strip()
    return f"{figure}（原文：{commitment.text}）"


def _commitment_fields(text: str, period: str, op: str, value: Any, unit: str) -> dict[str, Any]:
    text = _text(text, 500, "承诺原文", required=True)
    if period and period not in Commitment.Period.values:
        raise Invalid("请选择周期")
    if op not in Commitment.Op.values:
        raise Invalid("请选择比较方式（不少于、不超过……）")
    try:
        number = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError) as error:
        raise Invalid("数值须是数字") from error
    if not number.is_finite() or number < 0 or number >= 10**10:
        raise Invalid("数值须是不小于 0 的数字")
    return {
        "text": text,
        "period": period or "",
        "op": op,
        "value": number,
        "unit": _text(unit, 20, "单位", required=False),
    }


@transaction.atomic
def add_commitment(
    measure: Measure, *, actor: Any, text: str, period: str, op: str, value: Any, unit: str = ""
) -> Commitment:
    """Add a quantified commitment to MEASURE; organizers, not on a closed or voided measure."""
    locked = _lock_measure(measure)
    path = _require(actor, locked, "manage", "修改量化承诺")
    _require_editable(locked)
    commitment = Commitment.objects.create(
        measure=locked, **_commitment_fields(text, period, op, value, unit)
    )
    _changed(
        EventType.MEASURE_CHANGED, locked, actor, path, "commitments", None, describe_commitment(commitment)
    )
    return commitment


@transaction.atomic
def change_commitment(
    commitment: Commitment, *, actor: Any, text: str, period: str, op: str, value: Any, unit: str = ""
) -> Commitment:
    """Change one of a measure's quantified commitments; organizers, not on a closed or voided measure."""
    locked = _lock_measure(commitment.measure)
    path = _require(actor, locked, "manage", "修改量化承诺")
    _require_editable(locked)
    row = Commitment.objects.select_for_update().get(pk=commitment.pk, measure=locked)
    before = describe_commitment(row)
    for field, value_ in _commitment_fields(text, period, op, value, unit).items():
        setattr(row, field, value_)
    row.save()
    after = describe_commitment(row)
    if after != before:
        _changed(EventType.MEASURE_CHANGED, locked, actor, path, "commitments", before, after)
    return row


@transaction.atomic
def remove_commitment(commitment: Commitment, *, actor: Any) -> None:
    """Remove one of a measure's quantified commitments; organizers, not on a closed or voided measure.
    (An indicator set up from it stays, without the link.)"""
    locked = _lock_measure(commitment.measure)
    path = _require(actor, locked, "manage", "修改量化承诺")
    _require_editable(locked)
    row = Commitment.objects.select_for_update().get(pk=commitment.pk, measure=locked)
    before = describe_commitment(row)
    row.delete()
    _changed(EventType.MEASURE_CHANGED, locked, actor, path, "commitments", before, None)


__all__ = [
    "add_commitment",
    "change_commitment",
    "edit_measure",
    "edit_problem",
    "remove_commitment",
    "restore_measure",
    "restore_problem",
    "void_measure",
    "void_problem",
]
