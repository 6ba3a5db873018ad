"""`luoshi backup [DEST]`: the database and the evidence files in one .tar.gz (while luoshi runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "destination",
        nargs="?",
        default=".",
        type=Path,
        help="备份文件路径，或存放备份的目录（默认当前目录，文件名 luoshi-backup-日期-时间.tar.gz）",
    )


def run(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from luoshi.ops.archive import BackupError, create

    try:
        path, manifest = create(
            args.destination, connection=connection, media_root=Path(settings.MEDIA_ROOT), now=timezone.now()
        )
    except BackupError as exc:
        print(f"备份失败：{exc}", file=sys.stderr)
        return 2
    print(
        f"已备份到 {path}：{manifest.engine} 数据库，审计日志 {manifest.audit_events} 个事件，"
        f"佐证文件 {manifest.files} 个。"
    )
    return 0
