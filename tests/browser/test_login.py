"""A person logs in with the demo credentials and sees the round in Chinese."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect


def test_login_and_see_the_round(page: Page, live_server: Any, demo: str) -> None:
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill("bangongshi")
    page.get_by_label("密码").fill(demo)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="检视轮次", exact=True)).to_be_visible()
    # The organizer's first page already shows how each round stands, in Chinese.
    expect(page.locator("ul.rounds .standing").first).to_contain_text("逾期")
    page.locator("ul.rounds").get_by_role("link", name="年度民主生活会").click()
    expect(page.get_by_role("heading", name="整改措施")).to_be_visible()
    expect(page.get_by_text("完成率").first).to_be_visible()
    expect(page.locator("table.ledger").first).to_contain_text("已销号")


def test_phone_layout_has_no_horizontal_scroll(page: Page, live_server: Any, demo: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("lijianhua")
    page.get_by_label("密码").fill(demo)
    page.get_by_role("button", name="登录").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.locator("ul.rounds").get_by_role("link", name="年度民主生活会").click()
    expect(page.get_by_role("heading", name="整改措施")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
