"""A .docx read in one streaming pass: paragraphs, tables, styles and numbering without python-docx.

python-docx builds an lxml tree of every part with its own element classes (styles.xml alone
holds thousands of elements, and a second copy in stylesWithEffects.xml), and the limits scan
(`luoshi.text.limits`) had already streamed every part through expat before that. Here the scan
of word/document.xml *is* the reader: the same expat callbacks that count elements, depth,
paragraphs and cells (`limits._Scan`) collect, for each paragraph directly in the body, its text
(as python-docx's `Paragraph.text` gives it: the runs directly in the paragraph or in a
hyperlink; w:t, w:tab, w:ptab, w:br of a text-wrapping kind, w:cr, w:noBreakHyphen), its style
id and its numbering (w:numPr), and for each table in the body its rows (gridSpan counted once,
a continued vMerge repeating the cell above it, as `docx_numbering.table_rows` reads them).

A part of ordinary size and no DTD (every document Word writes) takes a faster road to the same
result: it is parsed whole by ElementTree's C parser (expat too), its counts are checked exactly
on the tree (`limits.parse_within_limits`), and the body is read from the tree by `_body_blocks`,
which follows the scan's rules to the letter; a Python call per XML element cost most of the
time of reading a .docx. Anything else (more markup than a tree may hold, a DTD, broken XML, a
count over its limit) is streamed through the scan as before, which raises the same errors.

Only the parts the reader needs are decompressed: numbering.xml is small and is scanned and
parsed whole; of styles.xml only the definitions of the styles the paragraphs use (and the
styles they are based on) are cut out and read. Parts nobody reads are checked by size only (the
zip directory, `limits.open_archive`): no parser ever sees them.
"""

from __future__ import annotations

