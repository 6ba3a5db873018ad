"""A round with measures in every state the reports tell apart.

`filled_round` (2025年度民主生活会 of the county team, default framework):
    problem 1 理论学习:   measure 1 closed (reviewed with reasons), measure 2 returned (reasons)
    problem 2 理论学习:   measure 3 continuing
    problem 3 工作作风:   measure 4 in progress, extended (approved extension), measure 5 overdue
    problem 4 (no aspect, aspect written "其他方面"): no measure
    no problem:           measure 6 planned, group "制度建设"
`add_measures(round_, n)` adds n more measures (for query-count tests).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

TODAY = datetime.date(2026, 12, 1)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


@pytest.fixture
def filled_round(round_: Any, owner: Any, other_member: Any, reviewer: Any, organizer: Any) -> Any:
    from luoshi.ledger.models import Extension, Measure, Problem, ProgressUpdate, Review

    aspects = {a.name: a for a in round_.framework.aspects.all()}
    lee = owner.memberships.get()
    wang = other_member.memberships.get()
    p1 = Problem.objects.create(
        round=round_,
        number=1,
        aspect=aspects["理论学习"],
        summary="理论学习不够系统",
        text="理论学习不够系统，以传达文件代替专题研讨。",
    )
    p2 = Problem.objects.create(round=round_, number=2, aspect=aspects["理论学习"], summary="学用结合不紧")
    p3 = Problem.objects.create(round=round_, number=3, aspect=aspects["工作作风"], summary="调查研究不深入")
    Problem.objects.create(round=round_, number=4, aspect_label="其他方面", summary="档案管理不规范")

    def measure(number: int, problem: Any, status: str, **extra: Any) -> Any:
        fields: dict[str, Any] = {
            "round": round_,
            "problem": problem,
            "number": number,
            "summary": f"措施摘要{number}",
            "text": f"第{number}项整改措施的具体内容",
            "owner": lee,
            "department": "县委办",
            "status": status,
            "baseline_deadline": datetime.date(2026, 12, 31),
        }
        fields.update(extra)
        return Measure.objects.create(**fields)

    m1 = measure(
        1,
        p1,
        "closed",
        outcome="每月开展专题学习，已形成制度",
        baseline_deadline=datetime.date(2026, 6, 30),
        closed_at=_at(datetime.date(2026, 6, 20)),
    )
    Review.objects.create(
        measure=m1, decision="close", reasons="佐证充分，同意销号", digest="0" * 64, reviewer=reviewer
    )
    m2 = measure(2, p1, "returned", outcome="已起草方案", owner=wang)
    Review.objects.create(
        measure=m2, decision="return", reasons="缺少会议纪要，请补充", digest="1" * 64, reviewer=reviewer
    )
    measure(3, p2, "continuing", outcome="基本完成，长期坚持", long_term=True)
    m4 = measure(
        4,
        p3,
        "in_progress",
        baseline_deadline=datetime.date(2026, 10, 31),
        current_deadline=datetime.date(2027, 1, 31),
    )
    Extension.objects.create(
        measure=m4,
        requested_deadline=datetime.date(2027, 1, 31),
        reason="需等待上级文件",
        status="approved",
        requested_by=owner,
        decided_by=reviewer,
        decided_at=_at(datetime.date(2026, 11, 10)),
    )
    ProgressUpdate.objects.create(
        measure=m4, date=datetime.date(2026, 11, 5), text="完成走访12次", author=owner
    )
    measure(5, p3, "in_progress", baseline_deadline=datetime.date(2026, 11, 20))
    measure(6, None, "planned", group="制度建设", owner=None, owner_label="赵六")
    return round_


@pytest.fixture
def add_measures(owner: Any) -> Callable[[Any, int], None]:
    from luoshi.ledger.models import Measure, Problem, ProgressUpdate, Review

    def add(round_: Any, n: int) -> None:
        lee = owner.memberships.get()
        start = Measure.objects.filter(round=round_).count()
        aspects = list(round_.framework.aspects.all())
        for offset in range(n):
            number = 100 + start + offset
            problem = Problem.objects.create(
                round=round_, number=number, aspect=aspects[offset % len(aspects)], summary=f"问题{number}"
            )
            m = Measure.objects.create(
                round=round_,
                problem=problem,
                number=number,
                summary=f"措施{number}",
                owner=lee,
                status="closed" if offset % 2 else "in_progress",
                baseline_deadline=datetime.date(2026, 11, 1),
                closed_at=_at(datetime.date(2026, 10, 1)) if offset % 2 else None,
            )
            ProgressUpdate.objects.create(
                measure=m, date=datetime.date(2026, 9, 1), text="进展", author=owner
            )
            if offset % 2:
                Review.objects.create(measure=m, decision="close", digest="2" * 64, reviewer=owner)

    return add
