"""The authentication backend reads the signed-in user and their roles in one query, and holds
nothing between requests: a role taken away or an account disabled counts at the next request."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.urls import reverse

from luoshi.accounts.backends import UserBackend
from luoshi.orgs import access
from luoshi.orgs.models import RoleAssignment


def test_the_user_comes_with_their_roles_and_the_orms_types(
    organizer: Any, county: Any, django_assert_num_queries: Any
) -> None:
    RoleAssignment.objects.create(user=organizer, organization=county, role="reviewer")
    with access.request_scope(), django_assert_num_queries(1):
        user = UserBackend().get_user(organizer.pk)
        found = access.grants(user)  # handed to the request's memo: no second query
    assert user == organizer and user.username == organizer.username
    assert sorted(found) == sorted([(county.path, "organizer"), (county.path, "reviewer")])
    assert isinstance(user.date_joined, datetime.datetime) and user.date_joined.tzinfo is not None
    assert user.check_password("pw-" + organizer.username)


def test_a_user_without_roles_and_unknown_or_disabled_ones(make_user: Any) -> None:
    plain = make_user("plain")
    with access.request_scope():
        assert UserBackend().get_user(plain.pk) == plain
        assert access.grants(plain) == []
    assert UserBackend().get_user(plain.pk + 1000) is None
    assert UserBackend().get_user("not-an-id") is None
    plain.is_active = False
    plain.save()
    assert UserBackend().get_user(plain.pk) is None


def test_roles_and_accounts_are_read_afresh_on_every_request(
    client: Client, organizer: Any, round_: Any
) -> None:
    client.force_login(organizer)
    page = reverse("round_detail", args=[round_.pk])
    assert client.get(page).status_code == 200
    RoleAssignment.objects.filter(user=organizer).delete()
    assert client.get(page).status_code == 404
    organizer.is_active = False
    organizer.save()
    assert client.get(reverse("home")).status_code == 302  # signed out: to the login page


def test_sessions_signed_in_through_the_plain_model_backend_keep_working(
    client: Client, organizer: Any, round_: Any
) -> None:
    client.force_login(organizer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("round_detail", args=[round_.pk])).status_code == 200


def test_signing_in_goes_through_it(client: Client, make_user: Any) -> None:
    user = make_user("signs_in")
    user.set_password("Lk8#vq2-Tz")
    user.save()
    client.post(reverse("login"), {"username": "signs_in", "password": "Lk8#vq2-Tz"})
    assert client.session["_auth_user_backend"] == "luoshi.accounts.backends.UserBackend"
