"""Limits on hostile input: zip and XML bombs, oversized documents and spreadsheets, giant lines.

A .docx or .xlsx is a zip of XML parts. A few hundred kilobytes can expand to gigabytes, or to
millions of paragraphs, rows or cells that python-docx and openpyxl would load into memory one by
one. Everything that reads such a file goes through this module first:

- `open_archive` checks the zip directory before anything is decompressed (number of members,
  the expanded size of each part and of all of them) and `read_member` enforces the same sizes
  while streaming, so a directory that lies about the sizes does not help;
- `check_docx` streams every XML part through expat (no tree is built, no entity is expanded)
  and counts elements, nesting depth, paragraphs and table cells, stopping at the first limit;
  the .docx reader (`luoshi.text.docx_stream`) runs the same scan over the parts it reads and
  collects the text in the same pass, or, for a part of ordinary size, parses it whole in C and
  checks the same counts on the tree (`parse_within_limits`);
- `check_xlsx` does the same for a workbook's parts, and `sheet_rows` counts rows and cells while
  openpyxl streams a worksheet;
- `check_items` refuses a parsed document with more items than an import can sensibly preview.

Every refusal is a `LimitError` (a `DocumentError`): one Chinese line naming the file and the
limit. The limits are a frozen dataclass with documented defaults; the web passes the ones its
settings change. Pure Python: no Django.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from os import PathLike
from typing import IO, Any
from xml.parsers import expat

from luoshi.text.errors import DocumentError

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """What luoshi reads of one file. The defaults are far above any real self-examination
    document or ledger and far below what would hold a server process for long."""

    # Members of a .docx / .xlsx zip (a real one has a few dozen; each costs memory to list).
    archive_members: int = 5_000
    # Expanded size of all members together (pictures included).
    archive_bytes: int = 200 * MiB
    # Expanded size of one XML part (python-docx and openpyxl read a part whole).
    part_bytes: int = 32 * MiB
    # Elements of one XML part, and how deep they may nest.
    xml_elements: int = 500_000
    xml_depth: int = 200
    # Paragraphs (w:p, table cells' paragraphs included) and table cells (w:tc) of a .docx.
    paragraphs: int = 20_000
    table_cells: int = 20_000
    # Lines of a text document (before hard-wrapped lines are joined).
    text_lines: int = 200_000
    # Problems, causes and measures of one imported document together: more cannot be previewed.
    items: int = 2_000
    # Rows, and cells, read from a worksheet.
    sheet_rows: int = 5_000
    sheet_cells: int = 500_000
    # One line of `luoshi match` input (JSON Lines), in bytes.
    line_bytes: int = 64 * 1024


DEFAULT_LIMITS = Limits()


class LimitError(DocumentError):
    """A file over one of the limits; `limit` names the field of `Limits` it exceeded."""

    def __init__(self, filename: str, reason: str, limit: str) -> None:
        super().__init__(filename, reason)
        self.limit = limit


@dataclass(frozen=True, slots=True)
class ArchiveReport:
    """What the scan of a .docx / .xlsx found: its counts and notes for the user."""

    expanded_bytes: int = 0
    elements: int = 0
    paragraphs: int = 0
    table_cells: int = 0
    notes: tuple[str, ...] = field(default=())


ENTITY_NOTE = "文档中含有 DTD 实体声明（如外部实体）：出于安全考虑没有展开，实体处的文字已略去，请核对原文"

# --------------------------------------------------------------------------- zip


def _size(limit: int) -> str:
    return f"{limit // MiB} MB" if limit >= MiB else f"{limit // 1024} KB"


def _declared_members(stream: IO[bytes]) -> int | None:
    """The member count the zip's end record declares, read before zipfile lists them all.

    None when there is no end record (zipfile will then refuse the file itself)."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    tail_size = min(size, 22 + 65535)
    stream.seek(size - tail_size)
    tail = stream.read(tail_size)
    stream.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    (entries,) = struct.unpack("<H", tail[at + 10 : at + 12])
    if entries == 0xFFFF and tail.rfind(b"PK\x06\x07") >= 0:
        return 0xFFFFFFFF  # a ZIP64 directory: far more members than a document has
    return int(entries)


