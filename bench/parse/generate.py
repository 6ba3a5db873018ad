"""Generate documents of about 15,000 characters in the genre `luoshi parse` reads.

Each document is a team material or a rectification plan assembled at random (seeded, so runs
are comparable) from original sentence pieces: sections, aspects, 一是/1./（1） items, causes,
measures with commitments and 责任领导 / 完成时限 lines; some are hard-wrapped with page
furniture like text copied out of a PDF, some are saved as GBK.

    python bench/parse/generate.py OUTDIR [COUNT] [DOCX_COUNT]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any

TARGET_CHARS = 15_000

ASPECTS = ["理论学习", "政治素质", "能力本领", "担当作为", "工作作风", "廉洁自律", "服务群众", "制度执行"]
SUBJECTS = ["班子成员", "个别同志", "部分干部", "有的班子成员", "领导班子", "机关党支部", "分管领域"]
SHORTFALLS = [
    "理论学习不够系统深入",
    "调查研究不够扎实",
    "推动落实的力度不够",
    "服务群众的意识不强",
    "制度执行不够严格",
    "创新举措不多",
    "风险防范意识不强",
    "会议文件偏多",
    "督查考核重痕迹",
    "基层减负落实不到位",
]
# Every item is assembled from a template and varied slots (topic, place, numbers), so that no
# two measures or problems of a document read alike, as in a real plan: an engine that caches its
# work per text gains nothing here that it would not gain on real documents.
TOPICS = [
    "乡村振兴",
    "安全生产",
    "生态环境",
    "营商环境",
    "教育",
    "医疗卫生",
    "信访维稳",
    "项目建设",
    "财政资金",
    "基层党建",
    "耕地保护",
    "城市管理",
    "民生实事",
    "招商引资",
    "社会保障",
    "文化旅游",
]
PLACES = [
    "各乡镇",
    "联系村",
    "城区社区",
    "重点企业",
    "项目工地",
    "中小学校",
    "乡镇卫生院",
    "农贸市场",
    "工业园区",
    "养老机构",
    "景区",
    "交通站点",
    "易地搬迁安置点",
    "供水站",
    "物业小区",
    "河道沿线",
]
_DETAIL_TEMPLATES = [
    "对上级部署的{topic}重点任务研究不深，结合{place}实际提出的办法不多，工作停留在安排部署阶段",
    "深入{place}的次数偏少，对群众反映的{topic}方面急难愁盼问题掌握不全面，回应不及时",
    "{place}的{topic}学习以传达文件为主，研讨交流准备不充分，学用结合不够紧密",
    "对{place}发现的{topic}问题跟踪问效不够，有{n}个问题反复出现，整改成效不明显",
    "遇到{place}{topic}矛盾问题有畏难情绪，习惯于用老办法应对新情况",
    "{year}年{place}有{n}件{topic}诉求超过办理时限，群众满意度不高",
    "{topic}工作统筹不够，{place}之间进展不平衡，有的还停留在纸面上",
]
_ACTION_TEMPLATES = [
    "完善{place}{topic}学习制度，每月至少开展{n}次集中学习研讨",
    "班子成员每季度至少到{place}调研{cn}次，每年形成{topic}调研报告不少于{n}篇",
    "每月召开{topic}工作调度会议，及时研究解决{place}推进中的{n}类困难",
    "将{place}{topic}财政支出的{pct}%以上用于保障和改善民生",
    "{place}{topic}会议数量比上年减少{pct}%以上，文件篇幅控制在{chars}字以内",
    "建立{topic}问题整改台账，实行销号管理，逐项明确{place}{n}项任务的责任和时限",
    "畅通12345热线等诉求渠道，对{place}反映的{topic}问题做到件件有回音，{n}个工作日内答复",
    "严格落实中央八项规定精神，持续纠治{place}{topic}领域“四风”问题，每{cn}个月通报{n}次",
    "对{place}的{topic}隐患开展拉网式排查，发现问题{n}个工作日内整改到位",
    "组织{topic}业务培训{n}期，覆盖{place}全体干部，参训率达到{pct}%",
]


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        topic=rng.choice(TOPICS),
        place=rng.choice(PLACES),
        n=rng.randint(1, 12),
        cn=rng.choice("一两三四五"),
        pct=rng.randint(5, 95),
        chars=rng.choice([2000, 3000, 4000, 5000]),
        year=rng.choice([2022, 2023, 2024]),
    )


def _detail(rng: random.Random) -> str:
    return _fill(rng, rng.choice(_DETAIL_TEMPLATES))


def _action(rng: random.Random) -> str:
    return _fill(rng, rng.choice(_ACTION_TEMPLATES))


CN = "一二三四五六七八九十"


def _problem(rng: random.Random, n: int) -> str:
    return (
        f"{CN[n]}是{rng.choice(SHORTFALLS)}。{rng.choice(SUBJECTS)}{_detail(rng)}。"
        f"比如，{rng.choice(SUBJECTS)}{_detail(rng)}，{_detail(rng)}。"
    )


def team_material(rng: random.Random) -> str:
    """A team material: problems by aspect, causes, measures by group, a closing paragraph."""
    lines = ["某县领导班子2024年度民主生活会对照检查材料", "现将对照检查情况报告如下。", "一、存在的突出问题"]
    body = 0
    aspect_number = 0
    while body < TARGET_CHARS * 0.55:
        aspect = rng.choice(ASPECTS)
        items = "".join(_problem(rng, n) for n in range(rng.randint(2, 4)))
        lines.append(f"（{CN[aspect_number % 10]}）{aspect}方面。{items}")
        body += len(lines[-1])
        aspect_number += 1
    lines.append("二、产生问题的原因分析")
    for n in range(4):
        lines.append(f"（{CN[n]}）{rng.choice(SHORTFALLS)}。{_detail(rng)}，{_detail(rng)}。")
    lines.append("三、今后努力方向和改进措施")
    group = 0
    while sum(len(line) for line in lines) < TARGET_CHARS - 200:
        items = "".join(f"{CN[n]}是{_action(rng)}，{_detail(rng)}。{_action(rng)}。" for n in range(3))
        lines.append(f"（{CN[group % 10]}）{rng.choice(ASPECTS)}上狠下功夫。{items}")
        group += 1
    lines.append("我们将以此次民主生活会为契机，以整改实效取信于民。")
    return "\n".join(lines) + "\n"


def rectification_plan(rng: random.Random) -> str:
    """A plan: each problem followed by its measures and 责任领导 / 责任单位 / 完成时限 lines."""
    lines = ["某县2024年巡察反馈问题整改方案", "一、总体要求", "坚持问题导向，逐条整改到位。", "二、整改任务"]
    aspect_number = 0
    while sum(len(line) for line in lines) < TARGET_CHARS - 300:
        lines.append(f"（{CN[aspect_number % 10]}）{rng.choice(ASPECTS)}方面")
        for n in range(1, rng.randint(2, 4)):
            lines.append(f"{n}.问题：{rng.choice(SHORTFALLS)}。{_detail(rng)}。")
            lines.append("整改措施：")
            for m in range(1, rng.randint(2, 4)):
                lines.append(f"（{m}）{_action(rng)}，{_detail(rng)}。")
            lines.append(f"责任领导：{rng.choice('王李张刘陈杨赵黄')}某某")
            lines.append(f"责任单位：县{rng.choice(['委办', '政府办', '发改委', '财政局', '住建局'])}")
            lines.append(
                f"完成时限：{rng.choice(['2024年6月底前', '2024年12月31日前', '长期坚持', '9月底前'])}"
            )
        aspect_number += 1
    lines.append("三、保障措施")
    lines.append("（一）加强组织领导。成立整改工作专班。")
    return "\n".join(lines) + "\n"


OWNERS = ["王建国", "李晓梅", "张志刚", "刘红", "陈立新", "杨帆", "赵敏", "黄伟"]
UNITS = ["县委办", "县政府办", "县发改委", "县财政局", "县住建局", "县农业农村局", "县卫健委"]
DEADLINES = ["2024年6月底前", "12月31日前", "长期坚持", "9月底前", "立行立改、长期坚持", "2024年10月"]


def plan_by_aspect(rng: random.Random) -> str:
    """A plan in another writer's layout: 一、…方面的问题, problems 1． restarting under each aspect,
    整改措施：一是…；二是… inline, then 责任人 / 牵头单位 / 配合单位 / 整改时限 lines."""
    lines = ["某县2024年审计反馈问题整改方案", "为抓好审计反馈问题整改，制定本方案。"]
    aspect_number = 0
    while sum(len(line) for line in lines) < TARGET_CHARS - 300:
        lines.append(f"{CN[aspect_number % 10]}、{rng.choice(ASPECTS)}方面的问题")
        for n in range(1, rng.randint(3, 5)):
            lines.append(f"{n}．{rng.choice(SHORTFALLS)}，{_detail(rng)}。")
            measures = "；".join(f"{CN[m]}是{_action(rng)}" for m in range(rng.randint(2, 4)))
            lines.append(f"整改措施：{measures}。")
            lines.append(f"责任人：{rng.choice(OWNERS)}、{rng.choice(OWNERS)}")
            lines.append(f"牵头单位：{rng.choice(UNITS)}　配合单位：{rng.choice(UNITS)}")
            lines.append(f"整改时限：{rng.choice(DEADLINES)}")
        aspect_number += 1
    lines.append("中共某县委员会")
    lines.append("2024年3月1日")
    return "\n".join(lines) + "\n"


def pdf_wrapped(text: str, width: int = 32) -> str:
    """Hard-wrap every paragraph at `width` characters and add page furniture every 40 lines."""
    out: list[str] = []
    page = 1
    for paragraph in text.split("\n"):
        for start in range(0, max(1, len(paragraph)), width):
            out.append(paragraph[start : start + width])
            if len(out) % 40 == 0:
                out += ["", f"— {page} —", f"第 {page} 页 共 20 页", ""]
                page += 1
    return "\n".join(out) + "\n"


def generate(directory: Path, count: int, seed: int = 2024) -> list[Path]:
    """Write `count` documents to `directory`; returns their paths."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        if index % 2 == 0:
            text = team_material(rng)
        else:
            text = rectification_plan(rng) if index % 4 == 1 else plan_by_aspect(rng)
        if index % 5 == 3:
            text = pdf_wrapped(text)
        data = text.encode("gbk") if index % 7 == 6 else text.encode("utf-8")
        path = directory / f"doc{index:04d}.txt"
        path.write_bytes(data)
        paths.append(path)
    return paths


