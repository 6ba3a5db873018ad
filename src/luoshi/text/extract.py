"""Problems, causes and measures from clean document text.

The document is read as its authors structure it: sections by heading (存在的问题 / 原因分析 /
整改措施 …), aspect or group headings numbered （一）, items numbered 一是 / 1. / （1）/ ①, and in
rectification plans labelled lines (问题： / 整改措施： / 责任领导： / 责任单位： / 完成时限：) or a
table of such columns. Every decision is made from the numbering and the labels, never from the
particular wording of one document.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from luoshi.text.headings import (
    ATTR_TAIL_RE,
    CLOSING_RE,
    DATE_LINE_RE,
    MEASURE_LABEL_RE,
    PROBLEM_LABEL_RE,
    aspect_label,
    attributes,
    classify_heading,
    heading_label,
    is_attribute_line,
    is_heading_like,
    summary_of,
    table_columns,
)
from luoshi.text.model import Cause, Commitment, Measure, ParsedDocument, Problem, Suggestion
from luoshi.text.outline import Segment, segment_lines
from luoshi.text.plan import PlanReader, PlanSink, problem_level
from luoshi.text.quantities import find_commitments_each, normalise_date_numerals, parse_deadline
from luoshi.text.read import TABLE_LINE_RE, SourceText
from luoshi.text.suggest import suggest_problems

# summary_of lived here first; luoshi.ledger.imports still imports it from this module.
__all__ = ["extract", "summary_of"]

# --------------------------------------------------------------------------- building


@dataclass
class _Draft:
    group: str
    text: str
    problem: int | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    line: int | None = None  # the paragraph it ends in, when the plan reader knows it


@dataclass
class _Builder:
    problems: list[Problem] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)
    measures: list[_Draft] = field(default_factory=list)
    pending: list[_Draft] = field(default_factory=list)  # measures still waiting for attribute lines
    after_attributes: bool = False  # the last thing seen was an attribute line
    sections: list[str] = field(default_factory=list)

    def problem(self, aspect: str, text: str) -> int | None:
        text = _clean_item(text)
        if label := PROBLEM_LABEL_RE.match(text):
            text = text[label.end() :].strip()  # "问题1：" names the item, it is not its wording
        if not text:
            return None
        self.problems.append(Problem(aspect=aspect, summary=summary_of(text), text=text))
        return len(self.problems) - 1

    def cause(self, text: str) -> None:
        text = _clean_item(text)
        if text:
            self.causes.append(Cause(summary=summary_of(text), text=text))

    def measure(self, group: str, text: str, problem: int | None = None, line: int | None = None) -> None:
        text = _clean_item(text)
        if label := MEASURE_LABEL_RE.match(text):
            text = text[label.end() :].strip()
        attrs = attributes(text)
        if attrs:
            # "（责任领导：…；完成时限：…）" after a measure is its metadata, not its wording.
            text = ATTR_TAIL_RE.sub("", text).strip()
        if not text:
            return
        draft = _Draft(group=group, text=text, problem=problem, attrs=attrs, line=line)
        self.measures.append(draft)
        if self.after_attributes:
            # Attribute lines (one label per line, or all on one) belong to the measures above them.
            self.pending, self.after_attributes = [], False
        if attrs and line is not None:
            # "①…；②…；③…。（责任领导：…）": the fields closing a paragraph of inline measures are
            # those of every measure in it that names none of its own.
            for other in self.pending:
                if other.line == line and not other.attrs:
                    other.attrs.update(attrs)
        self.pending.append(draft)

    def attributes(self, text: str) -> None:
        """Apply an attribute line to the measures above it that have none yet."""
        attrs = attributes(text)
        for draft in self.pending:
            for key, value in attrs.items():
                draft.attrs.setdefault(key, value)
        self.after_attributes = True


def _clean_item(text: str) -> str:
    # "一是…；二是…": the semicolon separates the items, it ends neither of them.
    return text.strip().rstrip("；;，,、 ").strip()


def _join(parts: Sequence[str]) -> str:
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


def _key(segment: Segment) -> str | None:
    if segment.heading:
        return f"#{segment.heading}"
    return segment.kind


def _is_noise(segment: Segment) -> bool:
    """Signature lines, dates and similar short unmarked lines at the end of a section."""
    body = segment.body
    return segment.kind is None and (
        bool(DATE_LINE_RE.match(body)) or (len(body) < 25 and body[-1:] not in "。；;！？!?）)”：:，,")
    )


@dataclass
class _Item:
    """A numbered item with the segments that follow it up to the next item."""

    head: Segment
    following: list[Segment]  # continuation paragraphs and deeper-numbered segments, in order
    attrs: list[str]  # attribute lines met inside the item

    @property
    def parts(self) -> list[str]:
        # Numbering below the head stays in the text: it is part of the item's wording.
        return [self.head.body, *(segment.text for segment in self.following)]

    @property
    def children(self) -> list[Segment]:
        """The numbered segments below the head."""
        return [segment for segment in self.following if segment.kind is not None]


def _items(segments: Sequence[Segment], key: str | None) -> tuple[list[Segment], list[_Item]]:
    """Split segments into items at segments of `key`; returns (segments before the first, items).

    Unmarked paragraphs continue the item above them, except a closing paragraph (我们将……) or a
    signature line, which end it; attribute lines are kept apart.
    """
    intro: list[Segment] = []
    items: list[_Item] = []
    closed = False
    for segment in segments:
        if _key(segment) == key and key is not None:
            items.append(_Item(segment, [], []))
            closed = False
            continue
        if not items:
            intro.append(segment)
            continue
        item = items[-1]
        if segment.kind is None and segment.line_start and is_attribute_line(segment.body):
            item.attrs.append(segment.body)
            continue
        if (
            segment.kind is None
            and segment.line_start
            and (CLOSING_RE.match(segment.body) or _is_noise(segment))
        ):
            closed = True
        elif segment.kind is not None:
            closed = False  # numbering resumes: what looked like a closing line was not one
        if closed:
            continue
        item.following.append(segment)
    return intro, items


def _first_marked_key(segments: Sequence[Segment]) -> str | None:
    for segment in segments:
        if segment.kind is not None:
            return _key(segment)
    return None


def _sub_items(item: _Item) -> tuple[str | None, list[_Item]]:
    """The items directly below an item (of the first marker kind that follows its head)."""
    if not item.children:
        return None, []
    sub_key = _key(item.children[0])
    segments = _item_segments(item)
    _intro, subs = _items(segments[1:], sub_key)
    return sub_key, subs


def _item_segments(item: _Item) -> list[Segment]:
    return [item.head, *item.following]


_SENTENCE_END = frozenset("。；;！？!?：:…”）)")


def _item_text(item: _Item) -> str:
    head = item.head.body.strip()
    if (
        item.following
        and head
        and head[-1] not in _SENTENCE_END
        and item.head.line_start
        and item.following[0].line_start
        and len(head) <= 40
    ):
        # "（一）理想信念有所松懈" on its own line, its explanation below: the heading line is the
        # first sentence (a line break there is a full stop).
        return _join([head + "。", *item.parts[1:]])
    return _join(item.parts)


# --------------------------------------------------------------------------- sections


_ASPECT_HEAD_RE = re.compile(r"^[^。；;：:，,！？!?]{1,16}方面\s*[。；;：:，,]")


def _labelled_by_aspect(items: Sequence[_Item]) -> bool:
    """Whether every item opens with an aspect label: "1.理论学习方面。正文…" is the aspect 理论学习
    with its body as the item, as "（一）理论学习方面。正文…" would be."""
    return bool(items) and all(_ASPECT_HEAD_RE.match(item.head.body) for item in items)


def _aspect_mode(top: str, items: Sequence[_Item]) -> bool:
    """Whether the top-level items are aspects (方面) holding the items, rather than items themselves."""
    return (
        top in ("cn", "paren_cn")
        or top.startswith("#")
        or any(item.children for item in items)
        or _labelled_by_aspect(items)
    )


def _process_problems(builder: _Builder, segments: list[Segment]) -> None:
    top = _first_marked_key(segments)
    if top is None:
        for text in _plain_paragraphs(segments):
            builder.problem("", text)
        return
    _intro, items = _items(segments, top)
    aspect_mode = _aspect_mode(top, items)
    for item in items:
        if not aspect_mode:
            builder.problem("", _item_text(item))
            continue
        aspect, rest = heading_label(item.head.body)
        _sub_key, subs = _sub_items(item)
        if subs:
            for sub in subs:
                builder.problem(aspect, _item_text(sub))
        else:
            body = _join([rest, *item.parts[1:]])
            if body:
                builder.problem(aspect, body)
            else:
                # A numbered line with nothing below it is an item itself, not a heading.
                builder.problem("", item.head.body)


def _process_causes(builder: _Builder, segments: list[Segment]) -> None:
    top = _first_marked_key(segments)
    if top is None:
        for text in _plain_paragraphs(segments):
            builder.cause(text)
        return
    _intro, items = _items(segments, top)
    for item in items:
        _sub_key, subs = _sub_items(item)
        if subs:
            for sub in subs:
                builder.cause(_item_text(sub))
        else:
            builder.cause(_item_text(item))


def _process_measures(builder: _Builder, segments: list[Segment]) -> None:
    top = _first_marked_key(segments)
    if top is None:
        for segment in segments:
            if is_attribute_line(segment.body):
                builder.attributes(segment.body)
        for text in _plain_paragraphs(segments):
            builder.measure("", text)
        return
    _intro, items = _items(segments, top)
    aspect_mode = _aspect_mode(top, items)
    for item in items:
        if not aspect_mode:
            builder.measure("", _item_text(item))
        else:
            group, rest = heading_label(item.head.body)
            _sub_key, subs = _sub_items(item)
            if subs:
                for sub in subs:
                    builder.measure(group, _item_text(sub))
                    for attr in sub.attrs:
                        builder.attributes(attr)
            else:
                body = _join([rest, *item.parts[1:]])
                if body:
                    builder.measure(group, body)
                else:
                    builder.measure("", item.head.body)
        for attr in item.attrs:
            builder.attributes(attr)


def _process_plan(builder: _Builder, segments: list[Segment]) -> None:
    """A plan section without labels: each item is a problem, its sub-items are its measures."""
    top = _first_marked_key(segments)
    if top is None:
        _process_problems(builder, segments)
        return
    _intro, items = _items(segments, top)
    three_levels = any(any(sub.children for sub in _sub_items(item)[1]) for item in items)
    for item in items:
        if three_levels:
            aspect = aspect_label(heading_label(item.head.body)[0])
            for problem_item in _sub_items(item)[1]:
                _plan_problem(builder, aspect, problem_item)
        else:
            _plan_problem(builder, "", item)


def _plan_problem(builder: _Builder, aspect: str, item: _Item) -> None:
    _sub_key, subs = _sub_items(item)
    if not subs:
        builder.problem(aspect, _item_text(item))
        for attr in item.attrs:
            builder.attributes(attr)
        return
    first_sub = subs[0].head
    head_parts = []
    for segment in _item_segments(item):
        if segment is first_sub:
            break
        head_parts.append(segment.body if segment is item.head else segment.text)
    index = builder.problem(aspect, _join(head_parts))
    for sub in subs:
        builder.measure(aspect, _item_text(sub), index)
        for attr in sub.attrs:
            builder.attributes(attr)
    for attr in item.attrs:
        builder.attributes(attr)


def _has_labels(segments: Sequence[Segment]) -> bool:
    problem = any(PROBLEM_LABEL_RE.match(s.body) for s in segments)
    measure = any(MEASURE_LABEL_RE.match(s.body) for s in segments)
    return (problem and measure) or (measure and any(s.kind is not None for s in segments))


def _process_labelled(builder: _Builder, segments: list[Segment]) -> None:
    """A plan written with labels: 问题：… 整改措施：… 责任领导：… 完成时限：…

    A numbered paragraph followed by a 整改措施 label is a problem; one followed by numbered
    paragraphs or a 问题 label is an aspect heading. Measures follow their problem.
    """
    aspect = ""
    problem_index: int | None = None
    problem_key: str | None = None
    mode = "none"  # none | problem | measure
    parts: list[str] = []
    measure_key: str | None = None
    aspect_key: str | None = None

    def flush() -> None:
        nonlocal parts, problem_index
        if not parts:
            return
        text = _join(parts)
        parts = []
        if mode == "problem":
            problem_index = builder.problem(aspect, text)
        elif mode == "measure":
            builder.measure(aspect, text, problem_index)

    for index, segment in enumerate(segments):
        body = segment.body
        key = _key(segment)
        if segment.line_start and is_attribute_line(body):
            flush()
            builder.attributes(body)
            continue
        if problem_label := PROBLEM_LABEL_RE.match(body):
            flush()
            mode = "problem"
            problem_key = key if key is not None else problem_key
            parts = [body[problem_label.end() :]]
            continue
        if measure_label := MEASURE_LABEL_RE.match(body):
            flush()
            mode = "measure"
            measure_key = None
            parts = [body[measure_label.end() :]]
            continue
        if key is not None:
            structural = key in (problem_key, aspect_key, "cn", "paren_cn") or key.startswith("#")
            if mode == "measure" and not structural:
                if measure_key is None or key == measure_key:
                    flush()  # the next numbered measure
                    measure_key = key
                    parts = [body]
                else:
                    parts.append(segment.text)  # numbering inside one measure
                continue
            if mode == "problem" and not structural and problem_key is not None:
                parts.append(segment.text)  # numbered details of the problem
                continue
            flush()
            # A numbered paragraph: a problem when a measure label follows before the next one
            # of its kind, else an aspect heading.
            if _followed_by_measure_label(segments, index, key):
                mode = "problem"
                problem_key = key
                parts = [body]
            else:
                aspect = aspect_label(heading_label(body)[0])
                aspect_key = key
                mode = "none"
                problem_index = None
            continue
        if mode in ("problem", "measure") and not CLOSING_RE.match(body):
            parts.append(body)
    flush()


def _followed_by_measure_label(segments: Sequence[Segment], index: int, key: str) -> bool:
    for segment in segments[index + 1 :]:
        if _key(segment) == key:
            return False
        if MEASURE_LABEL_RE.match(segment.body):
            return True
        if PROBLEM_LABEL_RE.match(segment.body):
            return False
    return False


def _plain_paragraphs(segments: Sequence[Segment]) -> list[str]:
    """Items of a section without numbering: its paragraphs, minus intro, closing and signature."""
    texts: list[str] = []
    for segment in segments:
        body = segment.body
        if not body or body.endswith(("：", ":")) or is_attribute_line(body):
            continue
        if CLOSING_RE.match(body):
            break
        if _is_noise(segment):
            continue
        texts.append(body)
    return texts


# A note written under a ledger table: 注： / 备注： / 说明： / 填表说明：
_TABLE_NOTE_RE = re.compile(r"^(?:注|备注|附注|说明|填表说明)\s*\d{0,2}\s*[：:]")


def _process_table(builder: _Builder, rows: Sequence[Sequence[str]]) -> bool:
    """A ledger table: each row a problem and/or its measures. False when it is no ledger."""
    found = table_columns(rows)
    if found is None:
        return False
    header_index, columns = found
    builder.sections.append("table")
    last_problem_text: str | None = None
    last_problem_index: int | None = None
    last_aspect = ""
    known = _known_problems(builder.problems)

    def cell(row: Sequence[str], kind: str) -> str:
        col = columns.get(kind)
        return row[col].strip() if col is not None and col < len(row) else ""

    for row in rows[header_index + 1 :]:
        if not any(c.strip() for c in row):
            continue
        distinct = {c.strip() for c in row if c.strip()}
        if len(distinct) == 1 and _TABLE_NOTE_RE.match(next(iter(distinct))):
            continue  # "注：…" under the table (one cell, or merged across it): a note, no item
        merged_across = len(row) > 2 and all(c.strip() for c in row)  # a workbook repeats a merged value
        if len(distinct) == 1 and len(columns) > 2 and (merged_across or not cell(row, "measure")):
            # A row merged across the table: "一、落实乡村振兴战略方面" heads the rows below it.
            last_aspect = _strip_marker(distinct.pop())
            continue
        aspect = cell(row, "aspect") or last_aspect
        last_aspect = aspect
        problem_text = cell(row, "problem")
        problem_index: int | None = None
        if "problem" in columns:
            if not problem_text or problem_text == last_problem_text:
                problem_index = last_problem_index  # a vertically merged cell repeats its problem
            else:
                problem_index = _table_problem(
                    builder, known, heading_label(aspect)[0], _strip_marker(problem_text)
                )
                last_problem_text, last_problem_index = problem_text, problem_index
        measure_text = cell(row, "measure")
        if not measure_text:
            continue
        group = (
            builder.problems[problem_index].aspect if problem_index is not None else heading_label(aspect)[0]
        )
        for text in _split_cell_items(measure_text):
            builder.measure(group, text, problem_index)
        attrs = "".join(
            f"{label}：{value}"
            for label, value in (
                ("责任领导", cell(row, "owner")),
                ("责任单位", cell(row, "department")),
                ("配合单位", cell(row, "co_department")),
                ("完成时限", cell(row, "deadline")),
            )
            if value
        )
        if attrs:
            builder.attributes(attrs)
        builder.pending, builder.after_attributes = [], False
    return True


def _table_problem(builder: _Builder, known: dict[str, int], aspect: str, text: str) -> int | None:
    """The problem of a table row: one written above the table with the same words is the same
    problem (the table gives it its aspect), any other is a new one. KNOWN maps each problem's
    `_comparable` text to its first index; a new problem is added to it."""
    index = known.get(_comparable(text))
    if index is not None:
        problem = builder.problems[index]
        if aspect and not problem.aspect:
            builder.problems[index] = replace(problem, aspect=aspect)
        return index
    index = builder.problem(aspect, text)
    if index is not None:
        known.setdefault(_comparable(builder.problems[index].text), index)
    return index


def _known_problems(problems: Sequence[Problem]) -> dict[str, int]:
    """Each problem's `_comparable` text and its first index (see `_table_problem`); also its
    summary's, for a ledger that names in its 问题 column only the first sentence of a problem
    written out in full above the table."""
    known: dict[str, int] = {}
    for index, problem in enumerate(problems):
        known.setdefault(_comparable(problem.text), index)
    for index, problem in enumerate(problems):
        if problem.summary != problem.text:
            known.setdefault(_comparable(problem.summary), index)
    return known


_NOT_ALNUM_RE = re.compile(r"[\W_]+")  # exactly the characters str.isalnum refuses


def _comparable(text: str) -> str:
    """A problem's words for comparing it with another: its letters and digits only."""
    return _NOT_ALNUM_RE.sub("", text)


