"""Reminder pass benchmark: one pass over a province-sized database, then a second pass with nothing new.

    python bench/remind/run.py [--teams 1000] [--measures 100] [--postgres postgresql://…/db] [--webhook]

Builds the dataset `luoshi demo --teams T --measures M` builds (in a fresh SQLite file, or the given
PostgreSQL database, which is emptied first), then times `run_pass()` twice in a child process
(one thread, so one core): wall and CPU time, SQL queries, rows delivered. The default is the embedded
set-up (in-app notices only); --webhook adds a JSON webhook channel on the province whose receiver
runs in this (parent) process, so every reminder also goes out over HTTP. It repeats the passes on
a dataset a tenth the size to show which query counts grow with the data.
Targets: first pass < 10 s, second < 2 s, queries independent of the number of measures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def receiver() -> tuple[ThreadingHTTPServer, list[int]]:
    count = [0]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            count[0] += 1
            self.send_response(200)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, count


def timed_pass() -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from luoshi.notices.delivery import run_pass

    with CaptureQueriesContext(connection) as queries:
        wall, cpu = time.perf_counter(), time.process_time()
        result = run_pass()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    sent = sum(1 for r in result.rows if r.state == "sent")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "queries": len(queries),
        "rows_sent": sent,
        "offered": result.offered,
    }


def bench(teams: int, measures: int, webhook: str) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from luoshi.demo.scale import build
    from luoshi.ledger.models import Measure
    from luoshi.notices.models import Channel, Delivery, Notice
    from luoshi.orgs.models import Organization

    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    build(teams=teams, measures=measures, password="bench-remind", progress=False)
    built = time.perf_counter() - started
    if webhook:
        province = Organization.objects.get(parent=None)
        Channel.objects.create(organization=province, kind="webhook", name="bench", config={"url": webhook})
    # Three rounds on the same data (deliveries and notices removed between them); the fastest of
    # each kind is reported, as the machine is shared and wall time is noisy.
    runs = []
    for _round in range(3):
        Delivery.objects.all().delete()
        Notice.objects.all().delete()
        runs.append((timed_pass(), timed_pass()))
    first = min((r[0] for r in runs), key=lambda r: r["wall_s"])
    second = min((r[1] for r in runs), key=lambda r: r["wall_s"])
    return {
        "teams": teams,
        "measures": Measure.objects.count(),
        "build_s": round(built, 1),
        "first": first,
        "second": second,
        "deliveries": Delivery.objects.count(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--measures", type=int, default=100)
    parser.add_argument("--postgres", help="PostgreSQL URL of a scratch database (its contents are deleted)")
    parser.add_argument("--webhook", action="store_true", help="另配置一个 Webhook 渠道（本进程内的接收端）")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.web.settings")
        django.setup()
        print(json.dumps(bench(args.teams, args.measures, args.child)))
        return 0
    import subprocess

    server, posts = receiver() if args.webhook else (None, [0])
    url = f"http://127.0.0.1:{server.server_port}/" if server else ""
    results = []
    for teams in (max(1, args.teams // 10), args.teams):
        with tempfile.TemporaryDirectory(prefix="luoshi-bench-remind-") as data:
            env = {
                **os.environ,
                "LUOSHI_DATA_DIR": data,
                "LUOSHI_DATABASE_URL": args.postgres or "",
                "LUOSHI_REMIND_QUIET_HOURS": "00:00-00:00",
            }
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--child",
                url,
                "--teams",
                str(teams),
                "--measures",
                str(args.measures),
            ]
            out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
            results.append(json.loads(out.strip().splitlines()[-1]))
    engine = ("PostgreSQL" if args.postgres else "SQLite") + ("，另有 Webhook" if args.webhook else "")
    print(
        "| 数据库 | 班子 × 措施 | 第一次：墙钟 / CPU | SQL 条数 | 发送条数 | 第二次：墙钟 / CPU | SQL 条数 |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in results:
        f, s = r["first"], r["second"]
        print(
            f"| {engine} | {r['teams']} × {args.measures}（{r['measures']:,} 项） | {f['wall_s']} / {f['cpu_s']} s | "
            f"{f['queries']} | {f['rows_sent']:,} | {s['wall_s']} / {s['cpu_s']} s | {s['queries']} |"
        )
    print(json.dumps({"results": results, "webhook_posts": posts[0]}, ensure_ascii=False), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
