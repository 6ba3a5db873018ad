from __future__ import annotations

from typing import Any

from luoshi.meetings.figures import opinion_figures
from luoshi.meetings.models import Opinion, OpinionSource


def test_opinion_figures_count_each_source_and_list_zeros(round_: Any) -> None:
    Opinion.objects.create(round=round_, source=OpinionSource.PUBLIC, text="调研走过场")
    Opinion.objects.create(round=round_, source=OpinionSource.PUBLIC, text="会议太多")
    Opinion.objects.create(round=round_, source=OpinionSource.FORUM, text="窗口服务态度差")

    figures = opinion_figures(round_)

    assert figures.total == 3
    by_source = dict(figures.by_source)
    assert by_source["网上征求"] == 2
    assert by_source["座谈会"] == 1
    assert by_source["意见箱"] == 0
    assert [label for label, _ in figures.by_source] == [str(label) for _, label in OpinionSource.choices]
