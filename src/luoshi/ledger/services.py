"""Every change to the ledger happens here, once: pages, the API, the CLI and tests call these.

Each service checks who may act, locks the row it changes, saves, and appends the audit event in the
same transaction, so a change without its event (or an event without its change) cannot exist.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from luoshi.audit.chain import record
from luoshi.audit.models import EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger.models import (
    Aspect,
    Cause,
    Commitment,
    Evidence,
    Framework,
    Measure,
    Problem,
    Review,
    Round,
    RoundKind,
    Source,
)
from luoshi.ledger.states import Actor, MeasureStatus, rule_for
from luoshi.orgs.access import has_role
from luoshi.orgs.models import Member, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from luoshi.text.model import Commitment as ParsedCommitment
    from luoshi.text.model import ParsedDocument

    User = AbstractBaseUser


def org_path_of(measure: Measure) -> str:
    return measure.round.team.organization.path


def capacities(measure: Measure, user: Any) -> frozenset[Actor]:
    """The capacities in which USER may act on MEASURE."""
    path = org_path_of(measure)
    found = set()
    if measure.owner is not None and measure.owner.user_id is not None and measure.owner.user_id == user.pk:
        found.add(Actor.OWNER)
    elif (
        user.pk is not None and measure.pk is not None and measure.co_owners.filter(user_id=user.pk).exists()
    ):
        # A co-owner (共同责任领导) works the measure like its owner, and like the owner never verifies it.
        found.add(Actor.OWNER)
    if has_role(user, path, "manage"):
        found.add(Actor.ORGANIZER)
    if has_role(user, path, "review"):
        found.add(Actor.REVIEWER)
    return frozenset(found)


def evidence_digest(measure: Measure) -> str:
    """SHA-256 over what a reviewer verifies: the outcome text and every piece of evidence.

    Stored with the review, so a later change to the outcome or the evidence is detectable: the
    closed measure no longer matches what was verified, and changing them needs a reopen.
    """
    digest = hashlib.sha256()
    digest.update(measure.outcome.encode("utf-8"))
    for item in measure.evidence.order_by("id"):
        digest.update(b"\x00")
        digest.update(f"{item.pk}|{item.evidence_date.isoformat()}|{item.sha256}|".encode())
        digest.update(item.statement.encode("utf-8"))
    return digest.hexdigest()


@transaction.atomic
def transition(
    measure: Measure, target: MeasureStatus | str, *, actor: Any, reason: str = "", outcome: str | None = None
) -> Measure:
    """Move MEASURE to TARGET for ACTOR, enforcing the workflow table (states.py).

    Raises Conflict when the workflow has no such step from the current state, NotAllowed when
    ACTOR may not take it (role, ownership, four eyes), Invalid when a reason or outcome is missing.
    """
    locked = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("round__team__organization", "owner")
        .get(pk=measure.pk)
    )
    source = MeasureStatus(locked.status)
    target = MeasureStatus(target)
    rule = rule_for(source, target)
    if rule is None:
        raise Conflict(f"措施当前为“{source.label}”，不能变为“{target.label}”")
    held = capacities(locked, actor)
    if not held & rule.actors:
        raise NotAllowed(
            f"无权执行“{rule.label}”：需要{'、'.join(_ACTOR_NAMES[a] for a in sorted(rule.actors, key=lambda a: a.value))}身份"
        )
    if rule.four_eyes:
        if Actor.OWNER in held:
            raise NotAllowed("责任人不能验收、退回或重新打开自己的整改措施")
        if target != MeasureStatus.IN_PROGRESS and locked.submitted_by_id == actor.pk:
            raise NotAllowed("提交验收的人不能再验收同一项措施")
    reason = reason.strip()
    if rule.needs_reason and not reason:
        raise Invalid(f"“{rule.label}”须填写理由")
    if outcome is not None:
        locked.outcome = outcome.strip()
    if rule.needs_outcome and not locked.outcome:
        raise Invalid(f"“{rule.label}”须填写整改成效")

    now = timezone.now()
    old = {"status": source.value}
    locked.status = target
    if target == MeasureStatus.SUBMITTED:
        locked.submitted_by = actor
        locked.submitted_at = now
    if target == MeasureStatus.CLOSED:
        locked.closed_at = now
    if source == MeasureStatus.CLOSED:
        locked.closed_at = None
    if target == MeasureStatus.CONTINUING:
        locked.long_term = True
    locked.save()

    review_decision = {
        MeasureStatus.CLOSED: Review.Decision.CLOSE,
        MeasureStatus.RETURNED: Review.Decision.RETURN,
    }.get(target)
    if source == MeasureStatus.CLOSED:
        review_decision = Review.Decision.REOPEN
    new: dict[str, Any] = {"status": target.value}
    if reason:
        new["reason"] = reason
    if rule.needs_outcome:
        new["outcome"] = locked.outcome
    if review_decision is not None:
        digest = evidence_digest(locked)
        Review.objects.create(
            measure=locked, decision=review_decision, reasons=reason, digest=digest, reviewer=actor
        )
        new["digest"] = digest
    record(
        EventType.MEASURE_TRANSITIONED,
        locked,
        actor=actor,
        old=old,
        new=new,
        organization_path=org_path_of(locked),
    )
    from luoshi.ledger import progress  # imported here: progress builds on this module

    if target == MeasureStatus.RETURNED:
        progress.notify_owner(locked, f"整改措施被退回：{locked.summary}。退回理由：{reason}")
    elif target == MeasureStatus.SUBMITTED:
        progress.notify_reviewers(locked, f"整改措施待验收：{locked.summary}", exclude=[actor.pk])
    elif target == MeasureStatus.CLOSED:
        progress.notify_owner(locked, f"整改措施已验收销号：{locked.summary}")
    elif source == MeasureStatus.CLOSED:
        progress.notify_owner(locked, f"已销号的整改措施被重新打开：{locked.summary}。理由：{reason}")
    return locked


_ACTOR_NAMES = {Actor.OWNER: "责任人", Actor.ORGANIZER: "组织者", Actor.REVIEWER: "验收人"}


@transaction.atomic
def assign(
    measure: Measure,
    *,
    actor: Any,
    owner: Member | None = None,
    department: str | None = None,
    deadline: datetime.date | None = None,
) -> Measure:
    """Set a measure's owner, department and (baseline) deadline. Organizers only.

    The baseline deadline may be set while the measure has none or has not started; after that a
    later deadline exists only through an approved extension (DESIGN.md, "Deadlines have a baseline").
    """
    locked = (
        Measure.objects.select_for_update(of=("self",))
        .select_related("round__team__organization", "owner")
        .get(pk=measure.pk)
    )
    path = org_path_of(locked)
    if not has_role(actor, path, "manage"):
        raise NotAllowed("只有组织者可以分配责任领导、责任单位和完成时限")
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    if owner is not None and owner.pk != locked.owner_id:
        if owner.team_id != locked.round.team_id:
            raise Invalid(f"{owner.name} 不是本班子成员")
        old["owner"], new["owner"] = (locked.owner.name if locked.owner else None), owner.name
        locked.owner = owner
    if department is not None and department.strip() != locked.department:
        old["department"], new["department"] = locked.department, department.strip()
        locked.department = department.strip()[:200]
    if deadline is not None and deadline != locked.baseline_deadline:
        if locked.baseline_deadline is not None and locked.status != MeasureStatus.PLANNED:
            raise Conflict("整改已开始，完成时限只能通过延期申请调整")
        old["deadline"], new["deadline"] = locked.baseline_deadline, deadline
        locked.baseline_deadline = deadline
        locked.current_deadline = deadline
    if not new:
        return locked
    locked.save()
    record(EventType.MEASURE_ASSIGNED, locked, actor=actor, old=old, new=new, organization_path=path)
    return locked


# --- rounds and import -------------------------------------------------------------------------


def default_framework() -> Framework:
    """The framework marked default; the six aspects are recreated if an administrator removed them."""
    from luoshi.ledger.frameworks import ensure_default_framework

    framework = Framework.objects.filter(is_default=True).first()
    return framework or ensure_default_framework(Framework, Aspect)


@transaction.atomic
def create_round(
    *,
    team: Team,
    title: str,
    year: int,
    actor: Any,
    kind: str = RoundKind.SPECIAL,
    theme: str = "",
    framework: Framework | None = None,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> Round:
    if not has_role(actor, team.organization.path, "manage"):
        raise NotAllowed("只有本单位（或上级单位）的组织者可以创建检视轮次")
    if not title.strip():
        raise Invalid("请填写轮次名称")
    round_ = Round.objects.create(
        team=team,
        title=title.strip(),
        year=year,
        kind=kind,
        theme=theme.strip(),
        framework=framework or default_framework(),
        start_date=start_date,
        end_date=end_date,
    )
    record(
        EventType.ROUND_CREATED,
        round_,
        actor=actor,
        new={"title": round_.title, "year": year, "kind": kind},
        organization_path=team.organization.path,
    )
    return round_


def _aspect_for(label: str, aspects: Iterable[Aspect]) -> Aspect | None:
    """The framework aspect a heading label names: exact, then containment ("在理论学习上" → 理论学习)."""
    for aspect in aspects:
        if aspect.name == label:
            return aspect
    for aspect in aspects:
        if aspect.name and aspect.name in label:
            return aspect
    return None


@dataclass(frozen=True)
class ImportResult:
    problems: list[Problem]
    causes: list[Cause]
    measures: list[Measure]


@transaction.atomic
def add_commitments(measure: Measure, commitments: Iterable[ParsedCommitment]) -> None:
    """Store the quantified commitments found in MEASURE's text (luoshi.text.quantities)."""
    for commitment in commitments:
        Commitment.objects.create(
            measure=measure,
            text=commitment.text[:500],
            period=commitment.period or "",
            op=commitment.op,
            value=commitment.value,
            unit=commitment.unit[:20],
        )


