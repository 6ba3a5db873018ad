"""The streaming .docx reader reads what python-docx reads: paragraph text, styles, numbering, tables."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

from luoshi.text import parse_bytes
from luoshi.text.docx_numbering import table_rows
from luoshi.text.docx_stream import (
    DOCUMENT,
    BodyParagraph,
    _body_blocks,
    _DocumentScan,
    paragraph_numbering,
    read_docx_content,
)
from luoshi.text.errors import DocumentError
from luoshi.text.limits import (
    DEFAULT_LIMITS,
    STYLE_DEPTH,
    LimitError,
    Limits,
    _Scan,
    list_level,
    parse_within_limits,
    small_int,
)
from luoshi.text.read import read_docx

from .make_docx import add_abstract_numbering, add_list

W = nsdecls("w")


def _runs(paragraph: Paragraph, xml: str) -> None:
    for element in parse_xml(f"<w:x {W}>{xml}</w:x>"):
        paragraph._p.append(element)


def _document() -> Document:
    document = Document()
    # Inline content of every kind python-docx turns into text, and some it leaves out.
    paragraph = document.add_paragraph("甲")
    _runs(
        paragraph,
        '<w:r><w:tab/><w:t xml:space="preserve"> 乙 </w:t><w:br/><w:t>丙</w:t><w:br w:type="page"/></w:r>'
        "<w:r><w:cr/><w:noBreakHyphen/><w:ptab/><w:rPr><w:b/></w:rPr></w:r>"
        '<w:hyperlink w:anchor="x"><w:r><w:t>链接</w:t></w:r></w:hyperlink>'
        "<w:ins><w:r><w:t>修订</w:t></w:r></w:ins>"
        "<w:r><w:drawing><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:drawing></w:r>",
    )
    document.add_paragraph("学习不深入", style="Heading 2")
    document.add_paragraph("某局整改方案", style="Title")
    # A list style based on another one that carries the numbering.
    add_abstract_numbering(document, 7, [("chineseCounting", "%1、"), ("decimal", "%2.")])
    add_list(document, 7, 7)
    styles = document.styles.element
    styles.append(
        parse_xml(
            f'<w:style {W} w:type="paragraph" w:styleId="PlanBase"><w:name w:val="Plan &amp; Base"/>'
            '<w:pPr><w:numPr><w:numId w:val="7"/></w:numPr></w:pPr></w:style>'
        )
    )
    styles.append(
        parse_xml(
            f'<w:style {W} w:type="paragraph" w:styleId="PlanItem"><w:name w:val="Plan Item"/>'
            '<w:basedOn w:val="PlanBase"/><w:pPr><w:numPr><w:ilvl w:val="1"/></w:numPr></w:pPr></w:style>'
        )
    )
    document.add_paragraph("整改任务", style="Plan & Base")
    document.add_paragraph("建立台账", style="Plan Item")
    # A table with a merged header, a vertical merge and a table nested in a cell.
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "一、作风方面"
    table.cell(1, 0).text = "会多"
    table.cell(1, 1).text = "精简会议"
    table.cell(1, 0).merge(table.cell(2, 0))
    table.cell(2, 1).text = "压缩文件"
    table.cell(2, 1).add_table(rows=1, cols=1).cell(0, 0).text = "嵌套"
    return document


def _bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_paragraph_text_is_what_python_docx_reads() -> None:
    document = _document()
    content = read_docx_content(_bytes(document))
    paragraphs = [block for block in content.blocks if isinstance(block, BodyParagraph)]
    expected = [Paragraph(p, document).text for p in document.element.body.iterchildren(qn("w:p"))]
    assert [p.text for p in paragraphs] == expected
    assert expected[0] == "甲\t 乙 \n丙\n-\t链接"


def test_styles_numbering_and_tables_come_out_as_before() -> None:
    document = _document()
    lines, tables = read_docx(_bytes(document))
    assert lines.split("\n")[-5:] == [
        "## 学习不深入",
        "某局整改方案",
        "一、整改任务",
        "1.建立台账",
        "\ue000TABLE0\ue000",
    ]
    assert tables == [[["一、作风方面"] * 2, ["会多", "精简会议"], ["会多", "压缩文件"]]]
    (table,) = document.element.body.iterchildren(qn("w:tbl"))
    assert tables == [table_rows(table, lambda p: Paragraph(p, document).text)]


def test_numbering_follows_the_style_chain() -> None:
    content = read_docx_content(_bytes(_document()))
    assert content.styles["PlanBase"].name == "Plan & Base"
    item = next(b for b in content.blocks if isinstance(b, BodyParagraph) and b.style == "PlanItem")
    assert paragraph_numbering(item, content.styles) == ("7", 1)


def test_an_entity_defined_through_entities_is_refused() -> None:
    document = Document()
    document.add_paragraph("正文")
    data = _bytes(document)
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "word/document.xml":
                part = part.replace(
                    b"<w:document",
                    b'<!DOCTYPE w:document [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]><w:document',
                    1,
                )
            target.writestr(info, part)
    with pytest.raises(DocumentError, match="不是有效的 Word 文档"):
        read_docx_content(buffer.getvalue(), "笑.docx")


# --------------------------------------------------------------------------- tree and stream

_HERE = Path(__file__).parent
_DOCX_FILES = sorted(_HERE.rglob("*.docx"))


def _report() -> dict[str, Any]:
    return {"paragraphs": 0, "table_cells": 0, "notes": set()}


def _streamed(xml: bytes, limits: Limits = DEFAULT_LIMITS) -> list[BodyParagraph | list[list[str]]]:
    scan = _DocumentScan(DOCUMENT, "", limits, _report(), "Word 文档")
    scan.feed([xml])
    return scan.blocks


def _document_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(DOCUMENT)


@pytest.mark.parametrize("path", _DOCX_FILES, ids=lambda path: path.name)
def test_the_tree_reads_what_the_stream_reads(path: Path) -> None:
    """A document within the limits is read from its tree; the streaming scan (which reads the
    rest) must give the same blocks."""
    xml = _document_xml(path.read_bytes())
    root = parse_within_limits(xml, DOCUMENT, path.name, DEFAULT_LIMITS, _report())
    assert root is not None
    assert _body_blocks(root) == _streamed(xml)


def test_the_tree_reads_odd_markup_as_the_stream_does() -> None:
    """Runs outside hyperlinks, text boxes, revisions, nested tables, merges, markup inside w:t,
    cells and paragraphs where Word puts none, and a table cell before any row."""
    xml = _document_xml(_bytes(_document()))
    odd = (
        f"<w:tbl {W}><w:tblGrid/><w:customXml><w:tc><w:p><w:r><w:t>孤</w:t></w:r></w:p></w:tc></w:customXml>"
        "<w:tr><w:tc><w:tcPr><w:gridSpan w:val='2'/><w:gridSpan w:val='x'/></w:tcPr>"
        "<w:p><w:r><w:t>甲<w:b/>乙<!-- 注 -->丙<![CDATA[<丁>]]></w:t><w:br w:type='page'/></w:r></w:p>"
        "<w:sdt><w:p><w:r><w:t>不读</w:t></w:r></w:p></w:sdt></w:tc>"
        "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p><w:r><w:t>续</w:t></w:r></w:p></w:tc></w:tr>"
        "<w:tr><w:tc/><w:tc/><w:tc><w:tcPr><w:vMerge w:val='continue'/></w:tcPr></w:tc></w:tr></w:tbl>"
        f"<w:p {W}><w:pPr><w:pStyle/><w:numPr><w:numId w:val='3'/><w:ilvl w:val='a'/></w:numPr></w:pPr>"
        "<w:hyperlink><w:hyperlink><w:r><w:t>嵌</w:t></w:r></w:hyperlink><w:r><w:t>链</w:t></w:r></w:hyperlink>"
        "<w:r><w:rPr><w:t>格式</w:t></w:rPr><w:t xml:space='preserve'> 尾 </w:t></w:r></w:p>"
    ).encode()
    xml = xml.replace(b"<w:sectPr", odd + b"<w:sectPr", 1)
    root = parse_within_limits(xml, DOCUMENT, "", DEFAULT_LIMITS, _report())
    assert root is not None
    assert _body_blocks(root) == _streamed(xml)
    assert _body_blocks(root)[-1] == BodyParagraph("链 尾 ", None, True, "3", None)


def test_a_part_over_a_limit_is_left_to_the_streaming_scan() -> None:
    """The tree is only a shortcut: over any limit (or with a DTD) the scan reads the part and
    raises its error, so the error is the same whichever way a part is read."""
    xml = _document_xml(_bytes(_document()))
    paragraphs = xml.count(b"<w:p>") + xml.count(b"<w:p ")
    for limits in (
        Limits(paragraphs=paragraphs - 1),
        Limits(table_cells=1),
        Limits(xml_elements=50),
        Limits(xml_depth=5),
    ):
        assert parse_within_limits(xml, DOCUMENT, "", limits, _report()) is None
        with pytest.raises(LimitError):
            _streamed(xml, limits)
    assert parse_within_limits(xml, DOCUMENT, "", Limits(xml_depth=30), _report()) is not None
    doctype = xml.replace(b"<w:document", b"<!DOCTYPE w:document []><w:document", 1)
    assert parse_within_limits(doctype, DOCUMENT, "", DEFAULT_LIMITS, _report()) is None
    assert parse_within_limits(xml[:-10], DOCUMENT, "", DEFAULT_LIMITS, _report()) is None
    # Encodings libxml2 reads and expat does not are left to expat.
    gbk = xml.replace(b"encoding='UTF-8'", b"encoding='GBK'", 1)
    assert gbk != xml and parse_within_limits(gbk, DOCUMENT, "", DEFAULT_LIMITS, _report()) is None
    # So is a prefix bound to nothing, which expat refuses.
    unbound = xml.replace(b"<w:body>", b"<w:body><x:p/>", 1)
    assert parse_within_limits(unbound, DOCUMENT, "", DEFAULT_LIMITS, _report()) is None


def _with_document_xml(change: Callable[[bytes], bytes]) -> bytes:
    data = _bytes(_document())
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            part = source.read(info.filename)
            target.writestr(info, change(part) if info.filename == DOCUMENT else part)
    return buffer.getvalue()


def test_a_document_declared_in_a_multibyte_encoding_is_refused_in_chinese() -> None:
    """expat reads no multi-byte encoding but UTF-8/16: a Chinese message, not a bare ValueError."""
    data = _with_document_xml(lambda xml: xml.replace(b"encoding='UTF-8'", b"encoding='GBK'", 1))
    with pytest.raises(DocumentError, match="不是有效的 Word 文档"):
        read_docx_content(data, "国标.docx")


def _read_both_ways(odd: bytes) -> tuple[bytes, list[list[BodyParagraph | list[list[str]]]]]:
    """A test document with ODD markup before its section properties, and its body as the tree
    and as the streaming scan read it."""
    data = _with_document_xml(lambda xml: xml.replace(b"<w:sectPr", odd + b"<w:sectPr", 1))
    xml = _document_xml(data)
    root = parse_within_limits(xml, DOCUMENT, "", DEFAULT_LIMITS, _report())
    assert root is not None
    return data, [_body_blocks(root), _streamed(xml)]


def test_digits_that_are_not_decimal_are_no_numbers() -> None:
    """ "²".isdigit() is true but int("²") fails: a span or level written so is read as none."""
    odd = (
        f"<w:tbl {W}><w:tr><w:tc><w:tcPr><w:gridSpan w:val='²'/></w:tcPr><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        f"<w:p {W}><w:pPr><w:numPr><w:numId w:val='1'/><w:ilvl w:val='²'/></w:numPr></w:pPr>"
        "<w:r><w:t>丙</w:t></w:r></w:p>"
    ).encode()
    data, both = _read_both_ways(odd)
    for blocks in both:
        assert [["甲", "乙"]] in blocks and BodyParagraph("丙", None, True, "1", None) in blocks
    assert "丙" in read_docx_content(data, "上标.docx").blocks[-1].text  # type: ignore[union-attr]


def test_numbers_too_long_for_a_grid_or_a_list_are_read_within_it() -> None:
    """A span of a billion columns or a level of 5,000 digits: int() refuses more than 4,300 digits
    with a bare ValueError, and a billion-column span cost a loop per column. A cell spans at most
    Word's 63 grid columns, and its text stands in every column it spans, as in python-docx."""
    huge, long = "999999999", "9" * 5000
    odd = (
        f"<w:tbl {W}><w:tr><w:tc><w:tcPr><w:gridSpan w:val='2'/></w:tcPr><w:p><w:r><w:t>责任分工</w:t></w:r></w:p></w:tc>"
        f"<w:tc><w:tcPr><w:gridSpan w:val='{huge}'/></w:tcPr><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc>"
        f"<w:tc><w:tcPr><w:gridSpan w:val='{long}'/></w:tcPr><w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        f"<w:p {W}><w:pPr><w:numPr><w:numId w:val='1'/><w:ilvl w:val='{long}'/></w:numPr></w:pPr>"
        "<w:r><w:t>丙</w:t></w:r></w:p>"
    ).encode()
    data, both = _read_both_ways(odd)
    row = ["责任分工", "责任分工"] + ["甲"] * 61 + ["乙"]  # 甲 fills the grid; 乙 lies past it
    for blocks in both:
        assert [row] in blocks and BodyParagraph("丙", None, True, "1", None) in blocks
    assert parse_bytes(data, "长数字.docx").title  # read through to the end, no ValueError