def open_archive(
    source: bytes | IO[bytes], filename: str = "", limits: Limits = DEFAULT_LIMITS, *, what: str = "Word 文档"
) -> zipfile.ZipFile:
    """Open a .docx / .xlsx zip after checking its directory: member count, each member's and
    the total expanded size. Raises LimitError over a limit, DocumentError for no zip at all."""
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    declared = _declared_members(stream)
    if declared is not None and declared > limits.archive_members:
        raise LimitError(
            filename,
            f"压缩包中的文件过多（超过 {limits.archive_members:,} 个的上限），不是正常的 Word 或 Excel 文件",
            "archive_members",
        )
    try:
        archive = zipfile.ZipFile(stream)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
    ) as exc:
        # NotImplementedError: a directory entry claiming a zip version Python cannot read.
        raise DocumentError(filename, f"不是有效的 {what}（压缩包已损坏）") from exc
    infos = archive.infolist()
    if len(infos) > limits.archive_members:
        archive.close()
        raise LimitError(
            filename,
            f"压缩包中的文件过多（超过 {limits.archive_members:,} 个的上限），不是正常的 Word 或 Excel 文件",
            "archive_members",
        )
    total = 0
    for info in infos:
        total += info.file_size
        if _is_xml(info.filename) and info.file_size > limits.part_bytes:
            archive.close()
            raise _part_too_big(filename, info.filename, limits)
        if total > limits.archive_bytes:
            archive.close()
            raise _archive_too_big(filename, limits)
    return archive


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _part_too_big(filename: str, part: str, limits: Limits) -> LimitError:
    return LimitError(
        filename,
        f"其中的 {part} 解压后超过 {_size(limits.part_bytes)} 的上限，疑似“压缩炸弹”，已拒绝",
        "part_bytes",
    )


def _archive_too_big(filename: str, limits: Limits) -> LimitError:
    return LimitError(
        filename, f"解压后超过 {_size(limits.archive_bytes)} 的上限，疑似“压缩炸弹”，已拒绝", "archive_bytes"
    )


_CHUNK = 256 * 1024


def iter_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    filename: str = "",
    limits: Limits = DEFAULT_LIMITS,
    *,
    budget: list[int] | None = None,
    what: str = "Word 文档",
) -> Iterator[bytes]:
    """A member's bytes in chunks, counted as they are decompressed: never more than the directory
    declared, the part limit (XML parts) or what is left of BUDGET (the archive's expanded total)."""
    cap = min(info.file_size, limits.part_bytes if _is_xml(info.filename) else limits.archive_bytes)
    seen = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                seen += len(chunk)
                if seen > cap:
                    if seen > info.file_size:
                        raise DocumentError(filename, f"不是有效的 {what}（压缩包目录与内容不符）")
                    raise _part_too_big(filename, info.filename, limits)
                if budget is not None:
                    budget[0] -= len(chunk)
                    if budget[0] < 0:
                        raise _archive_too_big(filename, limits)
                yield chunk
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        EOFError,
        NotImplementedError,
        RuntimeError,
        ValueError,
    ) as exc:
        # Bad CRC, an unsupported compression method, an encrypted member, an offset out of the file.
        raise DocumentError(filename, f"不是有效的 {what}（压缩包已损坏或已加密）") from exc


def read_member(
    archive: zipfile.ZipFile, name: str, filename: str = "", limits: Limits = DEFAULT_LIMITS
) -> bytes:
    """A member's bytes, with the sizes enforced while decompressing (see `iter_member`)."""
    return b"".join(iter_member(archive, archive.getinfo(name), filename, limits))


# --------------------------------------------------------------------------- XML


def small_int(value: str | None, *, signed: bool = False) -> int | None:
    """An XML attribute's whole number (w:ilvl, w:gridSpan, w:start …), None when it is not one.

    At most nine digits: no attribute can make int() read thousands of them (Python refuses
    more than 4,300 with a bare ValueError) or ask for a loop of a billion grid columns."""
    if not value:
        return None
    digits = value[1:] if signed and value[0] == "-" else value
    if not digits.isdecimal() or len(digits) > 9:
        return None
    return int(value)


# A list has nine levels, w:ilvl 0 to 8.
LIST_LEVELS = 9
# Word's table grid has at most 63 columns; a cell spans no further (a span written larger, up to
# "999999999", would cost a loop and an entry per column).
GRID_COLUMNS = 63
# How far a style's basedOn chain is followed (Word's own are a few styles deep): a paragraph
# walks it, and 19,000 paragraphs on a chain of 20,000 styles took 41 seconds.
STYLE_DEPTH = 32


