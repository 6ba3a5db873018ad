"""The reminder rules, boundary day by boundary day, and who receives what (never a measure one may
not see)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from luoshi.ledger import progress
from luoshi.ledger.models import Review
from luoshi.ledger.services import transition
from luoshi.ledger.states import MeasureStatus
from luoshi.notices.models import Delivery, Notice, ReminderPolicy
from luoshi.notices.rules import deadline_bucket, week_index
from luoshi.orgs.models import Member, RoleAssignment, Team
from tests.notices.conftest import TODAY, at, keys

D = datetime.timedelta


@pytest.mark.parametrize(
    ("days_left", "bucket"),
    [(8, None), (7, 7), (6, 7), (4, 7), (3, 3), (2, 3), (1, 1), (0, 0), (-1, None)],
)
def test_deadline_bucket_is_the_tightest_offset_reached(days_left: int, bucket: int | None) -> None:
    assert deadline_bucket(days_left, (7, 3, 1)) == bucket


@pytest.mark.parametrize(("days", "week"), [(1, 0), (7, 0), (8, 1), (14, 1), (15, 2)])
def test_overdue_repeats_weekly_from_the_day_it_becomes_overdue(days: int, week: int) -> None:
    assert week_index(days) == week


def test_before_the_deadline_on_each_offset_once(
    make_measure: Callable[..., Any], owner: Any, run_at: Callable[..., Any]
) -> None:
    deadline = TODAY + D(days=8)
    measure = make_measure(status="in_progress", baseline_deadline=deadline)
    seen = []
    for offset in range(8, -1, -1):  # eight days before … the day itself
        run_at(deadline - D(days=offset))
        seen.append(len(keys(measure_id=measure.pk)))
    # nothing at 8 days; d7 on day 7 (and no repeat on 6, 5, 4); d3; d1; the day itself.
    assert seen == [0, 1, 1, 1, 1, 2, 2, 3, 4]
    assert [p for _r, p, _u in keys(rule="deadline")] == sorted(
        f"{deadline.isoformat()}:d{d}" for d in (0, 1, 3, 7)
    )
    assert {u for _r, _p, u in keys(measure_id=measure.pk)} == {"owner"}


def test_overdue_on_the_first_day_then_weekly_and_escalated_after_fifteen_days(
    make_measure: Callable[..., Any], reviewer: Any, run_at: Callable[..., Any]
) -> None:
    deadline = TODAY
    make_measure(status="in_progress", baseline_deadline=deadline)
    for day in range(1, 17):
        run_at(deadline + D(days=day))
    overdue = [p for r, p, _u in keys() if r == "overdue"]
    assert overdue == [f"{deadline.isoformat()}:w{w}" for w in (0, 1, 2)]  # days 1, 8, 15
    escalations = [(p, u) for r, p, u in keys() if r == "escalation"]
    assert escalations == [(deadline.isoformat(), "reviewer")]  # day 16: more than 15 days
    first = Delivery.objects.get(rule="escalation", channel_key="inbox")
    assert first.urgent
    assert Delivery.objects.filter(rule="escalation", created_at__isnull=False).count() == 1


def test_escalation_goes_to_the_reviewer_of_the_level_above(
    make_user: Callable[..., Any], county: Any, town: Any, reviewer: Any, run_at: Callable[..., Any]
) -> None:
    from luoshi.audit.models import Event, EventType
    from luoshi.ledger.models import Measure, Round
    from luoshi.ledger.services import default_framework

    town_reviewer = make_user("town_reviewer")
    RoleAssignment.objects.create(user=town_reviewer, organization=town, role="reviewer")
    town_owner = make_user("town_owner")
    RoleAssignment.objects.create(user=town_owner, organization=town, role="member")
    team = Team.objects.create(organization=town, name="镇党委班子")
    member = Member.objects.create(team=team, name="周镇长", position="镇长", user=town_owner)
    round_ = Round.objects.create(team=team, title="镇轮次", year=2025, framework=default_framework())
    measure = Measure.objects.create(
        round=round_, number=1, summary="镇措施", owner=member, status="in_progress", baseline_deadline=TODAY
    )
    run_at(TODAY + D(days=16))
    assert [u for r, _p, u in keys() if r == "escalation"] == ["reviewer"]  # county, not the town's own
    assert [u for r, _p, u in keys() if r == "overdue"] == ["town_owner"]
    run_at(TODAY + D(days=16), hour=11)
    assert [u for r, _p, u in keys() if r == "escalation"] == ["reviewer"]  # once per deadline
    # A reminder, not an audit event: the delivery log shows it (escalated 督办单 are events).
    assert not Event.objects.filter(
        event_type=EventType.MEASURE_ESCALATED, target_id=str(measure.pk)
    ).exists()


def test_round_policy_overrides_offsets_and_escalation(
    make_measure: Callable[..., Any], round_: Any, reviewer: Any, run_at: Callable[..., Any]
) -> None:
    ReminderPolicy.objects.create(round=round_, before_days="10", escalate_days=2)
    make_measure(status="in_progress", baseline_deadline=TODAY + D(days=10))
    make_measure(status="in_progress", baseline_deadline=TODAY - D(days=3))
    run_at(TODAY)
    rules = sorted(r for r, _p, _u in keys(measure_id__isnull=False))
    assert rules == ["deadline", "escalation"]  # overdue 3 days: not a weekly reminder day


def test_submitted_measure_reminds_reviewers_not_the_owner(
    measure: Any, owner: Any, reviewer: Any, run_at: Callable[..., Any]
) -> None:
    transition(measure, MeasureStatus.IN_PROGRESS, actor=owner)
    transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="已完成")
    submitted = measure.__class__.objects.get(pk=measure.pk).submitted_at
    measure.__class__.objects.filter(pk=measure.pk).update(submitted_at=at(TODAY))
    assert submitted is not None
    run_at(TODAY + D(days=4))
    assert keys(rule="review_waiting") == []
    run_at(TODAY + D(days=5))
    assert keys(rule="review_waiting") == [("review_waiting", f"{TODAY.isoformat()}:w0", "reviewer")]
    run_at(TODAY + D(days=12))
    assert len(keys(rule="review_waiting")) == 2  # weekly after that


def test_extension_waiting_reminds_reviewers(
    measure: Any, owner: Any, reviewer: Any, run_at: Callable[..., Any]
) -> None:
    from luoshi.ledger.models import Extension

    transition(measure, MeasureStatus.IN_PROGRESS, actor=owner)
    extension = progress.request_extension(
        measure, actor=owner, requested_deadline=datetime.date(2026, 9, 30), reason="汛期施工受限"
    )
    Extension.objects.filter(pk=extension.pk).update(requested_at=at(TODAY))
    run_at(TODAY + D(days=2))
    assert keys(rule="extension_waiting") == []
    run_at(TODAY + D(days=3))
    assert keys(rule="extension_waiting") == [("extension_waiting", "w0", "reviewer")]


def test_returned_without_progress_reminds_the_owner_until_progress_comes(
    measure: Any, owner: Any, reviewer: Any, run_at: Callable[..., Any]
) -> None:
    transition(measure, MeasureStatus.IN_PROGRESS, actor=owner)
    transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="已完成")
    transition(measure, MeasureStatus.RETURNED, actor=reviewer, reason="材料不足")
    Review.objects.filter(measure=measure).update(created_at=at(TODAY))
    run_at(TODAY + D(days=6))
    assert keys(rule="returned_idle") == []
    run_at(TODAY + D(days=7))
    assert keys(rule="returned_idle") == [("returned_idle", f"{TODAY.isoformat()}:w0", "owner")]


def test_returned_with_new_progress_is_quiet(
    measure: Any, owner: Any, reviewer: Any, run_at: Callable[..., Any]
) -> None:
    from django.utils import timezone

    transition(measure, MeasureStatus.IN_PROGRESS, actor=owner)
    transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="已完成")
    transition(measure, MeasureStatus.RETURNED, actor=reviewer, reason="材料不足")
    Review.objects.filter(measure=measure).update(created_at=at(TODAY))
    transition(measure, MeasureStatus.IN_PROGRESS, actor=owner)
    progress.record_progress(measure, actor=owner, date=timezone.localdate(), text="补充了成效数据")
    measure.__class__.objects.filter(pk=measure.pk).update(status="returned")
    run_at(TODAY + D(days=8))
    assert keys(rule="returned_idle") == []


def test_monthly_update_missing_only_where_the_round_asks(
    make_measure: Callable[..., Any], round_: Any, owner: Any, run_at: Callable[..., Any]
) -> None:
    measure = make_measure(status="in_progress")
    day = datetime.date(2026, 3, 25)
    run_at(day)
    assert keys(rule="update_missing") == []  # the round does not ask for monthly updates
    ReminderPolicy.objects.create(round=round_, monthly_updates=True)
    run_at(day - D(days=1))
    assert keys(rule="update_missing") == []  # before the 25th
    run_at(day)
    assert keys(rule="update_missing") == [("update_missing", "2026-03", "owner")]
    progress.record_progress(measure, actor=owner, date=datetime.date(2026, 4, 2), text="四月进展")
    run_at(datetime.date(2026, 4, 26))
    assert len(keys(rule="update_missing")) == 1  # April's update is in


def test_daily_digest_for_organizers_after_the_digest_time(
    make_measure: Callable[..., Any], organizer: Any, run_at: Callable[..., Any]
) -> None:
    make_measure(status="in_progress", baseline_deadline=TODAY - D(days=2))
    make_measure(status="planned", baseline_deadline=TODAY + D(days=3))
    run_at(TODAY, hour=7, minute=59)
    assert keys(rule="digest") == []
    run_at(TODAY, hour=8)
    run_at(TODAY, hour=12)
    assert keys(rule="digest") == [("digest", TODAY.isoformat(), "organizer")]
    body = Delivery.objects.get(rule="digest").body
    assert "逾期 1" in body and "待验收 0" in body


def test_nobody_hears_of_a_measure_they_may_not_see(
    make_measure: Callable[..., Any], owner: Any, county: Any, outsider: Any, run_at: Callable[..., Any]
) -> None:
    make_measure(status="in_progress", baseline_deadline=TODAY - D(days=1))
    RoleAssignment.objects.filter(user=owner).delete()  # the owner left: no role, no access
    run_at(TODAY)
    assert keys(rule="overdue") == []
    assert not Notice.objects.filter(user=outsider).exists()
    assert not Delivery.objects.filter(recipient=outsider).exists()


def test_inactive_owner_and_closed_measures_are_quiet(
    make_measure: Callable[..., Any], owner: Any, run_at: Callable[..., Any]
) -> None:
    make_measure(status="closed", baseline_deadline=TODAY - D(days=1))
    make_measure(status="continuing", baseline_deadline=TODAY - D(days=1))
    run_at(TODAY)
    assert keys(measure_id__isnull=False) == []


def test_linked_paths_match_the_url_map() -> None:
    from django.urls import reverse

    from luoshi.notices.rules import DASHBOARD_PATH, NOTICES_PATH, measure_url

    assert measure_url(42) == reverse("measure_detail", args=[42])
    assert reverse("org_dashboard") == DASHBOARD_PATH
    assert reverse("notices") == NOTICES_PATH


def test_a_missed_day_is_caught_up_within_the_window(
    make_measure: Callable[..., Any], owner: Any, run_at: Callable[..., Any]
) -> None:
    make_measure(status="in_progress", baseline_deadline=TODAY)
    run_at(TODAY + D(days=2))  # the pass did not run on day 1: day 2 still sends week 0
    run_at(TODAY + D(days=10))  # nothing on days 8 and 9: week 1 is skipped, not sent late
    run_at(TODAY + D(days=15))
    assert [p for r, p, _u in keys() if r == "overdue"] == [
        f"{TODAY.isoformat()}:w0",
        f"{TODAY.isoformat()}:w2",
    ]


def test_indicator_period_ending_unmet_reminds_the_member_once_and_not_once_met(
    round_: Any, organizer: Any, owner: Any, team: Any, run_at: Callable[..., Any]
) -> None:
    from decimal import Decimal

    from luoshi.indicators import services as indicator_services

    indicator_services.create_indicator(
        round_,
        actor=organizer,
        name="每月至少走访1次",
        kind="visit",
        scope="each",
        period="month",
        op=">=",
        target=Decimal(1),
        unit="次",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
    )
    run_at(datetime.date(2026, 3, 27))  # four days left in March: not yet
    assert [k for k in keys(rule="indicator_due") if k[2] == "owner"] == []
    run_at(datetime.date(2026, 3, 28))
    run_at(datetime.date(2026, 3, 29))  # the same period: not again
    assert [k for k in keys(rule="indicator_due") if k[2] == "owner"] == [
        ("indicator_due", "2026-03-31", "owner")
    ]
    body = Delivery.objects.get(rule="indicator_due", recipient=owner).body
    assert "本月已走访 0/1 次" in body and "剩 3 天" in body
    member = owner.memberships.get()
    indicator_services.record_activity(
        team,
        actor=organizer,
        member=member,
        date=datetime.date(2026, 4, 3),
        kind="visit",
        today=datetime.date(2026, 4, 3),
    )
    run_at(datetime.date(2026, 4, 28))  # April's target met: no reminder for April
    assert [k for k in keys(rule="indicator_due") if k[2] == "owner"] == [
        ("indicator_due", "2026-03-31", "owner")
    ]
