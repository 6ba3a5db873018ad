"""Feedback that restates an earlier closed problem in other words is caught, confirmed with
举一反三, and both ends show it: the new problem 以往提出过, the earlier one 整改不彻底."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from luoshi.ledger.models import Problem
from luoshi.recurrence.matching import clear_cache
from tests.recurrence.history import NEW_ITEM, RESTATED, build_history


def _login(page: Page, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(f"pw-{username}")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="检视轮次")).to_be_visible()


def test_feedback_restating_a_closed_problem_is_confirmed_as_recurrence(
    page: Page,
    live_server: Any,
    transactional_db: None,
    team: Any,
    organizer: Any,
    owner: Any,
    reviewer: Any,
    round_: Any,
    tmp_path: Path,
) -> None:
    clear_cache()
    history = build_history(team, organizer, "李建华", owner, reviewer)
    _login(page, live_server, "organizer")

    page.goto(f"{live_server.url}/rounds/{round_.pk}/feedback/")
    page.get_by_label("反馈类型").select_option("supervision")
    page.get_by_label("名称").fill("县委第二督导组反馈意见")
    page.get_by_label("或粘贴反馈事项").fill(f"{RESTATED}\n{NEW_ITEM}")
    page.get_by_role("button", name="导入并比对").click()

    expect(page.get_by_role("heading", name="县委第二督导组反馈意见")).to_be_visible()
    review_url = page.url.removeprefix(live_server.url)
    first, second = page.locator("article.feedback-item").all()
    suggested = first.locator(".matches li.suggested")
    expect(suggested).to_contain_text("系统建议：反复出现")
    expect(suggested).to_contain_text(history.formalism.summary)
    expect(suggested).to_contain_text("验收意见：发文数量压减25%，验收通过")
    expect(second.locator(".badge.suggestion")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "review-desktop.png"), full_page=True)

    # Without 举一反三 the browser itself refuses (required); with it the item is decided in place.
    first.get_by_label("举一反三").fill(
        "排查了全县各部门近两年发文和会议情况，另发现2个部门存在类似问题，已一并整改"
    )
    first.get_by_role("button", name="确认反复出现").click()
    decided = page.locator("article.feedback-item").first
    expect(decided.locator("header .badge")).to_have_text("确认反复出现")
    expect(decided).to_contain_text("已在其历史中记录“整改不彻底”")
    page.locator("article.feedback-item").nth(1).get_by_role("link", name="新问题").click()
    expect(page.get_by_role("heading", name="确认列为新问题")).to_be_visible()
    page.get_by_role("button", name="确认列为新问题").click()
    expect(page.locator("article.feedback-item").nth(1).locator("header .badge")).to_have_text("新问题")

    created = Problem.objects.get(round=round_, recurrence_of=history.formalism)
    page.goto(f"{live_server.url}/rounds/{round_.pk}/recurrences/")
    row = page.locator("tr", has_text=created.summary)
    expect(row.locator(".earlier")).to_contain_text("以往提出过")
    expect(row.locator(".earlier")).to_contain_text("2023年度民主生活会")
    expect(row.locator(".earlier")).to_contain_text("已确认反复出现")
    expect(page.locator("tr", has_text=NEW_ITEM).locator(".earlier")).to_have_count(0)

    page.goto(f"{live_server.url}/problems/{history.formalism.pk}/")
    expect(page.get_by_text("整改不彻底").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "earlier-desktop.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    for name, url in [("recurrences", f"/rounds/{round_.pk}/recurrences/"), ("review", review_url)]:
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        page.screenshot(path=str(tmp_path / f"{name}-phone.png"), full_page=True)
