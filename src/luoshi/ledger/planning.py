"""The organizer's planning work on a round: adding problems and measures by hand, linking them,
and assigning owners, departments and deadlines (DESIGN.md, cycle step 6 "制定改进措施").

Like `luoshi.ledger.services`, each function here checks the actor's role, locks what it changes,
saves and appends the audit event in the same transaction. Pages and tests call these; no view
re-implements a rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Max

from luoshi.audit.chain import record
from luoshi.audit.models import EventType
from luoshi.errors import DomainError, Invalid, NotAllowed
from luoshi.ledger import services
from luoshi.ledger.models import Aspect, Cause, Measure, Problem, Round, Source
from luoshi.notices.services import notify
from luoshi.orgs.access import has_role
from luoshi.orgs.models import Member
from luoshi.text.shorten import shorten

NUMBER_RETRIES = 5

Numbered = TypeVar("Numbered", Problem, Measure)


def _require_manage(actor: Any, round_: Round, doing: str) -> str:
    path = round_.team.organization.path
    if not has_role(actor, path, "manage"):
        raise NotAllowed(f"只有本单位（或上级单位）的组织者可以{doing}")
    return path


def _lock_round(round_: Round) -> Round:
    """Lock the round row: organizers adding items to the same round at once take turns for the
    next ledger number. (SQLite ignores the lock but serialises writers; the unique constraint
    and the retry in `_create_numbered` cover the rest, e.g. an import running alongside.)"""
    return (
        Round.objects.select_for_update().select_related("team__organization", "framework").get(pk=round_.pk)
    )


def _create_numbered(model: type[Numbered], round_: Round, **fields: Any) -> Numbered:
    """Create a MODEL row with the next number in ROUND, retrying if someone took that number."""
    for _attempt in range(NUMBER_RETRIES):
        # all_objects: a voided item keeps its number, so a new one never takes it.
        number = (model.all_objects.filter(round=round_).aggregate(n=Max("number"))["n"] or 0) + 1
        try:
            with transaction.atomic():  # a savepoint: a collision leaves the outer transaction usable
                return model.objects.create(round=round_, number=number, **fields)
        except IntegrityError:
            if not model.all_objects.filter(round=round_, number=number).exists():
                raise  # some other constraint failed: not a numbering race
    raise Invalid("编号被同时占用，请稍后重试")


def _clean(text: str, limit: int, what: str, *, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise Invalid(f"请填写{what}")
    if len(text) > limit:
        raise Invalid(f"{what}不能超过 {limit} 个字")
    return text


@transaction.atomic
def create_problem(
    round_: Round,
    *,
    actor: Any,
    summary: str,
    source: str = Source.SELF_EXAMINATION,
    aspect: Aspect | None = None,
    text: str = "",
    member: Member | None = None,
) -> Problem:
    """Add a problem by hand (not every problem comes from a document), numbered next in the round;
    MEMBER when it is one member's own problem rather than the team's."""
    locked = _lock_round(round_)
    path = _require_manage(actor, locked, "新增问题")
    summary = _clean(summary, 500, "问题")
    if source not in Source.values:
        raise Invalid("请选择问题来源")
    if aspect is not None and aspect.framework_id != locked.framework_id:
        raise Invalid(f"“{aspect.name}”不是本轮次检视框架中的方面")
    _check_owner(member, locked)
    return add_problem(
        locked,
        actor=actor,
        organization_path=path,
        event={"aspect": aspect.name if aspect else ""},
        summary=summary,
        text=(text or "").strip(),
        source=source,
        aspect=aspect,
        aspect_label=aspect.name if aspect else "",
        member=member,
    )


def add_problem(
    round_: Round, *, actor: Any, organization_path: str, event: dict[str, Any] | None = None, **fields: Any
) -> Problem:
    """Create a problem of ROUND with FIELDS, numbered next in the round, and record it (its event
    holds the number, summary and source, and EVENT's extra values).

    The one place problems are numbered, whatever they come from: a hand entry, an opinion, an item
    of supervision feedback. The caller has locked ROUND and decided that ACTOR may add to it."""
    problem = _create_numbered(Problem, round_, **fields)
    record(
        EventType.PROBLEM_CREATED,
        problem,
        actor=actor,
        new={
            "number": problem.number,
            "summary": problem.summary,
            "source": problem.source,
            **(event or {}),
        },
        organization_path=organization_path,
    )
    return problem


@transaction.atomic
def create_cause(round_: Round, *, actor: Any, summary: str, text: str = "") -> Cause:
    """Add a cause (原因) to ROUND, ordered after the existing ones."""
    locked = _lock_round(round_)
    path = _require_manage(actor, locked, "新增原因")
    summary = _clean(summary, 500, "原因")
    order = (Cause.objects.filter(round=locked).aggregate(n=Max("order"))["n"] or 0) + 1
    cause = Cause.objects.create(round=locked, summary=summary, text=(text or "").strip(), order=order)
    record(EventType.CAUSE_CREATED, cause, actor=actor, new={"summary": summary}, organization_path=path)
    return cause


@transaction.atomic
def link_causes(problem: Problem, causes: Iterable[Cause], *, actor: Any) -> Problem:
    """Set the causes a problem is linked to (a cause may explain several problems)."""
    locked = (
        Problem.all_objects.select_for_update(of=("self",))
        .select_related("round__team__organization")
        .get(pk=problem.pk)
    )
    path = _require_manage(actor, locked.round, "关联原因")
    services.require_live(locked)
    wanted = list(causes)
    if any(cause.round_id != locked.round_id for cause in wanted):
        raise Invalid("只能关联本轮次的原因")
    before = sorted(locked.causes.all(), key=lambda c: c.pk)
    after = sorted({c.pk: c for c in wanted}.values(), key=lambda c: c.pk)
    if [c.pk for c in before] == [c.pk for c in after]:
        return locked
    locked.causes.set(after)
    record(
        EventType.PROBLEM_CHANGED,
        locked,
        actor=actor,
        old={"causes": [c.summary for c in before]},
        new={"causes": [c.summary for c in after]},
        organization_path=path,
    )
    return locked


def _check_owner(owner: Member | None, round_: Round) -> None:
    if owner is not None and owner.team_id != round_.team_id:
        raise Invalid(f"{owner.name} 不是本班子成员")


@transaction.atomic
def create_measure(
    problem: Problem,
    *,
    actor: Any,
    summary: str,
    text: str = "",
    owner: Member | None = None,
    department: str = "",
    deadline: datetime.date | None = None,
) -> Measure:
    """Add a measure by hand under PROBLEM, with the next measure number of the round."""
    locked = _lock_round(problem.round)
    path = _require_manage(actor, locked, "新增整改措施")
    services.require_live(problem)
    summary = _clean(summary, 500, "整改措施")
    department = _clean(department, 200, "责任单位", required=False)
    _check_owner(owner, locked)
    measure = _create_numbered(
        Measure,
        locked,
        problem=problem,
        summary=summary,
        text=(text or "").strip(),
        owner=owner,
        department=department,
        baseline_deadline=deadline,
    )
    record(
        EventType.MEASURE_CREATED,
        measure,
        actor=actor,
        new={
            "number": measure.number,
            "problem": problem.number,
            "summary": summary,
            **services.owner_values(owner),
            "department": department,
            "deadline": deadline,
        },
        organization_path=path,
    )
    if owner is not None and owner.user_id is not None:
        notify(
            owner.user, f"您被确定为整改措施“{shorten(summary, 40)}”的责任领导", measure.get_absolute_url()
        )
    return measure


@transaction.atomic
def assign_many(
    measures: Sequence[Measure],
    *,
    actor: Any,
    owner: Member | None = None,
    department: str | None = None,
    deadline: datetime.date | None = None,
) -> list[Measure]:
    """Assign the same owner, department and/or deadline to several measures, all or none.

    Each measure goes through `services.assign` (one audit event per measure that changed). Rows are
    locked in primary-key order so two organizers assigning overlapping selections cannot deadlock.
    A refusal for any one measure rolls back the whole batch and names that measure.
    """
    if owner is None and not (department or "").strip() and deadline is None:
        raise Invalid("请至少填写责任领导、责任单位或完成时限中的一项")
    if not measures:
        raise Invalid("请先勾选要分配的整改措施")
    department = None if department is None or not department.strip() else department
    if department is not None:
        _clean(department, 200, "责任单位")
    done = []
    for measure in sorted(measures, key=lambda m: m.pk):
        before = measure.owner_id
        try:
            changed = services.assign(
                measure, actor=actor, owner=owner, department=department, deadline=deadline
            )
        except DomainError as error:
            raise type(error)(f"措施 {measure.number}：{error.message}") from error
        if owner is not None and owner.user_id is not None and before != owner.pk:
            notify(
                owner.user,
                f"您被确定为整改措施“{shorten(changed.summary, 40)}”的责任领导",
                changed.get_absolute_url(),
            )
        done.append(changed)
    return done


@transaction.atomic
def link_measure(measure: Measure, problem: Problem | None, *, actor: Any) -> Measure:
    """Put MEASURE under PROBLEM (a problem can have several measures), or detach it with None."""
    locked = (
        Measure.all_objects.select_for_update(of=("self",))
        .select_related("round__team__organization", "problem")
        .get(pk=measure.pk)
    )
    path = _require_manage(actor, locked.round, "关联问题和整改措施")
    services.require_live(locked)
    if problem is not None and problem.round_id != locked.round_id:
        raise Invalid("只能关联本轮次的问题")
    if (problem.pk if problem else None) == locked.problem_id:
        return locked
    old = {"problem": _problem_label(locked.problem)}
    locked.problem = problem
    locked.save(update_fields=["problem", "updated_at"])
    record(
        EventType.MEASURE_LINKED,
        locked,
        actor=actor,
        old=old,
        new={"problem": _problem_label(problem)},
        organization_path=path,
    )
    return locked


def _problem_label(problem: Problem | None) -> str | None:
    return f"{problem.number}. {problem.summary}" if problem is not None else None


def manageable(actor: Any, round_: Round) -> bool:
    """Whether ACTOR may plan ROUND (shows the organizer's forms; the services check again)."""
    return has_role(actor, round_.team.organization.path, "manage")
