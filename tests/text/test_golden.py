"""The reference sample in ../shared/samples must parse to exactly its expected JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from luoshi.text import parse_bytes, parse_file

from .contract import assert_contains

# ../shared beside the clone (as CI places it), or LUOSHI_SAMPLES_DIR when the clone lives elsewhere.
SAMPLES = Path(
    os.environ.get("LUOSHI_SAMPLES_DIR") or (Path(__file__).resolve().parents[2] / "../shared/samples")
).resolve()


@pytest.mark.skipif(
    not (SAMPLES / "county-team-2023.txt").is_file(),
    reason=f"reference sample not found at {SAMPLES} (CI places ../shared beside the clone)",
)
def test_reference_sample_matches_expected_json() -> None:
    parsed = parse_file(SAMPLES / "county-team-2023.txt").to_dict()
    expected = json.loads((SAMPLES / "county-team-2023.expected.json").read_text(encoding="utf-8"))
    assert parsed["title"] == expected["title"]
    assert parsed["problems"] == expected["problems"]
    assert parsed["causes"] == expected["causes"]
    assert_contains(parsed, expected)
    assert list(parsed) == ["title", "problems", "causes", "measures"]
    # The document groups its measures under headings of its own and links none of them; each
    # carries the problems it most probably answers instead.
    assert all(m["problem"] is None for m in parsed["measures"])
    assert all(m["suggested_problems"] for m in parsed["measures"])


def _hard_wrapped(text: str, width: int = 34) -> str:
    """The text as copied out of a PDF: broken every `width` characters, page numbers between."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        for start in range(0, max(1, len(paragraph)), width):
            lines.append(paragraph[start : start + width])
            if len(lines) % 30 == 0:
                lines += ["", f"- {len(lines) // 30} -", ""]
    return "\n".join(lines)


def _as_docx(text: str) -> bytes:
    import io

    import docx

    document = docx.Document()
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.skipif(
    not (SAMPLES / "county-team-2023.txt").is_file(), reason=f"reference sample not found at {SAMPLES}"
)
@pytest.mark.parametrize("variant", ["gb18030-crlf", "utf-16", "docx", "pdf-hard-wrapped", "extra-spaces"])
def test_reference_sample_survives_real_world_variants(variant: str) -> None:
    text = (SAMPLES / "county-team-2023.txt").read_text(encoding="utf-8")
    expected = json.loads((SAMPLES / "county-team-2023.expected.json").read_text(encoding="utf-8"))
    data = {
        "gb18030-crlf": lambda: text.replace("\n", "\r\n").encode("gb18030"),
        "utf-16": lambda: text.encode("utf-16"),
        "docx": lambda: _as_docx(text),
        "pdf-hard-wrapped": lambda: _hard_wrapped(text).encode("utf-8"),
        "extra-spaces": lambda: text.replace("，", "， ").replace("。", "。 ").encode("utf-8"),
    }[variant]()
    filename = "sample.docx" if variant == "docx" else "sample.txt"
    assert_contains(parse_bytes(data, filename).to_dict(), expected)
