"""One backup file: the database (SQLite online backup, or pg_dump) and the evidence files.

A backup is a .tar.gz holding `manifest.json` (what it holds, the audit chain's head when taken),
the database (`database.sqlite3` or `database.pgdump`) and `files/` (MEDIA_ROOT). The database is
copied first and the files after, so every file the copy refers to is in the archive (files are only
ever added). Restoring puts both back and verifies the audit chain against the manifest.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"


class BackupError(Exception):
    """A backup or restore cannot go on; the message is a Chinese sentence for the administrator."""


@dataclass(frozen=True)
class Manifest:
    engine: str  # "sqlite" or "postgresql"
    database: str  # member name of the database copy
    created_at: str
    audit_events: int
    audit_hash: str
    files: int
    migrations: dict[str, str]

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **self.__dict__}, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise BackupError(f"备份格式 {data.get('format')!r} 不受支持（本版本读取格式 {FORMAT}）")
        return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def engine_of(connection: Any) -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持备份 {vendor} 数据库")
    return str(vendor)


# --- the database --------------------------------------------------------------------------------


def _chain_head(cursor: Any) -> tuple[int, str]:
    from luoshi.audit.models import GENESIS_HASH, ChainHead

    cursor.execute(f"SELECT seq, hash FROM {ChainHead._meta.db_table} WHERE id = 1")
    row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)


def _migrations(cursor: Any) -> dict[str, str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        latest[str(app)] = str(name)
    return latest


def dump_sqlite(connection: Any, target: Path) -> tuple[tuple[int, str], dict[str, str]]:
    """Copy the live database with SQLite's online backup API (consistent while others write)."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        return _chain_head(cursor), _migrations(cursor)
    finally:
        copy.close()


def _pg_params(connection: Any) -> tuple[dict[str, str], dict[str, str]]:
    """libpq connection keywords for pg_dump/pg_restore, and the environment carrying the password."""
    config = connection.settings_dict
    keywords = {
        "dbname": config["NAME"],
        "user": config.get("USER") or "",
        "host": config.get("HOST") or "",
        "port": str(config.get("PORT") or ""),
    }
    env = dict(os.environ)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    return {k: v for k, v in keywords.items() if v}, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：请安装与数据库服务器版本相同或更新的 PostgreSQL 客户端（postgresql-client）"
        )
    return path


def _run(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(argv[0]).name} 失败：{detail[-1] if detail else result.returncode}")


def dump_postgresql(connection: Any, target: Path) -> tuple[tuple[int, str], dict[str, str]]:
    """pg_dump (custom format) of the snapshot in which the audit chain's head is read, so the
    manifest names exactly the head the dump holds."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    pg_dump = _tool("pg_dump")
    keywords, env = _pg_params(connection)
    with psycopg.connect(make_conninfo(**keywords), password=env.get("PGPASSWORD")) as snapshot_conn:
        snapshot_conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with snapshot_conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            row = cursor.fetchone()
            assert row is not None
            head, migrations = _chain_head(cursor), _migrations(cursor)
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={row[0]}",
                    f"--file={target}",
                    f"--dbname={make_conninfo(**keywords)}",
                ],
                env,
            )
    return head, migrations


def restore_sqlite(connection: Any, source: Path) -> None:
    """Replace the whole database with the copy (SQLite's backup API, page by page, in one go)."""
    connection.ensure_connection()
    copy = sqlite3.connect(source)
    try:
        copy.backup(connection.connection)
    finally:
        copy.close()


def restore_postgresql(connection: Any, source: Path) -> None:
    """pg_restore into the configured database: its tables are dropped and recreated from the dump,
    in one transaction (a failure leaves the database as it was)."""
    pg_restore = _tool("pg_restore")
    keywords, env = _pg_params(connection)
    from psycopg.conninfo import make_conninfo

    connection.close()  # our own idle connection must not hold locks on what is dropped
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={make_conninfo(**keywords)}",
            str(source),
        ],
        env,
    )


# --- the archive ---------------------------------------------------------------------------------


