"""Files, headers and caches: what luoshi leaves on disk and tells the browser."""

from __future__ import annotations

import errno
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.errors import StorageFailed
from luoshi.ledger import progress
from luoshi.ledger.models import Evidence, ProgressUpdate

SRC = Path(__file__).resolve().parents[2] / "src" / "luoshi"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- files on disk -------------------------------------------------------------------------------


def test_a_fresh_data_directory_and_database_are_private(tmp_path: Path) -> None:
    """A new process creates the data directory 0700 and the SQLite database and secret key 0600."""
    data = tmp_path / "data"
    script = (
        "import django; django.setup();"
        "from django.db import connection; connection.ensure_connection();"
        "connection.cursor().execute('CREATE TABLE t (x)')"
    )
    env = {
        **os.environ,
        "LUOSHI_DATA_DIR": str(data),
        "LUOSHI_DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "luoshi.web.settings",
    }
    old_umask = os.umask(0o022)  # the usual shell umask: luoshi must not rely on a stricter one
    try:
        subprocess.run([sys.executable, "-c", script], env=env, check=True)
    finally:
        os.umask(old_umask)
    assert mode(data) == 0o700
    assert mode(data / "luoshi.sqlite3") == 0o600
    assert mode(data / "secret_key") == 0o600


def test_an_existing_world_readable_database_is_tightened_at_start(tmp_path: Path) -> None:
    from luoshi.web.config import secure_data_dir

    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    database = data / "luoshi.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o644)
    old_umask = os.umask(0o022)
    try:
        secure_data_dir(data, [database, data / "absent"])
    finally:
        os.umask(old_umask)
    assert mode(data) == 0o700 and mode(database) == 0o600


def test_evidence_files_are_stored_readable_by_the_owner_only(measure: Any, owner: Any) -> None:
    update = progress.record_progress(
        measure,
        actor=owner,
        date=timezone.localdate(),
        text="进展",
        files=[SimpleUploadedFile("纪要.pdf", PDF)],
        evidence_date=timezone.localdate(),
    )
    path = Path(update.evidence.get().file.path)
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills while a file is being written: the first chunk lands, the next fails."""

    def chunks(self: File, chunk_size: int | None = None) -> Iterator[bytes]:
        yield b"%PDF-1.4 partial"
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(File, "chunks", chunks)


def test_a_full_disk_during_an_upload_leaves_no_partial_file(
    measure: Any, owner: Any, full_disk: None
) -> None:
    with pytest.raises(StorageFailed, match="磁盘空间已满"):
        progress.add_evidence(
            measure,
            actor=owner,
            files=[SimpleUploadedFile("纪要.pdf", PDF)],
            evidence_date=timezone.localdate(),
        )
    assert stored_files() == []
    assert not Evidence.objects.exists()


def test_a_full_disk_is_a_chinese_message_on_the_page(
    client: Client, measure: Any, owner: Any, full_disk: None
) -> None:
    from luoshi.ledger.services import transition
    from luoshi.ledger.states import MeasureStatus

    transition(measure, MeasureStatus.IN_PROGRESS, actor=owner)
    client.force_login(owner)
    response = client.post(
        reverse("measure_progress", args=[measure.pk]),
        {
            "date": timezone.localdate().isoformat(),
            "text": "召开会议",
            "evidence_date": timezone.localdate().isoformat(),
            "attachments": SimpleUploadedFile("纪要.pdf", PDF),
        },
    )
    assert response.status_code == 507
    assert "磁盘空间已满" in response.content.decode()
    assert stored_files() == [] and not ProgressUpdate.objects.exists()


# --- headers -------------------------------------------------------------------------------------


def test_pages_carry_a_content_security_policy_without_inline_code(
    client: Client, organizer: Any, round_: Any
) -> None:
    client.force_login(organizer)
    for url in [reverse("home"), reverse("round_detail", args=[round_.pk]), reverse("login")]:
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


@pytest.mark.parametrize(
    "template", sorted(SRC.rglob("templates/**/*.html")), ids=lambda p: str(p.relative_to(SRC))
)
def test_templates_hold_no_inline_script_handler_or_style(template: Path) -> None:
    """What the policy would refuse in the browser: inline <script>, on…= handlers, style."""
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to a static file"
    assert not HANDLER.search(text), "event handler attribute: listen in a static script"
    assert not STYLE.search(text), "inline style: use a class in the stylesheet"
    assert "javascript:" not in text


def test_the_ledger_export_is_not_cached(client: Client, organizer: Any, round_: Any) -> None:
    client.force_login(organizer)
    response = client.get(reverse("round_export", args=[round_.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_evidence_downloads_are_not_cached(client: Client, measure: Any, owner: Any) -> None:
    update = progress.record_progress(
        measure,
        actor=owner,
        date=timezone.localdate(),
        text="进展",
        files=[SimpleUploadedFile("纪要.pdf", PDF)],
        evidence_date=timezone.localdate(),
    )
    client.force_login(owner)
    response = client.get(reverse("evidence_file", args=[update.evidence.get().pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
