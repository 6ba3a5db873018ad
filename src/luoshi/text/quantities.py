"""Commitments (quantified requirements) and deadlines inside measure text.

cn2an converts Chinese numerals, but run over whole sentences it corrupts words (统一 → 统1), so
it is only ever given a span this module has already recognised as a quantity.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Sequence

from luoshi.text.model import Commitment
from luoshi.text.outline import ordinal_value
from luoshi.text.patterns import alternation

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
_PERIOD_RE = re.compile(alternation(word for word, _ in PERIODS))
_PERIOD_OF = dict(PERIODS)

_CN_NUM = "[零〇一二两三四五六七八九十百千万]"
_NUMBER = rf"(?:百分之{_CN_NUM}+(?:点{_CN_NUM}+)?|\d+(?:\.\d+)?|{_CN_NUM}+(?:点{_CN_NUM}+)?)"
_UNIT_WORDS = (
    "个百分点|个工作日|个自然日|个月|个批次|人次|家次|户次|场次|批次|台次|车次|架次|课时|学时|小时|分钟|万元|亿元|千元|元|%"
    "|平方公里|平方米|立方米|公顷|公里|千米|万人|万户|万亩|亩|吨|辆|米|字"
    "|次|场|期|篇|天|日|周|年|个|项|家|户|人|名|位|件|条|批|轮|遍|份|张|册|本|部|所|座|栋|间|处|套|台|节|堂|趟|回"
    "|起|笔|宗|类|种|支|队|组|株|棵|头|只|门"
)
_UNITS = f"(?:{alternation(_UNIT_WORDS.split('|'))})"  # as a prefix tree: tried after every numeral
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
# Units of a time limit: "15天以内" / "24小时以内" commit to finishing within that span.
_SPAN_UNITS = frozenset({"天", "日", "小时", "分钟", "个工作日", "个自然日"})
_QUANTITY_RE = re.compile(
    rf"(?P<num>{_NUMBER})(?P<unit>{_UNITS})?(?P<after>及以上|以上|及以下|以下|以内|之内|以里)?"
)
# What a quantity needs at the least: a number with a unit, or a percentage in words. Far rarer
# than a bare numeral (一 in 进一步, 统一), so it is the cheap test for "nothing to find here".
# Written as "百分之|(?:\d+(?:\.\d+)?|{_CN_NUM}+)(?:{_UNITS})" with its first character taken out
# in front, so that the pattern starts with a character class: the engine then skips ahead to the
# next numeral instead of trying the three branches at every character of every measure.
_UNIT_QUANTITY_RE = re.compile(
    rf"[\d{_CN_NUM[1:-1]}]"
    rf"(?:(?<=百)分之|(?<=\d)\d*(?:\.\d+)?(?:{_UNITS})|(?<={_CN_NUM}){_CN_NUM}*(?:{_UNITS}))"
)
# The quantities a clause is searched for: `_QUANTITY_RE` without the bare numerals it skips
# anyway (a number needs a unit, a percentage in words does not).
# (The number is "百分之…|(?:\d+(?:\.\d+)?|…)(?=unit)" with its first character taken out in front,
# as in `_UNIT_QUANTITY_RE`, so that the engine skips ahead to the next numeral.)
# 内 alone after a unit of time is 以内 (30日内, 24小时内), not the 内 of 一次内部审计.
_WITHIN = "(?<=[天日时钟月周年])内(?![部容涵外控审务勤])"
_COUNTED_RE = re.compile(
    rf"(?P<num>[\d{_CN_NUM[1:-1]}](?:(?<=百)分之{_CN_NUM}+(?:点{_CN_NUM}+)?"
    rf"|(?<=\d)\d*(?:\.\d+)?(?={_UNITS})|(?<={_CN_NUM}){_CN_NUM}*(?:点{_CN_NUM}+)?(?={_UNITS})))"
    rf"(?P<unit>{_UNITS})?(?P<after>及以上|以上|及以下|以下|以内|之内|以里|{_WITHIN})?"
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
_OP_BEFORE_RE = re.compile(alternation(word for word, _ in _OP_BEFORE))
_OP_OF = dict(_OP_BEFORE)
_OP_AFTER = {
    "以上": ">=",
    "及以上": ">=",
    "以下": "<=",
    "及以下": "<=",
    "以内": "<=",
    "之内": "<=",
    "以里": "<=",
    "内": "<=",  # 30日内 / 24小时内: within, as 以内
}

# Verbs that, after a period word with no number, mean "do it once per period" (每月召开…会议).
_ACTION_WORDS = (
    "召开|开展|组织|举办|举行|走访|调研|听取|研究|分析|督查|检查|通报|讲授|讲党课|召集|下访|接访|谈心|报告|汇报"
    "|调度|督办|会商|学习|培训|考核|评估|巡查|排查|深入"
)
_ACTION_RE = re.compile(alternation(_ACTION_WORDS.split("|")))
# Names and words whose numerals are not quantities.
_NOT_QUANTITY_WORDS = (
    "八项规定|三会一课|一岗双责|三重一大|两个维护|两个确立|四个意识|四个自信|四个全面|五位一体|一把手|一线|逐一"
    "|一二三产|一中|二中|三中|一站式|一对一|一事一议|一次性|一揽子|一体化|一盘棋"
)
_NOT_QUANTITY_RE = re.compile(
    alternation(_NOT_QUANTITY_WORDS.split("|")) + r"|\d{5}热线|第[一二三四五六七八九十\d]"
)
_DURATION_RE = re.compile(
    r"(?:\d+|[一二两三四五六七八九十]+)个?(?:年|月|季度|周|天)(?:内|之内|以内)|[年月]底前|年内"
)
_CLAUSE_SPLIT_RE = re.compile(r"[，,：:]")
_SENTENCE_SPLIT_RE = re.compile(r"[。；;！？!?\n]")
_QUOTED_RE = re.compile(r"“[^”]{0,20}”|\"[^\"]{0,20}\"|「[^」]{0,20}」")


_ARABIC_RE = re.compile(r"\d+(?:\.\d+)?")
_SMALL_CN_RE = re.compile(r"[一二两三四五六七八九十]{1,3}")


def number_value(span: str) -> int | float | None:
    """The value of a recognised numeral span: '10' → 10, '两' → 2, '百分之七十' → 70, '1.5' → 1.5."""
    span = span.removeprefix("百分之")
    if span.isdigit() and span.isascii() and len(span) <= 15:
        return int(span)  # the common case; as float() below would give it (exactly, at this length)
    try:
        if _ARABIC_RE.fullmatch(span):
            value: float = float(span)
        elif _SMALL_CN_RE.fullmatch(span):
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
    以上, 以内 …) or a period word (每月 …), or a period word with no number (每月召开…会议,
    每天做好验收记录 → month / day >= 1 次). The period comes from the nearest period word earlier
    in the same sentence. A period word without a number that only introduces a quantity later in
    the sentence (每年补充更新图书，更新比例不低于10%) is that quantity's period, not a commitment
    of its own.
    """
    return find_commitments_each((text,))[0]


