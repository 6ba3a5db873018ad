"""Similarity is shown as 高 / 中 / 低, with the score on hover, never as a bare decimal."""

from __future__ import annotations

import pytest

from luoshi.recurrence.matching import similarity_level
from luoshi.recurrence.templatetags.recurrence_tags import similarity


@pytest.mark.parametrize(
    ("score", "level"), [(0.05, "低"), (0.17, "中"), (0.40, "中"), (0.61, "高"), (0.95, "高")]
)
def test_levels_around_the_threshold(score: float, level: str) -> None:
    assert similarity_level(score, 0.17) == level


def test_the_tag_shows_the_level_and_keeps_the_score_in_the_title() -> None:
    html = similarity(0.6123, 0.17)
    assert ">相似度高</span>" in html and 'title="相似度 0.61（0–1）"' in html
    assert similarity(None) == ""
