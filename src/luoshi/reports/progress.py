"""整改落实情况报告: a round's rectification report in the GB/T 9704 layout, written from the records.

一、总体情况            the figures (problems, measures, closed, continuing, extended, overdue)
                        and each rate with its formula
二、具体整改情况        per aspect "（一）关于“…”方面问题的整改情况": each problem, its measures,
                        owner, deadline, status, outcome and the reviewer's opinion
三、尚未完成的整改措施及下一步安排    what is still open or continuing, with deadlines
落款                    the organization and the date
"""

from __future__ import annotations

import datetime

from luoshi.ledger.models import Measure, Review, Round
from luoshi.ledger.services import Rate
from luoshi.ledger.states import OPEN_STATUSES, MeasureStatus
from luoshi.reports.docx_layout import OfficialDocument, chinese_date
from luoshi.reports.records import (
    RoundRecords,
    deadline_text,
    is_unfinished,
    latest_review,
    latest_update,
    load_round,
    owner_name,
    person,
)

CHINESE_NUMERALS = "零一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三, 105 → 105 (beyond 99 the digits read better)."""
    if n <= 10:
        return CHINESE_NUMERALS[n]
    if n < 20:
        return "十" + CHINESE_NUMERALS[n % 10] * (n % 10 != 0)
    if n < 100:
        tens, ones = divmod(n, 10)
        return CHINESE_NUMERALS[tens] + "十" + (CHINESE_NUMERALS[ones] if ones else "")
    return str(n)


def rate_text(rate: Rate) -> str:
    """ "完成率 40.0%（已销号措施数 ÷ 措施总数 = 4 ÷ 10）": the figure with its formula and counts."""
    figure = "—" if rate.percent is None else f"{rate.percent:.1f}%"
    return f"{rate.label}{figure}（{rate.formula} = {rate.numerator} ÷ {rate.denominator}）"


_STATUS_LABELS: dict[str, str] = {}
_DECISION_LABELS: dict[str, str] = {}


def status_label(measure: Measure) -> str:
    if not _STATUS_LABELS:  # translated once, not once a measure
        _STATUS_LABELS.update((value, str(label)) for value, label in MeasureStatus.choices)
    return _STATUS_LABELS[measure.status]


def review_text(measure: Measure) -> str:
    """The reviewer's latest decision and reasons, or "尚未验收"."""
    review = latest_review(measure)
    if review is None:
        return "尚未验收"
    when = chinese_date(review.created_at.date())
    if not _DECISION_LABELS:
        _DECISION_LABELS.update((value, str(label)) for value, label in Review.Decision.choices)
    text = f"{_DECISION_LABELS[review.decision]}（{person(review.reviewer)}，{when}）"
    return f"{text}。{review.reasons}" if review.reasons else text


def measure_line(measure: Measure, today: datetime.date) -> str:
    overdue = "，已逾期" if measure.is_overdue(today) else ""
    department = f"；责任单位：{measure.department}" if measure.department else ""
    return (
        f"{measure.text or measure.summary}（责任领导：{owner_name(measure)}{department}；"
        f"完成时限：{deadline_text(measure)}；状态：{status_label(measure)}{overdue}）"
    )


def next_step(measure: Measure, today: datetime.date) -> str:
    """What follows for an unfinished measure, from its state and deadline."""
    if measure.status == MeasureStatus.CONTINUING:
        return "基本完成，持续整改、长期坚持，完成后提交验收。"
    if measure.status == MeasureStatus.SUBMITTED:
        return "已提交验收，待验收销号。"
    if measure.is_overdue(today):
        return "已超过完成时限，须抓紧完成并提交验收，确需延期的依规申请。"
    if measure.status == MeasureStatus.RETURNED:
        return f"验收退回，按退回意见重新整改，于{deadline_text(measure)}前完成。"
    return f"按计划推进，于{deadline_text(measure)}前完成并提交验收。"


def summary_paragraphs(records: RoundRecords) -> list[str]:
    r = records.rates
    in_progress = sum(1 for m in records.measures if m.status in OPEN_STATUSES)
    submitted = records.status_count(MeasureStatus.SUBMITTED)
    return [
        f"截至{chinese_date(records.today)}，{records.round.title}共检视问题{records.problem_count}个，"
        f"制定整改措施{r.total}项。其中，已验收销号{r.closed}项；基本完成、持续整改{r.continuing}项"
        f"（单列，不计为销号）；尚在整改{in_progress}项（含待验收{submitted}项）；"
        f"经批准延期{r.extended}项；逾期未完成{r.overdue}项。",
        f"{rate_text(r.completion)}；{rate_text(r.on_time)}。持续整改和延期的措施单列统计；"
        "逾期指未办结且已超过当前完成时限。",
    ]


