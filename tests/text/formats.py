"""Build the files the reader tests need: hand-made .xlsx ledgers with openpyxl, and PDF / legacy
Word files through LibreOffice (headless, its own profile) when it is installed."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice（soffice）未安装：无法生成 PDF / .doc"
)


def workbook_bytes(sheets: Sequence[tuple[str, Sequence[Sequence[Any]], Sequence[str]]]) -> bytes:
    """An .xlsx with one sheet per (name, rows, merged ranges such as "B4:B5")."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name, rows, merges in sheets:
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for merged in merges:
            sheet.merge_cells(merged)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def convert(source: Path, target_format: str, out_dir: Path) -> Path:
    """SOURCE converted by LibreOffice to TARGET_FORMAT (pdf, doc, docx) in OUT_DIR."""
    assert SOFFICE is not None
    profile = (out_dir / "profile").as_uri()
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            *("--convert-to", target_format, "--outdir", str(out_dir), str(source)),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out_dir / f"{source.stem}.{target_format.split(':')[0]}"
