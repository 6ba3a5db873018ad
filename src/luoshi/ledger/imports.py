"""Documents and spreadsheets in and out of a round: upload → draft → corrections → confirm, the
standard ledger .xlsx imported with a per-row report, and the ledger exported in the same columns.

Every change here checks that the actor organizes the round's organization (or one above it),
locks what it changes and appends its audit event in the same transaction. Nothing reaches the
ledger before the organizer confirms a draft; a confirmation or a spreadsheet import is all or
nothing.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from luoshi.audit.chain import record
from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger import services
from luoshi.ledger.models import (
    Evidence,
    ImportDraft,
    Measure,
    Problem,
    ProgressUpdate,
    Review,
    Round,
    Source,
)
from luoshi.orgs.access import has_role
from luoshi.orgs.models import Member
from luoshi.text import DocumentError, parse_bytes, parse_text
from luoshi.text import model as parsed
from luoshi.text.extract import extract, summary_of
from luoshi.text.headings import table_columns
from luoshi.text.ledger_xlsx import LedgerRow, read_sheets, source_from_sheets, write_ledger
from luoshi.text.limits import check_docx, check_items, open_archive
from luoshi.text.quantities import find_commitments, is_open_ended, parse_deadline
from luoshi.text.read import clean_cell
from luoshi.web.uploads import import_limits

DOCUMENT_EXTENSIONS = (".docx", ".txt", ".md", ".pdf", ".doc", ".wps", ".xlsx")
# Problems (with their measures nested), loose measures and causes shown per preview page.
PREVIEW_PAGE_SIZE = 50
KINDS = ("problems", "causes", "measures")
KIND_NAMES = {"problems": "问题", "causes": "原因", "measures": "整改措施"}
# The key in a draft's data naming the member whose own 对照检查材料 it is.
MEMBER_KEY = "member"
EMPTY_DOCUMENT = "没有找到“存在的问题”“原因分析”“整改措施”等段落，请检查文档的标题和编号"


def _path(round_: Round) -> str:
    return round_.team.organization.path


def _require_organizer(actor: Any, round_: Round, what: str) -> None:
    if not has_role(actor, _path(round_), "manage"):
        raise NotAllowed(f"只有本单位（或上级单位）的组织者可以{what}")


def max_upload_bytes() -> int:
    return int(settings.LUOSHI_MAX_UPLOAD_MB) * 1024 * 1024


# --- checking uploads ----------------------------------------------------------------------------


def check_document(filename: str, data: bytes) -> tuple[str, ...]:
    """Refuse what is not a document before the parser sees it: size, extension and content
    (a .docx's zip and XML within `luoshi.text.limits`).

    Raises DocumentError with a Chinese reason naming the file; returns notes for the preview
    (e.g. entities in a .docx that were not expanded).
    """
    name = filename or "（未命名）"
    lower = name.lower()
    if len(data) > max_upload_bytes():
        raise DocumentError(name, f"文件超过 {settings.LUOSHI_MAX_UPLOAD_MB} MB 的上传限制")
    if not data:
        raise DocumentError(name, "文件是空的")
    if lower.endswith(".xls"):
        raise DocumentError(name, "是旧版 Excel（.xls）文件，请另存为 .xlsx 后再上传")
    if not lower.endswith(DOCUMENT_EXTENSIONS):
        raise DocumentError(
            name, "不是可导入的文档：只支持 .docx、.doc、.wps、.pdf、.txt、.md 文件和 .xlsx 台账"
        )
    if lower.endswith(".docx"):
        # A .docx is a zip holding word/document.xml; anything else renamed to .docx is refused here.
        # The zip directory is checked (luoshi.text.limits) before it is listed.
        if not zipfile.is_zipfile(io.BytesIO(data)):
            raise DocumentError(name, "不是有效的 Word 文档（.docx 文件已损坏或只是改了扩展名）")
        with open_archive(data, name) as archive:
            if "word/document.xml" not in archive.namelist():
                raise DocumentError(name, "不是有效的 Word 文档（缺少正文 word/document.xml）")
        return check_docx(data, name).notes
    return ()


def check_spreadsheet(filename: str, data: bytes) -> None:
    """Size, extension and zip container of an uploaded ledger .xlsx."""
    name = filename or "（未命名）"
    if len(data) > max_upload_bytes():
        raise DocumentError(name, f"文件超过 {settings.LUOSHI_MAX_UPLOAD_MB} MB 的上传限制")
    if name.lower().endswith(".xls"):
        raise DocumentError(name, "是旧版 Excel（.xls）文件，请另存为 .xlsx 后再上传")
    if not name.lower().endswith(".xlsx"):
        raise DocumentError(name, "不是 Excel 台账：只支持 .xlsx 文件")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise DocumentError(name, "不是有效的 Excel 文件（.xlsx 文件已损坏或只是改了扩展名）")


# --- drafts --------------------------------------------------------------------------------------


@transaction.atomic
def create_draft(
    round_: Round,
    *,
    actor: Any,
    name: str,
    data: dict[str, Any],
    source: str = Source.SELF_EXAMINATION,
    member: Member | None = None,
) -> ImportDraft:
    """Keep a parsed document as a draft of ROUND for the organizer to preview and correct.

    With MEMBER it is that member's own 对照检查材料: confirmed, its problems are the member's and
    its measures the member's to carry out (the draft keeps the member's id beside the parse)."""
    _require_organizer(actor, round_, "导入文档")
    if source not in Source.values:
        raise Invalid("请选择问题来源")
    if member is not None:
        if member.team_id != round_.team_id:
            raise Invalid("本人对照检查材料须选择本班子的成员")
        data = {**data, MEMBER_KEY: member.pk}
    draft = ImportDraft.objects.create(
        round=round_,
        name=(name or "粘贴的文本")[:255],
        source=source,
        data=data,
        text_digest=text_digest(data),
        created_by=actor,
    )
    record(
        EventType.DRAFT_CREATED,
        draft,
        actor=actor,
        new={
            "name": draft.name,
            "round": round_.pk,
            "problems": len(data["problems"]),
            "causes": len(data["causes"]),
            "measures": len(data["measures"]),
            **({"member": member.pk} if member is not None else {}),
        },
        organization_path=_path(round_),
    )
    return draft


def draft_from_upload(
    round_: Round,
    *,
    actor: Any,
    filename: str,
    data: bytes,
    source: str = Source.SELF_EXAMINATION,
    member: Member | None = None,
) -> ImportDraft:
    """Check and parse one uploaded document into a draft. Raises DocumentError when it is no
    readable document or has no recognisable section (nothing is stored then)."""
    _require_organizer(actor, round_, "导入文档")
    if filename.lower().endswith(".xlsx"):
        if member is not None:
            raise DocumentError(filename, "本人对照检查材料请上传 .docx 或 .txt 文档，不是台账表格")
        return draft_from_ledger(round_, actor=actor, filename=filename, data=data, source=source)
    parsed_data = document_data(filename, data)
    return create_draft(round_, actor=actor, name=filename, data=parsed_data, source=source, member=member)


def document_data(filename: str, data: bytes) -> dict[str, Any]:
    """An uploaded document (not a spreadsheet) checked and parsed into draft JSON, for no round yet.
    Raises DocumentError when it is no readable document or has no recognisable section."""
    notes = check_document(filename, data)
    document = parse_bytes(data, filename)
    if document.is_empty:
        raise DocumentError(filename, EMPTY_DOCUMENT)
    _check_size(document, filename)
    parsed_data = document.to_dict()
    if notes:
        parsed_data["notes"] = list(notes)  # shown above the preview
    return parsed_data


def upload_data(filename: str, data: bytes) -> dict[str, Any]:
    """Draft JSON of any upload, a document or a ledger .xlsx, before a round is chosen for it (the
    home page's upload). Raises DocumentError as `draft_from_upload` does."""
    if filename.lower().endswith(".xlsx"):
        check_spreadsheet(filename, data)
        payload = ledger_draft_data(filename, data)
        if not (payload["problems"] or payload["measures"]):
            raise DocumentError(filename, "台账中没有可导入的问题或整改措施")
        return payload
    return document_data(filename, data)


def _check_size(document: parsed.ParsedDocument, name: str) -> None:
    """LimitError when the document gives more items than one import can preview."""
    count = len(document.problems) + len(document.causes) + len(document.measures)
    check_items(count, name, import_limits())


def draft_from_text(
    round_: Round,
    *,
    actor: Any,
    text: str,
    name: str = "",
    source: str = Source.SELF_EXAMINATION,
    member: Member | None = None,
) -> ImportDraft:
    """Parse pasted text into a draft; raises DocumentError when no section is found."""
    _require_organizer(actor, round_, "导入文档")
    label = name.strip() or "粘贴的文本"
    if not text.strip():
        raise DocumentError(label, "没有内容")
    if len(text.encode("utf-8")) > max_upload_bytes():
        raise DocumentError(label, f"文本超过 {settings.LUOSHI_MAX_UPLOAD_MB} MB 的限制")
    document = parse_text(text)
    if document.is_empty:
        raise DocumentError(label, EMPTY_DOCUMENT)
    _check_size(document, label)
    return create_draft(
        round_, actor=actor, name=label, data=document.to_dict(), source=source, member=member
    )


@dataclass
class UploadOutcome:
    """What a batch of uploads gave: the drafts made and one Chinese message per refused input."""

    drafts: list[ImportDraft] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    text_failed: bool = False


def import_uploads(
    round_: Round,
    *,
    actor: Any,
    files: Sequence[tuple[str, bytes]] = (),
    text: str = "",
    text_name: str = "",
    source: str = Source.SELF_EXAMINATION,
    member: Member | None = None,
) -> UploadOutcome:
    """Make one draft per readable input; a bad file is reported and does not stop the others."""
    _require_organizer(actor, round_, "导入文档")
    outcome = UploadOutcome()
    for filename, data in files:
        try:
            outcome.drafts.append(
                draft_from_upload(
                    round_, actor=actor, filename=filename, data=data, source=source, member=member
                )
            )
        except DocumentError as exc:
            outcome.errors.append(str(exc))
    if text.strip():
        try:
            outcome.drafts.append(
                draft_from_text(round_, actor=actor, text=text, name=text_name, source=source, member=member)
            )
        except DocumentError as exc:
            outcome.errors.append(str(exc))
            outcome.text_failed = True
    return outcome


# --- the draft JSON and its corrections (pure functions on the parse contract) -------------------


def parsed_from_dict(data: dict[str, Any]) -> parsed.ParsedDocument:
    """The ParsedDocument a draft's JSON (the `luoshi parse` contract) describes.

    Raises Invalid when the JSON is not of that shape (a draft edited behind the application's back).
    """
    try:
        problems = tuple(
            parsed.Problem(aspect=str(p.get("aspect") or ""), summary=str(p["summary"]), text=str(p["text"]))
            for p in data.get("problems", [])
        )
        causes = tuple(
            parsed.Cause(summary=str(c["summary"]), text=str(c["text"])) for c in data.get("causes", [])
        )
        measures = tuple(_measure_from_dict(m, len(problems)) for m in data.get("measures", []))
        return parsed.ParsedDocument(
            title=str(data.get("title") or ""), problems=problems, causes=causes, measures=measures
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Invalid(f"导入草稿的数据格式不正确（{exc}）") from exc


def _measure_from_dict(m: dict[str, Any], problem_count: int) -> parsed.Measure:
    problem = m.get("problem")
    if problem is not None and not (isinstance(problem, int) and 0 <= problem < problem_count):
        raise ValueError(f"措施指向不存在的问题 {problem}")
    deadline = m.get("deadline")
    return parsed.Measure(
        group=str(m.get("group") or ""),
        summary=str(m["summary"]),
        text=str(m["text"]),
        problem=problem,
        owner=m.get("owner") or None,
        department=m.get("department") or None,
        co_department=m.get("co_department") or None,
        suggested_problems=tuple(
            parsed.Suggestion(problem=int(s["problem"]), score=float(s["score"]))
            for s in m.get("suggested_problems") or []
            if isinstance(s.get("problem"), int) and 0 <= s["problem"] < problem_count
        ),
        deadline=datetime.date.fromisoformat(deadline) if deadline else None,
        deadline_text=m.get("deadline_text") or None,
        commitments=tuple(
            parsed.Commitment(
                text=str(c["text"]),
                period=c.get("period"),
                op=str(c["op"]),
                value=c["value"],
                unit=str(c.get("unit") or ""),
            )
            for c in m.get("commitments", [])
        ),
    )


_SENTENCE_END_RE = re.compile(r"(?<=[。；;！？!?])")


def sentences(text: str) -> list[str]:
    """The sentences of TEXT, each keeping its closing punctuation (split points for the preview)."""
    return [part for part in _SENTENCE_END_RE.split(text) if part.strip()]


def _item(data: dict[str, Any], kind: str, index: int) -> dict[str, Any]:
    if kind not in KINDS:
        raise Invalid("未知的条目类型")
    items = data[kind]
    if not isinstance(index, int) or not 0 <= index < len(items):
        raise Invalid(
            f"第 {index + 1 if isinstance(index, int) else index} 条{KIND_NAMES[kind]}不存在，请刷新页面"
        )
    item: dict[str, Any] = items[index]
    return item


def _retext(kind: str, item: dict[str, Any], text: str, year: int | None) -> None:
    item["text"] = text
    item["summary"] = summary_of(text)[:500] or text[:500]
    if kind == "measures":
        item["commitments"] = [c.to_dict() for c in find_commitments(text)]


def _renumber_problems(data: dict[str, Any], mapping: dict[int, int | None]) -> None:
    """Point measures at the problems' new indices after a merge, split or drop."""
    for measure in data["measures"]:
        if measure.get("problem") is not None:
            measure["problem"] = mapping.get(measure["problem"])
        if measure.get("suggested_problems"):
            measure["suggested_problems"] = [
                {**s, "problem": mapping[s["problem"]]}
                for s in measure["suggested_problems"]
                if mapping.get(s.get("problem")) is not None
            ]


def apply_edit(
    data: dict[str, Any], op: str, params: dict[str, Any], year: int | None = None
) -> dict[str, Any]:
    """A corrected copy of a draft's JSON. Pure: the caller saves it.

    Operations: "label" (a problem's aspect, a measure's group), "text" (summary and text, and for
    measures owner / department / deadline text), "merge" (into the previous item of the same kind),
    "split" (after sentence `at`), "drop", "move" (a measure under problem `problem`, or none).
    """
    data = copy.deepcopy(data)
    if op == "accept_suggestions":
        accepted = accept_suggestions(data)
        if not accepted:
            raise Invalid("没有待采纳的建议：每项措施都已归入问题，或没有相近的问题")
        return data
    kind = str(params.get("kind", ""))
    index = _int(params.get("index"))
    item = _item(data, kind, index)
    if op == "label":
        value = str(params.get("value", "")).strip()[:200]
        if kind == "problems":
            item["aspect"] = value
        elif kind == "measures":
            item["group"] = value
        else:
            raise Invalid("原因没有方面或分组")
    elif op == "text":
        text = str(params.get("text", "")).strip()
        if not text:
            raise Invalid("内容不能为空；不需要的条目请删除")
        _retext(kind, item, text, year)
        summary = str(params.get("summary", "")).strip()
        if summary:
            item["summary"] = summary[:500]
        if kind == "measures":
            for key in ("owner", "department", "co_department"):
                if key in params:
                    item[key] = str(params[key]).strip()[:200] or None
            if "deadline_text" in params:
                deadline_text = str(params["deadline_text"]).strip()[:100]
                deadline = parse_deadline(deadline_text, year) if deadline_text else None
                if deadline_text and deadline is None and not is_open_ended(deadline_text):
                    raise Invalid(f"无法识别完成时限“{deadline_text}”，请写成如“2026年6月底前”或“长期坚持”")
                item["deadline_text"] = deadline_text or None
                item["deadline"] = deadline.isoformat() if deadline else None
    elif op == "merge":
        if index == 0:
            raise Invalid(f"第一条{KIND_NAMES[kind]}前面没有可并入的条目")
        previous = data[kind][index - 1]
        _retext(kind, previous, _join_texts(previous["text"], item["text"]), year)
        if kind == "measures":
            for key in ("owner", "department", "deadline", "deadline_text"):
                previous[key] = previous.get(key) or item.get(key)
        del data[kind][index]
        if kind == "problems":
            _renumber_problems(
                data, {i: (i if i < index else i - 1) for i in range(len(data["problems"]) + 1)}
            )
    elif op == "split":
        parts = sentences(item["text"])
        at = _int(params.get("at"))
        if not 1 <= at < len(parts):
            raise Invalid("请选择拆分的位置（在哪一句之后拆开）")
        first, second = "".join(parts[:at]).strip(), "".join(parts[at:]).strip()
        new = copy.deepcopy(item)
        _retext(kind, item, first, year)
        _retext(kind, new, second, year)
        data[kind].insert(index + 1, new)
        if kind == "problems":
            # Measures stay with the first half: moving them is a separate, visible correction.
            _renumber_problems(data, {i: (i if i <= index else i + 1) for i in range(len(data["problems"]))})
    elif op == "drop":
        del data[kind][index]
        if kind == "problems":
            _renumber_problems(
                data,
                {
                    i: (i if i < index else (None if i == index else i - 1))
                    for i in range(len(data["problems"]) + 1)
                },
            )
    elif op == "move":
        if kind != "measures":
            raise Invalid("只有整改措施可以归到问题下")
        target = params.get("problem")
        if params.get("problem_number") not in (None, ""):
            target = _int(params["problem_number"]) - 1  # the number shown, for long drafts
        if target in (None, ""):
            item["problem"] = None
        else:
            problem = _int(target)
            if not 0 <= problem < len(data["problems"]):
                raise Invalid("所选问题不存在，请刷新页面")
            item["problem"] = problem
            item["suggested_problems"] = []  # decided: the suggestion is no longer open
    else:
        raise Invalid("未知的修改操作")
    return data


def accept_suggestions(data: dict[str, Any]) -> int:
    """Link every unlinked measure to its best suggested problem (in place); how many were linked."""
    count = 0
    for measure in data["measures"]:
        suggestions = measure.get("suggested_problems") or []
        if measure.get("problem") is None and suggestions:
            best = max(suggestions, key=lambda s: s.get("score", 0))
            if isinstance(best.get("problem"), int) and 0 <= best["problem"] < len(data["problems"]):
                measure["problem"] = best["problem"]
                measure["suggested_problems"] = []
                count += 1
    return count


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid("参数不正确，请刷新页面后重试") from None


def _join_texts(first: str, second: str) -> str:
    first = first.rstrip()
    if first and first[-1] not in "。；;！？!?":
        first += "。"
    return first + second.lstrip()


@transaction.atomic
def edit_draft(draft: ImportDraft, op: str, params: dict[str, Any], *, actor: Any) -> ImportDraft:
    """Apply one correction to a draft (see `apply_edit`), under a row lock, with its audit event."""
    locked = (
        ImportDraft.objects.select_for_update().select_related("round__team__organization").get(pk=draft.pk)
    )
    _require_organizer(actor, locked.round, "修改导入预览")
    if locked.confirmed_at is not None:
        raise Conflict("该文档已确认导入，不能再修改")
    locked.data = apply_edit(locked.data, op, params, year=locked.round.year)
    locked.save(update_fields=["data"])
    record(
        EventType.DRAFT_CHANGED,
        locked,
        actor=actor,
        new={"op": op, **{k: v for k, v in params.items() if k != "text"}},
        organization_path=_path(locked.round),
    )
    return locked


@transaction.atomic
def set_draft_source(draft: ImportDraft, source: str, *, actor: Any) -> ImportDraft:
    """Change where a draft's problems came from (自我查摆, 督导反馈 …)."""
    locked = (
        ImportDraft.objects.select_for_update().select_related("round__team__organization").get(pk=draft.pk)
    )
    _require_organizer(actor, locked.round, "修改导入预览")
    if locked.confirmed_at is not None:
        raise Conflict("该文档已确认导入，不能再修改")
    if source not in Source.values:
        raise Invalid("请选择问题来源")
    old = locked.source
    locked.source = source
    locked.save(update_fields=["source"])
    record(
        EventType.DRAFT_CHANGED,
        locked,
        actor=actor,
        old={"source": old},
        new={"source": source},
        organization_path=_path(locked.round),
    )
    return locked


def draft_member(draft: ImportDraft) -> Member | None:
    """The member whose own material DRAFT is (None: the team's)."""
    member_id = draft.data.get(MEMBER_KEY)
    if not isinstance(member_id, int):
        return None
    return Member.objects.filter(pk=member_id, team_id=draft.round.team_id).first()


# --- repeated imports and discarded drafts -------------------------------------------------------

# A draft is a repeat when this share of its problems and measures (by normalised summary) is in
# the round already: "most of its items".
REPEAT_SHARE = 0.5
# Earlier confirmed drafts compared item by item to name the import a repeat comes from.
REPEAT_LOOKBACK = 50
_NOT_WORDS = re.compile(r"[\W_]+")


def normalised(text: str) -> str:
    """TEXT with whitespace, punctuation and symbols dropped: the same wording compares equal
    whether it came from a .docx, a PDF or pasted text."""
    return _NOT_WORDS.sub("", text or "").lower()


def text_digest(data: dict[str, Any]) -> str:
    """SHA-256 of a parsed document's normalised text (every problem, cause and measure in order)."""
    digest = hashlib.sha256()
    for kind in KINDS:
        for item in data.get(kind) or []:
            digest.update(normalised(item.get("text") or item.get("summary") or "").encode("utf-8"))
            digest.update(b"\x00")
        digest.update(b"\x01")
    return digest.hexdigest()


def _item_keys(data: dict[str, Any]) -> set[str]:
    keys = set()
    for kind in ("problems", "measures"):
        for item in data.get(kind) or []:
            key = normalised(item.get("summary") or "")
            if key:
                keys.add(f"{kind}:{key}")
    return keys


@dataclass(frozen=True)
class Repeat:
    """Why a draft looks already imported into its round, and the earlier import it repeats."""

    same_text: bool  # the whole normalised text was imported before
    matched: int  # its problems and measures already in the round (by normalised summary)
    total: int
    earlier: ImportDraft | None  # the confirmed draft it repeats, when one is found

    @property
    def message(self) -> str:
        if self.same_text:
            what = "这份文档的内容已导入过本轮次"
        else:
            what = f"这份文档的 {self.total} 项问题和整改措施中有 {self.matched} 项已在本轮次台账中"
        return f"{what}，再次导入会重复建账。如确需再次导入，请勾选“仍然导入”"


def find_repeat(draft: ImportDraft) -> Repeat | None:
    """Whether DRAFT repeats what its round already holds: the same normalised text as a confirmed
    draft of the round, or most of its items (normalised summaries of live problems and measures)
    already in the round. Queries: a fixed handful."""
    round_id = draft.round_id
    confirmed = ImportDraft.objects.filter(round_id=round_id, confirmed_at__isnull=False).exclude(pk=draft.pk)
    digest = draft.text_digest or text_digest(draft.data)
    same = confirmed.filter(text_digest=digest).select_related("created_by").order_by("-confirmed_at").first()
    keys = _item_keys(draft.data)
    existing = {
        f"problems:{normalised(s)}"
        for s in Problem.objects.filter(round_id=round_id).values_list("summary", flat=True)
    } | {
        f"measures:{normalised(s)}"
        for s in Measure.objects.filter(round_id=round_id).values_list("summary", flat=True)
    }
    matched = len(keys & existing)
    if same is None and (not keys or matched < REPEAT_SHARE * len(keys)):
        return None
    earlier = same
    if earlier is None:  # the confirmed draft sharing the most items
        best = 0
        for candidate in confirmed.select_related("created_by").order_by("-confirmed_at")[:REPEAT_LOOKBACK]:
            shared = len(keys & _item_keys(candidate.data))
            if shared > best:
                earlier, best = candidate, shared
    return Repeat(same_text=same is not None, matched=matched, total=len(keys), earlier=earlier)


@transaction.atomic
def discard_draft(draft: ImportDraft, *, actor: Any) -> None:
    """Discard a draft not yet confirmed (nothing of it reached the ledger): its creator or an
    organizer of its round. The audit event keeps its name and counts."""
    locked = (
        ImportDraft.objects.select_for_update().select_related("round__team__organization").get(pk=draft.pk)
    )
    if locked.created_by_id != getattr(actor, "pk", None) and not has_role(
        actor, _path(locked.round), "manage"
    ):
        raise NotAllowed("只有上传该文档的人或本轮次的组织者可以放弃导入草稿")
    if locked.confirmed_at is not None:
        raise Conflict("该文档已经确认导入，不能放弃；导入的内容可逐项作废")
    record(
        EventType.DRAFT_DISCARDED,
        locked,
        actor=actor,
        old={
            "name": locked.name,
            "round": locked.round_id,
            **{kind: len(locked.data.get(kind) or []) for kind in KINDS},
        },
        organization_path=_path(locked.round),
    )
    locked.delete()


def confirm_draft(draft: ImportDraft, *, actor: Any, repeat: bool = False) -> services.ImportResult:
    """Create the draft's problems, causes and measures in its round, numbered after what the round
    has, in one transaction with the draft marked confirmed; a second confirmation is a Conflict.
    A draft that repeats an earlier import (`find_repeat`) is a Conflict unless REPEAT says the
    organizer chose to import it again.

    The draft is read and turned into a document before the write transaction, which then only
    checks that the draft is still the same and inserts (SQLite has one writer at a time)."""
    snapshot = ImportDraft.objects.select_related("round__team__organization").get(pk=draft.pk)
    _require_organizer(actor, snapshot.round, "确认导入")
    return _confirm_draft(snapshot, parsed_from_dict(snapshot.data), actor=actor, repeat=repeat)


@transaction.atomic
def _confirm_draft(
    snapshot: ImportDraft, document: parsed.ParsedDocument, *, actor: Any, repeat: bool = False
) -> services.ImportResult:
    locked = (
        ImportDraft.objects.select_for_update()
        .select_related("round__team__organization")
        .get(pk=snapshot.pk)
    )
    _require_organizer(actor, locked.round, "确认导入")
    if locked.confirmed_at is not None:
        raise Conflict("该文档已经确认导入过，不能重复导入")
    if locked.data != snapshot.data:  # corrected meanwhile: import what the draft says now
        document = parsed_from_dict(locked.data)
    if document.is_empty:
        raise Invalid("预览中已没有任何问题、原因或措施，无需导入")
    # Locking the round serialises concurrent imports, so two never take the same ledger numbers.
    Round.objects.select_for_update().filter(pk=locked.round_id).first()
    digest = locked.data.get("sha256")
    found = find_repeat(locked)
    if digest and not repeat:
        _refuse_repeated_ledger(locked.round, str(digest))
    if found is not None and not repeat:
        raise Conflict(found.message)
    result = services.import_parsed(
        locked.round,
        document,
        actor=actor,
        source=locked.source,
        name=locked.name,
        member=draft_member(locked),
    )
    if digest:
        _add_ledger_history(locked, result.measures, actor)
        record(
            EventType.LEDGER_IMPORTED,
            locked.round,
            actor=actor,
            new={
                "file": locked.name,
                "sha256": digest,
                "problems": len(result.problems),
                "measures": len(result.measures),
            },
            organization_path=_path(locked.round),
        )
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["confirmed_at"])
    record(
        EventType.DRAFT_CONFIRMED,
        locked,
        actor=actor,
        new={
            "problems": len(result.problems),
            "causes": len(result.causes),
            "measures": len(result.measures),
            **({"repeat": True} if found is not None else {}),
        },
        organization_path=_path(locked.round),
    )
    return result


# --- the ledger spreadsheet ----------------------------------------------------------------------


_DATED_LINE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(.+)$")
_STATUS_NOTE = "“状态”列只作参考：导入的措施一律从“未开始”起步，销号须按流程提交验收"


def _dated_lines(text: str) -> list[list[str | None]]:
    """'2026-03-01 走访…' lines (as the export writes them) as [date or None, text] pairs."""
    found: list[list[str | None]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = _DATED_LINE_RE.match(line)
        if match:
            try:
                found.append(
                    [datetime.date.fromisoformat(match.group(1)).isoformat(), match.group(2).strip()]
                )
                continue
            except ValueError:
                pass
        found.append([None, line])
    return found


def _earlier_ledger_import(round_: Round, digest: str) -> Event | None:
    return (
        Event.objects.filter(
            event_type=EventType.LEDGER_IMPORTED,
            target_type=round_._meta.label_lower,
            target_id=str(round_.pk),
            new__sha256=digest,
        )
        .order_by("-seq")
        .first()
    )


def _refuse_repeated_ledger(round_: Round, digest: str) -> None:
    earlier = _earlier_ledger_import(round_, digest)
    if earlier is not None:
        when = timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M")
        raise Conflict(
            f"这个台账文件已在 {when} 导入过本轮次（{earlier.new.get('file', '')}），再次导入会重复建账。"
            "如确需再次导入，请勾选“仍然导入”"
        )


def ledger_draft_data(filename: str, data: bytes) -> dict[str, Any]:
    """A hand-made or exported ledger .xlsx as draft JSON: the parse contract (the same table engine
    as a Word table), plus per measure the 整改进展 / 佐证材料 lines of its row ("progress",
    "evidence": [date or null, text]) and, for the draft, "sha256" and "notes".

    Raises DocumentError when the file is no ledger.
    """
    sheets = read_sheets(data, filename, import_limits())
    document = extract(source_from_sheets(sheets))
    _check_size(document, filename)
    payload = document.to_dict()
    notes: list[str] = []
    rows = [_row_extras(sheet.rows) for sheet in sheets]
    flat = [row for sheet_rows in rows for row in sheet_rows]
    at = 0
    for measure in payload["measures"]:
        # The measures come in row order; each is found in its row's 整改措施 cell.
        probe = measure["text"][:24]
        while at < len(flat) and probe not in flat[at][0]:
            at += 1
        if at == len(flat):
            break
        _cell, progress, evidence, status = flat[at]
        if progress:
            measure["progress"] = _dated_lines(progress)
        if evidence:
            measure["evidence"] = _dated_lines(evidence)
        if status and _STATUS_NOTE not in notes:
            notes.append(_STATUS_NOTE)
    payload["sha256"] = hashlib.sha256(data).hexdigest()
    payload["notes"] = notes
    return payload


def _row_extras(rows: Sequence[Sequence[str]]) -> list[tuple[str, str, str, str]]:
    """(整改措施 cell as the engine reads it, 整改进展, 佐证材料, 状态) of every row under the header."""
    found = table_columns(rows)
    if found is None:
        return []
    header, columns = found

    def cell(row: Sequence[str], kind: str) -> str:
        col = columns.get(kind)
        return row[col] if col is not None and col < len(row) else ""

    return [
        (clean_cell(cell(row, "measure")), cell(row, "progress"), cell(row, "evidence"), cell(row, "status"))
        for row in rows[header + 1 :]
    ]


def draft_from_ledger(
    round_: Round, *, actor: Any, filename: str, data: bytes, source: str = Source.SELF_EXAMINATION
) -> ImportDraft:
    """A ledger .xlsx (hand-made or exported) as a draft to preview, correct and confirm like any
    document. A file already imported into ROUND is flagged on the preview like any repeated
    document (`find_repeat`) and goes in only on an explicit choice. Raises DocumentError when the
    file is no ledger."""
    _require_organizer(actor, round_, "导入台账")
    check_spreadsheet(filename, data)
    payload = ledger_draft_data(filename, data)
    if not (payload["problems"] or payload["measures"]):
        raise DocumentError(filename, "台账中没有可导入的问题或整改措施")
    return create_draft(round_, actor=actor, name=filename, data=payload, source=source)


def _add_ledger_history(draft: ImportDraft, measures: Sequence[Measure], actor: Any) -> None:
    """The 整改进展 and 佐证材料 lines a ledger draft carried, as progress updates and written
    evidence of the measures just created (undated lines take today)."""
    today = timezone.localdate()
    for item, measure in zip(draft.data.get("measures", []), measures, strict=False):
        for date, text in item.get("progress") or []:
            when = datetime.date.fromisoformat(date) if date else today
            ProgressUpdate.objects.create(measure=measure, date=when, text=str(text), author=actor)
        for date, text in item.get("evidence") or []:
            when = datetime.date.fromisoformat(date) if date else today
            Evidence.objects.create(
                measure=measure, evidence_date=when, statement=str(text), uploaded_by=actor
            )


def ledger_row(number: int, aspect: str, problem: Problem | None, measure: Measure | None) -> LedgerRow:
    """One row of the standard ledger (the export, the official layout and the import read the same
    columns). MEASURE needs its updates and evidence prefetched in date order."""
    return LedgerRow(
        number=str(number),
        aspect=aspect,
        problem=(problem.text or problem.summary) if problem else "",
        measure=(measure.text or measure.summary) if measure else "",
        owner=(measure.owner.name if measure.owner else measure.owner_label) if measure else "",
        department=measure.department if measure else "",
        deadline=_deadline_cell(measure) if measure else "",
        progress="\n".join(f"{u.date.isoformat()} {u.text}" for u in measure.updates.all())
        if measure
        else "",
        evidence="\n".join(
            f"{e.evidence_date.isoformat()} {e.statement or e.original_name}" for e in measure.evidence.all()
        )
        if measure
        else "",
        problem_code=str(problem.number) if problem else "",
        status=_status_cell(problem, measure),
        review=review_line(measure) if measure else "",
    )


def _status_cell(problem: Problem | None, measure: Measure | None) -> str:
    """The 状态 cell; a voided (作废) measure or problem is marked, never silently left out."""
    status = str(measure.get_status_display()) if measure else ""
    if measure is not None and measure.voided_at is not None:
        return f"已作废（原为{status}）"
    if problem is not None and problem.voided_at is not None:
        return f"问题已作废{f'（{status}）' if status else ''}"
    return status


def review_line(measure: Measure) -> str:
    """The latest review of MEASURE as the ledger prints it: "验收销号（张三，2026-05-06）：验收意见"
    (reviews prefetched in order), or "" before any."""
    reviews = list(measure.reviews.all())
    if not reviews:
        return ""
    review = reviews[-1]
    who = review.reviewer.get_full_name() or review.reviewer.get_username()
    head = f"{review.get_decision_display()}（{who}，{timezone.localdate(review.created_at).isoformat()}）"
    return f"{head}：{review.reasons}" if review.reasons else head


def ledger_rows(round_: Round, void: str = "") -> list[LedgerRow]:
    """The round's ledger in the standard columns: one row per measure under its problem (the
    problem repeated, 问题编号 tying the rows together), a row for each problem without measures,
    then the measures that belong to no problem. VOID (models.VOID_CHOICES): voided problems and
    measures left out (""), included ("all") or alone ("only"), marked in 状态. Queries: a fixed
    handful, whatever the size."""
    measures_qs = (
        Measure.all_objects.voided(void)
        .filter(round=round_)
        .select_related("owner")
        .prefetch_related(
            Prefetch("updates", queryset=ProgressUpdate.objects.order_by("date", "id")),
            Prefetch("evidence", queryset=Evidence.objects.order_by("evidence_date", "id")),
            Prefetch(
                "reviews", queryset=Review.objects.select_related("reviewer").order_by("created_at", "id")
            ),
        )
        .order_by("number")
    )
    by_problem: dict[int | None, list[Measure]] = {}
    for measure in measures_qs:
        by_problem.setdefault(measure.problem_id, []).append(measure)
    rows: list[LedgerRow] = []

    def add(aspect: str, problem: Problem | None, measure: Measure | None) -> None:
        rows.append(ledger_row(len(rows) + 1, aspect, problem, measure))

    problems = Problem.all_objects.filter(round=round_).select_related("aspect").order_by("number")
    if void == "only":  # voided problems, and the problems of voided measures
        problems = problems.filter(Q(voided_at__isnull=False) | Q(pk__in=[k for k in by_problem if k]))
    elif void == "":
        problems = problems.filter(voided_at__isnull=True)
    for problem in problems:
        measures: list[Measure | None] = [*by_problem.get(problem.pk, [])] or [None]
        for item in measures:
            add(problem.aspect_name, problem, item)
    for loose in by_problem.get(None, []):
        add(loose.group, None, loose)
    return rows


def _deadline_cell(measure: Measure) -> str:
    if measure.extended and measure.current_deadline and measure.baseline_deadline:
        return (
            f"{measure.current_deadline.isoformat()}（原定{measure.baseline_deadline.isoformat()}，已延期）"
        )
    if measure.deadline_text:
        return measure.deadline_text
    return measure.baseline_deadline.isoformat() if measure.baseline_deadline else ""


def export_ledger(round_: Round, void: str = "") -> bytes:
    """The round's ledger as .xlsx bytes in the standard columns (plus 问题编号 and 状态); VOID as
    for `ledger_rows`."""
    buffer = io.BytesIO()
    write_ledger(ledger_rows(round_, void), buffer, title=f"{round_.title}整改台账")
    return buffer.getvalue()
