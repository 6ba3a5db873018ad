"""Plans read problem by problem: the problems' level, measures in every writer's layout, field lines."""

from __future__ import annotations

import pytest

from luoshi.text import parse_text
from luoshi.text.outline import segment_lines
from luoshi.text.plan import problem_level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("一、学习方面的问题\n1.学习不深。\n整改措施：\n（1）每月学习1次。\n责任领导：张三", "arabic"),
        ("（一）学习有欠缺\n问题：学习不系统。\n整改措施：①集中学习。", "label"),
        (
            "（一）学习不深。\n1.建立学习制度。\n2.每月学习1次。\n责任领导：张三\n完成时限：6月底前",
            "paren_cn",
        ),
        (
            "一、存在的问题\n（一）学习方面。一是学习不深。\n二、整改措施\n（一）加强学习。1.每月学习1次。",
            None,
        ),
    ],
)
def test_problem_level_is_read_from_the_document(text: str, level: str | None) -> None:
    assert problem_level(segment_lines(text.split("\n"))) == level


def test_fields_after_each_measure_apply_to_that_measure() -> None:
    doc = parse_text(
        "整改方案\n1.调研不实。\n整改措施：\n（1）每年调研不少于20天。\n责任领导：张三\n完成时限：2024年6月底前\n"
        "（2）形成调研报告2篇。\n责任领导：李四\n完成时限：长期坚持"
    )
    assert [(m.problem, m.owner, m.deadline_text) for m in doc.measures] == [
        (0, "张三", "2024年6月底前"),
        (0, "李四", "长期坚持"),
    ]
    assert doc.measures[1].deadline is None


def test_inline_label_after_the_problem_sentence() -> None:
    doc = parse_text(
        "整改方案\n1．价格执行不规范。整改措施：一是开展专项检查；二是建立公示制度。\n责任人：陈晓东、刘芳\n整改时限：5月\n"
        "县卫健委\n2024年3月1日"
    )
    assert [p.text for p in doc.problems] == ["价格执行不规范。"]
    assert [m.text for m in doc.measures] == ["开展专项检查", "建立公示制度。"]
    assert doc.measures[0].owners == ["陈晓东", "刘芳"]
    assert str(doc.measures[0].deadline) == "2024-05-31"  # the year of the signature date


def test_guarantee_section_and_signature_are_not_items() -> None:
    doc = parse_text(
        "整改方案\n一、整改任务\n1.学习不深。\n整改措施：每月学习1次。\n责任领导：张三\n"
        "二、保障措施\n（一）加强组织领导。成立领导小组。\n中共某某局党组\n2024年3月1日"
    )
    assert [p.text for p in doc.problems] == ["学习不深。"]
    assert [m.text for m in doc.measures] == ["每月学习1次。"]


def test_table_row_merged_across_heads_the_rows_below() -> None:
    doc = parse_text(
        "整改清单\n序号\t问题\t整改措施\t责任领导\t配合单位\t完成时限\n"
        "一、乡村振兴方面\t\t\t\t\t\n"
        "1\t产业发展后劲不足。\t引进龙头企业。\t唐文博\t经济发展办\t2024年12月底前\n"
    )
    assert [(p.aspect, p.text) for p in doc.problems] == [("乡村振兴", "产业发展后劲不足。")]
    (measure,) = doc.measures
    assert (measure.group, measure.problem, measure.co_department) == ("乡村振兴", 0, "经济发展办")


def test_measures_numbered_like_their_problems() -> None:
    # Problems "1．", measures "1." below the label: both read as the same numbering level.
    doc = parse_text(
        "整改方案\n（一）资金管理方面的问题\n1．资金使用缓慢。\n整改措施：\n1.建立月报制度。\n2.限期整改。\n"
        "牵头领导：晏国强；完成时间：2026年10月底前\n2．合同未签订。\n整改措施：\n1.补签合同。\n"
        "牵头领导：尹莉；完成时间：立行立改"
    )
    assert [(p.aspect, p.text) for p in doc.problems] == [
        ("资金管理", "资金使用缓慢。"),
        ("资金管理", "合同未签订。"),
    ]
    assert [(m.text, m.problem, m.owner) for m in doc.measures] == [
        ("建立月报制度。", 0, "晏国强"),
        ("限期整改。", 0, "晏国强"),
        ("补签合同。", 1, "尹莉"),
    ]


