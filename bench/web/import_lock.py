"""Ordinary writes during a large import on SQLite: does a login wait briefly, or fail?

    python bench/web/import_lock.py [--rows 20000] [--timeout 20]

Builds a ledger spreadsheet of ROWS rows, imports it into a round (a real database file, WAL, the
configured busy timeout) while another thread logs a user in every 50 ms (last_login and a new
session, one transaction, as django.contrib.auth.login writes them). Prints the import's time, the
logins made during it, the slowest login and how many failed.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import threading
import time


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument(
        "--timeout", type=float, default=None, help="SQLite busy timeout, s (default: settings)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="luoshi-lock-") as tmp:
        os.environ.update(LUOSHI_DATA_DIR=tmp, LUOSHI_DATABASE_URL="", LUOSHI_LOG_LEVEL="ERROR")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luoshi.web.settings")
        import django

        django.setup()
        from django.db import connections

        if args.timeout is not None:
            connections.settings["default"]["OPTIONS"]["timeout"] = args.timeout
        from django.contrib.auth import get_user_model
        from django.contrib.sessions.backends.db import SessionStore
        from django.core.management import call_command
        from django.db import connection, transaction
        from django.utils import timezone
        from openpyxl import Workbook

        call_command("migrate", verbosity=0)
        from luoshi.ledger import imports
        from luoshi.ledger.models import Measure
        from luoshi.ledger.services import create_round
        from luoshi.orgs.models import Member, Organization, RoleAssignment, Team

        user_model = get_user_model()
        county = Organization.objects.create(name="示范县")
        team = Team.objects.create(organization=county, name="县委常委班子")
        organizer = user_model.objects.create_user("organizer")
        RoleAssignment.objects.create(user=organizer, organization=county, role="organizer")
        member = user_model.objects.create_user("member")
        Member.objects.create(team=team, name="李建华", position="县长", user=member)
        round_ = create_round(team=team, title="2025年度民主生活会", year=2025, actor=organizer)
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["序号", "方面", "问题", "整改措施", "责任领导", "责任单位", "完成时限", "整改进展"])
        for n in range(1, args.rows + 1):
            sheet.append(
                [
                    n,
                    "理论学习",
                    f"问题{n}：理论学习不够系统深入，学用结合不紧",
                    f"每月至少集中学习1次，每季度至少讲党课1次（{n}）",
                    "李建华",
                    "县委办",
                    "2026年6月底",
                    "2026-01-15 召开专题学习会",
                ]
            )
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()

        importing = threading.Event()
        finished = threading.Event()
        waits: list[float] = []
        failures: list[str] = []

        def login_loop() -> None:
            importing.wait()
            while not finished.is_set():
                start = time.perf_counter()
                try:
                    with transaction.atomic():
                        user_model.objects.filter(pk=member.pk).update(last_login=timezone.now())
                        session = SessionStore()
                        session["_auth_user_id"] = str(member.pk)
                        session.create()
                    waits.append(time.perf_counter() - start)
                except Exception as error:
                    failures.append(f"{type(error).__name__}: {error}")
                time.sleep(0.05)
            connection.close()

        # The write transaction alone: how long everyone else's writes may have to wait.
        write_times: list[float] = []
        # (Before the write was split off, the whole import was one transaction.)
        real_write = getattr(imports, "_write_ledger", None) or imports.import_ledger
        name = "_write_ledger" if hasattr(imports, "_write_ledger") else "import_ledger"

        def timed_write(*a: object, **k: object) -> object:
            begun = time.perf_counter()
            try:
                return real_write(*a, **k)  # type: ignore[arg-type]
            finally:
                write_times.append(time.perf_counter() - begun)

        setattr(imports, name, timed_write)
        thread = threading.Thread(target=login_loop)
        thread.start()
        importing.set()
        start = time.perf_counter()
        imports.import_ledger(round_, actor=organizer, filename="台账.xlsx", data=data)  # type: ignore[call-arg]
        took = time.perf_counter() - start
        finished.set()
        thread.join()
        timeout = connections.settings["default"]["OPTIONS"]["timeout"]
        print(
            f"SQLite (WAL, busy timeout {timeout} s): ledger of {args.rows} rows, {Measure.objects.count()} measures"
        )
        print(
            f"import {took:.1f} s, of which the write transaction {sum(write_times):.1f} s;"
            f" logins during it: {len(waits)} ok, {len(failures)} failed"
        )
        if waits:
            ordered = sorted(waits)
            print(
                f"login p50 {ordered[len(ordered) // 2] * 1000:.0f} ms, slowest {ordered[-1] * 1000:.0f} ms"
            )
        for failure in failures[:3]:
            print("failed:", failure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
