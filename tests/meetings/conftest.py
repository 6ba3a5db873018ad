"""Fixtures of the preparation tests: a team of four (the secretary first) and an inspection round."""

from __future__ import annotations

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