def _media_files(media_root: Path) -> Iterator[tuple[Path, str]]:
    if not media_root.exists():
        return
    for path in sorted(media_root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, (PurePosixPath(FILES) / path.relative_to(media_root).as_posix()).as_posix()


def default_name(now: datetime.datetime) -> str:
    return f"luoshi-backup-{now:%Y%m%d-%H%M%S}.tar.gz"


def create(
    destination: Path, *, connection: Any, media_root: Path, now: datetime.datetime
) -> tuple[Path, Manifest]:
    """Write a backup to DESTINATION (a file named .tar.gz, or a directory to name one in)."""
    engine = engine_of(connection)
    if destination.is_dir() or not destination.name.endswith((".tar.gz", ".tgz")):
        destination = destination / default_name(now)  # a directory, existing or to be made
    if destination.exists():
        raise BackupError(f"{destination} 已存在，不会覆盖")
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="luoshi-backup-") as work:
        member = "database.sqlite3" if engine == "sqlite" else "database.pgdump"
        database = Path(work) / member
        dump = dump_sqlite if engine == "sqlite" else dump_postgresql
        (seq, chain_hash), migrations = dump(connection, database)
        files = list(_media_files(media_root))
        manifest = Manifest(
            engine=engine,
            database=member,
            created_at=now.isoformat(),
            audit_events=seq,
            audit_hash=chain_hash,
            files=len(files),
            migrations=migrations,
        )
        partial = destination.with_name(destination.name + ".partial")
        try:
            with tarfile.open(partial, "w:gz") as archive:
                data = manifest.to_json().encode("utf-8")
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                archive.addfile(info, fileobj=_bytes(data))
                archive.add(database, arcname=member, recursive=False)
                for path, name in files:
                    archive.add(path, arcname=name, recursive=False)
            partial.replace(destination)  # a backup interrupted half-way never looks complete
        finally:
            partial.unlink(missing_ok=True)
    return destination, manifest


def _bytes(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


def _safe_member(member: tarfile.TarInfo) -> bool:
    path = PurePosixPath(member.name)
    return (member.isfile() or member.isdir()) and not path.is_absolute() and ".." not in path.parts


@contextmanager
def open_archive(source: Path) -> Iterator[tarfile.TarFile]:
    try:
        archive = tarfile.open(source, "r:gz")  # noqa: SIM115  (closed below)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法读取备份文件 {source}：{exc}") from None
    with archive:
        yield archive


def read_manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        handle = archive.extractfile(MANIFEST)
    except KeyError:
        raise BackupError("不是 luoshi 备份文件（缺少 manifest.json）") from None
    if handle is None:
        raise BackupError("不是 luoshi 备份文件（manifest.json 不是文件）")
    return Manifest.from_json(handle.read().decode("utf-8"))


def restore(source: Path, *, connection: Any, media_root: Path) -> Manifest:
    """Put back the database and the evidence files of the backup SOURCE (luoshi stopped)."""
    engine = engine_of(connection)
    with open_archive(source) as archive, tempfile.TemporaryDirectory(prefix="luoshi-restore-") as work:
        manifest = read_manifest(archive)
        if manifest.engine != engine:
            raise BackupError(
                f"备份来自 {manifest.engine} 数据库，当前配置的是 {engine}（LUOSHI_DATABASE_URL）：不能跨数据库恢复"
            )
        members = archive.getmembers()
        unsafe = [m.name for m in members if not _safe_member(m)]
        if unsafe:
            raise BackupError(f"备份文件含有不安全的路径（{unsafe[0]}），已拒绝")
        database = Path(work) / "database"
        _extract(archive, manifest.database, database)
        (restore_sqlite if engine == "sqlite" else restore_postgresql)(connection, database)
        prefix = FILES + "/"
        for member in members:
            if member.isfile() and member.name.startswith(prefix):
                _extract(archive, member.name, media_root / member.name[len(prefix) :])
    return manifest


def _extract(archive: tarfile.TarFile, name: str, target: Path) -> None:
    handle = archive.extractfile(name)
    if handle is None:
        raise BackupError(f"备份文件缺少 {name}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with handle, open(target, "wb") as out:
        shutil.copyfileobj(handle, out)
