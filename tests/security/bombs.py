"""Hostile .docx, .xlsx and text files, built small and fast: the attacks of issue 15 as data.

Each builder returns the file's bytes. The zips are written with zipfile, the XML parts streamed
into them, so a part that expands to hundreds of megabytes costs only its compressed size here.
`python -m tests.security.bombs DIR` writes them all to DIR (to feed `luoshi parse` or the web).
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="png" ContentType="image/png"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>'
_TAIL = "</w:body></w:document>"


def _repeat(piece: bytes, count: int, batch: int = 10_000) -> Iterable[bytes]:
    for start in range(0, count, batch):
        yield piece * min(batch, count - start)


def docx(
    body: Iterable[bytes], *, prolog: str = "", extra: dict[str, Iterable[bytes]] | None = None
) -> bytes:
    """A minimal .docx whose word/document.xml body is BODY (streamed into the zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(_HEAD.replace("<w:document", prolog + "<w:document", 1).encode())
            for chunk in body:
                part.write(chunk)
            part.write(_TAIL.encode())
        for name, chunks in (extra or {}).items():
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    return buffer.getvalue()


def paragraph(text: str) -> bytes:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()


def paragraphs(count: int, text: str = "问题") -> bytes:
    """COUNT paragraphs: 3,000,000 expand to ~110 MB of XML in a ~380 KB file."""
    return docx(_repeat(paragraph(text), count))


def paragraphs_under_part_limit(count: int = 200_000) -> bytes:
    """Many short paragraphs whose document.xml stays below the part size limit."""
    return docx(_repeat(b"<w:p/>", count))


def table_cells(count: int = 200_000) -> bytes:
    """One table row with COUNT empty cells."""
    return docx([b"<w:tbl><w:tr>", *_repeat(b"<w:tc/>", count), b"</w:tr></w:tbl>"])


def elements(count: int = 3_000_000) -> bytes:
    """One paragraph of COUNT empty runs (no paragraph or cell limit applies)."""
    return docx([b"<w:p>", *_repeat(b"<w:r/>", count), b"</w:p>"])


def nesting(depth: int = 100_000) -> bytes:
    """Elements nested DEPTH deep."""
    return docx([*_repeat(b"<w:sdt>", depth), *_repeat(b"</w:sdt>", depth)])


def expansion(mebibytes: int = 2048) -> bytes:
    """A picture part of MEBIBYTES of zeros (2 GiB deflate to ~2 MB)."""
    zero = bytes(1024 * 1024)
    return docx([paragraph("正文")], extra={"word/media/image1.png": (zero for _ in range(mebibytes))})


def lying_directory(count: int = 3_000_000) -> bytes:
    """`paragraphs(COUNT)` with word/document.xml's size given as 1 KB in the zip directory and
    the local header: only counting while decompressing notices the ~117 MB."""
    data = paragraphs(count)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    patched = bytearray(data)
    # The local header holds the size in a ZIP64 extra (8 bytes), the directory in 4 bytes.
    directory = data.find(b"PK\x01\x02")
    for width, start in ((8, info.header_offset), (4, directory)):
        real, fake = info.file_size.to_bytes(width, "little"), (1024).to_bytes(width, "little")
        at = patched.find(real, start)
        assert at >= 0, "no size field found to patch"
        patched[at : at + width] = fake
    return bytes(patched)


def members(count: int = 100_000) -> bytes:
    """A .docx with COUNT empty extra members (each costs memory when listed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", _HEAD + paragraph("正文").decode() + _TAIL)
        for number in range(count):
            archive.writestr(f"x/{number}", b"")
    return buffer.getvalue()


def entities(laughs: int = 0) -> bytes:
    """A paragraph whose text uses an external entity (file:///etc/passwd) and, with LAUGHS,
    the "billion laughs" (LAUGHS levels of ten references each)."""
    declared = "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n else "lol"}">' for n in range(laughs)
    )
    prolog = f'<!DOCTYPE w:document [{declared}<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    used = f"&lol{laughs - 1};" if laughs else ""
    body = f"<w:p><w:r><w:t>2.调查研究不够深入&xxe;{used}。</w:t></w:r></w:p>".encode()
    return docx([paragraph("一、存在的问题"), paragraph("1.学习不够深入。"), body], prolog=prolog)


# --------------------------------------------------------------------------- .xlsx

_XLSX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_XLSX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_S}" xmlns:r="{_R}">'
    '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx(
    rows: Iterable[bytes], *, extra: dict[str, Iterable[bytes]] | None = None, after: Iterable[bytes] = ()
) -> bytes:
    """A minimal ledger workbook: a header row (问题, 整改措施), then ROWS (sheetData XML), then
    AFTER (worksheet XML after the sheet data, such as mergeCells)."""
    buffer = io.BytesIO()
    header = '<row r="1">' + _cell("A1", "问题") + _cell("B1", "整改措施") + "</row>"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _XLSX_TYPES)
        archive.writestr("_rels/.rels", _XLSX_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_S}"><sheetData>'.encode())
            part.write(header.encode())
            for chunk in rows:
                part.write(chunk)
            part.write(b"</sheetData>")
            for chunk in after:
                part.write(chunk)
            part.write(b"</worksheet>")
        for name, chunks in (extra or {}).items():
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    return buffer.getvalue()


def sheet_rows(count: int = 2_000_000) -> bytes:
    """COUNT ledger rows without row numbers (openpyxl counts them): 2,000,000 rows are ~270 MB
    of XML in a file of a few hundred kilobytes."""
    row = (
        '<row><c t="inlineStr"><is><t>问题</t></is></c><c t="inlineStr"><is><t>措施</t></is></c></row>'
    ).encode()
    return xlsx(_repeat(row, count))


def wide_rows(rows: int = 200) -> bytes:
    """ROWS rows that each reach column XFD (16,384 cells a row once padded)."""
    return xlsx(
        f'<row r="{n}">{_cell(f"A{n}", "问题")}{_cell(f"XFD{n}", "措施")}</row>'.encode()
        for n in range(2, rows + 2)
    )


def overlapping_merges(rows: int = 2_000, merges: int = 20_000) -> bytes:
    """MERGES merged ranges each over the whole ROWS × 20 grid (Excel never writes overlapping
    ones): 15 KB that cost a minute of CPU when every range was filled in."""
    body = (f'<row r="{r}"><c r="T{r}" t="inlineStr"><is><t>x</t></is></c></row>' for r in range(2, rows + 1))
    ranges = (f'<mergeCell ref="A2:T{rows - i % 7}"/>' for i in range(merges))
    return xlsx(
        (row.encode() for row in body),
        after=[b"<mergeCells>", *(r.encode() for r in ranges), b"</mergeCells>"],
    )


def pdf_stream(mebibytes: int = 100) -> bytes:
    """A one-page PDF whose content stream inflates to MEBIBYTES of spaces (~100 KB a 100 MiB)."""
    import zlib

    deflate = zlib.compressobj(9)
    parts = [deflate.compress(b"BT /F1 12 Tf 72 712 Td (x) Tj ET\n")]
    block = b" " * (1 << 20)
    parts += [deflate.compress(block) for _ in range(mebibytes)]
    stream = b"".join(parts) + deflate.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def shared_strings(count: int = 3_000_000) -> bytes:
    """A shared-strings part of COUNT strings (openpyxl loads it whole)."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_S}">'.encode()
    return xlsx([], extra={"xl/sharedStrings.xml": [head, *_repeat(b"<si><t>x</t></si>", count), b"</sst>"]})


def text_lines(count: int = 1_000_000) -> bytes:
    """A text document of COUNT short lines."""
    return "一、存在的问题\n".encode() + "学习不够，\n".encode() * count


def nul_text(offset: int = 30_000) -> bytes:
    """A valid text document with a NUL character after OFFSET bytes (past the binary sniffing)."""
    head = "一、存在的问题\n1.理论学习不够深入。\n".encode()
    filler = ("工作作风不够扎实，" * (offset // 27 + 1) + "。\n").encode()
    return head + filler + "2.调查研究\x00不够。\n二、整改措施\n1.每月学习一次。\n".encode()


BOMBS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "paragraphs-3m.docx": ("part_bytes", lambda: paragraphs(3_000_000)),
    "paragraphs-200k.docx": ("paragraphs", paragraphs_under_part_limit),
    "cells-200k.docx": ("table_cells", table_cells),
    "elements-3m.docx": ("xml_elements", elements),
    "nesting-100k.docx": ("xml_depth", nesting),
    "expansion-2g.docx": ("archive_bytes", expansion),
    "members-100k.docx": ("archive_members", members),
    "rows-2m.xlsx": ("sheet_rows", sheet_rows),
    "wide-rows.xlsx": ("sheet_cells", wide_rows),
    "shared-strings-3m.xlsx": ("xml_elements", shared_strings),
    "lines-1m.txt": ("text_lines", text_lines),
}


def _sizes(data: bytes) -> tuple[int, int]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return len(data), sum(i.file_size for i in archive.infolist())


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "bombs")
    target.mkdir(parents=True, exist_ok=True)
    for name, (limit, build) in BOMBS.items():
        data = build()
        (target / name).write_bytes(data)
        expanded = _sizes(data)[1] if data[:2] == b"PK" else len(data)
        print(f"{name}\t{len(data):>10,} B\t{expanded:>14,} B expanded\t{limit}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
