"""Pages for corrections after confirmation: void (作废) and restore a problem or a measure, each
with a confirmation step that shows what it touches; edit a problem's or a measure's content and a
measure's quantified commitments.

Objects are fetched through `for_user(user, "view")` including voided ones (`all_objects`): not
yours is a 404. Whether the user may act is the service's decision; its refusal is shown as its
Chinese message with its status (403 / 409 / 422).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from luoshi.errors import DomainError
from luoshi.ledger import corrections, planning
from luoshi.ledger.models import Aspect, Commitment, Measure, Problem, Source


def _problem(request: HttpRequest, pk: int) -> Problem:
    return get_object_or_404(
        Problem.all_objects.for_user(request.user).select_related(
            "round__team__organization", "round__framework", "aspect", "voided_by"
        ),
        pk=pk,
    )


def _measure(request: HttpRequest, pk: int) -> Measure:
    return get_object_or_404(
        Measure.all_objects.for_user(request.user).select_related(
            "round__team__organization", "problem", "owner", "voided_by"
        ),
        pk=pk,
    )


# --- void and restore --------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="作废理由",
        max_length=corrections.REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "例如：同一文档重复导入；误录入"}),
    )


class RestoreForm(forms.Form):
    reason = forms.CharField(
        label="恢复说明（可不填）",
        required=False,
        max_length=corrections.REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _confirm_page(
    request: HttpRequest,
    item: Problem | Measure,
    *,
    restoring: bool,
    form: forms.Form,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    is_measure = isinstance(item, Measure)
    also: list[Measure] = []
    if isinstance(item, Problem) and restoring and item.voided_at is not None:
        also = list(Measure.all_objects.filter(problem=item, voided_at=item.voided_at).order_by("number"))
    elif isinstance(item, Problem) and not restoring:
        also = corrections.live_measures_of(item)
    context = {
        "item": item,
        "kind": "measure" if is_measure else "problem",
        "round": item.round,
        "restoring": restoring,
        "also": also,
        "form": form,
        "error": error,
    }
    return render(request, "ledger/corrections/void_confirm.html", context, status=status)


def _refused(request: HttpRequest, item: Problem | Measure, error: DomainError) -> HttpResponse:
    context = {"item": item, "round": item.round, "message": error.message}
    return render(request, "ledger/corrections/refused.html", context, status=error.status)


def _void_or_restore(request: HttpRequest, item: Problem | Measure, *, restoring: bool) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form: forms.Form = (RestoreForm if restoring else ReasonForm)(data)
    if request.method != "POST":
        refused = corrections.refusal(request.user, item, "restore" if restoring else "void")
        if refused is not None:
            return _refused(request, item, refused)
        return _confirm_page(request, item, restoring=restoring, form=form)
    if not form.is_valid():
        return _confirm_page(request, item, restoring=restoring, form=form, status=422)
    reason = form.cleaned_data["reason"]
    try:
        if isinstance(item, Measure):
            action = corrections.restore_measure if restoring else corrections.void_measure
            action(item, actor=request.user, reason=reason)
            done = f"已{'恢复' if restoring else '作废'}整改措施 {item.number}"
            target = redirect("measure_detail", pk=item.pk)
        else:
            action_p = corrections.restore_problem if restoring else corrections.void_problem
            action_p(item, actor=request.user, reason=reason)
            done = f"已{'恢复' if restoring else '作废'}问题 {item.number}"
            target = redirect("problem_detail", pk=item.pk)
    except DomainError as error:
        return _confirm_page(
            request, item, restoring=restoring, form=form, error=error.message, status=error.status
        )
    messages.success(request, done)
    return target


@login_required
@require_http_methods(["GET", "POST"])
def measure_void(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then void a measure with a reason (organizers)."""
    return _void_or_restore(request, _measure(request, pk), restoring=False)


@login_required
@require_http_methods(["GET", "POST"])
def measure_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then restore a voided measure (reviewers)."""
    return _void_or_restore(request, _measure(request, pk), restoring=True)


@login_required
@require_http_methods(["GET", "POST"])
def problem_void(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (listing the measures voided with it), then void a problem with a reason (organizers)."""
    return _void_or_restore(request, _problem(request, pk), restoring=False)


