"""Activity records from an .xlsx sheet, with a report line per row.

The workbook is checked before openpyxl opens it (zip directory, expanded sizes, XML parts: the
size-checked opening of `luoshi.text.limits`) and read in read-only mode, row by row, with a row
limit. Every row is checked first; only when all are good are they recorded (one transaction), so a
corrected file can be imported again without doubles. The same file twice is refused.
"""

from __future__ import annotations

import datetime
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from luoshi.audit.chain import record
from luoshi.audit.models import Event, EventType
from luoshi.errors import DomainError, Invalid, NotAllowed
from luoshi.indicators import services
from luoshi.indicators.models import ActivityKind
from luoshi.orgs.access import has_role
from luoshi.orgs.models import Member, Team
from luoshi.text.errors import DocumentError
from luoshi.text.limits import check_xlsx, sheet_rows

# Header text → field. The first row holding 日期 and 类别 is the header.
HEADERS = {
    "日期": "date",
    "姓名": "member",
    "成员": "member",
    "班子成员": "member",
    "类别": "kind",
    "类型": "kind",
    "次数": "count",
    "入户数": "households",
    "户数": "households",
    "地点": "place",
    "说明": "note",
    "简要说明": "note",
    "备注": "note",
}
TEAM_WORDS = {"", "班子", "班子整体", "集体"}
MAX_HEADER_SEARCH = 10


@dataclass
class RowReport:
    row: int
    ok: bool
    message: str


@dataclass
class ImportReport:
    name: str
    rows: list[RowReport] = field(default_factory=list)
    saved: int = 0
    error: str = ""

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if not r.ok)


def _kind(value: Any) -> str:
    text = str(value or "").strip()
    for kind in ActivityKind:
        if text in (kind.value, str(kind.label)):
            return kind.value
    aliases = {
        "走访": "visit",
        "调研": "visit",
        "入户": "household",
        "学习": "study",
        "研讨": "seminar",
        "会议": "meeting",
        "报告": "report",
    }
    for word, kind_value in aliases.items():
        if word in text:
            return kind_value
    raise Invalid(
        f"类别“{text}”无法识别（可填：{'、'.join(str(k.label) for k in ActivityKind if k != 'figure')}）"
    )


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = (
        str(value or "")
        .strip()
        .replace("/", "-")
        .replace(".", "-")
        .replace("年", "-")
        .replace("月", "-")
        .rstrip("日")
    )
    try:
        return datetime.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise Invalid(f"日期“{value}”无法识别（如 2026-03-05）") from None


def _int(value: Any, label: str, default: int) -> int:
    if value is None or str(value).strip() == "":
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Invalid(f"{label}“{value}”应为整数") from None
    if number != int(number):
        raise Invalid(f"{label}“{value}”应为整数")
    return int(number)


def import_activities(team: Team, data: bytes, *, actor: Any, name: str = "") -> ImportReport:
    """Check every row of the sheet in DATA and, when all are good, record them for TEAM.

    Office staff (organizers) only. Returns the per-row report; nothing is saved when any row fails.
    Raises NotAllowed, or Invalid for a file that is not a readable workbook or was imported before."""
    if not has_role(actor, team.organization.path, "manage"):
        raise NotAllowed("只有本单位的组织者（办公室工作人员）可以导入履职记录")
    report = ImportReport(name=name)
    digest = hashlib.sha256(data).hexdigest()
    if Event.objects.filter(
        event_type=EventType.ACTIVITIES_IMPORTED,
        target_type="orgs.team",
        target_id=str(team.pk),
        new__sha256=digest,
    ).exists():
        raise Invalid(f"文件“{name}”已导入过，不再重复导入")
    rows = _read_rows(data, name)
    members = {m.name: m for m in Member.objects.filter(team=team)}
    today = timezone.localdate()
    parsed: list[tuple[int, dict[str, Any]]] = []
    header: dict[int, str] | None = None
    for number, values in rows:
        if header is None:
            found = {
                i: HEADERS[str(v).strip()] for i, v in enumerate(values) if str(v or "").strip() in HEADERS
            }
            if "date" in found.values() and "kind" in found.values():
                header = found
            elif number >= MAX_HEADER_SEARCH:
                raise Invalid(
                    f"文件“{name}”前 {MAX_HEADER_SEARCH} 行中没有找到表头（须有“日期”和“类别”两列）"
                )
            continue
        cells = {key: values[i] if i < len(values) else None for i, key in header.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        try:
            who = str(cells.get("member") or "").strip()
            if who in TEAM_WORDS:
                member = None
            elif who in members:
                member = members[who]
            else:
                raise Invalid(f"“{who}”不是本班子的成员")
            kind = _kind(cells.get("kind"))
            fields = {
                "member": member,
                "date": _date(cells.get("date")),
                "kind": kind,
                "count": _int(cells.get("count"), "次数", 1),
                "households": _int(cells.get("households"), "入户数", 0),
                "place": cells.get("place") or "",
                "note": cells.get("note") or "",
            }
            services.check_activity_fields(team, fields, today)  # the same checks the service makes
        except Invalid as error:
            report.rows.append(RowReport(number, False, error.message))
            continue
        parsed.append((number, fields))
        report.rows.append(RowReport(number, True, "可导入"))
    if header is None:
        raise Invalid(f"文件“{name}”中没有找到表头（须有“日期”和“类别”两列）")
    if report.failed or not parsed:
        if not parsed and not report.failed:
            report.error = "表格中没有履职记录"
        return report
    with transaction.atomic():
        for _number, fields in parsed:
            services.record_activity(team, actor=actor, today=today, **fields)
        record(
            EventType.ACTIVITIES_IMPORTED,
            team,
            actor=actor,
            new={"name": name, "sha256": digest, "rows": len(parsed)},
            organization_path=team.organization.path,
        )
    report.saved = len(parsed)
    for line in report.rows:
        line.message = "已导入"
    return report


def _read_rows(data: bytes, name: str) -> list[tuple[int, tuple[Any, ...]]]:
    from openpyxl import load_workbook

    try:
        check_xlsx(data, name)  # zip and XML bombs refused before openpyxl reads a part
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return list(enumerate(sheet_rows(sheet.iter_rows(values_only=True), name), 1))
        finally:
            workbook.close()
    except DocumentError as error:
        raise Invalid(str(error)) from None
    except DomainError:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged or foreign file
        raise Invalid(f"文件“{name}”不是可读取的 Excel（.xlsx）表格") from None
