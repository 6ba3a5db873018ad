"""Random documents and spreadsheets for fuzzing the readers, from a `random.Random`.

The same generators drive the hypothesis tests (`st.randoms()`, a few hundred cases per run) and
the benchmark `bench/fuzz/run.py` (10^5 cases from fixed seeds). A case is text, a .docx or an
.xlsx: built from the pieces real documents are made of (numbering, CJK words, punctuation, tables,
Word and Excel XML), then damaged (control characters, odd encodings, cut, duplicated or foreign
spans, broken XML, entities), and zipped again with correct checksums so the damage reaches the
XML readers instead of stopping at the zip's CRC check.
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Callable
from functools import cache

from luoshi.text import DocumentError, parse_bytes
from luoshi.text.limits import CONTROL_RE

WORDS = (
    "理论学习",
    "不够深入",
    "调查研究",
    "整改落实",
    "形式主义",
    "官僚主义",
    "每月至少走访1次",
    "2026年6月底前",
    "长期坚持",
    "责任领导：张三",
    "责任单位：办公室",
    "完成时限：2025年12月",
    "存在的问题",
    "原因分析",
    "整改措施",
    "会议",
    "群众",
    "干部",
    "文山会海",
    "一是",
    "二是",
    "我们将",
    "會議",  # traditional
    "huì",
)
MARKERS = (
    "一、",
    "二、",
    "（一）",
    "（二）",
    "1.",
    "2、",
    "（1）",
    "①",
    "第一，",
    "# ",
    "## ",
    "**",
    "- ",
    "● ",
)
PUNCTUATION = ("，", "。", "；", "：", "、", "！", "？", "…", "“", "”", "（", "）", " ", "\u3000", "\t")
ODD = (
    "\x00",
    "\x01",
    "\x07",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\ufeff",
    "\u200b",
    "\ue000",
    "\ud7ff",
    "\U0001f600",
)
BREAKS = ("\n", "\r\n", "\r", "\n\n", "\u2028")


def _piece(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(WORDS)
    if roll < 0.75:
        return rng.choice(PUNCTUATION)
    if roll < 0.85:
        return rng.choice(MARKERS)
    if roll < 0.92:
        return rng.choice(ODD)
    if roll < 0.97:
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(1, 6)))
    return "|" + "|".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 4))) + "|"


def text(rng: random.Random, lines: int = 40) -> str:
    """A document-like text: numbered lines of words, punctuation and odd characters."""
    out = []
    for _ in range(rng.randrange(1, lines)):
        line = "".join(_piece(rng) for _ in range(rng.randrange(0, 25)))
        out.append(line + rng.choice(BREAKS))
    return "".join(out)


def _encode(rng: random.Random, value: str) -> bytes:
    encoding = rng.choice(("utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16", "big5", "latin-1"))
    return value.encode(encoding, "ignore")


def _damage(rng: random.Random, data: bytes) -> bytes:
    """Cut, duplicate, flip or insert a few spans of DATA."""
    buffer = bytearray(data)
    for _ in range(rng.randrange(0, 4)):
        if not buffer:
            break
        at = rng.randrange(len(buffer))
        kind = rng.randrange(4)
        if kind == 0:
            del buffer[at : at + rng.randrange(1, 64)]
        elif kind == 1:
            buffer[at:at] = buffer[at : at + rng.randrange(1, 256)]
        elif kind == 2:
            buffer[at] = rng.randrange(256)
        else:
            buffer[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
    return bytes(buffer)


def text_case(rng: random.Random) -> bytes:
    data = _encode(rng, text(rng))
    return _damage(rng, data) if rng.random() < 0.3 else data


# --------------------------------------------------------------------------- .docx

_XML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _xml_text(value: str) -> str:
    # XML 1.0 cannot carry most C0 characters: drop them as Word would never write them.
    value = "".join(c for c in value if c in "\t\n\r" or ord(c) >= 0x20)
    value = "".join(c for c in value if not 0xD800 <= ord(c) <= 0xDFFF and c not in "\ufffe\uffff")
    return "".join(_XML_ESCAPES.get(c, c) for c in value)


def _run(rng: random.Random) -> str:
    words = "".join(_piece(rng) for _ in range(rng.randrange(0, 12)))
    bold = "<w:rPr><w:b/></w:rPr>" if rng.random() < 0.2 else ""
    return f'<w:r>{bold}<w:t xml:space="preserve">{_xml_text(words)}</w:t></w:r>'


def _paragraph(rng: random.Random) -> str:
    props = ""
    roll = rng.random()
    if roll < 0.15:
        props = (
            f'<w:pPr><w:pStyle w:val="{rng.choice(("Heading1", "Heading2", "Title", "Unknown"))}"/></w:pPr>'
        )
    elif roll < 0.3:
        level, num = rng.randrange(3), rng.randrange(1, 4)
        props = f'<w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>'
    return "<w:p>" + props + "".join(_run(rng) for _ in range(rng.randrange(0, 4))) + "</w:p>"


def _table(rng: random.Random) -> str:
    rows = []
    for _ in range(rng.randrange(1, 5)):
        cells = []
        for _ in range(rng.randrange(1, 5)):
            merge = '<w:tcPr><w:gridSpan w:val="2"/></w:tcPr>' if rng.random() < 0.1 else ""
            cells.append(f"<w:tc>{merge}{_paragraph(rng)}</w:tc>")
        rows.append("<w:tr>" + "".join(cells) + "</w:tr>")
    return "<w:tbl>" + "".join(rows) + "</w:tbl>"


@cache
def _docx_skeleton() -> dict[str, bytes]:
    """The parts of a real python-docx document (styles, numbering …), document.xml replaced later."""
    import docx

    document = docx.Document()
    document.add_paragraph("标题", style="Title")
    document.add_paragraph("列表", style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def document_xml(rng: random.Random) -> str:
    body = "".join(
        _table(rng) if rng.random() < 0.15 else _paragraph(rng) for _ in range(rng.randrange(0, 30))
    )
    prolog = ""
    if rng.random() < 0.05:
        prolog = '<!DOCTYPE w:document [<!ENTITY e SYSTEM "file:///etc/passwd"><!ENTITY i "内部">]>'
        body += "<w:p><w:r><w:t>&e;&i;</w:t></w:r></w:p>"
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{_W}"><w:body>{body}<w:sectPr/></w:body></w:document>'
    )


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_case(rng: random.Random) -> bytes:
    parts = dict(_docx_skeleton())
    xml = document_xml(rng).encode()
    if rng.random() < 0.25:
        xml = _damage(rng, xml)  # broken XML inside a valid zip
    parts["word/document.xml"] = xml
    if rng.random() < 0.05:
        parts["word/styles.xml"] = _damage(rng, parts["word/styles.xml"])
    if rng.random() < 0.03:
        del parts["word/document.xml"]
    data = _zip(parts)
    return _damage(rng, data) if rng.random() < 0.05 else data


# --------------------------------------------------------------------------- .xlsx

HEADERS = (
    "序号",
    "方面",
    "问题",
    "整改措施",
    "责任领导",
    "责任单位",
    "完成时限",
    "整改进展",
    "佐证材料",
    "问题编号",
    "状态",
)


def _cell_value(rng: random.Random) -> object:
    roll = rng.random()
    if roll < 0.6:
        return "".join(_piece(rng) for _ in range(rng.randrange(0, 10)))
    if roll < 0.7:
        return rng.randrange(-(10**6), 10**6)
    if roll < 0.75:
        return rng.random() * 1e6
    if roll < 0.8:
        return "_x0000_NUL_x0007_"  # Excel's escape for characters XML cannot carry
    if roll < 0.85:
        return "=SUM(A1:A3)"
    return None


@cache
def _xlsx_skeleton() -> dict[str, bytes]:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["问题", "整改措施"])
    sheet.append(["会议过多", "精简会议"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet_xml(rng: random.Random) -> str:
    rows = []
    if rng.random() < 0.2:
        rows.append("<row/>")  # a title row
    header = rng.sample(HEADERS, rng.randrange(1, len(HEADERS)))
    rows.append("<row>" + "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in header) + "</row>")
    for number in range(rng.randrange(0, 25)):
        cells = []
        for _ in range(rng.randrange(0, len(header) + 2)):
            value = _cell_value(rng)
            if isinstance(value, str):
                cells.append(f'<c t="inlineStr"><is><t>{_xml_text(value)}</t></is></c>')
            elif value is not None:
                cells.append(f"<c><v>{value}</v></c>")
            else:
                cells.append("<c/>")
        attribute = f' r="{number + 3 + rng.randrange(3)}"' if rng.random() < 0.1 else ""
        rows.append(f"<row{attribute}>" + "".join(cells) + "</row>")
    dimension = '<dimension ref="A1:XFD1048576"/>' if rng.random() < 0.05 else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_S}">{dimension}'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


def xlsx_case(rng: random.Random) -> bytes:
    parts = dict(_xlsx_skeleton())
    xml = sheet_xml(rng).encode()
    if rng.random() < 0.2:
        xml = _damage(rng, xml)
    parts["xl/worksheets/sheet1.xml"] = xml
    if rng.random() < 0.05:
        parts["xl/workbook.xml"] = _damage(rng, parts["xl/workbook.xml"])
    data = _zip(parts)
    return _damage(rng, data) if rng.random() < 0.05 else data


# --------------------------------------------------------------------------- running a case


def check_document(data: bytes, name: str) -> str:
    """Parse DATA as `luoshi parse` does. Returns "ok" or "refused" (a DocumentError); any other
    exception is a crash and propagates. The result must serialise to JSON and hold no control
    characters or lone surrogates."""
    try:
        parsed = parse_bytes(data, name)
    except DocumentError as error:
        assert str(error).startswith(name) and "\n" not in str(error), str(error)
        return "refused"
    payload = json.dumps(parsed.to_dict(), ensure_ascii=False)
    payload.encode("utf-8")  # a lone surrogate would raise here
    _assert_clean(parsed.to_dict())
    return "ok"


def check_ledger(data: bytes, name: str = "台账.xlsx") -> str:
    """Read DATA as a ledger; "ok" or "refused"; anything else is a crash."""
    from luoshi.text.ledger_xlsx import read_ledger

    buffer = io.BytesIO(data)
    buffer.name = name
    try:
        rows, _errors = read_ledger(buffer)
    except DocumentError as error:
        assert str(error).startswith(name) and "\n" not in str(error), str(error)
        return "refused"
    for row in rows:
        for value in (row.problem, row.measure, row.owner, row.aspect):
            assert not CONTROL_RE.search(value), value
    return "ok"


def _assert_clean(value: object) -> None:
    if isinstance(value, str):
        assert not CONTROL_RE.search(value), repr(value)
    elif isinstance(value, dict):
        for item in value.values():
            _assert_clean(item)
    elif isinstance(value, list):
        for item in value:
            _assert_clean(item)


KINDS: dict[str, tuple[Callable[[random.Random], bytes], Callable[[bytes], str]]] = {
    "text": (text_case, lambda data: check_document(data, "随机.txt")),
    "docx": (docx_case, lambda data: check_document(data, "随机.docx")),
    "xlsx": (xlsx_case, check_ledger),
}
