"""The pure core: documents in, frozen dataclasses out. Imports nothing from Django."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from luoshi.text.errors import DocumentError
from luoshi.text.model import Cause, Commitment, Measure, ParsedDocument, Problem, Suggestion

__all__ = [
    "Cause",
    "Commitment",
    "DocumentError",
    "Measure",
    "ParsedDocument",
    "Problem",
    "Suggestion",
    "parse_bytes",
    "parse_file",
    "parse_text",
]


def parse_bytes(data: bytes, filename: str = "") -> ParsedDocument:
    """Parse an uploaded document (.docx, or text in UTF-8 / GB18030 / UTF-16 with BOM).

    Raises DocumentError (a one-line Chinese message naming the file) when the bytes are not a
    readable document. A document without any recognisable section gives an empty ParsedDocument
    (`is_empty` is true).
    """
    from luoshi.text.extract import extract
    from luoshi.text.read import read_bytes

    return extract(read_bytes(data, filename))


def parse_file(path: str | PathLike[str]) -> ParsedDocument:
    """Parse a document file from disk; see `parse_bytes`."""
    file_path = Path(path)
    try:
        data = file_path.read_bytes()
    except IsADirectoryError as exc:
        raise DocumentError(str(path), "是目录，不是文件") from exc
    except FileNotFoundError as exc:
        raise DocumentError(str(path), "文件不存在") from exc
    except OSError as exc:
        raise DocumentError(str(path), f"无法读取文件（{exc.strerror or exc}）") from exc
    return parse_bytes(data, str(path))


def parse_text(text: str) -> ParsedDocument:
    """Parse text that is already decoded (e.g. pasted into a form)."""
    from luoshi.text.extract import extract
    from luoshi.text.read import clean_text

    return extract(clean_text(text))
