"""The standard rectification ledger (整改台账) as an .xlsx file: write it, read it back.

Columns: 序号 | 方面 | 问题 | 整改措施 | 责任领导 | 责任单位 | 完成时限 | 整改进展 | 佐证材料, optionally
问题编号 and 状态 after them. The reader accepts the columns in any order and under common
synonyms (责任人, 牵头单位, 整改时限 …), finds the header row below a title row, and reports each
row it cannot take as a Chinese message; a ledger written by `write_ledger` reads back unchanged.

`read_xlsx` turns a hand-made ledger (any sheet, title rows above the header, merged cells, several
sheets) into the same `SourceText` a .docx with tables gives, so `luoshi parse` and the web
preview read spreadsheets through the one table engine of `extract.py`. Pure openpyxl: no Django.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import IO, Any

from luoshi.text.errors import DocumentError
from luoshi.text.headings import column_kind
from luoshi.text.limits import DEFAULT_LIMITS, Limits, check_xlsx, sheet_rows, source_bytes
from luoshi.text.model import ParsedDocument
from luoshi.text.read import SourceText

HEADERS: tuple[str, ...] = (
    "序号",
    "方面",
    "问题",
    "整改措施",
    "责任领导",
    "责任单位",
    "完成时限",
    "整改进展",
    "佐证材料",
)
OPTIONAL_HEADERS: tuple[str, ...] = ("问题编号", "状态", "验收意见")
_FIELDS: tuple[str, ...] = (
    "number",
    "aspect",
    "problem",
    "measure",
    "owner",
    "department",
    "deadline",
    "progress",
    "evidence",
)
_OPTIONAL_FIELDS: tuple[str, ...] = ("problem_code", "status", "review")
_WIDTHS = {
    "序号": 6,
    "方面": 14,
    "问题": 48,
    "整改措施": 56,
    "责任领导": 12,
    "责任单位": 18,
    "完成时限": 16,
    "整改进展": 30,
    "佐证材料": 24,
    "问题编号": 14,
    "状态": 10,
    "验收意见": 30,
}
_MAX_CELL = 32767  # Excel's limit on the characters of one cell


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One row of the ledger. All values are text as a person would type them in Excel."""

    number: str
    aspect: str
    problem: str
    measure: str
    owner: str = ""
    department: str = ""
    deadline: str = ""
    progress: str = ""
    evidence: str = ""
    problem_code: str = ""
    status: str = ""
    review: str = ""  # the latest review: decision, reviewer, date and 验收意见 (written, never read)


@dataclass(frozen=True, slots=True)
class RowError:
    """A row the reader could not take, with the reason in Chinese."""

    row: int  # the Excel row number (1-based, as shown in Excel)
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行：{self.message}"


Target = str | PathLike[str] | IO[bytes]


def rows_from_parsed(doc: ParsedDocument) -> list[LedgerRow]:
    """Ledger rows for a parsed document.

    A problem with measures linked to it (a rectification plan) is one row, its measures numbered
    inside the 整改措施 cell; other problems get a row each with no measure, then measures that
    belong to no problem get a row each under their group.
    """
    rows: list[LedgerRow] = []
    linked: dict[int, list[int]] = {}
    for index, measure in enumerate(doc.measures):
        if measure.problem is not None and 0 <= measure.problem < len(doc.problems):
            linked.setdefault(measure.problem, []).append(index)
    for problem_index, problem in enumerate(doc.problems):
        measures = [doc.measures[i] for i in linked.get(problem_index, [])]
        if len(measures) == 1:
            measure_text = measures[0].text
        else:
            measure_text = "\n".join(f"{n}.{m.text}" for n, m in enumerate(measures, 1))
        rows.append(
            LedgerRow(
                number=str(len(rows) + 1),
                aspect=problem.aspect,
                problem=problem.text,
                measure=measure_text,
                owner=_distinct(m.owner for m in measures),
                department=_distinct(m.department for m in measures),
                deadline=_distinct(
                    m.deadline_text or (m.deadline.isoformat() if m.deadline else None) for m in measures
                ),
            )
        )
    for measure in doc.measures:
        if measure.problem is None or measure.problem not in linked:
            rows.append(
                LedgerRow(
                    number=str(len(rows) + 1),
                    aspect=measure.group,
                    problem="",
                    measure=measure.text,
                    owner=measure.owner or "",
                    department=measure.department or "",
                    deadline=measure.deadline_text
                    or (measure.deadline.isoformat() if measure.deadline else ""),
                )
            )
    return rows


