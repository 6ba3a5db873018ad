"""The numbering hierarchy: markers at line starts and, in sequence, inside paragraphs."""

from __future__ import annotations

import pytest

from luoshi.text.outline import ordinal_value, segment_lines


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("7", 7), ("③", 3)],
)
def test_ordinal_value(numeral: str, value: int) -> None:
    assert ordinal_value(numeral) == value


@pytest.mark.parametrize(
    ("line", "kind", "ordinal", "body"),
    [
        ("一、存在的问题", "cn", 1, "存在的问题"),
        ("（三）理论学习方面", "paren_cn", 3, "理论学习方面"),
        ("(二)在带头方面", "paren_cn", 2, "在带头方面"),
        ("二是学用结合不够。", "shi", 2, "学用结合不够。"),
        ("第一，加强学习。", "di", 1, "加强学习。"),
        ("1.建立制度。", "arabic", 1, "建立制度。"),
        ("2、建立制度。", "arabic", 2, "建立制度。"),
        ("12. 建立制度。", "arabic", 12, "建立制度。"),
        ("（1）建立制度。", "paren_arabic", 1, "建立制度。"),
        ("(4)建立制度。", "paren_arabic", 4, "建立制度。"),
        ("3）建立制度。", "arabic_rp", 3, "建立制度。"),
        ("②建立制度。", "circled", 2, "建立制度。"),
    ],
)
def test_line_start_markers(line: str, kind: str, ordinal: int, body: str) -> None:
    (segment,) = segment_lines([line])
    assert (segment.kind, segment.ordinal, segment.body, segment.line_start) == (kind, ordinal, body, True)


@pytest.mark.parametrize(
    "line",
    [
        "1.5万元用于改善民生。",
        "2024年完成整改。",
        "一二三产融合发展。",
        "统一是关键。",
        "第一议题制度。",
        "一、二季度完成。",
    ],
)
def test_text_that_only_looks_numbered(line: str) -> None:
    (segment,) = segment_lines([line])
    assert segment.kind is None
    assert segment.body == line


def test_inline_items_split_in_sequence() -> None:
    segments = segment_lines(
        ["（一）理论学习方面。一是学得不深。比如，统一是关键。二是用得不活；三是落实不够。"]
    )
    assert [(s.kind, s.ordinal, s.body, s.line_start) for s in segments] == [
        ("paren_cn", 1, "理论学习方面。", True),
        ("shi", 1, "学得不深。比如，统一是关键。", False),
        ("shi", 2, "用得不活；", False),
        ("shi", 3, "落实不够。", False),
    ]


def test_inline_marker_out_of_sequence_does_not_split() -> None:
    (segment,) = segment_lines(["正文。三是并非第三项。"])
    assert segment.body == "正文。三是并非第三项。"


def test_inline_marker_after_closing_quote_keeps_the_quote() -> None:
    segments = segment_lines(["要求“学思想。”一是学。"])
    assert [s.body for s in segments] == ["要求“学思想。”", "学。"]


def test_new_heading_restarts_sub_lists() -> None:
    segments = segment_lines(["（一）甲方面", "一是甲。二是乙。", "（二）乙方面。一是丙。"])
    assert [(s.kind, s.ordinal) for s in segments] == [
        ("paren_cn", 1),
        ("shi", 1),
        ("shi", 2),
        ("paren_cn", 2),
        ("shi", 1),
    ]


def test_heading_prefix_from_source() -> None:
    (segment,) = segment_lines(["## 理论学习方面"])
    assert (segment.kind, segment.heading, segment.body) == ("#", 2, "理论学习方面")
    (numbered,) = segment_lines(["# 一、存在的问题"])
    assert (numbered.kind, numbered.heading, numbered.body) == ("cn", 1, "存在的问题")


def test_segments_keep_their_marker_as_written() -> None:
    segments = segment_lines(["（1）甲；（2）乙", "二是丙"])
    assert [(s.marker, s.text) for s in segments] == [
        ("（1）", "（1）甲；"),
        ("（2）", "（2）乙"),
        ("二是", "二是丙"),
    ]
