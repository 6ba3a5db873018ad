"""An organizer creates a round, uploads a .docx and a .txt (and a picture by mistake), corrects the
preview (an aspect, a dropped item) and confirms; the ledger shows the result."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from luoshi.ledger.models import ImportDraft, Measure, Problem, Round
from tests.ledger.test_imports import PLAN, SAMPLE, docx_bytes

ORGANIZER = "bangongshi"
SHOTS = os.environ.get("LUOSHI_SCREENSHOTS")  # a directory: save screenshots there to look at them


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def login(page: Page, live_server: Any, password: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(ORGANIZER)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="检视轮次")).to_be_visible()


def test_upload_preview_correct_confirm(page: Page, live_server: Any, demo: str, tmp_path: Path) -> None:
    (tmp_path / "对照检查材料.docx").write_bytes(docx_bytes(SAMPLE.splitlines()))
    (tmp_path / "整改方案.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / "合影.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    page.on("dialog", lambda dialog: dialog.accept())  # the "确定删除这一条吗？" confirmation
    login(page, live_server, demo)

    page.get_by_role("link", name="新建检视轮次").click()
    page.get_by_label("轮次名称").fill("2026年专题民主生活会")
    page.get_by_role("spinbutton", name="年度").fill("2026")
    page.get_by_role("button", name="创建轮次").click()
    expect(page.get_by_role("heading", name="导入文档")).to_be_visible()
    round_ = Round.objects.get(title="2026年专题民主生活会")

    page.get_by_label("选择文档（可多选）").set_input_files(
        [str(tmp_path / "对照检查材料.docx"), str(tmp_path / "整改方案.txt"), str(tmp_path / "合影.jpg")]
    )
    page.get_by_role("button", name="解析并预览").click()
    expect(page.get_by_text("合影.jpg：不是可导入的文档")).to_be_visible()
    shot(page, "import-upload")
    assert ImportDraft.objects.filter(round=round_).count() == 2

    page.get_by_role("link", name="对照检查材料.docx").first.click()
    expect(page.get_by_role("heading", name="预览：对照检查材料.docx")).to_be_visible()
    first = page.locator("#problem-0")
    expect(first).to_contain_text("集体学习质量不高")
    expect(first).to_contain_text("归入方面“理论学习”")

    # Correct the aspect of the first problem (an htmx POST returns the updated draft).
    first.locator("summary", has_text="修改").click()
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 391  # the open tools fit a phone
    shot(page, "import-tools-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    first.get_by_label("方面").fill("政治素质")
    first.get_by_role("button", name="改方面").click()
    expect(page.locator("#problem-0")).to_contain_text("归入方面“政治素质”")

    # Drop the third problem as debris.
    third = page.locator("#problem-2")
    expect(third).to_contain_text("会议文件偏多")
    third.locator("summary", has_text="修改").click()
    third.get_by_role("button", name="删除此条").click()
    expect(page.get_by_text("会议文件偏多")).to_have_count(0)
    expect(page.locator(".draft-head")).to_contain_text("解析出 2 个问题")
    shot(page, "import-preview")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    shot(page, "import-preview-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("已导入“对照检查材料.docx”：问题 2 个")).to_be_visible()
    expect(page.locator("main")).to_contain_text("完善中心组学习制度")
    problems = list(Problem.objects.filter(round=round_).order_by("number"))
    assert [p.summary for p in problems] == ["集体学习质量不高", "学用转化不够"]
    assert problems[0].aspect is not None and problems[0].aspect.name == "政治素质"
    assert Measure.objects.filter(round=round_).count() == 3
    shot(page, "import-round")


def test_bad_file_only_gives_a_chinese_error(page: Page, live_server: Any, demo: str, tmp_path: Path) -> None:
    (tmp_path / "扫描件.docx").write_bytes(b"%PDF-1.4 not a word file")
    login(page, live_server, demo)
    round_ = Round.objects.order_by("id").first()
    assert round_ is not None
    page.goto(f"{live_server.url}/rounds/{round_.pk}/import/")
    page.get_by_label("选择文档（可多选）").set_input_files(str(tmp_path / "扫描件.docx"))
    page.get_by_label("或粘贴文本").fill("只有一句话，没有任何段落。")
    page.get_by_role("button", name="解析并预览").click()
    expect(page.get_by_text("扫描件.docx：不是有效的 Word 文档")).to_be_visible()
    expect(page.get_by_text("粘贴的文本：没有找到")).to_be_visible()
    expect(page.get_by_label("或粘贴文本")).to_have_value("只有一句话，没有任何段落。")
    assert not ImportDraft.objects.filter(round=round_).exists()


def test_export_then_import_the_ledger_into_a_new_round(
    page: Page, live_server: Any, demo: str, tmp_path: Path
) -> None:
    login(page, live_server, demo)
    source = Round.objects.order_by("id").first()
    assert source is not None
    page.goto(f"{live_server.url}/rounds/{source.pk}/")
    shot(page, "import-round-actions")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出台账").click()
    exported = tmp_path / "台账.xlsx"
    download_info.value.save_as(exported)

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="新建检视轮次").click()
    page.get_by_label("轮次名称").fill("台账迁移")
    page.get_by_role("button", name="创建轮次").click()
    page.get_by_role("link", name="导入台账表格").click()
    page.get_by_label("台账文件（.xlsx）").set_input_files(str(exported))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_role("heading", name="预览：台账.xlsx")).to_be_visible()
    shot(page, "import-xlsx-preview")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("已导入“台账.xlsx”")).to_be_visible()
    target = Round.objects.get(title="台账迁移")
    assert Measure.objects.filter(round=target).count() == Measure.objects.filter(round=source).count()
    assert Problem.objects.filter(round=target).count() == Problem.objects.filter(round=source).count()
