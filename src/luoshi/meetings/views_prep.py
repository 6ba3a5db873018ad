"""Pages of a round's preparation: the steps (timeline), study sessions and talks (the coverage
matrix). A round the user may not see is a 404 (`for_user`); an organizer's action refused to
someone who may see the round is the service's Chinese message with its status. A talk's
confidential summary is shown only where `services_prep.can_read_summary` allows it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from luoshi.errors import DomainError, Invalid, NotAllowed
from luoshi.ledger.models import Round
from luoshi.meetings import services_prep as services
from luoshi.meetings import steps as timeline_steps
from luoshi.meetings import talks as talk_matrix
from luoshi.meetings.figures import preparation_figures
from luoshi.meetings.forms_prep import (
    AnchorForm,
    OversightForm,
    PairTalkForm,
    SecretaryForm,
    StepForm,
    StudyForm,
    TalkForm,
)
from luoshi.meetings.models import Oversight, Preparation, StudySession, Talk, TalkMode


def _visible_round(request: HttpRequest, pk: int) -> Round:
    return get_object_or_404(Round.objects.for_user(request.user).select_related("team__organization"), pk=pk)


def _refused(request: HttpRequest, error: DomainError, round_: Round) -> HttpResponse:
    return render(
        request,
        "meetings/prep/refused.html",
        {"message": error.message, "round": round_},
        status=error.status,
    )


def _form_error(form: Any) -> Invalid:
    return Invalid("；".join(str(e) for errors in form.errors.values() for e in errors) or "请检查填写的内容")


# --- the steps ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_steps(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's steps with their deadlines; the organizer sets the anchor date and marks steps."""
    round_ = _visible_round(request, pk)
    can_manage = services.can_manage(request.user, round_)
    if request.method == "POST":
        try:
            if not can_manage:
                raise NotAllowed("只有本轮次的组织者可以设定日期和记录步骤")
            op = request.POST.get("op", "")
            if op == "anchor":
                form: Any = AnchorForm(request.POST)
                if not form.is_valid():
                    raise _form_error(form)
                services.set_anchor(round_, form.cleaned_data["anchor_date"], actor=request.user)
                messages.success(
                    request, f"已设定{timeline_steps.anchor_label(round_)}，各步骤时限已按规定计算。"
                )
            elif op == "step":
                form = StepForm(request.POST)
                if not form.is_valid():
                    raise _form_error(form)
                data = form.cleaned_data
                # "标记完成" with no date given: done today.
                done = data["done"] or (timezone.localdate() if request.POST.get("mark") == "done" else None)
                services.mark_step(
                    round_, data["step"], actor=request.user, planned=data["planned"], done=done
                )
                messages.success(request, "已保存步骤日期。")
            else:
                raise Invalid("未知的操作")
        except DomainError as error:
            return _refused(request, error, round_)
        return redirect("round_steps", pk=round_.pk)
    line = timeline_steps.timeline(round_)
    return render(
        request,
        "meetings/prep/steps.html",
        {
            "round": round_,
            "timeline": line,
            "can_manage": can_manage,
            "today": timezone.localdate(),
            "anchor_label": timeline_steps.anchor_label(round_),
        },
    )


