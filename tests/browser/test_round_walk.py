"""A round walked through all seven steps of a 民主生活会 on the demo data, at desktop width and on a
390 px phone: the organizer creates this year's round (确定主题); an anonymous person sends an opinion
through the round's public link and staff take one down at a 座谈会, classify and forward them
(征求意见); the meeting date gives every step its deadline; a talk is recorded from the coverage
matrix (谈心交心); a member's own material is imported (撰写对照检查材料); the meeting registers
attendance and the quorum, looks back at last year's unfinished measures and lists a criticism as
its target's problem (开展批评和自我批评); that problem gets its measure (制定整改措施); and the
meeting report is downloaded and read, its figures checked against the database (报告和通报)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count
from django.utils import timezone
from docx import Document
from playwright.sync_api import ConsoleMessage, Page, expect

from luoshi.audit.chain import verify
from luoshi.audit.models import Event, EventType
from luoshi.ledger.models import Measure, Problem, Round
from luoshi.meetings.models import CarriedMeasure, Meeting, Opinion, OpinionSource, Talk
from tests.browser.test_import import shot
from tests.ledger.test_imports import docx_bytes

ORGANIZER = "bangongshi"
PUBLIC_OPINION = "希望县委班子多到偏远村组蹲点调研，少开会多办事，群众反映的问题要有回音。"
FORUM_OPINION = "李建华同志推进审批改革时对部门承诺时限督促不够，企业还要多头跑。"
CRITICISM = "王志刚同志到分管联系点调研次数偏少，对基层反映的困难跟踪解决不够及时。"
MEASURE = "每月到分管联系点蹲点调研不少于1次，建立困难问题跟踪台账，逐项回复。"
MEMBER_TEXT = """个人对照检查材料

一、存在的主要问题
（一）理论学习方面
一是学习不够深入。满足于读原文、记笔记，联系实际思考不够。

