"""One chronological history per problem and per measure (DESIGN.md, "Every change is a story").

The story is read from what already exists, never kept twice: the audit events of the object
(and, for a problem, of its measures), the progress updates, evidence, reviews and extensions.
Where a row and an event tell the same thing (a progress update and its "progress.recorded" event,
a review and the transition that created it) the row is shown, because it carries the content
(the text, the file, the reasons and the digest).

The number of queries is fixed: it does not grow with the number of events or measures.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import FieldDoesNotExist

from luoshi.audit.models import Event, EventType
from luoshi.ledger.models import (
    Commitment,
    Evidence,
    Extension,
    Measure,
    Problem,
    ProgressUpdate,
    Review,
    Round,
)

# Shown from their own rows (richer than the event); the events are skipped to avoid telling it twice.
TOLD_BY_ROWS = frozenset(
    {
        EventType.PROGRESS_RECORDED,
        EventType.EVIDENCE_ADDED,
        EventType.EXTENSION_REQUESTED,
        EventType.EXTENSION_DECIDED,
    }
)

# Events on a round that bring problems and measures in from a document or a spreadsheet.
IMPORT_EVENTS = ("round.imported", "draft.confirmed", "round.ledger_imported")

FIELD_LABELS = {
    "status": "状态",
    "owner": "责任领导",
    "department": "责任单位",
    "deadline": "完成时限",
    "baseline_deadline": "原定完成时限",
    "current_deadline": "当前完成时限",
    "problem": "所属问题",
    "causes": "原因",
    "aspect": "方面",
    "source": "问题来源",
    "summary": "内容",
    "text": "具体内容",
    "reason": "理由",
    "outcome": "整改成效",
    "number": "编号",
    "group": "措施分组",
    "lessons": "举一反三",
    # 催办 and 督办单 (luoshi.notices.supervision)
    "to": "对象",
    "message": "留言",
    "order": "督办单",
    "grade": "督办等级",
    "reply_deadline": "限期反馈",
    "reply": "反馈情况",
    "late": "逾期反馈",
    # 回头看 and criticisms at the meeting (luoshi.meetings.services_meeting)
    "carried_to": "结转至",
    "note": "说明",
    "member": "班子成员",
    "criticism": "批评意见",
    "critic": "提出人",
    # keys of events that name no model field
    "feedback": "督导/巡察反馈",
    "measures": "涉及的整改措施",
    "commitments": "量化承诺",
    "void_reason": "作废理由",
    "decision": "处理结果",
}
# Every other key is named by the verbose_name of the field it records (Chinese, as in the admin),
# and a value of a field with choices by its label: no internal name or raw value reaches the page.
_NAMED_MODELS = (Measure, Problem, Commitment, Round)
# "digest" is shown with the review that carries it; "recurred_as" is the new problem's id, which
# the reason already names by its ledger number; "owner_id"/"owner_user" identify owners for the
# four-eyes check; "key" is a reminder's delivery key (escalations).
HIDDEN_FIELDS = frozenset({"digest", "recurred_as", "owner_id", "owner_user", "key"})


# What a review's text is, by its decision: the reviewer's formal opinion at closure (验收意见).
REVIEW_REASON_LABELS: dict[str, str] = {
    Review.Decision.CLOSE: "验收意见",
    Review.Decision.RETURN: "退回理由",
    Review.Decision.REOPEN: "重新打开理由",
}


@dataclass(frozen=True)
class Entry:
    """One line of the history: when, who (None when names are hidden), what, and the details."""

    at: datetime.datetime
    kind: str  # css class: created, assigned, status, progress, evidence, review, extension
    title: str
    actor: str | None = None
    details: tuple[str, ...] = ()
    subject: str = ""  # for a problem's history: which measure the entry is about
    order: int = field(default=0, compare=False)


def _name(user: Any, label: str = "") -> str:
    if user is None:
        return label or "系统"
    return user.get_full_name() or user.get_username()


def _model_field(key: str) -> Any:
    for model in _NAMED_MODELS:
        try:
            return model._meta.get_field(key)
        except FieldDoesNotExist:
            continue
    return None


def field_label(key: str) -> str:
    """The Chinese name of an event's key: FIELD_LABELS, else the model field's verbose_name."""
    if key in FIELD_LABELS:
        return FIELD_LABELS[key]
    found = _model_field(key)
    if found is not None and getattr(found, "verbose_name", None):
        return str(found.verbose_name)
    return key


def _choice_label(key: str, value: Any) -> str | None:
    found = _model_field(key)
    choices = dict(getattr(found, "flatchoices", None) or ()) if found is not None else {}
    if isinstance(value, str) and value in choices:
        return str(choices[value])
    return None


def _value(key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    label = _choice_label(key, value)
    if label is not None:
        return label
    if isinstance(value, dict) and "label" in value:  # a related object as the admin records it
        return str(value["label"])
    if isinstance(value, list):
        return "、".join(_value(key, v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def describe_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    """ "状态：整改中 → 待验收" lines for every field an event changed (or set, when OLD lacks it)."""
    lines = []
    for key in [*new.keys(), *(k for k in old if k not in new)]:
        if key in HIDDEN_FIELDS:
            continue
        label = field_label(key)
        if key == "text" and key in old:  # a corrected text: both, in full
            lines.append(f"{label}（原为）：{_value(key, old.get(key))}")
            lines.append(f"{label}（改为）：{_value(key, new.get(key))}")
        elif key in ("reason", "outcome", "text", "lessons", "message", "reply"):
            lines.append(f"{label}：{_value(key, new.get(key))}")
        elif key in old:
            lines.append(f"{label}：{_value(key, old.get(key))} → {_value(key, new.get(key))}")
        else:
            lines.append(f"{label}：{_value(key, new.get(key))}")
    return tuple(lines)


def _event_title(event: Event) -> tuple[str, str]:
    kind = {
        EventType.PROBLEM_CREATED: "created",
        EventType.MEASURE_CREATED: "created",
        EventType.MEASURE_ASSIGNED: "assigned",
        EventType.MEASURE_LINKED: "assigned",
        EventType.PROBLEM_CHANGED: "assigned",
        EventType.MEASURE_CHANGED: "assigned",
        EventType.MEASURE_TRANSITIONED: "status",
        EventType.MEASURE_VOIDED: "void",
        EventType.PROBLEM_VOIDED: "void",
        EventType.MEASURE_RESTORED: "restored",
        EventType.PROBLEM_RESTORED: "restored",
    }.get(EventType(event.event_type), "other")
    if event.event_type == EventType.MEASURE_TRANSITIONED:
        target = event.new.get("status")
        return kind, f"状态变为“{_value('status', target)}”"
    return kind, str(EventType(event.event_type).label)


def _entries_from_events(
    events: Iterable[Event], show_actors: bool, subjects: Mapping[str, str]
) -> list[Entry]:
    entries = []
    for event in events:
        if event.event_type in TOLD_BY_ROWS:
            continue
        if event.event_type == EventType.MEASURE_TRANSITIONED and "digest" in event.new:
            continue  # told by the Review row the same transition created
        kind, title = _event_title(event)
        entries.append(
            Entry(
                at=event.created_at,
                kind=kind,
                title=title,
                actor=_name(event.actor, event.actor_label) if show_actors else None,
                details=describe_changes(event.old, event.new),
                subject=subjects.get(event.target_id, "") if event.target_type == "ledger.measure" else "",
                order=event.seq,
            )
        )
    return entries


def _measure_rows(measure_ids: list[int], show_actors: bool, subjects: Mapping[int, str]) -> list[Entry]:
    """Entries from the progress updates, evidence, reviews and extensions of these measures."""
    entries: list[Entry] = []

    def who(user: Any) -> str | None:
        return _name(user) if show_actors else None

    for update in ProgressUpdate.objects.filter(measure_id__in=measure_ids).select_related("author"):
        entries.append(
            Entry(
                at=update.created_at,
                kind="progress",
                title=f"填报进展（{update.date:%Y-%m-%d}）",
                actor=who(update.author),
                details=(update.text,),
                subject=subjects.get(update.measure_id, ""),
            )
        )
    for item in Evidence.objects.filter(measure_id__in=measure_ids).select_related("uploaded_by"):
        details = [f"佐证日期：{item.evidence_date:%Y-%m-%d}"]
        if item.original_name:
            details.append(f"文件：{item.original_name}")
        if item.statement:
            details.append(f"说明：{item.statement}")
        entries.append(
            Entry(
                at=item.uploaded_at,
                kind="evidence",
                title="上传佐证材料",
                actor=who(item.uploaded_by),
                details=tuple(details),
                subject=subjects.get(item.measure_id, ""),
            )
        )
    for review in Review.objects.filter(measure_id__in=measure_ids).select_related("reviewer"):
        details = []
        if review.reasons:
            details.append(f"{REVIEW_REASON_LABELS.get(review.decision, '意见')}：{review.reasons}")
        details.append(f"验收时内容摘要：{review.digest[:12]}…")
        entries.append(
            Entry(
                at=review.created_at,
                kind="review",
                title=str(review.get_decision_display()),
                actor=who(review.reviewer),
                details=tuple(details),
                subject=subjects.get(review.measure_id, ""),
            )
        )
    for ext in Extension.objects.filter(measure_id__in=measure_ids).select_related(
        "requested_by", "decided_by"
    ):
        entries.append(
            Entry(
                at=ext.requested_at,
                kind="extension",
                title=f"申请延期至 {ext.requested_deadline:%Y-%m-%d}",
                actor=who(ext.requested_by),
                details=(f"理由：{ext.reason}",),
                subject=subjects.get(ext.measure_id, ""),
            )
        )
        if ext.decided_at is not None:
            decided = [f"结果：{ext.get_status_display()}"]
            if ext.decision_note:
                decided.append(f"意见：{ext.decision_note}")
            entries.append(
                Entry(
                    at=ext.decided_at,
                    kind="extension",
                    title=f"延期申请{ext.get_status_display()}",
                    actor=who(ext.decided_by),
                    details=tuple(decided),
                    subject=subjects.get(ext.measure_id, ""),
                )
            )
    return entries


def _sorted(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.at, e.order))


def measure_history(measure: Measure, *, show_actors: bool) -> list[Entry]:
    """The history of one measure, oldest first. SHOW_ACTORS is False for anyone without a role
    (names of the people who acted are not for the public)."""
    events = Event.objects.filter(target_type="ledger.measure", target_id=str(measure.pk)).select_related(
        "actor"
    )
    entries = _entries_from_events(events, show_actors, {})
    entries += _measure_rows([measure.pk], show_actors, {})
    if not any(e.kind == "created" for e in entries):
        entries.append(_origin(measure.created_at, "整改措施列入台账", measure.round_id, show_actors))
    return _sorted(entries)


def measure_histories(measures: Iterable[Measure], *, show_actors: bool) -> dict[int, list[Entry]]:
    """The history of each of MEASURES (as `measure_history` tells it), by measure id, in a fixed
    number of queries however many measures there are (a page listing several histories)."""
    found = list(measures)
    keys = {m.pk: str(m.pk) for m in found}
    events = Event.objects.filter(
        target_type="ledger.measure", target_id__in=list(keys.values())
    ).select_related("actor")
    # Each entry's subject is its measure's id while sorting them out; the histories show none.
    entries = _entries_from_events(events, show_actors, {key: key for key in keys.values()})
    entries += _measure_rows(list(keys), show_actors, keys)
    by_measure: dict[int, list[Entry]] = {pk: [] for pk in keys}
    for entry in entries:
        by_measure[int(entry.subject)].append(replace(entry, subject=""))
    imports = list(
        Event.objects.filter(
            target_type="ledger.round",
            target_id__in={str(m.round_id) for m in found},
            event_type__in=IMPORT_EVENTS,
        )
        .select_related("actor")
        .order_by("seq")
    )
    for measure in found:
        if not any(e.kind == "created" for e in by_measure[measure.pk]):
            event = next(
                (
                    e
                    for e in imports
                    if e.target_id == str(measure.round_id) and e.created_at >= measure.created_at
                ),
                None,
            )
            by_measure[measure.pk].append(
                _origin_entry(event, measure.created_at, "整改措施列入台账", show_actors)
            )
    return {pk: _sorted(entries) for pk, entries in by_measure.items()}


def problem_history(problem: Problem, *, show_actors: bool) -> list[Entry]:
    """The history of a problem and every measure under it, oldest first; each measure's entries
    name the measure they are about."""
    measures = list(Measure.all_objects.filter(problem=problem).only("pk", "number", "summary", "created_at"))
    ids = [m.pk for m in measures]
    subjects = {m.pk: f"措施 {m.number}" for m in measures}
    events = Event.objects.filter(target_type="ledger.problem", target_id=str(problem.pk)).select_related(
        "actor"
    )
    measure_events = Event.objects.filter(
        target_type="ledger.measure", target_id__in=[str(pk) for pk in ids]
    ).select_related("actor")
    entries = _entries_from_events(events, show_actors, {})
    entries += _entries_from_events(measure_events, show_actors, {str(k): v for k, v in subjects.items()})
    entries += _measure_rows(ids, show_actors, subjects)
    if not any(e.kind == "created" and not e.subject for e in entries):
        source = str(problem.get_source_display())
        entries.append(
            _origin(problem.created_at, f"问题列入台账（来源：{source}）", problem.round_id, show_actors)
        )
    return _sorted(entries)


def _origin(at: datetime.datetime, title: str, round_id: int, show_actors: bool) -> Entry:
    """For items that came in with a document import (no event of their own): when and by whom the
    import put them in the ledger, read from the round's import event nearest before AT."""
    # The import event is written after the rows it created, in the same transaction.
    imports = (
        Event.objects.filter(
            target_type="ledger.round",
            target_id=str(round_id),
            event_type__in=IMPORT_EVENTS,
            created_at__gte=at,
        )
        .select_related("actor")
        .order_by("seq")[:1]
    )
    return _origin_entry(next(iter(imports), None), at, title, show_actors)


def _origin_entry(event: Event | None, at: datetime.datetime, title: str, show_actors: bool) -> Entry:
    details: tuple[str, ...] = ()
    actor = None
    if event is not None:
        document = event.new.get("document") or event.new.get("name") or ""
        details = (f"导入文档：{document}",) if document else ()
        actor = _name(event.actor, event.actor_label) if show_actors else None
    return Entry(at=at, kind="created", title=title, actor=actor, details=details, order=-1)
