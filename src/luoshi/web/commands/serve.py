"""`luoshi serve`: migrate, collect static files and run gunicorn (the production WSGI server)."""

from __future__ import annotations

import argparse
import os
import sys


def default_workers() -> int:
    """One process per core: pages are CPU work in Python, so threads in one process only queue on
    the interpreter lock (bench/web measured p95 about twice as high with 2 processes x 4 threads
    as with 2 single-threaded processes on two cores)."""
    return max(2, os.cpu_count() or 2)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bind",
        default=os.environ.get("LUOSHI_BIND", "127.0.0.1:8000"),
        help="监听地址（默认 127.0.0.1:8000）",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("LUOSHI_WORKERS", "") or default_workers()),
        help="工作进程数（默认：CPU 核数，至少 2）",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("LUOSHI_THREADS", "1")),
        help="每个进程的线程数（默认 1：同步进程，页面尾部延迟最低；大于 1 时为多线程进程）",
    )
    parser.add_argument("--no-migrate", action="store_true", help="启动前不执行数据库迁移")


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    start_reminders()
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
        "--timeout",
        "120",  # a large document or ledger import is one request
    ]
    os.execv(sys.executable, argv)
    return 0  # not reached


def start_reminders() -> None:
    """The reminder pass every LUOSHI_REMIND_EVERY_MINUTES (0: off) in a small process of its own,
    which ends when the server (this process, once it is gunicorn) ends. Several servers may each
    run one: the pass's database lease lets one pass run at a time."""
    import subprocess

    from django.conf import settings

    if settings.LUOSHI_REMIND_EVERY_MINUTES <= 0:
        return
    subprocess.Popen(
        [sys.executable, "-m", "luoshi.cli", "remind", "--loop", "--parent", str(os.getpid())],
        stdin=subprocess.DEVNULL,
    )
