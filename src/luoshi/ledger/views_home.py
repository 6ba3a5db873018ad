"""The home page by role, and the document upload that starts there.

A member sees their own open measures (returned ones first, then by deadline); a reviewer what
waits for them (待验收, extension requests); an organizer the upload and the rounds' standing. A
person with several roles sees each section that applies; everything is read through `for_user`.

The upload parses the document, proposes a round from its title (`round_proposal`) or offers an
existing round of the team, and one confirmation creates the round and imports (`home_import`):
login → choose file → 上传预览 → 确认导入 lands on the ledger.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from luoshi.errors import DomainError
from luoshi.ledger import home_import, imports
from luoshi.ledger.fragments import cached_value
from luoshi.ledger.models import (
    Extension,
    ImportDraft,
    Measure,
    Problem,
    Round,
    RoundKind,
    Source,
    default_source,
)
from luoshi.ledger.round_proposal import propose_round
from luoshi.ledger.services import four_eyes_refusal, involvement_of
from luoshi.ledger.states import OPEN_STATUSES, MeasureStatus
from luoshi.orgs.models import Organization, Role, Team
from luoshi.text import DocumentError
from luoshi.web.context_processors import Navigation

HOME_PAGE_SIZE = 30  # rounds a page on the home page (a province sees thousands)
HOME_LIST = 10  # measures shown in each of the home page's work lists (the full list is one click away)
REVIEW_CANDIDATES = 200  # submitted measures checked for four eyes on the home page


def _roles(user: Any) -> frozenset[str]:
    """The roles the user holds anywhere: the same as decide the navigation bar's work lists."""
    return Navigation(user).roles


def _manageable_teams(user: Any) -> QuerySet[Team]:
    return (
        Team.objects.filter(organization__in=Organization.objects.for_user(user, "manage"))
        .select_related("organization")
        .order_by("organization__path", "name")
    )


# --- the home page ---------------------------------------------------------------------------------


def my_work(user: Any) -> tuple[list[Measure], int]:
    """The user's own open measures, returned ones first, then by the nearest deadline; and how many."""
    mine = Measure.objects.for_user(user, "work").owned_by(user).filter(status__in=OPEN_STATUSES)
    ordered = mine.annotate(
        returned_first=Case(
            When(status=MeasureStatus.RETURNED, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("returned_first", F("current_deadline").asc(nulls_last=True), "round_id", "number")
    return list(ordered.select_related("round", "problem")[:HOME_LIST]), mine.count()


def waiting_review(user: Any) -> tuple[list[Measure], int, list[Extension], int]:
    """Submitted measures the reviewer may decide (four eyes) and pending extension requests."""
    reviewable = Measure.objects.for_user(user, "review")
    candidates = list(
        reviewable.filter(status=MeasureStatus.SUBMITTED)
        .exclude(submitted_by_id=user.pk)
        .select_related("round", "owner")
        .prefetch_related("co_owners")  # four eyes asks each candidate's co-owners: one query for all
        .order_by("submitted_at", "pk")[:REVIEW_CANDIDATES]
    )
    involvement = involvement_of(candidates)
    submitted = [m for m in candidates if four_eyes_refusal(m, user, involvement[m.pk]) is None]
    extensions = (
        Extension.objects.filter(
            status=Extension.Status.REQUESTED, measure__in=reviewable, measure__status__in=OPEN_STATUSES
        )
        .exclude(requested_by_id=user.pk)
        .select_related("measure__round", "measure__owner")
        .order_by("requested_at", "pk")
    )
    shown = list(extensions[: HOME_LIST + 1])
    count = len(shown) if len(shown) <= HOME_LIST else extensions.count()
    return submitted[:HOME_LIST], len(submitted), shown[:HOME_LIST], count


def _round_standing(shown: list[Round]) -> None:
    """Per round on the page: problems, measures, closed, overdue and waiting (待验收), two queries."""
    ids = [r.pk for r in shown]
    today = timezone.localdate()
    measure_counts = {
        row["round_id"]: row
        for row in Measure.objects.filter(round_id__in=ids)
        .values("round_id")
        .annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(status=MeasureStatus.CLOSED)),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, current_deadline__lt=today)),
            waiting=Count("pk", filter=Q(status=MeasureStatus.SUBMITTED)),
        )
        .order_by()
    }
    problem_counts = dict(
        Problem.objects.filter(round_id__in=ids)
        .values("round_id")
        .annotate(n=Count("pk"))
        .values_list("round_id", "n")
    )
    for r in shown:
        counts = measure_counts.get(r.pk, {})
        r.measure_count = counts.get("total", 0)  # type: ignore[attr-defined]
        r.closed_count = counts.get("closed", 0)  # type: ignore[attr-defined]
        r.overdue_count = counts.get("overdue", 0)  # type: ignore[attr-defined]
        r.waiting_count = counts.get("waiting", 0)  # type: ignore[attr-defined]
        r.problem_count = problem_counts.get(r.pk, 0)  # type: ignore[attr-defined]