def test_a_closing_request_ends_a_feedback_list() -> None:
    doc = parse_text(
        "巡察反馈问题清单\n一、主要问题\n（一）选人用人方面\n1、干部选拔程序不规范。\n"
        "请集团党委认真研究，切实抓好整改。\n县委第一巡察组"
    )
    assert [p.text for p in doc.problems] == ["干部选拔程序不规范。"]


def test_a_latin_span_keeps_its_space_in_the_summary() -> None:
    doc = parse_text("整改方案\n1.终端老旧。\n整改措施：\n①将全部办公终端从Windows 7升级。")
    assert doc.measures[0].summary == "将全部办公终端从Windows 7升级"


def test_measures_numbered_like_their_problems_with_fields_after_each() -> None:
    doc = parse_text(
        "整改方案\n1．资金使用缓慢。\n整改措施：\n1.建立月报制度。\n责任领导：甲\n2.限期整改。\n责任领导：乙\n"
        "2．合同未签订。\n整改措施：\n1.补签合同。\n责任领导：丙"
    )
    assert [p.text for p in doc.problems] == ["资金使用缓慢。", "合同未签订。"]
    assert [(m.problem, m.owner) for m in doc.measures] == [(0, "甲"), (0, "乙"), (1, "丙")]


def test_target_line_is_not_part_of_the_problem() -> None:
    doc = parse_text(
        "整改方案\n一、政治建设方面\n1.学习不深入。\n整改目标：全面提升学习质效。\n整改措施：\n"
        "（1）每月学习一次。\n责任领导：张三"
    )
    assert [(p.aspect, p.text) for p in doc.problems] == [("政治建设", "学习不深入。")]
    assert [(m.text, m.problem) for m in doc.measures] == [("每月学习一次。", 0)]


def test_numbered_measure_labels() -> None:
    doc = parse_text(
        "整改方案\n（一）学习方面\n问题1：学习不深入。\n整改措施1：每月学习一次。\n整改措施2：建立台账。\n责任人：张三"
    )
    assert [(p.aspect, p.text) for p in doc.problems] == [("学习", "学习不深入。")]
    assert [(m.text, m.problem, m.owner) for m in doc.measures] == [
        ("每月学习一次。", 0, "张三"),
        ("建立台账。", 0, "张三"),
    ]


@pytest.mark.parametrize(
    "fields",
    [
        "（责任人：张三；责任单位：办公室；完成时限：2025年6月底前）",
        "责任人：张三；责任单位：办公室；完成时限：2025年6月底前",
    ],
)
def test_unnumbered_measure_paragraphs_under_a_numbered_problem(fields: str) -> None:
    doc = parse_text(
        "某局整改方案\n（一）学习方面\n1.学习不深，流于形式。\n建立学习制度。\n每月集中学习不少于1次。\n"
        f"{fields}\n2.调研不实。\n开展专题调研。\n{fields}\n（二）作风方面\n1.作风不实。\n"
        f"整治形式主义。\n{fields}\n各单位要按时报送整改进展。\n某局党组\n2025年8月1日"
    )
    assert [(p.aspect, p.text) for p in doc.problems] == [
        ("学习", "学习不深，流于形式。"),
        ("学习", "调研不实。"),
        ("作风", "作风不实。"),
    ]
    assert [(m.text, m.problem, m.group, m.owner, str(m.deadline)) for m in doc.measures] == [
        ("建立学习制度。", 0, "学习", "张三", "2025-06-30"),
        ("每月集中学习不少于1次。", 0, "学习", "张三", "2025-06-30"),
        ("开展专题调研。", 1, "学习", "张三", "2025-06-30"),
        ("整治形式主义。", 2, "作风", "张三", "2025-06-30"),
    ]


def test_unnumbered_measures_with_fields_after_each() -> None:
    doc = parse_text(
        "某局整改方案\n1.服务不均衡。\n推行服务清单。\n（责任人：张三；完成时限：长期坚持）\n"
        "每半年考核一次。\n（责任人：李四；完成时限：2025年12月31日前）\n2.监管不到位。\n清理借调人员。\n"
        "（责任人：王五；完成时限：立行立改）\n请各单位认真抓好落实。"
    )
    assert [(m.text, m.problem, m.owner, m.deadline_text) for m in doc.measures] == [
        ("推行服务清单。", 0, "张三", "长期坚持"),
        ("每半年考核一次。", 0, "李四", "2025年12月31日前"),
        ("清理借调人员。", 1, "王五", "立行立改"),
    ]


