"""A rectification plan .docx whose ledger table has merged cells, and a hand-made .xlsx ledger
(title row, merged 问题 cell, two owners in one cell), each uploaded, previewed with the problems'
measures nested and owners matched, and confirmed; the ledger then holds the links, owners and
deadlines the files state."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import docx
from playwright.sync_api import Page, expect

from luoshi.ledger.models import Measure, Round
from tests.browser.test_import import login, shot
from tests.text.formats import workbook_bytes

HEADER = ["序号", "巡察反馈问题", "整改措施", "责任领导", "责任单位", "完成时限"]


def plan_docx() -> bytes:
    """A plan: an introduction, then a table whose 序号 and 问题 cells are merged over two measure
    rows, then a signature and a date."""
    document = docx.Document()
    document.add_paragraph("中共示范县委常委班子巡察反馈意见整改方案")
    document.add_paragraph("根据县委第二巡察组反馈意见，结合实际，制定本整改方案。")
    table = document.add_table(rows=4, cols=len(HEADER))
    rows = [
        HEADER,
        [
            "1",
            "落实意识形态工作责任制不到位。",
            "每半年专题研究意识形态工作至少1次。",
            "张明远",
            "县委宣传部",
            "2026年6月底前",
        ],
        ["", "", "开展意识形态领域风险排查。", "王志刚、陈思源", "县委宣传部", "2026年9月底前"],
        [
            "2",
            "基层减负成效不明显。",
            "严控发文数量，全年发文比上年减少10%。",
            "李建华",
            "县委办",
            "长期坚持",
        ],
    ]
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    for col in (0, 1):
        merged = table.cell(1, col).merge(table.cell(2, col))
        merged.text = rows[1][col]
    document.add_paragraph("中共示范县委常委班子")
    document.add_paragraph("2026年3月1日")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def ledger_xlsx() -> bytes:
    rows = [
        ["示范县委常委班子2026年审计整改台账"],
        ["序号", "问题", "整改措施", "责任人", "责任部门", "整改时限", "整改进展"],
        [
            1,
            "专项资金结余未及时清理。",
            "全面清理结余资金。",
            "刘宏伟、李建华",
            "县财政局",
            "2026年8月31日",
            None,
        ],
        [None, None, "建立结余资金定期清理制度。", "刘宏伟", "县财政局", "2026年10月底前", None],
        [2, "政府采购程序不规范。", "修订采购内控制度。", "周外聘", "县财政局", "12月底前", None],
    ]
    return workbook_bytes([("审计整改", rows, ["A1:G1", "A3:A4", "B3:B4"])])


def upload_and_confirm(page: Page, live_server: Any, round_: Round, path: Path, name: str) -> None:
    page.goto(f"{live_server.url}/rounds/{round_.pk}/import/")
    page.get_by_label("选择文档（可多选）").set_input_files(str(path))
    page.get_by_role("button", name="解析并预览").click()
    expect(page.get_by_role("heading", name=f"预览：{name}")).to_be_visible()


def test_plan_docx_and_hand_made_xlsx_fill_the_ledger(
    page: Page, live_server: Any, demo: str, tmp_path: Path
) -> None:
    (tmp_path / "整改方案.docx").write_bytes(plan_docx())
    (tmp_path / "审计整改台账.xlsx").write_bytes(ledger_xlsx())
    login(page, live_server, demo)
    page.get_by_role("link", name="新建检视轮次").click()
    page.get_by_label("轮次名称").fill("2026年巡察整改")
    page.get_by_role("spinbutton", name="年度").fill("2026")
    page.get_by_role("button", name="创建轮次").click()
    round_ = Round.objects.get(title="2026年巡察整改")

    # The plan: two problems, the first with the two measures of its merged cell nested under it.
    upload_and_confirm(page, live_server, round_, tmp_path / "整改方案.docx", "整改方案.docx")
    first = page.locator("#problem-0")
    expect(first).to_contain_text("落实意识形态工作责任制不到位")
    expect(first.locator(".draft-measures .measure")).to_have_count(2)
    expect(first.locator(".draft-measures .measure").nth(1).locator(".owner")).to_have_text(
        ["王志刚", "陈思源"]
    )
    expect(page.locator(".draft-head")).to_contain_text("解析出 2 个问题")
    expect(page.locator("main")).not_to_contain_text("根据县委第二巡察组反馈意见")
    shot(page, "plan-preview")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    shot(page, "plan-preview-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("已导入“整改方案.docx”：问题 2 个")).to_be_visible()

    # The hand-made ledger goes through its own upload page and the same preview.
    page.goto(f"{live_server.url}/rounds/{round_.pk}/import/")
    page.get_by_role("link", name="导入台账表格").click()
    page.get_by_label("台账文件（.xlsx）").set_input_files(str(tmp_path / "审计整改台账.xlsx"))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_role("heading", name="预览：审计整改台账.xlsx")).to_be_visible()
    expect(page.locator(".draft-head")).to_contain_text("示范县委常委班子2026年审计整改台账")
    expect(page.locator("#problem-0 .draft-measures .measure")).to_have_count(2)
    expect(page.locator("#problem-1")).to_contain_text("不是本班子成员")
    shot(page, "xlsx-preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("已导入“审计整改台账.xlsx”：问题 2 个")).to_be_visible()

    measures = list(
        Measure.objects.filter(round=round_).select_related("problem", "owner").order_by("number")
    )
    assert [(m.problem.number if m.problem else None) for m in measures] == [1, 1, 2, 3, 3, 4]
    assert [m.owner.name if m.owner else m.owner_label for m in measures] == [
        "张明远",
        "王志刚",
        "李建华",
        "刘宏伟",
        "刘宏伟",
        "周外聘",
    ]
    assert [c.name for c in measures[1].co_owners.all()] == ["陈思源"]
    assert [c.name for c in measures[3].co_owners.all()] == ["李建华"]
    assert measures[5].owner is None
    assert [m.baseline_deadline for m in measures] == [
        datetime.date(2026, 6, 30),
        datetime.date(2026, 9, 30),
        None,
        datetime.date(2026, 8, 31),
        datetime.date(2026, 10, 31),
        datetime.date(2026, 12, 31),
    ]
    assert measures[2].long_term and measures[2].deadline_text == "长期坚持"
    assert measures[0].department == "县委宣传部" and measures[3].department == "县财政局"


def test_self_examination_measures_take_the_suggested_problems(
    page: Page, live_server: Any, demo: str
) -> None:
    from tests.ledger.test_views_import import SELF_EXAM

    login(page, live_server, demo)
    round_ = Round.objects.order_by("id").first()
    assert round_ is not None
    before = Measure.objects.filter(round=round_).count()
    page.goto(f"{live_server.url}/rounds/{round_.pk}/import/")
    page.get_by_label("或粘贴文本").fill(SELF_EXAM)
    page.get_by_role("button", name="解析并预览").click()
    expect(page.locator(".suggestions")).to_have_count(2)
    expect(page.locator(".suggestions").first).to_contain_text("理论学习不够深入系统")
    shot(page, "suggestions-preview")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    shot(page, "suggestions-preview-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="全部采纳建议").click()
    expect(page.locator(".suggestions")).to_have_count(0)
    expect(page.locator("#problem-0 .draft-measures .measure")).to_have_count(1)
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("已导入“粘贴的文本”")).to_be_visible()
    new = Measure.objects.filter(round=round_).order_by("number")[before:]
    assert [m.problem.aspect.name if m.problem and m.problem.aspect else None for m in new] == [
        "理论学习",
        "工作作风",
    ]
