"""The pages: 催办 on the measure page and in bulk, 督办单, channels, preferences and the delivery log;
each with a person who has no access (404 for objects, 403 for pages of a role they lack)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from luoshi.notices import supervision
from luoshi.notices.models import Channel, Delivery, Notice, Preference, SupervisionOrder, Urge

D = datetime.timedelta


@pytest.fixture
def as_user(client: Client) -> Callable[[Any], Client]:
    def login(user: Any) -> Client:
        client.force_login(user)
        return client

    return login


def test_measure_page_offers_urge_to_the_organizer_only(
    measure: Any, organizer: Any, owner: Any, as_user: Any
) -> None:
    page = as_user(organizer).get(f"/measures/{measure.pk}/").content.decode()
    assert 'id="urge-form"' in page and "签发督办单" in page
    page = as_user(owner).get(f"/measures/{measure.pk}/").content.decode()
    assert 'id="urge-form"' not in page


def test_urge_from_the_measure_page(measure: Any, organizer: Any, owner: Any, as_user: Any) -> None:
    client = as_user(organizer)
    response = client.post(f"/measures/{measure.pk}/urge/", {"message": "抓紧"}, follow=True)
    assert "已催办" in response.content.decode()
    assert Urge.objects.get(measure=measure).message == "抓紧"
    again = client.post(f"/measures/{measure.pk}/urge/", {"message": ""}, follow=True)
    assert "今天已催办过" in again.content.decode()
    assert Urge.objects.count() == 1


def test_urge_of_a_measure_one_may_not_see_is_404(measure: Any, outsider: Any, as_user: Any) -> None:
    client = as_user(outsider)
    assert client.post(f"/measures/{measure.pk}/urge/").status_code == 404
    assert client.get(f"/measures/{measure.pk}/orders/new/").status_code == 404
    assert client.get(f"/rounds/{measure.round_id}/urge/").status_code == 404
    assert not Urge.objects.exists()


def test_bulk_urge_from_the_ledger(make_measure: Callable[..., Any], organizer: Any, as_user: Any) -> None:
    today = timezone.localdate()
    late, soon, closed = (
        make_measure(baseline_deadline=today - D(days=2)),
        make_measure(baseline_deadline=today + D(days=3)),
        make_measure(status="closed"),
    )
    client = as_user(organizer)
    page = client.get(f"/rounds/{late.round_id}/urge/").content.decode()
    assert "红色督办" in page and "蓝色督办" in page and closed.summary not in page
    response = client.post(
        f"/rounds/{late.round_id}/urge/",
        {"measures": [late.pk, soon.pk], "message": "月底前办结"},
        follow=True,
    )
    assert "已催办 2 项措施" in response.content.decode()
    assert set(Urge.objects.values_list("measure_id", flat=True)) == {late.pk, soon.pk}
    assert client.post(f"/rounds/{late.round_id}/urge/", {"message": "x"}).status_code == 422


def test_order_issue_acknowledge_reply_and_document(
    measure: Any, reviewer: Any, owner: Any, as_user: Any
) -> None:
    client = as_user(reviewer)
    deadline = timezone.localdate() + D(days=5)
    response = client.post(
        f"/measures/{measure.pk}/orders/new/",
        {"grade": "yellow", "reason": "进度滞后", "reply_deadline": deadline.isoformat()},
    )
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    owner_client = as_user(owner)
    page = owner_client.get(f"/orders/{order.pk}/").content.decode()
    assert "签收" in page and "进度滞后" in page
    owner_client.post(f"/orders/{order.pk}/acknowledge/")
    owner_client.post(f"/orders/{order.pk}/reply/", {"text": "已整改到位"})
    order.refresh_from_db()
    assert order.state == "replied" and order.reply == "已整改到位"
    document = owner_client.get(f"/orders/{order.pk}/document.docx")
    assert document["Content-Type"].startswith("application/vnd.openxmlformats")
    assert document.content[:2] == b"PK"
    assert f"/orders/{order.pk}/" in as_user(reviewer).get("/orders/").content.decode()


def test_orders_of_others_are_404(measure: Any, reviewer: Any, outsider: Any, as_user: Any) -> None:
    order = supervision.issue_order(measure, actor=reviewer, grade="red", reason="逾期")
    client = as_user(outsider)
    for url in (f"/orders/{order.pk}/", f"/orders/{order.pk}/document.docx"):
        assert client.get(url).status_code == 404
    assert client.post(f"/orders/{order.pk}/acknowledge/").status_code == 404
    assert str(order.title) not in client.get("/orders/").content.decode()


def test_reviewer_cannot_acknowledge_for_the_owner(measure: Any, reviewer: Any, as_user: Any) -> None:
    order = supervision.issue_order(measure, actor=reviewer, grade="red", reason="逾期")
    response = as_user(reviewer).post(f"/orders/{order.pk}/acknowledge/")
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.state == "issued"


def test_channel_settings_page(county: Any, organizer: Any, owner: Any, outsider: Any, as_user: Any) -> None:
    assert as_user(owner).get("/settings/channels/").status_code == 403
    client = as_user(organizer)
    response = client.post(
        "/settings/channels/",
        {
            "organization": county.pk,
            "kind": "dingtalk",
            "name": "督查群",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=abc123",
            "secret": "SECxyz",
        },
    )
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert channel.secret == "SECxyz" and channel.config["url"].endswith("abc123")
    page = client.get("/settings/channels/").content.decode()
    assert "https://oapi.dingtalk.com/robot/send" in page and "abc123" not in page and "SECxyz" not in page
    assert as_user(outsider).post(f"/settings/channels/{channel.pk}/remove/").status_code == 404
    as_user(organizer).post(f"/settings/channels/{channel.pk}/remove/")
    assert not Channel.objects.exists()


def test_channel_form_errors_are_shown(county: Any, organizer: Any, as_user: Any) -> None:
    response = as_user(organizer).post(
        "/settings/channels/", {"organization": county.pk, "kind": "email", "name": "邮箱", "host": ""}
    )
    assert response.status_code == 422 and "SMTP 服务器" in response.content.decode()


def test_preferences_page(owner: Any, as_user: Any) -> None:
    client = as_user(owner)
    assert client.get("/settings/notices/").status_code == 200
    client.post("/settings/notices/", {"mode": "digest", "kinds": ["email"], "quiet_hours": "21:00-08:00"})
    preference = Preference.objects.get(user=owner)
    assert (preference.mode, preference.kinds, preference.quiet_hours) == ("digest", ["email"], "21:00-08:00")
    bad = client.post("/settings/notices/", {"mode": "digest", "quiet_hours": "25:00-08:00"})
    assert bad.status_code == 422


def test_delivery_log_shows_the_organizer_what_was_sent(
    make_measure: Callable[..., Any],
    organizer: Any,
    owner: Any,
    outsider: Any,
    as_user: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from luoshi.notices.delivery import run_pass

    for days in (1, 2, 8, 9, 15):  # each on a reminder day of its overdue week
        make_measure(status="in_progress", baseline_deadline=timezone.localdate() - D(days=days))
    run_pass()
    assert Delivery.objects.filter(recipient=owner).count() == 5
    client = as_user(organizer)
    with django_assert_max_num_queries(12):
        page = client.get("/deliveries/").content.decode()
    assert page.count('class="delivery sent"') >= 5 and "已逾期" in page
    assert as_user(owner).get("/deliveries/").status_code == 403
    assert "已逾期" not in as_user(outsider).get("/deliveries/").content.decode()


def test_notices_page_links_to_the_settings(owner: Any, as_user: Any) -> None:
    Notice.objects.create(user=owner, text="x")
    assert "/settings/notices/" in as_user(owner).get("/notices/").content.decode()
