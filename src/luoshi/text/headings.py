"""Headings, labels and ledger columns: how a line says what it is.

Section headings (存在的问题 / 原因分析 / 整改措施 …), aspect labels, the first sentence of an
item, labelled lines (问题： / 整改措施： / 责任领导： …) and the column headers of a ledger table.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from luoshi.text.outline import Segment
from luoshi.text.patterns import alternation

# --------------------------------------------------------------------------- headings

_OTHER_RE = re.compile(
    r"保障措施|组织保障|组织领导|工作要求|有关要求|总体要求|指导思想|工作目标|整改目标|目标任务|基本原则|工作原则|时间安排"
    r"|方法步骤|步骤安排|进度安排|基本情况|前期工作|会前准备|学习情况|附件|联系人"
    # A plan's closing section: 四、整改要求 / 三、整改保障 (not "落实整改要求不到位的问题").
    r"|^(?:整改|工作)(?:要求|保障)$"
)
_CAUSE_RE = re.compile(r"原因|根源|根子|症结|思想根源")
_PLAN_RE = re.compile(r"问题.{0,10}(?:整改|措施|举措)|(?:整改|措施|举措).{0,6}问题")
_MEASURE_RE = re.compile(
    r"措施|举措|努力方向|改进方向|整改方向|下一步|今后|打算|整改任务|整改事项|整改落实|改进|努力|工作思路"
)
_PROBLEM_RE = re.compile(r"问题|不足|差距|短板|查摆|检视|对照检查|反馈意见")


# Asked for every numbered line by the section finder and the plan reader, of a few labels.
@functools.lru_cache(maxsize=4096)
def classify_heading(label: str) -> str | None:
    """Which section a heading opens: problems, causes, measures, plan, other or None."""
    if not label or len(label) > 40:
        return None
    if _OTHER_RE.search(label):
        return "other"
    if _CAUSE_RE.search(label):
        return "causes"
    if _PLAN_RE.search(label):
        return "plan"
    if _MEASURE_RE.search(label):
        return "measures"
    if _PROBLEM_RE.search(label):
        return "problems"
    return None


_FIRST_SENTENCE_RE = re.compile(r"[。；;！？!?]")
_LABEL_END_RE = re.compile(r"[。；;！？!?：:]")
TRAILING_PUNCT = " ，,、。．.：:；;！!？?"
_ASPECT_ENDINGS = ("方面", "问题", "不足", "差距", "短板")
_ASPECT_SUFFIX_RE = re.compile(r"方面(?:存在的|的)?(?:问题|不足|差距|短板)?$")
WHITESPACE_RE = re.compile(r"\s+")


def summary_of(text: str) -> str:
    """The first sentence: up to (not including) the first 。；;！？!?, whitespace removed except one
    space between two Latin letters or digits (Windows 7)."""
    end = _FIRST_SENTENCE_RE.search(text)  # (split would copy the rest of the text too)
    first = (text[: end.start()] if end else text).strip()
    if not _SPACE_RE.search(first):
        return first
    return _WHITESPACE_RE.sub(_latin_space, first)


_SPACE_RE = re.compile(r"\s")  # any at all: a class the engine skips ahead to
_WHITESPACE_RE = re.compile(r"\s+")


def _latin_space(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    latin = before.isascii() and before.isalnum() and after.isascii() and after.isalnum()
    return " " if latin else ""


# A segment is asked for its label by the section finder, the plan reader and the heading tests.
@functools.lru_cache(maxsize=4096)
def heading_label(body: str) -> tuple[str, str]:
    """Split a heading's body into its label and the rest: '理论学习方面。一是…' → ('理论学习', '一是…').

    The label loses a trailing 方面 and trailing punctuation.
    """
    match = _LABEL_END_RE.search(body)
    label, rest = (body[: match.start()], body[match.end() :]) if match else (body, "")
    label = label.strip(TRAILING_PUNCT)
    if label.endswith(_ASPECT_ENDINGS):
        label = _ASPECT_SUFFIX_RE.sub("", label).strip(TRAILING_PUNCT)
    return label, rest.strip()


# What a heading known to be an aspect ends with besides its subject: "…方面存在的问题",
# "…存在的问题", "…的问题", "…方面". A "关于…的问题" heading that names a shortfall keeps its words.
_ASPECT_TAIL_RE = re.compile(r"(?:方面存在的问题|方面的问题|存在的问题|的问题|方面)$")


def aspect_label(label: str) -> str:
    """The subject of an aspect heading's label: '基层党组织建设的问题' → '基层党组织建设'."""
    if label.startswith("关于") and label.endswith("问题") and _SHORTFALL_RE.search(label):
        return label  # "关于林地保护管理不到位的问题" names a shortfall: the heading is its name
    stripped = _ASPECT_TAIL_RE.sub("", label).strip(TRAILING_PUNCT)
    return stripped or label