def _strip_marker(text: str) -> str:
    segments = segment_lines([line for line in text.split("\n") if line])
    return _join([s.body for s in segments]) if segments else text


def _split_cell_items(text: str) -> list[str]:
    """A measure cell may hold several numbered measures; each becomes its own measure."""
    segments = segment_lines([line for line in text.split("\n") if line.strip()])
    if not segments:
        return []
    key = _first_marked_key(segments)
    if key is None:
        return [_join([s.body for s in segments])]
    intro, items = _items(segments, key)
    texts = [_item_text(item) for item in items]
    if intro and not items:
        texts.insert(0, _join([s.body for s in intro]))
    return texts


# --------------------------------------------------------------------------- document

_PRE_TITLE_RE = re.compile(
    r"^(?:附件\s*\d*[：:]?|.{0,12}〔\d{4}〕\s*\d+\s*号|(?:绝密|机密|秘密|内部)(?:★.*)?|★.*)$"
)
_TITLE_WORD_RE = re.compile(r"材料|方案|报告|清单|提纲|台账|通知|意见|发言")
_TITLE_YEAR_RE = re.compile(r"(20\d\d|19[89]\d)\s*年")


def _title(lines: list[str]) -> tuple[str, int]:
    """The title (first line, when it reads like one) and how many lines it used.

    Lines above a title that are not part of it (附件2, a document number, 密级) are skipped; a
    title broken over two lines (unit on the first, 对照检查材料 on the second) is joined.
    """
    skipped = 0
    while skipped < min(3, len(lines)) and _PRE_TITLE_RE.match(lines[skipped]):
        skipped += 1
    title, used = _title_line(lines[skipped:])
    # "…关于2025年度财政收支审计 / 发现问题的整改方案": 关于 without its 的 leaves the title open.
    open_ended = _OPEN_GUANYU_RE.search(title) is not None
    if used and len(lines) > skipped + 1 and (open_ended or not _TITLE_WORD_RE.search(title)):
        second = lines[skipped + 1]
        second_title, second_used = _title_line([second])
        if (
            second_used
            and len(second) <= 40
            and _TITLE_WORD_RE.search(second)
            and (open_ended or not _is_bare_section(second))
        ):
            return title + second_title, skipped + 2
    return title, skipped + used if used else 0


