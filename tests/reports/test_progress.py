"""整改落实情况报告: content checked against the database."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from luoshi.ledger.models import Measure
from luoshi.ledger.services import rates
from luoshi.reports import records
from luoshi.reports.progress import chinese_number, rate_text, write_progress_report
from tests.reports.conftest import TODAY
from tests.reports.docx_check import open_docx, runs_without_east_asian_font, texts

pytestmark = pytest.mark.django_db


def report_texts(round_: Any) -> list[str]:
    return texts(open_docx(write_progress_report(round_, today=TODAY)))


def test_title_sections_and_signature(filled_round: Any) -> None:
    document = open_docx(write_progress_report(filled_round, today=TODAY))
    paragraphs = [p for p in document.paragraphs if p.text]
    assert paragraphs[0].text.replace("\n", "") == "关于2025年度民主生活会整改落实情况的报告"
    assert paragraphs[0].style.name == "公文标题"
    headings = [p.text for p in paragraphs if p.style.name == "公文一级标题"]
    assert headings == ["一、总体情况", "二、具体整改情况", "三、尚未完成的整改措施及下一步安排"]
    aspects = [p.text for p in paragraphs if p.style.name == "公文二级标题"]
    assert aspects == [
        "（一）关于“理论学习”方面问题的整改情况",
        "（二）关于“工作作风”方面问题的整改情况",
        "（三）关于“其他方面”方面问题的整改情况",
        "（四）其他整改措施",
    ]
    assert [p.text for p in paragraphs[-2:]] == ["示范县", "2026年12月1日"]
    assert runs_without_east_asian_font(document) == []
    # editable: styled paragraphs only, no text boxes, drawings or pictures
    xml = document.element.xml
    assert not any(tag in xml for tag in ("<w:drawing", "<w:txbxContent", "<w:pict", "<v:textbox"))
    assert {p.style.name for p in paragraphs} <= {
        "公文标题",
        "公文正文",
        "公文一级标题",
        "公文二级标题",
        "公文三级标题",
        "公文落款",
    }


def test_figures_and_rates_match_the_ledger(filled_round: Any) -> None:
    found = rates(Measure.objects.filter(round=filled_round), TODAY)
    text = "\n".join(report_texts(filled_round))
    assert "共检视问题4个，制定整改措施6项" in text
    assert f"已验收销号{found.closed}项" in text and found.closed == 1
    assert f"基本完成、持续整改{found.continuing}项" in text and found.continuing == 1
    assert f"经批准延期{found.extended}项" in text and found.extended == 1
    assert f"逾期未完成{found.overdue}项" in text and found.overdue == 1
    assert rate_text(found.completion) in text
    assert "完成率16.7%（已销号措施数 ÷ 措施总数 = 1 ÷ 6）" in text
    assert rate_text(found.on_time) in text


def test_every_measure_once_with_owner_deadline_status_outcome_and_opinion(filled_round: Any) -> None:
    paragraphs = report_texts(filled_round)
    section_two = paragraphs[
        paragraphs.index("二、具体整改情况") : paragraphs.index("三、尚未完成的整改措施及下一步安排")
    ]
    for measure in Measure.objects.filter(round=filled_round):
        lines = [p for p in section_two if measure.text in p]
        assert len(lines) == 1, measure.text
        assert f"状态：{measure.get_status_display()}" in lines[0]
    joined = "\n".join(section_two)
    assert "责任领导：李建华；责任单位：县委办；完成时限：2026年6月30日；状态：已销号）" in joined
    assert "整改成效：每月开展专题学习，已形成制度" in joined
    assert "验收意见：验收销号（reviewer，2026" in joined and "佐证充分，同意销号" in joined
    assert "缺少会议纪要，请补充" in joined
    assert "2027年1月31日（原定2026年10月31日，已延期）" in joined
    assert "责任领导：赵六" in joined
    assert "状态：整改中，已逾期" in joined
    assert "问题表现：理论学习不够系统，以传达文件代替专题研讨。" in joined
    assert "整改措施：尚未制定整改措施。" in joined  # problem 4


def test_unfinished_measures_last_with_next_steps(filled_round: Any) -> None:
    paragraphs = report_texts(filled_round)
    last = paragraphs[paragraphs.index("三、尚未完成的整改措施及下一步安排") :]
    unfinished = Measure.objects.filter(round=filled_round).exclude(status="closed").order_by("number")
    headings = [p for p in last if re.match(r"\d+\. ", p)]
    assert headings == [f"{i}. {m.summary}" for i, m in enumerate(unfinished, 1)]
    joined = "\n".join(last)
    assert "措施摘要1" not in joined  # closed
    assert "目前进展：完成走访12次（2026年11月5日）" in joined
    assert "已超过完成时限" in joined
    assert "持续整改、长期坚持" in joined


def test_measures_not_counted_are_absent(filled_round: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports count what `records.counted_measures` gives: the one place voided measures leave."""
    original = records.counted_measures
    monkeypatch.setattr(records, "counted_measures", lambda round_: original(round_).exclude(number=2))
    text = "\n".join(report_texts(filled_round))
    assert "第2项整改措施" not in text and "缺少会议纪要" not in text
    assert "制定整改措施5项" in text


def test_query_count_does_not_grow_with_measures(
    filled_round: Any, add_measures: Callable[[Any, int], None]
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            write_progress_report(filled_round, today=TODAY)
        return len(queries)

    small = count()
    add_measures(filled_round, 30)
    assert count() == small
    text = "\n".join(report_texts(filled_round))
    assert "制定整改措施36项" in text


def test_empty_round(round_: Any) -> None:
    text = "\n".join(report_texts(round_))
    assert "本轮次尚无检视问题和整改措施。" in text
    assert "完成率—（已销号措施数 ÷ 措施总数 = 0 ÷ 0）" in text


def test_chinese_numbers() -> None:
    assert [chinese_number(n) for n in (1, 10, 11, 20, 23, 99, 120)] == [
        "一",
        "十",
        "十一",
        "二十",
        "二十三",
        "九十九",
        "120",
    ]


def test_indicator_compliance_in_the_summary(filled_round: Any, organizer: Any, owner: Any) -> None:
    import datetime
    from decimal import Decimal

    from luoshi.indicators import services as indicator_services
    from luoshi.indicators.compliance import round_summary

    assert not any("量化承诺" in t for t in report_texts(filled_round))  # no indicators, no paragraph
    indicator_services.create_indicator(
        filled_round,
        actor=organizer,
        name="每月至少走访1次",
        kind="visit",
        scope="each",
        period="month",
        op=">=",
        target=Decimal(1),
        unit="次",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
    )
    indicator_services.record_activity(
        filled_round.team,
        actor=organizer,
        member=owner.memberships.get(),
        date=datetime.date(2026, 10, 9),
        kind="visit",
        today=TODAY,
    )
    _lines, total = round_summary(filled_round, TODAY)
    assert total.met == 1 and total.open > 0  # October met; December not over on 1 December
    text = "\n".join(report_texts(filled_round))
    assert (
        f"量化承诺设为指标1项。已结束的成员·周期中，达标1个、未达标{total.not_met}个、无记录{total.no_data}个"
        in text
    )
    assert "每月至少走访1次（每名班子成员，每月不少于 1 次）：达标1个" in text