def list_level(value: str | None) -> int | None:
    """A w:ilvl value: a level beyond the ninth is read as the ninth (a level per paragraph, each
    deeper than the last, would otherwise make every paragraph look through all of them)."""
    level = small_int(value)
    return None if level is None else min(level, LIST_LEVELS - 1)


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PARAGRAPH = _W + "}p"
_CELL = _W + "}tc"


class _Scan:
    """Counts of one XML part, updated by expat's callbacks; raises at the first limit."""

    def __init__(self, part: str, filename: str, limits: Limits, report: dict[str, Any], what: str) -> None:
        self.part, self.filename, self.limits, self.report, self.what = part, filename, limits, report, what
        self.elements = 0
        self.depth = 0
        self.root = ""
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(self, *_args: Any) -> None:
        # Word never writes a DTD. Setting a default handler stops expat from expanding internal
        # entities (no "billion laughs"); external ones are never fetched. python-docx drops them.
        self.report["notes"].add(ENTITY_NOTE)
        self.parser.DefaultHandler = _ignore

    def start(self, name: str, _attributes: Any) -> None:
        self.root = self.root or name
        self.elements += 1
        self.depth += 1
        limits = self.limits
        if self.elements > limits.xml_elements:
            raise LimitError(
                self.filename,
                f"其中的 {self.part} 含有超过 {limits.xml_elements:,} 个 XML 元素的上限，已拒绝",
                "xml_elements",
            )
        if self.depth > limits.xml_depth:
            raise LimitError(
                self.filename, f"其中的 {self.part} 嵌套超过 {limits.xml_depth} 层的上限，已拒绝", "xml_depth"
            )
        if name == _PARAGRAPH:
            self.report["paragraphs"] += 1
            if self.report["paragraphs"] > limits.paragraphs and _over(
                self.report, "paragraphs", limits.paragraphs
            ):
                raise LimitError(
                    self.filename,
                    f"段落超过 {limits.paragraphs:,} 个的上限（一次导入的文档不会这么长），请拆分后再导入",
                    "paragraphs",
                )
        elif name == _CELL:
            self.report["table_cells"] += 1
            if self.report["table_cells"] > limits.table_cells and _over(
                self.report, "table_cells", limits.table_cells
            ):
                raise LimitError(
                    self.filename,
                    f"表格单元格超过 {limits.table_cells:,} 个的上限，请拆分后再导入",
                    "table_cells",
                )

    def end(self, _name: str) -> None:
        self.depth -= 1

    def feed(self, chunks: Iterable[bytes]) -> None:
        try:
            for chunk in chunks:
                self.parser.Parse(chunk, False)
            self.parser.Parse(b"", True)
        except (expat.ExpatError, LookupError, ValueError) as exc:
            # LookupError: an XML declaration naming an encoding that does not exist (encoding="es");
            # ValueError: one naming a multi-byte encoding expat cannot read (encoding="GBK").
            raise DocumentError(
                self.filename, f"不是有效的 {self.what}（{self.part} 不是有效的 XML）"
            ) from exc


def _ignore(_data: str) -> None:
    return None


# A part with more markup than this (start tags plus attributes, bounded by its count of "<" and
# "=") is never built as a tree: libxml2 spends about 120 bytes on a node, so the tree of a part
# under the bound stays within ~40 MB whatever the part holds. Real documents are far below it.
TREE_NODES = 300_000

# The XML declaration's encoding, when it names one.
_ENCODING_RE = re.compile(rb"""<\?xml[^>]*?\bencoding\s*=\s*(["'])(.*?)\1""")


def markup_bound(chunk: bytes) -> int:
    """An upper bound on the elements and attributes CHUNK holds (every start tag has a "<",
    every attribute a "="), counted in C."""
    return chunk.count(b"<") + chunk.count(b"=")


