"""The owner's and the reviewer's work, clicked through as people would on the demo data:
progress with a file → submit → close; the return path; an extension; an outsider's 404."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from luoshi.ledger.models import Measure
from tests.browser.helpers import login

OWNER, REVIEWER = "lijianhua", "duchashi"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def owners_measure(status: str) -> Measure:
    return Measure.objects.filter(owner__user__username=OWNER, status=status).order_by("number").first()


def test_owner_records_progress_with_a_file_submits_and_reviewer_closes(
    page: Page, live_server: Any, demo: str, tmp_path: Path
) -> None:
    measure = owners_measure("planned")
    login(page, live_server, OWNER, demo)
    page.locator("#nav-mine").click()
    expect(page.get_by_role("heading", name="我的整改")).to_be_visible()
    page.get_by_role("link", name=f"{measure.number}. {measure.summary}").click()
    expect(page.locator("#measure-status")).to_have_text("未开始")
    page.get_by_role("button", name="开始整改").click()
    expect(page.locator("#measure-status")).to_have_text("整改中")

    evidence = tmp_path / "专题会议纪要.pdf"
    evidence.write_bytes(PDF)
    form = page.locator("#progress-form")
    form.get_by_label("进展情况").fill("召开专题会议，研究制定整改方案，明确责任分工。")
    form.get_by_label("佐证文件").set_input_files(str(evidence))
    form.get_by_label("佐证日期").fill((datetime.date.today() - datetime.timedelta(days=2)).isoformat())
    form.get_by_label("佐证说明").fill("会议纪要")
    form.get_by_role("button", name="保存进展").click()
    expect(page.get_by_text("进展已保存，上传佐证文件 1 个")).to_be_visible()
    expect(page.get_by_text("召开专题会议，研究制定整改方案")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="专题会议纪要.pdf").click()
    assert download.value.suggested_filename == "专题会议纪要.pdf"

    page.get_by_label("整改成效", exact=True).fill("整改方案已印发实施，建立长效机制。")
    page.get_by_role("button", name="提交验收").click()
    expect(page.locator("#measure-status")).to_have_text("待验收")

    login(page, live_server, REVIEWER, demo)
    page.locator("#nav-review").click()
    item = page.locator(f"#measure-{measure.pk}")
    expect(item).to_contain_text("整改方案已印发实施")
    expect(item.get_by_role("link", name="专题会议纪要.pdf")).to_be_visible()
    item.get_by_role("link", name="验收销号").click()
    # the confirmation shows what is closed and takes the reviewer's opinion
    expect(page.get_by_role("heading", name="确认验收销号")).to_be_visible()
    expect(page.locator("#confirm-what")).to_contain_text("整改方案已印发实施")
    expect(page.locator("#confirm-evidence")).to_contain_text("共 1 项")
    page.get_by_label("验收意见").fill("核对会议纪要和方案文件，整改到位。")
    page.get_by_role("button", name="确认验收销号").click()
    expect(page.get_by_text("已变为“已销号”")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/review/$"))
    expect(page.locator(f"#measure-{measure.pk}")).to_have_count(0)
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    expect(page.locator("#measure-status")).to_have_text("已销号")
    expect(page.get_by_text("验收销号 · ")).to_be_visible()
    expect(page.get_by_text("验收意见：核对会议纪要和方案文件，整改到位。")).to_be_visible()


def test_return_path_owner_reads_the_reason_and_resubmits(page: Page, live_server: Any, demo: str) -> None:
    measure = owners_measure("submitted")
    login(page, live_server, REVIEWER, demo)
    page.goto(f"{live_server.url}/review/")
    item = page.locator(f"#measure-{measure.pk}")
    item.get_by_label("退回理由").fill("缺少整改前后的数据对比，请补充。")
    item.get_by_role("button", name="退回").click()
    expect(page.get_by_text("已变为“已退回”")).to_be_visible()

    login(page, live_server, OWNER, demo)
    page.get_by_role("link", name="通知").click()
    notice = page.locator("li.unread", has_text="缺少整改前后的数据对比")
    expect(notice).to_be_visible()
    notice.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(rf"/measures/{measure.pk}/$"))
    expect(page.locator("#measure-status")).to_have_text("已退回")
    expect(page.get_by_text("退回理由：缺少整改前后的数据对比，请补充。")).to_be_visible()
    page.get_by_role("button", name="重新整改").click()
    expect(page.locator("#measure-status")).to_have_text("整改中")
    page.get_by_label("整改成效", exact=True).fill("已补充整改前后数据对比：办件时长由5天缩短到2天。")
    page.get_by_role("button", name="提交验收").click()
    expect(page.locator("#measure-status")).to_have_text("待验收")
    page.goto(f"{live_server.url}/notices/")
    expect(page.locator("li.unread", has_text="缺少整改前后的数据对比")).to_have_count(0)


def test_extension_approved_moves_the_current_deadline_and_keeps_the_baseline(
    page: Page, live_server: Any, demo: str
) -> None:
    measure = owners_measure("planned")
    baseline = measure.baseline_deadline
    wanted = measure.current_deadline + datetime.timedelta(days=45)
    login(page, live_server, OWNER, demo)
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    page.get_by_text("申请延期", exact=True).click()
    page.get_by_label("申请延至").fill(wanted.isoformat())
    page.get_by_label("延期理由").fill("需等待省级部门审批，时间不可控。")
    page.get_by_role("button", name="提交延期申请").click()
    expect(page.get_by_text("延期申请已提交")).to_be_visible()
    expect(page.get_by_role("button", name="批准延期")).to_have_count(0)

    login(page, live_server, REVIEWER, demo)
    page.goto(f"{live_server.url}/review/")
    request = page.locator("article[id^=extension-]", has_text="需等待省级部门审批")
    expect(request).to_contain_text(f"申请延至 {wanted:%Y-%m-%d}")
    request.get_by_role("button", name="批准延期").click()
    expect(page.get_by_text("延期申请已批准")).to_be_visible()

    login(page, live_server, OWNER, demo)
    page.goto(f"{live_server.url}/measures/{measure.pk}/")
    expect(page.locator("#current-deadline")).to_contain_text(wanted.isoformat())
    expect(page.locator("#baseline-deadline")).to_have_text(baseline.isoformat())
    page.goto(f"{live_server.url}/my/")
    row = page.locator("tr", has_text=measure.summary)
    expect(row).to_contain_text(wanted.isoformat())
    expect(row).to_contain_text(f"原定 {baseline:%Y-%m-%d}")


def test_outsider_gets_404_for_the_measure_and_its_file(page: Page, live_server: Any, demo: str) -> None:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from luoshi.ledger import progress
    from luoshi.orgs.models import Organization, RoleAssignment

    measure = owners_measure("planned")
    owner = measure.owner.user
    (evidence,) = progress.add_evidence(
        measure,
        actor=owner,
        files=[SimpleUploadedFile("内部材料.pdf", PDF)],
        evidence_date=datetime.date.today(),
    )
    elsewhere = Organization.objects.create(name="别的县")
    outsider = get_user_model().objects.create_user(username="outsider", password=demo)
    RoleAssignment.objects.create(user=outsider, organization=elsewhere, role="organizer")

    login(page, live_server, "outsider", demo)
    for path in (f"/measures/{measure.pk}/", f"/evidence/{evidence.pk}/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 404, path
    page.goto(f"{live_server.url}/my/")
    expect(page.get_by_text(measure.summary)).to_have_count(0)
