"""The organizer prepares a round: sets the meeting date and sees each step's deadline (an overdue
one said in words), records a missing talk from the coverage matrix in one step, and imports a
member's own material into that member's ledger; at desktop width and on a 390 px phone."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from luoshi.ledger.models import Measure, Problem, Round
from luoshi.meetings.models import Talk
from tests.browser.test_import import login, shot
from tests.ledger.test_imports import docx_bytes

MEMBER_TEXT = """个人对照检查材料

一、存在的主要问题
（一）理论学习方面
一是学习不够深入。满足于读原文、记笔记，联系实际思考不够。

三、整改措施
1.每月自学不少于4次，撰写学习心得。
"""

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_meeting_date_steps_talk_and_member_material(
    page: Page, live_server: Any, demo: str, tmp_path: Path, viewport: ViewportSize
) -> None:
    page.set_viewport_size(viewport)
    round_ = Round.objects.order_by("id").first()
    assert round_ is not None
    login(page, live_server, demo)

    # The meeting date: every step gets its deadline; the theme's is already past, said in words.
    page.goto(f"{live_server.url}/rounds/{round_.pk}/")
    page.locator("#prep-steps-block").get_by_role("link", name="步骤与时限").click()
    expect(page.get_by_role("heading", name="轮次步骤")).to_be_visible()
    meeting = timezone.localdate() + datetime.timedelta(days=10)
    page.get_by_label("会议日期").fill(meeting.isoformat())
    page.get_by_role("button", name="保存").first.click()
    expect(page.locator("#anchor-date")).to_have_text(meeting.isoformat())
    theme = page.locator("tr[data-step=theme]")
    expect(theme.locator(".step-deadline")).to_have_text((meeting - datetime.timedelta(days=15)).isoformat())
    expect(theme).to_contain_text("已逾期 5 天")
    expect(page.locator("tr[data-step=report] .step-deadline")).to_have_text(
        (meeting + datetime.timedelta(days=15)).isoformat()
    )
    expect(page.get_by_role("alert")).to_contain_text("确定主题")
    if viewport is PHONE:
        fits(page)
    shot(page, f"prep-steps-{viewport['width']}")
    theme.get_by_role("button", name="标记完成").click()
    expect(page.locator("tr[data-step=theme]")).to_contain_text("逾期完成")

    # The talk matrix: record the first missing pair in one step.
    page.get_by_role("link", name="谈心谈话").first.click()
    expect(page.get_by_role("heading", name="谈心谈话")).to_be_visible()
    missing = page.locator("#missing-pairs .pair").first
    names = missing.locator("strong").all_inner_texts()
    missing.get_by_role("button", name="记录已谈").click()
    expect(page.get_by_text(f"已记录 {names[0]} 与 {names[1]} 的谈心谈话")).to_be_visible()
    talk = Talk.objects.get(round=round_)
    assert talk.initiator.name == names[0] and [p.name for p in talk.partners.all()] == [names[1]]
    expect(page.locator("#talk-person-times")).to_have_text("1")
    if viewport is PHONE:
        fits(page)
    shot(page, f"prep-talks-{viewport['width']}")

    # A member's own material through the same preview and confirm.
    member = round_.team.members.order_by("order", "id")[1]
    material = tmp_path / f"{member.name}对照检查材料.docx"
    material.write_bytes(docx_bytes(MEMBER_TEXT.splitlines()))
    page.goto(f"{live_server.url}/rounds/{round_.pk}/import/")
    page.get_by_label("选择文档（可多选）").set_input_files([str(material)])
    page.get_by_label("本人对照检查材料").select_option(str(member.pk))
    if viewport is PHONE:
        fits(page)
    page.get_by_role("button", name="解析并预览").click()
    expect(page.locator(".draft-member")).to_contain_text(member.name)
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text(f"已导入“{material.name}”")).to_be_visible()
    own = Problem.objects.get(round=round_, member=member)
    assert own.summary.startswith("学习不够深入")
    assert Measure.objects.filter(
        round=round_, summary__startswith="每月自学不少于4次", owner=member
    ).exists()
    page.goto(f"{live_server.url}/rounds/{round_.pk}/?of={member.pk}")
    expect(page.locator("#ledger-table")).to_contain_text("每月自学不少于4次")