三、整改措施
1.每月自学不少于4次，撰写学习心得。
"""


def login(page: Page, live_server: Any, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(ORGANIZER)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="检视轮次")).to_be_visible()


def fits(page: Page, width: int) -> None:
    """Nothing on the page is wider than the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def mark_done(page: Page, step: str) -> None:
    page.locator(f"tr[data-step={step}]").get_by_role("button", name="标记完成").click()
    expect(page.locator(f"tr[data-step={step}] .step-state")).to_contain_text("完成")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_round_walks_through_all_seven_steps_to_its_meeting_report(
    page: Page, live_server: Any, demo: str, tmp_path: Path, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    refused: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    today = timezone.localdate()
    title = f"{today.year}年度民主生活会"
    last_year = Round.objects.get()
    before = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    # 1. 确定主题: this year's round of the demo team, with its theme.
    login(page, live_server, demo)
    page.get_by_role("link", name="新建检视轮次").click()
    page.get_by_label("轮次名称").fill(title)
    page.get_by_label("类型").select_option(label="年度民主生活会")
    page.get_by_label("主题").fill("以整改实效取信于民")
    page.get_by_role("button", name="创建轮次").click()
    expect(page.get_by_text(f"已创建检视轮次“{title}”")).to_be_visible()
    round_ = Round.objects.get(title=title)
    assert round_.theme == "以整改实效取信于民"
    page.goto(f"{live_server.url}/rounds/{round_.pk}/")
    process = page.locator("#round-process")
    expect(process.get_by_role("heading", name="生活会流程")).to_be_visible()
    expect(process.locator("li.process-step")).to_have_count(7)
    expect(process.locator("li.process-step").first).to_contain_text("确定主题")
    expect(process.locator("li.process-step").last).to_contain_text("报告和通报")
    fits(page, width)
    shot(page, f"walk-round-{width}")

    # 2. 征求意见: the public link; an anonymous opinion, no login, no contact details.
    process.locator("#round-opinions-block").get_by_role("link", name="征求意见").click()
    page.get_by_role("button", name="开放征求意见链接").click()
    expect(page.get_by_text("征求意见链接已开放。")).to_be_visible()
    public_path = page.locator("#public-link").get_attribute("href")
    assert public_path and public_path.startswith("/yijian/")
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{public_path}")
    expect(page.get_by_text("可以匿名")).to_be_visible()
    page.get_by_label("您的意见建议").fill(PUBLIC_OPINION)
    fits(page, width)
    page.get_by_role("button", name="提交意见建议").click()
    expect(page.get_by_role("heading", name="提交成功，谢谢您！")).to_be_visible()
    public = Opinion.objects.get(round=round_, source=OpinionSource.PUBLIC)
    assert public.anonymous and public.contact == "" and public.entered_by is None

    # Staff take one down at a 座谈会, then classify both and forward them verbatim.
    login(page, live_server, demo)
    page.goto(f"{live_server.url}/rounds/{round_.pk}/opinions/")
    page.get_by_role("link", name="录入意见（座谈会、意见箱、个别访谈）").click()
    page.get_by_label("来源").select_option(label="座谈会")
    page.get_by_label("意见内容（原文照录）").fill(FORUM_OPINION)
    page.get_by_label("针对对象（可不选）").select_option(label="李建华（县委副书记、县长）")
    page.get_by_role("button", name="保存").click()
    for text, aspect in ((PUBLIC_OPINION, "工作作风"), (FORUM_OPINION, "担当作为")):
        item = page.locator("li.opinion").filter(has_text=text[:12])
        item.get_by_label("方面").select_option(label=aspect)
        item.get_by_role("button", name="确认分类").click()
        expect(page.get_by_text("已确认分类。")).to_be_visible()
    page.get_by_role("button", name="原文转交已分类的意见建议").click()
    expect(page.get_by_text("已原文转交意见建议 2 条。")).to_be_visible()
    expect(page.locator("section.target-group").filter(has_text="对李建华同志")).to_contain_text(
        FORUM_OPINION
    )

    # The meeting date gives every step its deadline; the records suggest the opinions step.
    page.goto(f"{live_server.url}/rounds/{round_.pk}/")
    page.locator("#prep-steps-block").get_by_role("link", name="步骤与时限").click()
    expect(page.get_by_role("heading", name="轮次步骤")).to_be_visible()
    page.get_by_label("会议日期").fill(today.isoformat())
    page.get_by_role("button", name="保存").first.click()
    expect(page.locator("#anchor-date")).to_have_text(today.isoformat())
    expect(page.locator("tr[data-step=meeting] .step-deadline")).to_have_text(today.isoformat())
    expect(page.locator("tr[data-step=theme]")).to_contain_text("已逾期 15 天")
    expect(page.locator("tr[data-step=opinions] .step-suggestion").first).to_contain_text(
        "已收到意见建议 2 条，已转交 2 条"
    )
    fits(page, width)
    mark_done(page, "theme")
    mark_done(page, "opinions")

    # 3. 谈心交心: the first missing pair of the coverage matrix, recorded in one step.
    page.get_by_role("link", name="谈心谈话").first.click()
    expect(page.get_by_role("heading", name="谈心谈话")).to_be_visible()
    missing = page.locator("#missing-pairs .pair").first
    names = missing.locator("strong").all_inner_texts()
    missing.get_by_role("button", name="记录已谈").click()
    expect(page.get_by_text(f"已记录 {names[0]} 与 {names[1]} 的谈心谈话")).to_be_visible()
    expect(page.locator("#talk-person-times")).to_have_text("1")
    fits(page, width)

    # 4. 撰写对照检查材料: a member's own material, into that member's problems and measures.
    member = round_.team.members.order_by("order", "id")[2]
    material = tmp_path / f"{member.name}对照检查材料.docx"
    material.write_bytes(docx_bytes(MEMBER_TEXT.splitlines()))
    page.goto(f"{live_server.url}/rounds/{round_.pk}/")
    page.locator("#round-process").get_by_role("link", name="导入对照检查材料").click()
    page.get_by_label("选择文档（可多选）").set_input_files([str(material)])
    page.get_by_label("本人对照检查材料").select_option(str(member.pk))
    page.get_by_role("button", name="解析并预览").click()
    expect(page.locator(".draft-member")).to_contain_text(member.name)
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text(f"已导入“{material.name}”")).to_be_visible()
    assert Problem.objects.filter(round=round_, member=member).exists()

    # 5. 开展批评和自我批评: the meeting on the planned date, attendance and the quorum.
    page.goto(f"{live_server.url}/rounds/{round_.pk}/")
    page.locator("#round-process").get_by_role(
        "link", name="民主生活会：出席情况、回头看、批评和自我批评"
    ).click()
    expect(page.get_by_role("heading", name="民主生活会", exact=True)).to_be_visible()
    expect(page.get_by_label("会议日期")).to_have_value(today.isoformat())  # the one meeting date
    page.get_by_label("会议地点").fill("县委常委会议室")
    page.get_by_role("button", name="登记会议").click()
    expect(page.get_by_text("会议已登记")).to_be_visible()
    page.get_by_label("出席 赵清廉").uncheck()
    page.get_by_label("赵清廉缺席原因").fill("在省委党校参加学习")
    page.get_by_role("button", name="保存出席情况").click()
    expect(page.locator("#quorum")).to_contain_text("应到 6 人，实到 5 人")
    expect(page.locator("#quorum")).to_contain_text("已达到")
    page.get_by_role("button", name="确认会议已召开").click()
    expect(page.locator("#meeting-state")).to_contain_text("已召开")
    expect(page.locator("#attendance")).to_contain_text("赵清廉：缺席（在省委党校参加学习）")
    fits(page, width)

    # 回头看: last year's unfinished measures were carried; the meeting continues one.
    carried = CarriedMeasure.objects.filter(round=round_)
    unfinished = Measure.objects.filter(round=last_year).exclude(status="closed")
    assert set(carried.values_list("measure_id", flat=True)) == set(unfinished.values_list("pk", flat=True))
    first = carried.order_by("measure__number").first()
    assert first is not None
    article = page.locator(f"#carried-{first.pk}")
    article.get_by_label("回头看结论").select_option("continue")
    article.get_by_label("说明").fill("纳入本年度台账继续整改")
    article.get_by_role("button", name="记录结论").click()
    expect(page.locator(f"#carried-{first.pk} .decision")).to_have_text("继续整改")

    # A criticism, listed as its target member's problem after the confirmation step.
    page.locator("#criticisms summary", has_text="登记批评意见").click()
    form = page.locator("#criticism-form")
    form.locator("select[name=from_member]").select_option(label="张明远（县委书记）")
    form.locator("select[name=to_member]").select_option(label="王志刚")
    form.locator("textarea[name=text]").fill(CRITICISM)
    form.get_by_role("button", name="登记").click()
    expect(page.get_by_text("批评意见已登记")).to_be_visible()
    page.locator("#criticisms tr", has_text=CRITICISM[:10]).get_by_role(
        "link", name="列为王志刚的问题"
    ).click()
    page.get_by_label("方面").select_option(label="工作作风")
    page.get_by_role("button", name="确认列为问题").click()
    expect(page.get_by_text("已列为王志刚的问题")).to_be_visible()
    problem = Problem.objects.get(round=round_, source="criticism")
    assert problem.member is not None and problem.member.name == "王志刚"

    # 6. 制定整改措施: the problem's measure, with its owner and deadline.
    page.locator("#criticisms tr", has_text=CRITICISM[:10]).get_by_role(
        "link", name=f"问题 {problem.number}"
    ).click()
    page.get_by_text("在这个问题下新增整改措施").click()
    page.get_by_label("整改措施").fill(MEASURE)
    page.get_by_label("责任领导").select_option(str(problem.member_id))
    page.get_by_label("完成时限").fill(today.replace(month=12, day=31).isoformat())
    page.get_by_role("button", name="保存措施").click()
    expect(page.get_by_text("已新增整改措施")).to_be_visible()
    assert Measure.objects.get(round=round_, problem=problem).summary == MEASURE
    fits(page, width)

    # The steps page now sees the held meeting; the remaining steps are marked done.
    page.goto(f"{live_server.url}/rounds/{round_.pk}/steps/")
    expect(page.locator("tr[data-step=meeting] .step-suggestion").first).to_contain_text(
        "会议已召开，登记批评意见 1 条"
    )
    for step in ("talks", "materials", "meeting", "measures"):
        mark_done(page, step)

    # 7. 报告和通报: the meeting report, downloaded from its step and read.
    with page.expect_download() as download:
        page.locator("tr[data-step=report]").get_by_role("link", name="生成会议情况报告（.docx）").click()
    target = tmp_path / "report.docx"
    download.value.save_as(target)
    mark_done(page, "report")
    text = "\n".join(p.text for p in Document(io.BytesIO(target.read_bytes())).paragraphs)

    # Every figure as the database has it: opinions by source, talks in 人次, attendance, problems.
    assert f"关于召开{title}情况的报告" in text
    by_source = dict(
        Opinion.objects.filter(round=round_)
        .values_list("source")
        .annotate(n=Count("pk"))
        .values_list("source", "n")
    )
    assert by_source == {OpinionSource.PUBLIC: 1, OpinionSource.FORUM: 1}
    assert f"共收到意见建议{sum(by_source.values())}条，其中网上征求1条、座谈会1条。" in text
    talks = Talk.objects.filter(round=round_)
    person_times = sum(t.partners.count() for t in talks)
    assert person_times == 1
    assert f"开展谈心谈话{talks.count()}次，共{person_times}人次。" in text
    meeting = Meeting.objects.get(round=round_)
    assert meeting.held and meeting.date == today
    assert "应到 6 人，实到 5 人" in text and "赵清廉（在省委党校参加学习）" in text
    assert f"未完成的整改措施{unfinished.count()}项" in text and "继续整改1项" in text
    problems = Problem.objects.filter(round=round_)
    assert f"共查摆问题{problems.count()}个" in text
    assert "其中1条已列为被批评人的问题" in text
    assert f"制定整改措施{Measure.objects.filter(round=round_).count()}项" in text
    assert MEASURE.rstrip("。") in text

    # Every step was a service call with its audit event, and the chain holds.
    walked = set(
        Event.objects.filter(organization_path=round_.team.organization.path, seq__gt=before).values_list(
            "event_type", flat=True
        )
    )
    assert {
        EventType.ROUND_CREATED,
        EventType.OPINION_LINK_CHANGED,
        EventType.OPINION_RECEIVED,
        EventType.OPINION_CLASSIFIED,
        EventType.OPINIONS_FORWARDED,
        EventType.PREP_SCHEDULED,
        EventType.PREP_STEP_MARKED,
        EventType.PREP_TALK_RECORDED,
        EventType.DRAFT_CONFIRMED,
        EventType.MEETING_REGISTERED,
        EventType.MEETING_ATTENDANCE,
        EventType.MEETING_HELD,
        EventType.MEASURE_CARRY_DECIDED,
        EventType.CRITICISM_RECORDED,
        EventType.CRITICISM_CONVERTED,
        EventType.MEASURE_CREATED,
    } <= walked
    assert verify().ok

    # The round page shows the whole process done, in order.
    page.goto(f"{live_server.url}/rounds/{round_.pk}/")
    expect(page.locator("#round-process")).to_contain_text("已完成 7/7")
    fits(page, width)
    shot(page, f"walk-done-{width}")
    assert refused == []  # every page ran under the Content-Security-Policy
