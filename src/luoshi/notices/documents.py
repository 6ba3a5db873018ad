"""The 督办单 as a one-page .docx in the official layout (GB/T 9704: A4, 37/35/28/26 mm margins,
red masthead and rule, 仿宋_GB2312 三号 body, 方正小标宋简体 title), written with python-docx."""

from __future__ import annotations

import io

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from luoshi.notices.models import OrderGrade, SupervisionOrder
from luoshi.notices.supervision import GRADE_MEANING

RED = RGBColor(0xC0, 0x00, 0x00)
BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体"


def _font(run: object, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name  # type: ignore[attr-defined]
    run.font.size = Pt(size)  # type: ignore[attr-defined]
    run.font.bold = bold  # type: ignore[attr-defined]
    if color is not None:
        run.font.color.rgb = color  # type: ignore[attr-defined]
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(
    document: object,
    text: str,
    font: str,
    size: float,
    *,
    align: int | None = None,
    bold: bool = False,
    color: RGBColor | None = None,
    space_after: float = 0,
) -> object:
    paragraph = document.add_paragraph()  # type: ignore[attr-defined]
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    paragraph.paragraph_format.space_before = Pt(0)
    _font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _red_rule(paragraph: object) -> None:
    """A red bottom border under the masthead paragraph (版头分隔线)."""
    properties = paragraph._p.get_or_add_pPr()  # type: ignore[attr-defined]
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    properties.append(borders)


def _date(value: object) -> str:
    return f"{value:%Y年%-m月%-d日}" if value else "—"


def order_document(order: SupervisionOrder) -> bytes:
    """The one-page .docx of ORDER."""
    measure = order.measure
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    _paragraph(
        document,
        f"{order.organization.name}督办单",
        TITLE_FONT,
        26,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        color=RED,
        space_after=6,
    )
    number = _paragraph(document, order.title, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _red_rule(number)
    grade = OrderGrade(order.grade)
    _paragraph(
        document,
        f"{grade.label}（{GRADE_MEANING[grade]}）",
        HEADING_FONT,
        16,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=8,
    )

    owner = measure.owner
    rows = [
        ("责任单位", f"{measure.round.team.organization.name}　{measure.department}".strip()),
        ("责任领导", f"{owner.name}（{owner.position}）" if owner else measure.owner_display),
        ("整改措施", f"{measure.number}. {measure.summary}（{measure.round.title}）"),
        ("完成时限", f"原定 {_date(measure.baseline_deadline)}；当前 {_date(measure.current_deadline)}"),
        ("督办事由", order.reason),
        ("限期反馈", f"请于 {_date(order.reply_deadline)} 前书面反馈整改落实情况"),
        (
            "签收",
            f"{order.acknowledged_by.get_full_name() or order.acknowledged_by.get_username()}　"
            f"{_date(timezone.localtime(order.acknowledged_at))}"
            if order.acknowledged_by and order.acknowledged_at
            else "",
        ),
        ("反馈情况", order.reply),
    ]
    table = document.add_table(rows=len(rows), cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    table.columns[0].width, table.columns[1].width = Mm(30), Mm(126)  # the grid LibreOffice reads
    for (label, value), row in zip(rows, table.rows, strict=True):
        row.cells[0].width, row.cells[1].width = Mm(30), Mm(126)
        label_paragraph = row.cells[0].paragraphs[0]
        label_paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(label_paragraph.add_run(label), HEADING_FONT, 14)
        _font(row.cells[1].paragraphs[0].add_run(value), BODY_FONT, 14)

    _paragraph(document, "", BODY_FONT, 16, space_after=12)
    _paragraph(document, order.organization.name, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(
        document, _date(timezone.localtime(order.issued_at)), BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT
    )

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