# Words that make "关于…的问题" name a shortfall rather than a subject (关于全面从严治党的问题).
_SHORTFALL_RE = re.compile(r"不|薄弱|滞后|缺|差距|短板|偏[低高少多]|低|弱|难|乱|虚|慢|松")


def is_heading_like(segment: Segment) -> bool:
    if len(segment.body) > 60:
        return False  # a paragraph, not a heading: skip the label split
    label, rest = heading_label(segment.body)
    return bool(label) and not rest and len(label) <= 40


# --------------------------------------------------------------------------- labels

_OWNER_LABELS = "责任领导|牵头领导|领衔领导|分管领导|责任县领导|责任人|牵头人"
_DEPARTMENT_LABELS = "责任单位|牵头单位|责任部门|牵头部门|责任科室|承办单位"
_DEADLINE_LABELS = "完成时限|整改时限|完成时间|整改期限|时限要求|完成期限|时限"
_CO_DEPARTMENT_LABELS = "配合单位|协办单位|配合部门|协同单位|配合科室"
# Every field label, as a prefix tree (one branch per first character; 责任… holds eight labels).
_ANY_ATTR = alternation(
    f"{_OWNER_LABELS}|{_DEPARTMENT_LABELS}|{_CO_DEPARTMENT_LABELS}|{_DEADLINE_LABELS}".split("|")
)
_ATTR_RE = re.compile(rf"[（(]?(?P<label>{_ANY_ATTR})\s*[：:]")
_ATTR_KIND = {
    **dict.fromkeys(_OWNER_LABELS.split("|"), "owner"),
    **dict.fromkeys(_DEPARTMENT_LABELS.split("|"), "department"),
    **dict.fromkeys(_CO_DEPARTMENT_LABELS.split("|"), "co_department"),
    **dict.fromkeys(_DEADLINE_LABELS.split("|"), "deadline"),
}
# Attributes written after a measure's wording: "（责任领导：…；完成时限：…）" at its end, or
# "责任单位：…；完成时限：…" after its last sentence.
ATTR_TAIL_RE = re.compile(
    rf"[（(](?:{_ANY_ATTR})\s*[：:][^（()）]*[）)]\s*$|(?<=[。；;])\s*(?:{_ANY_ATTR})\s*[：:].*$"
)
# A field label and its colon (责任领导： / 完成时限：).
FIELD_LABEL_RE = re.compile(rf"(?:{_ANY_ATTR})\s*[：:]")
PROBLEM_LABEL_RE = re.compile(
    r"^(?:(?:存在|主要|具体|突出|反馈)?问题(?:描述|表现|内容|清单|名称)?\s*(?:\d+|[一二三四五六七八九十]+)?|(?:具体|主要)表现)\s*[：:]"
)
MEASURE_LABEL_RE = re.compile(
    r"^(?:具体)?(?:整改|改进|落实)?(?:措施|举措)\s*(?:\d+|[一二三四五六七八九十]+)?\s*[：:]"
)
# Paragraphs that close a section rather than continue its last item.
CLOSING_RE = re.compile(
    r"^(?:我们将|我们要|我们一定|我们决心|我们坚信|我将|本人将|班子将|领导班子将|班子成员将|今后|总之|综上|以上|下一步，|最后|恳请|敬请|请各位|欢迎|在今后|对照检查到此"
    r"|以此次|借此机会|不妥之处|不当之处|请认真|请结合|请按照|请于|请在|特此|此致|针对上述|针对以上|对照上述"
    # A feedback's closing request: 请集团党委认真研究… / 望你们切实抓好整改…
    r"|请[^。，,；;]{1,15}?(?:认真|切实|按照|按要求|结合|抓紧|及时|严格)|望(?:你们|你单位|各|认真|切实))"
)
DATE_LINE_RE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


