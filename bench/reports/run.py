"""Benchmark the reports on one core: the 整改落实情况报告 (.docx) and the ledger (.xlsx) of a round
of 500 measures, and their query counts on a small and a large round.

    python bench/reports/run.py [--measures 500] [--repeat 5] [--postgres postgresql://…/db]

Builds the rounds in a fresh SQLite database in a temporary directory (or in the PostgreSQL
database given, which it empties first with `migrate` on a new schema-less database: give it a
database of its own), pins itself to one CPU, and prints a Markdown table of the best wall and CPU
times of REPEAT runs, the file sizes, and the queries each report made at both sizes.
Targets: each under 1 s; the query count the same for both sizes.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

SMALL = 20


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"CPU {core}"
    return "not pinned"


def build_round(title: str, measures: int) -> Any:
    """A round of MEASURES measures, two per problem across the six aspects, in every state, with
    progress updates, outcomes, reviews and extensions as a real round has them."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from luoshi.ledger.models import Extension, Measure, Problem, ProgressUpdate, Review, Round
    from luoshi.ledger.services import default_framework
    from luoshi.orgs.models import Member, Organization, Team

    statuses = [
        "closed",
        "in_progress",
        "submitted",
        "continuing",
        "returned",
        "planned",
        "closed",
        "in_progress",
    ]
    text = "严格落实“第一议题”制度，每月至少开展1次专题学习，班子成员每年到基层宣讲不少于2次，形成调研报告并转化为具体措施"
    with transaction.atomic():
        user = get_user_model().objects.create(username=f"bench_{title}")
        reviewer = get_user_model().objects.create(username=f"bench_reviewer_{title}", first_name="督查室")
        county = Organization.objects.create(name=f"基准县{title}")
        team = Team.objects.create(organization=county, name="县委常委班子")
        members = [
            Member.objects.create(team=team, name=f"成员{k}", position="常委", order=k) for k in range(8)
        ]
        framework = default_framework()
        aspects = list(framework.aspects.all())
        round_ = Round.objects.create(team=team, title=f"{title}民主生活会", year=2025, framework=framework)
        today = timezone.localdate()
        problems = Problem.objects.bulk_create(
            Problem(
                round=round_,
                number=n + 1,
                aspect=aspects[n % len(aspects)],
                summary=f"问题{n + 1}：理论学习不够系统深入",
                text=f"问题{n + 1}：理论学习不够系统深入，以传达文件代替专题研讨，学用结合不紧。",
            )
            for n in range((measures + 1) // 2)
        )
        created = Measure.objects.bulk_create(
            Measure(
                round=round_,
                problem=problems[n // 2],
                number=n + 1,
                summary=f"措施{n + 1}",
                text=f"{n + 1}.{text}",
                owner=members[n % len(members)],
                department="县委办",
                status=statuses[n % len(statuses)],
                baseline_deadline=today + datetime.timedelta(days=(n % 90) - 45),
                current_deadline=today + datetime.timedelta(days=(n % 90) - 45 + (30 if n % 10 == 3 else 0)),
                outcome="已按措施要求完成，形成制度文件和会议纪要。" if n % 8 in (0, 2, 3, 6) else "",
                closed_at=timezone.now() if statuses[n % len(statuses)] == "closed" else None,
            )
            for n in range(measures)
        )
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(
                measure=m, date=today, text=f"第{k + 1}次进展：召开专题会议研究部署。", author=user
            )
            for m in created
            for k in range(2)
        )
        Review.objects.bulk_create(
            Review(
                measure=m,
                decision="close" if m.status == "closed" else "return",
                reasons="佐证充分",
                digest="0" * 64,
                reviewer=reviewer,
            )
            for m in created
            if m.status in ("closed", "returned")
        )
        Extension.objects.bulk_create(
            Extension(
                measure=m,
                requested_deadline=m.current_deadline,
                reason="等待上级文件",
                status="approved",
                requested_by=user,
                decided_by=reviewer,
                decided_at=timezone.now(),
            )
            for m in created
            if m.current_deadline != m.baseline_deadline
        )
    return round_


def measure(work: Callable[[], bytes], repeat: int) -> tuple[float, float, int, int]:
    """Best wall and CPU seconds of REPEAT runs, the output size, and the queries of one run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        size = len(work())
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), size, len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--measures", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", help="a PostgreSQL URL of a database of its own (emptied first)")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="luoshi-bench-reports-")
    os.environ["LUOSHI_DATA_DIR"] = tmp.name
    os.environ["LUOSHI_DATABASE_URL"] = args.postgres or f"sqlite:///{tmp.name}/bench.sqlite3"
    from luoshi.web.bootstrap import setup_django

    setup_django()
    from django.core.management import call_command

    if args.postgres:
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    core = pin_to_one_core()

    from luoshi.reports.ledger_xlsx import write_round_ledger
    from luoshi.reports.progress import write_progress_report

    small = build_round("小", SMALL)
    large = build_round("大", args.measures)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{database}, {core}, best of {args.repeat}; round of {args.measures} measures")
    print()
    print("| 报告 | 墙钟 s | CPU s | 文件 KB | SQL 条数（20 项 / " + str(args.measures) + " 项） |")
    print("|---|---:|---:|---:|---:|")
    failed = False
    for name, writer in (
        ("整改落实情况报告 .docx", write_progress_report),
        ("整改台账 .xlsx", write_round_ledger),
    ):
        _w, _c, _s, small_queries = measure(lambda w=writer: w(small), 1)
        wall, cpu, size, queries = measure(lambda w=writer: w(large), args.repeat)
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {size / 1024:.0f} | {small_queries} / {queries} |")
        failed = failed or wall >= 1.0 or queries != small_queries
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
