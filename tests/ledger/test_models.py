from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError

from luoshi.ledger.models import Problem


def test_problem_number_is_unique_within_its_round(round_: Any) -> None:
    Problem.objects.create(round=round_, number=1, summary="甲")
    with pytest.raises(IntegrityError):
        Problem.objects.create(round=round_, number=1, summary="乙")


def test_current_deadline_starts_at_the_baseline(make_measure: Any) -> None:
    measure = make_measure(baseline_deadline=datetime.date(2026, 3, 31))
    assert measure.current_deadline == datetime.date(2026, 3, 31)
    assert not measure.extended


@pytest.mark.parametrize(
    ("status", "deadline", "today", "light", "overdue"),
    [
        ("in_progress", datetime.date(2026, 1, 10), datetime.date(2026, 1, 11), "red", True),
        ("in_progress", datetime.date(2026, 1, 10), datetime.date(2026, 1, 3), "yellow", False),
        ("in_progress", datetime.date(2026, 1, 10), datetime.date(2026, 1, 2), "green", False),
        ("closed", datetime.date(2026, 1, 10), datetime.date(2026, 2, 1), "", False),  # closed: no light
        # 持续整改 past its deadline: not counted overdue, but never green.
        ("continuing", datetime.date(2026, 1, 10), datetime.date(2026, 2, 1), "red", False),
        ("continuing", datetime.date(2026, 1, 10), datetime.date(2026, 1, 5), "yellow", False),
        ("in_progress", None, datetime.date(2026, 1, 5), "", False),  # no deadline: no light
        ("submitted", datetime.date(2026, 1, 10), datetime.date(2026, 2, 1), "red", True),
    ],
)
def test_traffic_light_and_overdue_are_computed(
    settings: Any,
    make_measure: Any,
    status: str,
    deadline: datetime.date | None,
    today: datetime.date,
    light: str,
    overdue: bool,
) -> None:
    settings.LUOSHI_DUE_SOON_DAYS = 7
    measure = make_measure(status=status, baseline_deadline=deadline)
    assert measure.light(today) == light
    assert measure.is_overdue(today) is overdue
    from luoshi.ledger.models import Measure

    assert Measure.objects.overdue(today).filter(pk=measure.pk).exists() is overdue


@pytest.mark.parametrize(
    ("status", "long_term", "deadline", "label"),
    [
        ("in_progress", False, datetime.date(2026, 1, 1), "逾期"),
        ("in_progress", True, datetime.date(2026, 1, 1), "逾期"),  # a long-term measure too
        ("continuing", False, datetime.date(2026, 1, 1), "已过时限"),
        ("planned", False, datetime.date(2026, 1, 12), "临近"),
        ("planned", False, datetime.date(2026, 6, 1), "正常"),
        ("planned", False, None, ""),
    ],
)
def test_the_light_has_words_beside_it(
    settings: Any, make_measure: Any, status: str, long_term: bool, deadline: Any, label: str
) -> None:
    settings.LUOSHI_DUE_SOON_DAYS = 7
    measure = make_measure(status=status, baseline_deadline=deadline, long_term=long_term)
    today = datetime.date(2026, 1, 10)
    assert measure.light_label(today) == label
    assert (measure.light(today) == "green") is (label == "正常")


def test_owner_display_prefers_the_member_then_the_written_name(make_measure: Any) -> None:
    measure = make_measure()
    assert measure.owner_display == "李建华"
    measure.owner = None
    measure.owner_label = "张无名"
    assert measure.owner_display == "张无名（未关联）"
    measure.owner_label = ""
    assert measure.owner_display == "未分配"