def attributes(text: str) -> dict[str, str]:
    """Owner, department, co-department and deadline words from labelled text such as 责任领导：张三 完成时限：…"""
    found: dict[str, str] = {}
    if "：" not in text and ":" not in text:
        return found  # no label without a colon
    matches = list(_ATTR_RE.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip(TRAILING_PUNCT)
        while value.endswith(("）", ")")) and value.count("（") + value.count("(") < value.count(
            "）"
        ) + value.count(")"):
            value = value[:-1].strip(
                TRAILING_PUNCT
            )  # the bracket closing "（责任领导：…）", not "各村（社区）"
        kind = _ATTR_KIND.get(match.group("label"))
        if kind and value and kind not in found:
            found[kind] = value
    return found


def is_attribute_line(body: str) -> bool:
    match = _ATTR_RE.match(body)
    return match is not None


# --------------------------------------------------------------------------- tables

_COLUMN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("number", re.compile(r"^(?:序号|编号|序|No\.?)$", re.IGNORECASE)),
    ("status", re.compile(r"^(?:整改)?状态$")),
    ("progress", re.compile(r"进展|进度|整改情况|完成情况")),
    ("evidence", re.compile(r"佐证|证明材料|附件")),
    ("co_department", re.compile(_CO_DEPARTMENT_LABELS)),
    ("owner", re.compile(_OWNER_LABELS)),
    ("department", re.compile(_DEPARTMENT_LABELS)),
    ("deadline", re.compile(_DEADLINE_LABELS + "|完成日期")),
    ("measure", re.compile(r"措施|举措|整改内容|整改任务|任务清单")),
    ("aspect", re.compile(r"方面|类别|类型|领域|分类")),
    ("problem", re.compile(r"问题|表现|事项")),
)


def column_kind(header: str) -> str | None:
    """The ledger column a header cell names (problem, measure, owner …), or None. A column of
    counts or rates (问题数量, 整改率) names none: a statistics sheet is no ledger."""
    header = WHITESPACE_RE.sub("", header)
    if _COUNT_HEADER_RE.search(header):
        return None
    for kind, pattern in _COLUMN_PATTERNS:
        if pattern.search(header):
            return kind
    return None


_COUNT_HEADER_RE = re.compile(r"(?:数量|个数|件数|项数|总数|问题数|措施数|比例|占比|[完整]?[成改]?率)$")


def table_columns(rows: Sequence[Sequence[str]]) -> tuple[int, dict[str, int]] | None:
    """Find a ledger header row among the first rows: (row index, column kind → column index).

    A header of two rows (责任分工 merged over 责任领导 | 责任单位) ends at its lower row, which
    names the columns under the merged cell; the upper row names the others."""
    for index, row in enumerate(rows[:3]):
        kinds = [column_kind(cell) for cell in row]
        columns = _first_columns(kinds)
        if ("problem" in columns or "measure" in columns) and len(columns) >= 2:
            below = rows[index + 1] if index + 1 < len(rows) else None
            if below is not None and (lower := _header_below(row, kinds, below)) is not None:
                return index + 1, _first_columns(lower)
            return index, columns
    return None


def _first_columns(kinds: Sequence[str | None]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for col, kind in enumerate(kinds):
        if kind and kind not in columns:
            columns[kind] = col
    return columns


def _header_below(
    row: Sequence[str], kinds: Sequence[str | None], below: Sequence[str]
) -> list[str | None] | None:
    """The column kinds of a two-row header, when BELOW is its second row: each of its cells a
    short column name or the header cell above it again (a merged cell), and naming a column the
    row above leaves unnamed. None when BELOW is a row of the table's content."""
    if len({cell for cell in below if cell.strip()}) < 2:
        return None  # a row merged across the table (一、…方面) heads the rows below it
    merged: list[str | None] = []
    adds = False
    for col, cell in enumerate(below):
        upper = row[col] if col < len(row) else ""
        upper_kind = kinds[col] if col < len(kinds) else None
        text = WHITESPACE_RE.sub("", cell)
        kind = column_kind(text) if 0 < len(text) <= 12 else None
        if text and kind is None and cell != upper:
            return None  # content: the header has one row
        if kind is not None and kind != upper_kind and cell != upper:
            adds = True
        merged.append(kind or upper_kind)
    merged.extend(kinds[len(below) :])
    return merged if adds else None
