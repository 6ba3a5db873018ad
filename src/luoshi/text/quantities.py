"""Commitments (quantified requirements) and deadlines inside measure text.

cn2an converts Chinese numerals, but run over whole sentences it corrupts words (统一 → 统1), so
it is only ever given a span this module has already recognised as a quantity.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from luoshi.text.model import Commitment
from luoshi.text.outline import ordinal_value

PERIODS: tuple[tuple[str, str], ...] = (
    ("每个工作日", "day"),
    ("每天", "day"),
    ("每日", "day"),
    ("每周", "week"),
    ("每星期", "week"),
    ("每个月", "month"),
    ("每月", "month"),
    ("每季度", "quarter"),
    ("每个季度", "quarter"),
    ("每季", "quarter"),
    ("每半年", "halfyear"),
    ("每年度", "year"),
    ("每年", "year"),
    ("全年", "year"),
)
_PERIOD_RE = re.compile("|".join(word for word, _ in PERIODS))
_PERIOD_OF = dict(PERIODS)

_CN_NUM = "[零〇一二两三四五六七八九十百千万]"
_NUMBER = rf"(?:百分之{_CN_NUM}+(?:点{_CN_NUM}+)?|\d+(?:\.\d+)?|{_CN_NUM}+(?:点{_CN_NUM}+)?)"
_UNITS = (
    "个百分点|个工作日|个月|个批次|人次|家次|户次|场次|批次|课时|学时|小时|分钟|万元|亿元|千元|元|%|平方米|公里|万人|万户|亩|吨|辆|米|字"
    "|次|场|期|篇|天|个|项|家|户|人|名|件|条|批|轮|遍|份|所|座|处|套|台|本|节|堂|趟|回"
)
# Units that mean "how many times": enough with a period word alone (每月走访两次).
_COUNT_UNITS = frozenset(
    {
        "次",
        "人次",
        "家次",
        "户次",
        "场次",
        "场",
        "期",
        "篇",
        "天",
        "个工作日",
        "小时",
        "课时",
        "学时",
        "轮",
        "遍",
        "趟",
        "回",
        "批次",
        "节",
        "堂",
    }
)
_QUANTITY_RE = re.compile(
    rf"(?P<num>{_NUMBER})(?P<unit>{_UNITS})?(?P<after>及以上|以上|及以下|以下|以内|之内|以里)?"
)

_OP_BEFORE = (
    ("不少于", ">="),
    ("不低于", ">="),
    ("不下于", ">="),
    ("至少", ">="),
    ("最少", ">="),
    ("不超过", "<="),
    ("不多于", "<="),
    ("不高于", "<="),
    ("最多", "<="),
    ("控制在", "<="),
    ("超过", ">"),
    ("高于", ">"),
    ("多于", ">"),
    ("大于", ">"),
    ("低于", "<"),
    ("少于", "<"),
    ("小于", "<"),
    ("不足", "<"),
)
_OP_BEFORE_RE = re.compile("|".join(word for word, _ in _OP_BEFORE))
_OP_OF = dict(_OP_BEFORE)
_OP_AFTER = {
    "以上": ">=",
    "及以上": ">=",
    "以下": "<=",
    "及以下": "<=",
    "以内": "<=",
    "之内": "<=",
    "以里": "<=",
}

# Verbs that, after a period word with no number, mean "do it once per period" (每月召开…会议).
_ACTION_RE = re.compile(
    r"召开|开展|组织|举办|举行|走访|调研|听取|研究|分析|督查|检查|通报|讲授|讲党课|召集|下访|接访|谈心|报告|汇报|调度|督办|会商|学习|培训|考核|评估|巡查|排查|深入"
)
# Names and words whose numerals are not quantities.
_NOT_QUANTITY_RE = re.compile(
    r"八项规定|三会一课|一岗双责|三重一大|两个维护|两个确立|四个意识|四个自信|四个全面|五位一体|一把手|一线|逐一|一二三产|"
    r"\d{5}热线|一中|二中|三中|一站式|一对一|一事一议|一次性|一揽子|一体化|一盘棋|第[一二三四五六七八九十\d]"
)
_DURATION_RE = re.compile(
    r"(?:\d+|[一二两三四五六七八九十]+)个?(?:年|月|季度|周|天)(?:内|之内|以内)|[年月]底前|年内"
)
_CLAUSE_SPLIT_RE = re.compile(r"[，,：:]")
_SENTENCE_SPLIT_RE = re.compile(r"[。；;！？!?\n]")
_QUOTED_RE = re.compile(r"“[^”]{0,20}”|\"[^\"]{0,20}\"|「[^」]{0,20}」")


def number_value(span: str) -> int | float | None:
    """The value of a recognised numeral span: '10' → 10, '两' → 2, '百分之七十' → 70, '1.5' → 1.5."""
    span = span.removeprefix("百分之")
    try:
        if re.fullmatch(r"\d+(?:\.\d+)?", span):
            value: float = float(span)
        elif re.fullmatch(r"[一二两三四五六七八九十]{1,3}", span):
            value = ordinal_value(span.replace("两", "二"))
        else:
            import cn2an

            value = float(cn2an.cn2an(span, "smart"))
    except (ValueError, KeyError, IndexError, OverflowError):
        return None
    return int(value) if value == int(value) else value


def find_commitments(text: str) -> tuple[Commitment, ...]:
    """Every quantified requirement in a measure's text, in order.

    A commitment is a clause (between commas) with a quantity and a comparison word (至少, 不少于,
    以上, 以内 …) or a period word (每月 …), or a period word and an action verb with no number
    (每月召开…会议 → month >= 1 次). The period comes from the nearest period word earlier in the
    same sentence.
    """
    found: list[Commitment] = []
    for sentence in _SENTENCE_SPLIT_RE.split(text):
        if not sentence or not (_QUANTITY_RE.search(sentence) or _PERIOD_RE.search(sentence)):
            continue  # nothing countable in this sentence
        period: str | None = None
        for clause in _CLAUSE_SPLIT_RE.split(sentence):
            clause = clause.strip()
            if not clause:
                continue
            if period_match := _PERIOD_RE.search(clause):
                period = _PERIOD_OF[period_match.group(0)]
            elif _DURATION_RE.search(clause):
                period = None  # 三年内 / 年底前: a span of its own, no longer the period above
            commitment = _clause_commitment(clause, period, bool(period_match))
            if commitment is not None:
                found.append(commitment)
    return tuple(found)


def _clause_commitment(clause: str, period: str | None, has_period_word: bool) -> Commitment | None:
    if not has_period_word and not _QUANTITY_RE.search(clause):
        return None  # most clauses hold no number at all: skip the masking below
    masked = _QUOTED_RE.sub(lambda m: "＊" * len(m.group(0)), clause)
    masked = _NOT_QUANTITY_RE.sub(lambda m: "＊" * len(m.group(0)), masked)
    for match in _QUANTITY_RE.finditer(masked):
        number, unit = match.group("num"), match.group("unit") or ""
        if not unit and not number.startswith("百分之"):
            continue  # a number with no unit is not a quantity
        if _is_date_like(masked, match):
            continue
        op = _OP_AFTER.get(match.group("after") or "")
        if op is None:
            before = list(_OP_BEFORE_RE.finditer(masked, 0, match.start()))
            if before:
                op = _OP_OF[before[-1].group(0)]
        if op is None:
            # A bare number counts only with a period word (每月走访2次): a minimum per period.
            arabic = number[0].isdigit()
            if period is None or not (arabic or unit in _COUNT_UNITS):
                continue
            op = ">="
        if number.startswith("百分之"):
            unit = "%"
        value = number_value(number)
        if value is None:
            continue
        return Commitment(text=clause, period=period, op=op, value=value, unit=unit)
    if has_period_word and period is not None and _ACTION_RE.search(masked):
        return Commitment(text=clause, period=period, op=">=", value=1, unit="次")
    return None


def _is_date_like(clause: str, match: re.Match[str]) -> bool:
    """A number that is part of a date or an ordinal (2024年, 6月底, 第3次) is no quantity."""
    end = match.end("num")
    start = match.start("num")
    following = clause[end : end + 1]
    if following in ("年", "月", "日", "号"):
        return True
    if start > 0 and clause[start - 1] in "第前后初":
        return True
    return match.group("unit") == "天" and clause[end + 1 : end + 2] in ("内", "之")


# --------------------------------------------------------------------------- deadlines

_OPEN_ENDED_RE = re.compile(r"长期坚持|立行立改|持续推进|持续整改|长期推进|常态化|长期|持续")
_CN_YEAR_RE = re.compile(r"[〇零一二三四五六七八九]{4}(?=年)")
_CN_MONTH_DAY_RE = re.compile(
    r"(?<=[年月])[一二三四五六七八九十]{1,3}(?=[月日号])|^[一二三四五六七八九十]{1,3}(?=月)"
)
_ISO_RE = re.compile(r"(?P<y>\d{4})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})")
_DATE_RE = re.compile(
    r"(?:(?P<y>\d{4})年|(?P<this>今年|本年度?|当年))?"
    r"(?:"
    r"(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})[日号]|(?P<part>上旬|中旬|下旬|底|末|中))?"
    r"|(?P<half>上半年|下半年)"
    r"|第?(?P<q>[1-4一二三四])季度(?:末|底)?"
    r"|(?P<yend>年底|年末|底|末)"
    r")"
)


def normalise_date_numerals(text: str) -> str:
    """Chinese numerals in dates as digits: 二〇二四年六月 → 2024年6月."""

    def year(match: re.Match[str]) -> str:
        return "".join(str({"〇": 0, "零": 0}.get(ch, ordinal_value(ch))) for ch in match.group(0))

    text = _CN_YEAR_RE.sub(year, text)
    return _CN_MONTH_DAY_RE.sub(lambda m: str(ordinal_value(m.group(0))), text)


def parse_deadline(text: str, year: int | None) -> dt.date | None:
    """The date a deadline phrase names, or None when open-ended or not a date.

    '2024年6月底前' → 2024-06-30; '2024年3月31日前' → 2024-03-31; '2024年底前' → 2024-12-31;
    '6月底前' → the document's year; '长期坚持' → None. With several dates the first one counts.
    """
    text = normalise_date_numerals(text.replace(" ", ""))
    if iso := _ISO_RE.search(text):
        return _safe_date(int(iso.group("y")), int(iso.group("m")), int(iso.group("d")))
    for match in _DATE_RE.finditer(text):
        explicit_year = match.group("y") is not None or match.group("this") is not None
        if match.group("yend") in ("底", "末") and not explicit_year:
            continue  # 底 / 末 alone belong to no date
        y = int(match.group("y")) if match.group("y") else year
        if y is None:
            continue
        if match.group("m"):
            month = int(match.group("m"))
            if match.group("d"):
                return _safe_date(y, month, int(match.group("d")))
            part = match.group("part")
            if part == "上旬":
                return _safe_date(y, month, 10)
            if part in ("中旬", "中"):
                return _safe_date(y, month, 20)
            return _end_of_month(y, month)
        if match.group("half"):
            return _end_of_month(y, 6 if match.group("half") == "上半年" else 12)
        if match.group("q"):
            return _end_of_month(y, ordinal_value(match.group("q")) * 3)
        if match.group("yend"):
            return _end_of_month(y, 12)
    return None


def is_open_ended(text: str) -> bool:
    """True for 长期坚持 / 立行立改 / 持续推进 style deadlines that name no date."""
    return bool(_OPEN_ENDED_RE.search(text))


def _end_of_month(year: int, month: int) -> dt.date | None:
    if not (1 <= month <= 12) or not (1900 <= year <= 2200):
        return None
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