def parse_within_limits(
    xml: bytes, part: str, filename: str, limits: Limits, report: dict[str, Any]
) -> Any | None:
    """A whole XML part parsed in C by lxml (no Python object per element, unlike ElementTree),
    when it is within the limits `_Scan` enforces: elements, depth, paragraphs and table cells
    (the last two added to REPORT, as `_Scan` counts them). The counts are exact, taken by XPath.

    None when the part cannot take this path: a DTD (which `_Scan` reads without expanding and
    notes), an encoding other than UTF-8, markup over `TREE_NODES`, XML that libxml2 refuses or
    warns about, or a count over its limit. The caller then streams the part through `_Scan`
    (expat, as ever), which raises the same error at the same place, or reads what libxml2 and
    expat might read differently. One C parse replaces a Python call per element."""
    if b"<!DOCTYPE" in xml or not _utf8(xml) or (len(xml) > TREE_NODES and markup_bound(xml) > TREE_NODES):
        return None
    from lxml import etree

    # One parser a call: its error log must be this part's alone (a server reads in threads).
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        collect_ids=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(xml, parser)
    except (etree.XMLSyntaxError, ValueError, LookupError):
        return None
    if len(parser.error_log):
        return None
    # Every element has a start tag, a "<" not followed by "/": their count bounds the elements,
    # paragraphs and cells. When that bound keeps the part within the limits, the exact counts
    # are taken only if a later part comes near a limit (`_settle`); a part of ordinary size is
    # never counted.
    starts = xml.count(b"<") - xml.count(b"</")
    bounded = (
        report["paragraphs"] + starts <= limits.paragraphs
        and report["table_cells"] + starts <= limits.table_cells
    )
    if bounded:
        paragraphs, cells = report["paragraphs"] + starts, report["table_cells"] + starts
    else:
        _settle(report)
        namespaces = {"w": _W}
        paragraphs = report["paragraphs"] + int(root.xpath("count(//w:p)", namespaces=namespaces))
        cells = report["table_cells"] + int(root.xpath("count(//w:tc)", namespaces=namespaces))
    if (
        (starts > limits.xml_elements and root.xpath("count(//*)") > limits.xml_elements)
        or paragraphs > limits.paragraphs
        or cells > limits.table_cells
        or root.xpath(f"boolean(/{'/'.join(['*'] * (limits.xml_depth + 1))})")
    ):
        return None
    report["paragraphs"], report["table_cells"] = paragraphs, cells
    if bounded:
        report.setdefault("uncounted", []).append((root, starts))
    return root


def _settle(report: dict[str, Any]) -> bool:
    """Replace, in REPORT, the bounds counted for parts `parse_within_limits` did not count
    exactly by their exact counts of paragraphs and cells; whether there were any."""
    uncounted = report.pop("uncounted", None)
    if not uncounted:
        return False
    namespaces = {"w": _W}
    for root, bound in uncounted:
        report["paragraphs"] += int(root.xpath("count(//w:p)", namespaces=namespaces)) - bound
        report["table_cells"] += int(root.xpath("count(//w:tc)", namespaces=namespaces)) - bound
    return True


def _over(report: dict[str, Any], count: str, limit: int) -> bool:
    """Whether REPORT's COUNT is over LIMIT once the bounds in it are settled (see `_settle`)."""
    _settle(report)
    return bool(report[count] > limit)


def _utf8(xml: bytes) -> bool:
    """Whether XML is UTF-8 (as Word writes it): no byte-order mark of another encoding and no
    declaration naming one (libxml2 reads encodings that expat refuses)."""
    head = xml[3:200] if xml.startswith(b"\xef\xbb\xbf") else xml[:200]
    if not head.startswith(b"<"):
        return False
    declared = _ENCODING_RE.match(head)
    return declared is None or declared.group(2).lower() == b"utf-8"


def _scan_archive(
    source: bytes | IO[bytes], filename: str, limits: Limits, *, what: str, skip: tuple[str, ...] = ()
) -> ArchiveReport:
    report: dict[str, Any] = {"paragraphs": 0, "table_cells": 0, "notes": set()}
    budget = [limits.archive_bytes]
    elements = 0
    with open_archive(source, filename, limits, what=what) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if not _is_xml(info.filename) or info.filename.startswith(skip):
                budget[0] -= info.file_size  # checked against the directory; streamed by its reader
                continue
            scan = _Scan(info.filename, filename, limits, report, what)
            scan.feed(iter_member(archive, info, filename, limits, budget=budget, what=what))
            elements += scan.elements
            if info.filename == "word/document.xml" and scan.root != _W + "}document":
                raise DocumentError(filename, f"不是有效的 {what}（word/document.xml 不是 Word 正文）")
    return ArchiveReport(
        expanded_bytes=limits.archive_bytes - budget[0],
        elements=elements,
        paragraphs=report["paragraphs"],
        table_cells=report["table_cells"],
        notes=tuple(sorted(report["notes"])),
    )


