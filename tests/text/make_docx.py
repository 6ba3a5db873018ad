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
from docx.oxml.ns import qn
from docx.shared import Pt


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


BUILDERS: dict[str, Callable[[], Document]] = {
    "docx-heading-styles": heading_styles,
    "docx-measures-table": measures_table,
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
