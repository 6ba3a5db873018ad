"""进展通报 for a period: closed, newly overdue, extensions and returns of that period only."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from luoshi.errors import Invalid
from luoshi.ledger.models import Measure
from luoshi.reports.bulletin import Period, write_bulletin
from tests.reports.conftest import TODAY
from tests.reports.docx_check import open_docx, runs_without_east_asian_font, texts

pytestmark = pytest.mark.django_db


def section(paragraphs: list[str], heading: str) -> list[str]:
    start = paragraphs.index(heading) + 1
    end = next(
        (i for i in range(start, len(paragraphs)) if paragraphs[i][:2] in {"二、", "三、", "四、", "五、"}),
        None,
    )
    return paragraphs[start:end] if end else paragraphs[start:]


def bulletin(round_: Any, start: datetime.date, end: datetime.date) -> list[str]:
    document = open_docx(write_bulletin(round_, start, end, today=TODAY))
    assert runs_without_east_asian_font(document) == []
    return [t for t in texts(document) if t]


def test_period_of_november(filled_round: Any) -> None:
    paragraphs = bulletin(filled_round, datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    assert paragraphs[0].replace("\n", "") == "关于2025年度民主生活会整改工作进展情况的通报"
    assert paragraphs[1] == "（2026年11月1日至2026年11月30日）"
    assert section(paragraphs, "二、本期验收销号的整改措施") == ["本期无。"]  # closed in June
    overdue = section(paragraphs, "三、本期新增逾期的整改措施")
    assert overdue[0].startswith("1. 措施摘要5（责任领导：李建华；完成时限：2026年11月20日")
    assert "已逾期10天" in overdue[0] and len(overdue) == 2  # the one measure and the request to act
    extensions = section(paragraphs, "四、本期批准延期的整改措施")
    assert extensions == [
        "1. 措施摘要4（责任领导：李建华；原定完成时限：2026年10月31日；延至：2027年1月31日；审批人：reviewer）"
        "。延期理由：需等待上级文件"
    ]
    text = "\n".join(paragraphs)
    assert "本期验收销号0项，新增逾期1项，批准延期1项" in text
    assert "共有整改措施6项，已验收销号1项" in text


def test_period_of_june_has_the_closure(filled_round: Any) -> None:
    paragraphs = bulletin(filled_round, datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
    closed = section(paragraphs, "二、本期验收销号的整改措施")
    assert closed == [
        "1. 措施摘要1（责任领导：李建华；销号日期：2026年6月20日，验收人：reviewer）。验收意见：佐证充分，同意销号"
    ]
    assert section(paragraphs, "三、本期新增逾期的整改措施") == ["本期无。"]
    assert section(paragraphs, "四、本期批准延期的整改措施") == ["本期无。"]


def test_returns_in_the_period_with_reasons(filled_round: Any) -> None:
    returned = Measure.objects.get(round=filled_round, number=2).reviews.get()
    day = timezone.localdate(returned.created_at)
    paragraphs = bulletin(filled_round, day, day)
    returns = section(paragraphs, "五、本期退回重新整改的措施")[:-2]  # the signature follows
    assert len(returns) == 1 and returns[0].startswith("1. 措施摘要2（责任领导：王志刚")
    assert returns[0].endswith("。退回理由：缺少会议纪要，请补充")


def test_period_must_not_end_before_it_starts() -> None:
    with pytest.raises(Invalid):
        Period(datetime.date(2026, 2, 1), datetime.date(2026, 1, 1))
