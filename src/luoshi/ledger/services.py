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
from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger.models import (
    Aspect,
    Cause,
    Commitment,
    Evidence,
    Framework,
    Measure,
    Problem,
    ProgressUpdate,
    Review,
    Round,
    RoundKind,
    Source,
)
from luoshi.ledger.states import REVIEW_SIDE, TRANSITIONS, Actor, MeasureStatus, rule_for
from luoshi.orgs.access import has_role
from luoshi.orgs.models import Member, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from luoshi.text.model import Commitment as ParsedCommitment
    from luoshi.text.model import ParsedDocument

    User = AbstractBaseUser


BULK_BATCH = 500  # rows per INSERT in imports: within SQLite's limit on bound parameters


def org_path_of(measure: Measure) -> str:
    return measure.round.team.organization.path


def is_owner(measure: Measure, user: Any) -> bool:
    """Whether USER owns MEASURE now (the login of its 责任领导). The one place ownership is decided:
    capacities, four eyes and the pages ask here."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return False
    if measure.owner is not None and measure.owner.user_id == user_id:
        return True
    # A co-owner (共同责任领导) works the measure like its owner and, like the owner, never verifies it.
    # .all() so that a page that prefetched co_owners asks no query per measure.
    return measure.pk is not None and any(member.user_id == user_id for member in measure.co_owners.all())


def capacities(measure: Measure, user: Any) -> frozenset[Actor]:
    """The capacities in which USER may act on MEASURE."""
    path = org_path_of(measure)
    found = set()
    if is_owner(measure, user):
        found.add(Actor.OWNER)
    if has_role(user, path, "manage"):
        found.add(Actor.ORGANIZER)
    if has_role(user, path, "review"):
        found.add(Actor.REVIEWER)
    return frozenset(found)


# --- four eyes -----------------------------------------------------------------------------------

# Owner-side steps of the table ("start", "submit", "continue", "restart"): taking one is working on
# the measure, as recording its progress or evidence is.
_OWNER_SIDE_STEPS = frozenset(
    (source.value, target.value)
    for (source, target), rule in TRANSITIONS.items()
    if not rule.actors & REVIEW_SIDE
)
_MEASURE_LABEL = "ledger.measure"
_MEMBER_LABEL = "orgs.member"


@dataclass(frozen=True)
class Involvement:
    """Who has had a hand in a measure during its round (its cycle), read from its audit events.

    `owners`: users who owned it through its member (now or earlier, including a login the member
    was linked to before); `submitters`: who submitted it; `workers`: who recorded its progress or
    evidence, or took another owner-side step (start, continue, restart)."""

    owners: frozenset[int] = frozenset()
    submitters: frozenset[int] = frozenset()
    workers: frozenset[int] = frozenset()


def _ids_in(values: Iterable[Any]) -> set[int]:
    """Primary keys found in event values: an int, or {"id": …} as the admin records a relation."""
    found = set()
    for value in values:
        if isinstance(value, dict):
            value = value.get("id")
        if isinstance(value, int) and not isinstance(value, bool):
            found.add(value)
    return found


def involvement_of(measures: Iterable[Measure]) -> dict[int, Involvement]:
    """The Involvement of each of MEASURES, in a fixed number of queries however many there are."""
    by_pk = {m.pk: m for m in measures}
    if not by_pk:
        return {}
    owner_members: dict[int, set[int]] = {
        pk: {m.owner_id} if m.owner_id else set() for pk, m in by_pk.items()
    }
    owner_users: dict[int, set[int]] = {pk: set() for pk in by_pk}
    legacy_names: dict[int, set[str]] = {pk: set() for pk in by_pk}
    submitters: dict[int, set[int]] = {pk: set() for pk in by_pk}
    workers: dict[int, set[int]] = {pk: set() for pk in by_pk}
    for pk, m in by_pk.items():
        if m.submitted_by_id:
            submitters[pk].add(m.submitted_by_id)
    events = Event.objects.filter(
        target_type=_MEASURE_LABEL, target_id__in=[str(pk) for pk in by_pk]
    ).values_list("target_id", "event_type", "actor_id", "old", "new")
    for target_id, event_type, actor_id, old, new in events:
        pk = int(target_id)
        old, new = old or {}, new or {}
        if event_type in (EventType.PROGRESS_RECORDED, EventType.EVIDENCE_ADDED):
            if actor_id:
                workers[pk].add(actor_id)
        elif event_type == EventType.MEASURE_TRANSITIONED:
            step = (old.get("status"), new.get("status"))
            if actor_id and step in _OWNER_SIDE_STEPS:
                (submitters if step[1] == MeasureStatus.SUBMITTED else workers)[pk].add(actor_id)
        for values in (old, new):
            owner_members[pk] |= _ids_in([values.get("owner_id")])
            owner_users[pk] |= _ids_in([values.get("owner_user")])
            if isinstance(values.get("owner"), dict):
                owner_members[pk] |= _ids_in([values["owner"]])
            elif isinstance(values.get("owner"), str) and "owner_id" not in values:
                legacy_names[pk].add(values["owner"])  # events written before member ids were recorded
    # Progress and evidence brought in with a spreadsheet carry their author, without an event each.
    for model, field in ((ProgressUpdate, "author_id"), (Evidence, "uploaded_by_id")):
        for measure_id, user_id in model.objects.filter(measure_id__in=list(by_pk)).values_list(
            "measure_id", field
        ):
            workers[measure_id].add(user_id)
    names = set().union(*legacy_names.values())
    if names:
        teams = {m.round.team_id for m in by_pk.values()}
        named = Member.objects.filter(team_id__in=teams, name__in=names).values_list("pk", "team_id", "name")
        for pk, m in by_pk.items():
            owner_members[pk] |= {
                member for member, team, name in named if team == m.round.team_id and name in legacy_names[pk]
            }
    members = set().union(*owner_members.values())
    linked: dict[int, set[int]] = {member: set() for member in members}
    for member, user in Member.objects.filter(pk__in=members, user__isnull=False).values_list(
        "pk", "user_id"
    ):
        linked[member].add(user)
    member_events = Event.objects.filter(
        target_type=_MEMBER_LABEL, target_id__in=[str(pk) for pk in members]
    ).values_list("target_id", "old", "new")
    for target_id, old, new in member_events:
        linked[int(target_id)] |= _ids_in([(old or {}).get("user"), (new or {}).get("user")])
    return {
        pk: Involvement(
            owners=frozenset(owner_users[pk].union(*(linked[member] for member in owner_members[pk]))),
            submitters=frozenset(submitters[pk]),
            workers=frozenset(workers[pk]),
        )
        for pk in by_pk
    }


def four_eyes_refusal(measure: Measure, user: Any, involvement: Involvement | None = None) -> str | None:
    """Why USER may not verify, return or reopen MEASURE (four eyes), or None when they may.

    The verifier has touched neither the measure's progress, evidence nor submission, and is neither
    its current nor a former owner in its round. INVOLVEMENT, when the caller read it in bulk."""
    if is_owner(measure, user):
        return "责任人不能验收、退回或重新打开自己的整改措施"
    found = involvement if involvement is not None else involvement_of([measure])[measure.pk]
    if user.pk in found.submitters:
        return "提交验收的人不能再验收、退回或重新打开同一项措施"
    if user.pk in found.owners:
        return "曾任该措施责任领导的人不能验收、退回或重新打开它"
    if user.pk in found.workers:
        return "填报过该措施进展、佐证材料或推进过其整改的人不能验收、退回或重新打开它"
    return None


def voided_refusal(item: Measure | Problem) -> str | None:
    """Why nothing may happen to ITEM now, or None: a voided (作废) problem or measure takes no
    transition, progress, evidence, extension, assignment or correction until a reviewer restores
    it. The one place this is decided: the services and the admin ask here."""
    if item.voided_at is None:
        return None
    what = "整改措施" if isinstance(item, Measure) else "问题"
    return f"该{what}已作废，不能再办理或修改；如系误操作，请验收人恢复"


def require_live(item: Measure | Problem) -> None:
    """Raise Conflict with `voided_refusal` when ITEM is voided."""
    refusal = voided_refusal(item)
    if refusal is not None:
        raise Conflict(refusal)


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
        Measure.all_objects.select_for_update(of=("self",))
        .select_related("round__team__organization", "owner")
        .get(pk=measure.pk)
    )
    require_live(locked)
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
        refusal = four_eyes_refusal(locked, actor)
        if refusal is not None:
            raise NotAllowed(refusal)
    reason = reason.strip()
    if rule.needs_reason and not reason:
        raise Invalid(f"“{rule.label}”须填写理由")
    old: dict[str, Any] = {"status": source.value}
    if outcome is not None and outcome.strip() != locked.outcome:
        if not rule.needs_outcome:
            # The reviewer verifies the outcome as the owner submitted it, never a rewritten one.
            raise Invalid(f"“{rule.label}”不能填写或修改整改成效：整改成效只能由责任人在提交验收时填写")
        old["outcome"] = locked.outcome
        locked.outcome = outcome.strip()
    if rule.needs_outcome and not locked.outcome:
        raise Invalid(f"“{rule.label}”须填写整改成效")

    now = timezone.now()
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
    _tell(locked, source, target, actor=actor, reason=reason, at=now)
    return locked


def _tell(
    measure: Measure,
    source: MeasureStatus,
    target: MeasureStatus,
    *,
    actor: Any,
    reason: str,
    at: datetime.datetime,
) -> None:
    """Who hears of a step (on commit): the owner of a decision on their measure, the reviewers of a
    submission, the organizers of the round of a submission, return or closure; and the notices
    the step has handled are marked done (a 待验收 notice once the measure is closed or returned)."""
    from luoshi.ledger import progress  # imported here: progress builds on this module
    from luoshi.notices.rules import SUMMARY_QUOTE
    from luoshi.notices.services import mark_done
    from luoshi.text.shorten import shorten

    summary = shorten(measure.summary, SUMMARY_QUOTE)
    label = progress.measure_label(measure)
    owner_id = measure.owner.user_id if measure.owner is not None else None
    said = shorten(reason, 120)
    period = at.isoformat()
    if target == MeasureStatus.RETURNED:
        progress.notify_owner(
            measure, f"整改措施被退回：{summary}。退回理由：{said}", topic=progress.work_topic(measure)
        )
        progress.tell_organizers(
            measure, "returned", "整改措施被退回", f"{label}验收未通过，已退回。退回理由：{said}",
            period=period, exclude=[actor.pk, owner_id],
        )  # fmt: skip
    elif target == MeasureStatus.SUBMITTED:
        told = progress.notify_reviewers(
            measure, f"整改措施待验收：{summary}", exclude=[actor.pk], topic=progress.review_topic(measure)
        )
        progress.tell_organizers(
            measure, "submitted", "整改措施提交验收", f"{label}已提交验收，待验收人验收销号。",
            period=period, exclude=[actor.pk, *told],
        )  # fmt: skip
    elif target == MeasureStatus.CLOSED:
        opinion = f"验收意见：{said}" if said else ""
        progress.notify_owner(measure, f"整改措施已验收销号：{summary}。{opinion}".rstrip("。"))
        progress.tell_organizers(
            measure, "closed", "整改措施验收销号", f"{label}已验收销号。{opinion}".rstrip("。"),
            period=period, exclude=[actor.pk, owner_id],
        )  # fmt: skip
    elif source == MeasureStatus.CLOSED:
        progress.notify_owner(measure, f"已销号的整改措施被重新打开：{summary}。理由：{said}")
    if source == MeasureStatus.SUBMITTED:
        mark_done(progress.review_topic(measure))


_ACTOR_NAMES = {Actor.OWNER: "责任人", Actor.ORGANIZER: "组织者", Actor.REVIEWER: "验收人"}


def owner_values(member: Member | None) -> dict[str, Any]:
    """How an owner is recorded in an event: the name to read, the member and login four eyes needs."""
    return {
        "owner": member.name if member is not None else None,
        "owner_id": member.pk if member is not None else None,
        "owner_user": member.user_id if member is not None else None,
    }


def owner_change_refusal(measure: Measure) -> str | None:
    """Why MEASURE's owner may not change now, or None. While it awaits verification the owner stays
    who submitted it (a new one could otherwise close what they did not do, or hand it to a reviewer);
    a closed measure is frozen until a reviewer reopens it."""
    if measure.status == MeasureStatus.SUBMITTED:
        return "措施待验收期间不能更换责任领导；如需更换，请先由验收人退回"
    if measure.status == MeasureStatus.CLOSED:
        return "已销号的措施不能更换责任领导；如需更换，请先由验收人重新打开"
    return None


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
        Measure.all_objects.select_for_update(of=("self",))
        .select_related("round__team__organization", "owner")
        .get(pk=measure.pk)
    )
    path = org_path_of(locked)
    if not has_role(actor, path, "manage"):
        raise NotAllowed("只有组织者可以分配责任领导、责任单位和完成时限")
    require_live(locked)
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    if owner is not None and owner.pk != locked.owner_id:
        if owner.team_id != locked.round.team_id:
            raise Invalid(f"{owner.name} 不是本班子成员")
        refusal = owner_change_refusal(locked)
        if refusal is not None:
            raise Conflict(refusal)
        old.update(owner_values(locked.owner))
        new.update(owner_values(owner))
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


# --- what the admin may change ------------------------------------------------------------------

# Set only by the workflow (transition, extensions): never edited directly, not even in the admin.
MEASURE_WORKFLOW_FIELDS = (
    "status",
    "outcome",
    "submitted_by",
    "submitted_at",
    "closed_at",
    "baseline_deadline",
    "current_deadline",
)


def measure_locked_fields(measure: Measure | None) -> tuple[str, ...]:
    """The fields of MEASURE that may not be edited directly (the admin asks here).

    The workflow's fields always, the baseline deadline once the measure exists (原定时限 never
    changes; a later one comes only through an approved extension); the owner while it awaits
    verification; everything once it is closed (frozen until a reviewer reopens it)
    or voided (until a reviewer restores it)."""
    if measure is None:
        return tuple(name for name in MEASURE_WORKFLOW_FIELDS if name != "baseline_deadline")
    if measure.status == MeasureStatus.CLOSED or voided_refusal(measure) is not None:
        return tuple(f.name for f in Measure._meta.concrete_fields if f.editable and not f.primary_key)
    locked = list(MEASURE_WORKFLOW_FIELDS)
    if owner_change_refusal(measure) is not None:
        locked.append("owner")
    return tuple(locked)


def round_has_records(round_: Round) -> bool:
    """Whether ROUND holds anything of the ledger: problems, causes, measures (voided ones too) or
    import drafts."""
    return (
        Problem.all_objects.filter(round=round_).exists()
        or round_.causes.exists()
        or Measure.all_objects.filter(round=round_).exists()
        or round_.drafts.exists()
    )


def round_delete_refusal(round_: Round) -> str | None:
    if round_has_records(round_):
        return "该轮次已有问题、原因、措施或导入记录，不能删除，请改为归档"
    return None


def round_locked_fields(round_: Round | None) -> tuple[str, ...]:
    """A round with records keeps its team and framework (they decide who sees it and its aspects)."""
    locked = ["archived"]  # changed only through archive_round, with its event
    if round_ is not None and round_has_records(round_):
        locked += ["team", "framework"]
    return tuple(locked)


def measure_delete_refusal(measure: Measure) -> str | None:
    """A measure may be deleted only before anything has happened to it."""
    if (
        measure.status != MeasureStatus.PLANNED
        or measure.updates.exists()
        or measure.evidence.exists()
        or measure.reviews.exists()
        or measure.extensions.exists()
    ):
        return "该措施已有进展、佐证、验收或延期记录，不能删除"
    return None


def problem_delete_refusal(problem: Problem) -> str | None:
    if Measure.all_objects.filter(problem=problem).exists() or problem.recurrences.exists():
        return "该问题已有整改措施或被后来的问题关联，不能删除"
    return None


def framework_paths(framework: Framework) -> list[str]:
    """The organizations whose rounds use FRAMEWORK: a change to it is a change to their ledgers."""
    return sorted(
        set(Round.objects.filter(framework=framework).values_list("team__organization__path", flat=True))
    )


@transaction.atomic
def archive_round(round_: Round, *, actor: Any, archived: bool = True) -> Round:
    """Archive (or restore) ROUND: how a round with records is retired instead of being deleted.
    Its records stay as they are; organizers of its organization, or an administrator."""
    locked = Round.objects.select_for_update().select_related("team__organization").get(pk=round_.pk)
    path = locked.team.organization.path
    if not has_role(actor, path, "manage"):
        raise NotAllowed("只有本单位的组织者可以归档检视轮次")
    if locked.archived == archived:
        return locked
    locked.archived = archived
    locked.save(update_fields=["archived"])
    record(
        EventType.ROUND_ARCHIVED,
        locked,
        actor=actor,
        old={"archived": not archived},
        new={"archived": archived, "title": locked.title},
        organization_path=path,
    )
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


def commitment_rows(measure: Measure, commitments: Iterable[ParsedCommitment]) -> list[Commitment]:
    """Unsaved Commitment rows for the quantified commitments found in MEASURE's text."""
    return [
        Commitment(
            measure=measure,
            text=commitment.text[:500],
            period=commitment.period or "",
            op=commitment.op,
            value=commitment.value,
            unit=commitment.unit[:20],
        )
        for commitment in commitments
    ]


