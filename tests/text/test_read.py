"""Reading bytes: encodings, non-documents, .docx, and the clean-up of real-world text."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from luoshi.text import DocumentError
from luoshi.text.read import (
    TABLE_MARK,
    clean_cell,
    clean_text,
    decode_bytes,
    normalise,
    read_bytes,
    table_cells,
)

TEXT = "一、存在的问题\n（一）理论学习方面。一是学习不深。具体表现为学得不够系统。\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("gbk"),
        TEXT.encode("gb18030"),
        TEXT.encode("utf-16"),  # with BOM, little-endian on this machine
        b"\xfe\xff" + TEXT.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "utf-16", "utf-16-be"],
)
def test_decodes_every_supported_encoding(data: bytes) -> None:
    assert decode_bytes(data, "a.txt").lstrip("\ufeff") == TEXT


def test_short_gbk_text_is_not_misdetected() -> None:
    # charset-normalizer guesses badly on a few bytes; the GB18030 fallback must win.
    assert decode_bytes("整改".encode("gbk"), "a.txt") == "整改"


def test_gb18030_only_characters() -> None:
    text = "𠀀县整改方案"  # a character outside GBK
    assert decode_bytes(text.encode("gb18030"), "a.txt") == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "文件为空"),
        (b"   \n\t ", "文件为空"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG"),
        (b"\xff\xd8\xff\xe0" + bytes(100), "JPEG"),
        (b"%PDF-1.7\n" + bytes(50), "PDF"),
        (b"\xd0\xcf\x11\xe0" + bytes(50), ".doc"),
        (bytes(range(256)) * 4, "二进制"),
        (b"abc\x00\x01\x02\x03" * 50, "二进制"),
    ],
)
def test_non_documents_raise_a_chinese_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DocumentError) as caught:
        read_bytes(data, "上传.bin")
    assert reason in str(caught.value)
    assert str(caught.value).startswith("上传.bin：")
    assert "\n" not in str(caught.value)


def test_zip_that_is_not_docx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(DocumentError, match=r"不是 \.docx"):
        read_bytes(buffer.getvalue(), "a.zip")


def test_docx_extension_with_text_content() -> None:
    with pytest.raises(DocumentError, match="不是 Word 文档"):
        read_bytes("一、存在的问题".encode(), "假的.docx")


def test_broken_docx_package() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<not-xml")
    with pytest.raises(DocumentError, match="Word"):
        read_bytes(buffer.getvalue(), "坏.docx")


def test_docx_paragraphs_headings_and_tables() -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("某县整改方案", style="Title")
    document.add_paragraph("存在的问题", style="Heading 1")
    document.add_paragraph("一是学习不深。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "问题"
    table.cell(0, 1).text = "整改措施"
    table.cell(1, 0).text = "学习不深"
    table.cell(1, 1).text = "每月学习"
    buffer = io.BytesIO()
    document.save(buffer)
    source = read_bytes(buffer.getvalue(), "a.docx")
    assert source.text.split("\n") == [
        "某县整改方案",
        "# 存在的问题",
        "一是学习不深。",
        f"{TABLE_MARK}TABLE0{TABLE_MARK}",
    ]
    assert source.tables == ((("问题", "整改措施"), ("学习不深", "每月学习")),)


def test_paywall_markers_even_inside_a_word() -> None:
    assert normalise("补齐民生短##paidbegin##板方面。\n##paidend##") == "补齐民生短板方面。"


@pytest.mark.parametrize(
    "note",
    ["（未完，全文共785字，当前显示244字）", "……省略330字……", "......省略 12 字......", "(全文共3125字)"],
)
def test_truncation_notes_are_removed(note: str) -> None:
    assert normalise(f"一是学习不深。{note}二是作风不实。") == "一是学习不深。二是作风不实。"


def test_preview_ended_line_is_removed() -> None:
    assert normalise("正文。\n预览阅读已结束，如需查看全文请下载") == "正文。"


def test_page_furniture_is_removed_and_sentence_rejoined() -> None:
    wrapped = [
        "一是学习的系统性不强。班子集体学习全年开展多次，但多以传达",
        "会议精神为主，对党的创新理论的系统学习和深入研讨不够，存在学",
        "",
        "— 3 —",
        "",
        "第 2 页 共 6 页",
        "用脱节现象。二是学习成果转化不够，运用理论指导解决难题的能力",
        "还需提升，学用结合不够紧密，研究问题不深，落实措施不够有力。",
    ]
    assert normalise("\n".join(wrapped)) == (
        "一是学习的系统性不强。班子集体学习全年开展多次，但多以传达会议精神为主，对党的创新理论的系统学习和深入研讨不够，"
        "存在学用脱节现象。二是学习成果转化不够，运用理论指导解决难题的能力还需提升，学用结合不够紧密，研究问题不深，落实措施不够有力。"
    )


def test_unwrapped_text_keeps_its_lines() -> None:
    text = "某县委常委班子对照检查材料\n根据安排，现将情况报告如下。\n一、存在的问题\n（一）理论学习方面\n一是学习不深。"
    assert normalise(text) == text


def test_spaces_around_digits_and_cjk_are_removed() -> None:
    assert (
        normalise("开展 30 余人次，2024 年 6 月 底前完成 Word 文档 check list")
        == "开展30余人次，2024年6月底前完成Word文档check list"
    )


def test_traditional_to_simplified_with_pinyin_glosses() -> None:
    assert normalise("開會(huì)學習，會（hui4）議紀要") == "开会学习，会议纪要"


def test_gloss_like_parentheses_that_are_not_pinyin_stay() -> None:
    assert normalise("附件(a)与表(一)") == "附件(a)与表(一)"


def test_metadata_and_site_lines_are_removed_and_year_kept() -> None:
    raw = (
        "首页 > 文库 > 党建 > 正文\n索引号：123-456  发布机构：某县\n成文日期：2024年3月1日\n"
        "浏览次数：100\n某县整改方案\n上一篇：某某\n版权所有 © 某网站\n京ICP备12345号"
    )
    cleaned = clean_text(raw)
    assert cleaned.text == "某县整改方案"
    assert cleaned.year_hint == 2024


def test_redactions_are_kept_and_markdown_is_unwrapped() -> None:
    raw = "## 一、存在的问题\n**（一）理论学习方面**\n**一是学习不深。** 如张**同志反映的问题。"
    assert normalise(raw).split("\n") == [
        "## 一、存在的问题",
        "（一）理论学习方面",
        "一是学习不深。如张**同志反映的问题。",
    ]


def test_zero_width_and_full_width_characters() -> None:
    assert normalise("整\u200b改\u3000措施：每月１次，达到９０％") == "整改措施：每月1次，达到90%"


def test_docx_automatic_numbering_gets_written_markers() -> None:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph("整改措施", style="Heading 1")

    def numbered(text: str, level: int) -> None:
        paragraph = document.add_paragraph(text)
        num_pr = OxmlElement("w:numPr")
        ilvl, num_id = OxmlElement("w:ilvl"), OxmlElement("w:numId")
        ilvl.set(qn("w:val"), str(level))
        num_id.set(qn("w:val"), "7")
        num_pr.append(ilvl)
        num_pr.append(num_id)
        paragraph._p.get_or_add_pPr().append(num_pr)

    numbered("加强学习。", 0)
    numbered("每月学习一次。", 1)
    numbered("每季度调研一次。", 1)
    numbered("改进作风。", 0)
    numbered("精简会议。", 1)
    buffer = io.BytesIO()
    document.save(buffer)
    lines = read_bytes(buffer.getvalue(), "a.docx").text.split("\n")
    assert lines == [
        "# 整改措施",
        "1.加强学习。",
        "（1）每月学习一次。",
        "（2）每季度调研一次。",
        "2.改进作风。",
        "（1）精简会议。",
    ]


def test_excel_file_without_a_ledger_gets_its_own_reason() -> None:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    with pytest.raises(DocumentError, match="找不到台账表头"):
        read_bytes(buffer.getvalue(), "台账.xlsx")


def test_saved_web_page() -> None:
    page = (
        "<!DOCTYPE html><html><head><title>x</title><script>var a='一、存在的问题';</script></head><body>"
        "<div class='nav'>首页 &gt; 文库 &gt; 正文</div><h1>某局整改方案</h1><p>一、存在的问题</p>"
        "<p>1.学习&ldquo;不深&rdquo;。<br>2.作风不实。</p><table><tr><td>序号</td><td>问题</td><td>整改措施</td></tr>"
        "<tr><td>1</td><td>会议多</td><td>精简会议</td></tr></table></body></html>"
    )
    source = read_bytes(page.encode("utf-8"), "page.html")
    assert source.text.split("\n") == [
        "某局整改方案",
        "一、存在的问题",
        "1.学习“不深”。",
        "2.作风不实。",
        f"{TABLE_MARK}TABLE0{TABLE_MARK}",
    ]
    assert source.tables[0][1][:3] == ("1", "会议多", "精简会议")


def test_complaint_words_in_content_are_not_site_debris() -> None:
    text = "2．投诉举报处置不及时，12315平台部分投诉超过规定时限办结。\n整改措施：扫码亮证，公开举报电话。\n我要举报\n"
    lines = clean_text(text).text.split("\n")
    assert lines == [
        "2．投诉举报处置不及时，12315平台部分投诉超过规定时限办结。",
        "整改措施：扫码亮证，公开举报电话。",
    ]


def test_a_broken_date_label_or_sentence_end_is_rejoined() -> None:
    # A PDF's text layer: short paragraphs (no common wrap width), each field line broken once.
    raw = (
        "关于巡察反馈意见的整改方案\n一、安全管理方面存在的问题\n1．档案库房安全隐患排查不及时。\n整改措施：\n"
        "（1）制定档案开放鉴定工作计划，年内完成馆藏档案开放鉴定百分之五十\n以上。\n"
        + "".join(f"（{n}）库房温湿度每天记录不少于两次。\n" for n in range(2, 8))
        + "责任领导：副馆长芦建军；责任单位：保管利用科；完成时限：2026年8\n月底前\n"
        "责任领导：馆长卓文华、副馆长芦建军；责任单位：保管利用科；完成时\n限：2026年11月30日前"
    )
    lines = clean_text(raw).text.split("\n")
    assert lines[4] == "（1）制定档案开放鉴定工作计划，年内完成馆藏档案开放鉴定百分之五十以上。"
    assert lines[11:] == [
        "责任领导：副馆长芦建军；责任单位：保管利用科；完成时限：2026年8月底前",
        "责任领导：馆长卓文华、副馆长芦建军；责任单位：保管利用科；完成时限：2026年11月30日前",
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("2026年8", "月底前"),
        ("2026年", "12月31日前"),
        ("2026", "年底前"),
        ("2026年8月", "底前"),
        ("2026年", "底前"),
        ("2026年8月底", "前"),
        ("立行立改、长期", "坚持"),
    ],
)
def test_a_deadline_broken_inside_its_date_is_rejoined(first: str, second: str) -> None:
    raw = (
        f"整改措施：\n（1）每月学习一次。\n责任领导：张三；完成时限：{first}\n{second}\n（2）每季度通报一次。"
    )
    assert clean_text(raw).text.split("\n")[2] == f"责任领导：张三；完成时限：{first}{second}"


def test_a_field_line_is_not_joined_to_the_closing_paragraph() -> None:
    raw = (
        "（1）结合档案工作特点，每月开展一次主题党日活动，支部书记每年讲党课不少于1次。\n"
        "责任领导：支部书记卓文华；责任单位：办公室；完成时限：长期坚持\n认真抓好落实。"
    )
    assert clean_text(raw).text.split("\n")[1:] == [
        "责任领导：支部书记卓文华；责任单位：办公室；完成时限：长期坚持",
        "认真抓好落实。",
    ]


def test_a_field_value_broken_before_the_next_field_is_rejoined() -> None:
    raw = "（1）每月学习一次。\n责任领导：馆长卓文华、副馆长芦\n建军；责任单位：保管利用科；完成时限：长期坚持\n中共某支部"
    assert clean_text(raw).text.split("\n")[1:] == [
        "责任领导：馆长卓文华、副馆长芦建军；责任单位：保管利用科；完成时限：长期坚持",
        "中共某支部",
    ]


# A table cell is cleaned like document text; plain cells take a shortcut to the same text.
_CELL_PIECES = st.sampled_from(
    [
        "县住建局",
        "張志剛",
        "長期堅持",
        "1",
        "１２",
        "整改",
        "（",
        "(",
        "）",
        " ",
        "　",
        "\t",
        "\n",
        "\r",
        "#",
        "*",
        "•",
        "-",
        "未完",
        "省略",
        "\u200b",
        "\x07",
        "\u2002",
        "\u2000",
        "ａ",
        "a",
        "％",
        "進一步",
        "臺賬",
        "后",
        "2024年",
        # Wrapped lines a cell joins again, numbered ones it keeps apart, a line too long to be plain.
        "。",
        "；",
        "，",
        "2.会议",
        "建立问题整改台账实行销号管理逐项明确责任和时限",
        "將財政支出的大部分用於保障和改善民生" * 6,
    ]
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(_CELL_PIECES, max_size=8).map("".join))
def test_a_cell_is_cleaned_as_text_is(cell: str) -> None:
    expected = clean_text(cell, tables=False, page_lines=False).text if cell.strip() else ""
    assert clean_cell(cell) == expected


# Cells of a ledger are converted to simplified characters together; each must come out as alone.
_CELLS = st.lists(
    st.one_of(
        st.sampled_from(
            ["整改措施", "責任領導", "發現問題", "\n", "\ue001", "1.", "（一）", "後", "乾淨", "頭髮", " "]
        ),
        st.text(max_size=6),
    ),
    max_size=5,
).map("".join)


@given(st.lists(_CELLS, max_size=8))
@settings(max_examples=300)
def test_cells_cleaned_together_are_cleaned_as_each_alone(cells: list[str]) -> None:
    assert table_cells([[cells]]) == ((tuple(clean_cell(cell) for cell in cells),),)


def test_a_cell_holding_the_separator_of_cells_converted_together_is_kept() -> None:
    cells = ["責任領導", "甲\n\ue001\n乙", "發現問題"]
    assert table_cells([[cells]]) == ((("责任领导", "甲\n\ue001\n乙", "发现问题"),),)