def find_commitments_each(texts: Sequence[str]) -> list[tuple[Commitment, ...]]:
    """`find_commitments` of each of TEXTS (a document's measures), found in one pass.

    A line break ends a sentence and no commitment spans one, so the texts are searched as one
    text, a line apiece: the regular expressions run once for the document instead of once a
    measure, and each commitment goes to the text its sentence lies in."""
    found: list[list[Commitment]] = [[] for _ in texts]
    if not texts:
        return []
    text = "\n".join(texts)
    # Quantities and period words are searched for once in the whole text: neither spans a
    # sentence end or a comma, so each lies inside one clause, and a clause without one of them
    # needs no search of its own.
    quantities = [m.start() for m in _UNIT_QUANTITY_RE.finditer(text)]
    period_words = list(_PERIOD_RE.finditer(text))
    if not quantities and not period_words:
        return [() for _ in texts]  # most measures of a plan commit to no quantity
    # Where each text ends in the joined text: the text a sentence lies in is found by moving
    # forward, as are the next quantity and period word.
    ends: list[int] = []
    position = -1
    for item in texts:
        position += len(item) + 1
        ends.append(position)
    owner = 0
    # Sentinels past the text's end: the next quantity / period word at or after a clause's start
    # is found by moving forward, clause by clause, never back.
    quantities.append(len(text) + 1)
    period_starts = [m.start() for m in period_words] + [len(text) + 1]
    next_quantity = next_period = 0
    offset = 0
    for sentence in _SENTENCE_SPLIT_RE.split(text):
        base, offset = offset, offset + len(sentence) + 1  # the separators are one character each
        while quantities[next_quantity] < base:
            next_quantity += 1
        while period_starts[next_period] < base:
            next_period += 1
        stop = offset - 1
        if quantities[next_quantity] >= stop and period_starts[next_period] >= stop:
            continue  # nothing countable in this sentence (or an empty one)
        while ends[owner] < base:
            owner += 1
        commitments = found[owner]
        period: str | None = None
        implied: Commitment | None = None  # "每年…" without a number, waiting for the clauses after it
        end = base - 1
        for raw in _CLAUSE_SPLIT_RE.split(sentence):
            begin, end = end + 1, end + 1 + len(raw)
            clause = raw.strip()
            if not clause:
                continue
            while quantities[next_quantity] < begin:
                next_quantity += 1
            while period_starts[next_period] < begin:
                next_period += 1
            has_quantity = quantities[next_quantity] < end
            has_period_word = period_starts[next_period] < end
            if not has_quantity and not has_period_word:
                # No quantity and no period word: at most a span (三年内) ends the period above.
                if period is not None and _has_duration(clause):
                    period = None
                if implied is not None:
                    commitments.append(implied)
                    implied = None
                continue
            if has_period_word:
                period = _PERIOD_OF[period_words[next_period].group(0)]
            elif _has_duration(clause):
                period = None  # 三年内 / 年底前: a span of its own, no longer the period above
            commitment = _clause_commitment(clause, period, has_period_word)
            if implied is not None:
                if commitment is None or commitment.period != implied.period or has_period_word:
                    commitments.append(implied)
                implied = None
            if commitment is None:
                continue
            if has_period_word and commitment.text == clause and _is_implied(commitment, has_quantity):
                implied = commitment
            else:
                commitments.append(commitment)
        if implied is not None:
            commitments.append(implied)
    return [tuple(commitments) for commitments in found]


