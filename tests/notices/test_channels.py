"""Each channel against a local receiver: mail (plain and HTML parts, deep links), a DingTalk robot
that checks the signature, a WeCom robot, a JSON webhook; failures retried with back-off without
holding up the other channels; secrets kept out of the audit log and the pages."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from luoshi.audit.models import Event
from luoshi.notices import services
from luoshi.notices.channels import Message, SendError, dingtalk_sign, send
from luoshi.notices.models import Channel, Delivery, DeliveryState
from tests.notices.conftest import TODAY
from tests.notices.receivers import DINGTALK_SECRET, HttpReceiver, SmtpReceiver

D = datetime.timedelta


@pytest.fixture
def http() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def channels(county: Any, organizer: Any, http: HttpReceiver, smtp: SmtpReceiver) -> dict[str, Channel]:
    add = services.add_channel
    return {
        "email": add(
            county,
            actor=organizer,
            kind="email",
            name="县委办邮箱",
            config={
                "host": "127.0.0.1",
                "port": smtp.port,
                "security": "none",
                "from": "luoshi@example.gov.cn",
            },
            secret="",
        ),
        "dingtalk": add(
            county,
            actor=organizer,
            kind="dingtalk",
            name="督查群",
            config={"url": f"{http.base}/dingtalk/robot/send?access_token=tok-ding"},
            secret=DINGTALK_SECRET,
        ),
        "wecom": add(
            county,
            actor=organizer,
            kind="wecom",
            name="企业微信群",
            config={"url": f"{http.base}/wecom/webhook/send?key=tok-wecom"},
        ),
        "webhook": add(
            county,
            actor=organizer,
            kind="webhook",
            name="OA",
            config={"url": f"{http.base}/hook"},
            secret="tok-hook",
        ),
    }


def test_dingtalk_signature_is_timestamp_newline_secret_hmac_sha256_base64_urlencoded() -> None:
    # Worked by hand: the signature must decode to HMAC-SHA256(secret, "1700000000000\nsecret").
    import base64
    import hashlib
    import hmac
    import urllib.parse

    sign = dingtalk_sign("secret", 1700000000000)
    raw = base64.b64decode(urllib.parse.unquote_plus(sign))
    assert raw == hmac.new(b"secret", b"1700000000000\nsecret", hashlib.sha256).digest()
    assert "+" not in sign and "/" not in sign  # URL-encoded


def test_a_reminder_reaches_every_channel(
    settings: Any,
    channels: dict[str, Channel],
    make_measure: Callable[..., Any],
    owner: Any,
    http: HttpReceiver,
    smtp: SmtpReceiver,
    run_at: Callable[..., Any],
) -> None:
    settings.LUOSHI_BASE_URL = "https://luoshi.example.gov.cn"
    owner.email = "owner@example.gov.cn"
    owner.save()
    measure = make_measure(status="in_progress", baseline_deadline=TODAY - D(days=1))
    run_at(TODAY)
    states = {d.channel_key: d.state for d in Delivery.objects.filter(rule="overdue")}
    assert set(states.values()) == {DeliveryState.SENT}, [d.last_error for d in Delivery.objects.all()]
    assert len(states) == 5  # inbox + four channels

    [mail] = [m for m in smtp.messages if m["To"] == "owner@example.gov.cn"]
    assert "整改措施已逾期" in mail["Subject"]
    plain = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    link = f"https://luoshi.example.gov.cn/measures/{measure.pk}/"
    assert link in plain and f'href="{link}"' in html

    by_path = {path: (query, headers, body) for path, query, headers, body in http.requests}
    ding_query, _h, ding = by_path["/dingtalk/robot/send"]
    assert ding_query["access_token"] == ["tok-ding"] and "sign" in ding_query
    assert ding["msgtype"] == "markdown" and link in ding["markdown"]["text"]
    _q, _h, wecom = by_path["/wecom/webhook/send"]
    assert wecom["msgtype"] == "markdown" and "已逾期" in wecom["markdown"]["content"]
    _q, hook_headers, hook = by_path["/hook"]
    assert hook["rule"] == "overdue" and hook["measure"] == measure.pk and hook["url"] == link
    assert hook_headers["Authorization"] == "Bearer tok-hook"


def test_wrong_dingtalk_secret_fails_and_is_retried_with_backoff_without_blocking_others(
    channels: dict[str, Channel], make_measure: Callable[..., Any], owner: Any, run_at: Callable[..., Any]
) -> None:
    Channel.objects.filter(pk=channels["dingtalk"].pk).update(secret="SECwrong")
    make_measure(status="in_progress", baseline_deadline=TODAY - D(days=1))
    run_at(TODAY)
    ding = Delivery.objects.get(rule="overdue", channel=channels["dingtalk"])
    assert ding.state == DeliveryState.FAILED and "310000" in ding.last_error and ding.attempts == 1
    others = Delivery.objects.filter(rule="overdue").exclude(pk=ding.pk).exclude(channel=channels["email"])
    assert {d.state for d in others} == {DeliveryState.SENT}
    assert ding.next_attempt_at == ding.created_at + D(minutes=5)
    run_at(TODAY, hour=10, minute=1)  # before the back-off: not tried again
    assert Delivery.objects.get(pk=ding.pk).attempts == 1
    Channel.objects.filter(pk=channels["dingtalk"].pk).update(secret=DINGTALK_SECRET)
    run_at(TODAY, hour=10, minute=6)
    retried = Delivery.objects.get(pk=ding.pk)
    assert (retried.state, retried.attempts, retried.last_error) == (DeliveryState.SENT, 2, "")


def test_a_channel_that_keeps_failing_is_given_up(
    settings: Any,
    county: Any,
    organizer: Any,
    http: HttpReceiver,
    make_measure: Callable[..., Any],
    owner: Any,
    run_at: Callable[..., Any],
) -> None:
    settings.LUOSHI_REMIND_MAX_ATTEMPTS = 2
    services.add_channel(
        county, actor=organizer, kind="webhook", name="坏的", config={"url": f"{http.base}/down"}
    )
    http.fail_with = 500
    make_measure(status="in_progress", baseline_deadline=TODAY - D(days=1))
    run_at(TODAY)
    run_at(TODAY, hour=12)
    row = Delivery.objects.get(rule="overdue", channel_key__startswith="c")
    assert (row.state, row.attempts) == (DeliveryState.GIVEN_UP, 2)
    assert "HTTP 500" in row.last_error
    run_at(TODAY, hour=18)
    assert Delivery.objects.get(pk=row.pk).attempts == 2


def test_unreachable_server_error_names_no_secret(county: Any, organizer: Any) -> None:
    from tests.notices.receivers import free_port

    channel = services.add_channel(
        county,
        actor=organizer,
        kind="dingtalk",
        name="断网",
        config={"url": f"http://127.0.0.1:{free_port()}/robot/send?access_token=tok-secret-123"},
        secret="SECsecret",
    )
    with pytest.raises(SendError) as caught:
        send(channel, Message(subject="s", body="b", url="", recipient_name="李"))
    assert "tok-secret-123" not in str(caught.value) and "SECsecret" not in str(caught.value)


def test_secrets_stay_out_of_the_audit_log_and_the_pages(
    channels: dict[str, Channel], organizer: Any, client: Any
) -> None:
    logged = " ".join(str(e.new) + str(e.old) for e in Event.objects.filter(event_type="channel.added"))
    assert "channel.added" and "督查群" in logged
    for secret in (DINGTALK_SECRET, "tok-hook", "tok-ding", "tok-wecom"):
        assert secret not in logged
    client.force_login(organizer)
    page = client.get("/settings/channels/").content.decode()
    assert "督查群" in page
    for secret in (DINGTALK_SECRET, "tok-hook", "tok-ding", "tok-wecom"):
        assert secret not in page


def test_channel_settings_are_checked(county: Any, organizer: Any, owner: Any) -> None:
    from luoshi.errors import Invalid, NotAllowed

    with pytest.raises(Invalid):
        services.add_channel(county, actor=organizer, kind="wecom", name="x", config={"url": "ftp://x"})
    with pytest.raises(Invalid):
        services.add_channel(
            county, actor=organizer, kind="email", name="x", config={"host": "h", "port": "99999"}
        )
    with pytest.raises(NotAllowed):
        services.add_channel(county, actor=owner, kind="wecom", name="x", config={"url": "https://x/y"})


def test_person_chooses_channels_and_the_inbox_stays(
    channels: dict[str, Channel], make_measure: Callable[..., Any], owner: Any, run_at: Callable[..., Any]
) -> None:
    services.save_preference(owner, mode="immediate", kinds=["wecom"])
    make_measure(status="in_progress", baseline_deadline=TODAY - D(days=1))
    run_at(TODAY)
    assert sorted(d.channel_key for d in Delivery.objects.filter(rule="overdue")) == sorted(
        ["inbox", channels["wecom"].key]
    )


def test_email_needs_an_address(
    channels: dict[str, Channel], make_measure: Callable[..., Any], owner: Any, run_at: Callable[..., Any]
) -> None:
    make_measure(status="in_progress", baseline_deadline=TODAY - D(days=1))
    run_at(TODAY)  # the owner has no e-mail address: no mail row, the rest go
    assert not Delivery.objects.filter(channel=channels["email"]).exists()
    assert Delivery.objects.filter(rule="overdue").count() == 4
