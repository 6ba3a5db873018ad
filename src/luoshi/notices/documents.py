"""The 督办单 as a one-page .docx on the GB/T 9704 page (`luoshi.reports.docx_layout`): the
issuing office's title, the number and grade under it, the particulars as a two-column table, and
the office and date as signature."""

from __future__ import annotations

from django.utils import timezone

from luoshi.notices.models import OrderGrade, SupervisionOrder
from luoshi.notices.supervision import GRADE_MEANING
from luoshi.reports.docx_layout import OfficialDocument, chinese_date


def _date(value: object) -> str:
    return chinese_date(value) if value else "—"  # type: ignore[arg-type]


def order_document(order: SupervisionOrder) -> bytes:
    """The one-page .docx of ORDER."""
    measure = order.measure
    grade = OrderGrade(order.grade)
    owner = measure.owner
    acknowledged = ""
    if order.acknowledged_by is not None and order.acknowledged_at is not None:
        who = order.acknowledged_by.get_full_name() or order.acknowledged_by.get_username()
        acknowledged = f"{who}　{_date(timezone.localtime(order.acknowledged_at).date())}"
    rows = [
        ("督办等级", f"{grade.label}（{GRADE_MEANING[grade]}）"),
        ("责任单位", f"{measure.round.team.organization.name}　{measure.department}".strip()),
        ("责任领导", f"{owner.name}（{owner.position}）" if owner else measure.owner_display),
        ("整改措施", f"{measure.number}. {measure.summary}（{measure.round.title}）"),
        ("完成时限", f"原定 {_date(measure.baseline_deadline)}；当前 {_date(measure.current_deadline)}"),
        ("督办事由", order.reason),
        ("限期反馈", f"请于 {_date(order.reply_deadline)} 前书面反馈整改落实情况"),
        ("签收", acknowledged),
        ("反馈情况", order.reply),
    ]
    document = OfficialDocument()
    document.title(f"{order.organization.name}督办单", subtitle=order.title)
    document.table(["事项", "内容"], rows, widths_mm=[30, 126])
    document.signature(order.organization.name, timezone.localtime(order.issued_at).date())
    return document.to_bytes()