def _numbering(document: Any) -> None:
    """One four-level list (一、 （一） 1. （1）) in the document's numbering part, as numId 90."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    levels = [
        ("chineseCounting", "%1、"),
        ("chineseCounting", "（%2）"),
        ("decimal", "%3."),
        ("decimal", "（%4）"),
    ]
    body = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    root = document.part.numbering_part.element
    abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{body}</w:abstractNum>')
    root.find(qn("w:num")).addprevious(abstract)
    root.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))


def _numbered(document: Any, text: str, level: int) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
    )


def docx_autonum_plan(rng: random.Random) -> Any:
    """A plan whose headings, problems and measures are numbered by Word's automatic numbering."""
    import docx

    document = docx.Document()
    _numbering(document)
    document.add_paragraph("某县巡察反馈问题整改方案")
    _numbered(document, "整改任务", 0)
    chars = 0
    while chars < TARGET_CHARS * 0.6:
        _numbered(document, f"{rng.choice(ASPECTS)}方面", 1)
        for _ in range(rng.randint(2, 4)):
            problem = f"{rng.choice(SHORTFALLS)}，{_detail(rng)}。"
            _numbered(document, problem, 2)
            document.add_paragraph("整改措施：")
            for _ in range(rng.randint(2, 4)):
                measure = f"{_action(rng)}。"
                _numbered(document, measure, 3)
                chars += len(measure)
            document.add_paragraph(f"责任领导：{rng.choice(OWNERS)}")
            document.add_paragraph(f"责任单位：{rng.choice(UNITS)}")
            document.add_paragraph(f"完成时限：{rng.choice(DEADLINES)}")
            chars += len(problem) + 40
    return document


