"""The owner's and the reviewer's work on a measure, besides its status: progress updates, evidence
files, extension requests and their decisions.

Like `luoshi.ledger.services`, each function checks who may act, locks the row it changes, saves and
appends the audit event in the same transaction; notices go out only once it commits. Status changes
(start, submit, close, return, reopen) stay in `services.transition`.
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import io
import logging
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from luoshi.audit.chain import record
from luoshi.audit.models import EventType
from luoshi.errors import Conflict, Invalid, NotAllowed, StorageFailed
from luoshi.ledger.models import Evidence, Extension, Measure, ProgressUpdate
from luoshi.ledger.services import capacities, org_path_of, require_live
from luoshi.ledger.signals import progress_recorded
from luoshi.ledger.states import OPEN_STATUSES, OWNER_SIDE, Actor, MeasureStatus
from luoshi.notices.rules import SUMMARY_QUOTE, topic_of
from luoshi.notices.services import mark_done, notify
from luoshi.orgs.models import Role, RoleAssignment
from luoshi.text.shorten import shorten

# While a measure awaits verification or is closed, what the reviewer verifies must not move under
# them (DESIGN.md principle 3): adding progress or evidence then needs a return or a reopen first.
RECORDABLE_STATUSES = frozenset(
    {MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS, MeasureStatus.RETURNED, MeasureStatus.CONTINUING}
)

# Allowed evidence types: extension → (content type, kind of content the bytes must show).
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "png": ("image/png", "png"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "doc": ("application/msword", "ole"),
    "xls": ("application/vnd.ms-excel", "ole"),
    "txt": ("text/plain; charset=utf-8", "text"),
    "zip": ("application/zip", "zip"),
}
ALLOWED_LABEL = "、".join(ALLOWED_TYPES)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

logger = logging.getLogger(__name__)


def max_upload_bytes() -> int:
    return int(settings.LUOSHI_MAX_UPLOAD_MB) * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, with what the Evidence row records about it."""

    upload: Any
    name: str
    content_type: str
    size: int
    sha256: str


def _read_all(upload: Any) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()
    if hasattr(upload, "seek"):
        upload.seek(0)
    return bytes(data)


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _content_matches(kind: str, data: bytes) -> bool:
    """Whether DATA really is KIND, by its leading bytes (and, for Office files, its zip parts)."""
    if kind == "pdf":
        return data.startswith(b"%PDF-")
    if kind == "jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if kind == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "ole":
        return data.startswith(_OLE_MAGIC)
    if kind in ("zip", "docx", "xlsx"):
        if not data.startswith(_ZIP_MAGICS):
            return False
        names = _zip_names(data)
        if names is None:
            return False
        if kind == "docx":
            return "word/document.xml" in names
        if kind == "xlsx":
            return "xl/workbook.xml" in names
        return True
    if kind == "text":
        if b"\x00" in data:
            return False
        for encoding in ("utf-8", "gb18030"):
            try:
                data.decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
        return False
    return False


