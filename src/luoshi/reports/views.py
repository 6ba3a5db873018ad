"""Report downloads. Every round is fetched through `Round.objects.for_user` (not yours: 404);
every file is sent `Cache-Control: private, no-store` (reports name people and their measures)."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from luoshi.ledger.models import VOID_CHOICES, Aspect, Measure, Round
from luoshi.ledger.states import MeasureStatus
from luoshi.ledger.views import DEADLINE_FILTERS, LedgerFilter
from luoshi.orgs.models import Member
from luoshi.reports import bulletin, ledger_xlsx, member, pdf, progress
from luoshi.reports.forms import BulletinForm
from luoshi.reports.records import counted_measures

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _round(request: HttpRequest, pk: int) -> Round:
    return get_object_or_404(Round.objects.for_user(request.user).select_related("team__organization"), pk=pk)


def _download(data: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


def _refused(request: HttpRequest, round_: Round, message: str, status: int) -> HttpResponse:
    response = render(request, "reports/refused.html", {"round": round_, "message": message}, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _docx_or_pdf(
    request: HttpRequest, round_: Round, fmt: str, name: str, write: Callable[[], bytes]
) -> HttpResponse:
    data = write()
    if fmt == "pdf":
        try:
            data = pdf.docx_to_pdf(data)
        except pdf.PdfUnavailable as error:
            return _refused(request, round_, error.message, error.status)
    return _download(data, f"{round_.title}-{name}-{timezone.localdate().isoformat()}.{fmt}", fmt)


@login_required
@require_GET
def report_progress(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """整改落实情况报告 of the round (.docx, or .pdf where LibreOffice is installed)."""
    round_ = _round(request, pk)
    return _docx_or_pdf(
        request, round_, fmt, "整改落实情况报告", lambda: progress.write_progress_report(round_)
    )


@login_required
@require_GET
def report_bulletin(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """进展通报 of the round for ?from=…&to=… (by default the last 30 days)."""
    round_ = _round(request, pk)
    form = BulletinForm.from_query(request.GET)
    if not form.is_valid():
        message = "；".join(str(e) for errors in form.errors.values() for e in errors)
        return _refused(request, round_, message, 422)
    start: datetime.date = form.cleaned_data["start"]
    end: datetime.date = form.cleaned_data["end"]
    return _docx_or_pdf(
        request,
        round_,
        fmt,
        f"进展通报-{start.isoformat()}至{end.isoformat()}",
        lambda: bulletin.write_bulletin(round_, start, end),
    )


@login_required
@require_GET
def report_member(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """个人整改清单 of ?member=ID (a member of the round's team) as .docx, .xlsx or .pdf."""
    round_ = _round(request, pk)
    member_id = request.GET.get("member", "")
    found = get_object_or_404(
        Member.objects.filter(team_id=round_.team_id), pk=int(member_id) if member_id.isdigit() else 0
    )
    name = f"{found.name}个人整改清单"
    if fmt == "xlsx":
        data = member.write_member_xlsx(round_, found)
        return _download(data, f"{round_.title}-{name}-{timezone.localdate().isoformat()}.xlsx", fmt)
    return _docx_or_pdf(request, round_, fmt, name, lambda: member.write_member_docx(round_, found))


@login_required
@require_GET
def report_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's ledger .xlsx in the official layout, filtered as the ledger page is (same query
    string), the filter written above the table."""
    round_ = _round(request, pk)
    ledger_filter = LedgerFilter.from_query(request.GET)
    measures = None
    note = ""
    if ledger_filter.active:
        base = (
            Measure.all_objects.filter(round=round_).voided(ledger_filter.void)
            if ledger_filter.void
            else counted_measures(round_)
        )
        measures = ledger_filter.apply(base, timezone.localdate())
        note = filter_note(ledger_filter, round_)
    data = ledger_xlsx.write_round_ledger(round_, measures=measures, filter_note=note)
    suffix = "（筛选）" if note else ""
    return _download(data, f"{round_.title}-整改台账{suffix}-{timezone.localdate().isoformat()}.xlsx", "xlsx")


def filter_note(ledger_filter: LedgerFilter, round_: Round) -> str:
    """The ledger filter in words: "方面：理论学习；状态：未办结；搜索：学习"."""
    parts = []
    if ledger_filter.aspect == "none":
        parts.append("方面：未归入方面")
    elif ledger_filter.aspect:
        aspect = Aspect.objects.filter(pk=int(ledger_filter.aspect)).first()
        parts.append(f"方面：{aspect.name if aspect else ledger_filter.aspect}")
    if ledger_filter.status == "open":
        parts.append("状态：未办结")
    elif ledger_filter.status:
        parts.append(f"状态：{MeasureStatus(ledger_filter.status).label}")
    if ledger_filter.owner == "none":
        parts.append("责任领导：未分配")
    elif ledger_filter.owner:
        owner = Member.objects.filter(pk=int(ledger_filter.owner), team_id=round_.team_id).first()
        parts.append(f"责任领导：{owner.name if owner else ledger_filter.owner}")
    if ledger_filter.deadline:
        parts.append(f"完成时限：{DEADLINE_FILTERS[ledger_filter.deadline]}")
    if ledger_filter.q:
        parts.append(f"搜索：{ledger_filter.q}")
    if ledger_filter.void:
        parts.append(VOID_CHOICES[ledger_filter.void])
    return "；".join(parts)