@transaction.atomic
def add_commitments(measure: Measure, commitments: Iterable[ParsedCommitment]) -> None:
    """Store the quantified commitments found in MEASURE's text (luoshi.text.quantities)."""
    Commitment.objects.bulk_create(commitment_rows(measure, commitments))


def import_parsed(
    round_: Round,
    document: ParsedDocument,
    *,
    actor: Any,
    source: str = Source.SELF_EXAMINATION,
    name: str = "",
    member: Member | None = None,
) -> ImportResult:
    """Create the problems, causes and measures of a parsed document in ROUND, numbered after what
    the round already has. All or nothing: any failure rolls the whole import back.

    With MEMBER the document is that member's own material: the problems are the member's and the
    member owns every measure, whatever names the text gives."""
    path = round_.team.organization.path
    if not has_role(actor, path, "manage"):
        raise NotAllowed("只有组织者可以导入文档")
    aspects = list(round_.framework.aspects.all())
    # all_objects: voided problems and measures keep their numbers.
    next_problem = (Problem.all_objects.filter(round=round_).aggregate(n=Max("number"))["n"] or 0) + 1
    next_measure = (Measure.all_objects.filter(round=round_).aggregate(n=Max("number"))["n"] or 0) + 1
    next_cause = (round_.causes.aggregate(n=Max("order"))["n"] or 0) + 1

    # Built in memory, then written in a few bulk inserts: the write transaction stays short.
    problems = [
        Problem(
            round=round_,
            number=next_problem + offset,
            aspect=_aspect_for(found.aspect, aspects),
            aspect_label=found.aspect[:200],
            source=source,
            summary=found.summary[:500],
            text=found.text,
            member=member,
        )
        for offset, found in enumerate(document.problems)
    ]
    causes = [
        Cause(round=round_, summary=item.summary[:500], text=item.text, order=next_cause + offset)
        for offset, item in enumerate(document.causes)
    ]
    Problem.objects.bulk_create(problems, batch_size=BULK_BATCH)
    Cause.objects.bulk_create(causes, batch_size=BULK_BATCH)
    members = {m.name: m for m in Member.objects.filter(team=round_.team)}
    measures: list[Measure] = []
    co_owner_pairs: list[tuple[Measure, Member]] = []
    for offset, item in enumerate(document.measures):
        problem = (
            problems[item.problem] if item.problem is not None and 0 <= item.problem < len(problems) else None
        )
        owner, co_owners, unmatched = (
            (member, [], "") if member is not None else match_owners(item.owner, members)
        )
        measure = Measure(
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
            current_deadline=item.deadline,
            deadline_text=(item.deadline_text or "")[:100],
            long_term=item.deadline is None and bool(item.deadline_text),
        )
        measures.append(measure)
        co_owner_pairs.extend((measure, member) for member in co_owners)
    Measure.objects.bulk_create(measures, batch_size=BULK_BATCH)
    Measure.co_owners.through.objects.bulk_create(
        [Measure.co_owners.through(measure=measure, member=member) for measure, member in co_owner_pairs],
        batch_size=BULK_BATCH,
    )
    Commitment.objects.bulk_create(
        [
            row
            for measure, item in zip(measures, document.measures, strict=True)
            for row in commitment_rows(measure, item.commitments)
        ],
        batch_size=BULK_BATCH,
    )
    record(
        EventType.ROUND_IMPORTED,
        round_,
        actor=actor,
        new={
            "document": name or document.title,
            "problems": [p.number for p in problems],
            "causes": len(causes),
            "measures": [m.number for m in measures],
            **({"member": member.pk} if member is not None else {}),
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
