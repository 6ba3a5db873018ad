"""Pages of the recurrence app. Every object is fetched through `for_user`: not yours is a 404;
every change goes through `luoshi.recurrence.services`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from luoshi.errors import DomainError
from luoshi.ledger.models import Measure, Problem, Review, Round, Source
from luoshi.orgs.access import has_role
from luoshi.recurrence import matching, services
from luoshi.recurrence.forms import DismissForm, FeedbackImportForm, RecurrenceForm
from luoshi.recurrence.models import Decision, FeedbackBatch, FeedbackItem
from luoshi.web.uploads import max_upload_bytes


def _round(request: HttpRequest, pk: int) -> Round:
    return get_object_or_404(Round.objects.for_user(request.user).select_related("team__organization"), pk=pk)


def _can_manage(request: HttpRequest, round_: Round) -> bool:
    return has_role(request.user, round_.team.organization.path, "manage")


@login_required
def feedback_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's feedback batches, and (for organizers) the form that imports a new one."""
    round_ = _round(request, pk)
    can_manage = _can_manage(request, round_)
    posted = request.method == "POST"
    status = 200
    if posted and not can_manage:
        # Refused before the upload is read, let alone parsed.
        form = FeedbackImportForm()
        messages.error(request, "只有本单位的组织者可以导入督导、巡察反馈")
        status, posted = 403, False
    else:
        form = FeedbackImportForm(request.POST or None, request.FILES or None)
    if posted:
        if form.is_valid():
            try:
                document = form.cleaned_data["document"]
                if document:
                    data = document.read(max_upload_bytes() + 1)  # the form checked the size
                    entries = services.entries_from_document(data, document.name)
                else:
                    entries = services.entries_from_text(form.cleaned_data["pasted"])
                batch = services.import_feedback(
                    round_,
                    entries,
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"] or (document.name if document else ""),
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, f"已导入 {batch.items.count()} 条反馈事项，请逐条确认。")
                return redirect("feedback_batch", pk=batch.pk)
        else:
            status = 422
    batches = (
        FeedbackBatch.objects.for_user(request.user)
        .filter(round=round_)
        .select_related("created_by")
        .annotate(
            item_count=Count("items"),
            pending_count=Count("items", filter=Q(items__decision=Decision.PENDING)),
            recurrence_count=Count("items", filter=Q(items__decision=Decision.RECURRENCE)),
        )
    )
    return render(
        request,
        "recurrence/feedback_list.html",
        {"round": round_, "form": form, "batches": batches, "can_manage": can_manage},
        status=status,
    )


@dataclass
class ItemRow:
    """An item as the review page shows it: its visible earlier matches and the suggestion."""

    item: FeedbackItem
    matches: list[tuple[Problem, float]]
    suggested: Problem | None
    recurrence_of: Problem | None
    problem: Problem | None
    error: str = ""
    lessons: str = ""
    reason: str = ""


def _measures_with_closure() -> Prefetch[Any]:
    closes = Review.objects.filter(decision=Review.Decision.CLOSE).order_by("created_at", "id")
    return Prefetch(
        "measures",
        queryset=Measure.objects.order_by("number").prefetch_related(Prefetch("reviews", queryset=closes)),
    )


def _rows(request: HttpRequest, round_: Round, items: list[FeedbackItem]) -> list[ItemRow]:
    """Rows for ITEMS in a fixed number of queries: every earlier problem they name is fetched once,
    through the user's view permission (a match the user may not see is left out)."""
    wanted: set[int] = set()
    for item in items:
        wanted.update(int(m["id"]) for m in item.matches)
        wanted.update(pk for pk in (item.suggested_id, item.recurrence_of_id) if pk)
    earlier = {
        p.pk: p
        for p in matching.earlier_scope(round_, request.user)
        .filter(pk__in=wanted)
        .select_related("round")
        .prefetch_related(_measures_with_closure())
    }
    created_ids = [item.problem_id for item in items if item.problem_id]
    created = {p.pk: p for p in Problem.objects.for_user(request.user).filter(pk__in=created_ids)}
    rows = []
    for item in items:
        matches = [
            (earlier[int(m["id"])], float(m["score"])) for m in item.matches if int(m["id"]) in earlier
        ]
        rows.append(
            ItemRow(
                item=item,
                matches=matches,
                suggested=earlier.get(item.suggested_id) if item.suggested_id else None,
                recurrence_of=earlier.get(item.recurrence_of_id) if item.recurrence_of_id else None,
                problem=created.get(item.problem_id) if item.problem_id else None,
            )
        )
    return rows


@login_required
def feedback_batch(request: HttpRequest, pk: int) -> HttpResponse:
    """The review page: each item with its best earlier matches and the three decisions."""
    batch = get_object_or_404(
        FeedbackBatch.objects.for_user(request.user).select_related(
            "round__team__organization", "created_by"
        ),
        pk=pk,
    )
    items = list(batch.items.select_related("decided_by"))
    rows = _rows(request, batch.round, items)
    return render(
        request,
        "recurrence/feedback_batch.html",
        {
            "batch": batch,
            "round": batch.round,
            "rows": rows,
            "pending": sum(1 for i in items if i.is_pending),
            "can_manage": _can_manage(request, batch.round),
            "threshold": matching.threshold(),
        },
    )


