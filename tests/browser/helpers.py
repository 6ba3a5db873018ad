"""What the browser tests share: signing in as one of the demo's people."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect


def login(page: Page, live_server: Any, username: str, password: str) -> None:
    """Sign in afresh as USERNAME and wait until the signed-in navigation is shown."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    expect(page.locator("nav[aria-label=主导航]")).to_be_visible()
