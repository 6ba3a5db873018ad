"""进展通报: the progress bulletin of a round for a period, as 督查 offices circulate it.

    一、总体进展                    the figures as of the period's last day
    二、本期验收销号的整改措施      measures closed in the period
    三、本期新增逾期的整改措施      deadlines that fell in the period on measures still open, with owners
    四、本期批准延期的整改措施      extensions approved in the period: from when to when, and why
    五、本期退回重新整改的措施      returns in the period with the reviewer's reasons

The period is FROM to TO inclusive, in local dates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from luoshi.errors import Invalid
from luoshi.ledger.models import Extension, Measure, Review, Round
from luoshi.ledger.services import rates
from luoshi.ledger.states import OPEN_STATUSES, MeasureStatus
from luoshi.reports.docx_layout import OfficialDocument, chinese_date
from luoshi.reports.progress import rate_text
from luoshi.reports.records import counted_measures, deadline_text, owner_name, person


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise Invalid("通报的结束日期不能早于开始日期")

    @property
    def label(self) -> str:
        return f"{chinese_date(self.start)}至{chinese_date(self.end)}"

    def contains(self, moment: datetime.datetime | None) -> bool:
        return moment is not None and self.start <= timezone.localdate(moment) <= self.end


def _day_bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(period.start, datetime.time.min))
    end = timezone.make_aware(
        datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min)
    )
    return start, end


@dataclass
class BulletinRecords:
    round: Round
    period: Period
    closed: list[Measure]
    newly_overdue: list[Measure]
    extensions: list[Extension]
    returns: list[Review]


def load_bulletin(round_: Round, period: Period, *, today: datetime.date | None = None) -> BulletinRecords:
    """The period's events among the round's counted measures, in four queries whatever the size."""
    today = today or timezone.localdate()
    start, end = _day_bounds(period)
    counted = counted_measures(round_)
    closed = list(
        counted.filter(status=MeasureStatus.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .select_related("owner", "problem")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.filter(decision=Review.Decision.CLOSE).select_related("reviewer"),
            )
        )
        .order_by("closed_at", "number")
    )
    # A deadline that fell in the period (and before today) on a measure still open: overdue now,
    # and not yet overdue when the period began.
    last_deadline = min(period.end, today - datetime.timedelta(days=1))
    newly_overdue = list(
        counted.filter(
            status__in=OPEN_STATUSES, current_deadline__gte=period.start, current_deadline__lte=last_deadline
        )
        .select_related("owner")
        .order_by("current_deadline", "number")
    )
    extensions = list(
        Extension.objects.filter(
            measure__in=counted, status=Extension.Status.APPROVED, decided_at__gte=start, decided_at__lt=end
        )
        .select_related("measure__owner", "decided_by")
        .order_by("decided_at", "id")
    )
    returns = list(
        Review.objects.filter(
            measure__in=counted, decision=Review.Decision.RETURN, created_at__gte=start, created_at__lt=end
        )
        .select_related("measure__owner", "reviewer")
        .order_by("created_at", "id")
    )
    return BulletinRecords(round_, period, closed, newly_overdue, extensions, returns)


def write_bulletin(
    round_: Round, start: datetime.date, end: datetime.date, *, today: datetime.date | None = None
) -> bytes:
    """The round's 进展通报 for START to END (inclusive) as .docx bytes."""
    today = today or timezone.localdate()
    period = Period(start, end)
    round_ = Round.objects.select_related("team__organization").get(pk=round_.pk)
    found = load_bulletin(round_, period, today=today)
    as_of = min(end, today)
    figures = rates(counted_measures(round_), as_of)

    doc = OfficialDocument()
    doc.title(f"关于{round_.title}整改工作进展情况的通报", subtitle=f"（{period.label}）")
    doc.body(f"现将{period.label}{round_.title}整改工作进展情况通报如下（数据来自整改台账）。")

    doc.heading1("一、总体进展")
    doc.body(
        f"截至{chinese_date(as_of)}，共有整改措施{figures.total}项，已验收销号{figures.closed}项，"
        f"基本完成、持续整改{figures.continuing}项，经批准延期{figures.extended}项，逾期未完成"
        f"{figures.overdue}项。{rate_text(figures.completion)}；{rate_text(figures.on_time)}。"
    )
    doc.body(
        f"本期验收销号{len(found.closed)}项，新增逾期{len(found.newly_overdue)}项，"
        f"批准延期{len(found.extensions)}项，退回重新整改{len(found.returns)}项。"
    )

    doc.heading1("二、本期验收销号的整改措施")
    if not found.closed:
        doc.body("本期无。")
    for index, measure in enumerate(found.closed, 1):
        closed_on = chinese_date(timezone.localdate(measure.closed_at)) if measure.closed_at else ""
        reviews = list(measure.reviews.all())
        reviewer = f"，验收人：{person(reviews[-1].reviewer)}" if reviews else ""
        opinion = f"验收意见：{reviews[-1].reasons}" if reviews and reviews[-1].reasons else ""
        doc.body(
            f"{index}. {measure.summary}（责任领导：{owner_name(measure)}；销号日期：{closed_on}{reviewer}）"
            + (f"。{opinion}" if opinion else "")
        )

    doc.heading1("三、本期新增逾期的整改措施")
    if not found.newly_overdue:
        doc.body("本期无。")
    for index, measure in enumerate(found.newly_overdue, 1):
        days = (as_of - measure.current_deadline).days if measure.current_deadline else 0
        doc.body(
            f"{index}. {measure.summary}（责任领导：{owner_name(measure)}；完成时限："
            f"{deadline_text(measure)}；状态：{MeasureStatus(measure.status).label}；"
            f"截至{chinese_date(as_of)}已逾期{days}天）"
        )
    if found.newly_overdue:
        doc.body("请以上措施的责任领导抓紧推进，尽快完成并提交验收；确需延期的，依规提出延期申请。")

    doc.heading1("四、本期批准延期的整改措施")
    if not found.extensions:
        doc.body("本期无。")
    for index, extension in enumerate(found.extensions, 1):
        measure = extension.measure
        baseline = chinese_date(measure.baseline_deadline) if measure.baseline_deadline else "未明确"
        doc.body(
            f"{index}. {measure.summary}（责任领导：{owner_name(measure)}；原定完成时限：{baseline}；"
            f"延至：{chinese_date(extension.requested_deadline)}；审批人：{person(extension.decided_by)}）"
            f"。延期理由：{extension.reason}"
        )

    doc.heading1("五、本期退回重新整改的措施")
    if not found.returns:
        doc.body("本期无。")
    for index, review in enumerate(found.returns, 1):
        measure = review.measure
        doc.body(
            f"{index}. {measure.summary}（责任领导：{owner_name(measure)}；退回日期："
            f"{chinese_date(timezone.localdate(review.created_at))}；验收人：{person(review.reviewer)}）"
            f"。退回理由：{review.reasons or '未填写'}"
        )

    doc.signature(round_.team.organization.name, today)
    return doc.to_bytes()


__all__ = ["BulletinRecords", "Period", "load_bulletin", "write_bulletin"]
