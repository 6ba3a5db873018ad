"""The standard ledger: written styled, read back without loss, hand-made ledgers accepted."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from luoshi.text import DocumentError, parse_file
from luoshi.text.ledger_xlsx import HEADERS, LedgerRow, RowError, read_ledger, rows_from_parsed, write_ledger

CORPUS = Path(__file__).resolve().parent / "corpus"

ROWS = [
    LedgerRow(
        "1",
        "作风建设",
        "会议过多。",
        "1.精简会议\n2.每月通报",
        "张三",
        "办公室",
        "2024年6月底前",
        "已完成50%",
        "会议记录.pdf",
    ),
    LedgerRow("2", "", "=SUM(A1) 不是公式", "", problem_code="XC-2024-02", status="整改中"),
    LedgerRow("3", "廉洁自律", "", "立行立改", deadline="长期坚持"),
]


def test_round_trip_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    write_ledger(ROWS, path, title="某县整改台账")
    rows, errors = read_ledger(path)
    assert (rows, errors) == (ROWS, [])


def test_round_trip_through_a_stream() -> None:
    buffer = io.BytesIO()
    write_ledger(ROWS[:1], buffer)
    buffer.seek(0)
    assert read_ledger(buffer) == (ROWS[:1], [])


def test_layout_header_styled_frozen_filtered(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    write_ledger(ROWS, path, title="某县整改台账")
    sheet = load_workbook(path).active
    assert sheet is not None
    assert sheet["A1"].value == "某县整改台账"
    header = [c.value for c in sheet[2]]
    assert header == [*HEADERS, "问题编号", "状态"]
    assert all(c.font.bold and c.fill.fill_type == "solid" for c in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:K5"
    assert sheet["D3"].alignment.wrap_text
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["A"].width
    assert sheet["A3"].value == 1  # numbers sort as numbers
    assert sheet["C4"].data_type == "s"  # "=" text never becomes a formula


def test_optional_columns_only_when_used(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    write_ledger([ROWS[0]], path)
    sheet = load_workbook(path).active
    assert sheet is not None
    assert [c.value for c in sheet[2]] == list(HEADERS)


def test_rows_from_a_plan_group_measures_under_their_problem() -> None:
    rows = rows_from_parsed(parse_file(CORPUS / "plan-labelled.txt"))
    assert len(rows) == 4
    first = rows[0]
    assert (first.number, first.aspect, first.owner, first.department, first.deadline) == (
        "1",
        "贯彻落实党的路线方针政策",
        "王建国",
        "县委宣传部",
        "2024年6月底前",
    )
    assert (
        first.measure.startswith("1.建立理论学习中心组学习巡听旁听制度")
        and "\n2.将学习情况纳入年度考核" in first.measure
    )


def test_rows_from_team_material_list_problems_then_measures() -> None:
    doc = parse_file(CORPUS / "team-township-2024.txt")
    rows = rows_from_parsed(doc)
    assert len(rows) == len(doc.problems) + len(doc.measures)
    assert rows[0].problem == doc.problems[0].text and rows[0].measure == ""
    assert (
        rows[-1].problem == ""
        and rows[-1].measure == doc.measures[-1].text
        and rows[-1].aspect == "持续改进作风"
    )


def test_hand_made_ledger_with_synonyms_dates_and_bad_rows(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["某局问题整改台账"])
    sheet.append(["编号", "问题类别", "存在问题", "整改举措", "责任人", "牵头单位", "整改时限", "备注"])
    sheet.append([1, "学习", "学习不深", "每月学习", "王五", "办公室", dt.datetime(2024, 6, 30), "无"])
    sheet.append([None, None, None, None, None, None, None, None])
    sheet.append([2, "作风", None, None, "赵六", None, None, None])
    path = tmp_path / "手工.xlsx"
    workbook.save(path)
    rows, errors = read_ledger(path)
    assert rows == [LedgerRow("1", "学习", "学习不深", "每月学习", "王五", "办公室", "2024-06-30")]
    assert errors == [RowError(5, "“问题”和“整改措施”都为空，无法导入")]
    assert str(errors[0]) == "第5行：“问题”和“整改措施”都为空，无法导入"


def test_not_a_ledger(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    workbook = Workbook()
    assert workbook.active is not None
    workbook.active.append(["姓名", "电话"])
    workbook.save(path)
    with pytest.raises(DocumentError, match="找不到台账表头"):
        read_ledger(path)
    text = tmp_path / "y.xlsx"
    text.write_text("不是表格", encoding="utf-8")
    with pytest.raises(DocumentError, match="不是有效的 Excel 文件"):
        read_ledger(text)