def check_docx(data: bytes, filename: str = "", limits: Limits = DEFAULT_LIMITS) -> ArchiveReport:
    """Check a .docx before any reader parses it: sizes, and every XML part streamed once through
    expat counting elements, depth, paragraphs and table cells. Raises LimitError at the first
    limit (within a fraction of a second, whatever the file expands to), DocumentError for a
    broken zip or XML; returns the counts and notes (e.g. entities that were not expanded)."""
    return _scan_archive(data, filename, limits, what="Word 文档")


def check_xlsx(
    source: bytes | IO[bytes], filename: str = "", limits: Limits = DEFAULT_LIMITS
) -> ArchiveReport:
    """Check an .xlsx before openpyxl opens it: sizes, and the XML parts openpyxl reads whole
    (shared strings, styles, the workbook) streamed through expat. Worksheets are streamed by
    openpyxl's read-only mode; count their rows with `sheet_rows`. A file object is rewound."""
    report = _scan_archive(source, filename, limits, what="Excel 文件", skip=("xl/worksheets/",))
    if not isinstance(source, bytes | bytearray):
        source.seek(0)
    return report


# --------------------------------------------------------------------------- rows, items, text

# C0 control characters other than tab and the line breaks (\v and \f included): never text, and
# PostgreSQL refuses NUL in text columns.
CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def strip_controls(text: str) -> str:
    """TEXT without C0 control characters (tab and line breaks kept)."""
    return CONTROL_RE.sub("", text) if CONTROL_RE.search(text) else text


def sheet_rows(
    rows: Iterable[tuple[Any, ...]], filename: str = "", limits: Limits = DEFAULT_LIMITS
) -> Iterator[tuple[Any, ...]]:
    """The rows of a worksheet as openpyxl streams them, counted: LimitError past
    `limits.sheet_rows` rows or `limits.sheet_cells` cells; text values without control
    characters (an .xlsx can spell NUL as _x0000_)."""
    cells = 0
    for count, row in enumerate(_guarded(rows, filename), 1):
        cells += len(row)
        if count > limits.sheet_rows:
            raise LimitError(
                filename,
                f"工作表超过 {limits.sheet_rows:,} 行的上限（一次导入无法预览这么多行），请拆分后分批导入",
                "sheet_rows",
            )
        if cells > limits.sheet_cells:
            raise LimitError(
                filename,
                f"工作表超过 {limits.sheet_cells:,} 个单元格的上限，请删去空白列后再导入",
                "sheet_cells",
            )
        yield tuple(strip_controls(value) if isinstance(value, str) else value for value in row)


def _guarded(rows: Iterable[tuple[Any, ...]], filename: str) -> Iterator[tuple[Any, ...]]:
    """ROWS, with what openpyxl raises on a broken worksheet (XML, value and key errors) as a
    DocumentError: the worksheet is streamed, so its errors come while iterating."""
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except Exception as exc:  # openpyxl raises many kinds for a damaged worksheet
            raise DocumentError(filename, "不是有效的 Excel 文件（工作表已损坏，无法读取）") from exc
        yield row


def check_text_lines(text: str | bytes, filename: str = "", limits: Limits = DEFAULT_LIMITS) -> None:
    """LimitError when a text document has more lines than `limits.text_lines`."""
    newline = b"\n" if isinstance(text, bytes) else "\n"
    if text.count(newline) > limits.text_lines:  # type: ignore[arg-type]
        raise LimitError(
            filename,
            f"超过 {limits.text_lines:,} 行的上限（一次导入的文档不会这么长），请拆分后再导入",
            "text_lines",
        )


def check_items(count: int, filename: str = "", limits: Limits = DEFAULT_LIMITS) -> None:
    """LimitError when a parsed document has more problems, causes and measures together than
    an import can sensibly preview."""
    if count > limits.items:
        raise LimitError(
            filename,
            f"解析出 {count:,} 项问题、原因和措施，超过一次导入可以预览的上限 {limits.items:,} 项；"
            "请拆分文档后分批导入",
            "items",
        )


def source_bytes(source: str | PathLike[str] | IO[bytes]) -> bytes:
    """The bytes of a path or binary stream (readers that accept either check bytes)."""
    if hasattr(source, "read"):
        return bytes(source.read())
    with open(source, "rb") as handle:
        return handle.read()