def indicator_paragraphs(round_: Round, today: datetime.date) -> list[str]:
    """The quantified commitments' compliance (成员 × 周期), from the activity records; none without
    indicators. Three queries whatever the number of members."""
    from luoshi.indicators.compliance import round_summary

    lines, total = round_summary(round_, today)
    if not lines:
        return []
    paragraphs = [
        f"量化承诺设为指标{len(lines)}项。已结束的成员·周期中，达标{total.met}个、未达标{total.not_met}个、"
        f"无记录{total.no_data}个，达标率{total.rate_text}（{total.formula}）；本期尚未结束的{total.open}个不计。"
    ]
    paragraphs.extend(
        f"{line.indicator.name}（{line.scope_text}，{line.target_text}）："
        + (
            f"达标{line.tally.met}个、未达标{line.tally.not_met}个、无记录{line.tally.no_data}个，"
            f"达标率{line.tally.rate_text}。"
            if line.tally.over
            else "尚无已结束的周期。"
        )
        for line in lines
    )
    return paragraphs


def write_progress_report(round_: Round, *, today: datetime.date | None = None) -> bytes:
    """The round's 整改落实情况报告 as .docx bytes."""
    records = load_round(round_, today=today)
    today = records.today
    doc = OfficialDocument()
    doc.title(f"关于{records.round.title}整改落实情况的报告")
    doc.body(
        f"按照{records.round.title}整改工作安排，现将检视问题整改落实情况报告如下（数据截至"
        f"{chinese_date(today)}，来自整改台账）。"
    )

    doc.heading1("一、总体情况")
    for text in summary_paragraphs(records):
        doc.body(text)
    for text in indicator_paragraphs(records.round, today):
        doc.body(text)

    doc.heading1("二、具体整改情况")
    groups, loose = records.by_aspect(records.round.framework.aspects.all())
    section = 0
    for group in groups:
        section += 1
        doc.heading2(f"（{chinese_number(section)}）关于“{group.name}”方面问题的整改情况")
        for index, (problem, measures) in enumerate(group.problems, 1):
            doc.heading3(f"{index}. {problem.summary}")
            if problem.text and problem.text != problem.summary:
                doc.body(problem.text, lead="问题表现：")
            if not measures:
                doc.body("尚未制定整改措施。", lead="整改措施：")
            for number, measure in enumerate(measures, 1):
                _measure_paragraphs(doc, measure, today, number if len(measures) > 1 else None)
    if loose:
        section += 1
        doc.heading2(f"（{chinese_number(section)}）其他整改措施")
        for number, measure in enumerate(loose, 1):
            _measure_paragraphs(doc, measure, today, number)
    if not groups and not loose:
        doc.body("本轮次尚无检视问题和整改措施。")

    doc.heading1("三、尚未完成的整改措施及下一步安排")
    unfinished = [m for m in records.measures if is_unfinished(m)]
    if not unfinished:
        doc.body("本轮次整改措施均已验收销号。")
    for index, measure in enumerate(unfinished, 1):
        doc.heading3(f"{index}. {measure.summary}")
        doc.body(
            f"{owner_name(measure)}；完成时限：{deadline_text(measure)}；状态：{status_label(measure)}"
            + ("，已逾期" if measure.is_overdue(today) else "")
            + "。",
            lead="责任领导：",
        )
        update = latest_update(measure)
        if update is not None:
            doc.body(f"{update.text}（{chinese_date(update.date)}）", lead="目前进展：")
        doc.body(next_step(measure, today), lead="下一步：")

    doc.signature(records.organization, today)
    return doc.to_bytes()


def _measure_paragraphs(
    doc: OfficialDocument, measure: Measure, today: datetime.date, number: int | None
) -> None:
    lead = f"整改措施{chinese_number(number)}：" if number is not None else "整改措施："
    doc.body(measure_line(measure, today), lead=lead)
    if measure.outcome:
        doc.body(measure.outcome, lead="整改成效：")
    else:
        update = latest_update(measure)
        if update is not None:
            doc.body(f"{update.text}（{chinese_date(update.date)}）", lead="整改进展：")
    doc.body(review_text(measure), lead="验收意见：")


__all__ = ["chinese_number", "rate_text", "write_progress_report"]
