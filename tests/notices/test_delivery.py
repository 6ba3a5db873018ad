"""Delivery in effect exactly once: a second pass sends nothing, the lease keeps passes apart, quiet
hours hold what is not urgent, a person's digest gathers a day's reminders into one message."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from luoshi.notices import services
from luoshi.notices.delivery import acquire, release, release_time, run_pass
from luoshi.notices.models import Delivery, DeliveryState, Notice, PassLease, Preference
from tests.notices.conftest import TODAY, at, keys
from tests.notices.receivers import HttpReceiver

D = datetime.timedelta


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def wecom(county: Any, organizer: Any, http: HttpReceiver) -> Any:
    return services.add_channel(
        county, actor=organizer, kind="wecom", name="群", config={"url": f"{http.base}/wecom?key=k"}
    )


def test_running_the_pass_twice_sends_nothing_twice(
    make_measure: Callable[..., Any], owner: Any, wecom: Any, http: HttpReceiver, run_at: Callable[..., Any]
) -> None:
    for days in (-1, 0, 3, 7):
        make_measure(status="in_progress", baseline_deadline=TODAY + D(days=days))
    first = run_at(TODAY)
    mine = [r for r in first.rows if r.state == "sent" and r.recipient_id == owner.pk]
    assert len(mine) == 8  # four reminders x (inbox, WeCom)
    notices, posts = Notice.objects.count(), len(http.requests)
    second = run_at(TODAY, hour=10, minute=15)
    assert second.ran and second.rows == []
    assert (Notice.objects.count(), len(http.requests)) == (notices, posts)
    assert Delivery.objects.filter(state=DeliveryState.SENT, recipient=owner).count() == 8


def test_a_held_lease_stops_a_second_pass(make_measure: Callable[..., Any], owner: Any) -> None:
    make_measure(status="in_progress", baseline_deadline=TODAY - D(days=1))
    now = at(TODAY)
    assert acquire("other-server", now)
    assert run_pass(now).ran is False
    assert not Delivery.objects.exists()
    release("other-server", now)
    assert run_pass(now).ran is True
    assert Delivery.objects.exists()


def test_an_expired_lease_is_taken_over(make_measure: Callable[..., Any], owner: Any) -> None:
    now = at(TODAY)
    assert acquire("crashed", now - D(minutes=11))
    assert run_pass(now).ran is True
    assert PassLease.objects.get().holder == ""


def test_a_dry_run_changes_nothing(make_measure: Callable[..., Any], owner: Any, wecom: Any) -> None:
    make_measure(status="in_progress", baseline_deadline=TODAY - D(days=1))
    result = run_pass(at(TODAY), dry_run=True)
    assert {(r.rule, r.channel_key) for r in result.planned if r.recipient_id == owner.pk} == {
        ("overdue", "inbox"),
        ("overdue", wecom.key),
    }
    assert not Delivery.objects.exists() and not Notice.objects.exists()


@pytest.mark.parametrize(
    ("hour", "minute", "held_until"),
    [
        (21, 59, None),
        (22, 0, (1, 7, 30)),
        (23, 30, (1, 7, 30)),
        (3, 0, (0, 7, 30)),
        (7, 29, (0, 7, 30)),
        (7, 30, None),
    ],
)
def test_quiet_hours_default_22_to_7_30(
    hour: int, minute: int, held_until: tuple[int, int, int] | None
) -> None:
    now = at(TODAY, hour, minute)
    released = release_time(now, None, urgent=False)
    if held_until is None:
        assert released == now
    else:
        days, h, m = held_until
        assert released == at(TODAY + D(days=days), h, m)
    assert release_time(now, None, urgent=True) == now


def test_quiet_hours_hold_channels_but_not_the_inbox_or_urgent_messages(
    make_measure: Callable[..., Any],
    owner: Any,
    reviewer: Any,
    wecom: Any,
    http: HttpReceiver,
    run_at: Callable[..., Any],
) -> None:
    make_measure(status="in_progress", baseline_deadline=TODAY - D(days=16))
    run_at(TODAY, hour=23)
    sent = {(d.rule, d.channel_key) for d in Delivery.objects.filter(state="sent")}
    assert ("overdue", "inbox") in sent and ("escalation", wecom.key) in sent  # urgent goes at once
    held = Delivery.objects.get(rule="overdue", channel=wecom)
    assert held.state == DeliveryState.QUEUED and held.next_attempt_at == at(TODAY + D(days=1), 7, 30)
    run_at(TODAY + D(days=1), hour=7, minute=30)
    assert Delivery.objects.get(pk=held.pk).state == DeliveryState.SENT


def test_a_person_s_own_quiet_hours(owner: Any) -> None:
    services.save_preference(owner, mode="immediate", kinds=[], quiet_hours="12:00-14:00")
    preference = Preference.objects.get(user=owner)
    assert release_time(at(TODAY, 12, 30), preference, urgent=False) == at(TODAY, 14, 0)
    assert release_time(at(TODAY, 23, 0), preference, urgent=False) == at(TODAY, 23, 0)


def test_digest_mode_gathers_a_day_s_reminders_into_one_message(
    make_measure: Callable[..., Any], owner: Any, wecom: Any, http: HttpReceiver, run_at: Callable[..., Any]
) -> None:
    services.save_preference(owner, mode="digest", kinds=[])
    make_measure(status="in_progress", baseline_deadline=TODAY - D(days=1))
    make_measure(status="in_progress", baseline_deadline=TODAY + D(days=3))
    run_at(TODAY - D(days=0), hour=9)  # after today's digest time: held for tomorrow's
    assert len([d for d in Delivery.objects.filter(channel=wecom) if d.state == "queued" and d.digest]) == 2
    assert Notice.objects.filter(user=owner).count() == 2  # the inbox is not held

    def owner_posts() -> list[str]:
        contents = [body["markdown"]["content"] for _p, _q, _h, body in http.requests]
        return [c for c in contents if "致 owner" in c]

    assert owner_posts() == []
    run_at(TODAY + D(days=1), hour=8)
    assert len(owner_posts()) == 1
    content = owner_posts()[0]
    assert "每日汇总：2 条提醒" in content and "已逾期" in content and "还剩" in content
    assert set(Delivery.objects.filter(channel=wecom).values_list("state", flat=True)) == {"sent"}


def test_inbox_notice_links_to_the_measure(
    make_measure: Callable[..., Any], owner: Any, run_at: Callable[..., Any]
) -> None:
    measure = make_measure(status="in_progress", baseline_deadline=TODAY)
    run_at(TODAY)
    notice = Notice.objects.get(user=owner)
    assert notice.url == f"/measures/{measure.pk}/" and "今天到期" in notice.text
    assert keys(rule="deadline") == [("deadline", f"{TODAY.isoformat()}:d0", "owner")]
