"""Two organizers deciding at once: one decision per item, distinct ledger numbers (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from luoshi.errors import Conflict
from luoshi.ledger.models import Problem
from luoshi.recurrence import services
from luoshi.recurrence.models import Decision, FeedbackItem
from luoshi.recurrence.services import FeedbackEntry
from tests.recurrence.history import NEW_ITEM, RESTATED


def _race(*actions: Callable[[], Any]) -> list[BaseException]:
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")


@pytest.mark.django_db(transaction=True)
def test_the_same_item_is_decided_once(postgresql_only: None, round_: Any, organizer: Any) -> None:
    batch = services.import_feedback(
        round_, [FeedbackEntry(RESTATED, RESTATED)], actor=organizer, kind="supervision", name="反馈"
    )
    item = batch.items.get()
    errors = _race(
        lambda: services.mark_new(item, actor=organizer),
        lambda: services.dismiss(item, actor=organizer, reason="重复"),
    )
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    item.refresh_from_db()
    assert item.decision != Decision.PENDING
    assert Problem.objects.filter(round=round_).count() == (1 if item.decision == Decision.NEW else 0)


@pytest.mark.django_db(transaction=True)
def test_items_decided_at_once_get_distinct_numbers(
    postgresql_only: None, round_: Any, organizer: Any
) -> None:
    texts = [f"{NEW_ITEM}（{i}）" for i in range(6)]
    batch = services.import_feedback(
        round_, [FeedbackEntry(t, t) for t in texts], actor=organizer, kind="supervision", name="反馈"
    )
    items = list(FeedbackItem.objects.filter(batch=batch).order_by("order"))

    def decide(chunk: list[FeedbackItem]) -> Callable[[], None]:
        def run() -> None:
            for item in chunk:
                services.mark_new(item, actor=organizer)

        return run

    assert _race(decide(items[::2]), decide(items[1::2])) == []
    assert sorted(Problem.objects.filter(round=round_).values_list("number", flat=True)) == list(range(1, 7))
