"""Error pages in Chinese with navigation (DEBUG off, as in production), and "数据库无法连接" when the
database is down, on the web and on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

ENGLISH = ["Not Found", "Server Error", "Bad Request", "Forbidden", "CSRF verification failed"]


@pytest.fixture(autouse=True)
def _production(settings: Any) -> None:
    settings.DEBUG = False


def page(response: Any) -> str:
    text = response.content.decode()
    assert not any(word in text for word in ENGLISH), text[:300]
    assert 'href="/"' in text and "返回首页" in text  # the navigation
    return text


def test_404_is_chinese_with_navigation(client: Client, organizer: Any) -> None:
    client.force_login(organizer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = page(response)
    assert "页面不存在" in text
    assert reverse("password_change") in text  # the signed-in user's navigation bar


def test_404_for_anonymous_visitors_too(client: Client, db: None) -> None:
    response = client.get("/rounds/999999/")
    assert response.status_code in (302, 404)
    assert "页面不存在" in page(client.get("/no-such-page/"))


def test_403_csrf_is_chinese(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in page(response)


def test_403_permission_denied_is_chinese(rf: Any, db: None) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/")
    request.user = AnonymousUser()
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "无权访问" in page(response)


def test_400_is_chinese(client: Client, db: None) -> None:
    response = client.get(reverse("login"), HTTP_HOST="not-an-allowed-host.example")
    assert response.status_code == 400
    assert "请求有误" in page(response)


@pytest.fixture
def boom_client(settings: Any, db: None) -> Client:
    settings.ROOT_URLCONF = "tests.security.urls_boom"
    return Client(raise_request_exception=False)


def test_500_is_chinese(boom_client: Client) -> None:
    response = boom_client.get("/test-boom/")
    assert response.status_code == 500
    assert "服务器出错" in page(response)


def test_a_database_error_with_the_database_up_is_an_ordinary_500(boom_client: Client) -> None:
    response = boom_client.get("/test-database-boom/")
    assert response.status_code == 500
    assert "数据库无法连接" not in page(response)


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every query and every new connection fails, as with PostgreSQL stopped or the file unreachable."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    with monkeypatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
        patch.setattr(type(connections["default"]), "get_new_connection", refuse)
        yield


def test_login_with_the_database_down_says_so_naming_the_setting(
    organizer: Any, settings: Any, database_down: None
) -> None:
    client = Client(raise_request_exception=False)
    assert client.get(reverse("login")).status_code == 200  # the form needs no database
    response = client.post(reverse("login"), {"username": "organizer", "password": "pw-organizer"})
    assert response.status_code == 503
    text = page(response)
    assert "数据库无法连接" in text and "LUOSHI_DATABASE_URL" in text
    assert "127.0.0.1" not in text  # where the database is stays in the log, not on a public page


def test_pages_with_the_database_down_say_so(
    client: Client, organizer: Any, round_: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.force_login(organizer)
    client.raise_request_exception = False
    from django.core.cache import cache

    cache.clear()  # the session is read from the database, as on another server process

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
        patch.setattr(type(connections["default"]), "get_new_connection", refuse)
        response = client.get(reverse("round_detail", args=[round_.pk]))
    assert response.status_code == 503
    assert "数据库无法连接" in page(response)


@pytest.mark.parametrize(
    "url",
    ["postgresql://luoshi@127.0.0.1:1/luoshi", "sqlite:////nonexistent-directory/luoshi.sqlite3"],
    ids=["postgresql", "sqlite"],
)
def test_the_command_line_names_the_setting_instead_of_suggesting_migrate(url: str, tmp_path: Any) -> None:
    env = {**os.environ, "LUOSHI_DATABASE_URL": url, "LUOSHI_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "audit", "verify"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "数据库无法连接" in result.stderr and "LUOSHI_DATABASE_URL" in result.stderr
    assert "migrate" not in result.stderr
    assert "Traceback" not in result.stderr


def test_error_pages_offer_a_way_back(client: Client, organizer: Any) -> None:
    client.force_login(organizer)
    text = page(client.get("/no-such-page/"))
    assert '<a href="/" data-back>返回上一页</a>' in text  # history.back() in luoshi.js, else home
    assert reverse("login") + '"' not in text.split('class="card narrow error-page"')[1]  # signed in already