@pytest.mark.parametrize(
    ("value", "number", "level"),
    [
        ("0", 0, 0),
        ("8", 8, 8),
        ("12", 12, 8),
        ("999999999", 999999999, 8),
        ("9" * 10, None, None),
        ("x", None, None),
        ("-1", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_attribute_numbers_and_list_levels(value: str | None, number: int | None, level: int | None) -> None:
    # A list has nine levels: a deeper one is the ninth, so that paragraphs each a level deeper
    # than the last cannot make every paragraph look through thousands of levels.
    assert (small_int(value), list_level(value)) == (number, level)
    assert small_int("-3", signed=True) == -3


def _chained_styles(depth: int) -> bytes:
    """A .docx whose one paragraph has style S0, based on S1 … based on S{depth - 1}, which alone
    is numbered (numId 7)."""
    from tests.security import bombs

    def style(i: int) -> str:
        numbered = "<w:pPr><w:numPr><w:ilvl w:val='0'/><w:numId w:val='7'/></w:numPr></w:pPr>"
        based = f'<w:basedOn w:val="S{i + 1}"/>' if i < depth - 1 else numbered
        return f'<w:style w:type="paragraph" w:styleId="S{i}"><w:name w:val="s{i}"/>{based}</w:style>'

    styles = f'<?xml version="1.0" encoding="UTF-8"?><w:styles {W}>' + "".join(map(style, range(depth)))
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
        'Target="styles.xml"/></Relationships>'
    )
    body = [b'<w:p><w:pPr><w:pStyle w:val="S0"/></w:pPr><w:r><w:t>x</w:t></w:r></w:p>']
    extra = {
        "word/styles.xml": [(styles + "</w:styles>").encode()],
        "word/_rels/document.xml.rels": [rels.encode()],
    }
    return bombs.docx(body, extra=extra)


@pytest.mark.parametrize(("depth", "numbered"), [(STYLE_DEPTH, True), (STYLE_DEPTH + 1, False)])
def test_a_style_chain_is_followed_32_styles_deep(depth: int, numbered: bool) -> None:
    # Word's chains are a few styles deep; every paragraph walks its chain, and 19,000 paragraphs
    # on a chain of 20,000 styles took 41 seconds.
    content = read_docx_content(_chained_styles(depth))
    (paragraph,) = [b for b in content.blocks if isinstance(b, BodyParagraph)]
    assert (paragraph_numbering(paragraph, content.styles) is not None) is numbered
    assert len(content.styles) == min(depth, STYLE_DEPTH)


def _paragraphs_xml(count: int) -> bytes:
    body = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * count
    return b"<w:document " + W.encode() + b"><w:body>" + body + b"</w:body></w:document>"


def test_parts_within_the_limits_by_their_bound_are_counted_exactly_near_a_limit() -> None:
    """A part whose count of "<" keeps it within the limits is not counted; its bound stands in
    until a later part comes near a limit, which then sees the exact totals."""
    limits = Limits(paragraphs=10, table_cells=10)
    report = _report()
    assert parse_within_limits(_paragraphs_xml(2), DOCUMENT, "", limits, report) is not None  # 8 start tags
    # 8 + 17 start tags are over 10, but 2 + 5 paragraphs are not.
    assert parse_within_limits(_paragraphs_xml(5), DOCUMENT, "", limits, report) is not None
    assert (report["paragraphs"], report["table_cells"]) == (7, 0)
    assert parse_within_limits(_paragraphs_xml(4), DOCUMENT, "", limits, report) is None
    # The streaming scan settles the bounds too before it refuses.
    report = _report()
    assert parse_within_limits(_paragraphs_xml(2), DOCUMENT, "", limits, report) is not None
    _Scan(DOCUMENT, "", limits, report, "Word 文档").feed([_paragraphs_xml(8)])
    assert report["paragraphs"] == 10
    with pytest.raises(LimitError):
        _Scan(DOCUMENT, "", limits, report, "Word 文档").feed([_paragraphs_xml(1)])