# --- study sessions --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_study(request: HttpRequest, pk: int) -> HttpResponse:
    """Study sessions (集中学习研讨) of the round: the list, and for the organizer a form."""
    round_ = _visible_round(request, pk)
    can_manage = services.can_manage(request.user, round_)
    form = StudyForm(request.POST or None, round_=round_)
    status = 200
    if request.method == "POST":
        if not can_manage:
            return _refused(request, NotAllowed("只有本轮次的组织者可以记录集中学习"), round_)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_study(
                    round_,
                    actor=request.user,
                    date=data["date"],
                    topic=data["topic"],
                    seminar=data["seminar"],
                    attendees=data["attendees"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, "已记录集中学习。")
                return redirect("round_study", pk=round_.pk)
        else:
            status = 422
    sessions = StudySession.objects.filter(round=round_).prefetch_related("attendees")
    return render(
        request,
        "meetings/prep/study.html",
        {
            "round": round_,
            "sessions": sessions,
            "form": form,
            "can_manage": can_manage,
            "figures": preparation_figures(round_),
        },
        status=status,
    )


# --- talks -----------------------------------------------------------------------------------------


def _talk_rows(request: HttpRequest, round_: Round) -> list[tuple[Talk, bool]]:
    talks = Talk.objects.filter(round=round_).select_related("initiator", "round__team__organization")
    return [(t, services.can_read_summary(t, request.user)) for t in talks.prefetch_related("partners")]


def _talks_post(request: HttpRequest, round_: Round) -> str:
    """Perform the posted change; returns the success message."""
    op = request.POST.get("op", "")
    if op == "pair":
        pair: Any = PairTalkForm(request.POST, round_=round_)
        if not pair.is_valid():
            raise _form_error(pair)
        data = pair.cleaned_data
        second, head = data["second"], data["head"].strip()
        if second is None and not head:
            raise Invalid("请选择谈话对象")
        services.record_talk(
            round_,
            actor=request.user,
            initiator=data["first"],
            partners=[second] if second else [],
            outside_partners="" if second else head,
            date=data["date"],
            mode=TalkMode.ONE_TO_ONE,
        )
        return f"已记录 {data['first'].name} 与 {second.name if second else head} 的谈心谈话。"
    if op == "talk":
        form: Any = TalkForm(request.POST, round_=round_)
        if not form.is_valid():
            raise _form_error(form)
        data = form.cleaned_data
        services.record_talk(
            round_,
            actor=request.user,
            initiator=data["initiator"],
            partners=data["partners"],
            outside_partners=data["outside_partners"],
            date=data["date"],
            mode=data["mode"],
            summary=data["summary"],
        )
        return "已记录谈心谈话。"
    if op == "secretary":
        form = SecretaryForm(request.POST, round_=round_)
        if not form.is_valid():
            raise _form_error(form)
        services.set_secretary(round_, form.cleaned_data["secretary"], actor=request.user)
        return "已指定书记。"
    if op == "oversight":
        form = OversightForm(request.POST, round_=round_)
        if not form.is_valid():
            raise _form_error(form)
        data = form.cleaned_data
        services.add_oversight(data["member"], actor=request.user, unit=data["unit"], head=data["head"])
        return f"已登记 {data['member'].name} 分管的 {data['unit']}。"
    if op == "oversight_remove":
        oversight = get_object_or_404(
            Oversight.objects.filter(member__team_id=round_.team_id), pk=request.POST.get("oversight") or 0
        )
        services.remove_oversight(oversight, actor=request.user)
        return "已删除分管单位。"
    raise Invalid("未知的操作")


@login_required
@require_http_methods(["GET", "POST"])
def round_talks(request: HttpRequest, pk: int) -> HttpResponse:
    """The coverage matrix of required talk pairs, the talks recorded, and the organizer's forms."""
    round_ = _visible_round(request, pk)
    can_manage = services.can_manage(request.user, round_)
    if request.method == "POST":
        try:
            if not can_manage:
                raise NotAllowed("只有本轮次的组织者可以记录谈心谈话")
            messages.success(request, _talks_post(request, round_))
        except DomainError as error:
            return _refused(request, error, round_)
        return redirect("round_talks", pk=round_.pk)
    found = talk_matrix.matrix(round_)
    preparation = Preparation.objects.filter(round=round_).first()
    return render(
        request,
        "meetings/prep/talks.html",
        {
            "round": round_,
            "matrix": found,
            "talks": _talk_rows(request, round_),
            "can_manage": can_manage,
            "today": timezone.localdate(),
            "kind_labels": [talk_matrix.PAIR_KIND_LABELS[k] for k in found.kinds],
            "talk_form": TalkForm(round_=round_),
            "secretary_form": SecretaryForm(
                round_=round_, initial={"secretary": preparation.secretary_id if preparation else None}
            ),
            "oversight_form": OversightForm(round_=round_),
            "oversights": Oversight.objects.filter(member__in=found.members).select_related("member"),
        },
    )
