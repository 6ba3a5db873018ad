"""征求意见 clicked through on the demo data, at desktop width and on a 390 px phone: the organizer opens
the public link; an anonymous person sends an opinion about a member; the organizer confirms its
classification and forwards it; the member reads it on their own page, without the contact details."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from luoshi.ledger.models import Round
from tests.browser.helpers import login

ORGANIZER, MEMBER = "bangongshi", "lijianhua"
OPINION = "李建华同志下基层调研有时走过场，听汇报多、看现场少，希望多到田间地头。"
CONTACT = "13912345678"


@pytest.mark.parametrize("width", [1280, 390])
def test_an_anonymous_opinion_reaches_the_member_it_is_about(
    page: Page, live_server: Any, demo: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    refused: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    round_ = Round.objects.get()
    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/rounds/{round_.pk}/")
    page.locator("#round-opinions-block").get_by_role("link", name="征求意见").click()
    expect(page.get_by_role("heading", name="征求意见", exact=True)).to_be_visible()
    page.get_by_role("button", name="开放征求意见链接").click()
    expect(page.get_by_text("征求意见链接已开放。")).to_be_visible()
    expect(page.get_by_role("img", name="征求意见二维码")).to_be_visible()
    public_path = page.locator("#public-link").get_attribute("href")
    assert public_path and public_path.startswith("/yijian/")

    # Anyone with the link or the QR code: no login.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{public_path}")
    expect(page.get_by_text("可以匿名")).to_be_visible()
    page.get_by_label("您的意见建议").fill(OPINION)
    page.get_by_label("针对对象（可不选）").select_option(label="李建华（县委副书记、县长）")
    page.get_by_label("联系方式（可不填）").fill(CONTACT)
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.get_by_role("button", name="提交意见建议").click()
    expect(page.get_by_role("heading", name="提交成功，谢谢您！")).to_be_visible()

    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/rounds/{round_.pk}/opinions/")
    item = page.locator("li.opinion").filter(has_text="下基层调研有时走过场")
    expect(item).to_contain_text("待分类")
    expect(item).to_contain_text(CONTACT)  # the organizer may see the contact details
    expect(item.get_by_label("针对对象")).to_have_value(str(round_.team.members.get(name="李建华").pk))
    item.get_by_label("方面").select_option(label="工作作风")
    item.get_by_role("button", name="确认分类").click()
    expect(page.get_by_text("已确认分类。")).to_be_visible()
    page.get_by_role("button", name="原文转交已分类的意见建议").click()
    expect(page.get_by_text("已原文转交意见建议 1 条。")).to_be_visible()
    group = page.locator("section.target-group").filter(has_text="对李建华同志")
    expect(group).to_contain_text("工作作风方面")
    expect(group).to_contain_text(OPINION)
    expect(page.locator("main")).not_to_contain_text(CONTACT)
    page.goto(f"{live_server.url}/rounds/{round_.pk}/opinions/poster/")
    expect(page.get_by_role("img", name="征求意见二维码")).to_be_visible()
    assert page.locator("img.poster-qr").evaluate("img => img.naturalWidth") > 0  # the SVG drew

    login(page, live_server, MEMBER, demo)
    page.goto(f"{live_server.url}/rounds/{round_.pk}/")
    page.locator("#round-opinions-block").get_by_role("link", name="征求意见").click()
    expect(page.get_by_role("heading", name="转交给李建华同志的意见建议")).to_be_visible()
    expect(page.locator("main")).to_contain_text(OPINION)
    expect(page.locator("main")).not_to_contain_text(CONTACT)
    if width == 390:
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert refused == []  # every page ran under the Content-Security-Policy