def import_parsed(
    round_: Round,
    document: ParsedDocument,
    *,
    actor: Any,
    source: str = Source.SELF_EXAMINATION,
    name: str = "",
) -> ImportResult:
    """Create the problems, causes and measures of a parsed document in ROUND, numbered after what
    the round already has. All or nothing: any failure rolls the whole import back."""
    path = round_.team.organization.path
    if not has_role(actor, path, "manage"):
        raise NotAllowed("只有组织者可以导入文档")
    aspects = list(round_.framework.aspects.all())
    next_problem = (round_.problems.aggregate(n=Max("number"))["n"] or 0) + 1
    next_measure = (round_.measures.aggregate(n=Max("number"))["n"] or 0) + 1
    next_cause = (round_.causes.aggregate(n=Max("order"))["n"] or 0) + 1

    problems = []
    for offset, found in enumerate(document.problems):
        problems.append(
            Problem.objects.create(
                round=round_,
                number=next_problem + offset,
                aspect=_aspect_for(found.aspect, aspects),
                aspect_label=found.aspect[:200],
                source=source,
                summary=found.summary[:500],
                text=found.text,
            )
        )
    causes = [
        Cause.objects.create(
            round=round_, summary=item.summary[:500], text=item.text, order=next_cause + offset
        )
        for offset, item in enumerate(document.causes)
    ]
    members = {m.name: m for m in Member.objects.filter(team=round_.team)}
    measures = []
    for offset, item in enumerate(document.measures):
        problem = (
            problems[item.problem] if item.problem is not None and 0 <= item.problem < len(problems) else None
        )
        owner, co_owners, unmatched = match_owners(item.owner, members)
        measure = Measure.objects.create(
            round=round_,
            problem=problem,
            number=next_measure + offset,
            group=item.group[:300],
            summary=item.summary[:500],
            text=item.text,
            owner=owner,
            owner_label=unmatched[:100],
            department=(item.department or "")[:200],
            co_department=(item.co_department or "")[:200],
            baseline_deadline=item.deadline,
            deadline_text=(item.deadline_text or "")[:100],
            long_term=item.deadline is None and bool(item.deadline_text),
        )
        if co_owners:
            measure.co_owners.set(co_owners)
        add_commitments(measure, item.commitments)
        measures.append(measure)
    record(
        EventType.ROUND_IMPORTED,
        round_,
        actor=actor,
        new={
            "document": name or document.title,
            "problems": [p.number for p in problems],
            "causes": len(causes),
            "measures": [m.number for m in measures],
        },
        organization_path=path,
    )
    return ImportResult(problems, causes, measures)


