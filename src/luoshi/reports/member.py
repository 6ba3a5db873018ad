"""个人整改清单: one member's problems and measures of a round, as .docx and as .xlsx.

The same rows in both: 序号 | 问题 | 整改措施 | 完成时限 | 状态 | 整改成效及进展 | 验收意见.
"""

from __future__ import annotations

import datetime
import io

from django.utils import timezone

from luoshi.ledger.models import Measure, Round
from luoshi.ledger.states import MeasureStatus
from luoshi.orgs.models import Member
from luoshi.reports.docx_layout import OfficialDocument, chinese_date
from luoshi.reports.ledger_xlsx import new_sheet, write_table
from luoshi.reports.progress import review_text
from luoshi.reports.records import deadline_text, latest_update, member_measures

HEADERS = ("序号", "问题", "整改措施", "完成时限", "状态", "整改成效及进展", "验收意见")
DOCX_WIDTHS_MM = (15, 40, 52, 30, 20, 50, 36)  # landscape text width: 297 − 28 − 26 = 243 mm
XLSX_WIDTHS = (5, 30, 40, 16, 10, 34, 26)


def member_title(member: Member, round_: Round) -> str:
    return f"{member.name}同志{round_.title}个人整改清单"


def rows(measures: list[Measure], today: datetime.date) -> list[list[str]]:
    found = []
    for index, measure in enumerate(measures, 1):
        problem = measure.problem
        status = str(MeasureStatus(measure.status).label) + (
            "（已逾期）" if measure.is_overdue(today) else ""
        )
        update = latest_update(measure)
        outcome = measure.outcome or (f"{update.date.isoformat()} {update.text}" if update else "")
        found.append(
            [
                str(index),
                (problem.text or problem.summary) if problem else measure.group,
                measure.text or measure.summary,
                deadline_text(measure),
                status,
                outcome,
                review_text(measure),
            ]
        )
    return found


def _note(member: Member, round_: Round, measures: list[Measure], today: datetime.date) -> str:
    closed = sum(1 for m in measures if m.status == MeasureStatus.CLOSED)
    overdue = sum(1 for m in measures if m.is_overdue(today))
    problems = len({m.problem_id for m in measures if m.problem_id is not None})
    return (
        f"{member.position}{member.name}：截至{chinese_date(today)}，负责{round_.title}问题{problems}个、"
        f"整改措施{len(measures)}项，已验收销号{closed}项，逾期{overdue}项。"
    )


def write_member_docx(round_: Round, member: Member, *, today: datetime.date | None = None) -> bytes:
    """MEMBER's list for ROUND as .docx (GB/T 9704 page, landscape for the table)."""
    today = today or timezone.localdate()
    round_ = Round.objects.select_related("team__organization").get(pk=round_.pk)
    measures = member_measures(round_, member)
    doc = OfficialDocument(landscape=True)
    doc.title(member_title(member, round_))
    doc.body(_note(member, round_, measures, today))
    doc.table(HEADERS, rows(measures, today) or [["", "无", "", "", "", "", ""]], DOCX_WIDTHS_MM)
    doc.signature(round_.team.organization.name, today)
    return doc.to_bytes()


def write_member_xlsx(round_: Round, member: Member, *, today: datetime.date | None = None) -> bytes:
    """MEMBER's list for ROUND as .xlsx (the ledger's landscape layout)."""
    today = today or timezone.localdate()
    round_ = Round.objects.select_related("team__organization").get(pk=round_.pk)
    measures = member_measures(round_, member)
    workbook, sheet = new_sheet("个人整改清单")
    write_table(
        sheet,
        title=member_title(member, round_),
        note=_note(member, round_, measures, today),
        headers=HEADERS,
        rows=([int(r[0]), *r[1:]] for r in rows(measures, today)),
        widths=XLSX_WIDTHS,
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = ["member_title", "write_member_docx", "write_member_xlsx"]
