"""催办 and the delivery log, clicked through on the demo data: the organizer urges one measure from
its page and two from the round's bulk list, the owner finds the urge in their notices, and the
organizer reads what was sent in the delivery log; a 督办单 is issued and signed for."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from luoshi.ledger.models import Measure
from luoshi.notices.models import Urge
from tests.browser.test_work import login

ORGANIZER, OWNER = "bangongshi", "lijianhua"


def test_organizer_urges_and_reads_the_delivery_log(page: Page, live_server: Any, demo: str) -> None:
    measure = Measure.objects.filter(owner__user__username=OWNER, status="planned").order_by("number").first()
    assert measure is not None
    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    page.get_by_label("催办留言（可选）").fill("请本周五前报送进展")
    page.get_by_role("button", name="催办", exact=True).click()
    expect(page.get_by_text("已催办，责任领导会收到通知")).to_be_visible()
    expect(page.locator("#urged-today")).to_be_visible()
    expect(page.get_by_text("催办：请本周五前报送进展")).to_be_visible()

    # In bulk from the round's ledger: the measure urged today cannot be chosen again.
    page.goto(f"{live_server.url}/rounds/{measure.round_id}/")
    page.get_by_role("link", name="批量催办").click()
    expect(page.get_by_label(f"选择措施{measure.number}")).to_be_disabled()
    boxes = page.locator("#bulk-urge input[type=checkbox]:not([disabled])")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="催办所选措施").click()
    expect(page.get_by_text("已催办 2 项措施")).to_be_visible()
    assert Urge.objects.count() == 3

    login(page, live_server, OWNER, demo)
    page.goto(f"{live_server.url}/notices/")
    notice = page.locator("li.unread", has_text="请本周五前报送进展")
    expect(notice).to_be_visible()
    notice.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(rf"/measures/{measure.pk}/$"))

    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/notices/")
    page.get_by_role("link", name="发送记录").click()
    expect(page.get_by_role("heading", name="发送记录")).to_be_visible()
    rows = page.locator("#deliveries tr.delivery.sent", has_text="整改措施催办")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("站内通知")


def test_order_issued_and_signed_for(page: Page, live_server: Any, demo: str) -> None:
    measure = Measure.objects.filter(owner__user__username=OWNER, status="planned").order_by("number").first()
    assert measure is not None
    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    page.get_by_role("link", name="签发督办单").click()
    page.get_by_label("红色督办").check()
    page.get_by_label("督办事由").fill("已超过完成时限，请说明原因")
    page.get_by_role("button", name="签发").click()
    expect(page.get_by_role("heading", name=re.compile("督办单"))).to_be_visible()
    expect(page.locator("#order-state")).to_have_text("待签收")

    login(page, live_server, OWNER, demo)
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    page.locator(".supervision").get_by_role("link", name=re.compile("督办〔")).click()
    page.get_by_role("button", name="签收").click()
    expect(page.locator("#order-state")).to_have_text("已签收，待反馈")
    page.get_by_label("反馈情况").fill("已制定补救方案，月底前完成")
    page.get_by_role("button", name="提交反馈").click()
    expect(page.locator("#order-state")).to_have_text("已反馈")