def check_upload(upload: Any) -> CheckedFile:
    """Check one uploaded file: size limit, allowed extension, content matching the extension.

    Raises Invalid with a Chinese message naming the file; nothing is stored by this function.
    """
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise Invalid("上传的文件没有文件名")
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_TYPES:
        raise Invalid(f"文件“{name}”的类型不允许上传；允许的类型：{ALLOWED_LABEL}")
    limit = max_upload_bytes()
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise Invalid(f"文件“{name}”超过大小限制（{settings.LUOSHI_MAX_UPLOAD_MB} MB）")
    data = _read_all(upload)
    if len(data) > limit:
        raise Invalid(f"文件“{name}”超过大小限制（{settings.LUOSHI_MAX_UPLOAD_MB} MB）")
    if not data:
        raise Invalid(f"文件“{name}”是空文件")
    content_type, kind = ALLOWED_TYPES[extension]
    if not _content_matches(kind, data):
        raise Invalid(f"文件“{name}”的内容与扩展名 .{extension} 不符，可能已损坏或被改名，请检查后重新上传")
    return CheckedFile(
        upload=upload,
        name=name[:255],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def check_uploads(uploads: Iterable[Any]) -> list[CheckedFile]:
    """Check every file before anything is stored, so one bad file leaves nothing half saved."""
    return [check_upload(upload) for upload in uploads]


def _lock(measure: Measure) -> Measure:
    """MEASURE locked for a write; a voided one takes none (services.require_live)."""
    locked = (
        Measure.all_objects.select_for_update(of=("self",))
        .select_related("round__team__organization", "owner__user")
        .get(pk=measure.pk)
    )
    require_live(locked)
    return locked


def _require_owner_side(measure: Measure, actor: Any, what: str) -> frozenset[Actor]:
    held = capacities(measure, actor)
    if not held & OWNER_SIDE:
        raise NotAllowed(f"只有责任人或本轮次的组织者可以{what}")
    return held


def _require_recordable(measure: Measure) -> None:
    status = MeasureStatus(measure.status)
    if status not in RECORDABLE_STATUSES:
        raise Conflict(
            f"措施当前为“{status.label}”，不能再填报进展或上传佐证材料"
            + (
                "（待验收期间内容须保持不变，如需补充请等待退回）"
                if status == MeasureStatus.SUBMITTED
                else ""
            )
            + ("（已销号的措施须由验收人重新打开后才能补充）" if status == MeasureStatus.CLOSED else "")
        )


# Recording progress or evidence on a measure that waits for its owner is starting (or resuming)
# the work: the measure moves to 整改中 at once, so 提交验收 is on offer without another click.
AUTO_START_STATUSES = frozenset({MeasureStatus.PLANNED, MeasureStatus.RETURNED})


def _start_if_waiting(locked: Measure, actor: Any, what: str) -> Measure:
    """Move LOCKED to 整改中 through the one transition service (its own event in the history) when
    it is 未开始 or 已退回; WHAT names the record that started it ("填报进展")."""
    status = MeasureStatus(locked.status)
    if status not in AUTO_START_STATUSES:
        return locked
    from luoshi.ledger.services import transition  # services builds on nothing here; no cycle

    reason = f"{what}，自动{'开始' if status == MeasureStatus.PLANNED else '重新'}整改"
    return transition(locked, MeasureStatus.IN_PROGRESS, actor=actor, reason=reason)


def _check_date(value: datetime.date | None, label: str) -> datetime.date:
    if value is None:
        raise Invalid(f"请填写{label}")
    if value > timezone.localdate():
        raise Invalid(f"{label}不能晚于今天")
    return value


def _store_evidence(
    measure: Measure,
    *,
    actor: Any,
    checked: Sequence[CheckedFile],
    evidence_date: datetime.date,
    statement: str,
    update: ProgressUpdate | None,
    stored: list[Evidence],
) -> list[Evidence]:
    """Create the Evidence rows (files through the FileField, so MEDIA_ROOT and the opaque name apply)."""
    created = []
    for item in checked:
        evidence = Evidence(
            measure=measure,
            update=update,
            evidence_date=evidence_date,
            statement=statement,
            original_name=item.name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            uploaded_by=actor,
        )
        item.upload.seek(0)
        _save_file(evidence, item.name, File(item.upload))
        stored.append(evidence)
        evidence.save()
        created.append(evidence)
    if not checked and statement:
        created.append(
            Evidence.objects.create(
                measure=measure,
                update=update,
                evidence_date=evidence_date,
                statement=statement,
                uploaded_by=actor,
            )
        )
    return created


def _save_file(evidence: Evidence, original_name: str, content: File) -> None:
    """Write the file under its opaque name; a write that fails (a full disk) leaves no partial file
    behind and becomes a message for the person uploading (StorageFailed), not a server error."""
    storage = evidence.file.storage
    name = evidence.file.field.generate_filename(evidence, original_name)
    try:
        evidence.file = storage.save(name, content, max_length=evidence.file.field.max_length)
    except OSError as exc:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("could not remove the partial evidence file %s", name)
        logger.error("evidence file %s not stored: %s", name, exc)
        if exc.errno == errno.ENOSPC:
            raise StorageFailed("服务器磁盘空间已满，佐证文件未能保存，请联系系统管理员。") from exc
        raise StorageFailed("佐证文件未能保存（服务器存储出错），请联系系统管理员。") from exc


def _evidence_summary(items: Sequence[Evidence]) -> list[dict[str, Any]]:
    return [
        {
            "id": e.pk,
            "name": e.original_name,
            "sha256": e.sha256,
            "size": e.size,
            "evidence_date": e.evidence_date,
            "statement": e.statement,
        }
        for e in items
    ]


def _discard_files(stored: Sequence[Evidence]) -> None:
    # The database rolled back; files already written would be orphans nobody can reach.
    for evidence in stored:
        if evidence.file:
            evidence.file.storage.delete(evidence.file.name)


def record_progress(
    measure: Measure,
    *,
    actor: Any,
    date: datetime.date | None,
    text: str,
    files: Sequence[Any] = (),
    evidence_date: datetime.date | None = None,
    statement: str = "",
    extra: Mapping[str, Any] | None = None,
) -> ProgressUpdate:
    """Record a dated progress update on MEASURE, with optional evidence files and statement.

    EXTRA (other fields of the progress form) goes to the `progress_recorded` receivers, e.g. an
    activity record the same update carries for the indicators.

    The owner, or an organizer of the round on the owner's behalf ("work"). Every file is checked
    (size, type, content) before anything is stored; a bad file raises Invalid naming it and nothing
    is saved. Not while the measure awaits verification or is closed (Conflict).
    """
    text = text.strip()
    statement = statement.strip()
    # Who may act is answered before the files are read (and again under the lock below).
    _require_owner_side(measure, actor, "填报进展")
    checked = check_uploads(files)
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            locked = _lock(measure)
            _require_owner_side(locked, actor, "填报进展")
            _require_recordable(locked)
            day = _check_date(date, "进展日期")
            if not text:
                raise Invalid("请填写进展情况")
            has_evidence = bool(checked) or bool(statement)
            if has_evidence:
                evidence_day = _check_date(evidence_date, "佐证日期")
            locked = _start_if_waiting(locked, actor, "填报进展")
            update = ProgressUpdate.objects.create(measure=locked, date=day, text=text, author=actor)
            evidence = (
                _store_evidence(
                    locked,
                    actor=actor,
                    checked=checked,
                    evidence_date=evidence_day,
                    statement=statement,
                    update=update,
                    stored=stored,
                )
                if has_evidence
                else []
            )
            locked.save(update_fields=["updated_at"])
            record(
                EventType.PROGRESS_RECORDED,
                locked,
                actor=actor,
                new={"update": update.pk, "date": day, "text": text, "evidence": _evidence_summary(evidence)},
                organization_path=org_path_of(locked),
            )
            progress_recorded.send(
                ProgressUpdate, update=update, measure=locked, actor=actor, data=extra or {}
            )
            mark_done(work_topic(locked))
    except BaseException:
        _discard_files(stored)
        raise
    return update


def add_evidence(
    measure: Measure,
    *,
    actor: Any,
    files: Sequence[Any] = (),
    evidence_date: datetime.date | None,
    statement: str = "",
) -> list[Evidence]:
    """Attach evidence (files and/or a written statement) to MEASURE outside a progress update.

    Same rules as `record_progress`: owner or organizer, checked files, an evidence date that is when
    the thing happened (not the upload), and nothing while submitted or closed.
    """
    statement = statement.strip()
    _require_owner_side(measure, actor, "上传佐证材料")
    checked = check_uploads(files)
    if not checked and not statement:
        raise Invalid("请上传文件或填写文字说明")
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            locked = _lock(measure)
            _require_owner_side(locked, actor, "上传佐证材料")
            _require_recordable(locked)
            day = _check_date(evidence_date, "佐证日期")
            locked = _start_if_waiting(locked, actor, "上传佐证材料")
            evidence = _store_evidence(
                locked,
                actor=actor,
                checked=checked,
                evidence_date=day,
                statement=statement,
                update=None,
                stored=stored,
            )
            locked.save(update_fields=["updated_at"])
            record(
                EventType.EVIDENCE_ADDED,
                locked,
                actor=actor,
                new={"evidence": _evidence_summary(evidence)},
                organization_path=org_path_of(locked),
            )
            mark_done(work_topic(locked))
    except BaseException:
        _discard_files(stored)
        raise
    return evidence


# --- extensions ----------------------------------------------------------------------------------


def reviewers_of(measure: Measure, *, exclude: Iterable[int | None] = ()) -> list[Any]:
    """Users holding the reviewer role on the measure's organization or an organization above it."""
    from django.contrib.auth import get_user_model

    path = org_path_of(measure)
    prefixes = [path[:i] for i in range(1, len(path) + 1) if path[i - 1] == "."]
    user_ids = set(
        RoleAssignment.objects.filter(role=Role.REVIEWER, organization__path__in=prefixes).values_list(
            "user_id", flat=True
        )
    )
    user_ids -= {pk for pk in exclude if pk is not None}
    return list(get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def notify_reviewers(
    measure: Measure, text: str, *, exclude: Iterable[int | None] = (), topic: str = ""
) -> list[int]:
    """Tell the measure's reviewers (on commit), never the owner: they cannot decide it anyway.
    Returns who was told."""
    owner_id = measure.owner.user_id if measure.owner is not None else None
    told = []
    for user in reviewers_of(measure, exclude=[owner_id, *exclude]):
        notify(user, text, measure.get_absolute_url(), topic=topic)
        told.append(user.pk)
    return told


def notify_owner(measure: Measure, text: str, *, topic: str = "") -> None:
    if measure.owner is not None and measure.owner.user is not None:
        notify(measure.owner.user, text, measure.get_absolute_url(), topic=topic)


def organizers_of(measure: Measure) -> list[int]:
    """The organizers of the measure's organization (those who run its round); those of the nearest
    level above when it has none of its own. Active users only."""
    from luoshi.notices.rules import lineage

    levels = lineage(org_path_of(measure))
    found: dict[str, set[int]] = {}
    for path, user_id in RoleAssignment.objects.filter(
        role=Role.ORGANIZER, organization__path__in=levels, user__is_active=True
    ).values_list("organization__path", "user_id"):
        found.setdefault(path, set()).add(user_id)
    for level in reversed(levels):
        if found.get(level):
            return sorted(found[level])
    return []


def tell_organizers(
    measure: Measure,
    rule: str,
    subject: str,
    body: str,
    *,
    period: str,
    object_key: str = "",
    exclude: Iterable[int | None] = (),
) -> None:
    """Tell the organizers of MEASURE's round what happened to it (RULE, one of notices.rules.RULES),
    through the notices app's inbox and channels, as the reminders go; never the ones in EXCLUDE
    (who acted, or were told already). PERIOD makes the message once per event."""
    from luoshi.notices.delivery import deliver
    from luoshi.notices.rules import Due

    skip = {pk for pk in exclude if pk is not None}
    organization = measure.round.team.organization
    deliver(
        [
            Due(
                rule=rule,
                object_key=object_key or f"measure:{measure.pk}",
                period=period,
                recipient_id=user_id,
                path=organization.path,
                organization_id=organization.pk,
                subject=subject,
                body=body,
                url=measure.get_absolute_url(),
                measure_id=measure.pk,
            )
            for user_id in organizers_of(measure)
            if user_id not in skip
        ]
    )


def measure_label(measure: Measure) -> str:
    """How messages name a measure: its number and its summary cut to a line, and its round."""
    return f"措施{measure.number}：{shorten(measure.summary, SUMMARY_QUOTE)}（{measure.round.title}）"


def review_topic(measure: Measure) -> str:
    """The topic of the notices that ask someone to verify MEASURE (待验收)."""
    return topic_of("submitted", f"measure:{measure.pk}")


def work_topic(measure: Measure) -> str:
    """The topic of the notices that ask the owner to work on MEASURE (催办, 退回)."""
    return topic_of("urge", f"measure:{measure.pk}")


def extension_topic(extension: Extension) -> str:
    return topic_of("extension_requested", f"extension:{extension.pk}")


@transaction.atomic
def request_extension(
    measure: Measure, *, actor: Any, requested_deadline: datetime.date | None, reason: str
) -> Extension:
    """Ask for a later deadline for an open measure (owner or organizer), with a reason.

    The date must be after the current deadline; one pending request per measure (the model's
    constraint, checked here first for a readable message). Reviewers are told.
    """
    locked = _lock(measure)
    _require_owner_side(locked, actor, "申请延期")
    if locked.status not in OPEN_STATUSES:
        raise Conflict(f"措施当前为“{locked.get_status_display()}”，不能申请延期")
    if locked.current_deadline is None:
        raise Conflict("措施还没有完成时限，请先由组织者确定时限")
    reason = reason.strip()
    if not reason:
        raise Invalid("请填写延期理由")
    if requested_deadline is None:
        raise Invalid("请填写申请延至的日期")
    if requested_deadline <= locked.current_deadline:
        raise Invalid(f"申请延至的日期须晚于当前完成时限（{locked.current_deadline:%Y-%m-%d}）")
    if Extension.objects.filter(measure=locked, status=Extension.Status.REQUESTED).exists():
        raise Conflict("该措施已有待审批的延期申请")
    try:
        with transaction.atomic():
            extension = Extension.objects.create(
                measure=locked, requested_deadline=requested_deadline, reason=reason, requested_by=actor
            )
    except IntegrityError:
        # A concurrent request won the race past the check above; the constraint keeps it at one.
        raise Conflict("该措施已有待审批的延期申请") from None
    record(
        EventType.EXTENSION_REQUESTED,
        locked,
        actor=actor,
        old={"current_deadline": locked.current_deadline},
        new={"extension": extension.pk, "requested_deadline": requested_deadline, "reason": reason},
        organization_path=org_path_of(locked),
    )
    told = notify_reviewers(
        locked,
        f"延期申请待审批：{shorten(locked.summary, SUMMARY_QUOTE)}（申请延至 {requested_deadline:%Y-%m-%d}）",
        exclude=[actor.pk],
        topic=extension_topic(extension),
    )
    tell_organizers(
        locked,
        "extension_requested",
        "整改措施申请延期",
        f"{measure_label(locked)}申请延期至 {requested_deadline:%Y-%m-%d}（当前完成时限 "
        f"{locked.current_deadline:%Y-%m-%d}）。理由：{shorten(reason, 120)}",
        object_key=f"extension:{extension.pk}",
        period="requested",
        exclude=[actor.pk, *told],
    )
    return extension


@transaction.atomic
def decide_extension(extension: Extension, *, actor: Any, approve: bool, note: str = "") -> Extension:
    """Approve or deny a pending extension (a reviewer; four eyes: not the owner, not the requester).

    Approval moves the measure's current deadline; the baseline never moves. A denial needs a note.
    The requester and the owner are told.
    """
    locked_measure = _lock(extension.measure)
    locked = Extension.objects.select_for_update().get(pk=extension.pk)
    if locked.status != Extension.Status.REQUESTED:
        raise Conflict(f"该延期申请已{locked.get_status_display()}，不能再次审批")
    if locked_measure.status not in OPEN_STATUSES:
        # A closed (or continuing) measure's deadline no longer moves: the extension is moot.
        raise Conflict(f"措施当前为“{locked_measure.get_status_display()}”，不能再审批延期申请")
    held = capacities(locked_measure, actor)
    if Actor.REVIEWER not in held:
        raise NotAllowed("只有验收人可以审批延期申请")
    if Actor.OWNER in held:
        raise NotAllowed("责任人不能审批自己措施的延期申请")
    if locked.requested_by_id == actor.pk:
        raise NotAllowed("申请人不能审批自己提出的延期申请")
    note = note.strip()
    if not approve and not note:
        raise Invalid("不批准延期须填写审批意见")
    old_deadline = locked_measure.current_deadline
    locked.status = Extension.Status.APPROVED if approve else Extension.Status.DENIED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save()
    if approve:
        locked_measure.current_deadline = locked.requested_deadline
        locked_measure.save()
    record(
        EventType.EXTENSION_DECIDED,
        locked_measure,
        actor=actor,
        old={"current_deadline": old_deadline},
        new={
            "extension": locked.pk,
            "decision": locked.status,
            "note": note,
            "current_deadline": locked_measure.current_deadline,
            "baseline_deadline": locked_measure.baseline_deadline,
        },
        organization_path=org_path_of(locked_measure),
    )
    mark_done(extension_topic(locked))
    verdict = f"已批准，完成时限调整为 {locked.requested_deadline:%Y-%m-%d}" if approve else f"未批准：{note}"
    text = f"延期申请{verdict}（{shorten(locked_measure.summary, SUMMARY_QUOTE)}）"
    recipients = {locked.requested_by_id}
    if locked_measure.owner is not None and locked_measure.owner.user_id is not None:
        recipients.add(locked_measure.owner.user_id)
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(pk__in=recipients):
        notify(user, text, locked_measure.get_absolute_url())
    return locked


def mark_notices_read(user: Any, ids: Iterable[int] | None = None) -> int:
    """Mark USER's notices read (all unread ones when IDS is None); returns how many changed.

    A personal reading mark, not a change to the ledger, so no audit event.
    """
    from luoshi.notices.models import Notice
    from luoshi.notices.services import forget_unread

    unread = Notice.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    forget_unread()
    return unread.update(read_at=timezone.now())
