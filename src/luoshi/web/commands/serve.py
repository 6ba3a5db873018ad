"""`luoshi serve`: migrate, collect static files and run gunicorn (the production WSGI server)."""

from __future__ import annotations

import argparse
import os
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bind",
        default=os.environ.get("LUOSHI_BIND", "127.0.0.1:8000"),
        help="监听地址（默认 127.0.0.1:8000）",
    )
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("LUOSHI_WORKERS", "2")), help="工作进程数"
    )
    parser.add_argument(
        "--threads", type=int, default=int(os.environ.get("LUOSHI_THREADS", "4")), help="每个进程的线程数"
    )
    parser.add_argument("--no-migrate", action="store_true", help="启动前不执行数据库迁移")


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"luoshi 正在运行：http://{args.bind}/  （Ctrl+C 停止）", flush=True)
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "luoshi.web.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]
    os.execv(sys.executable, argv)
    return 0  # not reached
