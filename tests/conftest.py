"""Shared fixtures: an organization tree and the named users every permission test needs.

    county (示范县)                 organizer, reviewer, viewer hold roles here
      └── town (城关镇)             town_organizer holds a role only here
    elsewhere (别的县)              outsider holds a role only here: sees nothing of the county

`owner` is a member of the county team who owns measures; `other_member` owns none.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + the ORM in one process


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "files"
    from django.core.cache import cache

    from luoshi.ledger.fragments import fragment_store, user_fragment_store

    cache.clear()  # cached fragments are keyed by data that test databases reuse
    fragment_store.clear()
    user_fragment_store.clear()
    # A fast hasher (tests create many users) and static files without collectstatic's manifest.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def make_user(django_user_model: Any) -> Callable[..., Any]:
    def make(username: str, **extra: Any) -> Any:
        return django_user_model.objects.create_user(
            username=username, password="pw-" + username, first_name=username, **extra
        )

    return make


@pytest.fixture
def county(db: None) -> Any:
    from luoshi.orgs.models import Organization

    return Organization.objects.create(name="示范县")


@pytest.fixture
def town(county: Any) -> Any:
    from luoshi.orgs.models import Organization

    return Organization.objects.create(name="城关镇", parent=county)


@pytest.fixture
def elsewhere(db: None) -> Any:
    from luoshi.orgs.models import Organization

    return Organization.objects.create(name="别的县")


def _grant(user: Any, organization: Any, role: str) -> Any:
    from luoshi.orgs.models import RoleAssignment

    RoleAssignment.objects.create(user=user, organization=organization, role=role)
    return user


@pytest.fixture
def organizer(make_user: Callable[..., Any], county: Any) -> Any:
    return _grant(make_user("organizer"), county, "organizer")


@pytest.fixture
def reviewer(make_user: Callable[..., Any], county: Any) -> Any:
    return _grant(make_user("reviewer"), county, "reviewer")


@pytest.fixture
def viewer(make_user: Callable[..., Any], county: Any) -> Any:
    return _grant(make_user("viewer"), county, "viewer")


@pytest.fixture
def town_organizer(make_user: Callable[..., Any], town: Any) -> Any:
    return _grant(make_user("town_organizer"), town, "organizer")


@pytest.fixture
def outsider(make_user: Callable[..., Any], elsewhere: Any) -> Any:
    return _grant(make_user("outsider"), elsewhere, "organizer")


@pytest.fixture
def team(county: Any) -> Any:
    from luoshi.orgs.models import Team

    return Team.objects.create(organization=county, name="县委常委班子")


@pytest.fixture
def owner(make_user: Callable[..., Any], county: Any, team: Any) -> Any:
    """A team member with a login and the member role; owns `measure`."""
    from luoshi.orgs.models import Member

    user = _grant(make_user("owner"), county, "member")
    Member.objects.create(team=team, name="李建华", position="县长", user=user)
    return user


@pytest.fixture
def other_member(make_user: Callable[..., Any], county: Any, team: Any) -> Any:
    from luoshi.orgs.models import Member

    user = _grant(make_user("other_member"), county, "member")
    Member.objects.create(team=team, name="王志刚", position="副书记", user=user)
    return user


@pytest.fixture
def round_(team: Any, organizer: Any) -> Any:
    from luoshi.ledger.services import create_round

    return create_round(team=team, title="2025年度民主生活会", year=2025, actor=organizer)


@pytest.fixture
def make_measure(round_: Any, owner: Any) -> Callable[..., Any]:
    from luoshi.ledger.models import Measure, Problem

    def make(status: str = "planned", **extra: Any) -> Any:
        number = Measure.objects.filter(round=round_).count() + 1
        problem = Problem.objects.create(round=round_, number=number, summary=f"问题{number}")
        fields: dict[str, Any] = {
            "round": round_,
            "problem": problem,
            "number": number,
            "summary": f"措施{number}",
            "owner": owner.memberships.get(),
            "status": status,
            "baseline_deadline": datetime.date(2026, 6, 30),
        }
        fields.update(extra)
        return Measure.objects.create(**fields)

    return make


@pytest.fixture
def measure(make_measure: Callable[..., Any]) -> Any:
    return make_measure()
