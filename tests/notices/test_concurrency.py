"""Two reminder passes at the same time, from two database connections (PostgreSQL): nothing is
sent twice, whether the lease keeps them apart or two senders race for the same rows."""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from luoshi.notices import services
from luoshi.notices.delivery import enqueue, run_pass, send_due
from luoshi.notices.models import Delivery, Notice
from luoshi.notices.rules import evaluate
from tests.notices.conftest import TODAY, at
from tests.notices.receivers import HttpReceiver

D = datetime.timedelta


def _race(*actions: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(len(actions))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(action: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(action())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent passes need PostgreSQL (SQLite serialises the whole database)")


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def due_measures(
    make_measure: Callable[..., Any], owner: Any, county: Any, organizer: Any, http: HttpReceiver
) -> None:
    services.add_channel(
        county, actor=organizer, kind="webhook", name="OA", config={"url": f"{http.base}/hook"}
    )
    for days in range(-30, 8):
        make_measure(status="in_progress", baseline_deadline=TODAY + D(days=days))


@pytest.mark.django_db(transaction=True)
def test_two_passes_at_once_send_each_message_once(
    postgresql_only: None, due_measures: None, http: HttpReceiver
) -> None:
    now = at(TODAY)
    results, errors = _race(lambda: run_pass(now), lambda: run_pass(now))
    assert errors == [] and any(result.ran for result in results)
    run_pass(now + D(minutes=15))  # whichever pass skipped, the next one finds nothing new
    keys = Counter((b["key"], b["recipient"]) for _path, _q, _h, b in http.requests)
    assert keys and max(keys.values()) == 1
    rows = Delivery.objects.filter(channel_key__startswith="c")
    assert len(http.requests) == rows.count() == rows.filter(state="sent").count()
    inbox = Delivery.objects.filter(channel_key="inbox").count()
    assert Notice.objects.count() == inbox


@pytest.mark.django_db(transaction=True)
def test_two_senders_racing_past_the_lease_claim_each_row_once(
    postgresql_only: None, due_measures: None, http: HttpReceiver
) -> None:
    now = at(TODAY)
    enqueue(evaluate(now), now)
    queued = Delivery.objects.count()
    results, errors = _race(lambda: send_due("one", now), lambda: send_due("two", now))
    assert errors == []
    sent_by = [len(outcome.rows) for outcome in results]
    assert sum(sent_by) == queued  # every row by exactly one of them
    assert Notice.objects.count() == Delivery.objects.filter(channel_key="inbox").count()
    assert len(http.requests) == Delivery.objects.filter(channel_key__startswith="c").count()


@pytest.mark.django_db(transaction=True)
def test_two_enqueues_at_once_store_each_key_once(postgresql_only: None, due_measures: None) -> None:
    now = at(TODAY)
    dues = evaluate(now)
    _results, errors = _race(lambda: enqueue(dues, now), lambda: enqueue(dues, now))
    assert errors == []
    assert Delivery.objects.count() == len({(d.key) for d in dues}) * 2  # inbox + the webhook
