"""The ledger .xlsx in the official layout: page setup, and a round trip through the ledger import."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from luoshi.ledger import imports
from luoshi.ledger.models import Measure, Problem
from luoshi.ledger.services import create_round
from luoshi.reports.ledger_xlsx import LEDGER_HEADERS, write_round_ledger
from luoshi.text.ledger_xlsx import read_ledger
from tests.reports.conftest import TODAY

pytestmark = pytest.mark.django_db


def workbook_of(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


def test_layout_title_header_freeze_filter_print_setup(filled_round: Any) -> None:
    sheet = workbook_of(write_round_ledger(filled_round, today=TODAY)).active
    assert sheet["A1"].value == "2025年度民主生活会整改台账"
    assert sheet["A1"].font.name == "方正小标宋简体"
    assert "A1:L1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value.startswith("单位：示范县　　截至：2026年12月1日")
    assert [c.value for c in sheet[3]] == list(LEDGER_HEADERS)
    assert all(c.font.name == "黑体" and c.fill.start_color.rgb.endswith("D9D9D9") for c in sheet[3])
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == f"A3:L{3 + 7}"  # 6 measures and the problem without one
    assert sheet.print_title_rows == "$3:$3"
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and str(setup.paperSize) == "9"  # A4
    assert setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert all(sheet.cell(row=4, column=c).alignment.wrap_text for c in range(1, 13))
    widths = [sheet.column_dimensions[chr(64 + c)].width for c in range(1, 13)]
    assert widths[3] > widths[2] > widths[5] > widths[0]  # 整改措施 > 问题 > 责任单位 > 序号
    assert 120 <= sum(widths) <= 200  # fits a landscape page at a readable scale


def test_rows_cover_every_counted_measure_once(filled_round: Any) -> None:
    sheet = workbook_of(write_round_ledger(filled_round, today=TODAY)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    measures = [row[3] for row in rows if row[3]]
    expected = [m.text for m in Measure.objects.filter(round=filled_round).order_by("number")]
    assert sorted(measures) == sorted(expected)
    by_measure = {row[3]: row for row in rows if row[3]}
    closed = by_measure["第1项整改措施的具体内容"]
    assert closed[1:3] == ["理论学习", "理论学习不够系统，以传达文件代替专题研讨。"]
    assert closed[4:7] == ["李建华", "县委办", "2026-06-30"]
    assert closed[9:11] == ["1", "已销号"]
    # the latest review with the reviewer's opinion (验收意见)
    assert closed[11].startswith("验收销号（") and closed[11].endswith("：佐证充分，同意销号")
    extended = by_measure["第4项整改措施的具体内容"]
    assert extended[6] == "2027-01-31（原定2026-10-31，已延期）"
    assert extended[7] == "2026-11-05 完成走访12次"
    assert [row[2] for row in rows if not row[3]] == ["档案管理不规范"]


def test_same_rows_as_the_ledger_export_and_read_back_without_loss(filled_round: Any) -> None:
    data = write_round_ledger(filled_round, today=TODAY)
    rows, errors = read_ledger(io.BytesIO(data))
    assert errors == []
    assert rows == imports.ledger_rows(filled_round)


def test_round_trip_through_the_ledger_import(filled_round: Any, organizer: Any, team: Any) -> None:
    data = write_round_ledger(filled_round, today=TODAY)
    copy = create_round(team=team, title="导入的副本", year=2025, actor=organizer)
    draft = imports.draft_from_ledger(copy, actor=organizer, filename="台账.xlsx", data=data)
    result = imports.confirm_draft(draft, actor=organizer)
    assert len(result.problems) == Problem.objects.filter(round=filled_round).count() == 4
    assert len(result.measures) == 6

    def shape(round_: Any) -> list[tuple[Any, ...]]:
        return [
            (
                m.text,
                m.problem.text or m.problem.summary if m.problem else None,
                m.problem.aspect_name if m.problem else m.group,
                m.owner.name if m.owner else m.owner_label,
                m.department,
                [(u.date, u.text) for u in m.updates.all()],
            )
            for m in Measure.objects.filter(round=round_).order_by("number")
        ]

    assert shape(copy) == shape(filled_round)
    originals = {m.text: m for m in Measure.objects.filter(round=filled_round)}
    for measure in Measure.objects.filter(round=copy):
        original = originals[measure.text]
        if original.extended:
            # the import takes the deadline in force as written (当前时限（原定…）)
            assert measure.baseline_deadline == original.current_deadline
        elif original.baseline_deadline:
            assert measure.baseline_deadline == original.baseline_deadline


def test_filtered_export_holds_only_the_filtered_measures(filled_round: Any) -> None:
    measures = Measure.objects.filter(round=filled_round, status="in_progress")
    data = write_round_ledger(filled_round, measures=measures, filter_note="状态：整改中", today=TODAY)
    sheet = workbook_of(data).active
    assert sheet["A2"].value.endswith("筛选：状态：整改中")
    rows, _errors = read_ledger(io.BytesIO(data))
    assert sorted(r.measure for r in rows) == ["第4项整改措施的具体内容", "第5项整改措施的具体内容"]


def test_formula_text_stays_text(filled_round: Any) -> None:
    Measure.objects.filter(round=filled_round, number=6).update(text='=HYPERLINK("http://x")')
    sheet = workbook_of(write_round_ledger(filled_round, today=TODAY)).active
    cell = next(c for row in sheet.iter_rows(min_row=4) for c in row if str(c.value).startswith("="))
    assert cell.data_type == "s"


def test_query_count_does_not_grow_with_measures(
    filled_round: Any, add_measures: Callable[[Any, int], None]
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            write_round_ledger(filled_round, today=TODAY)
        return len(queries)

    small = count()
    add_measures(filled_round, 30)
    assert count() == small
