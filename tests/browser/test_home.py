"""The home page by role, a document to a ledger in at most five actions, the 汇总's filters, the
404 page and the printed ledger, on the demo data, at desktop and phone width."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from luoshi.ledger.models import Measure, Round
from tests.browser.helpers import login
from tests.ledger.test_imports import docx_bytes

ORGANIZER, REVIEWER, MEMBER = "bangongshi", "duchashi", "lijianhua"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
# Where the print screenshots go (to look at them); a temporary directory unless set.
SHOTS = os.environ.get("LUOSHI_SCREENSHOTS")

DOCUMENT = [
    "示范县委常委班子2026年度专题民主生活会对照检查材料",
    "一、存在的主要问题",
    "（一）理论学习方面",
    "一是集体学习质量不高。中心组学习以领学文件为主，研讨交流准备不充分。",
    "（二）工作作风方面",
    "一是会议文件偏多。全年会议达到120余次，有的会议内容重复。",
    "二、整改措施",
    "1.严格控制会议数量，每季度通报一次会议情况。",
    "2.健全中心组学习制度，每月至少开展1次专题研讨。",
]


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


@pytest.mark.parametrize("size", list(WIDTHS), ids=list(WIDTHS))
def test_document_to_ledger_in_at_most_five_actions(
    page: Page, live_server: Any, demo: str, tmp_path: Path, size: str
) -> None:
    width, height = WIDTHS[size]
    page.set_viewport_size({"width": width, "height": height})
    document = tmp_path / "对照检查材料.docx"
    document.write_bytes(docx_bytes(DOCUMENT))
    login(page, live_server, ORGANIZER, demo)
    no_sideways_scroll(page)

    actions = 0

    def act(step: Any) -> None:
        nonlocal actions
        actions += 1
        step()

    act(lambda: page.get_by_label("选择文档").set_input_files(str(document)))
    act(lambda: page.get_by_role("button", name="上传预览").click())
    expect(page.get_by_role("heading", name="上传预览：对照检查材料.docx")).to_be_visible()
    # The round is proposed from the title: name, year and kind already filled in.
    expect(page.get_by_label("轮次名称")).to_have_value("示范县委常委班子2026年度专题民主生活会")
    expect(page.get_by_role("spinbutton", name="年度")).to_have_value("2026")
    expect(page.locator("#id_kind")).to_have_value("special")
    no_sideways_scroll(page)
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"home-proposal-{size}.png"), full_page=True)
    act(lambda: page.get_by_role("button", name="确认导入").click())

    expect(page.get_by_role("heading", name="示范县委常委班子2026年度专题民主生活会")).to_be_visible()
    expect(page.locator("#ledger-table")).to_contain_text("严格控制会议数量")
    assert actions <= 5, actions
    round_ = Round.objects.get(title="示范县委常委班子2026年度专题民主生活会")
    assert (round_.year, round_.kind) == (2026, "special")
    assert Measure.objects.filter(round=round_).count() == 2
    no_sideways_scroll(page)


@pytest.mark.parametrize("size", list(WIDTHS), ids=list(WIDTHS))
def test_each_role_sees_its_own_home_page(page: Page, live_server: Any, demo: str, size: str) -> None:
    width, height = WIDTHS[size]
    page.set_viewport_size({"width": width, "height": height})
    mine = Measure.objects.filter(
        owner__user__username=MEMBER, status__in=["planned", "in_progress", "returned"]
    )
    others = Measure.objects.exclude(owner__user__username=MEMBER).exclude(co_owners__user__username=MEMBER)

    login(page, live_server, MEMBER, demo)
    table = page.get_by_role("table", name="我的整改措施")
    expect(table).to_be_visible()
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"home-member-{size}.png"), full_page=True)
    expect(table).to_contain_text(mine.order_by("current_deadline").first().summary)
    assert others.exists()
    for measure in others.filter(status__in=["planned", "in_progress"])[:3]:
        expect(table).not_to_contain_text(measure.summary)
    expect(page.get_by_role("heading", name="上传文档建立台账")).to_have_count(0)
    no_sideways_scroll(page)

    login(page, live_server, REVIEWER, demo)
    expect(page.get_by_role("heading", name="待我验收")).to_be_visible()
    expect(page.get_by_role("table", name="我的整改措施")).to_have_count(0)
    no_sideways_scroll(page)

    login(page, live_server, ORGANIZER, demo)
    expect(page.get_by_role("heading", name="上传文档建立台账")).to_be_visible()
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"home-organizer-{size}.png"), full_page=True)
    expect(page.get_by_role("heading", name="各轮次进展")).to_be_visible()
    expect(page.locator("ul.rounds .standing").first).to_contain_text("逾期")
    no_sideways_scroll(page)


@pytest.mark.parametrize("size", list(WIDTHS), ids=list(WIDTHS))
def test_dashboard_filters_and_their_figures(page: Page, live_server: Any, demo: str, size: str) -> None:
    width, height = WIDTHS[size]
    page.set_viewport_size({"width": width, "height": height})
    demo_round = Round.objects.get()
    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/dashboard/")
    rollup = page.locator("#org-rollup")
    if demo_round.year != page.evaluate("new Date().getFullYear()"):
        expect(rollup.locator("tbody")).to_contain_text("未建台账")  # this year: no ledger yet
    page.locator('select[name="year"]').select_option(str(demo_round.year))
    page.get_by_role("button", name="筛选").click()
    total = Measure.objects.filter(round=demo_round).count()
    figure = rollup.locator('td[data-label="整改措施"] a').first
    expect(figure).to_have_text(str(total))
    no_sideways_scroll(page)
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"dashboard-{size}.png"), full_page=True)
    figure.click()
    expect(page.get_by_role("status")).to_contain_text(f"共 {total} 项整改措施")
    expect(page.get_by_text(f"范围：{demo_round.year} 年")).to_be_visible()
    no_sideways_scroll(page)


@pytest.mark.parametrize("size", list(WIDTHS), ids=list(WIDTHS))
def test_404_page_in_chinese_with_a_way_back(page: Page, live_server: Any, demo: str, size: str) -> None:
    width, height = WIDTHS[size]
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, MEMBER, demo)
    page.locator("#nav-mine").click()
    page.goto(f"{live_server.url}/rounds/999999/")
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_role("link", name="返回上一页").click()
    expect(page.get_by_role("heading", name="我的整改")).to_be_visible()
    page.goto(f"{live_server.url}/no-such-page/")
    page.get_by_role("link", name="返回首页").click()
    expect(page.get_by_role("heading", name="检视轮次", exact=True)).to_be_visible()


def test_printed_ledger_and_dashboard(page: Page, live_server: Any, demo: str, tmp_path: Path) -> None:
    shots = Path(SHOTS) if SHOTS else tmp_path
    page.set_viewport_size({"width": 1280, "height": 900})
    demo_round = Round.objects.get()
    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/rounds/{demo_round.pk}/")
    page.emulate_media(media="print")
    for hidden in (
        "header.topbar",
        "#ledger-filter",
        "#bulk-assign-box",
        "td.pick input",
        ".page-head .actions",
    ):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.get_by_role("heading", name=demo_round.title)).to_be_visible()
    expect(page.locator(".print-meta").first).to_contain_text("打印于")
    expect(page.locator("#ledger-table table")).to_be_visible()
    page.screenshot(path=str(shots / "print-ledger.png"), full_page=True)

    page.emulate_media(media="screen")
    page.goto(f"{live_server.url}/dashboard/?year={demo_round.year}")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_role("search", name="筛选汇总范围")).to_be_hidden()
    expect(page.locator(".print-meta")).to_contain_text(f"{demo_round.year} 年")
    expect(page.locator("#org-rollup")).to_be_visible()
    page.screenshot(path=str(shots / "print-dashboard.png"), full_page=True)
    assert (shots / "print-ledger.png").stat().st_size > 0