@pytest.mark.parametrize("marker", ["1.", "1、"])
def test_inline_measures_numbered_like_the_problems(marker: str) -> None:
    second = marker.replace("1", "2")
    doc = parse_text(
        f"整改方案\n（一）产业方面的问题\n{marker}产业后劲不足。\n"
        f"整改措施：{marker}编制产业规划；{second}每年培育合作社不少于3家。\n责任领导：张三\n完成时限：10月底前\n"
        f"{second}集体经济薄弱。\n整改措施：一是制定发展方案；二是壮大集体经济。\n责任领导：李四"
    )
    assert [p.text for p in doc.problems] == ["产业后劲不足。", "集体经济薄弱。"]
    assert [(m.text, m.problem) for m in doc.measures] == [
        ("编制产业规划", 0),
        ("每年培育合作社不少于3家。", 0),
        ("制定发展方案", 1),
        ("壮大集体经济。", 1),
    ]


@pytest.mark.parametrize(
    ("heading", "aspect"),
    [
        ("（一）基层党组织建设的问题", "基层党组织建设"),
        ("（一）优化营商环境存在的问题", "优化营商环境"),
        ("（一）全面从严治党方面存在的问题", "全面从严治党"),
        ("（一）关于林地保护管理不到位的问题", "关于林地保护管理不到位的问题"),  # names a shortfall
        ("（一）关于全面从严治党的问题", "关于全面从严治党"),  # names a subject
        ("（一）关于财务管理方面的问题", "关于财务管理"),
    ],
)
def test_an_aspect_heading_keeps_its_subject(heading: str, aspect: str) -> None:
    doc = parse_text(
        f"整改方案\n一、存在问题及整改措施\n{heading}\n1.学习不深。\n整改措施：\n（1）每月学习1次。\n"
        "责任领导：张三\n2.调研不够。\n整改措施：\n（1）每季度调研1次。\n责任领导：李四\n"
    )
    assert [p.aspect for p in doc.problems] == [aspect, aspect]
    assert [m.group for m in doc.measures] == [aspect, aspect]


@pytest.mark.parametrize("closing", ["四、整改要求", "三、整改保障", "三、工作保障"])
def test_a_closing_section_is_no_measure(closing: str) -> None:
    doc = parse_text(
        "整改方案\n一、理论学习方面的问题\n（一）学习不深。\n整改措施：①每月学习1次；②撰写心得。\n"
        f"责任人：张三\n完成时间：6月30日前\n{closing}\n（一）加强组织领导。成立领导小组。\n"
        "各责任部门要对照整改任务逐项落实。\n某某镇人民政府\n2026年6月5日"
    )
    assert [p.text for p in doc.problems] == ["学习不深。"]
    assert [m.text for m in doc.measures] == ["每月学习1次", "撰写心得。"]


def test_a_note_under_a_ledger_table_is_no_item() -> None:
    note = "注：完成时限为“立行立改”的，每季度报送一次进展。"
    doc = parse_text(
        "整改台账\n序号\t问题\t整改措施\t责任领导\t完成时限\n"
        "1\t产业发展后劲不足。\t引进龙头企业。\t唐文博\t2024年12月底前\n"
        f"{note}\t{note}\t{note}\t{note}\t{note}\n"
    )
    assert [p.text for p in doc.problems] == ["产业发展后劲不足。"]
    assert [m.text for m in doc.measures] == ["引进龙头企业。"]


def test_a_numbered_line_above_the_problems_can_be_a_problem_of_its_own() -> None:
    doc = parse_text(
        "某局关于巡察反馈意见的整改方案\n"
        "一、作风建设方面存在的问题\n"
        "1.调查研究不够深入。到基层次数偏少。\n"
        "整改措施：\n（1）每月到基层调研不少于2次。\n"
        "责任领导：局长张三\n完成时限：2026年12月底前\n"
        "二、上轮巡察反馈问题整改不彻底。仍有2个问题未按期销号。\n"
        "整改措施：\n（1）逐项开展回头看。\n"
        "责任领导：局长张三\n完成时限：持续推进\n"
        "三、整改要求\n（一）加强组织领导。\n"
    )
    assert [(p.aspect, p.summary) for p in doc.problems] == [
        ("作风建设", "调查研究不够深入"),
        ("", "上轮巡察反馈问题整改不彻底"),
    ]
    assert [(m.group, m.problem) for m in doc.measures] == [("作风建设", 0), ("", 1)]


