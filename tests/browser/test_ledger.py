"""The ledger list, bulk assignment, the dashboard chart and an outsider's 404, in a real browser."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect


def login(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="检视轮次")).to_be_visible()


def open_round(page: Page) -> None:
    page.get_by_role("link", name="年度民主生活会").first.click()
    expect(page.get_by_role("heading", name="整改措施")).to_be_visible()


def test_filter_the_ledger_on_a_phone(page: Page, live_server: Any, demo: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, "bangongshi", demo)
    open_round(page)
    total = page.locator("#ledger-table .count").inner_text()
    # A marker on window survives only if the page is not reloaded: htmx swaps the table alone.
    page.evaluate("window.__notReloaded = true")
    page.locator("#ledger-filter select[name=status]").select_option("closed")
    expect(page.locator("#ledger-table .count")).to_contain_text("已筛选")
    expect(page).to_have_url(re.compile(r"status=closed"))
    assert page.evaluate("window.__notReloaded") is True
    statuses = page.locator("#measures tbody .status").all_inner_texts()
    assert statuses and set(statuses) == {"已销号"}
    assert page.locator("#ledger-table .count").inner_text() != total

    page.locator("#ledger-filter input[name=q]").fill("没有这样的措施文字")
    expect(page.locator("#ledger-table")).to_contain_text("没有符合筛选条件的整改措施")
    expect(page).to_have_url(re.compile(r"q="))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    # The pushed URL reloads to the same filtered list.
    page.reload()
    expect(page.locator("#ledger-table")).to_contain_text("没有符合筛选条件的整改措施")
    expect(page.locator("#ledger-filter select[name=status]")).to_have_value("closed")


def test_bulk_assign_two_measures(page: Page, live_server: Any, demo: str) -> None:
    from luoshi.ledger.models import Measure

    login(page, live_server.url, "bangongshi", demo)
    open_round(page)
    page.locator("#ledger-filter select[name=status]").select_option("planned")
    expect(page.locator("#ledger-table .count")).to_contain_text("已筛选")
    boxes = page.locator("#measures input[name=measures]")
    first, second = boxes.nth(0).get_attribute("value"), boxes.nth(1).get_attribute("value")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_text("批量分配责任").click()
    page.locator("#bulk-assign select[name=owner]").select_option(label="陈思源（县委常委、组织部部长）")
    page.locator("#bulk-assign input[name=department]").fill("县委组织部")
    page.get_by_role("button", name="分配给所选措施").click()
    expect(page.get_by_text("已为 2 项整改措施分配责任")).to_be_visible()
    for pk in (first, second):
        row = page.locator(f'#measures tr[data-measure="{pk}"]')
        expect(row).to_contain_text("陈思源")
        expect(row).to_contain_text("县委组织部")
    assigned = Measure.objects.filter(pk__in=[first, second])
    assert {m.owner.name for m in assigned if m.owner} == {"陈思源"}


def test_dashboard_chart_renders(page: Page, live_server: Any, demo: str) -> None:
    login(page, live_server.url, "duchashi", demo)
    open_round(page)
    page.get_by_role("link", name="统计看板").first.click()
    expect(page.get_by_role("heading", name="统计看板")).to_be_visible()
    canvas = page.locator("#aspect-chart canvas")
    expect(canvas).to_have_count(1)
    size = canvas.evaluate("c => [c.width, c.height]")
    assert size[0] > 0 and size[1] > 0
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    expect(page.get_by_text("已销号措施数 ÷ 措施总数").first).to_be_visible()


def test_an_outsider_gets_404(page: Page, live_server: Any, demo: str) -> None:
    from django.contrib.auth import get_user_model

    from luoshi.ledger.models import Round
    from luoshi.orgs.models import Organization, RoleAssignment

    elsewhere = Organization.objects.create(name="别的县")
    outsider = get_user_model().objects.create_user("outsider", password=demo)
    RoleAssignment.objects.create(user=outsider, organization=elsewhere, role="organizer")
    round_ = Round.objects.get()
    login(page, live_server.url, "outsider", demo)
    expect(page.get_by_text("您还没有可查看的检视轮次")).to_be_visible()
    for path in (f"/rounds/{round_.pk}/", f"/rounds/{round_.pk}/dashboard/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 404
