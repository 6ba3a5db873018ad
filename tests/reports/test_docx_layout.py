"""The GB/T 9704 page: paper, margins, grid, styles, fonts on every run, page numbers."""

from __future__ import annotations

import datetime

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from luoshi.reports.docx_layout import OfficialDocument, balanced_lines, chinese_date
from tests.reports.docx_check import open_docx, run_font, runs_without_east_asian_font


def sample() -> bytes:
    doc = OfficialDocument()
    doc.title("关于2025年度民主生活会整改落实情况的报告")
    doc.body("现将有关情况报告如下。")
    doc.heading1("一、总体情况")
    doc.heading2("（一）关于“理论学习”方面问题的整改情况")
    doc.heading3("1. 理论学习不够系统")
    doc.body("每月至少开展1次集中学习。", lead="整改措施：")
    doc.table(["序号", "问题"], [["1", "问题一"]], [20, 136])
    doc.signature("中共示范县委员会", datetime.date(2026, 12, 1))
    return doc.to_bytes()


def test_page_is_a4_with_the_standard_margins_and_grid() -> None:
    document = open_docx(sample())
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin)] == [37, 35]
    assert [round(m.mm) for m in (section.left_margin, section.right_margin)] == [28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    # 22 lines in the 225 mm text height; 28 characters of 16 pt condensed to the 156 mm width
    line_pt = int(grid.get(qn("w:linePitch"))) / 20
    assert round((297 - 37 - 35) / 25.4 * 72 / line_pt) == 22
    char_pt = 16 + int(grid.get(qn("w:charSpace"))) / 4096
    assert int((210 - 28 - 26) / 25.4 * 72 / char_pt) == 28


def test_styles_fonts_and_sizes() -> None:
    document = open_docx(sample())
    by_style = {p.style.name: p for p in document.paragraphs if p.text}
    expected = {
        "公文标题": ("方正小标宋简体", 22.0, WD_ALIGN_PARAGRAPH.CENTER),
        "公文一级标题": ("黑体", 16.0, None),
        "公文二级标题": ("楷体_GB2312", 16.0, None),
        "公文正文": ("仿宋_GB2312", 16.0, None),
    }
    for style_name, (font, size, alignment) in expected.items():
        paragraph = by_style[style_name]
        style = document.styles[style_name]
        fonts = style.element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == font, style_name
        assert style.font.size.pt == size, style_name
        for run in paragraph.runs:
            assert run_font(run)[:2] == (font, size), (style_name, run.text)
        if alignment is not None:
            assert paragraph.alignment == alignment or style.paragraph_format.alignment == alignment
    body = by_style["公文正文"]
    assert body.style.paragraph_format.first_line_indent.pt == 32  # two characters
    measure = next(p for p in document.paragraphs if p.text.startswith("整改措施："))
    assert [bool(r.bold) for r in measure.runs] == [True, False]
    assert runs_without_east_asian_font(document) == []


def test_headings_are_outline_levels_for_the_navigation_pane() -> None:
    document = open_docx(sample())
    levels = {}
    for name in ("公文一级标题", "公文二级标题", "公文三级标题"):
        outline = document.styles[name].element.pPr.find(qn("w:outlineLvl"))
        levels[name] = int(outline.get(qn("w:val")))
    assert levels == {"公文一级标题": 0, "公文二级标题": 1, "公文三级标题": 2}


def test_page_numbers_odd_right_even_left_with_dashes() -> None:
    document = open_docx(sample())
    settings = document.settings.element
    assert settings.find(qn("w:evenAndOddHeaders")) is not None
    section = document.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        assert paragraph.alignment == alignment
        assert paragraph.text == "— 1 —"  # "1" is the PAGE field's shown value
        instructions = [i.text for i in paragraph._p.iter(qn("w:instrText"))]
        assert [i.strip() for i in instructions] == ["PAGE"]
        assert {run_font(r)[:2] for r in paragraph.runs} == {("宋体", 14.0)}


def test_signature_is_the_organization_over_the_date() -> None:
    document = open_docx(sample())
    last = [p for p in document.paragraphs if p.text][-2:]
    assert [p.text for p in last] == ["中共示范县委员会", "2026年12月1日"]
    assert all(p.style.name == "公文落款" for p in last)
    date_indent = last[1]._p.pPr.find(qn("w:ind")).get(qn("w:rightChars"))
    assert date_indent == "400"  # four characters in from the right


def test_table_header_repeats_and_cells_are_paragraphs() -> None:
    document = open_docx(sample())
    table = document.tables[0]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[1].cells] == ["1", "问题一"]
    assert table.rows[1].cells[1].paragraphs[0].style.name == "公文表格"


def test_long_titles_break_into_even_lines_at_word_ends() -> None:
    assert balanced_lines("整改工作进展通报", 19) == ["整改工作进展通报"]
    assert balanced_lines("关于2025年度民主生活会整改落实情况的报告", 19) == [
        "关于2025年度民主生活会",
        "整改落实情况的报告",
    ]
    lines = balanced_lines("问" * 50, 19)
    assert len(lines) == 3 and all(len(line) <= 19 for line in lines)
    assert "".join(lines) == "问" * 50


def test_chinese_date() -> None:
    assert chinese_date(datetime.date(2026, 1, 5)) == "2026年1月5日"
