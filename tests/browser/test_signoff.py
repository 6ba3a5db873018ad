"""Formal sign-off as people click it, on a desktop and on a 390 px phone: the owner's first
progress starts the measure (no 开始整改 click) with a photo shown in the page; the organizer hears
of the submission; the reviewer confirms 验收销号 with an opinion on a page that shows what is
closed; the measure page leads with its summary, state and next step."""

from __future__ import annotations

import datetime
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from luoshi.ledger.models import Measure, Review
from tests.browser.helpers import login

OWNER, REVIEWER, ORGANIZER = "lijianhua", "duchashi", "bangongshi"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


def png_bytes() -> bytes:
    """A real 2×2 PNG (the browser must be able to draw it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xcc\x22\x22" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def in_first_screen(page: Page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    return box["y"] + box["height"] <= page.viewport_size["height"]  # type: ignore[index]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_sign_off_with_opinion_after_auto_start_and_the_organizer_is_told(
    page: Page, live_server: Any, demo: str, tmp_path: Path, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    measure = Measure.objects.filter(owner__user__username=OWNER, status="planned").order_by("number").first()
    assert measure is not None

    # The owner: the page leads with the summary, the state and the next step.
    login(page, live_server, OWNER, demo)
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    expect(page.locator("#measure-status")).to_have_text("未开始")
    assert in_first_screen(page, "#measure-status") and in_first_screen(page, "#measure-lead .next-actions")
    # progress with a photo, without clicking 开始整改 first
    photo = tmp_path / "整改现场.png"
    photo.write_bytes(png_bytes())
    form = page.locator("#progress-form")
    form.get_by_label("进展情况").fill("召开专题会议，制定整改方案。")
    form.get_by_label("佐证文件").set_input_files(str(photo))
    form.get_by_label("佐证日期").fill(datetime.date.today().isoformat())
    form.get_by_role("button", name="保存进展").click()
    expect(page.get_by_text("进展已保存，上传佐证文件 1 个")).to_be_visible()
    expect(page.locator("#measure-status")).to_have_text("整改中")
    expect(page.get_by_role("button", name="开始整改")).to_have_count(0)
    # the photo is shown in the page, not only downloadable
    image = page.locator("img.evidence-thumb").first
    image.scroll_into_view_if_needed()  # loaded lazily, as a phone would
    expect(image).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth === 2", arg=image.element_handle())
    expect(page.get_by_role("link", name="整改现场.png")).to_be_visible()
    # 提交验收 is on offer at once
    page.locator("#measure-lead").get_by_role("link", name="提交验收").click()
    page.get_by_label("整改成效", exact=True).fill("整改方案已印发实施，建立长效机制。")
    page.locator("#outcome-form").get_by_role("button", name="提交验收").click()
    expect(page.locator("#measure-status")).to_have_text("待验收")
    page.screenshot(path=str(tmp_path / f"measure-{size}.png"), full_page=True)

    # The organizer hears of the submission.
    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/notices/")
    expect(page.locator("li.unread", has_text="整改措施提交验收").first).to_contain_text(
        f"措施{measure.number}："
    )

    # The reviewer: a count on 待验收, then a confirmation that shows what is closed.
    login(page, live_server, REVIEWER, demo)
    expect(page.locator("#nav-review .count")).to_have_text(re.compile(r"^\d+$"))
    page.goto(f"{live_server.url}/review/")
    page.locator(f"#measure-{measure.pk}").get_by_role("link", name="验收销号").click()
    expect(page.get_by_role("heading", name="确认验收销号")).to_be_visible()
    what = page.locator("#confirm-what")
    expect(what).to_contain_text("整改方案已印发实施")
    expect(what).to_contain_text("李建华")
    expect(page.locator("#confirm-evidence")).to_contain_text("共 1 项")
    page.get_by_label("验收意见").fill("现场核查，方案已执行，同意销号。")
    page.get_by_role("button", name="确认验收销号").click()
    expect(page.get_by_text("已变为“已销号”")).to_be_visible()
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    expect(page.locator("#measure-status")).to_have_text("已销号")
    expect(page.get_by_text("验收意见：现场核查，方案已执行，同意销号。")).to_be_visible()
    digest = Review.objects.get(measure=measure).digest
    expect(page.get_by_text(digest)).to_be_hidden()  # under "验收时内容摘要", closed
    page.get_by_text("验收时内容摘要").click()
    expect(page.get_by_text(digest)).to_be_visible()

    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/notices/")
    expect(page.locator("li", has_text="整改措施验收销号").first).to_contain_text("同意销号")
    expect(page.locator("li.done", has_text="整改措施提交验收").first).to_contain_text("已办结")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_measure_page_on_a_phone_and_on_paper(
    page: Page, live_server: Any, demo: str, size: str, tmp_path: Path
) -> None:
    page.set_viewport_size(SIZES[size])
    measure = (
        Measure.objects.filter(owner__user__username=OWNER, status="planned").order_by("-number").first()
    )
    assert measure is not None
    Measure.objects.filter(pk=measure.pk).update(summary="坚持每月深入基层调研，" * 15)
    login(page, live_server, OWNER, demo)
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    title = page.locator("h1.measure-title")
    expect(title).to_contain_text("…")
    assert len(title.inner_text()) <= 45
    assert in_first_screen(page, "#measure-status")
    assert in_first_screen(page, "#measure-lead .next-actions")
    expect(page.locator("#measure-text")).to_contain_text("坚持每月深入基层调研，" * 15)
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    page.screenshot(path=str(tmp_path / f"measure-{size}.png"))
    page.emulate_media(media="print")
    expect(page.locator("nav[aria-label=主导航]")).to_be_hidden()
    expect(page.locator("#measure-lead .next-actions")).to_be_hidden()
    expect(page.locator("#progress-form")).to_be_hidden()
    expect(page.locator("#measure-status")).to_be_visible()
    expect(page.locator("#measure-text")).to_be_visible()
    page.screenshot(path=str(tmp_path / f"measure-{size}-print.png"), full_page=True)
