"""Pages: 催办 (one measure, or in bulk from a round's ledger), 督办单 (issue, read, 签收, 反馈, .docx),
the organization's notification channels, a person's notice preferences, and the delivery log.

Every object comes through `for_user` (not yours is a 404); every change goes through a service in
`supervision` or `services`, whose refusal is shown as its Chinese message with its status.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from luoshi.errors import DomainError
from luoshi.ledger.models import Measure, Round
from luoshi.notices import services, supervision
from luoshi.notices.channels import CONFIG_FIELDS, SECRET_LABELS, SendError
from luoshi.notices.forms import BulkUrgeForm, ChannelForm, OrderForm, PreferenceForm, ReplyForm, UrgeForm
from luoshi.notices.models import Channel, Delivery, DeliveryState, OrderGrade, Preference, SupervisionOrder
from luoshi.notices.rules import RULES
from luoshi.orgs.models import Organization


def _measure(request: HttpRequest, pk: int) -> Measure:
    return get_object_or_404(
        Measure.objects.for_user(request.user, "view").select_related(
            "round__team__organization", "owner__user"
        ),
        pk=pk,
    )


# --- 催办 ------------------------------------------------------------------------------------------


@login_required
@require_POST
def measure_urge(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure(request, pk)
    form = UrgeForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    try:
        supervision.urge(measure, actor=request.user, message=message)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "已催办，责任领导会收到通知")
    return redirect("measure_detail", pk=measure.pk)


@login_required
def round_urge(request: HttpRequest, pk: int) -> HttpResponse:
    """催办 in bulk: the round's open measures, overdue and due soon first, each with its suggested grade."""
    round_ = get_object_or_404(
        Round.objects.for_user(request.user, "view").select_related("team__organization"), pk=pk
    )
    today = timezone.localdate()
    measures = list(
        Measure.objects.for_user(request.user, "view")
        .filter(round=round_, status__in=supervision.URGEABLE)
        .select_related("owner__user")
        .order_by("current_deadline", "number")
    )
    urged_today = set(
        Measure.objects.filter(pk__in=[m.pk for m in measures], urges__day=today).values_list("pk", flat=True)
    )
    choices = [(m.pk, m.summary) for m in measures]
    form = BulkUrgeForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        chosen = [m for m in measures if m.pk in set(form.cleaned_data["measures"])]
        result = supervision.urge_many(chosen, actor=request.user, message=form.cleaned_data["message"])
        if result.urged:
            messages.success(request, f"已催办 {len(result.urged)} 项措施")
        for measure, reason in result.skipped:
            messages.warning(request, f"措施{measure.number}未催办：{reason}")
        return redirect("round_urge", pk=round_.pk)
    rows = [
        {
            "measure": m,
            "light": m.light(today),
            "days_left": m.days_left(today),
            "grade": supervision.suggest_grade(m, today),
            "urged": m.pk in urged_today,
        }
        for m in measures
    ]
    status = 422 if request.method == "POST" else 200
    return render(
        request, "notices/round_urge.html", {"round": round_, "rows": rows, "form": form}, status=status
    )


# --- 督办单 -----------------------------------------------------------------------------------------


