"""Errors the text engine raises for input that is not a readable document."""

from __future__ import annotations


class DocumentError(Exception):
    """The input is not a document luoshi can read (binary, image, empty, unknown encoding …).

    `str(error)` is one line in Chinese naming the file and the reason, fit for a user to read;
    the command line prints it and exits with status 2.
    """

    def __init__(self, filename: str, reason: str) -> None:
        self.filename = filename
        self.reason = reason
        name = filename or "（未命名）"
        super().__init__(f"{name}：{reason}")