def test_a_header_of_two_rows_names_the_columns_under_its_merged_cell() -> None:
    # 责任分工 merged over 责任领导 | 责任单位 (a Word gridSpan repeats it over both columns).
    doc = parse_text(
        "整改台账\n序号\t反馈问题\t整改措施\t责任分工\t责任分工\t完成时限\n"
        "序号\t反馈问题\t整改措施\t责任领导\t责任单位\t完成时限\n"
        "1\t会议偏多。\t精简会议。\t张三\t办公室\t6月底前\n"
        "（一）作风方面\t（一）作风方面\t（一）作风方面\t（一）作风方面\t（一）作风方面\t（一）作风方面\n"
        "2\t文件偏多。\t控制发文。\t李四\t综合股\t立行立改\n"
    )
    assert [p.text for p in doc.problems] == ["会议偏多。", "文件偏多。"]
    assert [(m.text, m.problem, m.owner, m.department, m.deadline_text) for m in doc.measures] == [
        ("精简会议。", 0, "张三", "办公室", "6月底前"),
        ("控制发文。", 1, "李四", "综合股", "立行立改"),
    ]
    assert doc.problems[1].aspect == "作风"  # the row merged across is no second header row


def test_a_ledger_naming_problems_by_their_first_sentence_links_them_to_the_paragraphs_above() -> None:
    doc = parse_text(
        "整改方案\n一、反馈的问题\n（一）作风方面\n1.会议偏多。部分会议可开可不开。\n2.文件偏多。发文数量同比上升。\n"
        "二、整改任务清单\n序号\t反馈问题\t整改措施\t责任领导\n1\t会议偏多\t精简会议\t张三\n2\t文件偏多\t控制发文\t李四\n"
    )
    assert [p.summary for p in doc.problems] == ["会议偏多", "文件偏多"]
    assert [(m.summary, m.problem, m.group) for m in doc.measures] == [
        ("精简会议", 0, "作风"),
        ("控制发文", 1, "作风"),
    ]


def test_fields_closing_a_paragraph_of_inline_measures_are_each_measures() -> None:
    doc = parse_text(
        "整改方案\n一、作风方面\n1．会议偏多。\n"
        "整改措施：①精简会议；②压缩文件。（责任领导：张三；完成时限：立行立改、长期坚持）\n"
        "2．文件偏多。\n整改措施：\n（1）控制发文。（责任领导：李四）\n（2）提高质量。（责任领导：王五）\n"
        "3．调研偏少。\n整改措施：①走访企业（责任领导：赵六）；②形成报告。（责任领导：钱七）\n"
    )
    assert [(m.text, m.owner, m.deadline_text) for m in doc.measures] == [
        ("精简会议", "张三", "立行立改、长期坚持"),
        ("压缩文件。", "张三", "立行立改、长期坚持"),
        ("控制发文。", "李四", None),
        ("提高质量。", "王五", None),
        ("走访企业", "赵六", None),
        ("形成报告。", "钱七", None),
    ]


def test_a_title_whose_关于_has_no_的_yet_goes_on_on_the_next_line() -> None:
    doc = parse_text(
        "苇塘镇人民政府关于2025年度财政收支审计\n发现问题的整改方案\n一、预算管理方面的问题\n"
        "（一）预算编制不精准。\n整改措施：严格编制预算。\n责任人：邬建军\n"
    )
    assert doc.title == "苇塘镇人民政府关于2025年度财政收支审计发现问题的整改方案"
    assert [p.text for p in doc.problems] == ["预算编制不精准。"]


def test_a_paragraph_after_a_measure_closed_by_its_own_fields_is_not_part_of_it() -> None:
    doc = parse_text(
        "整改方案\n1．家风建设重视不够。\n"
        "整改措施：①如实报告个人有关事项；②开展廉洁家风教育。（责任人：聂文渊；完成时限：持续推进）\n"
        "乡党委将把整改落实情况纳入年度考核，确保各项措施落地见效。\n中共芦汀乡委员会\n2026年2月10日"
    )
    assert [(m.text, m.owner, m.deadline_text) for m in doc.measures] == [
        ("如实报告个人有关事项", "聂文渊", "持续推进"),
        ("开展廉洁家风教育。", "聂文渊", "持续推进"),
    ]