class HomeUploadForm(forms.Form):
    file = forms.FileField(label="选择文档", error_messages={"required": "请选择要上传的文档"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each section the user's roles call for; the rounds they may see, archived ones on request.

    The sections below the upload are rendered once per user, view (archived, page) and day, and
    kept until anything in the ledger changes (`cached_value`: every change appends an audit event).
    A province reviewer's queue is found among 100,000 measures, and thirty rounds' standing
    rendered, once per change rather than on every visit home."""
    user = request.user
    roles = _roles(user)
    show_archived = request.GET.get("archived") == "1"
    page_asked = request.GET.get("page", "")
    page_number = page_asked if page_asked.isdigit() and len(page_asked) < 8 else "1"
    flags = {
        "show_archived": show_archived,
        "is_member": Role.MEMBER in roles,
        "is_reviewer": Role.REVIEWER in roles,
        "is_organizer": Role.ORGANIZER in roles,
    }

    def render_body() -> tuple[str, bool]:
        context = {**flags, **_home_sections(user, flags, page_number)}
        return render_to_string("ledger/partials/home_body.html", context, request), bool(context["rounds"])

    body_html, has_rounds = cached_value(
        "home", f"{user.pk}|{''.join(sorted(roles))}|{int(show_archived)}|{page_number}", render_body
    )
    context: dict[str, Any] = {**flags, "body_html": mark_safe(body_html), "has_rounds": has_rounds}
    if flags["is_organizer"]:
        context["upload_form"] = HomeUploadForm()
        context["max_mb"] = imports.max_upload_bytes() // (1024 * 1024)
    return render(request, "ledger/home.html", context)


def _home_sections(user: Any, flags: dict[str, bool], page_number: str) -> dict[str, Any]:
    """What the home page's sections show USER: their measures, their queue, the rounds' standing."""
    rounds = Round.objects.for_user(user).select_related("team__organization")
    if not flags["show_archived"]:
        rounds = rounds.filter(archived=False)
    page = Paginator(rounds.order_by("team__organization__path", "-year", "-id"), HOME_PAGE_SIZE).get_page(
        page_number
    )
    shown = list(page)
    _round_standing(shown)
    context: dict[str, Any] = {
        "rounds": shown,
        "page": page,
        "archived_count": Round.objects.for_user(user).filter(archived=True).count(),
    }
    if flags["is_member"]:
        context["mine"], context["mine_count"] = my_work(user)
    if flags["is_reviewer"]:
        submitted, submitted_count, extensions, extension_count = waiting_review(user)
        context.update(
            submitted=submitted,
            submitted_count=submitted_count,
            extensions=extensions,
            extension_count=extension_count,
        )
    return context


# --- the upload from the home page -----------------------------------------------------------------


class PlaceForm(forms.Form):
    """Where the uploaded document goes: a new round (as proposed, edited) or an existing one."""

    token = forms.CharField(widget=forms.HiddenInput)
    target = forms.ChoiceField(
        label="导入到", choices=[("new", "新建轮次"), ("existing", "已有轮次")], widget=forms.RadioSelect
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), label="领导班子", required=False, empty_label=None
    )
    title = forms.CharField(label="轮次名称", max_length=200, required=False)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    kind = forms.ChoiceField(label="类型", choices=RoundKind.choices, required=False)
    round = forms.ModelChoiceField(queryset=Round.objects.none(), label="已有轮次", required=False)
    source = forms.ChoiceField(label="问题来源", choices=Source.choices, initial=Source.SELF_EXAMINATION)

    def __init__(self, *args: Any, teams: QuerySet[Team], rounds: QuerySet[Round], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["team"].queryset = teams
        fields["team"].label_from_instance = lambda t: f"{t.organization.name} · {t.name}"
        fields["round"].queryset = rounds
        fields["round"].label_from_instance = lambda r: f"{r.team.organization.name} · {r.title}（{r.year}）"
        fields["round"].empty_label = "（请选择）"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("target") == "existing":
            if data.get("round") is None:
                self.add_error("round", "请选择要导入的轮次")
        elif data.get("target") == "new":
            for name, message in (
                ("team", "请选择领导班子"),
                ("title", "请填写轮次名称"),
                ("year", "请填写年度"),
                ("kind", "请选择轮次类型"),
            ):
                if not data.get(name):
                    self.add_error(name, message)
        return data

    def place(self) -> Round | home_import.NewRound:
        data = self.cleaned_data
        if data["target"] == "existing":
            return data["round"]
        return home_import.NewRound(
            team=data["team"], title=data["title"].strip(), year=data["year"], kind=data["kind"]
        )


def _place_form(request: HttpRequest, data: Any = None, initial: dict[str, Any] | None = None) -> PlaceForm:
    teams = _manageable_teams(request.user)
    rounds = (
        Round.objects.for_user(request.user, "manage")
        .filter(archived=False)
        .select_related("team__organization")
        .order_by("team__organization__path", "-year", "-id")
    )
    return PlaceForm(data, initial=initial, teams=teams, rounds=rounds)


def _proposal_page(
    request: HttpRequest,
    upload: home_import.Upload,
    form: PlaceForm,
    *,
    status: int = 200,
    error: str = "",
    repeat_possible: bool = False,
) -> HttpResponse:
    data = upload.data
    return render(
        request,
        "ledger/import/home_proposal.html",
        {
            "upload": upload,
            "title": data.get("title", ""),
            "notes": data.get("notes") or [],
            "counts": {kind: len(data.get(kind) or []) for kind in imports.KINDS},
            "problems": [p.get("summary", "") for p in (data.get("problems") or [])[:HOME_LIST]],
            "more_problems": max(0, len(data.get("problems") or []) - HOME_LIST),
            "form": form,
            "error": error,
            "repeat_possible": repeat_possible,
            "imported_before": _imported_before(request.user, upload.name),
        },
        status=status,
    )


def _imported_before(user: Any, name: str) -> list[ImportDraft]:
    """Confirmed imports of a file of the same name into rounds the user organizes (a warning)."""
    return list(
        ImportDraft.objects.filter(
            round__in=Round.objects.for_user(user, "manage"), name=name, confirmed_at__isnull=False
        )
        .select_related("round")
        .order_by("-confirmed_at")[:5]
    )


@login_required
@require_POST
def home_upload(request: HttpRequest) -> HttpResponse:
    """Parse the uploaded document and propose its round (nothing is stored yet)."""
    teams = _manageable_teams(request.user)
    if not teams.exists():
        return render(
            request,
            "ledger/import/refused.html",
            {"message": "只有组织者可以上传文档：需要是某个领导班子所在单位（或上级单位）的组织者"},
            status=403,
        )
    form = HomeUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文档")
        return redirect("home")
    upload_file = form.cleaned_data["file"]
    name = upload_file.name or ""
    try:
        data = imports.upload_data(name, bytes(upload_file.read(imports.max_upload_bytes() + 1)))
    except DocumentError as error:
        messages.error(request, str(error))
        return redirect("home")
    upload = home_import.Upload(name=name, data=data)
    texts = [item.get("text", "") for kind in imports.KINDS for item in (data.get(kind) or [])[:20]]
    proposal = propose_round(
        data.get("title", ""), fallback_name=name, today=timezone.localdate(), texts=texts
    )
    team = teams.first()
    existing = (
        Round.objects.for_user(request.user, "manage")
        .filter(archived=False, title=proposal.title, year=proposal.year)
        .order_by("-id")
        .first()
    )
    initial = {
        "token": home_import.seal(upload, request.user),
        "target": "existing" if existing else "new",
        "team": existing.team_id if existing else (team.pk if team else None),
        "title": proposal.title,
        "year": proposal.year,
        "kind": proposal.kind.value,
        "round": existing.pk if existing else None,
        "source": default_source(existing.kind if existing else proposal.kind),
    }
    return _proposal_page(request, upload, _place_form(request, initial=initial))


@login_required
@require_POST
def home_upload_confirm(request: HttpRequest) -> HttpResponse:
    """Create the round (if new) and import the document in one transaction, then show the ledger;
    with "review", create the draft instead and open its preview for corrections first."""
    try:
        upload = home_import.unseal(request.POST.get("token", ""), request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("home")
    form = _place_form(request, data=request.POST)
    if not form.is_valid():
        return _proposal_page(request, upload, form, status=422)
    try:
        if "review" in request.POST:
            draft = home_import.draft_upload(
                upload, form.place(), actor=request.user, source=form.cleaned_data["source"]
            )
            return redirect("draft_preview", pk=draft.pk)
        round_, result = home_import.import_upload(
            upload,
            form.place(),
            actor=request.user,
            source=form.cleaned_data["source"],
            repeat=request.POST.get("repeat") == "1",
        )
    except DomainError as error:
        return _proposal_page(
            request,
            upload,
            form,
            status=error.status,
            error=error.message,
            repeat_possible=error.status == 409,
        )
    messages.success(
        request,
        f"已导入“{upload.name}”到“{round_.title}”：问题 {len(result.problems)} 个，"
        f"原因 {len(result.causes)} 条，整改措施 {len(result.measures)} 项。",
    )
    return redirect("round_detail", pk=round_.pk)