import html
import itertools
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from luoshi.text.errors import DocumentError
from luoshi.text.limits import (
    DEFAULT_LIMITS,
    GRID_COLUMNS,
    STYLE_DEPTH,
    TREE_NODES,
    Limits,
    _Scan,
    iter_member,
    list_level,
    markup_bound,
    open_archive,
    parse_within_limits,
    small_int,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _R, _T, _HYPERLINK = W + "}p", W + "}r", W + "}t", W + "}hyperlink"
_TAB, _PTAB, _BR, _CR, _NO_BREAK_HYPHEN = W + "}tab", W + "}ptab", W + "}br", W + "}cr", W + "}noBreakHyphen"
_PPR, _PSTYLE, _NUMPR, _NUMID, _ILVL = W + "}pPr", W + "}pStyle", W + "}numPr", W + "}numId", W + "}ilvl"
_BODY, _TBL, _TR, _TC, _TCPR = W + "}body", W + "}tbl", W + "}tr", W + "}tc", W + "}tcPr"
_GRID_SPAN, _VMERGE = W + "}gridSpan", W + "}vMerge"
_VAL, _TYPE = W + "}val", W + "}type"
_RUN_TEXT = {_TAB: "\t", _PTAB: "\t", _CR: "\n", _NO_BREAK_HYPHEN: "-"}
# The same names as ElementTree spells them ("{namespace}name"), for the tree of a part.
_W_P, _W_R, _W_T, _W_HYPERLINK, _W_BR = (f"{{{W}}}{name}" for name in ("p", "r", "t", "hyperlink", "br"))
_W_PPR, _W_PSTYLE, _W_NUMPR, _W_NUMID, _W_ILVL = (
    f"{{{W}}}{name}" for name in ("pPr", "pStyle", "numPr", "numId", "ilvl")
)
_W_DOCUMENT, _W_BODY, _W_TBL, _W_TR, _W_TC, _W_TCPR = (
    f"{{{W}}}{name}" for name in ("document", "body", "tbl", "tr", "tc", "tcPr")
)
_W_GRID_SPAN, _W_VMERGE, _W_VAL, _W_TYPE = (
    f"{{{W}}}{name}" for name in ("gridSpan", "vMerge", "val", "type")
)
_W_RUN_TEXT = {
    f"{{{W}}}{name}": text
    for name, text in (("tab", "\t"), ("ptab", "\t"), ("cr", "\n"), ("noBreakHyphen", "-"))
}

DOCUMENT = "word/document.xml"


@dataclass(slots=True)
class BodyParagraph:
    """A paragraph directly in the document body."""

    text: str
    style: str | None  # w:pStyle
    numbered: bool  # has its own w:numPr
    num_id: str | None  # w:numPr/w:numId, None when not written
    ilvl: int | None  # w:numPr/w:ilvl, None when not written or not a number


@dataclass(slots=True)
class Style:
    """What the reader needs of a paragraph style."""

    name: str
    based_on: str | None = None
    num_id: str | None = None
    ilvl: int | None = None


@dataclass
class DocxContent:
    """The body of a .docx in order (paragraphs and tables' rows), its styles and numbering."""

    blocks: list[BodyParagraph | list[list[str]]] = field(default_factory=list)
    styles: dict[str, Style] = field(default_factory=dict)
    numbering: Any = None  # the root of numbering.xml (lxml, or ElementTree for a part with a DTD)


class _DocumentScan(_Scan):
    """The limits scan of word/document.xml, collecting the body as it goes."""

    def __init__(self, part: str, filename: str, limits: Limits, report: dict[str, Any], what: str) -> None:
        super().__init__(part, filename, limits, report, what)
        self.parser.CharacterDataHandler = self.data
        self.parser.EntityDeclHandler = self.entity
        self.parser.buffer_text = True
        self.filename = filename
        self.blocks: list[BodyParagraph | list[list[str]]] = []
        self.in_body = False
        # The paragraph being read (in the body or in a cell of a body table).
        self.para_depth = 0
        self.parts: list[str] = []
        self.style: str | None = None
        self.numbered = False
        self.num_id: str | None = None
        self.ilvl: int | None = None
        self.ppr_depth = 0
        self.numpr_depth = 0
        self.link_depth = 0
        self.run_depth = 0
        self.in_text = False
        # The table being read, its current row and cell.
        self.table_depth = 0
        self.rows: list[list[str]] = []
        self.above: dict[int, str] = {}
        self.column = 0
        self.span = 1
        self.continues = False
        self.tcpr_depth = 0
        self.cell_texts: list[str] = []

    def entity(self, _name: str, _parameter: bool, value: str | None, *_rest: Any) -> None:
        # An entity defined through other entities is how "billion laughs" multiplies; Word never
        # writes a DTD at all. (Entities are not expanded anyway: see `_Scan.doctype`.)
        if value and "&" in value:
            raise DocumentError(self.filename, "不是有效的 Word 文档（.docx 无法打开）")

    def start(self, name: str, attributes: Any) -> None:
        _Scan.start(self, name, attributes)
        depth = self.depth
        if self.para_depth:
            self._in_paragraph(name, attributes, depth)
        elif self.table_depth:
            relative = depth - self.table_depth
            if relative == 1 and name == _TR:
                self.rows.append([])
                self.column = 0
            elif relative == 2 and name == _TC:
                self.span, self.continues, self.cell_texts = 1, False, []
            elif relative == 3 and name == _TCPR:
                self.tcpr_depth = depth
            elif relative == 4 and self.tcpr_depth:
                if name == _GRID_SPAN:
                    self.span = small_int(attributes.get(_VAL)) or 1
                elif name == _VMERGE:
                    self.continues = attributes.get(_VAL) in (None, "continue")
            elif relative == 3 and name == _P:
                self._start_paragraph(depth)
        elif depth == 3 and self.in_body:
            if name == _P:
                self._start_paragraph(depth)
            elif name == _TBL:
                self.table_depth = depth
                self.rows, self.above = [], {}
        elif depth == 2 and name == _BODY:
            self.in_body = True

    def _start_paragraph(self, depth: int) -> None:
        self.para_depth = depth
        self.parts = []
        self.style, self.numbered, self.num_id, self.ilvl = None, False, None, None

    def _in_paragraph(self, name: str, attributes: Any, depth: int) -> None:
        if self.run_depth:
            if depth == self.run_depth + 1:
                if name == _T:
                    self.in_text = True
                elif name == _BR:
                    if attributes.get(_TYPE) in (None, "textWrapping"):
                        self.parts.append("\n")
                elif name in _RUN_TEXT:
                    self.parts.append(_RUN_TEXT[name])
            return
        parent = depth - 1
        if parent == self.para_depth:
            if name == _R:
                self.run_depth = depth
            elif name == _HYPERLINK:
                self.link_depth = depth
            elif name == _PPR:
                self.ppr_depth = depth
        elif parent == self.link_depth and name == _R:
            self.run_depth = depth
        elif parent == self.ppr_depth:
            if name == _PSTYLE:
                self.style = attributes.get(_VAL)
            elif name == _NUMPR:
                self.numpr_depth = depth
                self.numbered = True
        elif parent == self.numpr_depth and self.numpr_depth:
            value = attributes.get(_VAL)
            if name == _NUMID:
                self.num_id = value
            elif name == _ILVL:
                self.ilvl = list_level(value)

    def data(self, text: str) -> None:
        if self.in_text:
            self.parts.append(text)

    def end(self, name: str) -> None:
        depth = self.depth
        _Scan.end(self, name)
        if self.para_depth:
            if depth == self.run_depth + 1 and name == _T:
                self.in_text = False
            elif depth == self.run_depth:
                self.run_depth = 0
            elif depth == self.link_depth:
                self.link_depth = 0
            elif depth == self.numpr_depth:
                self.numpr_depth = 0
            elif depth == self.ppr_depth:
                self.ppr_depth = 0
            elif depth == self.para_depth:
                self._end_paragraph()
            return
        if self.table_depth:
            relative = depth - self.table_depth
            if relative == 3 and name == _TCPR:
                self.tcpr_depth = 0
            elif relative == 2 and name == _TC:
                self._end_cell()
            elif relative == 0:
                self.blocks.append(self.rows)
                self.table_depth = 0
        elif depth == 2 and name == _BODY:
            self.in_body = False

    def _end_paragraph(self) -> None:
        text = "".join(self.parts)
        self.para_depth = 0
        self.parts = []
        if self.table_depth:
            self.cell_texts.append(text)
        else:
            self.blocks.append(BodyParagraph(text, self.style, self.numbered, self.num_id, self.ilvl))

    def _end_cell(self) -> None:
        if self.continues:
            text = self.above.get(self.column, "")
        else:
            text = "\n".join(t for t in (t.strip() for t in self.cell_texts) if t)
        self.column = _place_cell(self.rows, self.above, self.column, self.span, text)


def _body_blocks(root: Any) -> list[BodyParagraph | list[list[str]]]:
    """The body of word/document.xml's tree, read exactly as `_DocumentScan` reads it while
    streaming (the tests compare the two on every .docx they have)."""
    blocks: list[BodyParagraph | list[list[str]]] = []
    column = 0  # the grid column: the scan carries it from one table to the next
    for body in root:
        if body.tag != _W_BODY:
            continue
        for block in body:
            tag = block.tag
            if tag == _W_P:
                blocks.append(_paragraph(block))
            elif tag == _W_TBL:
                rows: list[list[str]] = []
                above: dict[int, str] = {}
                for row in block:
                    if row.tag == _W_TR:
                        rows.append([])
                        column = 0
                    for cell in row:  # a cell counts wherever it is a grandchild of the table
                        if cell.tag == _W_TC:
                            text, span = _cell(cell, above, column)
                            column = _place_cell(rows, above, column, span, text)
                blocks.append(rows)
    return blocks


def _place_cell(rows: list[list[str]], above: dict[int, str], column: int, span: int, text: str) -> int:
    """Put a cell's TEXT in the grid at COLUMN: in the row once for every grid column it spans
    (so that the columns of every row line up with the header's, as in a spreadsheet's merged
    cell), and remembered for a vertical merge below. Returns the next cell's column."""
    span = max(1, min(span, GRID_COLUMNS - column))  # past the grid (malformed): one column each
    for offset in range(span):
        above[column + offset] = text
    if rows:
        rows[-1].extend([text] * span)
    return column + span


def _cell(cell: Any, above: dict[int, str], column: int) -> tuple[str, int]:
    """A table cell's text (that of the cell it continues, for a continued vertical merge) and
    the grid columns it spans."""
    span, continues = 1, False
    texts: list[str] = []
    for child in cell:
        tag = child.tag
        if tag == _W_P:
            if not continues and (text := _paragraph_text(child).strip()):
                texts.append(text)  # (a continued cell's own text is never read)
        elif tag == _W_TCPR:
            for item in child:
                if item.tag == _W_GRID_SPAN:
                    span = small_int(item.get(_W_VAL)) or 1
                elif item.tag == _W_VMERGE:
                    continues = item.get(_W_VAL) in (None, "continue")
    if continues:
        return above.get(column, ""), span
    return "\n".join(texts), span


def _paragraph(paragraph: Any) -> BodyParagraph:
    """A body paragraph: its properties and its text (as `_paragraph_text`) in one pass over it."""
    style: str | None = None
    numbered = False
    num_id: str | None = None
    ilvl: int | None = None
    parts: list[str] = []
    append = parts.append
    for child in paragraph:
        tag = child.tag
        if tag == _W_PPR:
            for item in child:
                tag = item.tag
                if tag == _W_PSTYLE:
                    style = item.get(_W_VAL)
                elif tag == _W_NUMPR:
                    numbered = True
                    for number in item:
                        tag = number.tag
                        if tag == _W_NUMID:
                            num_id = number.get(_W_VAL)
                        elif tag == _W_ILVL:
                            ilvl = list_level(number.get(_W_VAL))
        else:
            _inline_text(child, tag, append)
    return BodyParagraph("".join(parts), style, numbered, num_id, ilvl)


def _paragraph_text(paragraph: Any) -> str:
    """As python-docx's `Paragraph.text`: the runs directly in the paragraph or in a hyperlink."""
    parts: list[str] = []
    append = parts.append
    for child in paragraph:
        _inline_text(child, child.tag, append)
    return "".join(parts)


def _inline_text(child: Any, tag: str, append: Callable[[str], None]) -> None:
    """Append the text of a paragraph's child: a run, or the runs of a hyperlink; nothing else."""
    if tag == _W_R:
        _run_text(child, append)
    elif tag == _W_HYPERLINK:
        for run in child:
            if run.tag == _W_R:
                _run_text(run, append)


def _run_text(run: Any, append: Callable[[str], None]) -> None:
    """Append a run's text: its w:t, its line breaks, tabs and non-breaking hyphens."""
    for item in run:
        tag = item.tag
        if tag == _W_T:
            if len(item):
                append("".join(item.itertext()))
            elif text := item.text:
                append(text)
        elif tag == _W_BR:
            if item.get(_W_TYPE) in (None, "textWrapping"):
                append("\n")
        elif tag in _W_RUN_TEXT:
            append(_W_RUN_TEXT[tag])


def read_docx_content(data: bytes, filename: str = "", limits: Limits = DEFAULT_LIMITS) -> DocxContent:
    """The body, styles and numbering of a .docx, with the limits enforced on what is read.

    Raises LimitError over a limit and DocumentError for a broken package or XML."""
    report: dict[str, Any] = {"paragraphs": 0, "table_cells": 0, "notes": set()}
    budget = [limits.archive_bytes]
    what = "Word 文档"
    with open_archive(data, filename, limits) as archive:
        try:
            document = archive.getinfo(DOCUMENT)
        except KeyError as exc:
            raise DocumentError(filename, "不是有效的 Word 文档（缺少正文 word/document.xml）") from exc
        chunks = iter_member(archive, document, filename, limits, budget=budget, what=what)
        read: list[bytes] = []
        size = markup = counted = 0
        root = None
        for chunk in chunks:
            read.append(chunk)
            size += len(chunk)
            # Every "<" and "=" is a byte: the markup of a part no longer than TREE_NODES bytes is
            # within the bound without counting it.
            if size > TREE_NODES:
                markup += sum(markup_bound(piece) for piece in read[counted:])
                counted = len(read)
                if markup > TREE_NODES:
                    break  # too much markup for a tree: streamed through the scan from here on
        else:
            root = parse_within_limits(b"".join(read), DOCUMENT, filename, limits, report)
        if root is not None:
            is_document, blocks = root.tag == _W_DOCUMENT, _body_blocks(root)
        else:
            scan = _DocumentScan(DOCUMENT, filename, limits, report, what)
            scan.feed(itertools.chain(read, chunks))
            is_document, blocks = scan.root == W + "}document", scan.blocks
        del read
        if not is_document:
            raise DocumentError(filename, f"不是有效的 {what}（word/document.xml 不是 Word 正文）")
        content = DocxContent(blocks=blocks)
        targets = _related_parts(archive, filename, limits)
        used = {block.style for block in blocks if isinstance(block, BodyParagraph) and block.style}
        styles_part = targets.get("styles")
        if used and styles_part in archive.NameToInfo:
            styles_xml = _read(archive, styles_part, filename, limits, budget)
            content.styles = _styles(styles_xml, used)
        numbering_part = targets.get("numbering")
        if numbering_part in archive.NameToInfo and _any_numbering(blocks, content.styles):
            numbering_xml = _read(archive, numbering_part, filename, limits, budget)
            content.numbering = _numbering(numbering_xml, numbering_part, filename, limits, report, what)
    return content


def _numbering(
    xml: bytes, part: str, filename: str, limits: Limits, report: dict[str, Any], what: str
) -> Any:
    """The numbering part's tree, the limits enforced; None for a part with a DTD (not read)."""
    root = parse_within_limits(xml, part, filename, limits, report)
    if root is not None:
        return root
    _Scan(part, filename, limits, report, what).feed([xml])
    if b"<!DOCTYPE" in xml:  # Word writes no DTD; a part with one is not read
        return None
    try:
        return ET.fromstring(xml)
    except ET.ParseError as exc:
        raise DocumentError(filename, f"不是有效的 {what}（{part} 不是有效的 XML）") from exc


def _read(archive: zipfile.ZipFile, name: str, filename: str, limits: Limits, budget: list[int]) -> bytes:
    return b"".join(iter_member(archive, archive.getinfo(name), filename, limits, budget=budget))


_RELATIONSHIP_RE = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTRIBUTE_RE = re.compile(rb"""\b(Type|Target|TargetMode)\s*=\s*(["'])(.*?)\2""")


def _related_parts(archive: zipfile.ZipFile, filename: str, limits: Limits) -> dict[str, str]:
    """The styles and numbering parts the document's relationships name (word/styles.xml and
    word/numbering.xml unless the package says otherwise)."""
    found = {"styles": "word/styles.xml", "numbering": "word/numbering.xml"}
    name = "word/_rels/document.xml.rels"
    if name not in archive.NameToInfo:
        return found
    rels = b"".join(iter_member(archive, archive.getinfo(name), filename, limits))
    for relationship in _RELATIONSHIP_RE.finditer(rels):
        attributes = {
            key.decode(): value.decode("utf-8", "replace")
            for key, _q, value in _ATTRIBUTE_RE.findall(relationship.group(0))
        }
        kind = attributes.get("Type", "").rsplit("/", 1)[-1]
        if kind in found and attributes.get("TargetMode") != "External" and attributes.get("Target"):
            target = html.unescape(attributes["Target"])
            found[kind] = target.lstrip("/") if target.startswith("/") else _join_part("word", target)
    return found


def _join_part(base: str, target: str) -> str:
    parts = base.split("/")
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _any_numbering(blocks: list[BodyParagraph | list[list[str]]], styles: dict[str, Style]) -> bool:
    """Whether any paragraph is numbered, by its own w:numPr or through its style."""
    if any(style.num_id for style in styles.values()):
        return True
    return any(isinstance(block, BodyParagraph) and block.numbered for block in blocks)


def paragraph_numbering(paragraph: BodyParagraph, styles: dict[str, Style]) -> tuple[str, int] | None:
    """(numId, level) of a paragraph, from its own w:numPr or its style's (following basedOn);
    None when unnumbered (as `docx_numbering.paragraph_numbering` reads an lxml paragraph)."""
    if not paragraph.numbered and not paragraph.style:
        return None
    num_id, ilvl = (paragraph.num_id, paragraph.ilvl) if paragraph.numbered else (None, None)
    style_id = paragraph.style
    seen: set[str] = set()
    while (num_id is None or ilvl is None) and style_id and style_id not in seen and len(seen) < STYLE_DEPTH:
        seen.add(style_id)
        style = styles.get(style_id)
        if style is None:
            break
        num_id = num_id if num_id is not None else style.num_id
        ilvl = ilvl if ilvl is not None else style.ilvl
        style_id = style.based_on
    if num_id is None or num_id == "0":
        return None
    return num_id, ilvl or 0


# --------------------------------------------------------------------------- styles

_NAMESPACE_RE = re.compile(rb"""xmlns(?::(\w+))?\s*=\s*(["'])""" + re.escape(W.encode()) + rb"\2")
# A style's own definition is small; a larger one is not a style Word wrote.
_MAX_STYLE_BYTES = 64 * 1024


def _styles(xml: bytes, used: set[str]) -> dict[str, Style]:
    """The paragraph styles named in USED and those they are based on, cut out of styles.xml
    by their ids (a styles part holds hundreds of definitions; a document uses a few)."""
    head = xml[:4096]
    namespace = _NAMESPACE_RE.search(head)
    if namespace is None:
        return {}
    prefix = namespace.group(1) + b":" if namespace.group(1) else b""
    patterns = _StylePatterns(prefix)
    index = patterns.index(xml)
    styles: dict[str, Style] = {}
    wanted = [(style_id, 1) for style_id in used]  # with the depth of the chain it is reached at
    seen: set[str] = set()
    while wanted:
        style_id, depth = wanted.pop()
        if style_id in seen:
            continue
        seen.add(style_id)
        chunk = patterns.definition(xml, index, style_id)
        if chunk is None:
            continue
        style = patterns.parse(chunk)
        if style is None:
            continue
        styles[style_id] = style
        if style.based_on and depth < STYLE_DEPTH:
            wanted.append((style.based_on, depth + 1))
    return styles


class _StylePatterns:
    """Finding and reading one w:style element in the bytes of styles.xml, for one prefix."""

    def __init__(self, prefix: bytes) -> None:
        p = re.escape(prefix)
        self.prefix = prefix
        self.open = b"<" + prefix + b"style"
        self.close = b"</" + prefix + b"style>"
        self.start_tag = re.compile(re.escape(self.open) + rb"[ \t\r\n][^>]*>")
        self.exact_id = re.compile(p + rb"styleId=([\"'])(.*?)\1")
        self.type = re.compile(rb"\b" + p + rb"type\s*=\s*([\"'])(.*?)\1")
        value = rb"[^>]*?\b" + p + rb"val\s*=\s*([\"'])(.*?)\1"
        self.name = re.compile(rb"<" + p + rb"name\b" + value)
        self.based_on = re.compile(rb"<" + p + rb"basedOn\b" + value)
        self.num_pr = re.compile(rb"<" + p + rb"numPr\b[^>]*>(.*?)</" + p + rb"numPr>", re.DOTALL)
        self.num_id = re.compile(rb"<" + p + rb"numId\b" + value)
        self.ilvl = re.compile(rb"<" + p + rb"ilvl\b" + value)

    def index(self, xml: bytes) -> dict[bytes, int]:
        """Where the start tag of each style begins, by its id as written (escaped), in one pass
        over styles.xml. (Finding each id with its own search cost a pass over the part per
        style: a chain of 20,000 styles each based on the next took six seconds, 300,000 would
        take a quarter of an hour.)"""
        found: dict[bytes, int] = {}
        for tag in self.start_tag.finditer(xml):
            if (style_id := self.exact_id.search(tag.group(0))) is not None:
                found.setdefault(style_id.group(2), tag.start())
        return found

    def definition(self, xml: bytes, index: dict[bytes, int], style_id: str) -> bytes | None:
        """The bytes of the w:style element with this id (see `index`), None when it has none or
        runs on for more than _MAX_STYLE_BYTES."""
        start = index.get(html.escape(style_id, quote=True).encode("utf-8"))
        if start is None:
            return None
        tag_end = xml.find(b">", start)
        end = xml.find(self.close, tag_end, start + _MAX_STYLE_BYTES + len(self.close))
        return None if end < 0 else xml[start : end + len(self.close)]

    def parse(self, chunk: bytes) -> Style | None:
        start_tag = chunk[: chunk.find(b">") + 1]
        kind = self.type.search(start_tag)
        if kind is not None and kind.group(2) != b"paragraph":
            return None
        name = self.name.search(chunk)
        based_on = self.based_on.search(chunk)
        style = Style(name=_value(name) or "", based_on=_value(based_on) or None)
        if num_pr := self.num_pr.search(chunk):
            style.num_id = _value(self.num_id.search(num_pr.group(1)))
            ilvl = _value(self.ilvl.search(num_pr.group(1)))
            style.ilvl = list_level(ilvl)
        return style


def _value(match: re.Match[bytes] | None) -> str | None:
    if match is None:
        return None
    return html.unescape(match.group(2).decode("utf-8", "replace"))


__all__ = ["BodyParagraph", "DocxContent", "Style", "paragraph_numbering", "read_docx_content"]
