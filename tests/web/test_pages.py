"""Pages in Chinese, behind a login, and a 404 for everything of an organization that isn't yours."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def as_user(client: Client) -> Any:
    def login(user: Any) -> Client:
        client.force_login(user)
        return client

    return login


def test_healthz(client: Client, db: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_login_page_is_chinese(client: Client, db: None) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录" in response.content.decode()
    assert 'lang="zh-CN"' in response.content.decode()


def test_anonymous_is_sent_to_login(client: Client, round_: Any) -> None:
    for url in (reverse("home"), reverse("round_detail", args=[round_.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_with_password_then_home_lists_the_round(client: Client, organizer: Any, round_: Any) -> None:
    response = client.post(
        reverse("login"), {"username": "organizer", "password": "pw-organizer"}, follow=True
    )
    assert response.status_code == 200
    assert round_.title in response.content.decode()


def test_wrong_password_says_so_in_chinese(client: Client, organizer: Any) -> None:
    response = client.post(reverse("login"), {"username": "organizer", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.parametrize("who", ["organizer", "reviewer", "viewer", "owner", "other_member"])
def test_round_page_shows_the_measures(
    request: pytest.FixtureRequest, as_user: Any, measure: Any, who: str
) -> None:
    response = as_user(request.getfixturevalue(who)).get(reverse("round_detail", args=[measure.round_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert measure.summary in body
    assert "完成率" in body and "未开始" in body


@pytest.mark.parametrize("who", ["outsider", "town_organizer"])
def test_round_page_is_404_for_those_without_a_role_there(
    request: pytest.FixtureRequest, as_user: Any, measure: Any, who: str
) -> None:
    client = as_user(request.getfixturevalue(who))
    assert client.get(reverse("round_detail", args=[measure.round_id])).status_code == 404
    assert measure.round.title not in client.get(reverse("home")).content.decode()


def test_round_page_query_count_is_constant(
    as_user: Any, organizer: Any, make_measure: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        make_measure()
    client = as_user(organizer)
    url = reverse("round_detail", args=[make_measure().round_id])
    # session, user, round, measures (+ count for paging, + commitments), problems, rates, aspects,
    # members, the role look-ups of the permission checks (ours and the import buttons): fixed,
    # whatever the number of rows.
    with django_assert_max_num_queries(18) as small:
        client.get(url)
    for _ in range(20):
        make_measure()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_audit_log_is_read_only_in_admin(client: Client, django_user_model: Any, round_: Any) -> None:
    admin = django_user_model.objects.create_superuser("root", password="pw")
    client.force_login(admin)
    from luoshi.audit.models import Event

    event = Event.objects.first()
    assert event is not None
    assert client.get(reverse("admin:audit_event_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_event_add")).status_code == 403
    response = client.post(reverse("admin:audit_event_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_navigation_offers_each_person_their_own_work(
    as_user: Any, owner: Any, reviewer: Any, organizer: Any
) -> None:
    from luoshi.notices.models import Notice

    Notice.objects.create(user=owner, text="整改措施被退回")
    member_page = as_user(owner).get(reverse("home")).content.decode()
    assert "我的整改" in member_page and "待验收" not in member_page
    assert "1 条未读" in member_page
    reviewer_page = as_user(reviewer).get(reverse("home")).content.decode()
    assert "待验收" in reviewer_page and "我的整改" not in reviewer_page and "汇总" in reviewer_page
    assert "未读" not in reviewer_page
    assert "新建检视轮次" in as_user(organizer).get(reverse("home")).content.decode()


def test_home_shows_the_organizer_each_rounds_standing_and_pages_the_rounds(
    as_user: Any, organizer: Any, team: Any, make_measure: Any, django_assert_max_num_queries: Any
) -> None:
    import datetime

    from luoshi.ledger.services import create_round

    late = make_measure(status="in_progress", baseline_deadline=datetime.date(2020, 1, 1))
    make_measure(status="closed", baseline_deadline=datetime.date(2019, 1, 1))
    make_measure(status="submitted", baseline_deadline=datetime.date(2099, 1, 1))
    client = as_user(organizer)
    body = client.get(reverse("home")).content.decode()
    assert "各轮次进展" in body
    standing = body.split(f'href="/rounds/{late.round_id}/"')[1].split("</li>")[0]
    assert "整改措施 3 项，已销号 1 项" in standing
    assert "逾期 1 项" in standing and "?deadline=overdue" in standing
    assert "待验收 1 项" in standing and "?status=submitted" in standing
    assert late.summary not in body  # the team's measures are not the organizer's own work

    for year in range(40):
        create_round(team=team, title=f"第{year}轮", year=1990 + year, actor=organizer)
    with django_assert_max_num_queries(14):
        first = client.get(reverse("home")).content.decode()
    assert "第 1/2 页" in first
    assert "第 2/2 页" in client.get(reverse("home"), {"page": 2}).content.decode()
