"""Reading generated .docx files back as a person's Word would: text, styles, fonts."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.oxml.ns import qn


def open_docx(data: bytes) -> Any:
    return Document(io.BytesIO(data))


def texts(document: Any) -> list[str]:
    """Every paragraph's text, the tables' cells included, in order."""
    found = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            found.extend(cell.text for cell in row.cells)
    return found


def runs_without_east_asian_font(document: Any) -> list[str]:
    """The text of every run (body, tables, footers) that names no east-Asian font."""
    parts = [document.element.body]
    for section in document.sections:
        parts.extend([section.footer._element, section.even_page_footer._element])
    missing = []
    for part in parts:
        for run in part.iter(qn("w:r")):
            fonts = run.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
            if fonts is None or not fonts.get(qn("w:eastAsia")):
                missing.append("".join(t.text or "" for t in run.iter(qn("w:t"))))
    return missing


def run_font(run: Any) -> tuple[str | None, float | None, bool]:
    """(east-Asian font, size in points, bold) set directly on RUN."""
    fonts = run._r.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    size = run.font.size
    return (
        fonts.get(qn("w:eastAsia")) if fonts is not None else None,
        size.pt if size is not None else None,
        bool(run.bold),
    )
