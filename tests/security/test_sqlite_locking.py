"""An import never locks everyone else out of SQLite (issue 15, point 7).

SQLite has one writer at a time. An import that read and parsed its spreadsheet (or matched feedback
against the history) inside its write transaction held the lock for as long as that took: a 32 s
import made another user's login fail with "database is locked". The test runs in a separate
process on a real database file (the test database is in memory), with two threads: while the
import is in its slow part (reading the spreadsheet, matching feedback, turning a draft back into a
document before confirming it), the other thread logs a user in (a write). The slow part is held open
until the login has finished, and the login's busy timeout is 2 s: if the import held the write
lock meanwhile, the login fails, whatever the speed of the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

SCRIPT = textwrap.dedent(
    """
    import io, json, os, threading

    import django

    django.setup()
    from django.db import connections

    connections.settings["default"]["OPTIONS"]["timeout"] = 2  # a login waits 2 s for the lock at most
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
    from luoshi.recurrence import matching, services as feedback
    from luoshi.recurrence.models import FeedbackItem

    User = get_user_model()
    county = Organization.objects.create(name="示范县")
    team = Team.objects.create(organization=county, name="县委常委班子")
    organizer = User.objects.create_user("organizer", password="pw-organizer")
    RoleAssignment.objects.create(user=organizer, organization=county, role="organizer")
    member = User.objects.create_user("member", password="pw-member")
    Member.objects.create(team=team, name="李建华", position="县长", user=member)
    round_ = create_round(team=team, title="2025年度民主生活会", year=2025, actor=organizer)

    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "方面", "问题", "整改措施", "责任领导", "责任单位", "完成时限"])
    for n in range(1, 201):
        sheet.append([n, "理论学习", f"问题{n}：学习不够深入", f"每月至少集中学习1次（{n}）", "李建华", "县委办", "2026年6月底"])
    buffer = io.BytesIO()
    book.save(buffer)
    ledger = buffer.getvalue()


    def during(real, slow_part):
        \"\"\"REAL, made to wait in its slow part until the other thread has logged in.\"\"\"
        def wrapper(*args, **kwargs):
            slow_part["started"].set()
            slow_part["login_done"].wait(30)
            return real(*args, **kwargs)
        return wrapper


    def login(slow_part, result):
        slow_part["started"].wait(30)
        try:
            with transaction.atomic():
                User.objects.filter(pk=member.pk).update(last_login=timezone.now())
                session = SessionStore()
                session["_auth_user_id"] = str(member.pk)
                session.create()
            result["login"] = "ok"
        except Exception as error:
            result["login"] = f"{type(error).__name__}: {error}"
        finally:
            slow_part["login_done"].set()
            connection.close()


    def run(name, start_import):
        slow_part = {"started": threading.Event(), "login_done": threading.Event()}
        result = {}
        def importer():
            try:
                start_import(slow_part)
                result["import"] = "ok"
            except Exception as error:
                result["import"] = f"{type(error).__name__}: {error}"
            finally:
                connection.close()
        threads = [threading.Thread(target=importer), threading.Thread(target=login, args=(slow_part, result))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        print(json.dumps({"case": name, **result}), flush=True)


    def ledger_import(slow_part):
        imports.read_ledger = during(imports.read_ledger, slow_part)
        imports.import_ledger(round_, actor=organizer, filename="台账.xlsx", data=ledger)


    def feedback_import(slow_part):
        matching.match_texts = during(matching.match_texts, slow_part)
        entries = [feedback.FeedbackEntry(f"理论学习不够深入{n}") for n in range(20)]
        feedback.import_feedback(round_, entries, actor=organizer, kind="supervision", name="督导反馈")


    def draft_confirmation(slow_part):
        text = "整改措施\\n" + "\\n".join(f"{n}. 每月至少集中学习1次（第{n}项）" for n in range(1, 51))
        draft = imports.draft_from_text(round_, actor=organizer, text=text)
        imports.parsed_from_dict = during(imports.parsed_from_dict, slow_part)
        imports.confirm_draft(draft, actor=organizer)


    run("ledger", ledger_import)
    run("feedback", feedback_import)
    run("draft", draft_confirmation)
    print(json.dumps({"measures": Measure.objects.count(), "feedback": FeedbackItem.objects.count()}))
    """
)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single writer; PostgreSQL locks rows")
def test_a_login_succeeds_while_an_import_is_reading(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "luoshi.web.settings",
        "LUOSHI_DATA_DIR": str(tmp_path),
        "LUOSHI_DATABASE_URL": "",
        "LUOSHI_LOG_LEVEL": "ERROR",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    results = {line["case"]: line for line in lines if "case" in line}
    assert results["ledger"] == {"case": "ledger", "import": "ok", "login": "ok"}
    assert results["feedback"] == {"case": "feedback", "import": "ok", "login": "ok"}
    assert results["draft"] == {"case": "draft", "import": "ok", "login": "ok"}
    assert lines[-1] == {"measures": 250, "feedback": 20}
