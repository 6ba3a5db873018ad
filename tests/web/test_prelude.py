"""A signed-in request reads its session, its user with their roles, the unread notices and the audit
chain's head in one query, once the server process knows the session; the guess of whose session it
is never outlives the session row, and what a request changes is read afresh."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luoshi.accounts.backends import UserBackend
from luoshi.audit.chain import record
from luoshi.audit.models import EventType
from luoshi.ledger.fragments import ledger_version
from luoshi.ledger.progress import mark_notices_read
from luoshi.notices.models import Notice
from luoshi.notices.services import navigation_counts, unread_count
from luoshi.orgs import access
from luoshi.scope import request_scope
from luoshi.web.sessions import SessionStore


def _signed_in(client: Client, user: Any) -> str:
    client.force_login(user, backend="luoshi.accounts.backends.UserBackend")
    assert client.get(reverse("notices")).status_code == 200  # this process decodes the session once
    return str(client.session.session_key)


def test_session_user_roles_unread_and_head_in_one_query(
    client: Client, organizer: Any, county: Any, django_assert_num_queries: Any
) -> None:
    key = _signed_in(client, organizer)
    Notice.objects.create(user=organizer, text="请处理")
    with request_scope():
        with django_assert_num_queries(1):
            session = SessionStore(key)
            assert session[SESSION_KEY] == str(organizer.pk)
        with django_assert_num_queries(0):
            user = UserBackend().get_user(organizer.pk)
            assert user == organizer and user.check_password("pw-" + organizer.username)
            assert access.grants(user) == [(county.path, "organizer")]
            assert unread_count(user) == 1
            assert navigation_counts(user, mine=False, review=False)["unread"] == 1
            version = ledger_version()
    with request_scope():  # the same, read the ordinary way
        SessionStore(key).load()
        assert ledger_version() == version


def test_a_page_of_a_known_session_costs_one_query_for_all_that(client: Client, organizer: Any) -> None:
    _signed_in(client, organizer)
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("notices")).status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert tables.count("django_session") == 1 and tables.count("orgs_roleassignment") == 1
    assert tables.count("audit_chainhead") == 1 and tables.count("FROM auth_user") == 0


def test_the_guess_counts_only_when_the_row_confirms_it(
    client: Client, organizer: Any, reviewer: Any
) -> None:
    """A session row now holding another user (written by another process) serves that user."""
    key = _signed_in(client, organizer)
    other = Client()
    other.force_login(reviewer, backend="luoshi.accounts.backends.UserBackend")
    stored = SessionStore(key)
    stored.update(dict(SessionStore(other.session.session_key).load()))
    stored.save()
    response = client.get(reverse("notices"))
    assert response.status_code == 200 and response.context["user"] == reviewer


def test_signed_out_or_disabled_meanwhile_is_signed_out(client: Client, organizer: Any) -> None:
    key = _signed_in(client, organizer)
    SessionStore(key).delete()  # signed out in another server process
    assert client.get(reverse("notices")).status_code == 302
    _signed_in(client, organizer)
    organizer.is_active = False
    organizer.save()
    assert client.get(reverse("notices")).status_code == 302


def test_what_the_request_changes_is_read_afresh(client: Client, organizer: Any) -> None:
    key = _signed_in(client, organizer)
    Notice.objects.create(user=organizer, text="请处理")
    with request_scope():
        SessionStore(key).load()
        before = ledger_version()
        assert unread_count(organizer) == 1
        record(EventType.MEASURE_ASSIGNED, ("ledger.measure", "1"), actor=organizer)
        assert ledger_version() != before
        mark_notices_read(organizer)
        assert unread_count(organizer) == 0
