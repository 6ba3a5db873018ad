"""The meeting page of a round (民主生活会): the meeting and its attendance with the quorum, 回头看,
criticisms (each can become its target's problem, after a confirmation page) and the meeting report.

Every round is fetched through `Round.objects.for_user` (not yours: 404); every change goes through
`luoshi.meetings.services_meeting`, whose refusals are shown on the page with their status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from luoshi.errors import DomainError
from luoshi.ledger.history import Entry, measure_histories
from luoshi.ledger.models import Round
from luoshi.meetings import services_meeting as services
from luoshi.meetings.forms_meeting import CarryDecisionForm, CriticismForm, CriticismProblemForm, MeetingForm
from luoshi.meetings.models import Attendance, CarriedMeasure, Criticism, Meeting
from luoshi.meetings.report import write_meeting_report
from luoshi.reports.views import CONTENT_TYPES


def _round(request: HttpRequest, pk: int) -> Round:
    return get_object_or_404(
        Round.objects.for_user(request.user).select_related("team__organization", "framework"), pk=pk
    )


@dataclass
class CarriedRow:
    carried: CarriedMeasure
    history: list[Entry]
    form: CarryDecisionForm
    error: str = ""


def _page(
    request: HttpRequest,
    round_: Round,
    *,
    status: int = 200,
    error: str = "",
    meeting_form: MeetingForm | None = None,
    criticism_form: CriticismForm | None = None,
    carry_error: tuple[int, str] | None = None,
) -> HttpResponse:
    can_manage = services.can_manage(request.user, round_)
    can_decide = services.can_decide_carried(request.user, round_)
    if can_decide:
        # 回头看 starts on its own: the first time someone who may act on it opens the page.
        services.carry_forward(round_, actor=request.user)
    meeting = Meeting.objects.filter(round=round_).select_related("host").first()
    if meeting_form is None:
        initial = (
            {"date": meeting.date, "place": meeting.place, "host": meeting.host_id}
            if meeting
            else {"date": services.planned_date(round_) or timezone.localdate()}
        )
        meeting_form = MeetingForm(initial=initial, round_=round_)
    carried = list(
        CarriedMeasure.objects.filter(round=round_).select_related(
            "measure__round", "measure__owner", "decided_by"
        )
    )
    histories = measure_histories([item.measure for item in carried], show_actors=True)
    rows = []
    for item in carried:
        rows.append(
            CarriedRow(
                carried=item,
                history=histories[item.measure_id],
                form=CarryDecisionForm(
                    initial={"decision": item.decision if item.decision != "pending" else "continue"},
                    prefix=f"c{item.pk}",
                ),
                error=carry_error[1] if carry_error and carry_error[0] == item.pk else "",
            )
        )
    context: dict[str, Any] = {
        "round": round_,
        "meeting": meeting,
        "can_manage": can_manage,
        "can_decide": can_decide,
        "error": error,
        "meeting_form": meeting_form,
        "criticism_form": criticism_form or CriticismForm(round_=round_),
        "previous": services.previous_round(round_),
        "carried_rows": rows,
        "criticisms": Criticism.objects.filter(round=round_).select_related(
            "from_member", "to_member", "problem"
        ),
    }
    if meeting is not None:
        context["quorum"] = services.quorum(meeting)
        context["attendance"] = Attendance.objects.filter(meeting=meeting).select_related("member")
    response = render(request, "meetings/meeting/round_meeting.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


def _refused(request: HttpRequest, round_: Round, error: DomainError, **extra: Any) -> HttpResponse:
    return _page(request, round_, status=error.status, error=error.message, **extra)


@login_required
def round_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the meeting page. POST: register the meeting (organizers), or correct its details."""
    round_ = _round(request, pk)
    if request.method != "POST":
        return _page(request, round_)
    form = MeetingForm(request.POST, round_=round_)
    if not form.is_valid():
        return _page(request, round_, status=422, meeting_form=form, error="请检查会议信息")
    meeting = Meeting.objects.filter(round=round_).first()
    data = form.cleaned_data
    try:
        if meeting is None:
            services.register_meeting(
                round_, actor=request.user, date=data["date"], place=data["place"], host=data["host"]
            )
            messages.success(request, "会议已登记；应到人员为班子全体在任成员，请登记缺席人员")
        else:
            services.change_meeting(
                meeting, actor=request.user, date=data["date"], place=data["place"], host=data["host"]
            )
            messages.success(request, "会议信息已保存")
    except DomainError as error:
        return _refused(request, round_, error, meeting_form=form)
    return redirect("round_meeting", pk=round_.pk)