@login_required
@require_http_methods(["GET", "POST"])
def problem_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then restore a voided problem and the measures voided with it (reviewers)."""
    return _void_or_restore(request, _problem(request, pk), restoring=True)


# --- corrections of content --------------------------------------------------------------------------


class ProblemEditForm(forms.Form):
    summary = forms.CharField(max_length=500, label="问题", widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(required=False, label="具体表现", widget=forms.Textarea(attrs={"rows": 5}))
    aspect = forms.ModelChoiceField(
        queryset=Aspect.objects.none(), required=False, label="方面", empty_label="（未归入方面）"
    )
    source = forms.ChoiceField(choices=Source.choices, label="问题来源")

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["aspect"].queryset = problem.round.framework.aspects.all()  # type: ignore[attr-defined]


class MeasureEditForm(forms.Form):
    summary = forms.CharField(max_length=500, label="整改措施", widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(required=False, label="措施内容", widget=forms.Textarea(attrs={"rows": 5}))
    group = forms.CharField(required=False, max_length=300, label="措施分组")
    problem = forms.ModelChoiceField(
        queryset=Problem.objects.none(), required=False, label="所属问题", empty_label="（不归入问题）"
    )

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Live problems of the round; a measure may stay under its own (even voided) problem.
        self.fields["problem"].queryset = Problem.objects.filter(round_id=measure.round_id)  # type: ignore[attr-defined]


class CommitmentForm(forms.Form):
    text = forms.CharField(max_length=500, label="承诺原文")
    period = forms.ChoiceField(
        choices=[("", "（不限周期）"), *Commitment.Period.choices], required=False, label="周期"
    )
    op = forms.ChoiceField(choices=Commitment.Op.choices, label="比较")
    value = forms.DecimalField(max_digits=14, decimal_places=4, min_value=0, label="数值")
    unit = forms.CharField(max_length=20, required=False, label="单位")


def _problem_edit_page(
    request: HttpRequest, problem: Problem, form: ProblemEditForm, error: str = "", status: int = 200
) -> HttpResponse:
    context = {"problem": problem, "round": problem.round, "form": form, "error": error}
    return render(request, "ledger/corrections/problem_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def problem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a problem's summary, text, aspect and source (organizers); each change is recorded."""
    problem = _problem(request, pk)
    initial = {
        "summary": problem.summary,
        "text": problem.text,
        "aspect": problem.aspect_id,
        "source": problem.source,
    }
    form = ProblemEditForm(request.POST or None, problem=problem, initial=initial)
    if request.method != "POST":
        refused = corrections.refusal(request.user, problem, "edit")
        if refused is not None:
            return _refused(request, problem, refused)
        return _problem_edit_page(request, problem, form)
    if not form.is_valid():
        return _problem_edit_page(request, problem, form, status=422)
    data = form.cleaned_data
    try:
        changed = corrections.edit_problem(
            problem,
            actor=request.user,
            summary=data["summary"],
            text=data["text"],
            aspect=data["aspect"],
            source=data["source"],
        )
    except DomainError as error:
        return _problem_edit_page(request, problem, form, error.message, error.status)
    messages.success(request, f"已修改问题 {problem.number}" if changed else "内容没有变化")
    return redirect("problem_detail", pk=problem.pk)


def _measure_edit_page(
    request: HttpRequest,
    measure: Measure,
    form: MeasureEditForm | None = None,
    *,
    new_commitment: CommitmentForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    commitments = list(measure.commitments.order_by("id"))
    initial = {
        "summary": measure.summary,
        "text": measure.text,
        "group": measure.group,
        "problem": measure.problem_id,
    }
    context = {
        "measure": measure,
        "round": measure.round,
        "form": form or MeasureEditForm(measure=measure, initial=initial),
        "commitment_forms": [
            (
                c,
                CommitmentForm(
                    prefix=f"c{c.pk}",
                    initial={
                        "text": c.text,
                        "period": c.period,
                        "op": c.op,
                        "value": c.value,
                        "unit": c.unit,
                    },
                ),
            )
            for c in commitments
        ],
        "new_commitment": new_commitment or CommitmentForm(prefix="new"),
        "refusal": corrections.measure_edit_refusal(measure),
        "error": error,
    }
    return render(request, "ledger/corrections/measure_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a measure's summary, text, group and problem (organizers; not once closed)."""
    measure = _measure(request, pk)
    if request.method != "POST":
        refused = corrections.refusal(request.user, measure, "edit")
        if refused is not None:
            return _refused(request, measure, refused)
        return _measure_edit_page(request, measure)
    form = MeasureEditForm(request.POST, measure=measure)
    if not form.is_valid():
        return _measure_edit_page(request, measure, form, status=422)
    data = form.cleaned_data
    try:
        changed = corrections.edit_measure(
            measure, actor=request.user, summary=data["summary"], text=data["text"], group=data["group"]
        )
        if (data["problem"].pk if data["problem"] else None) != measure.problem_id:
            planning.link_measure(measure, data["problem"], actor=request.user)
            changed.append("problem")
    except DomainError as error:
        return _measure_edit_page(request, measure, form, error=error.message, status=error.status)
    messages.success(request, f"已修改措施 {measure.number}" if changed else "内容没有变化")
    return redirect("measure_detail", pk=measure.pk)


@login_required
@require_POST
def commitment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a quantified commitment to a measure (organizers)."""
    measure = _measure(request, pk)
    form = CommitmentForm(request.POST, prefix="new")
    if not form.is_valid():
        return _measure_edit_page(request, measure, new_commitment=form, status=422)
    try:
        corrections.add_commitment(measure, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        return _measure_edit_page(
            request, measure, new_commitment=form, error=error.message, status=error.status
        )
    messages.success(request, "已添加量化承诺")
    return redirect("measure_edit", pk=measure.pk)


def _commitment(request: HttpRequest, pk: int) -> Commitment:
    return get_object_or_404(
        Commitment.objects.filter(measure__in=Measure.all_objects.for_user(request.user)).select_related(
            "measure__round__team__organization"
        ),
        pk=pk,
    )


@login_required
@require_POST
def commitment_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Change or remove (op=remove) one quantified commitment of a measure (organizers)."""
    commitment = _commitment(request, pk)
    measure = _measure(request, commitment.measure_id)
    try:
        if request.POST.get("op") == "remove":
            corrections.remove_commitment(commitment, actor=request.user)
            messages.success(request, "已删除量化承诺")
            return redirect("measure_edit", pk=measure.pk)
        form = CommitmentForm(request.POST, prefix=f"c{commitment.pk}")
        if not form.is_valid():
            errors = "；".join(str(e) for field_errors in form.errors.values() for e in field_errors)
            return _measure_edit_page(request, measure, error=errors, status=422)
        corrections.change_commitment(commitment, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        return _measure_edit_page(request, measure, error=error.message, status=error.status)
    messages.success(request, "已修改量化承诺")
    return redirect("measure_edit", pk=measure.pk)


__all__ = [
    "commitment_add",
    "commitment_change",
    "measure_edit",
    "measure_restore",
    "measure_void",
    "problem_edit",
    "problem_restore",
    "problem_void",
]
