"""Logging out ends the session on every server process (issue 15, point 5).

Each gunicorn process has its own memory. The test stands for two processes with two independent
cache instances (two local-memory caches under different names): process B has served the session
before process A logs it out; B must refuse the old session id afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from luoshi.ledger.models import Round


def _process(name: str) -> dict[str, Any]:
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}}


def _client_with(session_id: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_id
    return client


@pytest.mark.parametrize("where", ["home", "round_export"])
def test_logout_on_one_process_ends_the_session_on_the_others(
    settings: Any, organizer: Any, round_: Round, where: str
) -> None:
    url = reverse("home") if where == "home" else reverse("round_export", args=[round_.pk])
    settings.CACHES = _process("process-a")
    client = Client()
    client.force_login(organizer)
    session_id = client.cookies[settings.SESSION_COOKIE_NAME].value

    settings.CACHES = _process("process-b")
    assert _client_with(session_id).get(url).status_code == 200  # process B has served the session

    settings.CACHES = _process("process-a")
    assert client.post(reverse("logout")).status_code == 302

    settings.CACHES = _process("process-b")
    response = _client_with(session_id).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_survives_between_requests(organizer: Any) -> None:
    client = Client()
    client.force_login(organizer)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("home")).status_code == 200
