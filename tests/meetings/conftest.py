"""Fixtures of the meetings tests.

Preparation: a team of four (the secretary first) and an inspection round. The meeting: the team's
members (one who has left) and the previous round of the same team.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest


@pytest.fixture
def members(team: Any, owner: Any, other_member: Any) -> list[Any]:
    """Secretary 张书记 (order 0), then 李建华 (owner), 王志刚 (other_member), 赵敏 (no login)."""
    from luoshi.orgs.models import Member

    secretary = Member.objects.create(team=team, name="张书记", position="县委书记", order=0)
    li = owner.memberships.get()
    wang = other_member.memberships.get()
    Member.objects.filter(pk=li.pk).update(order=1)
    Member.objects.filter(pk=wang.pk).update(order=2)
    zhao = Member.objects.create(team=team, name="赵敏", position="常委", order=3)
    return [secretary, Member.objects.get(pk=li.pk), Member.objects.get(pk=wang.pk), zhao]


@pytest.fixture
def inspection_round(team: Any, organizer: Any) -> Any:
    from luoshi.ledger.services import create_round

    return create_round(team=team, title="巡察整改", year=2026, kind="inspection", actor=organizer)


@pytest.fixture
def meeting_members(owner: Any, other_member: Any, team: Any) -> dict[str, Any]:
    """Three active members (two with logins) and one who has left the team."""
    from luoshi.orgs.models import Member

    return {
        "li": owner.memberships.get(),
        "wang": other_member.memberships.get(),
        "zhao": Member.objects.create(team=team, name="赵清廉", position="纪委书记", order=3),
        "gone": Member.objects.create(team=team, name="钱离任", position="原副县长", active=False),
    }


@pytest.fixture
def previous_round(team: Any, organizer: Any, meeting_members: dict[str, Any]) -> Any:
    """Last year's round of the same kind, with a measure in each state that matters to 回头看."""
    from luoshi.ledger.models import Measure, Problem
    from luoshi.ledger.services import create_round

    earlier = create_round(team=team, title="2024年度民主生活会", year=2024, actor=organizer)
    for number, status in enumerate(["closed", "in_progress", "submitted", "continuing"], start=1):
        problem = Problem.objects.create(round=earlier, number=number, summary=f"去年问题{number}")
        Measure.objects.create(
            round=earlier,
            problem=problem,
            number=number,
            summary=f"去年措施{number}（{status}）",
            owner=meeting_members["li"],
            status=status,
            outcome="已完成" if status in ("submitted", "closed", "continuing") else "",
            baseline_deadline=datetime.date(2025, 6, 30),
        )
    return earlier
