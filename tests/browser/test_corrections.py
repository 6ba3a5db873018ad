"""Safe imports and corrections clicked through on the demo data, at desktop and phone width: a
document imported twice is flagged and goes in only on the explicit choice; a measure is voided by
the organizer and restored by a reviewer; a problem is corrected and its history tells it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from luoshi.ledger.models import Measure, Problem, Round
from tests.browser.helpers import login
from tests.browser.test_import import shot
from tests.ledger.test_imports import SAMPLE

ORGANIZER, REVIEWER = "bangongshi", "duchashi"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def fits(page: Page) -> None:
    """Nothing scrolls sideways at the current width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None and width <= viewport["width"], f"{width}px wide"


@pytest.fixture(params=list(WIDTHS))
def sized(request: Any, page: Page) -> Page:
    width, height = WIDTHS[request.param]
    page.set_viewport_size({"width": width, "height": height})
    return page


def paste(page: Page, live_server: Any, round_: Round, name: str) -> None:
    page.goto(f"{live_server.url}/rounds/{round_.pk}/import/")
    page.get_by_label("或粘贴文本").fill(SAMPLE)
    page.get_by_label("文本名称（可不填）").fill(name)
    page.get_by_role("button", name="解析并预览").click()
    expect(page.get_by_role("heading", name=f"预览：{name}")).to_be_visible()


def test_a_repeated_import_is_flagged_and_needs_the_choice(sized: Page, live_server: Any, demo: str) -> None:
    page = sized
    round_ = Round.objects.filter(team__organization__parent=None).order_by("-year", "-id").first()
    assert round_ is not None
    login(page, live_server, ORGANIZER, demo)
    paste(page, live_server, round_, "第一次导入")
    expect(page.locator("#repeat-warning")).to_have_count(0)
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("已导入“第一次导入”")).to_be_visible()
    count = Measure.objects.filter(round=round_).count()

    paste(page, live_server, round_, "第二次导入")
    warning = page.locator("#repeat-warning")
    expect(warning).to_contain_text("可能重复导入")
    expect(warning.get_by_role("link", name="第一次导入")).to_be_visible()
    fits(page)
    shot(page, f"repeat-{page.viewport_size['width'] if page.viewport_size else 0}")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("alert")).to_contain_text("仍然导入")
    assert Measure.objects.filter(round=round_).count() == count
    page.get_by_label("仍然导入", exact=False).check()
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("已导入“第二次导入”")).to_be_visible()
    assert Measure.objects.filter(round=round_).count() > count


def test_the_organizer_voids_a_measure_and_a_reviewer_restores_it(
    sized: Page, live_server: Any, demo: str
) -> None:
    page = sized
    measure = Measure.objects.filter(status="planned").order_by("round_id", "number").first()
    assert measure is not None
    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    page.get_by_role("link", name="作废").click()
    expect(page.get_by_role("heading", name=f"作废整改措施 {measure.number}")).to_be_visible()
    expect(page.get_by_text(measure.summary).first).to_be_visible()
    fits(page)
    shot(page, f"void-{page.viewport_size['width'] if page.viewport_size else 0}")
    page.get_by_label("作废理由").fill("同一文档重复导入")
    page.get_by_role("button", name="确认作废").click()
    expect(page.get_by_text("作废理由：同一文档重复导入")).to_be_visible()
    expect(page.get_by_role("link", name="作废")).to_have_count(0)
    shot(page, f"voided-{page.viewport_size['width'] if page.viewport_size else 0}")
    page.goto(f"{live_server.url}/rounds/{measure.round_id}/")
    expect(page.locator(f'tr[data-measure="{measure.pk}"]')).to_have_count(0)
    page.goto(f"{live_server.url}/rounds/{measure.round_id}/?void=only")
    expect(page.locator(f'tr[data-measure="{measure.pk}"]')).to_contain_text("已作废")

    login(page, live_server, REVIEWER, demo)
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    page.get_by_role("link", name="恢复").click()
    expect(page.get_by_role("heading", name=f"恢复整改措施 {measure.number}")).to_be_visible()
    page.get_by_role("button", name="确认恢复").click()
    expect(page.get_by_text(f"已恢复整改措施 {measure.number}")).to_be_visible()
    assert Measure.objects.filter(pk=measure.pk).exists()
    page.goto(f"{live_server.url}/measures/{measure.pk}/history/")
    expect(page.get_by_text("作废整改措施")).to_be_visible()
    expect(page.get_by_text("恢复整改措施")).to_be_visible()


def test_the_organizer_corrects_a_problem_and_the_history_tells_it(
    sized: Page, live_server: Any, demo: str
) -> None:
    page = sized
    problem = Problem.objects.order_by("round_id", "number").first()
    assert problem is not None
    aspect = problem.round.framework.aspects.exclude(pk=problem.aspect_id or 0).first()
    assert aspect is not None
    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/problems/{problem.pk}/")
    page.get_by_role("link", name="编辑内容").click()
    expect(page.get_by_role("heading", name=f"修改问题 {problem.number}")).to_be_visible()
    fits(page)
    page.locator("#id_summary").fill("更正后的问题表述")
    page.locator("#id_aspect").select_option(label=aspect.name)
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_role("heading", name=f"问题 {problem.number}：更正后的问题表述")).to_be_visible()
    expect(page.get_by_text(f"内容：{problem.summary} → 更正后的问题表述")).to_be_visible()
    expect(page.get_by_text(f"→ {aspect.name}").first).to_be_visible()
    fits(page)
