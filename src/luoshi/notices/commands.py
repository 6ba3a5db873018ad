"""`luoshi remind` (the reminder pass, for cron, a systemd timer or `luoshi serve`) and
`luoshi channels list|add|remove|test` (an organization's notification channels)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--once", action="store_true", help="运行一次提醒任务后退出（供 cron / systemd 定时器）"
    )
    parser.add_argument("--dry-run", action="store_true", help="只列出将要发送的提醒，不写入、不发送")
    parser.add_argument(
        "--json", action="store_true", help="每条提醒输出一行 JSON：rule、measure、recipient、channel、state"
    )
    parser.add_argument(
        "--loop", action="store_true", help="按 LUOSHI_REMIND_EVERY_MINUTES 反复运行（luoshi serve 自动启动）"
    )
    parser.add_argument("--parent", type=int, default=0, help=argparse.SUPPRESS)


def _line(row: Any, usernames: dict[int, str]) -> dict[str, Any]:
    return {
        "rule": row.rule,
        "measure": row.measure_id,
        "object": row.object_key,
        "period": row.period,
        "recipient": usernames.get(row.recipient_id),
        "channel": row.channel_key,
        "state": row.state,
    }


def run_once(args: argparse.Namespace) -> int:
    from luoshi.notices.delivery import run_pass

    result = run_pass(dry_run=args.dry_run)
    if not result.ran:
        print("另一个进程正在运行提醒任务，本次跳过", file=sys.stderr)
        return 0
    rows = result.planned if args.dry_run else result.rows
    if args.json:
        from django.contrib.auth import get_user_model

        ids = {row.recipient_id for row in rows}
        usernames = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
        for row in rows:
            line = _line(row, usernames)
            if args.dry_run and row.pk is None:
                line["state"] = "would_send"
            print(json.dumps(line, ensure_ascii=False))
    else:
        sent = sum(1 for r in rows if r.state == "sent")
        failed = sum(1 for r in rows if r.state in ("failed", "given_up"))
        verb = "将发送" if args.dry_run else "已发送"
        print(
            f"提醒任务完成：{verb} {len(rows) if args.dry_run else sent} 条"
            + ("" if args.dry_run else f"，失败 {failed} 条")
        )
    return 0


def run_loop(args: argparse.Namespace) -> int:
    """Run the pass every LUOSHI_REMIND_EVERY_MINUTES until the parent process (gunicorn) is gone."""
    import logging

    from django.conf import settings
    from django.db import close_old_connections

    log = logging.getLogger("luoshi.remind")
    every = settings.LUOSHI_REMIND_EVERY_MINUTES * 60
    if every <= 0:
        return 0
    from luoshi.notices.delivery import run_pass

    next_run = time.monotonic()
    while True:
        if args.parent and os.getppid() != args.parent:
            return 0
        if time.monotonic() >= next_run:
            close_old_connections()
            try:
                run_pass()
            except Exception:  # one failed pass must not stop the next ones
                log.exception("提醒任务失败")
            close_old_connections()
            next_run = time.monotonic() + every
        time.sleep(5)


def run(args: argparse.Namespace) -> int:
    if args.loop:
        return run_loop(args)
    return run_once(args)
