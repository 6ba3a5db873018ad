"""`luoshi remind --once [--dry-run] [--json]` and `luoshi channels list|add|remove|test`."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from luoshi.audit.models import Event
from luoshi.cli import main
from luoshi.notices.models import Channel, Delivery, Notice
from tests.notices.receivers import HttpReceiver

D = datetime.timedelta


def test_remind_once_json_lines(
    make_measure: Callable[..., Any], owner: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    measure = make_measure(status="in_progress", baseline_deadline=timezone.localdate() - D(days=1))
    assert main(["remind", "--once", "--dry-run", "--json"]) == 0
    planned = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {
        "rule": "overdue",
        "measure": measure.pk,
        "recipient": "owner",
        "channel": "inbox",
        "state": "would_send",
    }.items() <= planned[0].items()
    assert not Delivery.objects.exists()
    assert main(["remind", "--once", "--json"]) == 0
    sent = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted((s["rule"], s["recipient"], s["state"]) for s in sent if s["measure"] == measure.pk) == [
        ("newly_overdue", "organizer", "sent"),
        ("overdue", "owner", "sent"),
    ]
    assert Notice.objects.filter(user=owner).count() == 1
    assert main(["remind", "--once", "--json"]) == 0
    assert capsys.readouterr().out == ""  # nothing new


def test_remind_once_plain_summary(
    make_measure: Callable[..., Any], owner: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    make_measure(status="in_progress", baseline_deadline=timezone.localdate() - D(days=1))
    assert main(["remind", "--once"]) == 0
    assert "已发送" in capsys.readouterr().out


def test_channels_add_list_test_remove(
    county: Any, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    receiver = HttpReceiver().start()
    try:
        secret = tmp_path / "secret"
        secret.write_text("tok-cli-secret\n")
        url = f"{receiver.base}/hook?token=tok-in-url"
        assert (
            main(
                [
                    "channels",
                    "add",
                    "webhook",
                    "--org",
                    "示范县",
                    "--name",
                    "OA",
                    "--url",
                    url,
                    "--secret-file",
                    str(secret),
                ]
            )
            == 0
        )
        channel = Channel.objects.get()
        assert channel.secret == "tok-cli-secret"
        assert main(["channels", "list"]) == 0
        listing = capsys.readouterr().out
        assert "OA" in listing and "已设密钥" in listing
        assert "tok-cli-secret" not in listing and "tok-in-url" not in listing
        assert main(["channels", "test", str(channel.pk)]) == 0
        assert receiver.requests[0][2]["Authorization"] == "Bearer tok-cli-secret"
        assert main(["channels", "remove", str(channel.pk)]) == 0
        assert not Channel.objects.exists()
        logged = " ".join(str(e.new) + str(e.old) for e in Event.objects.all())
        assert "tok-cli-secret" not in logged and "tok-in-url" not in logged
        assert main(["channels", "remove", "999"]) == 1
        assert main(["channels", "add", "wecom", "--org", "示范县", "--name", "x", "--url", "notaurl"]) == 1
    finally:
        receiver.stop()


def test_the_serve_loop_ends_with_its_server_and_can_be_turned_off(settings: Any, db: None) -> None:
    import argparse
    import os

    from luoshi.notices.commands import run_loop

    settings.LUOSHI_REMIND_EVERY_MINUTES = 0
    assert run_loop(argparse.Namespace(parent=os.getppid())) == 0  # off: returns at once
    settings.LUOSHI_REMIND_EVERY_MINUTES = 15
    assert run_loop(argparse.Namespace(parent=os.getppid() + 1)) == 0  # its server is gone


def test_serve_starts_the_reminder_loop_unless_turned_off(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    from luoshi.web.commands import serve

    started: list[list[str]] = []
    monkeypatch.setattr(subprocess, "Popen", lambda argv, **kw: started.append(argv))
    settings.LUOSHI_REMIND_EVERY_MINUTES = 0
    serve.start_reminders()
    assert started == []
    settings.LUOSHI_REMIND_EVERY_MINUTES = 15
    serve.start_reminders()
    assert started and started[0][3:6] == ["remind", "--loop", "--parent"]