_OPEN_GUANYU_RE = re.compile(r"关于[^的]*$")


def _is_bare_section(line: str) -> bool:
    return classify_heading(line) in ("problems", "causes", "measures", "plan") and len(line) <= 12


def _title_line(lines: list[str]) -> tuple[str, int]:
    if not lines:
        return "", 0
    first = lines[0].lstrip("#").strip()
    segments = segment_lines([lines[0]])
    marked = bool(segments) and segments[0].kind not in (None, "#")
    if (
        marked
        or TABLE_LINE_RE.fullmatch(lines[0])
        or len(first) > 80
        or first.endswith(("。", "；", "：", ":", "，"))
    ):
        return "", 0
    if (
        classify_heading(first) in ("problems", "causes", "measures", "plan")
        and len(first) <= 8
        and not _TITLE_WORD_RE.search(first)
    ):
        return "", 0  # the document starts directly with a section heading (存在的问题 …)
    return first, 1


# The date a document is signed on: its own line near the end (2026年2月12日 / 二〇二六年二月十二日).
_SIGNED_DATE_RE = re.compile(r"^(20\d\d|19[89]\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_SIGNATURE_LINES = 4


def _signed_year(text: str) -> int | None:
    """The year of the date line among a document's last lines, if it has one."""
    tail = text[-400:].rstrip().split("\n")[-_SIGNATURE_LINES:]
    for line in reversed(tail):
        line = line.strip()
        if not (8 <= len(line) <= 20 and line.endswith("日")):
            continue
        if match := _SIGNED_DATE_RE.match(normalise_date_numerals(line)):
            return int(match.group(1))
    return None


def _document_year(title: str, text: str, hint: int | None) -> int | None:
    """The year a month without one (6月底前) belongs to: the year the plan is signed in, else
    its title's (a 2025年度 meeting's plan is often signed and carried out in 2026)."""
    if (signed := _signed_year(text)) is not None:
        return signed
    title = normalise_date_numerals(title)  # 二〇二三年度 → 2023年度
    if match := _TITLE_YEAR_RE.search(title):
        return int(match.group(1))
    if hint is not None:
        return hint
    years = Counter(int(y) for y in _TITLE_YEAR_RE.findall(text))
    if not years:
        return None
    return max(years, key=lambda y: (years[y], y))


@dataclass
class _Section:
    kind: str
    segments: list[Segment]


_COMMA_OR_END_RE = re.compile(r"[，,。；;]")


def _is_bare_heading(body: str) -> bool:
    """An unnumbered line that can be a section heading: short, no comma, no sentence end."""
    return len(body) <= 20 and "如下" not in body and _COMMA_OR_END_RE.search(body) is None


def _sections(segments: list[Segment], title: str) -> list[_Section]:
    """Cut the document into sections at its section headings."""
    level: str | None = None
    heading_level = 0
    for segment in segments:
        if not segment.line_start or not is_heading_like(segment):
            continue
        label = heading_label(segment.body)[0]
        kind = classify_heading(label)
        if kind in ("problems", "causes", "measures", "plan"):
            if segment.kind is None and not _is_bare_heading(segment.body):
                continue
            if "，" in label or "," in label:
                continue  # a sentence that names a problem, not a section heading
            level = "bare" if segment.kind is None else _key(segment)
            heading_level = segment.heading
            break
    sections: list[_Section] = []
    current: _Section | None = None
    if level is None:
        kind = classify_heading(title)
        if kind in ("problems", "causes", "measures", "plan"):
            return [_Section(kind, segments)]
        return []
    for segment in segments:
        boundary_kind: str | None = None
        is_boundary = False
        if segment.line_start or (segment.kind is not None and _key(segment) == level):
            # An inline marker of the section level continues its sequence (checked by the
            # outline), so it is a heading whose line break was lost.
            key = _key(segment) if segment.kind is not None else "bare"
            if (key == level and level != "bare") or (heading_level and 0 < segment.heading < heading_level):
                label = heading_label(segment.body)[0]
                is_boundary = True
                boundary_kind = (
                    classify_heading(label) if is_heading_like(segment) or len(label) <= 30 else None
                )
            elif segment.kind is None and _is_bare_heading(segment.body) and is_heading_like(segment):
                kind = classify_heading(heading_label(segment.body)[0])
                # A bare "整改措施：" inside a numbered document is a label line, not a section.
                bare_ok = level == "bare" or (not segment.body.endswith(("：", ":")) and kind != "other")
                if kind is not None and bare_ok:
                    is_boundary, boundary_kind = True, kind
        if is_boundary:
            current = _Section(boundary_kind or "other", [])
            sections.append(current)
            continue
        if current is not None:
            current.segments.append(segment)
    return sections


def extract(source: SourceText) -> ParsedDocument:
    """Find title, problems, causes and measures in a document's clean text."""
    lines = _expand_tables(source)
    title, used = _title(lines)
    body_lines = lines[used:]
    segments = segment_lines(body_lines)
    builder = _Builder()
    sections = _sections(segments, title)
    kinds = {section.kind for section in sections}
    level = None if {"problems", "measures"} <= kinds else problem_level(segments)
    if level is not None:
        _read_plan(builder, segments, level, source)
        for section in sections:
            if section.kind == "causes":
                _run_section(builder, "causes", section.segments)
    else:
        for section in sections:
            _process_section(builder, section, source)
    if not builder.sections:
        # Tables outside any section (a plan that is only a table) still count.
        for segment in segments:
            _maybe_table(builder, segment, source)
    year = _document_year(title, source.text, source.year_hint)
    suggested = _suggestions(builder.problems, builder.measures)
    commitments = find_commitments_each([draft.text for draft in builder.measures])
    measures = tuple(
        _finish(draft, year, found, committed)
        for draft, found, committed in zip(builder.measures, suggested, commitments, strict=True)
    )
    return ParsedDocument(
        title=title,
        problems=tuple(builder.problems),
        causes=tuple(builder.causes),
        measures=measures,
        sections=tuple(builder.sections),
    )


def _read_plan(builder: _Builder, segments: list[Segment], level: str, source: SourceText) -> None:
    """A plan laid out problem by problem, each with its own measures (see `luoshi.text.plan`)."""

    def new_problem() -> None:
        builder.pending, builder.after_attributes = [], False

    builder.sections.append("plan")
    sink = PlanSink(
        problem=builder.problem,
        measure=builder.measure,
        attributes=builder.attributes,
        new_problem=new_problem,
        table=lambda segment: _maybe_table(builder, segment, source),
    )
    PlanReader(level, sink).read(segments)


def _suggestions(problems: Sequence[Problem], drafts: Sequence[_Draft]) -> list[tuple[Suggestion, ...]]:
    """For each measure the document leaves unlinked, the problems it most probably answers."""
    found: list[tuple[Suggestion, ...]] = [() for _ in drafts]
    unlinked = [i for i, draft in enumerate(drafts) if draft.problem is None]
    if not problems or not unlinked:
        return found
    texts = [f"{drafts[i].group} {drafts[i].text}" for i in unlinked]
    for i, suggestions in zip(unlinked, suggest_problems(problems, texts), strict=True):
        found[i] = suggestions
    return found


def _maybe_table(builder: _Builder, segment: Segment, source: SourceText) -> bool:
    match = TABLE_LINE_RE.fullmatch(segment.body)
    if match is None:
        return False
    index = int(match.group(1))
    if index < len(source.tables):
        _process_table(builder, source.tables[index])
    return True


def _sub_sections(section: _Section) -> list[_Section]:
    """Sections nested one level down: 一、对照检查情况 （一）存在的问题 （二）原因分析.

    A numbered line inside a section is a section heading of its own when it is short, names
    no 方面 and, with its siblings, names a kind the section is not (or two different kinds).
    """
    candidates: dict[str, list[tuple[int, str]]] = {}
    for index, segment in enumerate(section.segments):
        if segment.kind is None or not segment.line_start or not is_heading_like(segment):
            continue
        label = heading_label(segment.body)[0]
        kind = classify_heading(label)
        if kind in ("problems", "causes", "measures", "plan") and len(label) <= 12 and "方面" not in label:
            candidates.setdefault(_key(segment) or "", []).append((index, kind))
    for key, found in candidates.items():
        kinds = {kind for _index, kind in found}
        if len(kinds) < 2 and kinds <= {section.kind}:
            continue
        nested: list[_Section] = []
        head = section.segments[: found[0][0]]
        if head:
            nested.append(_Section(section.kind, head))
        for segment in section.segments[found[0][0] :]:
            if _key(segment) == key and segment.line_start:
                kind = classify_heading(heading_label(segment.body)[0]) or "other"
                nested.append(_Section(kind, []))
                continue
            nested[-1].segments.append(segment)
        return nested
    return [section]


def _process_section(builder: _Builder, section: _Section, source: SourceText) -> None:
    nested = _sub_sections(section)
    if len(nested) > 1:
        for sub in nested:
            _process_section(builder, sub, source)
        return
    # A ledger table splits the section: text before it, the table, text after it.
    chunks: list[list[Segment]] = [[]]
    ledger = False
    for segment in section.segments:
        if TABLE_LINE_RE.fullmatch(segment.body):
            chunks.append([])
            ledger = True
        else:
            chunks[-1].append(segment)
    table_segments = iter([s for s in section.segments if TABLE_LINE_RE.fullmatch(s.body)])
    for index, chunk in enumerate(chunks):
        if index:
            _maybe_table(builder, next(table_segments), source)
        if ledger and all(segment.kind is None for segment in chunk):
            # Around a ledger table, unnumbered paragraphs are its introduction, signature and date.
            continue
        _run_section(builder, section.kind, chunk)


def _run_section(builder: _Builder, kind: str, segments: list[Segment]) -> None:
    if kind == "other":
        return
    if kind not in builder.sections:
        builder.sections.append(kind)
    if not segments:
        return
    builder.pending, builder.after_attributes = [], False
    if kind in ("problems", "plan", "measures") and _has_labels(segments):
        _process_labelled(builder, segments)
    elif kind == "problems":
        _process_problems(builder, segments)
    elif kind == "causes":
        _process_causes(builder, segments)
    elif kind == "measures":
        _process_measures(builder, segments)
    elif kind == "plan":
        _process_plan(builder, segments)


def _expand_tables(source: SourceText) -> list[str]:
    """Lines of the text with non-ledger tables replaced by their cells' text."""
    lines: list[str] = []
    for line in source.text.split("\n"):
        match = TABLE_LINE_RE.fullmatch(line)
        if match is not None:
            index = int(match.group(1))
            if index < len(source.tables) and table_columns(source.tables[index]) is None:
                seen: set[str] = set()
                for row in source.tables[index]:
                    for cell in row:
                        if cell and cell not in seen:
                            seen.add(cell)
                            lines.extend(cell.split("\n"))
                continue
            if index >= len(source.tables):
                continue
        lines.append(line)
    return lines


def _finish(
    draft: _Draft, year: int | None, suggested: tuple[Suggestion, ...], commitments: tuple[Commitment, ...]
) -> Measure:
    deadline_text = draft.attrs.get("deadline")
    if deadline_text is None:
        deadline_text = _inline_deadline(draft.text)
    # Open-ended words (长期坚持, 立行立改) name no date; keep them as deadline_text only.
    deadline = parse_deadline(deadline_text, year) if deadline_text else None
    return Measure(
        group=draft.group,
        summary=summary_of(draft.text),
        text=draft.text,
        problem=draft.problem,
        owner=draft.attrs.get("owner"),
        department=draft.attrs.get("department"),
        co_department=draft.attrs.get("co_department"),
        deadline=deadline,
        deadline_text=deadline_text,
        commitments=commitments,
        suggested_problems=suggested,
    )


_INLINE_DEADLINE_RE = re.compile(
    r"(?:于|在)?(?P<when>(?:\d{4}年)?(?:\d{1,2}月(?:\d{1,2}[日号]|底|末|中旬|下旬|上旬)?|底|年底|年末|上半年|下半年))(?:前|之前|以前)"
    r"|[（(](?P<paren>长期坚持|立行立改|持续推进|持续整改|长期推进)[）)]"
)


def _inline_deadline(text: str) -> str | None:
    """A deadline written inside a measure: 于2024年6月底前完成 / （长期坚持）."""
    if "前" not in text and "（" not in text and "(" not in text:
        return None  # neither form can match: most measures name no deadline of their own
    match = _INLINE_DEADLINE_RE.search(text)
    if match is None:
        return None
    if match.group("paren"):
        return match.group("paren")
    when = match.group("when")
    if not re.search(r"\d{4}年|\d{1,2}月", when):
        return None
    return match.group(0).removeprefix("于").removeprefix("在")
