"""The opinions pages (征求意见): the public link and its QR code and poster, staff entry and the
.xlsx import, classification, forwarding (a page and a .docx), each member's own page, and the
problems opinions lead to.

A round the user may not see is a 404 (`Round.objects.for_user`); what a user may do or see within
it (contact details above all) is asked of `services_opinions`. The public page needs no login.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from luoshi.accounts.signals import client_ip
from luoshi.errors import DomainError, NotAllowed
from luoshi.ledger.models import Problem, Round
from luoshi.meetings import services_opinions as services
from luoshi.meetings.figures import opinion_figures
from luoshi.meetings.forms_opinions import (
    ClassifyForm,
    ImportForm,
    LinkProblemsForm,
    ProblemFromOpinionForm,
    PublicOpinionForm,
    StaffOpinionForm,
)
from luoshi.meetings.models import Opinion, OpinionLink, OpinionStatus
from luoshi.orgs.models import Member

IMPORT_MAX_AGE = 3600  # seconds a preview may wait for its confirmation


# --- helpers ---------------------------------------------------------------------------------------


def _visible_round(request: HttpRequest, pk: int) -> Round:
    return get_object_or_404(
        Round.objects.for_user(request.user).select_related("team__organization", "framework"), pk=pk
    )


def _managed_round(request: HttpRequest, pk: int) -> Round:
    """The round, if the user organizes it; a round they may only see is refused (403), one they may
    not see a 404."""
    round_ = _visible_round(request, pk)
    if not services.may_manage(request.user, round_):
        raise NotAllowed("只有本单位（或上级单位）的组织者可以处理意见建议")
    return round_


def _managed_opinion(request: HttpRequest, pk: int) -> Opinion:
    """Opinions are handled by the organizers only: anyone else gets a 404, contact details and all."""
    rounds = Round.objects.for_user(request.user, "manage")
    return get_object_or_404(
        Opinion.objects.filter(round__in=rounds).select_related(
            "round__team__organization", "round__framework", "aspect", "target_member"
        ),
        pk=pk,
    )


def _refused(request: HttpRequest, error: DomainError, round_: Round | None = None) -> HttpResponse:
    return render(
        request,
        "ledger/import/refused.html",
        {"message": error.message, "round": round_},
        status=error.status,
    )


def _members(round_: Round) -> list[Member]:
    return list(Member.objects.filter(team_id=round_.team_id, active=True).order_by("order", "pk"))


def public_url(link: OpinionLink) -> str:
    """The address printed on the poster and in the QR code (LUOSHI_BASE_URL: what the public reaches)."""
    return settings.LUOSHI_BASE_URL + reverse("public_opinion", args=[link.token])


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


# --- the organizer's page ---------------------------------------------------------------------------


@login_required
def round_opinions(request: HttpRequest, pk: int) -> HttpResponse:
    """The organizer's list of the round's opinions, with their contact details; a member is sent to
    their own page."""
    round_ = _visible_round(request, pk)
    if not services.may_manage(request.user, round_):
        member = services.member_of(request.user, round_)
        if member is not None:
            return redirect("opinion_member", pk=round_.pk, member_pk=member.pk)
        return _refused(request, NotAllowed("只有组织者和本班子成员可以查看意见建议"), round_)
    status = request.GET.get("status", "")
    opinions = (
        Opinion.objects.filter(round=round_)
        .select_related("aspect", "target_member")
        .annotate(problem_count=Count("problems"))
    )
    if status in OpinionStatus.values:
        opinions = opinions.filter(status=status)
    members = _members(round_)
    aspects = list(round_.framework.aspects.all())
    rows = [
        (
            opinion,
            ClassifyForm(
                aspects=aspects,
                members=members,
                initial={"aspect": opinion.aspect_id, "target": opinion.target_member_id or ""},
                prefix=f"o{opinion.pk}",
            ),
        )
        for opinion in opinions
    ]
    link = OpinionLink.objects.filter(round=round_).first()
    context = {
        "round": round_,
        "rows": rows,
        "status": status,
        "statuses": OpinionStatus.choices,
        "link": link,
        "public_url": public_url(link) if link else "",
        "figures": opinion_figures(round_),
        "show_contact": services.may_see_contact(request.user, round_),
        "classified": Opinion.objects.filter(round=round_, status=OpinionStatus.CLASSIFIED).count(),
        "members": members,
    }
    return _private(render(request, "meetings/opinions/staff.html", context))


@login_required
@require_POST
def opinion_link(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _visible_round(request, pk)
    try:
        link = services.open_link(round_, actor=request.user, open=request.POST.get("open") == "1")
    except DomainError as error:
        return _refused(request, error, round_)
    messages.success(request, "征求意见链接已开放。" if link.open else "征求意见链接已关闭。")
    return redirect("round_opinions", pk=round_.pk)


@login_required
def opinion_qr(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The public link's QR code, made here (segno, offline): PNG for screens and SVG for print."""
    import io

    import segno

    try:
        round_ = _managed_round(request, pk)
    except NotAllowed as error:
        return _refused(request, error)
    link = OpinionLink.objects.filter(round=round_).first()
    if link is None:
        raise Http404("尚未开放征求意见链接")
    code = segno.make(public_url(link), error="m")
    buffer = io.BytesIO()
    if fmt == "svg":
        code.save(buffer, kind="svg", scale=8, border=2, xmldecl=True, title="征求意见二维码")
        content_type = "image/svg+xml"
    else:
        code.save(buffer, kind="png", scale=10, border=2)
        content_type = "image/png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    filename = f"{round_.title}-征求意见二维码.{fmt}"
    if request.GET.get("download"):
        response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


