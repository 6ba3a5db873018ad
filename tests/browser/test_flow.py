"""The whole loop as people click it: the organizer uploads a document, previews and confirms it,
assigns the measure; the owner works it and submits with evidence; the reviewer closes it; the
audit chain holds."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from luoshi.audit.chain import verify
from luoshi.ledger.models import Measure, Review, Round
from tests.browser.helpers import login

PLAN = """县委巡察反馈问题整改方案
一、存在的问题
（一）工作作风方面
一是督查检查过多过频。一些部门以督查代替落实，基层迎检负担重。
二、整改措施
（一）为基层减负
一是统筹规范督查检查，全年县级督查检查事项压减30%以上。
"""
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_upload_confirm_assign_submit_close(page: Page, live_server: Any, demo: str, tmp_path: Path) -> None:
    # The organizer: a new round, a document in, corrected nothing, confirmed.
    login(page, live_server, "bangongshi", demo)
    page.get_by_role("link", name="新建检视轮次").click()
    page.get_by_label("轮次名称").fill("巡察反馈问题整改")
    page.get_by_role("spinbutton", name="年度").fill(str(datetime.date.today().year))
    page.get_by_role("button", name="创建轮次").click()
    source = tmp_path / "整改方案.txt"
    source.write_text(PLAN, encoding="gb18030")
    page.get_by_label("选择文档（可多选）").set_input_files(str(source))
    page.get_by_role("button", name="解析并预览").click()
    expect(page.get_by_role("heading", name="预览：整改方案.txt")).to_be_visible()
    expect(page.locator("main")).to_contain_text("督查检查过多过频")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("已导入“整改方案.txt”")).to_be_visible()
    round_ = Round.objects.get(title="巡察反馈问题整改")
    measure = Measure.objects.get(round=round_)
    assert measure.commitments.get().value == 30

    # Assign the owner and a deadline.
    deadline = datetime.date.today() + datetime.timedelta(days=60)
    page.locator(f'#measures input[name=measures][value="{measure.pk}"]').check()
    page.get_by_text("批量分配责任").click()
    page.locator("#bulk-assign select[name=owner]").select_option(label="李建华（县委副书记、县长）")
    page.locator("#bulk-assign input[name=deadline]").fill(deadline.isoformat())
    page.get_by_role("button", name="分配给所选措施").click()
    expect(page.get_by_text("已为 1 项整改措施分配责任")).to_be_visible()

    # The owner: start, record progress with a file, submit the outcome.
    login(page, live_server, "lijianhua", demo)
    page.locator("#nav-mine").click()
    page.get_by_role("link", name=f"{measure.number}. {measure.summary}").click()
    page.get_by_role("button", name="开始整改").click()
    expect(page.locator("#measure-status")).to_have_text("整改中")
    evidence = tmp_path / "督查检查计划.pdf"
    evidence.write_bytes(PDF)
    form = page.locator("#progress-form")
    form.get_by_label("进展情况").fill("制定年度督查检查计划，事项由42项压减到26项。")
    form.get_by_label("佐证文件").set_input_files(str(evidence))
    form.get_by_label("佐证日期").fill(datetime.date.today().isoformat())
    form.get_by_role("button", name="保存进展").click()
    expect(page.get_by_text("进展已保存，上传佐证文件 1 个")).to_be_visible()
    page.get_by_label("整改成效", exact=True).fill("督查检查事项压减38%，基层迎检次数明显减少。")
    page.get_by_role("button", name="提交验收").click()
    expect(page.locator("#measure-status")).to_have_text("待验收")

    # The reviewer: sees the outcome and the file, closes it.
    login(page, live_server, "duchashi", demo)
    page.locator("#nav-review").click()
    item = page.locator(f"#measure-{measure.pk}")
    expect(item).to_contain_text("督查检查事项压减38%")
    expect(item.get_by_role("link", name="督查检查计划.pdf")).to_be_visible()
    item.get_by_role("link", name="验收销号").click()
    page.get_by_label("验收意见").fill("督查检查计划已印发，事项压减属实。")
    page.get_by_role("button", name="确认验收销号").click()
    expect(page.get_by_text("已变为“已销号”")).to_be_visible()

    measure.refresh_from_db()
    assert measure.status == "closed"
    assert measure.baseline_deadline == deadline
    review = Review.objects.get(measure=measure)
    assert review.reviewer.username == "duchashi" and len(review.digest) == 64
    assert verify().ok
