"""Sections, aspects, items, plans, tables, deadlines and commitments."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from luoshi.text import Commitment, parse_text
from luoshi.text.headings import classify_heading, column_kind, heading_label, summary_of
from luoshi.text.quantities import find_commitments, find_commitments_each, parse_deadline


def test_summary_is_first_sentence_without_whitespace() -> None:
    assert summary_of("理论武装 不够深入。正文") == "理论武装不够深入"
    assert summary_of("甲，乙；丙") == "甲，乙"
    assert summary_of("没有句号") == "没有句号"
    assert summary_of("问号？后面") == "问号"


@pytest.mark.parametrize(
    ("body", "label"),
    [
        ("理论学习方面。", "理论学习"),
        ("在带头强化政治忠诚、提高政治能力方面", "在带头强化政治忠诚、提高政治能力"),
        ("提高政治站位，做到“两个维护”。一是", "提高政治站位，做到“两个维护”"),
        ("作风建设方面存在的问题：", "作风建设"),
        ("理想信念有所松懈。领导班子……", "理想信念有所松懈"),
    ],
)
def test_heading_label(body: str, label: str) -> None:
    assert heading_label(body)[0] == label


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("存在的突出问题", "problems"),
        ("查摆的问题", "problems"),
        ("巡察反馈的问题", "problems"),
        ("产生问题的原因分析", "causes"),
        ("问题根源", "causes"),
        ("今后努力方向和改进措施", "measures"),
        ("下一步工作打算", "measures"),
        ("问题清单及整改措施", "plan"),
        ("保障措施", "other"),
        ("总体要求", "other"),
        ("会议议程", None),
    ],
)
def test_classify_heading(heading: str, kind: str | None) -> None:
    assert classify_heading(heading) == kind


def test_intro_and_closing_paragraphs_are_not_items() -> None:
    doc = parse_text(
        "某局班子对照检查材料\n一、存在的问题\n（一）学习方面\n主要表现在以下几点：\n一是学习不深。\n二是运用不够。\n"
        "三、整改措施\n1.每周学习一次。\n2.每月调研两次。\n我们将以此为契机，抓好整改。\n某局党组\n2024年1月5日"
    )
    assert [p.summary for p in doc.problems] == ["学习不深", "运用不够"]
    assert [m.summary for m in doc.measures] == ["每周学习一次", "每月调研两次"]
    assert doc.measures[-1].text == "每月调研两次。"


def test_continuation_paragraph_belongs_to_its_item() -> None:
    doc = parse_text("一、存在的问题\n1.学习不深。\n比如，集体学习走过场。\n2.作风不实。")
    assert [p.text for p in doc.problems] == ["学习不深。比如，集体学习走过场。", "作风不实。"]


def test_heading_without_sub_items_is_aspect_with_one_item() -> None:
    doc = parse_text("一、存在的问题\n（一）廉洁自律方面\n能够遵守规定，但管理身边人员不严。")
    (problem,) = doc.problems
    assert (problem.aspect, problem.summary) == ("廉洁自律", "能够遵守规定，但管理身边人员不严")


def test_causes_with_sub_items_use_the_sub_items() -> None:
    doc = parse_text(
        "二、原因分析\n（一）主观原因。一是学习不够。二是宗旨淡化。\n（二）制度执行不严。缺乏刚性约束。"
    )
    assert [c.summary for c in doc.causes] == ["学习不够", "宗旨淡化", "制度执行不严"]
    assert doc.causes[-1].text == "制度执行不严。缺乏刚性约束。"


def test_labelled_plan_links_measures_to_their_problem() -> None:
    doc = parse_text(
        "2024年整改方案\n一、整改任务\n（一）作风方面\n1.问题：会议过多。\n整改措施：①精简会议；②每月通报。\n"
        "责任领导：张三 责任单位：办公室 完成时限：6月底前\n2.问题：文件过多。\n整改措施：控制发文数量。\n责任人：李四\n完成时限：长期坚持"
    )
    assert [(p.aspect, p.summary) for p in doc.problems] == [("作风", "会议过多"), ("作风", "文件过多")]
    assert [(m.summary, m.problem, m.group) for m in doc.measures] == [
        ("精简会议", 0, "作风"),
        ("每月通报", 0, "作风"),
        ("控制发文数量", 1, "作风"),
    ]
    first, _second, third = doc.measures
    assert (first.owner, first.department, first.deadline, first.deadline_text) == (
        "张三",
        "办公室",
        dt.date(2024, 6, 30),
        "6月底前",
    )
    assert (third.owner, third.department, third.deadline, third.deadline_text) == (
        "李四",
        None,
        None,
        "长期坚持",
    )


def test_plan_section_without_labels() -> None:
    doc = parse_text(
        "一、问题清单及整改措施\n（一）台账管理不规范。\n1.建立台账。\n2.每月核对。\n责任单位：综合股"
    )
    assert [p.summary for p in doc.problems] == ["台账管理不规范"]
    assert [(m.summary, m.problem, m.department) for m in doc.measures] == [
        ("建立台账", 0, "综合股"),
        ("每月核对", 0, "综合股"),
    ]


def test_title_names_the_section_when_there_is_no_heading() -> None:
    doc = parse_text("巡察反馈问题清单\n1.学习不深。\n2.作风不实。")
    assert [p.summary for p in doc.problems] == ["学习不深", "作风不实"]


def test_document_without_sections_is_empty() -> None:
    doc = parse_text("关于召开会议的通知\n请各单位准时参加。")
    assert doc.is_empty
    assert doc.title == "关于召开会议的通知"
    assert doc.to_dict() == {"title": "关于召开会议的通知", "problems": [], "causes": [], "measures": []}


def test_to_dict_key_order() -> None:
    doc = parse_text("一、整改措施\n1.每月至少学习1次，2024年3月31日前完成。")
    (measure,) = doc.to_dict()["measures"]
    assert list(measure) == [
        "group",
        "summary",
        "text",
        "problem",
        "owner",
        "department",
        "deadline",
        "deadline_text",
        "commitments",
        "owners",
        "co_department",
        "suggested_problems",
    ]
    assert measure["deadline"] == "2024-03-31"
    assert list(measure["commitments"][0]) == ["text", "period", "op", "value", "unit"]


@pytest.mark.parametrize(
    ("text", "year", "date"),
    [
        ("2024年6月底前", None, dt.date(2024, 6, 30)),
        ("2024年3月31日前", None, dt.date(2024, 3, 31)),
        ("2024年底前", None, dt.date(2024, 12, 31)),
        ("6月底前", 2023, dt.date(2023, 6, 30)),
        ("6月底前", None, None),
        ("2月底", 2024, dt.date(2024, 2, 29)),
        ("二〇二四年六月底前", None, dt.date(2024, 6, 30)),
        ("2024年上半年", None, dt.date(2024, 6, 30)),
        ("2024年第三季度末", None, dt.date(2024, 9, 30)),
        ("2024.5.31", None, dt.date(2024, 5, 31)),
        ("2024年6月中旬", None, dt.date(2024, 6, 20)),
        ("长期坚持", 2024, None),
        ("立行立改", 2024, None),
        ("持续推进", 2024, None),
        ("2024年2月30日", None, None),
    ],
)
def test_parse_deadline(text: str, year: int | None, date: dt.date | None) -> None:
    assert parse_deadline(text, year) == date


def test_deadline_uses_the_year_of_the_title() -> None:
    doc = parse_text("某县2023年度整改方案\n一、整改措施\n1.完善制度。完成时限：6月底前")
    assert doc.measures[0].deadline == dt.date(2023, 6, 30)


@pytest.mark.parametrize("signed", ["2024年2月12日", "二〇二四年二月十二日"])
def test_deadline_uses_the_year_the_plan_is_signed_in(signed: str) -> None:
    # A 2023年度 meeting's plan, signed in 2024: "6月底前" is June 2024.
    doc = parse_text(
        f"某局2023年度民主生活会整改方案\n一、整改措施\n1.完善制度。完成时限：6月底前\n某局党组\n{signed}"
    )
    assert doc.measures[0].deadline == dt.date(2024, 6, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "每月至少到包联村走访1次，深入群众家中不少于10家次",
            [("month", ">=", 1, "次"), ("month", ">=", 10, "家次")],
        ),
        ("将财政支出的70%以上用于民生", [(None, ">=", 70, "%")]),
        ("不超过3个", [(None, "<=", 3, "个")]),
        ("每月召开党政联席会议分析经济形势", [("month", ">=", 1, "次")]),
        ("每季度至少开展一次", [("quarter", ">=", 1, "次")]),
        ("覆盖率达到百分之七十以上", [(None, ">=", 70, "%")]),
        ("控制在5%以内", [(None, "<=", 5, "%")]),
        ("超过3人", [(None, ">", 3, "人")]),
        ("低于30件", [(None, "<", 30, "件")]),
        ("每半年组织两次集中学习", [("halfyear", ">=", 2, "次")]),
        ("每天坚持学习不少于1.5小时", [("day", ">=", 1.5, "小时")]),
        ("每年开展不少于十二次", [("year", ">=", 12, "次")]),
        # A period word with no number: once per period, whatever the verb.
        ("每天做好验收记录", [("day", ">=", 1, "次")]),
        ("办公室每月审核接待清单", [("month", ">=", 1, "次")]),
        # …unless it only gives the period of the quantity after it.
        ("每年为农家书屋补充更新图书，更新比例不低于10%", [("year", ">=", 10, "%")]),
        ("每月点评处方不少于100张", [("month", ">=", 100, "张")]),
        # Years and days after a comparison word are spans, not dates.
        ("合同期限原则上不超过5年", [(None, "<=", 5, "年")]),
        ("拨付时间不超过季度结束后15日", [(None, "<=", 15, "日")]),
        ("于2025年前完成不少于3项", [(None, ">=", 3, "项")]),
        # A time limit within a span of days or hours, counted from an event before it.
        ("破损路面发现后15天以内完成修复", [(None, "<=", 15, "天")]),
        ("新增违建发现后24小时以内制止", [(None, "<=", 24, "小时")]),
        ("办理时间控制在5天以内", [(None, "<=", 5, "天")]),
        # 内 alone after a unit of time is 以内; the 内 of 内部 is not.
        ("收到后3日内办结", [(None, "<=", 3, "日")]),
        ("每所学校开设的特色课程不少于5门", [(None, ">=", 5, "门")]),
        ("发现后3天之内办结", [(None, "<=", 3, "天")]),
        ("采购合同在中标通知书发出之日起30日内签订", [(None, "<=", 30, "日")]),
        ("整改在3个月内完成", [(None, "<=", 3, "个月")]),
        ("每季度开展一次内部稽核", [("quarter", ">=", 1, "次")]),
        # 至少 qualifies the action (once a month at least); 不低于 compares with a level, no count.
        ("每月至少召开工作调度会议", [("month", ">=", 1, "次")]),
    ],
)
def test_commitments(text: str, expected: list[tuple[str | None, str, float, str]]) -> None:
    assert [(c.period, c.op, c.value, c.unit) for c in find_commitments(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "严格落实中央八项规定精神",
        "落实“三会一课”制度",
        "畅通12345热线",
        "深入一线调研，逐一销号",
        "促进一二三产融合",
        "2024年6月底前完成",
        "完成县一中建设搬迁",
        "让每一个有劳动能力的人都有一技之长",
        "以“四个意识”为统领",
        "对沉淀两年以上资金全部收回",
        "不超过2025年6月15日",
        "资金拨付进度每月不低于序时进度",
        "6月15日内完成",
        "3天之前报送",
        "全年无重大安全事故",
    ],
)
def test_not_commitments(text: str) -> None:
    assert find_commitments(text) == ()


def test_commitment_values_are_int_when_integral() -> None:
    (commitment,) = find_commitments("不少于10家次")
    assert commitment == Commitment(text="不少于10家次", period=None, op=">=", value=10, unit="家次")
    assert isinstance(commitment.value, int)


# Pieces of measures: period words without numbers (an implied commitment waits for the next
# clause), quantities, spans that end a period, separators and line breaks inside a measure.
_MEASURE = st.lists(
    st.sampled_from(
        [
            "每月",
            "每年",
            "全年",
            "召开会议",
            "至少",
            "2次",
            "不少于10%",
            "三年内",
            "走访",
            "，",
            "。",
            "；",
            "\n",
            "更新比例",
            "第3次",
        ]
    ),
    max_size=12,
).map("".join)


@given(st.lists(_MEASURE, max_size=6))
def test_a_documents_measures_searched_together_give_each_its_own_commitments(texts: list[str]) -> None:
    # The measures are searched as one text: no commitment, period or implied commitment may pass
    # from one measure to the next.
    assert find_commitments_each(texts) == [find_commitments_each([text])[0] for text in texts]


def test_commitments_searched_together_go_to_their_measures() -> None:
    found = find_commitments_each(["每月召开一次会议", "", "建立台账", "全年", "不少于10%", "每季度走访2次"])
    assert [[(c.period, c.value) for c in each] for each in found] == [
        [("month", 1)],
        [],
        [],
        [],
        [(None, 10)],
        [("quarter", 2)],
    ]


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("序号", "number"),
        ("问题", "problem"),
        ("存在问题", "problem"),
        ("整改措施", "measure"),
        ("任务清单", "measure"),  # a 问题清单 | 任务清单 ledger
        ("问题数量", None),  # a statistics sheet's counts and rates name no ledger column
        ("整改率", None),
        ("责任领导", "owner"),
        ("牵头单位", "department"),
        ("完成时限", "deadline"),
        ("问题类别", "aspect"),
        ("佐证材料", "evidence"),
    ],
)
def test_column_kind(header: str, kind: str | None) -> None:
    assert column_kind(header) == kind


def test_tab_separated_ledger_pasted_from_excel() -> None:
    doc = parse_text(
        "整改台账\n序号\t问题\t整改措施\t责任单位\n1\t会议偏多\t精简会议\t办公室\n2\t文件偏多\t控制发文\t\n"
    )
    assert [p.summary for p in doc.problems] == ["会议偏多", "文件偏多"]
    assert [(m.summary, m.problem, m.department) for m in doc.measures] == [
        ("精简会议", 0, "办公室"),
        ("控制发文", 1, None),
    ]


def test_markdown_table_ledger() -> None:
    doc = parse_text("| 序号 | 问题 | 整改措施 |\n|---|---|---|\n| 1 | 会议偏多 | 精简会议 |\n")
    assert [(m.summary, m.problem) for m in doc.measures] == [("精简会议", 0)]


def test_text_table_that_is_no_ledger_keeps_its_text() -> None:
    doc = parse_text("一、存在的问题\n姓名\t职务\t电话\n张三\t局长\t123\n1.学习不深。")
    assert [p.summary for p in doc.problems] == ["学习不深"]


def test_item_separators_are_not_part_of_items() -> None:
    doc = parse_text("二、原因分析\n主要有：一是学习不够；二是宗旨淡化；三是要求放松。")
    assert [c.text for c in doc.causes] == ["学习不够", "宗旨淡化", "要求放松。"]


def test_heading_line_above_its_explanation_is_the_first_sentence() -> None:
    doc = parse_text(
        "二、原因分析\n（一）理想信念有所松懈\n对理论学习重视不够。\n（二）宗旨意识淡化\n联系群众不够。"
    )
    assert [(c.summary, c.text) for c in doc.causes] == [
        ("理想信念有所松懈", "理想信念有所松懈。对理论学习重视不够。"),
        ("宗旨意识淡化", "宗旨意识淡化。联系群众不够。"),
    ]


def test_labelled_plan_with_nested_numbering() -> None:
    doc = parse_text(
        "二、整改任务\n（一）学习方面\n1.问题：学习不深。表现在：（1）集体学习少；（2）自学不够。\n整改措施：\n"
        "（1）完善学习制度：①每月集中学习1次；②每季度研讨1次。\n（2）建立考学机制。\n责任单位：办公室\n"
        "2.问题：调研不实。\n整改措施：每年调研不少于20天。\n责任单位：研究室"
    )
    assert [(p.aspect, p.summary) for p in doc.problems] == [("学习", "学习不深"), ("学习", "调研不实")]
    assert doc.problems[0].text == "学习不深。表现在：（1）集体学习少；（2）自学不够。"
    assert [(m.summary, m.problem, m.department) for m in doc.measures] == [
        ("完善学习制度：①每月集中学习1次", 0, "办公室"),
        ("建立考学机制", 0, "办公室"),
        ("每年调研不少于20天", 1, "研究室"),
    ]


@pytest.mark.parametrize(
    ("text", "open_ended"),
    [("长期坚持", True), ("立行立改", True), ("持续推进", True), ("2024年6月底前", False), ("", False)],
)
def test_is_open_ended(text: str, open_ended: bool) -> None:
    from luoshi.text.quantities import is_open_ended

    assert is_open_ended(text) is open_ended
