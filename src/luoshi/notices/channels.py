"""Senders for the channels offices use: e-mail, DingTalk and WeCom group robots, a generic webhook.

Small senders of our own rather than a notification library: four HTTP/SMTP calls need no ~100-service
dependency, and each can be tested against a local receiver. Every sender raises `SendError` with a
message that never contains the channel's secret (it ends up in the delivery log).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from luoshi.notices.models import Channel, ChannelKind

TIMEOUT_SECONDS = 10


class SendError(Exception):
    """The channel refused or could not be reached; the message is safe to log."""


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    url: str  # absolute (LUOSHI_BASE_URL + path), or empty
    recipient_name: str
    recipient_email: str = ""
    rule: str = ""
    key: str = ""
    measure_id: int | None = None


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return f"{settings.LUOSHI_BASE_URL}{path}"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's robot signature: base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")), URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def _markdown(message: Message) -> str:
    lines = [
        f"### {message.subject}",
        "",
        f"致 {message.recipient_name}：",
        "",
        message.body.replace("\n", "\n\n"),
    ]
    if message.url:
        lines += ["", f"[在落实中查看]({message.url})"]
    return "\n".join(lines)


def _post_json(url: str, payload: dict[str, Any], headers: dict[str, str] | None = None) -> bytes:
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    safe = _safe_url(url)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        raise SendError(f"{safe} 返回 HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"无法连接 {safe}：{reason}") from None


def _safe_url(url: str) -> str:
    """The URL without its query string (robots carry their access token there)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _check_robot_reply(raw: bytes, what: str) -> None:
    try:
        reply = json.loads(raw.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        raise SendError(f"{what}返回的不是 JSON") from None
    if reply.get("errcode", 0) != 0:
        raise SendError(f"{what}拒绝：{reply.get('errcode')} {str(reply.get('errmsg', ''))[:200]}")


def send_dingtalk(channel: Channel, message: Message) -> None:
    url = str(channel.config.get("url", ""))
    if channel.secret:
        timestamp = int(time.time() * 1000)
        sep = "&" if "?" in url else "?"
        url = f"{url}{sep}timestamp={timestamp}&sign={dingtalk_sign(channel.secret, timestamp)}"
    payload = {"msgtype": "markdown", "markdown": {"title": message.subject, "text": _markdown(message)}}
    _check_robot_reply(_post_json(url, payload), "钉钉机器人")


def send_wecom(channel: Channel, message: Message) -> None:
    payload = {"msgtype": "markdown", "markdown": {"content": _markdown(message)}}
    _check_robot_reply(_post_json(str(channel.config.get("url", "")), payload), "企业微信机器人")


def send_webhook(channel: Channel, message: Message) -> None:
    headers = {"Authorization": f"Bearer {channel.secret}"} if channel.secret else {}
    payload = {
        "rule": message.rule,
        "key": message.key,
        "subject": message.subject,
        "body": message.body,
        "url": message.url,
        "recipient": message.recipient_name,
        "measure": message.measure_id,
    }
    _post_json(str(channel.config.get("url", "")), payload, headers)


def send_email(channel: Channel, message: Message) -> None:
    if not message.recipient_email:
        raise SendError("接收人没有登记电子邮箱")
    config = channel.config
    security = str(config.get("security", "starttls"))
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=str(config.get("host", "")),
        port=int(config.get("port", 25)),
        username=str(config.get("username", "")) or None,
        password=channel.secret or None,
        use_tls=security == "starttls",
        use_ssl=security == "ssl",
        timeout=TIMEOUT_SECONDS,
        fail_silently=False,
    )
    text = f"{message.recipient_name}：\n\n{message.body}\n"
    if message.url:
        text += f"\n在落实中查看：{message.url}\n"
    body_html = "".join(f"<p>{html.escape(line)}</p>" for line in message.body.splitlines())
    link = f'<p><a href="{html.escape(message.url)}">在落实中查看</a></p>' if message.url else ""
    email = EmailMultiAlternatives(
        subject=f"【落实】{message.subject}",
        body=text,
        from_email=str(config.get("from", "")) or None,
        to=[message.recipient_email],
        connection=connection,
    )
    email.attach_alternative(
        f"<html><body><p>{html.escape(message.recipient_name)}：</p>{body_html}{link}</body></html>",
        "text/html",
    )
    try:
        email.send()
    except Exception as exc:  # smtplib, ssl and socket errors alike
        raise SendError(
            f"邮件服务器 {config.get('host')}:{config.get('port')} 发送失败：{type(exc).__name__}"
        ) from None


SENDERS = {
    ChannelKind.EMAIL: send_email,
    ChannelKind.DINGTALK: send_dingtalk,
    ChannelKind.WECOM: send_wecom,
    ChannelKind.WEBHOOK: send_webhook,
}


def send(channel: Channel, message: Message) -> None:
    """Send MESSAGE through CHANNEL; raises SendError."""
    SENDERS[ChannelKind(channel.kind)](channel, message)


# What each kind needs, for the settings page and `luoshi channels add`.
CONFIG_FIELDS: dict[str, list[tuple[str, str]]] = {
    ChannelKind.EMAIL: [
        ("host", "SMTP 服务器"),
        ("port", "端口"),
        ("security", "加密（starttls / ssl / none）"),
        ("username", "用户名"),
        ("from", "发件人地址"),
    ],
    ChannelKind.DINGTALK: [("url", "Webhook 地址（含 access_token）")],
    ChannelKind.WECOM: [("url", "Webhook 地址（含 key）")],
    ChannelKind.WEBHOOK: [("url", "接收地址（POST JSON）")],
}
SECRET_LABELS = {
    ChannelKind.EMAIL: "SMTP 密码",
    ChannelKind.DINGTALK: "加签密钥（SEC…）",
    ChannelKind.WECOM: "（不需要）",
    ChannelKind.WEBHOOK: "Bearer 令牌（可选）",
}
