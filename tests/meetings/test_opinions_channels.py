"""Contact details never reach a channel: a webhook robot receives the reminders about a measure of a
problem formed from an opinion (and the members' notices of forwarded opinions), never the contact."""

from __future__ import annotations

import datetime
import json
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest

from luoshi.ledger.models import Measure
from luoshi.meetings import services_opinions as services
from luoshi.notices import services as notice_services
from luoshi.notices.delivery import run_pass
from luoshi.notices.models import Delivery, Notice
from tests.notices.receivers import HttpReceiver

CONTACT = "13800001111"
pytestmark = pytest.mark.django_db


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


def test_webhooks_notices_and_deliveries_carry_no_contact(
    county: Any,
    organizer: Any,
    owner: Any,
    round_: Any,
    http: HttpReceiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    mayor = owner.memberships.get()
    notice_services.add_channel(
        county, actor=organizer, kind="webhook", name="督查群", config={"url": f"{http.base}/hook"}
    )
    link = services.open_link(round_, actor=organizer)
    opinion = services.submit_public(link, text="李建华同志调研走过场", target=mayor, contact=CONTACT)
    services.classify(opinion, actor=organizer, aspect=None, target=mayor)
    with django_capture_on_commit_callbacks(execute=True):
        services.forward(round_, actor=organizer)
    problem = services.create_problem(opinion, actor=organizer, summary="李建华同志调研走过场")
    today = datetime.date(2026, 3, 10)
    Measure.objects.create(
        round=round_,
        problem=problem,
        number=1,
        summary="改进调研方式",
        owner=mayor,
        status="in_progress",
        baseline_deadline=today - datetime.timedelta(days=1),
    )

    run_pass(datetime.datetime(2026, 3, 10, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")))

    assert http.requests  # the robot was called
    sent = json.dumps([body for _path, _query, _headers, body in http.requests], ensure_ascii=False)
    stored = " ".join(f"{d.subject} {d.body}" for d in Delivery.objects.all())
    notices = " ".join(Notice.objects.values_list("text", flat=True))
    assert "改进调研方式" in sent or "改进调研方式" in stored
    assert notices
    for text in (sent, stored, notices):
        assert CONTACT not in text
