"""The Content-Security-Policy in a real browser: the main pages, the dashboard chart and an htmx
swap run without one refused script or style (Chromium reports each refusal on the console)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, expect


def login(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="检视轮次")).to_be_visible()


def test_main_pages_run_under_the_policy(page: Page, live_server: Any, demo: str) -> None:
    from luoshi.ledger.models import Measure, Round

    refused: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: refused.append(f"{page.url}: {error}"))
    base = live_server.url
    round_ = Round.objects.get()
    measure = Measure.objects.filter(round=round_).first()
    assert measure is not None

    login(page, base, "bangongshi", demo)
    page.goto(base + reverse("round_dashboard", args=[round_.pk]))
    expect(page.locator("#aspect-chart canvas")).to_be_visible()  # the chart drew: its script ran
    page.locator("#aspect-chart canvas").hover()
    page.goto(base + reverse("round_detail", args=[round_.pk]))
    page.locator("#ledger-filter select[name=status]").select_option("closed")
    expect(page.locator("#ledger-table .count")).to_contain_text("已筛选")  # htmx ran and swapped
    for name, args in [
        ("measure_detail", [measure.pk]),
        ("org_dashboard", []),
        ("notices", []),
        ("password_change", []),
        ("feedback_list", [round_.pk]),
        ("my_measures", []),
        ("review_queue", []),
    ]:
        page.goto(base + reverse(name, args=args))
    page.goto(base + "/no-such-page/")
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()

    page.goto(base + reverse("home"))
    page.get_by_role("button", name="退出").click()
    login(page, base, "admin", demo)
    page.goto(base + "/admin/")
    page.goto(base + "/admin/ledger/measure/")
    assert refused == []