def _distinct(values: Iterable[str | None]) -> str:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return "；".join(seen)


def write_ledger(rows: Sequence[LedgerRow], target: Target, title: str = "整改台账") -> None:
    """Write the ledger: a title row, a bold filled header (frozen, with a filter), wrapped text.

    问题编号, 状态 and 验收意见 columns are added only when some row has a value for them.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    optional = [
        (h, f)
        for h, f in zip(OPTIONAL_HEADERS, _OPTIONAL_FIELDS, strict=True)
        if any(getattr(r, f) for r in rows)
    ]
    headers = [*HEADERS, *(h for h, _ in optional)]
    fields = [*_FIELDS, *(f for _, f in optional)]

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new Workbook always has one sheet
    sheet.title = "整改台账"
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    sheet.cell(row=1, column=1, value=title or "整改台账").font = Font(bold=True, size=16)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30

    header_fill = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")
    for col, header in enumerate(headers, 1):
        cell = sheet.cell(row=2, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(header, 14)

    wrap = Alignment(vertical="top", wrap_text=True)
    for row_index, row in enumerate(rows, 3):
        for col, name in enumerate(fields, 1):
            value: Any = getattr(row, name)
            if name == "number" and value.isdigit():
                value = int(value)  # a number Excel sorts as a number
            cell = sheet.cell(
                row=row_index, column=col, value=value[:_MAX_CELL] if isinstance(value, str) else value
            )
            if isinstance(value, str) and value.startswith("="):
                # Text that starts with "=" stays text, never a formula (formula injection).
                cell.data_type = "s"
            cell.alignment = wrap
            cell.border = border

    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{max(2, len(rows) + 2)}"
    sheet.print_title_rows = "2:2"
    workbook.save(target)  # openpyxl accepts paths and binary streams


def read_ledger(source: Target, limits: Limits = DEFAULT_LIMITS) -> tuple[list[LedgerRow], list[RowError]]:
    """Read a ledger written by `write_ledger` or by hand.

    Returns the rows it could take and one error per row it could not (a row with neither 问题
    nor 整改措施). Raises DocumentError when the file is no .xlsx or has no ledger header.
    """
    from openpyxl import load_workbook

    name = _source_name(source)
    try:
        data = source_bytes(source)
        check_xlsx(data, name, limits)  # zip and XML bombs refused before openpyxl reads a part
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DocumentError:
        raise
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML and value errors for bad files
        raise DocumentError(name, "不是有效的 Excel 文件（.xlsx）") from exc
    try:
        sheet = workbook.active
        if sheet is None:
            raise DocumentError(name, "Excel 文件中没有工作表")
        all_rows = list(sheet_rows(sheet.iter_rows(values_only=True), name, limits))
    finally:
        workbook.close()

    header_index, columns = _find_header(all_rows)
    if header_index is None:
        raise DocumentError(name, "前 10 行中找不到台账表头（至少需要“问题”或“整改措施”列）")

    rows: list[LedgerRow] = []
    errors: list[RowError] = []
    for offset, raw in enumerate(all_rows[header_index + 1 :]):
        excel_row = header_index + 2 + offset
        values = {kind: _text(raw[col]) if col < len(raw) else "" for kind, col in columns.items()}
        if not any(values.values()):
            continue  # blank rows are layout, not data
        if not values.get("problem") and not values.get("measure"):
            errors.append(RowError(excel_row, "“问题”和“整改措施”都为空，无法导入"))
            continue
        rows.append(
            LedgerRow(
                number=values.get("number", ""),
                aspect=values.get("aspect", ""),
                problem=values.get("problem", ""),
                measure=values.get("measure", ""),
                owner=values.get("owner", ""),
                department=values.get("department", ""),
                deadline=values.get("deadline", ""),
                progress=values.get("progress", ""),
                evidence=values.get("evidence", ""),
                problem_code=values.get("problem_code", ""),
                status=values.get("status", ""),
                review=values.get("review", ""),
            )
        )
    return rows, errors


def _source_name(source: Target) -> str:
    if isinstance(source, (str, PathLike)):
        return str(source)
    return str(getattr(source, "name", "") or "上传的台账")


# Columns the writer adds that a header pattern would miss or misread: read back by their name.
_EXACT_COLUMNS = {"问题编号": "problem_code", "验收意见": "review"}


def _find_header(rows: Sequence[tuple[Any, ...]]) -> tuple[int | None, dict[str, int]]:
    for index, row in enumerate(rows[:10]):
        columns: dict[str, int] = {}
        for col, value in enumerate(row):
            header = _text(value)
            if not header:
                continue
            kind = _EXACT_COLUMNS.get(header) or column_kind(header)
            if kind and kind not in columns:
                columns[kind] = col
        if ("problem" in columns or "measure" in columns) and len(columns) >= 2:  # not a title row
            return index, columns
    return None, {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --------------------------------------------------------------------------- hand-made ledgers

_ASPECT_NUMBER_RE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}\s*[、.．])\s*"
)
_YEAR_RE = re.compile(r"(20\d\d|19[89]\d)\s*[年\-./]")
# How far down a sheet the header row may be (title, subtitle, 填报单位 and 填报日期 rows above it).
HEADER_SEARCH_ROWS = 10
# Rows of one sheet: `Limits.sheet_rows` (luoshi.text.limits), refused with a message beyond it.
MAX_ROWS = DEFAULT_LIMITS.sheet_rows


@dataclass(frozen=True, slots=True)
class SheetTable:
    """One sheet's ledger: its name, the title above the header, and the rows from the header on
    (merged cells repeated over every row and column they span), with the Excel number of each."""

    name: str
    title: str
    rows: tuple[tuple[str, ...], ...]
    row_numbers: tuple[int, ...]
    year: int | None = None  # a year named above the header (title, 填报日期)
    # Offsets into `rows` where a row's 问题 cell is empty but not merged while its 序号 is filled:
    # a measure of no problem (as the exported ledger writes them), not a continuation row.
    loose_rows: tuple[int, ...] = ()

    def tables(self) -> list[list[list[str]]]:
        """The rows as tables for the engine: the header repeated before each loose row that
        follows a problem, so that the engine does not take the row as the problem's continuation."""
        header, body = list(self.rows[0]), [list(row) for row in self.rows[1:]]
        tables: list[list[list[str]]] = [[header]]
        loose = set(self.loose_rows)
        for offset, row in enumerate(body, 1):
            if offset in loose and len(tables[-1]) > 1 and (offset - 1) not in loose:
                tables.append([header])
            tables[-1].append(row)
        return tables


