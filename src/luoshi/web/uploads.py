"""Limits on what users send: upload size (LUOSHI_MAX_UPLOAD_MB), import sizes
(LUOSHI_IMPORT_MAX_ITEMS, LUOSHI_IMPORT_MAX_ROWS) and control characters in form input.

The limits of the readers themselves (zip and XML bombs) are `luoshi.text.limits`; this module
gives them the values the settings change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, QueryDict

from luoshi.text.limits import CONTROL_RE, Limits, strip_controls


def max_upload_bytes() -> int:
    """The largest file a user may upload (LUOSHI_MAX_UPLOAD_MB)."""
    return int(settings.LUOSHI_MAX_UPLOAD_MB) * 1024 * 1024


def too_large(name: str) -> str:
    """The Chinese refusal of a file over LUOSHI_MAX_UPLOAD_MB."""
    return f"文件“{name}”超过 {settings.LUOSHI_MAX_UPLOAD_MB} MB 的上传限制"


def import_limits() -> Limits:
    """The readers' limits with the ones the settings change: items a document may give and rows
    a ledger spreadsheet may have in one import."""
    return Limits(
        items=int(settings.LUOSHI_IMPORT_MAX_ITEMS), sheet_rows=int(settings.LUOSHI_IMPORT_MAX_ROWS)
    )


class BoundedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: passes on at most one byte more of each uploaded file than
    LUOSHI_MAX_UPLOAD_MB, so that a 2 GB upload never reaches memory or the temporary directory
    whole, and every view still sees the file as too large (and says so with its name)."""

    passed = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.passed = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = max_upload_bytes() + 1 - self.passed
        if room <= 0:
            return None  # the handlers after this one never see the rest
        chunk = raw_data[:room]
        self.passed += len(chunk)
        return chunk

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler stores the file


def _cleaned(data: QueryDict) -> Any:  # the request's own type (an immutable QueryDict)
    if not any(CONTROL_RE.search(value) for values in data.lists() for value in values[1] if value):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(strip_controls(key), [strip_controls(value) for value in values])
    cleaned._mutable = False
    return cleaned


class ControlCharactersMiddleware:
    """Strips NUL and the other C0 control characters (tab and line breaks kept) from query
    parameters, form fields and uploaded file names: they are never text a person typed, and
    PostgreSQL refuses NUL where SQLite stores it. Both databases then see the same input."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.GET:
            request.GET = _cleaned(request.GET)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            request.POST = _cleaned(request.POST)
            for _field, uploads in request.FILES.lists():
                for upload in uploads:
                    if upload.name and CONTROL_RE.search(upload.name):
                        upload.name = strip_controls(upload.name)
        return self.get_response(request)
