"""Feedback in, decisions out: every change of the recurrence app happens here, once.

Each decision checks that the actor manages the round, locks the item (and the round, for the next
ledger number), saves and appends its audit events in the same transaction: all or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from luoshi.audit.chain import record
from luoshi.audit.models import EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger import planning
from luoshi.ledger.models import Problem, Round
from luoshi.ledger.progress import notify_owner
from luoshi.ledger.services import _aspect_for
from luoshi.ledger.states import MeasureStatus
from luoshi.orgs.access import has_role
from luoshi.recurrence import matching
from luoshi.recurrence.models import Decision, FeedbackBatch, FeedbackItem, FeedbackKind
from luoshi.text import DocumentError, parse_bytes, parse_text
from luoshi.text.shorten import shorten

# Items longer than this are cut (a summary column, like Problem.summary).
SUMMARY_MAX = 500
MAX_ITEMS = 500

# "1." "1、" "（1）" "(1)" "一、" "（一）" "①" "第一条" at the start of a line: the start of an item.
_NUMBERED = re.compile(
    r"^\s*(?:\d{1,3}\s*[.．、)）]|[（(]\s*[\d一二三四五六七八九十]{1,3}\s*[)）]"
    r"|[一二三四五六七八九十]{1,3}\s*、|[①-⑳]|第[一二三四五六七八九十\d]{1,3}[条项点])\s*"
)


@dataclass(frozen=True)
class FeedbackEntry:
    """One item of feedback as read from a document or a pasted list."""

    summary: str
    text: str = ""
    aspect: str = ""


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[。；;！!？?])", text)
    return (match.group(1) if match else text)[:SUMMARY_MAX]


def split_list(text: str) -> list[FeedbackEntry]:
    """Items of a pasted list: numbered items (continuation lines joined), else one item per line."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if any(_NUMBERED.match(line) for line in lines):
        parts: list[list[str]] = []  # joined once: adding line by line would be quadratic
        for line in lines:
            if _NUMBERED.match(line) or not parts:
                parts.append([_NUMBERED.sub("", line, count=1).strip()])
            else:
                parts[-1].append(line)
        items = ["".join(item) for item in parts]
    else:
        items = lines
    return [FeedbackEntry(_first_sentence(item), item) for item in items if item]


def entries_from_text(text: str) -> list[FeedbackEntry]:
    """Items of pasted text: the problems the parser finds, or else the lines / numbered items."""
    parsed = parse_text(text) if text.strip() else None
    if parsed is not None and parsed.problems:
        return [FeedbackEntry(p.summary[:SUMMARY_MAX], p.text, p.aspect) for p in parsed.problems]
    return split_list(text)


def entries_from_document(data: bytes, filename: str) -> list[FeedbackEntry]:
    """Items of an uploaded .docx / .txt: the problems `luoshi parse` finds, else its paragraphs.

    Raises Invalid with the parser's Chinese message when the file is not a readable document.
    """
    try:
        parsed = parse_bytes(data, filename)
    except DocumentError as error:
        raise Invalid(str(error)) from error
    if parsed.problems:
        return [FeedbackEntry(p.summary[:SUMMARY_MAX], p.text, p.aspect) for p in parsed.problems]
    from luoshi.text.read import read_bytes

    source = read_bytes(data, filename)
    return split_list(source.text)


def _require_manager(actor: Any, round_: Round) -> str:
    path = round_.team.organization.path
    if not has_role(actor, path, "manage"):
        raise NotAllowed("只有本单位的组织者可以处理督导、巡察反馈")
    return path


def import_feedback(
    round_: Round, entries: Sequence[FeedbackEntry], *, actor: Any, kind: str, name: str
) -> FeedbackBatch:
    """Store a batch of feedback for ROUND and match each item against the organization's earlier
    problems that ACTOR may see. Nothing enters the ledger until an item is decided.

    The matching (the slow part) runs before the write transaction: SQLite has one writer at a
    time, and everyone else's writes wait only for the short insert."""
    _require_manager(actor, round_)
    if kind not in FeedbackKind.values:
        raise Invalid("请选择反馈类型（督导反馈或巡察反馈）")
    entries = [e for e in entries if e.summary.strip()]
    if not entries:
        raise Invalid("没有找到反馈事项：请每行填写一条，或按“1. 2. 3.”编号")
    if len(entries) > MAX_ITEMS:
        raise Invalid(f"一次最多导入 {MAX_ITEMS} 条反馈事项")
    found = matching.match_texts(round_, actor, [matching.problem_text(e.summary, e.text) for e in entries])
    return _store_feedback(round_, entries, found, actor=actor, kind=kind, name=name)


@transaction.atomic
def _store_feedback(
    round_: Round,
    entries: Sequence[FeedbackEntry],
    found: Sequence[Sequence[matching.Match]],
    *,
    actor: Any,
    kind: str,
    name: str,
) -> FeedbackBatch:
    path = _require_manager(actor, round_)
    label = FeedbackKind(kind).label
    batch = FeedbackBatch.objects.create(
        round=round_,
        kind=kind,
        name=(name.strip() or f"{label}（{timezone.localdate():%Y-%m-%d}）")[:255],
        created_by=actor,
    )
    items = []
    for order, (entry, matches) in enumerate(zip(entries, found, strict=True), start=1):
        suggestion = matching.decide(matches)
        items.append(
            FeedbackItem(
                batch=batch,
                order=order,
                aspect_label=entry.aspect[:200],
                summary=entry.summary.strip()[:SUMMARY_MAX],
                text=entry.text.strip(),
                matches=[{"id": int(m.id), "score": round(m.score, 4)} for m in matches],
                suggested_id=int(suggestion) if suggestion else None,
            )
        )
    FeedbackItem.objects.bulk_create(items)
    record(
        EventType.FEEDBACK_IMPORTED,
        batch,
        actor=actor,
        new={
            "round": round_.pk,
            "kind": kind,
            "name": batch.name,
            "items": len(items),
            "suggested": sum(1 for i in items if i.suggested_id),
        },
        organization_path=path,
    )
    return batch


