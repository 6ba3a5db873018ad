"""PDF through LibreOffice (skipped where soffice is not installed; CI installs it): the rendered
page holds 22 lines of 28 characters, and the report's text comes through with its page numbers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from luoshi.reports.docx_layout import OfficialDocument
from luoshi.reports.pdf import docx_to_pdf, fontconfig_text, soffice_path
from luoshi.reports.progress import write_progress_report
from tests.reports.conftest import TODAY

needs_soffice = pytest.mark.skipif(
    soffice_path() is None or shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) and poppler-utils (pdfinfo, pdftotext) are not installed",
)


def pages(pdf: bytes, tmp_path: Path) -> int:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(info.split("Pages:")[1].split()[0])


def page_text(pdf: bytes, tmp_path: Path, page: int) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    command = ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"]
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return "".join(text.split())  # pdftotext spaces CJK and digits as it likes


def test_fontconfig_maps_the_official_fonts_and_includes_the_system_config() -> None:
    text = fontconfig_text()
    assert '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>' in text
    for family in ("方正小标宋简体", "仿宋_GB2312", "楷体_GB2312"):
        assert f"<family>{family}</family>\n    <accept><family>Noto Serif CJK SC</family>" in text
    assert "<family>黑体</family>\n    <accept><family>Noto Sans CJK SC</family>" in text


@needs_soffice
@pytest.mark.parametrize(
    ("one_line_paragraphs", "last_paragraph_chars", "expected_pages"),
    [
        (20, 26 + 28, 1),  # 20 lines, then a first line (indented two) and a full line: 22 lines
        (20, 26 + 28 + 1, 2),  # one character more makes a 23rd line
        (23, 0, 2),
    ],
)
def test_rendered_page_holds_22_lines_of_28_characters(
    one_line_paragraphs: int, last_paragraph_chars: int, expected_pages: int, tmp_path: Path
) -> None:
    doc = OfficialDocument()
    for _ in range(one_line_paragraphs):
        doc.body("一行")
    if last_paragraph_chars:
        doc.body("字" * last_paragraph_chars)
    assert pages(docx_to_pdf(doc.to_bytes()), tmp_path) == expected_pages


@needs_soffice
@pytest.mark.django_db
def test_progress_report_as_pdf(filled_round: Any, add_measures: Any, tmp_path: Path) -> None:
    add_measures(filled_round, 6)
    pdf = docx_to_pdf(write_progress_report(filled_round, today=TODAY))
    count = pages(pdf, tmp_path)
    assert count >= 3
    first = page_text(pdf, tmp_path, 1)
    assert "整改落实情况的报告" in first and "一、总体情况" in first
    assert "完成率" in first and "—1—" in first
    second = page_text(pdf, tmp_path, 2)
    assert "—2—" in second
    last = page_text(pdf, tmp_path, count)
    assert last.endswith(f"示范县2026年12月1日—{count}—")
