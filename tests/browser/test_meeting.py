"""The demo's complete round walked through at the desktop and on a 390 px phone: the meeting page
with attendance and the quorum, a criticism listed as its target's problem (after the confirmation
step), 回头看 conclusions (the organizer's refused close, the reviewer's close), and the meeting
report downloaded and read."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import Page, expect

from luoshi.ledger.models import Problem, Round
from luoshi.meetings.models import CarriedMeasure
from tests.browser.helpers import login

ORGANIZER, REVIEWER = "bangongshi", "duchashi"
PASSWORD = "browser-test-pw"


@pytest.fixture
def complete_demo(transactional_db: None) -> str:
    from luoshi.web.commands.demo import load

    load(PASSWORD, complete_round=True)
    return PASSWORD


def no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


@pytest.mark.parametrize("width", [1280, 390])
def test_walk_the_complete_round_to_its_meeting_report(
    page: Page, live_server: Any, complete_demo: str, tmp_path: Path, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    title = f"{timezone.localdate().year}年度民主生活会"
    round_ = Round.objects.get(title=title)
    login(page, live_server, ORGANIZER, complete_demo)
    page.locator("ul.rounds").get_by_role("link", name=title).click()
    page.get_by_role("link", name="民主生活会：出席情况、回头看、批评和自我批评").click()
    expect(page.get_by_role("heading", name="民主生活会", exact=True)).to_be_visible()
    expect(page.locator("#meeting-state")).to_contain_text("已召开")
    expect(page.locator("#quorum")).to_contain_text("应到 6 人，实到 5 人")
    expect(page.locator("#quorum")).to_contain_text("已达到")
    expect(page.locator("#attendance")).to_contain_text("赵清廉：缺席（在省委党校参加学习）")
    no_sideways_scroll(page, width)

    # A criticism becomes 刘宏伟's problem, after the confirmation step.
    row = page.locator("#criticisms tr", has_text="老旧小区改造项目进度滞后")
    row.get_by_role("link", name="列为刘宏伟的问题").click()
    expect(page.get_by_role("heading", name="把批评意见列为刘宏伟的问题")).to_be_visible()
    no_sideways_scroll(page, width)
    assert not Problem.objects.filter(round=round_, member__name="刘宏伟").exists()
    page.get_by_role("button", name="确认列为问题").click()
    expect(page.get_by_text("已列为刘宏伟的问题")).to_be_visible()
    problem = Problem.objects.get(round=round_, member__name="刘宏伟")
    assert problem.source == "criticism"
    expect(page.locator("#criticisms tr", has_text="老旧小区改造项目进度滞后")).to_contain_text(
        f"问题 {problem.number}"
    )

    # 回头看: the organizer continues a pending measure, and may not close the submitted one.
    pending = (
        CarriedMeasure.objects.filter(round=round_, decision="pending", measure__status="planned")
        .select_related("measure")
        .order_by("measure__number")
        .first()
    )
    article = page.locator(f"#carried-{pending.pk}")
    article.get_by_text("措施历史").click()
    expect(article.locator(".timeline")).to_contain_text("回头看：结转到新一轮")
    article.get_by_label("回头看结论").select_option("continue")
    article.get_by_label("说明").fill("明年一季度完成")
    article.get_by_role("button", name="记录结论").click()
    expect(page.locator(f"#carried-{pending.pk} .decision")).to_have_text("继续整改")
    submitted = CarriedMeasure.objects.get(round=round_, measure__status="submitted")
    article = page.locator(f"#carried-{submitted.pk}")
    article.get_by_label("回头看结论").select_option("closed")
    article.get_by_role("button", name="记录结论").click()
    refused = page.locator(f"#carried-{submitted.pk} [role=alert]")
    expect(refused).to_contain_text("验收程序")
    expect(refused.get_by_role("link", name="前往措施页面")).to_be_visible()
    no_sideways_scroll(page, width)

    # The reviewer closes it from the meeting page: the ledger's transition, four eyes checked.
    login(page, live_server, REVIEWER, complete_demo)
    page.goto(f"{live_server.url}/rounds/{round_.pk}/meeting/")
    article = page.locator(f"#carried-{submitted.pk}")
    article.get_by_label("回头看结论").select_option("closed")
    article.get_by_role("button", name="记录结论").click()
    expect(page.locator(f"#carried-{submitted.pk} .decision")).to_have_text("已完成销号")
    submitted.measure.refresh_from_db()
    assert submitted.measure.status == "closed"

    # The meeting report, downloaded and read.
    with page.expect_download() as download:
        page.get_by_role("link", name="下载会议情况报告（.docx）").click()
    target = tmp_path / "report.docx"
    download.value.save_as(target)
    document = Document(io.BytesIO(target.read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"关于召开{title}情况的报告" in text
    assert "应到 6 人，实到 5 人" in text
    assert "其中3条已列为被批评人的问题" in text
    assert "已完成销号1项" in text
    assert f"（{'刘宏伟'}）" in text