def read_sheets(data: bytes, filename: str = "", limits: Limits = DEFAULT_LIMITS) -> list[SheetTable]:
    """The ledger tables of every sheet of an .xlsx file, in sheet order.

    A sheet without a ledger header (a 说明 or 填报要求 sheet) is skipped. A merged cell gives its
    value to every cell of its range, the way Word repeats a vertically merged table cell, so a
    问题 merged across two measure rows is one problem with two measures. The workbook is
    streamed (openpyxl's read-only mode, rows counted against `limits`); merged ranges, which
    that mode does not read, are taken from each sheet's XML as it streams by. Raises
    DocumentError when the file is no .xlsx, is over a limit or has no ledger header at all.
    """
    from openpyxl import load_workbook

    name = filename or "上传的台账"
    check_xlsx(data, name, limits)  # zip and XML bombs refused before openpyxl reads a part
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, XML and value errors for bad files
        raise DocumentError(name, "不是有效的 Excel 文件（.xlsx）") from exc
    tables: list[SheetTable] = []
    try:
        for sheet in workbook.worksheets:
            try:
                grid = [
                    list(map(_text, row))
                    for row in sheet_rows(sheet.iter_rows(values_only=True), name, limits)
                ]
                merges = _merged_ranges(sheet)
            except DocumentError:
                raise
            except Exception as exc:  # a broken worksheet part
                raise DocumentError(name, f"工作表“{sheet.title}”无法读取，不是有效的 Excel 文件") from exc
            table = _sheet_table(sheet.title, grid, merges, filename=name)
            if table is not None:
                tables.append(table)
    finally:
        workbook.close()
    if not tables:
        raise DocumentError(
            name,
            f"各工作表前 {HEADER_SEARCH_ROWS} 行中都找不到台账表头（至少需要“问题”或“整改措施”列和另一列）",
        )
    return tables


_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3}\d{1,7}(?::[A-Z]{1,3}\d{1,7})?)\"")
_CHUNK = 256 * 1024


