"""Web benchmark: the server as deployed (gunicorn), a province-sized database, 10 concurrent clients.

    python bench/web/run.py [--teams 1000] [--measures 100] [--clients 10] [--requests 1000]
                            [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--keep DIR]

For each database (SQLite always; PostgreSQL when --postgres is given) it builds the dataset with
`luoshi demo --teams T --measures M`, starts `luoshi serve`, logs in, and drives the ledger page of
one round, its dashboard, a member's own measures (我的整改), a member's page (履职记录), the
organization roll-up and a province reviewer's home page with concurrent clients, measuring /healthz in the same run as the yardstick.
It then counts the SQL queries of each page on a small round (the ordinary demo) and a large one,
to show the count does not grow with the data. Prints a Markdown table for the README; exits
non-zero on any request error. With --keep DIR the datasets are built once into DIR (SQLite file,
PostgreSQL database luoshi_bench) and reused by later runs with the same DIR and sizes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LUOSHI = str(BIN / "luoshi")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Session:
    """A logged-in client on one keep-alive connection (one per benchmark thread)."""

    def __init__(self, port: int, cookies: dict[str, str]) -> None:
        self.port = port
        self.cookies = dict(cookies)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=all_headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data


def login(port: int, username: str, password: str) -> dict[str, str]:
    session = Session(port, {})
    status, page = session.request("GET", "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or token is None:
        raise SystemExit(f"login page failed: {status}")
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1).decode()}
    )
    status, _ = session.request(
        "POST",
        "/login/",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{port}/login/"},
    )
    if status != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"login as {username} failed: {status}")
    return session.cookies


def drive(port: int, cookies: dict[str, str], path: str, clients: int, total: int) -> tuple[list[float], int]:
    """TOTAL requests for PATH spread over CLIENTS threads; latencies in ms and the error count."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_client = max(1, total // clients)

    def worker() -> None:
        nonlocal errors
        session = Session(port, cookies)
        mine: list[float] = []
        failed = 0
        for _ in range(per_client):
            start = time.perf_counter()
            try:
                status, _ = session.request("GET", path)
                if status != 200:
                    failed += 1
            except OSError:
                failed += 1
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wait_for(port: int, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("luoshi serve exited early")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("luoshi serve did not answer /healthz in time")


QUERY_COUNT_SCRIPT = r"""
import json, sys
from luoshi.web.bootstrap import setup_django
setup_django()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.conf import settings
settings.ALLOWED_HOSTS = ["*"]
from luoshi.orgs.models import Member
targets = json.loads(sys.argv[1])
out = {}
for label, (username, url_name, args) in targets.items():
    if args == "own-member":  # the member page of the user's first team
        args = [Member.objects.filter(user__username=username).order_by("id").values_list("pk", flat=True)[0]]
    try:
        url = reverse(url_name, args=args)
    except NoReverseMatch:
        continue
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(url).status_code
    out[label] = {"queries": len(ctx.captured_queries), "status": status}
print(json.dumps(out))
"""


def query_counts(
    env: dict[str, str], targets: dict[str, tuple[str, str, list[int] | str]]
) -> dict[str, dict[str, int]]:
    result = subprocess.run(
        [sys.executable, "-c", QUERY_COUNT_SCRIPT, json.dumps(targets)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def bench_database(
    label: str, env: dict[str, str], args: argparse.Namespace, report: Callable[[str], None]
) -> int:
    kept = Path(env["LUOSHI_DATA_DIR"]) / f"bench-{args.teams}x{args.measures}.json"
    if kept.exists():  # --keep: the dataset of an earlier run with the same sizes
        info = json.loads(kept.read_text(encoding="utf-8"))
        build_seconds = float(info["build_seconds"])
    else:
        subprocess.run([LUOSHI, "demo"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        built = subprocess.run(
            [
                LUOSHI,
                "demo",
                "--teams",
                str(args.teams),
                "--measures",
                str(args.measures),
                "--json",
                "--password",
                "bench-pw-1",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        info = json.loads(built.stdout.strip().splitlines()[-1])
        build_seconds = time.perf_counter() - started
        kept.write_text(json.dumps({**info, "build_seconds": build_seconds}), encoding="utf-8")
    if "LUOSHI_DATABASE_URL" in env:  # planner statistics, as autovacuum would gather after the load
        import psycopg

        with psycopg.connect(env["LUOSHI_DATABASE_URL"], autocommit=True) as conn:
            conn.execute("ANALYZE")

    port = free_port()
    server = subprocess.Popen(
        [
            LUOSHI,
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    errors_total = 0
    try:
        wait_for(port, server)
        province = login(port, info["province_user"], "bench-pw-1")
        member = login(port, info["member_user"], "bench-pw-1")
        pages = [
            ("/healthz", "/healthz", province),
            ("ledger (one round)", f"/rounds/{info['round_id']}/", province),
            ("dashboard (one round)", f"/rounds/{info['round_id']}/dashboard/", province),
            ("my measures (我的整改)", "/my/", member),
            ("member page (履职记录)", f"/members/{info['member_id']}/activities/", member),
            ("roll-up (all organizations)", "/dashboard/", province),
            ("home (a province reviewer)", "/", province),
        ]
        available = []
        for name, path, cookies in pages:
            status, _ = Session(port, cookies).request("GET", path)
            if status == 200:
                available.append((name, path, cookies))
            else:
                report(f"<!-- {label}: {path} answered {status}, not measured -->")
        samples: dict[str, list[float]] = {name: [] for name, _p, _c in available}
        errors: dict[str, int] = {name: 0 for name, _p, _c in available}
        for _round in range(args.rounds):  # interleave pages so drift on a shared machine hits all alike
            for name, path, cookies in available:
                latencies, failed = drive(port, cookies, path, args.clients, args.requests // args.rounds)
                samples[name].extend(latencies)
                errors[name] += failed
        base_p95 = percentile(samples["/healthz"], 0.95)
        report(
            f"\n**{label}** — {args.teams} teams × {args.measures} measures ({args.teams * args.measures:,} measures, built in {build_seconds:.0f} s), gunicorn {args.workers} workers × {args.threads} threads, {args.clients} concurrent clients\n"
        )
        report("| page | requests | errors | p50 ms | p95 ms | p95 ÷ /healthz p95 |")
        report("|---|---:|---:|---:|---:|---:|")
        for name, _path, _cookies in available:
            values = samples[name]
            p95 = percentile(values, 0.95)
            errors_total += errors[name]
            report(
                f"| {name} | {len(values)} | {errors[name]} | {statistics.median(values):.1f} | {p95:.1f} | {p95 / base_p95:.2f} |"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)

    demo_round = 1  # `luoshi demo` ran first: its round is the first one
    small = query_counts(
        env,
        {
            "ledger": ("bangongshi", "round_detail", [demo_round]),
            "dashboard": ("bangongshi", "round_dashboard", [demo_round]),
            "my measures": ("lijianhua", "my_measures", []),
            "member page": ("lijianhua", "member_activities", "own-member"),
            "roll-up": ("bangongshi", "org_dashboard", []),
            "home": ("bangongshi", "home", []),
        },
    )
    large = query_counts(
        env,
        {
            "ledger": (info["province_user"], "round_detail", [info["round_id"]]),
            "dashboard": (info["province_user"], "round_dashboard", [info["round_id"]]),
            "my measures": (info["member_user"], "my_measures", []),
            "member page": (info["member_user"], "member_activities", [info["member_id"]]),
            "roll-up": (info["province_user"], "org_dashboard", []),
            "home": (info["province_user"], "home", []),
        },
    )
    report(
        f"\nSQL queries per page ({label}): demo round (≈20 measures, 3 organizations) vs. a benchmark round ({args.measures} measures) seen from the province ({args.teams + args.teams // 20 + 1} organizations)\n"
    )
    report("| page | small | large |")
    report("|---|---:|---:|")
    for page in small:
        report(f"| {page} | {small[page]['queries']} | {large.get(page, {}).get('queries', '—')} |")
    return errors_total


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--measures", type=int, default=100)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=1000, help="requests per page, over all rounds")
    parser.add_argument("--rounds", type=int, default=10, help="batches per page, interleaved across pages")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn processes (luoshi serve: one per core)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per process (luoshi serve's default: 1)"
    )
    parser.add_argument(
        "--postgres", help="a PostgreSQL server URL (its database is not touched; luoshi_bench is created)"
    )
    parser.add_argument(
        "--keep", type=Path, help="build the datasets once into this directory and reuse them in later runs"
    )
    args = parser.parse_args()

    lines: list[str] = []

    def report(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    errors = 0
    with tempfile.TemporaryDirectory(prefix="luoshi-bench-") as tmp:
        data = args.keep.resolve() if args.keep else Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        base_env = {**os.environ, "LUOSHI_DATA_DIR": str(data), "LUOSHI_LOG_LEVEL": "ERROR"}
        base_env.pop("LUOSHI_DATABASE_URL", None)
        errors += bench_database("SQLite", base_env, args, report)
        if args.postgres:
            import psycopg

            pg_dir = data / "pg"
            reuse = args.keep is not None and (pg_dir / f"bench-{args.teams}x{args.measures}.json").exists()
            if not reuse:
                with psycopg.connect(args.postgres, autocommit=True) as conn:
                    conn.execute("DROP DATABASE IF EXISTS luoshi_bench")
                    conn.execute("CREATE DATABASE luoshi_bench")
                if pg_dir.exists():
                    for stale in pg_dir.glob("bench-*.json"):
                        stale.unlink()
            pg_url = urllib.parse.urlunparse(
                urllib.parse.urlparse(args.postgres)._replace(path="/luoshi_bench")
            )
            pg_dir.mkdir(exist_ok=True)
            errors += bench_database(
                "PostgreSQL",
                {**base_env, "LUOSHI_DATA_DIR": str(pg_dir), "LUOSHI_DATABASE_URL": pg_url},
                args,
                report,
            )
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "web.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if errors:
        print(f"{errors} request errors", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