def _meeting(round_: Round) -> Meeting:
    return get_object_or_404(Meeting, round=round_)


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Attendance: each expected attendee is present unless unticked, with the reason of absence."""
    round_ = _round(request, pk)
    meeting = _meeting(round_)
    absences = {
        row.member_id: request.POST.get(f"reason-{row.member_id}", "")
        for row in Attendance.objects.filter(meeting=meeting)
        if not request.POST.get(f"present-{row.member_id}")
    }
    try:
        found = services.record_attendance(meeting, actor=request.user, absences=absences)
    except DomainError as error:
        return _refused(request, round_, error)
    messages.success(request, f"出席情况已保存：{found.text}")
    return redirect("round_meeting", pk=round_.pk)


@login_required
@require_POST
def meeting_held(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the meeting as held; below the quorum only with the organizer's confirmation."""
    round_ = _round(request, pk)
    meeting = _meeting(round_)
    try:
        services.mark_held(
            meeting,
            actor=request.user,
            confirm_without_quorum=bool(request.POST.get("confirm_without_quorum")),
        )
    except DomainError as error:
        return _refused(request, round_, error)
    messages.success(request, "已记录会议召开")
    return redirect("round_meeting", pk=round_.pk)


@login_required
@require_POST
def meeting_carried(request: HttpRequest, pk: int, carried_pk: int) -> HttpResponse:
    """Record the meeting's 回头看 conclusion on one carried measure."""
    round_ = _round(request, pk)
    carried = get_object_or_404(CarriedMeasure, round=round_, pk=carried_pk)
    form = CarryDecisionForm(request.POST, prefix=f"c{carried.pk}")
    if not form.is_valid():
        return _page(request, round_, status=422, carry_error=(carried.pk, "请选择回头看结论"))
    try:
        services.decide_carried(
            carried, form.cleaned_data["decision"], actor=request.user, note=form.cleaned_data["note"]
        )
    except DomainError as error:
        return _refused(request, round_, error, carry_error=(carried.pk, error.message))
    messages.success(request, f"回头看结论已记录：{carried.measure.summary[:30]}")
    return redirect(f"{round_meeting_url(round_)}#carried-{carried.pk}")


def round_meeting_url(round_: Round) -> str:
    return reverse("round_meeting", args=[round_.pk])


@login_required
@require_POST
def meeting_criticism(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a criticism (or a self-criticism) raised at the meeting."""
    round_ = _round(request, pk)
    form = CriticismForm(request.POST, round_=round_)
    if not form.is_valid():
        return _page(request, round_, status=422, criticism_form=form, error="请检查批评意见")
    data = form.cleaned_data
    try:
        services.record_criticism(
            round_,
            actor=request.user,
            from_member=data["from_member"],
            to_member=data["to_member"],
            text=data["text"],
        )
    except DomainError as error:
        return _refused(request, round_, error, criticism_form=form)
    messages.success(request, "批评意见已登记")
    return redirect(f"{round_meeting_url(round_)}#criticisms")


@login_required
def criticism_problem(request: HttpRequest, pk: int, criticism_pk: int) -> HttpResponse:
    """GET: the confirmation step; POST: the criticism becomes its target member's problem."""
    round_ = _round(request, pk)
    criticism = get_object_or_404(
        Criticism.objects.select_related("from_member", "to_member", "problem"), round=round_, pk=criticism_pk
    )
    can_manage = services.can_manage(request.user, round_)
    status = 200
    error = ""
    if request.method == "POST":
        form = CriticismProblemForm(request.POST, round_=round_)
        if form.is_valid():
            try:
                problem = services.criticism_to_problem(
                    criticism,
                    actor=request.user,
                    summary=form.cleaned_data["summary"],
                    aspect=form.cleaned_data["aspect"],
                )
            except DomainError as refused:
                status, error = refused.status, refused.message
            else:
                messages.success(
                    request, f"已列为{criticism.to_member.name}的问题 {problem.number}：{problem.summary}"
                )
                return redirect(f"{round_meeting_url(round_)}#criticisms")
        else:
            status = 422
    else:
        form = CriticismProblemForm(
            initial={"summary": services.suggested_summary(criticism.text)}, round_=round_
        )
        if not can_manage:
            status, error = 403, "只有本单位（或上级单位）的组织者可以把批评意见列为问题"
    response = render(
        request,
        "meetings/meeting/criticism_problem.html",
        {"round": round_, "criticism": criticism, "form": form, "can_manage": can_manage, "error": error},
        status=status,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def meeting_report(request: HttpRequest, pk: int) -> HttpResponse:
    """会议情况报告 (.docx) of the round, written from its records."""
    round_ = _round(request, pk)
    data = write_meeting_report(round_)
    response = HttpResponse(data, content_type=CONTENT_TYPES["docx"])
    filename = f"{round_.title}-会议情况报告-{timezone.localdate().isoformat()}.docx"
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response
