"""Reminders of a round's steps: a step nearing its deadline (the reminder offsets) or past it
(weekly) is told to the round's organizers, once per period; a step marked done is not."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from luoshi.meetings import services_prep
from luoshi.notices.models import Delivery
from luoshi.notices.rules import STEPS_PATH
from tests.notices.conftest import TODAY, keys

D = datetime.timedelta


def test_steps_path_is_the_pages_url() -> None:
    assert STEPS_PATH.format(7) == reverse("round_steps", args=[7])


def test_a_step_nearing_then_past_its_deadline_reminds_the_organizer(
    round_: Any, organizer: Any, owner: Any, viewer: Any, run_at: Callable[..., Any]
) -> None:
    meeting = TODAY + D(days=22)  # the theme is due 15 days before: TODAY + 7
    services_prep.set_anchor(round_, meeting, actor=organizer)
    theme_deadline = TODAY + D(days=7)
    run_at(TODAY - D(days=1))  # eight days before the theme's deadline: nothing
    assert keys(rule="step_due") == []
    run_at(TODAY)
    run_at(TODAY)  # the same period: not again
    assert keys(rule="step_due") == [("step_due", f"{theme_deadline.isoformat()}:d7", "organizer")]
    delivery = Delivery.objects.get(rule="step_due", channel_key="inbox")
    assert "确定主题" in delivery.body and "还剩 7 天" in delivery.body
    assert delivery.url == reverse("round_steps", args=[round_.pk])

    run_at(theme_deadline + D(days=1))
    overdue = [
        k for k in keys(rule="step_overdue") if "theme" in k[1] or k[1].startswith(theme_deadline.isoformat())
    ]
    assert overdue == [("step_overdue", f"{theme_deadline.isoformat()}:w0", "organizer")]
    assert "已逾期 1 天" in Delivery.objects.get(rule="step_overdue", channel_key="inbox").body
    # nobody but the organizers hears of it
    assert {d.recipient for d in Delivery.objects.filter(rule__startswith="step_")} == {organizer}


def test_a_step_marked_done_is_not_reminded(round_: Any, organizer: Any, run_at: Callable[..., Any]) -> None:
    services_prep.set_anchor(round_, TODAY + D(days=22), actor=organizer)
    services_prep.mark_step(round_, "theme", actor=organizer, done=TODAY - D(days=1))
    run_at(TODAY)
    assert keys(rule="step_due") == []


def test_no_anchor_date_no_step_reminders(round_: Any, organizer: Any, run_at: Callable[..., Any]) -> None:
    services_prep.mark_step(round_, "theme", actor=organizer, planned=TODAY)
    run_at(TODAY)
    assert Delivery.objects.filter(rule__startswith="step_").count() == 0
