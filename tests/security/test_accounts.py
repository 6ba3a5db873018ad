"""Accounts under attack: throttled logins, password rules, a password change page for everyone,
logins in the audit log, and sessions that end when idle or old."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from luoshi.accounts.signals import LOGIN_AT, SEEN_AT
from luoshi.audit.chain import verify
from luoshi.audit.models import Event, EventType

PASSWORD = "pw-organizer"  # conftest's make_user gives every user "pw-" + username


def login(client: Client, username: str, password: str, *, admin: bool = False, ip: str = "10.0.0.1") -> Any:
    url = "/admin/login/" if admin else reverse("login")
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def events(kind: EventType) -> list[Event]:
    return list(Event.objects.filter(event_type=kind).order_by("seq"))


# --- throttling ----------------------------------------------------------------------------------


@pytest.mark.parametrize("admin", [False, True], ids=["login", "admin-login"])
def test_after_too_many_wrong_passwords_even_the_right_one_is_refused(
    client: Client, organizer: Any, settings: Any, admin: bool
) -> None:
    organizer.is_staff = True
    organizer.save()
    assert login(client, "organizer", "wrong", admin=admin).status_code == 200  # the form, with its error
    for _ in range(settings.LUOSHI_LOGIN_FAILURE_LIMIT - 1):
        login(client, "organizer", "wrong", admin=admin)
    response = login(client, "organizer", PASSWORD, admin=admin)
    assert response.status_code == 429
    assert "登录暂时锁定" in response.content.decode()
    assert not signed_in(client)


def test_an_account_is_locked_for_every_client(client: Client, organizer: Any, settings: Any) -> None:
    for n in range(settings.LUOSHI_LOGIN_FAILURE_LIMIT):
        login(client, "organizer", "wrong", ip=f"10.0.1.{n}")
    assert login(Client(), "organizer", PASSWORD, ip="10.0.2.1").status_code == 429


def test_a_client_guessing_many_accounts_is_locked(
    client: Client, organizer: Any, reviewer: Any, settings: Any
) -> None:
    for n in range(settings.LUOSHI_LOGIN_FAILURE_LIMIT):
        login(client, f"guess{n}", "wrong", ip="10.0.3.3")
    assert login(client, "reviewer", "pw-reviewer", ip="10.0.3.3").status_code == 429
    # Another client still signs in.
    other = Client()
    assert login(other, "reviewer", "pw-reviewer", ip="10.0.3.4").status_code == 302
    assert signed_in(other)


def test_fewer_failures_than_the_limit_still_let_the_owner_in(
    client: Client, organizer: Any, settings: Any
) -> None:
    for _ in range(settings.LUOSHI_LOGIN_FAILURE_LIMIT - 1):
        login(client, "organizer", "wrong")
    assert login(client, "organizer", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_client_address_comes_from_the_configured_proxy_header(
    client: Client, organizer: Any, settings: Any
) -> None:
    settings.LUOSHI_CLIENT_IP_HEADER = "X-Real-IP"
    client.post(
        reverse("login"),
        {"username": "organizer", "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="203.0.113.9",
    )
    assert events(EventType.LOGIN_FAILED)[-1].new["ip"] == "203.0.113.9"


# --- login events --------------------------------------------------------------------------------


def test_login_logout_and_failures_are_in_the_audit_log_without_passwords(
    client: Client, organizer: Any
) -> None:
    login(client, "organizer", "secret-guess-1")
    login(client, "nobody-here", "secret-guess-2")
    login(client, "organizer", PASSWORD)
    client.post(reverse("logout"))

    failed = events(EventType.LOGIN_FAILED)
    assert [(e.new["username"], e.new["known_user"]) for e in failed] == [
        ("organizer", True),
        ("nobody-here", False),
    ]
    assert failed[0].target_id == str(organizer.pk)
    assert failed[0].actor is None and failed[0].new["ip"] == "10.0.0.1"
    (logged_in,) = events(EventType.LOGGED_IN)
    assert logged_in.actor == organizer and logged_in.new["admin"] is False
    (logged_out,) = events(EventType.LOGGED_OUT)
    assert logged_out.actor == organizer
    everything = " ".join(str(e.old) + str(e.new) for e in Event.objects.all())
    assert "secret-guess" not in everything and PASSWORD not in everything
    assert verify().ok


def test_a_refused_login_during_lockout_is_recorded_as_locked(
    client: Client, organizer: Any, settings: Any
) -> None:
    for _ in range(settings.LUOSHI_LOGIN_FAILURE_LIMIT):
        login(client, "organizer", "wrong")
    login(client, "organizer", PASSWORD)
    assert events(EventType.LOGIN_FAILED)[-1].new["locked"] is True
    assert not events(EventType.LOGGED_IN)


def test_an_absurdly_long_username_is_cut_in_the_log(client: Client, db: None) -> None:
    login(client, "x" * 5000, "wrong")
    assert len(events(EventType.LOGIN_FAILED)[-1].new["username"]) == 150


# --- passwords -----------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["20241201", "12345678", "password", "abc12"])
def test_weak_passwords_are_refused_in_chinese(weak: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_password(weak)
    assert caught.value.messages
    assert all("密码" in message for message in caught.value.messages), caught.value.messages


def test_every_user_can_change_his_password_from_the_navigation(client: Client, viewer: Any) -> None:
    client.force_login(viewer)
    home = client.get(reverse("home")).content.decode()
    assert reverse("password_change") in home
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw-viewer",
            "new_password1": "Luoshi-新密码-2026",
            "new_password2": "Luoshi-新密码-2026",
        },
    )
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("Luoshi-新密码-2026")
    assert signed_in(client)  # this session stays signed in
    (changed,) = events(EventType.PASSWORD_CHANGED)
    assert changed.actor == viewer and "新密码" not in str(changed.new)


def test_password_change_refuses_an_all_digit_password(client: Client, viewer: Any) -> None:
    client.force_login(viewer)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-viewer", "new_password1": "20241201", "new_password2": "20241201"},
    )
    assert response.status_code == 200
    assert "数字" in response.content.decode()
    viewer.refresh_from_db()
    assert viewer.check_password("pw-viewer")
    assert not events(EventType.PASSWORD_CHANGED)


def test_password_change_needs_the_old_password(client: Client, viewer: Any) -> None:
    client.force_login(viewer)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "Luoshi-新密码-2026",
            "new_password2": "Luoshi-新密码-2026",
        },
    )
    assert response.status_code == 200
    viewer.refresh_from_db()
    assert viewer.check_password("pw-viewer")


def test_password_change_page_needs_a_login(client: Client, db: None) -> None:
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# --- session lifetime ----------------------------------------------------------------------------


def age_session(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_is_signed_out(client: Client, organizer: Any, settings: Any) -> None:
    settings.LUOSHI_SESSION_IDLE_MINUTES = 30
    client.force_login(organizer)
    assert client.get(reverse("home")).status_code == 200
    age_session(client, SEEN_AT, 31 * 60)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not signed_in(client)
    assert events(EventType.LOGGED_OUT)[-1].new["reason"] == "idle"
    assert "长时间未操作" in client.get(response["Location"]).content.decode()


def test_an_active_session_stays_until_its_maximum_age(client: Client, organizer: Any, settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 12 * 3600
    client.force_login(organizer)
    age_session(client, LOGIN_AT, 11 * 3600)
    assert client.get(reverse("home")).status_code == 200
    age_session(client, LOGIN_AT, 13 * 3600)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert not signed_in(client)
    assert events(EventType.LOGGED_OUT)[-1].new["reason"] == "expired"


def test_no_idle_limit_when_set_to_zero(client: Client, organizer: Any, settings: Any) -> None:
    settings.LUOSHI_SESSION_IDLE_MINUTES = 0
    client.force_login(organizer)
    age_session(client, SEEN_AT, 10 * 3600)
    assert client.get(reverse("home")).status_code == 200


def test_session_settings_come_from_the_environment() -> None:
    from luoshi.web.config import Env

    env = Env({"LUOSHI_SESSION_IDLE_MINUTES": "-1"})
    from luoshi.web.config import ConfigError

    with pytest.raises(ConfigError, match="LUOSHI_SESSION_IDLE_MINUTES"):
        env.integer("LUOSHI_SESSION_IDLE_MINUTES", 30, minimum=0)