def _merged_ranges(sheet: Any) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range in a read-only sheet's XML."""
    from openpyxl.utils.cell import range_boundaries

    found: list[tuple[int, int, int, int]] = []
    tail = b""
    with sheet._get_source() as source:  # the worksheet part, streamed from the checked zip
        while chunk := source.read(_CHUNK):
            buffer = tail + chunk
            last = 0
            for match in _MERGE_RE.finditer(buffer):
                bounds = range_boundaries(match.group(1).decode("ascii"))
                found.append(tuple(int(b or 0) for b in bounds))  # type: ignore[arg-type]
                last = match.end()
            tail = buffer[max(last, len(buffer) - 64) :]  # a tag cut by the chunk edge is seen again
    return found


def _sheet_table(
    name: str, grid: list[list[str]], merges: list[tuple[int, int, int, int]], *, filename: str = ""
) -> SheetTable | None:
    width = max((len(row) for row in grid), default=0)
    for row in grid:
        row.extend([""] * (width - len(row)))
    merged: set[tuple[int, int]] = set()
    # Excel's merged ranges never overlap, so together they cover each cell of the grid at most
    # once; ranges that cover more overlap, and thousands of them over the whole grid would cost
    # minutes (20,000 in a 15 KB file: a minute of CPU).
    budget = len(grid) * width
    for min_col, min_row, max_col, max_row in merges:
        if not (0 < min_row <= len(grid) and 0 < min_col <= width):
            continue
        merged_rows = range(min_row - 1, min(max_row, len(grid)))
        merged_columns = range(min_col - 1, min(max_col, width))
        budget -= len(merged_rows) * len(merged_columns)
        if budget < 0:
            raise DocumentError(
                filename,
                f"工作表“{name}”中的合并单元格相互重叠，不是有效的 Excel 文件，请在 Excel 或 WPS 中打开另存后再导入",
            )
        value = grid[min_row - 1][min_col - 1]
        for r in merged_rows:
            for c in merged_columns:
                grid[r][c] = value
                merged.add((r, c))
    header_index, columns = _find_header([tuple(r) for r in grid[:HEADER_SEARCH_ROWS]])
    if header_index is None:
        return None
    problem_col, number_col = columns.get("problem"), columns.get("number")
    aspect_col = columns.get("aspect")
    if aspect_col is not None:
        # An aspect cell numbered like a heading (一、…方面) names the aspect without its number.
        for row in grid[header_index + 1 :]:
            row[aspect_col] = _ASPECT_NUMBER_RE.sub("", row[aspect_col])
    title = ""
    year: int | None = None
    for row in grid[:header_index]:
        cells = [c for c in row if c]
        if cells and not title:
            title = cells[0]  # a merged title row repeats its text in every column
        for cell in cells:
            if year is None and (match := _YEAR_RE.search(cell)):
                year = int(match.group(1))
    rows: list[tuple[str, ...]] = []
    numbers: list[int] = []
    loose: list[int] = []
    for offset, row in enumerate(grid[header_index:]):
        if offset and not any(row):
            continue  # blank rows are layout, not data
        index = header_index + offset
        if (
            offset
            and problem_col is not None
            and number_col is not None
            and not row[problem_col]
            and (index, problem_col) not in merged
            and row[number_col]
        ):
            loose.append(len(rows))
        rows.append(tuple(row))
        numbers.append(index + 1)
    # A header merged across two columns names both alike; the engine takes the first of a kind.
    return SheetTable(name, title, tuple(rows), tuple(numbers), year, tuple(loose))


def read_xlsx(data: bytes, filename: str = "") -> SourceText:
    """A hand-made ledger as the text engine's input: the first sheet's title as the first line,
    then one table per sheet (see `read_sheets`)."""

    return source_from_sheets(read_sheets(data, filename))


def source_from_sheets(sheets: Sequence[SheetTable]) -> SourceText:
    """The text engine's input for sheets read by `read_sheets` (at least one)."""
    from luoshi.text.read import TABLE_MARK, clean_text, table_cells

    lines = [clean_text(sheets[0].title, tables=False, page_lines=False).text] if sheets[0].title else []
    tables = [table for sheet in sheets for table in sheet.tables()]
    lines += [f"{TABLE_MARK}TABLE{index}{TABLE_MARK}" for index in range(len(tables))]
    return SourceText(
        text="\n".join(line for line in lines if line),
        tables=table_cells(tables),
        year_hint=next((sheet.year for sheet in sheets if sheet.year), None),
    )
