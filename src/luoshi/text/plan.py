"""Rectification plans: problems, each followed by its own measures and their field lines.

The plan (整改方案 after 巡察、审计 or a 民主生活会) is written problem by problem:

    一、政治建设方面的问题                  an aspect heading (optional)
    1.学习贯彻不够深入……                    a problem (1. / 1、 / 1． / （一） / 一是 / 问题：)
    整改措施：                              the measures: a label, then （1）/ 1. / ① lines, or
    （1）制定年度学习计划……                  inline ①②③ / 一是…二是… after the label, or one
    （2）建立学习台账……                      unnumbered measure, or numbered lines with no label
    责任领导：王志刚                         field lines: they apply to the measures they follow
    完成时限：2024年6月底前

Which numbering level holds the problems is read from the document itself: the level of the
numbered line nearest above each 整改措施 label (or, in plans without labels, the level above the
last one before each block of field lines). Levels above it are aspect headings (or section
headings such as 存在问题及整改措施); levels below it are measures, or details of the problem when a
整改措施 label follows them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from luoshi.text.headings import (
    ATTR_TAIL_RE,
    CLOSING_RE,
    DATE_LINE_RE,
    PROBLEM_LABEL_RE,
    aspect_label,
    classify_heading,
    heading_label,
    is_attribute_line,
    is_heading_like,
)
from luoshi.text.outline import Segment
from luoshi.text.read import TABLE_MARK

# "整改措施：" at the start of a segment, or after a sentence end inside it ("…收费。整改措施：一是…").
_MEASURE_LABEL_RE = re.compile(
    r"(?:^|(?<=[。；;！？!?]))\s*(?:具体)?(?:整改|改进|落实)?(?:措施|举措)\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})?\s*[：:]"
)
# "整改目标：…" between a problem and its measures is neither (tables give it a column of its own).
_TARGET_LABEL_RE = re.compile(r"^(?:整改|工作)?目标(?:要求)?\s*[：:]")
# A problem written under a label of its own line: 问题： / 具体表现： / 存在问题：
_LABEL = "label"
# Section headings that are no aspect: 存在问题及整改措施 / 问题清单 / 整改任务 …
_SECTION_LABEL_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、)?(?:存在|主要|突出|反馈|检视|查摆|巡察反馈|审计发现)?(?:出)?的?问题"
    r"(?:清单|表现|及整改(?:措施|落实)?|和整改措施|与整改措施)?$"
)
# Conventional depth of each numbering kind in Chinese official documents.
_RANK = {
    "cn": 10,
    "paren_cn": 11,
    "di": 12,
    "shi": 13,
    "arabic": 14,
    "arabic_rp": 15,
    "paren_arabic": 16,
    "circled": 17,
}
_SENTENCE_END = tuple("。；;！？!?")


def key_of(segment: Segment) -> str | None:
    """The level of a segment: its heading level when it has one, else its marker kind."""
    if segment.heading:
        return f"#{segment.heading}"
    return segment.kind


def _rank(key: str) -> int:
    if key.startswith("#"):
        return int(key[1:] or 0)
    return _RANK.get(key, 20)


def split_inline_labels(segments: Sequence[Segment]) -> list[Segment]:
    """Cut a segment at an inline 整改措施 label: "1．问题。整改措施：一是…" is a problem, then the label."""
    out: list[Segment] = []
    for segment in segments:
        body = segment.body
        if "措施" not in body and "举措" not in body:
            out.append(segment)  # no label without its word: skip the search at every character
            continue
        match = _MEASURE_LABEL_RE.search(body)
        if match is None or match.start() == 0 or not segment.body[: match.start()].strip():
            out.append(segment)
            continue
        out.append(segment._replace(body=segment.body[: match.start()].strip()))
        out.append(Segment(None, 0, segment.body[match.start() :].strip(), False, 0, segment.line))
    return out


def is_measure_label(segment: Segment) -> re.Match[str] | None:
    """The 整改措施 label a segment starts with, if any."""
    if "措施" not in segment.body and "举措" not in segment.body:
        return None
    match = _MEASURE_LABEL_RE.match(segment.body)
    return match if match is not None and match.start() == 0 else None


def _problem_of_its_own(segments: Sequence[Segment], index: int) -> bool:
    """Whether a numbered line reads as a problem, not a heading (a sentence, ended or going on
    after its first 。), and a 整改措施 label follows it directly."""
    body = segments[index].body
    sentence = body.endswith(_SENTENCE_END) or any(end in body[:-1] for end in _SENTENCE_END)
    following = segments[index + 1] if index + 1 < len(segments) else None
    return sentence and following is not None and is_measure_label(following) is not None


def _is_field_line(segment: Segment) -> bool:
    return segment.kind is None and segment.line_start and is_attribute_line(segment.body)


def problem_level(segments: Sequence[Segment]) -> str | None:
    """The numbering level of the problems in a plan, "label" when they are written under 问题：
    labels, or None when the document is not laid out as problems with their own measures."""
    votes: Counter[str] = Counter()
    segments = split_inline_labels(segments)
    for index, segment in enumerate(segments):
        if not is_measure_label(segment) or segment.kind is not None:
            continue
        for earlier in reversed(segments[:index]):
            if earlier.kind is None and earlier.line_start and PROBLEM_LABEL_RE.match(earlier.body):
                votes[_LABEL] += 1
                break
            if earlier.kind is not None and earlier.line_start and not is_measure_label(earlier):
                if PROBLEM_LABEL_RE.match(earlier.body) or not _is_field_line(earlier):
                    votes[key_of(earlier) or ""] += 1
                break
            if _is_field_line(earlier) or is_measure_label(earlier):
                break  # a measure label right after another problem's fields: no numbered problem
    if votes:
        return votes.most_common(1)[0][0] or None
    # No labels: numbered measures under a numbered problem, then a block of field lines; or
    # unnumbered measure paragraphs right under a numbered problem, then the field lines.
    block: list[str] = []
    bare = False  # unnumbered paragraphs since the last numbered line
    for index, segment in enumerate(segments):
        if _is_field_line(segment):
            if block and (index == 0 or not _is_field_line(segments[index - 1])):
                distinct = list(dict.fromkeys(block))
                if bare:
                    votes[distinct[-1]] += 1
                elif len(distinct) >= 2 and _rank(distinct[-2]) < _rank(distinct[-1]):
                    votes[distinct[-2]] += 1
            block = []
            bare = False
        elif segment.kind is not None and segment.line_start:
            block.append(key_of(segment) or "")
            bare = False
        elif segment.kind is None and segment.line_start and block:
            bare = True
    if votes:
        return votes.most_common(1)[0][0] or None
    return None


class PlanReader:
    """Walks a plan's segments once, handing problems, measures and field lines to `sink`.

    `sink` provides problem(aspect, text) -> index | None, measure(group, text, problem),
    attributes(text), new_problem() (fields before the next measure belong to nothing above), and
    table(segment) -> bool for table placeholders.
    """

    def __init__(self, level: str, sink: PlanSink) -> None:
        self.level = level
        self.sink = sink
        self.shared = False  # measures numbered like the problems (1．problem / 整改措施： / 1.measure)
        self.aspect = ""
        self.mode = "intro"  # intro | problem | measure
        self.problem_parts: list[str] = []
        self.problem_index: int | None = None
        self.measure_parts: list[tuple[str, int]] = []  # each part with the paragraph it is in
        self.measure_key: str | None = None
        self.after_fields = False
        self.skip_rank: int | None = None
        self.skip_target = False  # inside a "整改目标：" paragraph
        self.bare = False  # measures written as unnumbered paragraphs right under their problem

    # ------------------------------------------------------------------------------ flushing
    def _flush(self) -> None:
        if self.mode == "problem" and self.problem_parts:
            self.problem_index = self.sink.problem(self.aspect, join(self.problem_parts))
            self.sink.new_problem()
        elif self.mode == "measure" and self.measure_parts:
            texts = [text for text, _line in self.measure_parts]
            self.sink.measure(self.aspect, join(texts), self.problem_index, self.measure_parts[-1][1])
        self.problem_parts = [] if self.mode == "problem" else self.problem_parts
        self.measure_parts = []

    def _start_problem(self, text: str) -> None:
        self._flush()
        self.skip_target = False
        self.mode = "problem"
        self.problem_parts = [text] if text else []
        self.problem_index = None
        self.after_fields = False

    def _start_measure(self, text: str, line: int) -> None:
        self._flush()
        self.mode = "measure"
        self.measure_parts = [(text, line)] if text else []

    # ------------------------------------------------------------------------------ reading
    def read(self, segments: Sequence[Segment]) -> None:
        segments = split_inline_labels(segments)
        self.shared = measures_share_level(segments, self.level)
        self.bare = measures_unnumbered(segments, self.level)
        for index, segment in enumerate(segments):
            self._segment(segments, index, segment)
        self._flush()

    def _segment(self, segments: Sequence[Segment], index: int, segment: Segment) -> None:
        key = key_of(segment)
        body = segment.body
        if self.skip_rank is not None:
            if key is not None and segment.line_start and _rank(key) <= self.skip_rank:
                self.skip_rank = None
            else:
                return
        if body[:1] == TABLE_MARK and self.sink.table(segment):
            self._flush()
            self.mode = "intro"
            return
        if _is_field_line(segment):
            self._flush()
            if self.mode == "problem":
                self.mode = "intro"  # fields of a problem without measures: nothing to apply
            self.sink.attributes(body)
            self.after_fields = True
            return
        if key is not None and segment.line_start and _is_short_heading(segment):
            kind = classify_heading(heading_label(body)[0])
            if kind in ("other", "causes") and key != self.level:
                self._flush()
                self.mode = "intro"
                self.skip_rank = _rank(key)
                return
        if label := is_measure_label(segment):
            self._start_measure(body[label.end() :].strip(), segment.line)
            self.measure_key = None
            self.after_fields = False
            return
        if key is None and segment.line_start and (label := PROBLEM_LABEL_RE.match(body)):
            self._start_problem(body[label.end() :].strip())
            return
        if key is not None:
            self._marked(segments, index, segment, key)
            return
        self._unmarked(segments, index, segment)

    def _marked(self, segments: Sequence[Segment], index: int, segment: Segment, key: str) -> None:
        body = segment.body
        if key == self.level and not segment.line_start and self.mode == "measure":
            pass  # "整改措施：1.…；2.…" inline, numbered like the problems: measures
        elif key == self.level:
            if self.shared and self.mode == "measure" and not _label_ahead(segments, index, self.level):
                # A measure numbered like the problems: no 整改措施 label follows it.
                self._flush()
                self.measure_key = key
                self.measure_parts = [(body, segment.line)]
                return
            self._start_problem(body)
            return
        above = self.level == _LABEL or _rank(key) < _rank(self.level)
        if above and segment.line_start and (self.mode == "intro" or self._aspect_here(segments, index)):
            self._flush()
            self.mode = "intro"
            label = heading_label(body)[0]
            section = _SECTION_LABEL_RE.match(label) or classify_heading(label) in ("plan", "measures")
            self.aspect = "" if section else aspect_label(label)
            return
        if above and segment.line_start and self.level != _LABEL and _problem_of_its_own(segments, index):
            # "三、上轮巡察反馈问题整改不彻底。…" then 整改措施： a numbered line above the problems that
            # is itself a problem, with its own measures: a problem under no aspect.
            self._flush()
            self.aspect = ""
            self._start_problem(body)
            return
        if self.mode == "measure":
            if self.measure_key is None or key == self.measure_key:
                self._flush()
                self.measure_key = key
                self.measure_parts = [(body, segment.line)]
            else:
                self.measure_parts.append((segment.text, segment.line))  # numbering inside one measure
            self.after_fields = False
            return
        if self.mode == "problem":
            if _label_ahead(segments, index, self.level):
                self.problem_parts.append(segment.text)  # numbered details of the problem
                return
            # Measures written without a label: numbered lines below the problem.
            self._flush()
            self.mode = "measure"
            self.measure_key = key
            self.measure_parts = [(body, segment.line)]
            return
        # intro: a deeper-numbered line outside any problem (e.g. an introduction's list)

    def _bare_measure(self, segments: Sequence[Segment], index: int, segment: Segment) -> bool:
        """Whether an unnumbered paragraph starts a measure in a plan whose measures are written
        as plain paragraphs: it follows a whole problem (or the fields of the measure before it)
        and field lines follow it before the next numbered line."""
        if not self.bare or not segment.line_start:
            return False
        if self.mode == "problem":
            ready = bool(self.problem_parts) and self.problem_parts[-1].endswith(_SENTENCE_END)
        else:
            ready = self.mode == "measure" and self.after_fields
        return ready and _fields_ahead(segments, index)

    def _aspect_here(self, segments: Sequence[Segment], index: int) -> bool:
        """Whether a numbered line above the problem level is an aspect heading: it reads like a
        heading and a problem follows it before any other numbered line."""
        if segments[index].body.endswith(_SENTENCE_END):
            return False
        for later in segments[index + 1 :]:
            if self.level == _LABEL and later.kind is None and PROBLEM_LABEL_RE.match(later.body):
                return True
            if later.kind is None:
                continue
            return key_of(later) == self.level
        return False

    def _unmarked(self, segments: Sequence[Segment], index: int, segment: Segment) -> None:
        body = segment.body
        if not body:
            return
        if segment.line_start and (DATE_LINE_RE.match(body) or CLOSING_RE.match(body)):
            self._flush()
            self.mode = "intro"
            return
        if self._bare_measure(segments, index, segment):
            self._start_measure(body, segment.line)
            self.measure_key = None
            self.after_fields = False
            return
        if self.mode == "problem":
            if segment.line_start and _is_signature(body) and self.problem_parts:
                return
            if segment.line_start and _TARGET_LABEL_RE.match(body):
                self.skip_target = True
                return
            if self.skip_target and not segment.line_start:
                return
            self.problem_parts.append(body)
        elif self.mode == "measure":
            if self.after_fields:
                return  # a signature or closing line after the last fields
            if segment.line_start and self.measure_parts and ATTR_TAIL_RE.search(self.measure_parts[-1][0]):
                return  # ...as after a measure closed by its own fields ("…。（责任人：…）")
            if self.measure_key is None:
                if (
                    self.measure_parts
                    and self.measure_parts[-1][0].endswith(_SENTENCE_END)
                    and segment.line_start
                ):
                    self._flush()
                    self.measure_parts = [(body, segment.line)]
                else:
                    self.measure_parts.append((body, segment.line))
            elif segment.line_start and _is_signature(body):
                return
            else:
                self.measure_parts.append((body, segment.line))


def _is_short_heading(segment: Segment) -> bool:
    """A numbered line that reads as a section heading (保障措施, 原因分析): short, one phrase."""
    if len(segment.body) > 60:
        return False  # a paragraph (is_heading_like says the same without splitting it)
    label = heading_label(segment.body)[0]
    return is_heading_like(segment) and len(label) <= 20 and not any(ch in label for ch in "，,；;")


def _is_signature(body: str) -> bool:
    return len(body) < 25 and body[-1:] not in "。；;！？!?）)”：:，,"


def measures_share_level(segments: Sequence[Segment], level: str) -> bool:
    """Whether the measures after the 整改措施 labels are numbered at the problems' own level
    (problems "1．", measures "1." below the label): then only a label ahead, or field lines
    behind, make a numbered line of that level a problem."""
    shared = other = 0
    for index, segment in enumerate(segments[:-1]):
        if segment.kind is not None or not is_measure_label(segment) or segment.body[-1:] not in "：:":
            continue
        following = segments[index + 1]
        if following.kind is None:
            continue
        if key_of(following) == level:
            shared += 1
        else:
            other += 1
    return shared > other


def measures_unnumbered(segments: Sequence[Segment], level: str) -> bool:
    """Whether the problems' measures are unnumbered paragraphs without a 整改措施 label: each
    problem is followed only by plain paragraphs up to its field lines."""
    bare = other = 0
    for index, segment in enumerate(segments):
        if key_of(segment) != level or not segment.line_start:
            continue
        paragraphs = 0
        for later in segments[index + 1 :]:
            if _is_field_line(later):
                if paragraphs:
                    bare += 1
                else:
                    other += 1
                break
            if later.kind is not None or is_measure_label(later):
                other += 1
                break
            paragraphs += later.line_start
    return bare > other


def _fields_ahead(segments: Sequence[Segment], index: int) -> bool:
    """Whether field lines follow before the next numbered line or label."""
    for later in segments[index + 1 :]:
        if _is_field_line(later):
            return True
        if later.kind is not None or is_measure_label(later):
            return False
    return False


def _label_ahead(segments: Sequence[Segment], index: int, level: str) -> bool:
    """Whether a 整改措施 label comes before the next problem."""
    for later in segments[index + 1 :]:
        if key_of(later) == level or _is_field_line(later):
            return False
        if is_measure_label(later):
            return True
    return False


def join(parts: Sequence[str]) -> str:
    """Paragraph pieces joined into one text (a space only between two Latin letters or digits)."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


class PlanSink:
    """What the plan reader writes to (the extractor's builder)."""

    def __init__(
        self,
        problem: Callable[[str, str], int | None],
        measure: Callable[[str, str, int | None, int], None],
        attributes: Callable[[str], None],
        new_problem: Callable[[], None],
        table: Callable[[Segment], bool],
    ) -> None:
        self.problem = problem
        self.measure = measure
        self.attributes = attributes
        self.new_problem = new_problem
        self.table = table
