"""The ledger (整改台账) .xlsx in the official landscape layout, and the member's list as a sheet.

Title row (方正小标宋简体), a line naming the organization, the date and the filter, the styled
header (黑体 on grey), frozen below the header, a filter on every column, the header repeated on
every printed page, A4 landscape fitted to the page width, wrapped text, widths that fit.

The columns are those of `luoshi.text.ledger_xlsx` (序号 | 方面 | 问题 | 整改措施 | 责任领导 |
责任单位 | 完成时限 | 整改进展 | 佐证材料 | 问题编号 | 状态) with the same cell contents as the
ledger export, so the ledger import (`read_ledger`, `ledger.imports`) reads the file back as it was
written; the title and the line below it sit above the header where the reader looks for it.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from copy import copy
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from luoshi.ledger.imports import ledger_row
from luoshi.ledger.models import Measure, Problem, Round
from luoshi.reports.docx_layout import chinese_date
from luoshi.reports.records import counted_measures, counted_problems, with_details
from luoshi.text.ledger_xlsx import HEADERS, OPTIONAL_HEADERS, LedgerRow

LEDGER_HEADERS: tuple[str, ...] = (*HEADERS, *OPTIONAL_HEADERS)
LEDGER_FIELDS: tuple[str, ...] = (
    "number",
    "aspect",
    "problem",
    "measure",
    "owner",
    "department",
    "deadline",
    "progress",
    "evidence",
    "problem_code",
    "status",
    "review",
)
# Widths in Excel's character units, chosen so the twelve columns fill an A4 landscape page at
# about 70 %: the long texts get room, the short codes just enough.
LEDGER_WIDTHS: dict[str, float] = {
    "序号": 5,
    "方面": 9,
    "问题": 26,
    "整改措施": 30,
    "责任领导": 9,
    "责任单位": 11,
    "完成时限": 13,
    "整改进展": 24,
    "佐证材料": 18,
    "问题编号": 6,
    "状态": 8,
    "验收意见": 16,
}
HEADER_ROW = 3  # title, then the line with organization, date and filter, then the header
_MAX_CELL = 32767  # Excel's limit on the characters of one cell

TITLE_FONT = Font(name="方正小标宋简体", size=18)
NOTE_FONT = Font(name="楷体_GB2312", size=11)
HEADER_FONT = Font(name="黑体", size=11)
CELL_FONT = Font(name="仿宋_GB2312", size=11)
HEADER_FILL = PatternFill(fill_type="solid", start_color="D9D9D9", end_color="D9D9D9")
_THIN = Side(style="thin", color="000000")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def ledger_rows(measures: Iterable[Measure], problems: Iterable[Problem] = ()) -> list[LedgerRow]:
    """Ledger rows: one per measure under its problem (the problem repeated, 问题编号 tying the
    rows together), a row for each of PROBLEMS that has no measure among MEASURES, then the
    measures that belong to no problem. MEASURES come with their details (records.with_details)."""
    by_problem: dict[int | None, list[Measure]] = {}
    problem_of: dict[int, Problem] = {}
    for measure in measures:
        by_problem.setdefault(measure.problem_id, []).append(measure)
        if measure.problem is not None:
            problem_of[measure.problem.pk] = measure.problem
    for problem in problems:
        problem_of.setdefault(problem.pk, problem)
    rows: list[LedgerRow] = []

    def add(aspect: str, problem: Problem | None, measure: Measure | None) -> None:
        rows.append(ledger_row(len(rows) + 1, aspect, problem, measure))

    for problem in sorted(problem_of.values(), key=lambda p: p.number):
        items: list[Measure | None] = [*by_problem.get(problem.pk, [])] or [None]
        for item in items:
            add(problem.aspect_name, problem, item)
    for loose in by_problem.get(None, []):
        add(loose.group, None, loose)
    return rows


def new_sheet(title: str) -> tuple[Workbook, Worksheet]:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = title[:31]
    return workbook, sheet


def write_table(
    sheet: Worksheet,
    *,
    title: str,
    note: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[float],
) -> None:
    """TITLE and NOTE above a bordered table of HEADERS and ROWS, laid out for printing: frozen
    header, filters, header repeated on each page, A4 landscape fitted to the width."""
    last = get_column_letter(len(headers))
    sheet.cell(row=1, column=1, value=title).font = TITLE_FONT
    sheet.merge_cells(f"A1:{last}1")
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 36
    sheet.cell(row=2, column=1, value=note).font = NOTE_FONT
    sheet.merge_cells(f"A2:{last}2")
    sheet.cell(row=2, column=1).alignment = Alignment(horizontal="left", vertical="center")
    sheet.row_dimensions[2].height = 20

    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col, (header, width) in enumerate(zip(headers, widths, strict=True), 1):
        cell = sheet.cell(row=HEADER_ROW, column=col, value=header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = header_alignment
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.row_dimensions[HEADER_ROW].height = 24

    # Style two cells the ordinary way, then give every data cell a copy of their style array:
    # setting font, border and alignment on each of thousands of cells costs most of the time.
    wrap = Alignment(vertical="top", wrap_text=True)
    centred = Alignment(horizontal="center", vertical="top", wrap_text=True)
    templates = []
    for alignment in (wrap, centred):
        template: Any = sheet.cell(row=HEADER_ROW + 1, column=1)  # _style: not in the stubs
        template.font, template.border, template.alignment = CELL_FONT, BORDER, alignment
        templates.append(copy(template._style))
    column_styles = [templates[1] if width <= 9 else templates[0] for width in widths]
    count = 0
    for row_index, values in enumerate(rows, HEADER_ROW + 1):
        count += 1
        for col, value in enumerate(values, 1):
            if isinstance(value, str):
                value = value[:_MAX_CELL]
            data: Any = sheet.cell(row=row_index, column=col, value=value)
            if isinstance(value, str) and value.startswith("="):
                data.data_type = "s"  # text that starts with "=" stays text (formula injection)
            data._style = copy(column_styles[col - 1])

    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(count, 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as it takes
    from openpyxl.worksheet.properties import PageSetupProperties

    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    footer = sheet.oddFooter
    if footer is not None:
        footer.center.text = "第 &P 页，共 &N 页"
        footer.center.font = "宋体"


def write_ledger_xlsx(
    rows: Sequence[LedgerRow],
    *,
    title: str,
    organization: str,
    day: datetime.date,
    filter_note: str = "",
) -> bytes:
    """The ledger as .xlsx bytes in the official layout."""
    workbook, sheet = new_sheet("整改台账")
    note = f"单位：{organization}　　截至：{chinese_date(day)}　　共 {len(rows)} 行"
    if filter_note:
        note += f"　　筛选：{filter_note}"
    write_table(
        sheet,
        title=title,
        note=note,
        headers=LEDGER_HEADERS,
        rows=(_cells(row) for row in rows),
        widths=[LEDGER_WIDTHS[h] for h in LEDGER_HEADERS],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_round_ledger(
    round_: Round,
    *,
    measures: QuerySet[Measure] | None = None,
    filter_note: str = "",
    today: datetime.date | None = None,
) -> bytes:
    """ROUND's ledger .xlsx: every counted problem and measure, or only MEASURES (a filtered view
    of `records.counted_measures(round_)`, described by FILTER_NOTE). Queries: a fixed handful."""
    round_ = Round.objects.select_related("team__organization").get(pk=round_.pk)
    filtered = measures is not None
    chosen = with_details(measures if measures is not None else counted_measures(round_), evidence=True)
    problems = [] if filtered else list(counted_problems(round_).select_related("aspect"))
    return write_ledger_xlsx(
        ledger_rows(chosen, problems),
        title=f"{round_.title}整改台账",
        organization=round_.team.organization.name,
        day=today or timezone.localdate(),
        filter_note=filter_note,
    )


def _cells(row: LedgerRow) -> list[Any]:
    values: list[Any] = [getattr(row, name) for name in LEDGER_FIELDS]
    if values[0].isdigit():
        values[0] = int(values[0])  # a number Excel sorts as a number
    return values


__all__ = [
    "LEDGER_HEADERS",
    "ledger_rows",
    "new_sheet",
    "write_ledger_xlsx",
    "write_round_ledger",
    "write_table",
]
