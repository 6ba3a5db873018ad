"""The permission choke point: roles hold for the organization and everything below it."""

from __future__ import annotations

from typing import Any

import pytest

from luoshi.ledger.models import Measure, Round
from luoshi.ledger.services import create_round
from luoshi.orgs.models import Organization, Team


def test_paths_nest(county: Any, town: Any) -> None:
    assert town.path.startswith(county.path)
    assert list(county.subtree()) == [county, town]
    assert list(town.ancestors()) == [county]
    assert town.depth == 1


def test_a_role_above_sees_the_organizations_below(
    organizer: Any, town_organizer: Any, county: Any, town: Any
) -> None:
    assert set(Organization.objects.for_user(organizer)) == {county, town}
    assert set(Organization.objects.for_user(town_organizer)) == {town}


def test_outsider_sees_no_round_and_no_measure(outsider: Any, measure: Any) -> None:
    assert not Round.objects.for_user(outsider).exists()
    assert not Measure.objects.for_user(outsider).exists()
    assert not Measure.objects.for_user(outsider, "work").exists()


def test_anonymous_sees_nothing(measure: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not Measure.objects.for_user(AnonymousUser()).exists()


def test_work_is_the_owners_own_measures(owner: Any, other_member: Any, organizer: Any, measure: Any) -> None:
    assert list(Measure.objects.for_user(owner, "work")) == [measure]
    assert not Measure.objects.for_user(other_member, "work").exists()
    assert list(Measure.objects.for_user(other_member, "view")) == [measure]
    assert list(Measure.objects.for_user(organizer, "work")) == [measure]


def test_review_excludes_the_reviewers_own_measures(
    owner: Any, reviewer: Any, county: Any, measure: Any
) -> None:
    from luoshi.orgs.models import RoleAssignment

    assert list(Measure.objects.for_user(reviewer, "review")) == [measure]
    RoleAssignment.objects.create(user=owner, organization=county, role="reviewer")
    assert not Measure.objects.for_user(owner, "review").exists()


def test_town_organizer_cannot_run_the_county_round(town_organizer: Any, team: Any) -> None:
    from luoshi.errors import NotAllowed

    with pytest.raises(NotAllowed):
        create_round(team=team, title="越权", year=2025, actor=town_organizer)


def test_county_organizer_can_run_a_town_round(organizer: Any, town: Any) -> None:
    town_team = Team.objects.create(organization=town, name="城关镇党委班子")
    assert create_round(team=town_team, title="镇轮次", year=2025, actor=organizer).pk


def test_unknown_action_is_a_programming_error(organizer: Any) -> None:
    with pytest.raises(ValueError, match="unknown action"):
        Measure.objects.for_user(organizer, "destroy")
