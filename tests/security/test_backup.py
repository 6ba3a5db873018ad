"""`luoshi backup` / `luoshi restore`: a round trip brings back the records, the evidence files and an
audit chain that verifies, on SQLite (the online backup API) and PostgreSQL (pg_dump/pg_restore)."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from luoshi.audit.chain import verify
from luoshi.audit.models import Event
from luoshi.cli import main
from luoshi.ledger import progress
from luoshi.ledger.models import Evidence, ProgressUpdate

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _needs_the_tools() -> None:
    if connection.vendor == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed (postgresql-client): the PostgreSQL backup needs them")


def add_progress(measure: Any, owner: Any, text: str, data: bytes) -> Evidence:
    update = progress.record_progress(
        measure,
        actor=owner,
        date=timezone.localdate(),
        text=text,
        files=[SimpleUploadedFile(f"{text}.pdf", data)],
        evidence_date=timezone.localdate(),
    )
    return update.evidence.get()


def test_backup_and_restore_round_trip(
    measure: Any, owner: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = add_progress(measure, owner, "第一次", PDF + b"first")
    kept_path = Path(kept.file.path)
    events = Event.objects.count()

    assert main(["backup", str(tmp_path)]) == 0
    (archive,) = tmp_path.glob("luoshi-backup-*.tar.gz")
    assert f"审计日志 {events} 个事件" in capsys.readouterr().out

    # After the backup: more work, and the first file lost on disk.
    add_progress(measure, owner, "第二次", PDF + b"second")
    kept_path.unlink()
    assert Event.objects.count() > events

    assert main(["restore", str(archive), "--yes"]) == 0
    assert "审计日志完好" in capsys.readouterr().out
    assert list(ProgressUpdate.objects.values_list("text", flat=True)) == ["第一次"]
    assert Event.objects.count() == events
    assert verify().ok
    restored = Evidence.objects.get()
    assert Path(restored.file.path).read_bytes() == PDF + b"first"


def test_restore_without_yes_only_describes_the_backup(
    measure: Any, owner: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_progress(measure, owner, "第一次", PDF)
    assert main(["backup", str(tmp_path / "b.tar.gz")]) == 0
    add_progress(measure, owner, "第二次", PDF)
    assert main(["restore", str(tmp_path / "b.tar.gz")]) == 2
    assert "--yes" in capsys.readouterr().out
    assert ProgressUpdate.objects.count() == 2


def test_backup_does_not_overwrite_an_existing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "b.tar.gz"
    target.write_bytes(b"keep")
    assert main(["backup", str(target)]) == 2
    assert "已存在" in capsys.readouterr().err and target.read_bytes() == b"keep"


def test_restore_refuses_an_archive_with_a_path_outside(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], measure: Any
) -> None:
    good = tmp_path / "good.tar.gz"
    assert main(["backup", str(good)]) == 0
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(good, "r:gz") as source, tarfile.open(evil, "w:gz") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member))
        info = tarfile.TarInfo("files/../../escaped.txt")
        info.size = 2
        target.addfile(info, io.BytesIO(b"hi"))
    assert main(["restore", str(evil), "--yes"]) == 2
    assert "不安全的路径" in capsys.readouterr().err
    assert not (Path(settings.MEDIA_ROOT).parent / "escaped.txt").exists()


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    assert main(["restore", str(junk), "--yes"]) == 2
    assert "恢复失败" in capsys.readouterr().err
