"""Build the .docx documents of the test corpus (their golden JSON is in corpus/).

The tests build them at test time with python-docx; run `python tests/text/make_docx.py DIR`
to write them to DIR to open them in Word or feed them to `luoshi parse`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import docx
from docx.document import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph


def _east_asian_font(document: Document, style: str, font: str, size: int) -> None:
    # Chinese text takes its font from w:eastAsia (GB/T 9704 fonts), not from the Latin name.
    target = document.styles[style]
    target.font.name = font
    target.font.size = Pt(size)
    r_pr = target.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(r_fonts)
    r_fonts.set(qn("w:eastAsia"), font)


def _new_document() -> Document:
    document = docx.Document()
    _east_asian_font(document, "Normal", "仿宋_GB2312", 16)
    _east_asian_font(document, "Title", "方正小标宋简体", 22)
    _east_asian_font(document, "Heading 1", "黑体", 16)
    _east_asian_font(document, "Heading 2", "楷体_GB2312", 16)
    return document


def heading_styles() -> Document:
    """Sections as Heading 1 without numbering, aspects as Heading 2, items as plain paragraphs."""
    document = _new_document()
    document.add_paragraph("县文化和旅游局领导班子2024年度民主生活会对照检查材料", style="Title")
    document.add_paragraph(
        "按照县委统一部署，局党组认真开展会前学习和征求意见工作，现将对照检查情况报告如下。"
    )
    document.add_paragraph("存在的问题", style="Heading 1")
    document.add_paragraph("思想政治方面", style="Heading 2")
    document.add_paragraph(
        "一是学习贯彻不够深入。对文化强国建设的重要论述学得不深不透，指导文旅融合发展的能力不足。"
    )
    document.add_paragraph("二是意识形态阵地管理有短板。对民营演出场所和网络直播活动的内容审核把关不严。")
    document.add_paragraph("工作作风方面", style="Heading 2")
    document.add_paragraph(
        "一是调查研究不够扎实。到景区和文化站调研次数少，对基层文化设施闲置问题掌握不全面。"
    )
    document.add_paragraph("二是服务游客意识不强。旅游投诉处理时间偏长，游客满意度不高。")
    document.add_paragraph("原因分析", style="Heading 1")
    document.add_paragraph("（一）理论学习不够自觉。把学习当作任务完成，没有真正做到学思践悟。")
    document.add_paragraph("（二）服务意识有所淡化。习惯于坐在办公室抓工作，深入基层、深入群众不够。")
    document.add_paragraph("整改措施", style="Heading 1")
    document.add_paragraph("加强思想政治建设", style="Heading 2")
    document.add_paragraph("1.坚持“第一议题”制度，每月至少开展1次集中学习研讨。")
    document.add_paragraph("2.落实意识形态工作责任制，每季度对演出场所开展一次专项检查。")
    document.add_paragraph("转变工作作风", style="Heading 2")
    document.add_paragraph("1.班子成员每人每年到基层调研不少于20天，形成调研报告不少于2篇。")
    document.add_paragraph("2.优化旅游投诉处理流程，投诉办结时间控制在3个工作日以内。")
    return document


def measures_table() -> Document:
    """A rectification plan whose problems and measures are a table (with merged cells)."""
    document = _new_document()
    document.add_paragraph("县医疗保障局巡察反馈问题整改清单", style="Title")
    document.add_paragraph("参会人员名单如下：")
    people = document.add_table(rows=2, cols=2)
    people.cell(0, 0).text = "姓名"
    people.cell(0, 1).text = "职务"
    people.cell(1, 0).text = "马某某"
    people.cell(1, 1).text = "局长"
    document.add_paragraph("一、问题整改清单")
    table = document.add_table(rows=4, cols=7)
    header = ["序号", "方面", "问题", "整改措施", "责任领导", "责任单位", "完成时限"]
    rows = [
        [
            "1",
            "基金监管",
            "医保基金监管存在漏洞，个别定点医药机构存在违规结算问题。",
            "1.开展定点医药机构违规使用医保基金专项检查，每季度至少检查1次。\n2.对查实的违规资金全额追回。",
            "马某某",
            "基金监管股",
            "2024年10月底前",
        ],
        [
            "2",
            "",
            "医保智能审核系统应用不充分，疑点数据核查不及时。",
            "完善智能审核规则，疑点数据核查办结率不低于95%。",
            "马某某",
            "信息中心",
            "长期坚持",
        ],
        [
            "3",
            "经办服务",
            "异地就医备案手续繁琐，群众反映办理时间长。",
            "推行异地就医备案“网上办、掌上办”，备案办理时间不超过1个工作日。",
            "林某",
            "经办服务中心",
            "2024年8月31日前",
        ],
    ]
    for col, text in enumerate(header):
        table.cell(0, col).text = text
    for row_index, row in enumerate(rows, 1):
        for col, text in enumerate(row):
            table.cell(row_index, col).text = text
    # 方面 of rows 1 and 2 is one vertically merged cell, as ledgers are usually drawn.
    table.cell(1, 1).merge(table.cell(2, 1))
    table.cell(1, 1).text = "基金监管"
    return document


# --------------------------------------------------------------------------- automatic numbering


def add_abstract_numbering(document: Document, abstract_id: int, levels: list[tuple[str, str]]) -> None:
    """An abstract list definition: one (numFmt, lvlText) per level, e.g. ("chineseCounting", "%1、")."""
    root = document.part.numbering_part.element
    body = "".join(
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/></w:lvl>'
        for ilvl, (fmt, text) in enumerate(levels)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{body}</w:abstractNum>'
    )
    first_num = root.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)  # the schema puts every abstractNum before the nums
    else:
        root.append(abstract)


def add_list(document: Document, num_id: int, abstract_id: int, restart_level: int | None = None) -> None:
    """A list (w:num) on an abstract definition; `restart_level` restarts that level at 1."""
    override = (
        f'<w:lvlOverride w:ilvl="{restart_level}"><w:startOverride w:val="1"/></w:lvlOverride>'
        if restart_level is not None
        else ""
    )
    document.part.numbering_part.element.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'
        )
    )


def numbered(
    document: Document, text: str, num_id: int, level: int = 0, style: str | None = None
) -> Paragraph:
    """A paragraph numbered by Word (its text holds no number)."""
    paragraph = document.add_paragraph(text, style=style)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )
    return paragraph


def autonum_multilevel() -> Document:
    """A plan numbered by one four-level Word list: 一、 sections, （一） aspects, 1. problems, （1） measures."""
    document = _new_document()
    document.add_paragraph("县市场监督管理局巡察整改方案", style="Title")
    document.add_paragraph("为抓好县委第一巡察组反馈意见整改，制定本方案。")
    add_abstract_numbering(
        document,
        90,
        [
            ("chineseCounting", "%1、"),
            ("chineseCounting", "（%2）"),
            ("decimal", "%3."),
            ("decimal", "（%4）"),
        ],
    )
    add_list(document, 90, 90)
    numbered(document, "整改任务", 90, 0)
    numbered(document, "食品安全监管方面", 90, 1)
    numbered(document, "校园周边食品安全检查覆盖面不够。", 90, 2)
    document.add_paragraph("整改措施：")
    numbered(document, "开展校园周边食品安全专项整治，每学期检查全覆盖。", 90, 3)
    numbered(document, "建立学校食堂负责人约谈制度。", 90, 3)
    document.add_paragraph("责任领导：副局长 钟振宇")
    document.add_paragraph("责任单位：食品安全协调股")
    document.add_paragraph("完成时限：2024年7月底前")
    numbered(document, "农村集体聚餐备案率低。", 90, 2)
    document.add_paragraph("整改措施：")
    numbered(document, "建立农村集体聚餐备案制度，备案率不低于90%。", 90, 3)
    document.add_paragraph("责任领导：钟振宇")
    document.add_paragraph("完成时限：立行立改")
    numbered(document, "党风廉政建设方面", 90, 1)
    numbered(document, "执法办案监督制约不足，处罚裁量不统一。", 90, 2)
    document.add_paragraph("整改措施：")
    numbered(document, "修订行政处罚裁量基准。", 90, 3)
    numbered(document, "每季度开展一次案卷评查。", 90, 3)
    document.add_paragraph("责任领导：党组书记、局长 秦海波")
    document.add_paragraph("责任单位：法规股")
    document.add_paragraph("完成时限：9月底前")
    numbered(document, "保障措施", 90, 0)
    document.add_paragraph("局党组每月听取一次整改工作汇报。")
    return document


def autonum_restarts() -> Document:
    """Aspects as numbered Heading 1 (一、), problems 1. restarted under each aspect through
    w:lvlOverride/w:startOverride, measures in a （%1） list restarted for each problem."""
    document = _new_document()
    document.add_paragraph("街道党工委巡察反馈意见整改落实方案", style="Title")
    add_abstract_numbering(document, 91, [("chineseCounting", "%1、")])
    add_abstract_numbering(document, 92, [("decimal", "%1.")])
    add_abstract_numbering(document, 93, [("decimal", "（%1）")])
    add_list(document, 91, 91)
    plan = [
        (
            "政治监督方面存在的问题",
            [
                (
                    "老旧小区改造推进缓慢，年度任务未按期完成。",
                    ["成立老旧小区改造工作专班。", "实行周调度、月通报。"],
                ),
                ("信访积案化解率不高。", ["开展信访积案清仓见底专项行动。"]),
            ],
        ),
        (
            "作风建设方面存在的问题",
            [
                (
                    "窗口服务态度生硬，群众满意度不高。",
                    ["推行首问负责、一次性告知制度。", "满意度低于95%的窗口予以通报。"],
                ),
            ],
        ),
    ]
    num_id = 100
    for aspect, problems in plan:
        numbered(document, aspect, 91, 0, style="Heading 1")
        num_id += 1
        problem_list = num_id
        add_list(document, problem_list, 92, restart_level=0)  # problems restart at 1 under each aspect
        for problem, measures in problems:
            numbered(document, problem, problem_list, 0)
            document.add_paragraph("整改措施：")
            num_id += 1
            add_list(document, num_id, 93, restart_level=0)
            for measure in measures:
                numbered(document, measure, num_id, 0)
            document.add_paragraph("责任领导：方雅、肖建　责任单位：党政办公室　完成时限：2024年12月底前")
    return document


# --------------------------------------------------------------------------- tables


def _ledger(document: Document, header: list[str], rows: list[list[str]]) -> docx.table.Table:
    table = document.add_table(rows=len(rows) + 1, cols=len(header))
    for col, text in enumerate(header):
        table.cell(0, col).text = text
    for row_index, row in enumerate(rows, 1):
        for col, text in enumerate(row):
            cell = table.cell(row_index, col)
            lines = text.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)  # several measures as paragraphs of one cell
    return table


def table_merged_cells() -> Document:
    """A ledger whose 序号, problem and owner cells are merged down across the measure rows;
    introduction above, signature and date below."""
    document = _new_document()
    document.add_paragraph("县卫生健康委巡察反馈问题整改台账", style="Title")
    document.add_paragraph("根据县委第四巡察组反馈意见，委党组逐条制定整改措施，明确责任领导和完成时限。")
    header = ["序号", "巡察反馈问题", "整改任务", "责任人", "责任部门", "配合部门", "整改时限"]
    rows = [
        [
            "1",
            "基层医疗机构药品采购不规范，存在线下采购。",
            "开展药品采购专项检查。",
            "副主任 陆明",
            "医政股",
            "",
            "2024年6月底前",
        ],
        [
            "1",
            "基层医疗机构药品采购不规范，存在线下采购。",
            "1.完善采购制度；\n2.每季度通报线上采购率。",
            "副主任 陆明",
            "医政股",
            "财务股",
            "2024年6月底前",
        ],
        [
            "2",
            "家庭医生签约服务履约率低。",
            "重点人群每季度随访不少于1次。",
            "主任 鲁燕、副主任 陆明",
            "基层卫生股",
            "",
            "长期坚持",
        ],
    ]
    table = _ledger(document, header, rows)
    for col in (0, 1, 3):
        top = table.cell(1, col)
        text = top.text
        top.merge(table.cell(2, col)).text = text
    document.add_paragraph("中共某某县卫生健康委员会党组")
    document.add_paragraph("2024年3月20日")
    return document


def table_problems_above() -> Document:
    """Problems written as paragraphs, then the same problems in a ledger with a merged 问题类别 column."""
    document = _new_document()
    document.add_paragraph("县水利局关于审计反馈问题的整改台账", style="Title")
    document.add_paragraph("县审计局在预算执行审计中发现以下问题：")
    document.add_paragraph("1.部分项目预算编制不精准。")
    document.add_paragraph("2.结余资金未及时清理上缴。")
    document.add_paragraph("针对上述问题，制定整改台账如下：")
    header = ["序号", "问题类别", "存在问题", "整改措施", "责任领导", "责任单位", "完成时限"]
    rows = [
        [
            "1",
            "预算管理",
            "部分项目预算编制不精准。",
            "项目预算编制前开展可行性论证。",
            "包振华",
            "计划财务股",
            "10月底前",
        ],
        [
            "2",
            "预算管理",
            "结余资金未及时清理上缴。",
            "（1）全面清理结余资金；（2）按规定上缴县财政。",
            "施文涛",
            "计划财务股",
            "2024年5月31日前",
        ],
    ]
    table = _ledger(document, header, rows)
    table.cell(1, 1).merge(table.cell(2, 1)).text = "预算管理"
    document.add_paragraph("以上问题整改情况将于2024年8月底前书面报县审计局。")
    return document


BUILDERS: dict[str, Callable[[], Document]] = {
    "docx-heading-styles": heading_styles,
    "docx-measures-table": measures_table,
    "docx-autonum-multilevel": autonum_multilevel,
    "docx-autonum-restarts": autonum_restarts,
    "docx-table-merged-cells": table_merged_cells,
    "docx-table-problems-above": table_problems_above,
}


def write_all(directory: Path) -> list[Path]:
    """Write every corpus .docx into `directory`; returns their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in BUILDERS.items():
        path = directory / f"{name}.docx"
        build().save(str(path))
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(written)