def _has_duration(clause: str) -> bool:
    """Whether a clause names a span of its own (三年内, 年底前); every form has 内 or 底前."""
    return ("内" in clause or "底前" in clause) and _DURATION_RE.search(clause) is not None


def _is_implied(commitment: Commitment, has_quantity: bool) -> bool:
    """Whether a commitment was read from a period word alone (no number in its clause)."""
    return commitment.value == 1 and commitment.unit == "次" and not has_quantity


def _clause_commitment(clause: str, period: str | None, has_period_word: bool) -> Commitment | None:
    """The commitment of a clause that holds a quantity or a period word, if any."""
    masked = clause
    if "“" in clause or '"' in clause or "「" in clause:
        masked = _QUOTED_RE.sub(_stars, masked)
    if _NOT_QUANTITY_RE.search(masked) is not None:  # (most clauses hold none of these words)
        masked = _NOT_QUANTITY_RE.sub(_stars, masked)
    for match in _COUNTED_RE.finditer(masked):
        number, unit, after = match.group("num", "unit", "after")
        if not unit:
            if not number.startswith("百分之"):
                continue  # a number with no unit is not a quantity
            unit = ""
        start = match.start()
        before = [word.group(0) for word in _OP_BEFORE_RE.finditer(masked, 0, start)] if start else []
        # "发现后15天以内完成" / "24小时以内制止": a time limit, counted from the event before it.
        within = unit in _SPAN_UNITS and after in ("以内", "之内", "以里", "内")
        if _is_date_like(masked, match, compared=bool(before) or within):
            continue
        op = _OP_AFTER.get(after) if after else None
        if op is None and before:
            op = _OP_OF[before[-1]]
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
        return Commitment(clause, period, op, value, unit)
    if has_period_word and period is not None and _has_action(masked) and _LEVEL_RE.search(masked) is None:
        return Commitment(clause, period, ">=", 1, "次")
    return None


# A comparison with a level rather than a count (每月不低于序时进度): with no number in its
# clause, a period word there names no action done once a period. (至少 / 最少 / 最多 qualify
# the action itself: 每月至少召开会议 is once a month at least.)
_LEVEL_RE = re.compile(alternation(word for word, _ in _OP_BEFORE if word not in ("至少", "最少", "最多")))


def _stars(match: re.Match[str]) -> str:
    """A masked span: as many ＊ as it has characters, so that positions stay where they were."""
    return "＊" * len(match.group(0))


_TIME_WORDS_RE = re.compile(r"[的底末初中前内]|以前|之前")


def _has_action(clause: str) -> bool:
    """Whether a clause with a period word and no number says something is done each period:
    more than the period word itself (每月 / 每月底前 alone name a time, not an action)."""
    if _ACTION_RE.search(clause):
        return True
    period = _PERIOD_RE.search(clause)
    if period is None or not period.group(0).startswith("每"):
        return False  # 全年… names a whole year's total, not something done each year
    rest = _TIME_WORDS_RE.sub("", clause[: period.start()] + clause[period.end() :])
    return len(rest) >= 2


def _is_date_like(clause: str, match: re.Match[str], *, compared: bool = False) -> bool:
    """A number that is part of a date or an ordinal (2024年, 6月底, 15日前, 第3次) is no quantity.

    After a comparison word (不超过5年, 不超过季度结束后15日) a number of years or days is a span,
    unless it is a calendar year (4 digits) or the day of a month (6月15日); "两年以上" alone
    qualifies a noun (沉淀两年以上资金), it commits to nothing.
    """
    end = match.end("num")
    start = match.start("num")
    number = match.group("num")
    following = clause[end : end + 1]
    preceding = clause[start - 1] if start > 0 else ""
    if preceding in ("第", "前", "初") or (preceding == "后" and not compared):
        return True
    if following in ("月", "号"):
        return True
    if following == "年":
        return not compared or len(number) >= 3
    if following == "日":
        return not compared or preceding == "月"
    return not compared and match.group("unit") in ("天", "日") and clause[end + 1 : end + 2] in ("内", "之")


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


# A plan repeats a handful of deadlines (2024年12月底前, 立行立改) over dozens of measures.
@functools.lru_cache(maxsize=512)
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
