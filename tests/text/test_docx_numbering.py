"""Word's automatic numbering, rendered as Word shows it, then parsed as if typed."""

from __future__ import annotations

import io

import pytest
from docx.document import Document

from luoshi.text import parse_bytes
from luoshi.text.docx_numbering import format_number
from luoshi.text.read import read_docx

from .make_docx import _new_document, add_abstract_numbering, add_list, autonum_multilevel, numbered


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (12, "chineseCounting", "十二"),
        (20, "chineseCounting", "二十"),
        (3, "ideographTraditional", "丙"),
        (3, "decimalEnclosedCircle", "③"),
        (4, "decimal", "4"),
        (2, "lowerLetter", "b"),
        (4, "upperRoman", "IV"),
        (5, "bullet", ""),
        (28, "lowerLetter", "bb"),
        (3999, "lowerRoman", "mmmcmxcix"),
        # A list started at 999,999,999 (w:start) numbers in digits: no million m's, no 38 million b's.
        (999_999_999, "lowerRoman", "999999999"),
        (999_999_999, "upperLetter", "999999999"),
    ],
)
def test_number_formats(value: int, fmt: str, shown: str) -> None:
    assert format_number(value, fmt) == shown


def _lines(document: Document) -> list[str]:
    buffer = io.BytesIO()
    document.save(buffer)
    return read_docx(buffer.getvalue())[0].split("\n")


def test_multilevel_list_renders_every_level() -> None:
    lines = _lines(autonum_multilevel())
    assert lines[2:6] == [
        "一、整改任务",
        "（一）食品安全监管方面",
        "1.校园周边食品安全检查覆盖面不够。",
        "整改措施：",
    ]
    assert lines[6:8] == [
        "（1）开展校园周边食品安全专项整治，每学期检查全覆盖。",
        "（2）建立学校食堂负责人约谈制度。",
    ]
    # A deeper level restarts under a new parent; the parent level keeps counting.
    assert "2.农村集体聚餐备案率低。" in lines
    assert "（二）党风廉政建设方面" in lines
    assert "1.执法办案监督制约不足，处罚裁量不统一。" in lines
    assert "二、保障措施" in lines


def test_start_override_restarts_and_lists_sharing_a_definition_continue() -> None:
    document = _new_document()
    add_abstract_numbering(document, 80, [("decimal", "%1、")])
    add_list(document, 81, 80)
    add_list(document, 82, 80)  # same definition, no override: continues the count
    add_list(document, 83, 80, restart_level=0)  # restarts at 1
    numbered(document, "甲", 81)
    numbered(document, "乙", 81)
    numbered(document, "丙", 82)
    numbered(document, "丁", 83)
    numbered(document, "戊", 83)
    assert _lines(document) == ["1、甲", "2、乙", "3、丙", "1、丁", "2、戊"]


def test_numbered_heading_keeps_its_heading_level() -> None:
    document = _new_document()
    add_abstract_numbering(document, 70, [("chineseCounting", "%1、")])
    add_list(document, 70, 70)
    numbered(document, "存在的问题", 70, style="Heading 1")
    numbered(document, "整改措施", 70, style="Heading 1")
    assert _lines(document) == ["# 一、存在的问题", "# 二、整改措施"]


def test_numbering_from_the_paragraph_style() -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = _new_document()
    add_abstract_numbering(document, 60, [("decimal", "（%1）")])
    add_list(document, 60, 60)
    style = document.styles["List Number"]
    p_pr = style.element.get_or_add_pPr()
    for old in p_pr.findall(f"{{{p_pr.nsmap['w']}}}numPr"):
        p_pr.remove(old)
    p_pr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="60"/></w:numPr>'))
    document.add_paragraph("建立台账。", style="List Number")
    document.add_paragraph("每月通报。", style="List Number")
    assert _lines(document) == ["（1）建立台账。", "（2）每月通报。"]


def test_autonumbered_plan_parses_as_if_typed() -> None:
    buffer = io.BytesIO()
    autonum_multilevel().save(buffer)
    doc = parse_bytes(buffer.getvalue(), "plan.docx")
    assert [(p.aspect, p.summary) for p in doc.problems] == [
        ("食品安全监管", "校园周边食品安全检查覆盖面不够"),
        ("食品安全监管", "农村集体聚餐备案率低"),
        ("党风廉政建设", "执法办案监督制约不足，处罚裁量不统一"),
    ]
    assert [m.problem for m in doc.measures] == [0, 0, 1, 2, 2]
    assert [m.group for m in doc.measures] == ["食品安全监管"] * 3 + ["党风廉政建设"] * 2


def test_table_rows_follow_vmerge_and_gridspan_in_the_xml() -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from luoshi.text.docx_numbering import table_rows

    def tc(text: str, props: str = "") -> str:
        return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    span = '<w:gridSpan w:val="3"/>'
    restart = '<w:vMerge w:val="restart"/>'
    bare, cont = "<w:vMerge/>", '<w:vMerge w:val="continue"/>'
    rows = [
        tc("序号") + tc("问题") + tc("整改措施"),
        tc("一、作风方面", span),
        tc("1", restart) + tc("会多", restart) + tc("精简会议"),
        tc("", bare) + tc("", cont) + tc("压缩文件"),
    ]
    table = parse_xml(f"<w:tbl {nsdecls('w')}>" + "".join(f"<w:tr>{row}</w:tr>" for row in rows) + "</w:tbl>")
    texts = table_rows(table, lambda p: "".join(t.text or "" for t in p.iter(f"{{{p.nsmap['w']}}}t")))
    assert texts == [
        ["序号", "问题", "整改措施"],
        ["一、作风方面"] * 3,  # one cell over the three columns, as python-docx's row.cells shows it
        ["1", "会多", "精简会议"],
        ["1", "会多", "压缩文件"],
    ]


def test_a_level_text_is_read_to_32_characters() -> None:
    # One of 40,000 characters was copied before every paragraph of its list: 2 GB for 3,000.
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from luoshi.text.docx_numbering import LEVEL_TEXT, Level

    lvl = parse_xml(f'<w:lvl {nsdecls("w")} w:ilvl="0"><w:lvlText w:val="{"（%1）" * 1000}"/></w:lvl>')
    assert Level.from_element(lvl).text == ("（%1）" * 1000)[:LEVEL_TEXT] and LEVEL_TEXT == 32