def match_owners(written: str | None, members: dict[str, Member]) -> tuple[Member | None, list[Member], str]:
    """The owner cell as written ("李建华、王志刚") matched to the team by name: the first member
    named is the owner, the other members named are co-owners, and the names that match no member
    are kept as written (joined by 、) for the organizer to assign."""
    if not written:
        return None, [], ""
    if written.strip() in members:
        return members[written.strip()], [], ""
    matched: list[Member] = []
    unmatched: list[str] = []
    for name in owner_names(written):
        member = members.get(name)
        if member is None:
            unmatched.append(name)
        elif member not in matched:
            matched.append(member)
    return (matched[0] if matched else None), matched[1:], "、".join(unmatched)


def owner_names(written: str | None) -> list[str]:
    """The names in an owner cell, split the way the parser splits them (、，,/；;)."""
    from luoshi.text.model import Measure as ParsedMeasure

    return ParsedMeasure(group="", summary="", text="", owner=written or None).owners


# --- rates ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """A rate with the counts behind it and its formula, so every figure can be explained."""

    label: str
    formula: str
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return None if self.denominator == 0 else round(100 * self.numerator / self.denominator, 1)


@dataclass(frozen=True)
class Rates:
    total: int
    closed: int
    continuing: int
    extended: int
    overdue: int
    completion: Rate
    on_time: Rate