@login_required
def order_create(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure(request, pk)
    suggested = supervision.suggest_grade(measure)
    initial = {
        "grade": suggested or OrderGrade.BLUE,
        "reply_deadline": timezone.localdate() + datetime.timedelta(days=_reply_days()),
        "reason": supervision.GRADE_MEANING[OrderGrade(suggested)] if suggested else "",
    }
    form = OrderForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                order = supervision.issue_order(
                    measure,
                    actor=request.user,
                    grade=form.cleaned_data["grade"],
                    reason=form.cleaned_data["reason"],
                    reply_deadline=form.cleaned_data["reply_deadline"],
                )
            except DomainError as e:
                error, status = e.message, e.status
            else:
                messages.success(request, f"已签发{order.title}")
                return redirect("order_detail", pk=order.pk)
        else:
            error, status = "请检查填写的内容", 422
    context = {
        "measure": measure,
        "form": form,
        "suggested": suggested,
        "error": error,
        "meanings": supervision.GRADE_MEANING,
    }
    return render(request, "notices/order_form.html", context, status=status)


def _reply_days() -> int:
    from django.conf import settings

    return int(settings.LUOSHI_REMIND_REPLY_DAYS)


def _order(request: HttpRequest, pk: int) -> SupervisionOrder:
    return get_object_or_404(
        SupervisionOrder.objects.for_user(request.user, "view").select_related(
            "measure__round__team__organization",
            "measure__owner__user",
            "organization",
            "issued_by",
            "acknowledged_by",
            "replied_by",
        ),
        pk=pk,
    )


@login_required
def order_detail(request: HttpRequest, pk: int, *, error: str = "", status: int = 200) -> HttpResponse:
    order = _order(request, pk)
    from luoshi.ledger.services import capacities
    from luoshi.ledger.states import OWNER_SIDE, Actor

    held = capacities(order.measure, request.user)
    receiver = bool(held & OWNER_SIDE) and (Actor.OWNER in held or order.issued_by_id != request.user.pk)
    context = {
        "order": order,
        "receiver": receiver,
        "reply_form": ReplyForm(),
        "error": error,
        "meaning": supervision.GRADE_MEANING[OrderGrade(order.grade)],
    }
    return render(request, "notices/order_detail.html", context, status=status)


@login_required
@require_POST
def order_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    try:
        supervision.acknowledge(order, actor=request.user)
    except DomainError as e:
        return order_detail(request, pk, error=e.message, status=e.status)
    messages.success(request, f"已签收{order.title}")
    return redirect("order_detail", pk=pk)


@login_required
@require_POST
def order_reply(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return order_detail(request, pk, error="请填写反馈情况", status=422)
    try:
        supervision.reply(order, actor=request.user, text=form.cleaned_data["text"])
    except DomainError as e:
        return order_detail(request, pk, error=e.message, status=e.status)
    messages.success(request, f"已反馈{order.title}")
    return redirect("order_detail", pk=pk)


@login_required
def order_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from luoshi.notices.documents import order_document

    order = _order(request, pk)
    data = order_document(order)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(order.title + '.docx')}"
    return response


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    orders = SupervisionOrder.objects.for_user(request.user, "view").select_related(
        "measure__round__team__organization", "measure__owner", "organization"
    )
    state = request.GET.get("state", "")
    if state:
        orders = orders.filter(state=state)
    page = Paginator(orders, 50).get_page(request.GET.get("page"))
    return render(
        request, "notices/order_list.html", {"page": page, "state": state, "today": timezone.localdate()}
    )


# --- channels, preferences, the delivery log ----------------------------------------------------------


def _managed_organizations(user: Any) -> list[Organization]:
    return list(Organization.objects.for_user(user, "manage"))


@login_required
def channel_list(request: HttpRequest) -> HttpResponse:
    organizations = _managed_organizations(request.user)
    if not organizations:
        return render(request, "notices/channels.html", {"organizations": []}, status=403)
    form = ChannelForm(request.POST or None, organizations=[(o.pk, o.name) for o in organizations])
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            organization = next(o for o in organizations if o.pk == form.cleaned_data["organization"])
            try:
                channel = services.add_channel(
                    organization,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                    config=form.config(),
                    secret=form.cleaned_data["secret"],
                )
            except DomainError as e:
                error, status = e.message, e.status
            else:
                messages.success(request, f"已添加通知渠道“{channel.name}”")
                return redirect("channel_list")
        else:
            error, status = "请检查填写的内容", 422
    channels = Channel.objects.for_user(request.user).select_related("organization")
    context = {
        "organizations": organizations,
        "channels": channels,
        "form": form,
        "error": error,
        "config_fields": CONFIG_FIELDS,
        "secret_labels": SECRET_LABELS,
    }
    return render(request, "notices/channels.html", context, status=status)


@login_required
@require_POST
def channel_remove(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.for_user(request.user).select_related("organization"), pk=pk)
    try:
        services.remove_channel(channel, actor=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, f"已删除通知渠道“{channel.name}”")
    return redirect("channel_list")


@login_required
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.for_user(request.user).select_related("organization"), pk=pk)
    try:
        services.try_channel(channel, actor=request.user, to_email=request.POST.get("to", "").strip())
    except (DomainError, SendError) as e:
        messages.error(request, f"测试失败：{getattr(e, 'message', str(e))}")
    else:
        messages.success(request, f"测试消息已通过“{channel.name}”发出")
    return redirect("channel_list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    current = Preference.objects.filter(user_id=cast(int, request.user.pk)).first()
    initial = {
        "mode": current.mode if current else "immediate",
        "kinds": current.kinds if current else [],
        "quiet_hours": current.quiet_hours if current else "",
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_preference(
                    request.user,
                    mode=form.cleaned_data["mode"],
                    kinds=form.cleaned_data["kinds"],
                    quiet_hours=form.cleaned_data["quiet_hours"],
                )
            except DomainError as e:
                error, status = e.message, e.status
            else:
                messages.success(request, "通知设置已保存")
                return redirect("notice_preferences")
        else:
            error, status = "请检查填写的内容", 422
    from django.conf import settings

    context = {
        "form": form,
        "error": error,
        "default_quiet": settings.LUOSHI_REMIND_QUIET_HOURS,
        "digest_time": settings.LUOSHI_REMIND_DIGEST_TIME,
    }
    return render(request, "notices/preferences.html", context, status=status)


@login_required
def delivery_log(request: HttpRequest) -> HttpResponse:
    """What was sent to whom, when, and what failed: the organizer's organizations and below."""
    if not _managed_organizations(request.user):
        return render(request, "notices/deliveries.html", {"page": None}, status=403)
    rows = Delivery.objects.for_user(request.user).select_related("recipient", "channel", "organization")
    state = request.GET.get("state", "")
    if state in DeliveryState.values:
        rows = rows.filter(state=state)
    elif state == "problem":
        rows = rows.filter(state__in=[DeliveryState.FAILED, DeliveryState.GIVEN_UP])
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "rules": RULES, "states": DeliveryState.choices}
    return render(request, "notices/deliveries.html", context)