def docx_table_plan(rng: random.Random) -> Any:
    """A ledger table with merged 序号 / 问题 / 责任领导 cells and cells of several numbered measures."""
    import docx

    document = docx.Document()
    document.add_paragraph("某县审计反馈问题整改台账")
    document.add_paragraph("根据审计反馈意见，制定整改台账如下。")
    header = ["序号", "问题类别", "存在问题", "整改措施", "责任领导", "责任单位", "完成时限"]
    problems = []
    chars = 0
    while chars < TARGET_CHARS * 0.6:
        problem = f"{rng.choice(SHORTFALLS)}，{_detail(rng)}。"
        rows = []
        for _ in range(rng.randint(1, 3)):
            cell = "\n".join(f"{m}.{_action(rng)}。" for m in range(1, rng.randint(2, 4)))
            rows.append(cell)
            chars += len(cell)
        problems.append((problem, rows))
        chars += len(problem) + 30
    table = document.add_table(rows=1 + sum(len(rows) for _, rows in problems), cols=len(header))
    # table.cell() lays out the whole grid on every call (quadratic in the cells of a ledger): the
    # grid is laid out once, before any merge. Merges are vertical and within one problem's rows,
    # so every cell still to be filled or merged keeps its own w:tc in this list.
    grid = table._cells

    def cell(row: int, col: int) -> Any:
        return grid[row * len(header) + col]

    for col, text in enumerate(header):
        cell(0, col).text = text
    row_index = 1
    for number, (problem, rows) in enumerate(problems, 1):
        owner, unit, deadline = rng.choice(OWNERS), rng.choice(UNITS), rng.choice(DEADLINES)
        first = row_index
        for cell_text in rows:
            values = [str(number), rng.choice(ASPECTS), problem, cell_text, owner, unit, deadline]
            for col, text in enumerate(values):
                cell(row_index, col).text = text
            row_index += 1
        if row_index - first > 1:
            for col in (0, 2, 4):
                top = cell(first, col)
                text = top.text
                top.merge(cell(row_index - 1, col)).text = text
    document.add_paragraph("某县审计局")
    document.add_paragraph("2024年5月6日")
    return document


def generate_docx(directory: Path, count: int, seed: int = 2025) -> list[Path]:
    """Write `count` .docx plans (alternately automatic numbering and a merged-cell table)."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        document = docx_autonum_plan(rng) if index % 2 == 0 else docx_table_plan(rng)
        path = directory / f"plan{index:04d}.docx"
        document.save(str(path))
        paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bench-corpus")
    written = generate(target, int(sys.argv[2]) if len(sys.argv) > 2 else 200)
    if len(sys.argv) > 3:  # DOCX_COUNT: .docx plans too, in TARGET/docx
        written += generate_docx(target / "docx", int(sys.argv[3]))
    print(f"{len(written)} documents in {target}")