@login_required
@require_POST
def feedback_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One decision on one item: recurrence (with 举一反三), new, or dismiss (with a reason)."""
    item = get_object_or_404(
        FeedbackItem.objects.for_user(request.user).select_related("batch__round__team__organization"), pk=pk
    )
    round_ = item.batch.round
    error, status = "", 200
    try:
        if action == "recurrence":
            form = RecurrenceForm(request.POST)
            if not form.is_valid():
                raise _FormError(_first_error(form))
            earlier = get_object_or_404(
                matching.earlier_scope(round_, request.user), pk=form.cleaned_data["earlier"]
            )
            problem = services.confirm_recurrence(
                item, actor=request.user, earlier=earlier, lessons=form.cleaned_data["lessons"]
            )
            done = f"已确认为反复出现的问题，列为第 {problem.number} 号问题；以往问题已记录“整改不彻底”。"
        elif action == "new":
            if not request.POST.get("confirmed") and item.is_pending and _can_manage(request, round_):
                # Creating a problem is asked once more, on a page that shows the problem to be.
                return feedback_confirm_new(request, item.pk)
            problem = services.mark_new(item, actor=request.user)
            done = f"已作为新问题列为第 {problem.number} 号问题。"
        elif action == "dismiss":
            dismiss_form = DismissForm(request.POST)
            if not dismiss_form.is_valid():
                raise _FormError(_first_error(dismiss_form))
            services.dismiss(item, actor=request.user, reason=dismiss_form.cleaned_data["reason"])
            done = "已不予采纳。"
        else:
            return HttpResponse("未知的操作", status=404)
    except _FormError as form_error:
        error, status = str(form_error), 422
    except DomainError as domain_error:
        error, status = domain_error.message, domain_error.status
    if not _is_htmx(request):
        if error:
            messages.error(request, error)
            return _with_status(request, item.batch_id, status)
        messages.success(request, done)
        return redirect("feedback_batch", pk=item.batch_id)
    item.refresh_from_db()
    row = _rows(request, round_, [item])[0]
    row.error = error
    if error:
        row.lessons = request.POST.get("lessons", "")
        row.reason = request.POST.get("reason", "")
    context = {
        "row": row,
        "round": round_,
        "can_manage": _can_manage(request, round_),
        "threshold": matching.threshold(),
    }
    return render(request, "recurrence/partials/item.html", context, status=status)


@login_required
def feedback_confirm_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation step of "新问题": the problem that will be created (round, number, source,
    aspect, text), and the button that creates it. Organizers of the round only; a decided item
    has nothing left to confirm."""
    item = get_object_or_404(
        FeedbackItem.objects.for_user(request.user).select_related("batch__round__team__organization"), pk=pk
    )
    round_ = item.batch.round
    if not _can_manage(request, round_):
        messages.error(request, "只有本单位的组织者可以处理反馈事项")
        return _with_status(request, item.batch_id, 403)
    if not item.is_pending:
        messages.error(request, f"该反馈事项已处理（{item.get_decision_display()}），不能重复处理")
        return _with_status(request, item.batch_id, 409)
    next_number = (Problem.objects.filter(round=round_).aggregate(n=Max("number"))["n"] or 0) + 1
    context = {
        "item": item,
        "batch": item.batch,
        "round": round_,
        "number": next_number,
        "source": Source(item.batch.kind).label if item.batch.kind in Source.values else item.batch.kind,
    }
    response = render(request, "recurrence/confirm_new.html", context)
    if _is_htmx(request):
        # From the htmx form of the review page: the confirmation is a page of its own.
        response["HX-Redirect"] = reverse("feedback_confirm_new", args=[item.pk])
    return response


class _FormError(Exception):
    pass


def _first_error(form: forms.Form) -> str:
    return str(next(iter(form.errors.values()))[0])


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx)


def _with_status(request: HttpRequest, batch_id: int, status: int) -> HttpResponse:
    """The review page again (the error is in the messages), answered with the error's status."""
    response = feedback_batch(request, batch_id)
    response.status_code = status
    return response


@login_required
def round_recurrences(request: HttpRequest, pk: int) -> HttpResponse:
    """Every problem of a round with the earlier rounds' problems it matches (以往提出过)."""
    round_ = _round(request, pk)
    earlier = matching.earlier_for_round(round_, request.user)
    problems = list(Problem.objects.filter(round=round_).select_related("aspect"))
    rows = [(p, earlier.get(p.pk, [])) for p in problems]
    return render(
        request,
        "recurrence/round_recurrences.html",
        {
            "round": round_,
            "rows": rows,
            "flagged": sum(1 for _, found in rows if found),
            "threshold": matching.threshold(),
            "can_manage": _can_manage(request, round_),
        },
    )
