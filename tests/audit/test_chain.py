"""The audit log is append-only and hash-chained; `luoshi audit verify` names the first broken event."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.db import connection, transaction

from luoshi.audit.chain import record, verify
from luoshi.audit.models import ChainHead, Event, EventType
from luoshi.cli import main


@pytest.fixture
def events(round_: Any, organizer: Any) -> list[Event]:
    # round_ already wrote one event (round.created); add four more.
    for n in range(4):
        record(EventType.PROBLEM_CREATED, round_, actor=organizer, new={"n": n, "日期": "2026-01-01"})
    return list(Event.objects.order_by("seq"))


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def drop_triggers() -> None:
    """What someone with database rights would do before editing the log."""
    if connection.vendor == "postgresql":
        raw("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
    else:
        raw("DROP TRIGGER IF EXISTS audit_event_no_update")


def test_events_chain_each_to_the_previous(events: list[Event]) -> None:
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert ChainHead.objects.get().hash == events[-1].hash
    assert verify().ok
    assert verify().checked == 5


def test_the_application_cannot_edit_or_delete_events(events: list[Event]) -> None:
    event = events[0]
    event.new = {"changed": True}
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        Event.objects.filter(pk=event.pk).update(new={})
    with pytest.raises(PermissionError):
        Event.objects.all().delete()


def test_the_database_refuses_updates_behind_the_orm(events: list[Event]) -> None:
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        raw("UPDATE audit_event SET new = %s WHERE seq = 3", ['{"n": 99}'])
    assert verify().ok


def test_verify_names_the_first_altered_event(events: list[Event]) -> None:
    drop_triggers()
    raw("UPDATE audit_event SET new = %s WHERE seq = 3", ['{"n": 99}'])
    raw("UPDATE audit_event SET actor_label = %s WHERE seq = 4", ["someone"])
    result = verify()
    assert not result.ok
    assert result.broken_seq == 3
    assert result.checked == 2
    assert "改动" in result.reason


def test_verify_notices_a_deleted_event(events: list[Event]) -> None:
    drop_triggers()
    raw("DELETE FROM audit_event WHERE seq = 2")
    result = verify()
    assert not result.ok
    assert result.broken_seq == 2


def test_verify_notices_the_tail_cut_off(events: list[Event]) -> None:
    drop_triggers()
    raw("DELETE FROM audit_event WHERE seq = 5")
    result = verify()
    assert not result.ok
    assert result.broken_seq == 5


def test_cli_reports_intact_then_broken(events: list[Event], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify"]) == 0
    assert "完好" in capsys.readouterr().out
    drop_triggers()
    raw("UPDATE audit_event SET target_id = %s WHERE seq = 2", ["999"])
    assert main(["audit", "verify"]) == 1
    assert "第 2 号事件" in capsys.readouterr().err


def test_an_event_and_its_change_roll_back_together(round_: Any, organizer: Any) -> None:
    before = Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(EventType.PROBLEM_CREATED, round_, actor=organizer, new={})
        raise RuntimeError("the change failed")
    assert Event.objects.count() == before
    assert verify().ok