def rates(measures: Any, today: datetime.date | None = None) -> Rates:
    """完成率, 按期完成率, 持续整改, 延期 and 逾期 of a measure queryset, computed in one query.

    完成率 = 已销号 / 全部措施; 按期完成率 = 在原定时限内销号 / 原定时限已到的措施; 持续整改 and
    延期 are counted apart and never as closed; 逾期 = 未办结且已过当前时限.
    """
    from django.db.models import Count, F, Q
    from django.db.models.functions import TruncDate

    today = today or timezone.localdate()
    closed_q = Q(status=MeasureStatus.CLOSED)
    open_q = Q(
        status__in=[
            MeasureStatus.PLANNED,
            MeasureStatus.IN_PROGRESS,
            MeasureStatus.SUBMITTED,
            MeasureStatus.RETURNED,
        ]
    )
    due_q = Q(baseline_deadline__isnull=False, baseline_deadline__lte=today)
    counts = measures.annotate(closed_day=TruncDate("closed_at")).aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=closed_q),
        continuing=Count("pk", filter=Q(status=MeasureStatus.CONTINUING)),
        extended=Count("pk", filter=Q(current_deadline__gt=F("baseline_deadline"))),
        overdue=Count("pk", filter=open_q & Q(current_deadline__lt=today)),
        due=Count("pk", filter=due_q),
        closed_on_time=Count("pk", filter=due_q & closed_q & Q(closed_day__lte=F("baseline_deadline"))),
    )
    return Rates(
        total=counts["total"],
        closed=counts["closed"],
        continuing=counts["continuing"],
        extended=counts["extended"],
        overdue=counts["overdue"],
        completion=Rate("完成率", "已销号措施数 ÷ 措施总数", counts["closed"], counts["total"]),
        on_time=Rate(
            "按期完成率",
            "在原定完成时限内销号的措施数 ÷ 原定完成时限已到的措施数",
            counts["closed_on_time"],
            counts["due"],
        ),
    )


__all__ = ["Evidence", "add_commitments", "create_round", "import_parsed", "rates", "transition"]