@login_required
def opinion_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """An A4 poster for the 意见箱 and notice boards: the QR code, the address, what happens to an opinion."""
    try:
        round_ = _managed_round(request, pk)
    except NotAllowed as error:
        return _refused(request, error)
    link = OpinionLink.objects.filter(round=round_).first()
    if link is None:
        raise Http404("尚未开放征求意见链接")
    return render(
        request,
        "meetings/opinions/poster.html",
        {"round": round_, "link": link, "public_url": public_url(link)},
    )


# --- staff entry and import -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def opinion_create(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        round_ = _managed_round(request, pk)
    except NotAllowed as error:
        return _refused(request, error)
    form = StaffOpinionForm(request.POST or None, members=_members(round_))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.enter_opinion(
                    round_,
                    actor=request.user,
                    source=form.cleaned_data["source"],
                    text=form.cleaned_data["text"],
                    target=form.member,
                    contact=form.cleaned_data["contact"],
                    received_on=form.cleaned_data["received_on"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "已录入一条意见建议。")
                return redirect("round_opinions", pk=round_.pk)
        status = 422
    return render(request, "meetings/opinions/form.html", {"round": round_, "form": form}, status=status)


def _salt(round_: Round, request: HttpRequest) -> str:
    return f"luoshi.opinion-import:{round_.pk}:{request.user.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def opinion_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a sheet → its preview, row by row; nothing is saved until the organizer confirms."""
    from luoshi.web.uploads import max_upload_bytes

    try:
        round_ = _managed_round(request, pk)
    except NotAllowed as error:
        return _refused(request, error)
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"round": round_, "form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                preview = services.preview_xlsx(
                    round_,
                    bytes(upload.read(max_upload_bytes() + 1)),
                    actor=request.user,
                    name=upload.name or "",
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = 422
            else:
                context["preview"] = preview
                context["payload"] = signing.dumps(
                    preview.payload(), salt=_salt(round_, request), compress=True
                )
                context["show_contact"] = services.may_see_contact(request.user, round_)
        else:
            status = 422
    return render(request, "meetings/opinions/import.html", context, status=status)


@login_required
@require_POST
def opinion_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        round_ = _managed_round(request, pk)
    except NotAllowed as error:
        return _refused(request, error)
    try:
        payload = signing.loads(
            request.POST.get("payload", ""), salt=_salt(round_, request), max_age=IMPORT_MAX_AGE
        )
    except signing.BadSignature:
        messages.error(request, "预览已过期或内容不完整，请重新上传表格。")
        return redirect("opinion_import", pk=round_.pk)
    try:
        created = services.confirm_import(round_, payload, actor=request.user)
    except DomainError as error:
        return _refused(request, error, round_)
    messages.success(request, f"已导入意见建议 {len(created)} 条，请逐条确认分类。")
    return redirect("round_opinions", pk=round_.pk)


# --- classify, link, forward ------------------------------------------------------------------------


@login_required
@require_POST
def opinion_classify(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = _managed_opinion(request, pk)
    round_ = opinion.round
    form = ClassifyForm(
        request.POST,
        aspects=list(round_.framework.aspects.all()),
        members=_members(round_),
        prefix=f"o{opinion.pk}",
    )
    if not form.is_valid():
        messages.error(request, "分类内容有误，请重新选择。")
    else:
        try:
            services.classify(opinion, actor=request.user, aspect=form.aspect_chosen, target=form.member)
        except DomainError as error:
            return _refused(request, error, round_)
        messages.success(request, "已确认分类。")
    if request.POST.get("next") == "detail":
        return redirect("opinion_detail", pk=opinion.pk)
    return redirect(reverse("round_opinions", args=[round_.pk]) + f"#opinion-{opinion.pk}")


@login_required
def opinion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = _managed_opinion(request, pk)
    round_ = opinion.round
    problems = Problem.objects.filter(round=round_).order_by("number")
    context = {
        "round": round_,
        "opinion": opinion,
        "show_contact": services.may_see_contact(request.user, round_),
        "classify_form": ClassifyForm(
            aspects=list(round_.framework.aspects.all()),
            members=_members(round_),
            initial={"aspect": opinion.aspect_id, "target": opinion.target_member_id or ""},
            prefix=f"o{opinion.pk}",
        ),
        "link_form": LinkProblemsForm(
            problems=problems, initial={"problems": list(opinion.problems.values_list("pk", flat=True))}
        ),
        "linked": opinion.problems.order_by("number"),
    }
    return _private(render(request, "meetings/opinions/detail.html", context))


@login_required
@require_POST
def opinion_link_problems(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = _managed_opinion(request, pk)
    form = LinkProblemsForm(request.POST, problems=Problem.objects.filter(round=opinion.round))
    if form.is_valid():
        try:
            services.link_problems(opinion, form.cleaned_data["problems"], actor=request.user)
        except DomainError as error:
            return _refused(request, error, opinion.round)
        messages.success(request, "已更新关联的问题。")
    else:
        messages.error(request, "所选问题不属于本轮次。")
    return redirect("opinion_detail", pk=opinion.pk)


@login_required
@require_http_methods(["GET", "POST"])
def opinion_problem_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a problem from an opinion: the draft shown first, created on confirmation."""
    opinion = _managed_opinion(request, pk)
    draft = services.problem_draft(opinion)
    form = ProblemFromOpinionForm(request.POST or None, initial={"summary": draft["summary"]})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                problem = services.create_problem(
                    opinion, actor=request.user, summary=form.cleaned_data["summary"]
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"已由这条意见建议新增问题 {problem.number}。")
                return redirect("problem_detail", pk=problem.pk)
        status = 422
    return render(
        request,
        "meetings/opinions/problem_confirm.html",
        {"round": opinion.round, "opinion": opinion, "draft": draft, "form": form},
        status=status,
    )


@login_required
@require_POST
def opinion_forward(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _visible_round(request, pk)
    try:
        forwarded = services.forward(round_, actor=request.user)
    except DomainError as error:
        return _refused(request, error, round_)
    messages.success(request, f"已原文转交意见建议 {len(forwarded)} 条。")
    return redirect("opinions_grouped", pk=round_.pk)


@login_required
def opinions_grouped(request: HttpRequest, pk: int) -> HttpResponse:
    """What was passed on, grouped by target and aspect (the organizer's page; no contact details)."""
    try:
        round_ = _managed_round(request, pk)
    except NotAllowed as error:
        return _refused(request, error)
    opinions = Opinion.objects.filter(round=round_, status=OpinionStatus.FORWARDED).select_related(
        "aspect", "target_member"
    )
    return _private(
        render(
            request,
            "meetings/opinions/grouped.html",
            {"round": round_, "groups": services.grouped(opinions, round_), "members": _members(round_)},
        )
    )


@login_required
def opinions_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The forwarded opinions as a .docx: all of them for the organizers, or (?member=) those a
    member's page shows, for that member or the organizers."""
    round_ = _visible_round(request, pk)
    member_pk = request.GET.get("member", "")
    if member_pk:
        member = get_object_or_404(
            Member, pk=int(member_pk) if member_pk.isdigit() else 0, team_id=round_.team_id
        )
        if not services.may_read_member_page(request.user, round_, member):
            raise Http404
        opinions = services.forwarded_about(round_, member)
        title = f"{member.name}-意见建议"
    elif services.may_manage(request.user, round_):
        opinions = Opinion.objects.filter(round=round_, status=OpinionStatus.FORWARDED).select_related(
            "aspect", "target_member"
        )
        title = "意见建议"
    else:
        return _refused(request, NotAllowed("只有本单位（或上级单位）的组织者可以下载全部意见建议"), round_)
    data = services.grouped_docx(round_, opinions)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    filename = f"{round_.title}-{title}-{timezone.localdate().isoformat()}.docx"
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return _private(response)


@login_required
def opinion_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """A member's own page: the opinions passed on about them and about the team, verbatim, without
    contact details. Only that member and the organizers; anyone else gets a 404."""
    round_ = _visible_round(request, pk)
    member = get_object_or_404(Member, pk=member_pk, team_id=round_.team_id)
    if not services.may_read_member_page(request.user, round_, member):
        raise Http404
    opinions = services.forwarded_about(round_, member)
    groups = services.grouped(opinions, round_)
    return _private(
        render(
            request,
            "meetings/opinions/member.html",
            {"round": round_, "member": member, "groups": groups, "total": sum(g.count for g in groups)},
        )
    )


# --- the public page --------------------------------------------------------------------------------


def _client(request: HttpRequest) -> str:
    # Only ever hashed with an hourly secret (services_opinions.take_submission_slot).
    return f"{client_ip(request)}|{request.META.get('HTTP_USER_AGENT', '')[:200]}"


@never_cache
@require_http_methods(["GET", "POST"])
def public_opinion(request: HttpRequest, token: str) -> HttpResponse:
    """The page the QR code opens: no login, anonymous unless the person leaves contact details."""
    link = services.link_for_token(token)
    if link is None:
        raise Http404
    round_ = link.round
    members = _members(round_)
    form = PublicOpinionForm(request.POST or None, members=members)
    context: dict[str, Any] = {
        "round": round_,
        "link": link,
        "form": form,
        "max_chars": services.max_chars(),
        "organization": round_.team.organization.name,
    }
    status = 200
    if not link.open or round_.archived:
        return render(request, "meetings/opinions/public.html", {**context, "closed": True}, status=410)
    if request.method == "POST":
        status = 422
        if form.is_valid():
            if not services.take_submission_slot(_client(request)):
                context["limited"] = (
                    f"提交过于频繁：每小时最多可提交 {settings.LUOSHI_OPINION_PER_HOUR} 条意见建议，请稍后再试。"
                )
                status = 429
            else:
                try:
                    services.submit_public(
                        link,
                        text=form.cleaned_data["text"],
                        target=form.member,
                        contact=form.cleaned_data["contact"],
                    )
                except DomainError as error:
                    form.add_error(None, error.message)
                    status = error.status
                else:
                    return render(request, "meetings/opinions/public.html", {**context, "done": True})
    return render(request, "meetings/opinions/public.html", context, status=status)
