"""`luoshi restore FILE --yes`: put a backup back (stop luoshi first), then verify the audit chain."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", type=Path, help="luoshi backup 生成的备份文件（.tar.gz）")
    parser.add_argument(
        "--yes", action="store_true", help="确认用备份覆盖当前数据库（不加时只显示备份内容，不做改动）"
    )


def run(args: argparse.Namespace) -> int:
    import tarfile

    from django.conf import settings
    from django.db import connection

    from luoshi.audit.chain import verify
    from luoshi.audit.models import GENESIS_HASH, ChainHead
    from luoshi.ops.archive import BackupError, open_archive, read_manifest, restore

    try:
        if not args.yes:
            with open_archive(args.source) as archive:
                manifest = read_manifest(archive)
            print(
                f"{args.source}：{manifest.created_at} 的 {manifest.engine} 备份，审计日志 {manifest.audit_events} 个事件，"
                f"佐证文件 {manifest.files} 个。\n恢复会用它覆盖当前数据库（请先停止 luoshi 服务），确认请加 --yes。"
            )
            return 2
        manifest = restore(args.source, connection=connection, media_root=Path(settings.MEDIA_ROOT))
    except (BackupError, OSError, tarfile.TarError) as exc:  # a truncated archive fails while read
        print(f"恢复失败：{exc}", file=sys.stderr)
        return 2
    result = verify()
    if not result.ok:
        print(
            f"已恢复，但审计日志校验未通过：第 {result.broken_seq} 号事件 — {result.reason}", file=sys.stderr
        )
        return 1
    head = ChainHead.objects.filter(id=1).values_list("hash", flat=True).first() or GENESIS_HASH
    if result.checked != manifest.audit_events or head != manifest.audit_hash:
        print(
            f"已恢复，但审计日志与备份时不符：现有 {result.checked} 个事件（链头 {head[:12]}），"
            f"备份时 {manifest.audit_events} 个（链头 {manifest.audit_hash[:12]}）",
            file=sys.stderr,
        )
        return 1
    print(
        f"已从 {args.source} 恢复（{manifest.created_at}）：佐证文件 {manifest.files} 个；"
        f"审计日志完好，共 {result.checked} 个事件，与备份时一致。"
    )
    return 0
