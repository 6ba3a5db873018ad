"""Local receivers for the channel tests: an SMTP server (aiosmtpd) and an HTTP server that checks a
DingTalk robot's signature the way DingTalk does, and records every body it is sent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DINGTALK_SECRET = "SEC0123456789abcdef-robot-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class HttpReceiver:
    """POSTs land in `requests` as (path, query, headers, json body). `fail_with` makes it answer
    with that HTTP status instead."""

    port: int = 0
    requests: list[tuple[str, dict[str, list[str]], dict[str, str], Any]] = field(default_factory=list)
    fail_with: int = 0
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HttpReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length).decode("utf-8"))
                parts = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(parts.query)
                receiver.requests.append((parts.path, query, dict(self.headers), body))
                if receiver.fail_with:
                    self.send_response(receiver.fail_with)
                    self.end_headers()
                    return
                reply: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
                if parts.path.startswith("/dingtalk"):
                    reply = dingtalk_verdict(query)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(reply).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def dingtalk_verdict(query: dict[str, list[str]]) -> dict[str, Any]:
    """What DingTalk answers: 310000 unless timestamp (within an hour) and sign match the secret."""
    try:
        timestamp = query["timestamp"][0]
        sign = query["sign"][0]  # parse_qs has already URL-decoded it once
    except KeyError:
        return {"errcode": 310000, "errmsg": "sign not match"}
    if abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
        return {"errcode": 310000, "errmsg": "timestamp expired"}
    expected = base64.b64encode(
        hmac.new(
            DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256
        ).digest()
    ).decode()
    if sign != expected:
        return {"errcode": 310000, "errmsg": "sign not match"}
    return {"errcode": 0, "errmsg": "ok"}


@dataclass
class SmtpReceiver:
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    controller: Any = None

    def start(self) -> SmtpReceiver:
        from aiosmtpd.controller import Controller

        receiver = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                message = message_from_bytes(
                    envelope.original_content or envelope.content, policy=policy.default
                )
                receiver.messages.append(message)  # type: ignore[arg-type]
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
