"""Decompression and size bombs (issue 15, point 1): every one is refused with a Chinese line that
names the file and the limit, by the reader, by `luoshi parse` (exit 2) and under a 300 MB cap on
the process's address space, which is the memory bound the issue asks for."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from luoshi.text import DocumentError, parse_bytes
from luoshi.text.ledger_xlsx import read_ledger
from luoshi.text.limits import DEFAULT_LIMITS, ENTITY_NOTE, LimitError, check_docx
from luoshi.text.read import read_bytes
from tests.security import bombs

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CAP_MB = 300
MIB = 1024 * 1024

# (file name, builder, the limit that refuses it). Sizes just past the limit keep the tests quick;
# the first is the issue's own 3,000,000-paragraph document.
DOCUMENT_BOMBS: list[tuple[str, Callable[[], bytes], str]] = [
    ("三百万段.docx", lambda: bombs.paragraphs(3_000_000), "part_bytes"),
    ("段落.docx", lambda: bombs.paragraphs_under_part_limit(DEFAULT_LIMITS.paragraphs + 1), "paragraphs"),
    ("单元格.docx", lambda: bombs.table_cells(DEFAULT_LIMITS.table_cells + 1), "table_cells"),
    ("元素.docx", lambda: bombs.elements(DEFAULT_LIMITS.xml_elements + 10), "xml_elements"),
    ("嵌套.docx", lambda: bombs.nesting(DEFAULT_LIMITS.xml_depth + 10), "xml_depth"),
    ("解压.docx", lambda: bombs.expansion(DEFAULT_LIMITS.archive_bytes // MIB + 8), "archive_bytes"),
    ("成员.docx", lambda: bombs.members(DEFAULT_LIMITS.archive_members + 1), "archive_members"),
    ("行数.txt", lambda: bombs.text_lines(DEFAULT_LIMITS.text_lines + 1), "text_lines"),
]
SHEET_BOMBS: list[tuple[str, Callable[[], bytes], str]] = [
    ("两百万行.xlsx", lambda: bombs.sheet_rows(2_000_000), "part_bytes"),
    ("行数.xlsx", lambda: bombs.sheet_rows(DEFAULT_LIMITS.sheet_rows + 1), "sheet_rows"),
    ("宽行.xlsx", lambda: bombs.wide_rows(40), "sheet_cells"),
    ("共享字符串.xlsx", lambda: bombs.shared_strings(DEFAULT_LIMITS.xml_elements // 2 + 1), "xml_elements"),
]


@pytest.fixture(scope="module")
def bomb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every bomb written once for the module (the larger ones take a second or two to build)."""
    directory = tmp_path_factory.mktemp("bombs")
    for name, build, _limit in DOCUMENT_BOMBS + SHEET_BOMBS:
        (directory / name).write_bytes(build())
    return directory


@pytest.mark.parametrize(("name", "limit"), [(n, lim) for n, _b, lim in DOCUMENT_BOMBS])
def test_document_bomb_is_refused_by_its_limit(bomb_dir: Path, name: str, limit: str) -> None:
    with pytest.raises(LimitError) as refused:
        read_bytes((bomb_dir / name).read_bytes(), name)
    assert refused.value.limit == limit
    message = str(refused.value)
    assert message.startswith(f"{name}：") and "上限" in message and "\n" not in message


@pytest.mark.parametrize(("name", "limit"), [(n, lim) for n, _b, lim in SHEET_BOMBS])
def test_spreadsheet_bomb_is_refused_by_its_limit(bomb_dir: Path, name: str, limit: str) -> None:
    with pytest.raises(LimitError) as refused:
        read_ledger(bomb_dir / name)
    assert refused.value.limit == limit
    assert name in str(refused.value) and "上限" in str(refused.value)


_CAPPED = """
import resource, sys
cap = {cap} * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
if sys.argv[1].endswith(".xlsx"):
    from luoshi.text import DocumentError
    from luoshi.text.ledger_xlsx import read_ledger
    try:
        read_ledger(sys.argv[1])
    except DocumentError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(0)
from luoshi.cli import main
raise SystemExit(main(["parse", sys.argv[1]]))
"""


@pytest.mark.parametrize("name", [n for n, _b, _l in DOCUMENT_BOMBS + SHEET_BOMBS])
def test_bomb_is_refused_within_300_mb_with_exit_2(bomb_dir: Path, name: str) -> None:
    """`luoshi parse` (the ledger reader for .xlsx) in a process that cannot take more than
    300 MB of address space: a reader that loaded the bomb would die of MemoryError (exit 1)."""
    result = subprocess.run(
        [sys.executable, "-c", _CAPPED.format(cap=MEMORY_CAP_MB), str(bomb_dir / name)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and "上限" in lines[0], result.stderr


def test_lying_zip_directory_does_not_help() -> None:
    """The directory says 1 KB, the part expands to ~117 MB: counting while decompressing stops it."""
    data = bombs.lying_directory()
    with pytest.raises(DocumentError, match=r"假目录\.docx：不是有效的 Word 文档"):
        read_bytes(data, "假目录.docx")


def test_overlapping_merged_ranges_are_refused_before_filling_them() -> None:
    with pytest.raises(DocumentError, match=r"重叠\.xlsx：工作表“台账”中的合并单元格相互重叠"):
        parse_bytes(bombs.overlapping_merges(rows=200, merges=2_000), "重叠.xlsx")


def test_a_pdf_stream_that_inflates_past_the_cap_is_refused_as_a_bomb() -> None:
    # pypdf stops inflating at 75 MB with its own LimitReachedError, which used to escape as a crash.
    with pytest.raises(LimitError, match=r"炸弹\.pdf：PDF 中的内容解压后超过上限"):
        parse_bytes(bombs.pdf_stream(100), "炸弹.pdf")


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(DocumentError, match="不是有效的 Word 文档"):
        parse_bytes(bombs.entities(laughs=10), "笑.docx")


def test_external_entity_is_not_read_and_is_noted() -> None:
    data = bombs.entities()
    assert check_docx(data, "实体.docx").notes == (ENTITY_NOTE,)
    parsed = parse_bytes(data, "实体.docx")
    assert "root:" not in str(parsed.to_dict())  # /etc/passwd was never read
    assert [p.summary for p in parsed.problems] == ["学习不够深入", "调查研究不够深入"]


def test_a_normal_document_passes_the_scan() -> None:
    from docx import Document

    document = Document()
    for _ in range(3):
        document.add_paragraph("一、存在的问题")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "问题"
    buffer = io.BytesIO()
    document.save(buffer)
    report = check_docx(buffer.getvalue(), "正常.docx")
    assert report.paragraphs >= 3 + 6 and report.table_cells == 6 and report.notes == ()
