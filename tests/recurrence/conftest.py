"""Earlier rounds for the recurrence tests: the county's, a township's and another county's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.recurrence.history import History, build_history


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    # The index cache is per process and keyed by organization path; tests reuse paths.
    from luoshi.recurrence.matching import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def history(team: Any, organizer: Any, owner: Any, reviewer: Any) -> History:
    """The county team's 2023 round: formalism and water closed, research in progress."""
    return build_history(team, organizer, "李建华", owner, reviewer)


@pytest.fixture
def town_team(town: Any) -> Any:
    from luoshi.orgs.models import Team

    return Team.objects.create(organization=town, name="镇党委班子")


@pytest.fixture
def town_round(town_team: Any, town_organizer: Any) -> Any:
    from luoshi.ledger.services import create_round

    return create_round(team=town_team, title="2025年镇党委民主生活会", year=2025, actor=town_organizer)


@pytest.fixture
def elsewhere_history(elsewhere: Any, outsider: Any, make_user: Any) -> History:
    """Another county with the very same earlier problems: they must never be matched for us."""
    from luoshi.orgs.models import Member, RoleAssignment, Team

    team = Team.objects.create(organization=elsewhere, name="别县常委班子")
    worker = make_user("elsewhere_owner")
    RoleAssignment.objects.create(user=worker, organization=elsewhere, role="member")
    Member.objects.create(team=team, name="赵明", position="县长", user=worker)
    checker = make_user("elsewhere_reviewer")
    RoleAssignment.objects.create(user=checker, organization=elsewhere, role="reviewer")
    return build_history(team, outsider, "赵明", worker, checker, year=2022, title="别县2022年民主生活会")
