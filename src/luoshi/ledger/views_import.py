"""Pages that bring documents and spreadsheets into a round and the ledger out of it.

A round or a draft the user may not see is a 404 (`for_user`); an organizer's action refused to
someone who may see the round is the service's Chinese message with its status (403 / 409 / 422).
Corrections on the preview are small htmx POSTs that return the updated draft partial.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from luoshi.errors import DomainError, NotAllowed
from luoshi.ledger import imports, services
from luoshi.ledger.models import VOID_CHOICES, ImportDraft, Round, RoundKind, Source, default_source
from luoshi.orgs.access import has_role
from luoshi.orgs.models import Member, Organization, Team
from luoshi.text import DocumentError

# --- forms (they only read input; the services decide) -------------------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class RoundForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label="领导班子", empty_label=None)
    title = forms.CharField(label="轮次名称", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=RoundKind.choices, initial=RoundKind.SPECIAL)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    theme = forms.CharField(label="主题", max_length=300, required=False)
    start_date = forms.DateField(label="开始日期", required=False, widget=DateInput())
    end_date = forms.DateField(label="结束日期", required=False, widget=DateInput())

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["team"].label_from_instance = lambda t: f"{t.organization.name} · {t.name}"  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "结束日期不能早于开始日期")
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    source = forms.ChoiceField(label="问题来源", choices=Source.choices, initial=Source.SELF_EXAMINATION)
    text = forms.CharField(
        label="或粘贴文本",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "粘贴对照检查材料、整改方案或反馈意见的全文"}),
    )
    text_name = forms.CharField(label="文本名称（可不填）", max_length=200, required=False)
    member = forms.ModelChoiceField(
        label="本人对照检查材料",
        queryset=Member.objects.none(),
        required=False,
        empty_label="否：班子材料（不属于某位成员）",
        help_text="选择成员：问题记为该成员本人的问题，措施由该成员负责",
    )

    def __init__(self, *args: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["member"].queryset = Member.objects.filter(team_id=round_.team_id, active=True)
        fields["source"].initial = default_source(round_.kind)


class LedgerUploadForm(forms.Form):
    source = forms.ChoiceField(label="问题来源", choices=Source.choices, initial=Source.SELF_EXAMINATION)

    def __init__(self, *args: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["source"].initial = default_source(round_.kind)


# --- helpers -------------------------------------------------------------------------------------


def _visible_round(request: HttpRequest, pk: int) -> Round:
    return get_object_or_404(Round.objects.for_user(request.user).select_related("team__organization"), pk=pk)


def _visible_draft(request: HttpRequest, pk: int) -> ImportDraft:
    return get_object_or_404(
        ImportDraft.objects.filter(round__in=Round.objects.for_user(request.user)).select_related(
            "round__team__organization", "round__framework"
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


def _require_organizer(request: HttpRequest, round_: Round) -> None:
    if not has_role(request.user, round_.team.organization.path, "manage"):
        raise NotAllowed("只有本单位（或上级单位）的组织者可以导入文档和台账")


def _read_bounded(upload: Any) -> bytes:
    """At most one byte over the limit: enough for the service to refuse an oversized file without
    reading all of it into memory."""
    return bytes(upload.read(imports.max_upload_bytes() + 1))


# --- create a round ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    teams = Team.objects.filter(
        organization__in=Organization.objects.for_user(request.user, "manage")
    ).select_related("organization")
    if not teams.exists():
        return _refused(
            request, NotAllowed("您没有可组织检视的领导班子：需要是该班子所在单位（或上级单位）的组织者")
        )
    form = RoundForm(request.POST or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.create_round(
                team=data["team"],
                title=data["title"],
                year=data["year"],
                kind=data["kind"],
                theme=data["theme"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已创建检视轮次“{round_.title}”。下一步：导入对照检查材料或整改台账。")
            return redirect("round_import", pk=round_.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "ledger/import/round_form.html", {"form": form}, status=status)


# --- upload documents ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_import(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _visible_round(request, pk)
    try:
        _require_organizer(request, round_)
    except DomainError as error:
        return _refused(request, error, round_)
    form = UploadForm(request.POST or None, round_=round_, initial={"member": request.GET.get("member")})
    outcome = None
    status = 200
    if request.method == "POST" and form.is_valid():
        files = [(f.name or "", _read_bounded(f)) for f in request.FILES.getlist("files")]
        text = form.cleaned_data["text"]
        if not files and not text.strip():
            form.add_error(None, "请选择要上传的文档，或粘贴文本")
            status = 422
        else:
            try:
                outcome = imports.import_uploads(
                    round_,
                    actor=request.user,
                    files=files,
                    text=text,
                    text_name=form.cleaned_data["text_name"],
                    source=form.cleaned_data["source"],
                    member=form.cleaned_data["member"],
                )
            except DomainError as error:
                return _refused(request, error, round_)
            if len(outcome.drafts) == 1 and not outcome.errors:
                return redirect("draft_preview", pk=outcome.drafts[0].pk)
            if not outcome.drafts:
                status = 422
            if not outcome.text_failed:
                # The text became a draft: clear it so a second submit does not import it twice.
                form = UploadForm(initial={"source": form.cleaned_data["source"]}, round_=round_)
    drafts = round_.drafts.filter(confirmed_at__isnull=True).order_by("-created_at")
    return render(
        request,
        "ledger/import/upload.html",
        {
            "round": round_,
            "form": form,
            "outcome": outcome,
            "drafts": drafts,
            "max_mb": imports.max_upload_bytes() // (1024 * 1024),
        },
        status=status,
    )


# --- the preview and its corrections -------------------------------------------------------------


def preview_context(draft: ImportDraft, page: int | str | None = 1) -> dict[str, Any]:
    """The draft as the organizer will get it: problems with their measures nested, loose measures
    (with the problems suggested for them), causes; one page of each at a time, so a draft of
    thousands of items previews as fast as a short one."""
    round_ = draft.round
    aspects = list(round_.framework.aspects.all())
    members = set(Member.objects.filter(team=round_.team).values_list("name", flat=True))
    data = draft.data
    size = imports.PREVIEW_PAGE_SIZE
    all_problems, all_measures, all_causes = data["problems"], data["measures"], data["causes"]
    loose_indices = [i for i, m in enumerate(all_measures) if m.get("problem") is None]
    pages = max(1, -(-max(len(all_problems), len(loose_indices), len(all_causes)) // size))
    number = min(max(1, _int_or_none(str(page)) or 1), pages)
    window = slice((number - 1) * size, number * size)

    def measure_view(index: int, m: dict[str, Any]) -> dict[str, Any]:
        names = m.get("owners") or services.owner_names(m.get("owner"))
        owners = [{"name": name, "matched": name in members} for name in names]
        suggestions = [
            {**s, "number": s["problem"] + 1, "summary": all_problems[s["problem"]]["summary"]}
            for s in (m.get("suggested_problems") or [])
            if m.get("problem") is None and 0 <= s.get("problem", -1) < len(all_problems)
        ]
        return {
            **m,
            "index": index,
            "sentences": imports.sentences(m["text"]),
            "owner_list": owners,
            "owner_unknown": any(not o["matched"] for o in owners),
            "suggestions": suggestions,
        }

    shown = range(len(all_problems))[window]
    nested: dict[int, list[dict[str, Any]]] = {i: [] for i in shown}
    for index, m in enumerate(all_measures):
        if m.get("problem") in nested:
            nested[m["problem"]].append(measure_view(index, m))
    problems = []
    for index in shown:
        p = all_problems[index]
        matched = services._aspect_for(p.get("aspect") or "", aspects)
        problems.append(
            {
                **p,
                "index": index,
                "number": index + 1,
                "matched_aspect": matched.name if matched else "",
                "sentences": imports.sentences(p["text"]),
                "measures": nested[index],
            }
        )
    loose = [measure_view(i, all_measures[i]) for i in loose_indices[window]]
    suggested = sum(1 for i in loose_indices if all_measures[i].get("suggested_problems"))
    return {
        "draft": draft,
        "round": round_,
        "title": data.get("title", ""),
        "notes": data.get("notes") or [],
        "problems": problems,
        "problem_choices": [
            {"index": i, "number": i + 1, "summary": p["summary"]} for i, p in enumerate(all_problems)
        ]
        if len(all_problems) <= _SELECT_LIMIT
        else None,
        "loose_measures": loose,
        "loose_count": len(loose_indices),
        "suggested_count": suggested,
        "causes": [
            {**c, "index": i, "sentences": imports.sentences(c["text"])}
            for i, c in zip(range(len(all_causes))[window], all_causes[window], strict=True)
        ],
        "aspect_names": [a.name for a in aspects],
        "sources": Source.choices,
        "counts": {k: len(data[k]) for k in imports.KINDS},
        "confirmed": draft.confirmed_at is not None,
        "member": imports.draft_member(draft),
        "repeat": imports.find_repeat(draft) if draft.confirmed_at is None else None,
        "page": {"number": number, "count": pages, "range": range(1, pages + 1)},
        "edit_url": reverse("draft_edit", args=[draft.pk]) + (f"?page={number}" if number > 1 else ""),
    }


# Above this many problems the "归入问题" choice is a number field rather than a list per measure.
_SELECT_LIMIT = 200


@login_required
def draft_preview(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _visible_draft(request, pk)
    try:
        _require_organizer(request, draft.round)
    except DomainError as error:
        return _refused(request, error, draft.round)
    return render(request, "ledger/import/preview.html", preview_context(draft, request.GET.get("page")))


_EDIT_FIELDS = (
    "kind",
    "index",
    "value",
    "text",
    "summary",
    "owner",
    "department",
    "deadline_text",
    "at",
    "problem",
    "problem_number",
    "co_department",
)


@login_required
@require_POST
def draft_edit(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _visible_draft(request, pk)
    op = request.POST.get("op", "")
    try:
        if op == "source":
            draft = imports.set_draft_source(draft, request.POST.get("source", ""), actor=request.user)
        else:
            params: dict[str, Any] = {k: request.POST[k] for k in _EDIT_FIELDS if k in request.POST}
            for key in ("index", "at"):
                if key in params:
                    params[key] = _int_or_none(params[key])
            draft = imports.edit_draft(draft, op, params, actor=request.user)
    except DomainError as error:
        if _is_htmx(request):
            response = render(
                request, "ledger/import/partials/error.html", {"message": error.message}, status=error.status
            )
            response["HX-Retarget"] = "#draft-error"
            response["HX-Reswap"] = "innerHTML"
            return response
        messages.error(request, error.message)
        return redirect("draft_preview", pk=draft.pk)
    if _is_htmx(request):
        return render(
            request, "ledger/import/partials/draft_body.html", preview_context(draft, request.GET.get("page"))
        )
    page = _int_or_none(request.GET.get("page", "") or "")
    return redirect(reverse("draft_preview", args=[draft.pk]) + (f"?page={page}" if page else ""))


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


@login_required
@require_POST
def draft_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _visible_draft(request, pk)
    try:
        result = imports.confirm_draft(draft, actor=request.user, repeat=request.POST.get("repeat") == "1")
    except DomainError as error:
        if error.status == 403:
            return _refused(request, error, draft.round)
        context = preview_context(_visible_draft(request, pk))
        context["error"] = error.message
        return render(request, "ledger/import/preview.html", context, status=error.status)
    numbers = [m.number for m in result.measures]
    span = f"，措施编号 {numbers[0]}–{numbers[-1]}" if numbers else ""
    messages.success(
        request,
        f"已导入“{draft.name}”：问题 {len(result.problems)} 个，原因 {len(result.causes)} 条，"
        f"整改措施 {len(result.measures)} 项{span}。",
    )
    return redirect("round_detail", pk=draft.round_id)


@login_required
@require_POST
def draft_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Discard a draft not yet confirmed (its creator or an organizer of the round)."""
    draft = _visible_draft(request, pk)
    try:
        imports.discard_draft(draft, actor=request.user)
    except DomainError as error:
        return _refused(request, error, draft.round)
    messages.success(request, f"已放弃导入“{draft.name}”，台账未作改动")
    if request.POST.get("next") == "round":
        return redirect("round_detail", pk=draft.round_id)
    return redirect("round_import", pk=draft.round_id)


# --- the ledger spreadsheet ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_import_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _visible_round(request, pk)
    try:
        _require_organizer(request, round_)
    except DomainError as error:
        return _refused(request, error, round_)
    form = LedgerUploadForm(request.POST or None, round_=round_)
    error_message = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = request.FILES.get("file")
        if upload is None:
            error_message, status = "请选择要导入的台账文件（.xlsx）", 422
        else:
            try:
                draft = imports.draft_from_ledger(
                    round_,
                    actor=request.user,
                    filename=upload.name or "",
                    data=_read_bounded(upload),
                    source=form.cleaned_data["source"],
                )
            except DocumentError as error:
                error_message, status = str(error), 422
            except DomainError as error:
                error_message, status = error.message, error.status
            else:
                return redirect("draft_preview", pk=draft.pk)
    return render(
        request,
        "ledger/import/xlsx.html",
        {"round": round_, "form": form, "error": error_message},
        status=status,
    )


@login_required
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _visible_round(request, pk)
    void = request.GET.get("void", "")
    data = imports.export_ledger(round_, void if void in VOID_CHOICES else "")
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"{round_.title}-整改台账-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    response["Cache-Control"] = "private, no-store"  # the ledger names people: no shared or disk cache
    return response


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))
