"""Indicator compliance at province scale: 2,000 members × 12 months × 20 records each.

Builds a province (200 teams of 10 members, one round per team with two monthly indicators: visits
and household visits) and 480,000 activity records, then times one team's grid and the whole
province's grids, and counts their queries at two sizes (they must not grow with members).

    .venv/bin/python bench/indicators/run.py                       # SQLite in a temporary directory
    .venv/bin/python bench/indicators/run.py --postgres postgresql://postgres@127.0.0.1:5432/postgres

Targets: one team's grid < 50 ms, the province < 5 s (database aggregation, fixed query count).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any

TEAMS, MEMBERS, MONTHS, PER_MONTH = 200, 10, 12, 20
BATCH = 10_000


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres", help="PostgreSQL server URL; a database luoshi_bench_indicators is (re)created"
    )
    parser.add_argument("--teams", type=int, default=TEAMS)
    parser.add_argument("--repeat", type=int, default=30, help="timed runs of one team's grid")
    parser.add_argument("--reuse", help="SQLite: the data directory of an earlier run (skips the build)")
    args = parser.parse_args()

    workdir = args.reuse or tempfile.mkdtemp(prefix="luoshi-bench-indicators-")
    os.environ["LUOSHI_DATA_DIR"] = workdir
    print(f"data directory: {workdir}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.postgres:
        name = "luoshi_bench_indicators"
        url = (
            _fresh_postgres(args.postgres, name)
            if not args.reuse
            else args.postgres.rsplit("/", 1)[0] + "/" + name
        )
        os.environ["LUOSHI_DATABASE_URL"] = url
    else:
        os.environ["LUOSHI_DATABASE_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    today = datetime.date(2026, 12, 15)  # the twelve months of 2026 are over but December
    started = time.perf_counter()
    from luoshi.ledger.models import Round

    rounds = list(Round.objects.filter(team__organization__parent__name="基准省")) if args.reuse else []
    rounds = rounds or build(args.teams, today)
    print(
        f"built {args.teams} teams × {MEMBERS} members × {MONTHS} months × {PER_MONTH} records "
        f"({args.teams * MEMBERS * MONTHS * PER_MONTH:,} records) in {time.perf_counter() - started:.0f} s"
    )
    measure(rounds, today, args.repeat)
    return 0


def _fresh_postgres(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name}")
        connection.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + "/" + name


def build(teams: int, today: datetime.date) -> list[Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from luoshi.indicators.models import Activity, Indicator
    from luoshi.ledger.models import Round
    from luoshi.ledger.services import default_framework
    from luoshi.orgs.models import Member, Organization, Team

    rng = random.Random(13)
    user = get_user_model().objects.create(username="bench")
    framework = default_framework()
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    rounds = []
    with transaction.atomic():
        province = Organization.objects.create(name="基准省")
        for t in range(teams):
            county = Organization.objects.create(name=f"基准县{t + 1}", parent=province)
            team = Team.objects.create(organization=county, name=f"基准县{t + 1}委常委班子")
            Member.objects.bulk_create(
                Member(team=team, name=f"成员{t + 1}-{m + 1}", position="委员", order=m)
                for m in range(MEMBERS)
            )
            round_ = Round.objects.create(
                team=team, title="2026年度", year=2026, framework=framework, start_date=start
            )
            common = {
                "round": round_,
                "scope": "each",
                "period": "month",
                "op": ">=",
                "start": start,
                "end": end,
            }
            Indicator.objects.bulk_create(
                [
                    Indicator(
                        name="每月至少走访1次",
                        kind="visit",
                        target=Decimal(1),
                        unit="次",
                        created_by=user,
                        **common,
                    ),
                    Indicator(
                        name="每月入户不少于10家次",
                        kind="household",
                        target=Decimal(10),
                        unit="家次",
                        created_by=user,
                        **common,
                    ),
                ]
            )
            rounds.append(round_)
        members = list(
            Member.objects.filter(team__organization__parent=province).values_list("pk", "team_id")
        )
        kinds = ["visit"] * 2 + ["study", "meeting", "household", "report"]
        batch: list[Activity] = []
        for member_id, team_id in members:
            for month in range(1, MONTHS + 1):
                for _ in range(PER_MONTH):
                    kind = rng.choice(kinds)
                    batch.append(
                        Activity(
                            team_id=team_id,
                            member_id=member_id,
                            date=datetime.date(2026, month, rng.randint(1, 28)),
                            kind=kind,
                            count=1,
                            households=rng.randint(0, 3) if kind == "visit" else 0,
                            entered_by=user,
                        )
                    )
                    if len(batch) >= BATCH:
                        Activity.objects.bulk_create(batch)
                        batch = []
        Activity.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return rounds


def measure(rounds: list[Any], today: datetime.date, repeat: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from luoshi.indicators import compliance
    from luoshi.indicators.models import Indicator

    def team_grid(round_: Any) -> dict[int, Any]:
        indicators = list(Indicator.objects.filter(round=round_).select_related("round__team"))
        return compliance.grids(indicators, today)

    def province_grid() -> dict[int, Any]:
        indicators = list(Indicator.objects.filter(round__in=rounds).select_related("round__team"))
        return compliance.grids(indicators, today)

    team_grid(rounds[0])  # warm up
    times, cpu = [], []
    for index in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        grids = team_grid(rounds[index % len(rounds)])
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    with CaptureQueriesContext(connection) as team_queries:
        grids = team_grid(rounds[0])
    cells = sum(len(g.cells) for g in grids.values())
    print(
        f"one team's grid ({len(grids)} indicators, {cells} member-periods): "
        f"wall median {statistics.median(times):.1f} ms, max {max(times):.1f} ms; "
        f"this process's CPU median {statistics.median(cpu):.1f} ms; {len(team_queries)} queries"
    )

    province_times, province_cpu = [], []
    for _ in range(3):
        began, began_cpu = time.perf_counter(), time.process_time()
        grids = province_grid()
        province_times.append(time.perf_counter() - began)
        province_cpu.append(time.process_time() - began_cpu)
    with CaptureQueriesContext(connection) as province_queries:
        grids = province_grid()
    tally = compliance.tally(grids.values())
    print(
        f"province's grids ({len(grids)} indicators, {sum(len(g.cells) for g in grids.values()):,} member-periods): "
        f"wall median {statistics.median(province_times):.2f} s, max {max(province_times):.2f} s; "
        f"this process's CPU median {statistics.median(province_cpu):.2f} s; "
        f"{len(province_queries)} queries; met {tally.met:,} / over {tally.over:,} ({tally.rate_text})"
    )


if __name__ == "__main__":
    sys.exit(main())