def _lock_pending(item: FeedbackItem, actor: Any) -> tuple[FeedbackItem, str]:
    locked = (
        FeedbackItem.objects.select_for_update(of=("self",))
        .select_related("batch__round__team__organization")
        .get(pk=item.pk)
    )
    path = _require_manager(actor, locked.batch.round)
    if not locked.is_pending:
        raise Conflict(f"该反馈事项已处理（{locked.get_decision_display()}），不能重复处理")
    return locked, path


def _create_problem(item: FeedbackItem, *, actor: Any, path: str, recurrence_of: Problem | None) -> Problem:
    """The item as a problem of its round, numbered after the round's last under the round's lock."""
    round_ = Round.objects.select_for_update().select_related("framework").get(pk=item.batch.round_id)
    extra: dict[str, Any] = {"feedback": item.batch.name}
    if recurrence_of is not None:
        extra["recurrence_of"] = f"{recurrence_of.round.title} 第 {recurrence_of.number} 号问题"
    return planning.add_problem(
        round_,
        actor=actor,
        organization_path=path,
        event=extra,
        aspect=_aspect_for(item.aspect_label, list(round_.framework.aspects.all()))
        if item.aspect_label
        else None,
        aspect_label=item.aspect_label,
        source=item.batch.kind,
        summary=item.summary,
        text=item.text,
        recurrence_of=recurrence_of,
    )


def _finish(item: FeedbackItem, decision: Decision, actor: Any, path: str, extra: dict[str, Any]) -> None:
    item.decision = decision
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.save()
    record(
        EventType.FEEDBACK_DECIDED,
        item,
        actor=actor,
        old={"decision": Decision.PENDING.value},
        new={"decision": decision.value, "summary": item.summary, **extra},
        organization_path=path,
    )


@transaction.atomic
def confirm_recurrence(item: FeedbackItem, *, actor: Any, earlier: Problem, lessons: str) -> Problem:
    """Confirm that ITEM restates EARLIER (反复出现): the problem enters the current round linked to
    EARLIER, and the history of EARLIER and of each of its closed measures records that the closure
    was not effective (整改不彻底). LESSONS (举一反三: which similar cases were checked) is required."""
    locked, path = _lock_pending(item, actor)
    lessons = lessons.strip()
    if not lessons:
        raise Invalid("确认反复出现须填写举一反三情况：排查了哪些类似问题、结果如何")
    round_ = locked.batch.round
    found = (
        matching.earlier_scope(round_, actor)
        .select_related("round__team__organization")
        .filter(pk=earlier.pk)
        .first()
    )
    if found is None:
        raise Invalid("所选的以往问题不在本单位以往的轮次中")
    earlier = found
    problem = _create_problem(locked, actor=actor, path=path, recurrence_of=earlier)
    kind = locked.batch.get_kind_display()
    reason = f"整改不彻底：{round_.title}（{kind}）再次提出，列为第 {problem.number} 号问题"
    # "reason" and "lessons" are what a person reads in the history; "recurred_as" links the new problem.
    recurred = {"reason": reason, "lessons": lessons, "recurred_as": problem.pk}
    # The events belong to the earlier problem's organization (a township's problem found again by
    # the county office is recorded on the township's history).
    earlier_path = earlier.round.team.organization.path
    record(EventType.PROBLEM_RECURRED, earlier, actor=actor, new=recurred, organization_path=earlier_path)
    closed = (
        earlier.measures.filter(status=MeasureStatus.CLOSED).select_related("owner__user").order_by("number")
    )
    for measure in closed:
        # The owner of a closure that did not hold is told (on commit), with a link to the measure.
        notify_owner(
            measure,
            f"你负责的已销号措施“{shorten(measure.summary, 40)}”针对的问题再次出现（整改不彻底）：{reason}",
        )
        record(
            EventType.PROBLEM_RECURRED,
            measure,
            actor=actor,
            new=recurred,
            organization_path=earlier_path,
        )
    locked.recurrence_of = earlier
    locked.problem = problem
    locked.lessons = lessons
    _finish(
        locked,
        Decision.RECURRENCE,
        actor,
        path,
        {"problem": problem.pk, "recurrence_of": earlier.pk, "lessons": lessons},
    )
    return problem


@transaction.atomic
def mark_new(item: FeedbackItem, *, actor: Any) -> Problem:
    """ITEM is a problem not raised before: it enters the current round without a link."""
    locked, path = _lock_pending(item, actor)
    problem = _create_problem(locked, actor=actor, path=path, recurrence_of=None)
    locked.problem = problem
    _finish(locked, Decision.NEW, actor, path, {"problem": problem.pk})
    return problem


@transaction.atomic
def dismiss(item: FeedbackItem, *, actor: Any, reason: str) -> FeedbackItem:
    """ITEM is not taken into the ledger (不予采纳); the REASON is required and kept."""
    locked, path = _lock_pending(item, actor)
    reason = reason.strip()
    if not reason:
        raise Invalid("不予采纳须填写理由")
    locked.reason = reason
    _finish(locked, Decision.DISMISSED, actor, path, {"reason": reason})
    return locked
