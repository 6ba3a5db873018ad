"""Pages of the ledger: rounds, the ledger list with its filters, the organizer's planning forms,
histories and dashboards. Every object is fetched through `for_user`: not yours is a 404. Changes go
through `luoshi.ledger.planning`; a refusal is shown as its Chinese message with its HTTP status.

Query counts of the list and dashboard pages are fixed (tests pin them): aggregates are GROUP BY
queries, never one query per row, aspect or organization.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Substr, TruncDate
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from luoshi.errors import DomainError
from luoshi.ledger import planning
from luoshi.ledger.fragments import cached_fragment, cached_value, round_for_page
from luoshi.ledger.history import measure_history as build_measure_history
from luoshi.ledger.history import problem_history as build_problem_history
from luoshi.ledger.models import VOID_CHOICES, Aspect, Cause, Measure, Problem, Round, RoundKind, Source
from luoshi.ledger.services import rates
from luoshi.ledger.states import OPEN_STATUSES, MeasureStatus
from luoshi.ledger.templatetags.ledger_tags import light_html
from luoshi.orgs.access import grants, top_paths
from luoshi.orgs.models import PATH_STEP, Member, Organization

PAGE_SIZE = 50  # rows per ledger page: a phone screenful many times over, and a fast page
UPCOMING_DAYS = 30  # the dashboard's "upcoming deadlines" window
DASHBOARD_LIST_LIMIT = 50  # the dashboard lists at most this many; the full list is one click away


# --- filters of the ledger list --------------------------------------------------------------------

DEADLINE_FILTERS = {
    "overdue": "已逾期",
    "soon": "临近时限",
    "upcoming": f"{UPCOMING_DAYS} 天内到期",
    "extended": "已延期",
    "due": "原定时限已到",
    "on_time": "按期销号",
}


@dataclass(frozen=True)
class LedgerFilter:
    """The ledger list's filters, read from the query string (so every figure can link to its rows)."""

    aspect: str = ""  # an aspect pk, or "none"
    status: str = ""  # a MeasureStatus value, or "open"
    owner: str = ""  # a member pk, or "none"
    deadline: str = ""  # a key of DEADLINE_FILTERS
    q: str = ""
    org: str = ""  # cross-round list: the organization itself
    tree: str = ""  # cross-round list: the organization and everything below it
    of: str = ""  # whose ledger: "team" (the team's own problems) or a member pk (that member's own)
    void: str = ""  # a VOID_CHOICES key: "" leaves voided (作废) measures out, "all", "only"
    # Which rounds (the 汇总's selection, so its figures open the same rows): a year or "all", a
    # RoundKind, one round; archived rounds are left out unless archived="1" or the round is named.
    year: str = ""
    kind: str = ""
    round: str = ""
    archived: str = ""

    FIELDS = (
        "aspect",
        "status",
        "owner",
        "deadline",
        "q",
        "org",
        "tree",
        "year",
        "kind",
        "round",
        "archived",
        "of",
        "void",
    )
    SELECTION = ("year", "kind", "round", "archived")

    @classmethod
    def from_query(cls, query: Any) -> LedgerFilter:
        values = {name: (query.get(name) or "").strip()[:100] for name in cls.FIELDS}
        for name in ("aspect", "owner", "org", "tree"):
            if values[name] and values[name] != "none" and not values[name].isdigit():
                values[name] = ""
        if values["of"] != "team" and not values["of"].isdigit():
            values["of"] = ""
        if values["year"] != "all" and not (values["year"].isdigit() and len(values["year"]) == 4):
            values["year"] = ""
        if values["kind"] not in RoundKind.values:
            values["kind"] = ""
        if not values["round"].isdigit():
            values["round"] = ""
        if values["archived"] != "1":
            values["archived"] = ""
        if values["org"] == "none" or values["tree"] == "none":
            values["org"] = values["tree"] = ""
        if values["status"] and values["status"] != "open" and values["status"] not in MeasureStatus.values:
            values["status"] = ""
        if values["deadline"] not in DEADLINE_FILTERS:
            values["deadline"] = ""
        if values["void"] not in VOID_CHOICES:
            values["void"] = ""
        return cls(**values)

    def measures(self, user: Any) -> QuerySet[Measure]:
        """The measures USER may see, voided ones included or not as the 作废 filter says."""
        return Measure.all_objects.for_user(user).voided(self.void)

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in self.FIELDS if name not in ("org", "tree"))

    def selection(self) -> str:
        """The query string of the round selection alone (year, kind, round, archived)."""
        return urlencode({name: getattr(self, name) for name in self.SELECTION if getattr(self, name)})

    def apply_rounds(self, measures: QuerySet[Measure]) -> QuerySet[Measure]:
        """Measures of the selected rounds: the same for the 汇总's figures and the rows they open."""
        if self.year.isdigit():
            measures = measures.filter(round__year=int(self.year))
        if self.kind:
            measures = measures.filter(round__kind=self.kind)
        if self.round:
            return measures.filter(round_id=int(self.round))
        if not self.archived:
            measures = measures.filter(round__archived=False)
        return measures

    def querystring(self, **override: str) -> str:
        values = {name: getattr(self, name) for name in self.FIELDS}
        values.update(override)
        return urlencode({k: v for k, v in values.items() if v})

    def apply(self, measures: QuerySet[Measure], today: datetime.date) -> QuerySet[Measure]:
        if self.aspect == "none":
            measures = measures.filter(problem__aspect__isnull=True)
        elif self.aspect:
            measures = measures.filter(problem__aspect_id=int(self.aspect))
        if self.status == "open":
            measures = measures.filter(status__in=OPEN_STATUSES)
        elif self.status:
            measures = measures.filter(status=self.status)
        if self.owner == "none":
            measures = measures.filter(owner__isnull=True)
        elif self.owner:
            measures = measures.filter(owner_id=int(self.owner))
        if self.of == "team":  # a per-team ledger: measures not of a member's own problem
            measures = measures.filter(problem__member__isnull=True)
        elif self.of:  # a per-member ledger: that member's own problems, and their measures not yet linked
            member_id = int(self.of)
            measures = measures.filter(
                Q(problem__member_id=member_id) | Q(problem__isnull=True, owner_id=member_id)
            )
        if self.deadline:
            measures = deadline_filter(measures, self.deadline, today)
        if self.q:
            measures = measures.filter(
                Q(summary__icontains=self.q)
                | Q(text__icontains=self.q)
                | Q(problem__summary__icontains=self.q)
                | Q(problem__text__icontains=self.q)
            )
        return measures


def deadline_filter(measures: QuerySet[Measure], key: str, today: datetime.date) -> QuerySet[Measure]:
    """The rows behind each deadline figure, with the same definitions as `services.rates`."""
    open_ = Q(status__in=OPEN_STATUSES)
    if key == "overdue":
        return measures.filter(open_, current_deadline__lt=today)
    if key == "soon":
        soon = today + datetime.timedelta(days=settings.LUOSHI_DUE_SOON_DAYS)
        return measures.filter(open_, current_deadline__gte=today, current_deadline__lte=soon)
    if key == "upcoming":
        end = today + datetime.timedelta(days=UPCOMING_DAYS)
        return measures.filter(open_, current_deadline__gte=today, current_deadline__lte=end)
    if key == "extended":
        return measures.filter(current_deadline__gt=F("baseline_deadline"))
    due = Q(baseline_deadline__isnull=False, baseline_deadline__lte=today)
    if key == "due":
        return measures.filter(due)
    if key == "on_time":
        return measures.annotate(closed_day=TruncDate("closed_at")).filter(
            due, status=MeasureStatus.CLOSED, closed_day__lte=F("baseline_deadline")
        )
    return measures


def _ledger_rows(measures: QuerySet[Measure]) -> QuerySet[Measure]:
    return measures.select_related("owner", "problem__aspect", "round").prefetch_related("commitments")


def _lights(page: Any, today: datetime.date) -> list[tuple[Measure, str]]:
    return [(m, m.light(today)) for m in page]


_URL_SENTINEL = 987654321


class _UrlMaker:
    """Reverses each URL pattern once per request and fills in the pk: the ledger table needs five
    links per row, and `{% url %}` per row cost more than the rest of the row together."""

    def __init__(self) -> None:
        self._patterns: dict[str, str] = {}

    def __call__(self, name: str, pk: int) -> str:
        pattern = self._patterns.get(name)
        if pattern is None:
            pattern = self._patterns[name] = reverse(name, args=[_URL_SENTINEL])
        return pattern.replace(str(_URL_SENTINEL), str(pk))


@dataclass(frozen=True)
class LedgerRow:
    """One row of the ledger table, with everything the template shows computed once in Python."""

    m: Measure
    status_label: str
    light: str
    light_html: SafeString
    deadline: str
    baseline: str
    detail_url: str
    history_url: str
    assign_url: str
    problem_url: str
    round_url: str


def _table_rows(page: Any, today: datetime.date) -> list[LedgerRow]:
    url = _UrlMaker()
    status_labels = {value: str(label) for value, label in MeasureStatus.choices}  # translated once
    rows = []
    for m in page:
        light = m.light(today)
        rows.append(
            LedgerRow(
                m=m,
                status_label=status_labels[m.status],
                light=light,
                light_html=light_html(light, m.light_label(today)),
                deadline=m.current_deadline.isoformat() if m.current_deadline else (m.deadline_text or "—"),
                baseline=m.baseline_deadline.isoformat() if m.extended and m.baseline_deadline else "",
                detail_url=url("measure_detail", m.pk),
                history_url=url("measure_history", m.pk),
                assign_url=url("measure_assign", m.pk),
                problem_url=url("problem_detail", m.problem_id) if m.problem_id else "",
                round_url=url("round_detail", m.round_id),
            )
        )
    return rows


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _error(request: HttpRequest, error: DomainError, template: str, context: dict[str, Any]) -> HttpResponse:
    context = {**context, "error": error.message}
    return render(request, template, context, status=error.status)


def _roles_anywhere(user: Any) -> bool:
    """Whether USER holds any role (names of who acted are shown only to them)."""
    return bool(user.is_superuser) or bool(grants(user))


# --- the round's ledger ----------------------------------------------------------------------------


class BulkAssignForm(forms.Form):
    measures = forms.ModelMultipleChoiceField(queryset=Measure.objects.none(), label="整改措施")
    owner = forms.ModelChoiceField(queryset=Member.objects.none(), required=False, label="责任领导")
    department = forms.CharField(required=False, max_length=200, label="责任单位")
    deadline = forms.DateField(
        required=False, label="完成时限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, round_: Round, measures: QuerySet[Measure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["measures"].queryset = measures
        fields["owner"].queryset = Member.objects.filter(team_id=round_.team_id, active=True)
        fields["measures"].error_messages["required"] = "请先勾选要分配的整改措施"


def _round_context(request: HttpRequest, round_: Round, ledger_filter: LedgerFilter) -> dict[str, Any]:
    """What both the round page and its htmx table need; `render_table` renders the table afresh."""
    can_manage = planning.manageable(request.user, round_)
    list_url = reverse("round_detail", args=[round_.pk])
    page_number = request.GET.get("page")

    def render_table() -> str:
        today = timezone.localdate()
        # Whoever may see the round sees all its measures, so the table is the same for all of
        # them but for the organizer's controls (in the cache key below).
        measures = ledger_filter.apply(
            _ledger_rows(ledger_filter.measures(request.user).filter(round=round_)), today
        )
        page = Paginator(measures, PAGE_SIZE).get_page(page_number)
        table_context = {
            "page": page,
            "rows": _table_rows(page, today),
            "filter": ledger_filter,
            "list_url": list_url,
            "due_soon_days": settings.LUOSHI_DUE_SOON_DAYS,
            "can_manage": can_manage,
        }
        return render_to_string("ledger/partials/measure_table.html", table_context)

    return {
        "round": round_,
        "render_table": render_table,
        "table_variant": f"{can_manage}|{ledger_filter.querystring()}|{page_number or ''}",
        "filter": ledger_filter,
        "list_url": list_url,
        "due_soon_days": settings.LUOSHI_DUE_SOON_DAYS,
        "can_manage": can_manage,
    }


def _round_page_context(request: HttpRequest, round_: Round, ledger_filter: LedgerFilter) -> dict[str, Any]:
    """The round page in three cached parts: everything above the organizer's bulk form, the
    form's list of owners, and everything below it (the table and the problems). Only the user's
    own bar, the CSRF token and messages are rendered on every request."""
    context = _round_context(request, round_, ledger_filter)
    can_manage = context["can_manage"]

    def members() -> QuerySet[Member]:
        return Member.objects.filter(team_id=round_.team_id, active=True)

    def render_top() -> str:
        parts = {
            "rates": rates(round_.measures.all()),
            "ledger_url": context["list_url"],
            "problem_count": round_.problems.count(),
            "aspects": round_.framework.aspects.all(),
            "members": members(),
            "statuses": MeasureStatus.choices,
            "deadline_filters": DEADLINE_FILTERS,
            "void_choices": VOID_CHOICES,
        }
        return render_to_string("ledger/partials/round_top.html", context | parts)

    def render_bottom() -> str:
        problems = round_.problems.select_related("aspect")
        return context["render_table"]() + render_to_string(
            "ledger/partials/problem_table.html", {"problems": problems}
        )

    def render_owner_options() -> str:
        return format_html_join(
            "", '<option value="{}">{}（{}）</option>', ((m.pk, m.name, m.position) for m in members())
        )

    top_variant = f"{can_manage}|{ledger_filter.querystring()}"
    context["top_html"] = cached_fragment(round_, "ledger-top", top_variant, render_top)
    if can_manage:
        context["owner_options_html"] = cached_fragment(round_, "owner-options", "", render_owner_options)
    context["bottom_html"] = cached_fragment(round_, "ledger-bottom", context["table_variant"], render_bottom)
    return context


@login_required
@vary_on_headers("HX-Request")
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The ledger list of a round; with htmx only the table is returned (the URL keeps the filters)."""
    round_ = round_for_page(request.user, pk, drafts=True)
    ledger_filter = LedgerFilter.from_query(request.GET)
    if _is_partial(request):
        context = _round_context(request, round_, ledger_filter)
        return HttpResponse(
            cached_fragment(round_, "ledger-table", context["table_variant"], context["render_table"])
        )
    return render(request, "ledger/round_detail.html", _round_page_context(request, round_, ledger_filter))


@login_required
@require_POST
def round_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign owner / department / deadline to the ticked measures in one transaction."""
    round_ = get_object_or_404(
        Round.objects.for_user(request.user).select_related("team__organization", "framework"), pk=pk
    )
    visible = Measure.objects.for_user(request.user).filter(round=round_)
    form = BulkAssignForm(request.POST, round_=round_, measures=visible)
    back = reverse("round_detail", args=[round_.pk])
    if request.POST.get("next", "").startswith(back):
        back = request.POST["next"]
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(back)
    try:
        done = planning.assign_many(
            list(form.cleaned_data["measures"]),
            actor=request.user,
            owner=form.cleaned_data["owner"],
            department=form.cleaned_data["department"] or None,
            deadline=form.cleaned_data["deadline"],
        )
    except DomainError as error:
        context = _round_page_context(request, round_, LedgerFilter())
        return _error(request, error, "ledger/round_detail.html", context)
    messages.success(request, f"已为 {len(done)} 项整改措施分配责任")
    return HttpResponseRedirect(back)


# --- the cross-round ledger (the figures of the organization dashboard link here) ---------------


@login_required
@vary_on_headers("HX-Request")
def ledger_list(request: HttpRequest) -> HttpResponse:
    """Measures across every round the user may see, filtered like a round's ledger."""
    today = timezone.localdate()
    ledger_filter = LedgerFilter.from_query(request.GET)
    organization = None
    if ledger_filter.org or ledger_filter.tree:
        organization = get_object_or_404(
            Organization.objects.for_user(request.user), pk=int(ledger_filter.org or ledger_filter.tree)
        )
    measures = ledger_filter.apply(
        _ledger_rows(ledger_filter.apply_rounds(ledger_filter.measures(request.user))).select_related(
            "round__team__organization"
        ),
        today,
    )
    if organization is not None and ledger_filter.org:
        measures = measures.filter(round__team__organization=organization)
    elif organization is not None:
        measures = measures.filter(round__team__organization__path__startswith=organization.path)
    page = Paginator(
        measures.order_by("round__team__organization__path", "round_id", "number"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": _table_rows(page, today),
        "filter": ledger_filter,
        "list_url": reverse("ledger_list"),
        "organization": organization,
        "selection_label": _selection_label(request.user, ledger_filter),
        "aspects": list(Aspect.objects.filter(framework__is_default=True)),
        "members": [],
        "statuses": MeasureStatus.choices,
        "deadline_filters": DEADLINE_FILTERS,
        "void_choices": VOID_CHOICES,
        "due_soon_days": settings.LUOSHI_DUE_SOON_DAYS,
        "show_round": True,
    }
    if _is_partial(request):
        return render(request, "ledger/partials/measure_table.html", context)
    return render(request, "ledger/ledger_list.html", context)


def _selection_label(user: Any, selection: LedgerFilter) -> str:
    """The round selection in words, for headings: "2025 年 · 专题民主生活会 · 某轮次"."""
    parts = []
    if selection.year.isdigit():
        parts.append(f"{selection.year} 年")
    if selection.kind:
        parts.append(str(RoundKind(selection.kind).label))
    if selection.round:
        found = Round.objects.for_user(user).filter(pk=int(selection.round)).values_list("title", flat=True)
        parts.extend(found[:1])
    if selection.archived:
        parts.append("含已归档轮次")
    return " · ".join(parts)


# --- the organizer's planning forms ----------------------------------------------------------------


class ProblemForm(forms.Form):
    summary = forms.CharField(max_length=500, label="问题", widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(required=False, label="具体表现", widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.ChoiceField(choices=Source.choices, initial=Source.SELF_EXAMINATION, label="问题来源")
    aspect = forms.ModelChoiceField(queryset=Aspect.objects.none(), required=False, label="方面")

    def __init__(self, *args: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["aspect"].queryset = round_.framework.aspects.all()
        fields["aspect"].empty_label = "（不归入方面）"


class MeasureForm(forms.Form):
    summary = forms.CharField(max_length=500, label="整改措施", widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(required=False, label="措施内容", widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(queryset=Member.objects.none(), required=False, label="责任领导")
    department = forms.CharField(required=False, max_length=200, label="责任单位")
    deadline = forms.DateField(
        required=False, label="完成时限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["owner"].queryset = Member.objects.filter(team_id=round_.team_id, active=True)
        fields["owner"].empty_label = "（暂不指定）"


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=Member.objects.none(), required=False, label="责任领导")
    department = forms.CharField(required=False, max_length=200, label="责任单位")
    deadline = forms.DateField(
        required=False, label="完成时限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    problem = forms.ModelChoiceField(queryset=Problem.objects.none(), required=False, label="所属问题")

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["owner"].queryset = Member.objects.filter(team_id=measure.round.team_id, active=True)
        fields["owner"].empty_label = "（不变）"
        fields["problem"].queryset = Problem.objects.filter(round_id=measure.round_id)
        fields["problem"].empty_label = "（不属于任何问题）"


class CausesForm(forms.Form):
    causes = forms.ModelMultipleChoiceField(
        queryset=Cause.objects.none(), required=False, label="原因", widget=forms.CheckboxSelectMultiple
    )
    new_cause = forms.CharField(required=False, max_length=500, label="新增原因")

    def __init__(self, *args: Any, problem: Problem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["causes"].queryset = Cause.objects.filter(round_id=problem.round_id)


def _managed_round(request: HttpRequest, pk: int) -> Round:
    return get_object_or_404(
        Round.objects.for_user(request.user).select_related("team__organization", "framework"), pk=pk
    )


@login_required
def problem_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a problem by hand to a round, with its source and aspect."""
    round_ = _managed_round(request, pk)
    form = ProblemForm(request.POST or None, round_=round_)
    context = {"round": round_, "form": form, "can_manage": planning.manageable(request.user, round_)}
    if request.method == "POST" and form.is_valid():
        try:
            problem = planning.create_problem(round_, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            return _error(request, error, "ledger/problem_form.html", context)
        messages.success(request, f"已新增问题 {problem.number}")
        return redirect("problem_detail", problem.pk)
    return render(request, "ledger/problem_form.html", context, status=422 if form.errors else 200)


def _problem_context(request: HttpRequest, problem: Problem) -> dict[str, Any]:
    today = timezone.localdate()
    # Voided measures stay listed (marked 已作废); a voided problem takes no planning.
    measures = _ledger_rows(Measure.all_objects.for_user(request.user).filter(problem=problem))
    can_manage = planning.manageable(request.user, problem.round) and problem.voided_at is None
    return {
        "problem": problem,
        "round": problem.round,
        "rows": _lights(measures, today),
        "causes": list(problem.causes.all()),
        "history": build_problem_history(problem, show_actors=_roles_anywhere(request.user)),
        "can_manage": can_manage,
        "measure_form": MeasureForm(round_=problem.round) if can_manage else None,
        "causes_form": CausesForm(problem=problem, initial={"causes": list(problem.causes.all())})
        if can_manage
        else None,
        "due_soon_days": settings.LUOSHI_DUE_SOON_DAYS,
    }


def _visible_problem(request: HttpRequest, pk: int) -> Problem:
    # all_objects: a voided problem keeps its page and history (marked 已作废).
    return get_object_or_404(
        Problem.all_objects.for_user(request.user).select_related(
            "round__team__organization", "round__framework", "aspect"
        ),
        pk=pk,
    )


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A problem, its causes, its measures and its whole history."""
    problem = _visible_problem(request, pk)
    return render(request, "ledger/problem_detail.html", _problem_context(request, problem))


@login_required
@require_POST
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a measure by hand under a problem."""
    problem = _visible_problem(request, pk)
    form = MeasureForm(request.POST, round_=problem.round)
    context = _problem_context(request, problem)
    if not form.is_valid():
        context["measure_form"] = form
        return render(request, "ledger/problem_detail.html", context, status=422)
    try:
        measure = planning.create_measure(problem, actor=request.user, **form.cleaned_data)
    except DomainError as error:
        context["measure_form"] = form
        return _error(request, error, "ledger/problem_detail.html", context)
    messages.success(request, f"已新增整改措施 {measure.number}")
    return redirect("problem_detail", problem.pk)


@login_required
@require_POST
def problem_causes(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a problem to causes of its round (and add a new cause on the way)."""
    problem = _visible_problem(request, pk)
    form = CausesForm(request.POST, problem=problem)
    if not form.is_valid():
        context = _problem_context(request, problem)
        context["causes_form"] = form
        return render(request, "ledger/problem_detail.html", context, status=422)
    causes = list(form.cleaned_data["causes"])
    try:
        if form.cleaned_data["new_cause"].strip():
            causes.append(
                planning.create_cause(
                    problem.round, actor=request.user, summary=form.cleaned_data["new_cause"]
                )
            )
        planning.link_causes(problem, causes, actor=request.user)
    except DomainError as error:
        return _error(request, error, "ledger/problem_detail.html", _problem_context(request, problem))
    messages.success(request, "已更新问题的原因")
    return redirect("problem_detail", problem.pk)


@login_required
def measure_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """One measure: its owner, department, deadline and the problem it belongs to."""
    measure = get_object_or_404(
        Measure.objects.for_user(request.user).select_related(
            "round__team__organization", "owner", "problem"
        ),
        pk=pk,
    )
    initial = {
        "owner": measure.owner_id,
        "department": measure.department,
        "deadline": measure.baseline_deadline,
        "problem": measure.problem_id,
    }
    form = AssignForm(request.POST or None, measure=measure, initial=initial)
    context = {
        "measure": measure,
        "round": measure.round,
        "form": form,
        "can_manage": planning.manageable(request.user, measure.round),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = [
                data["owner"] is not None and data["owner"].pk != measure.owner_id,
                (data["department"] or "") != measure.department,
                data["deadline"] is not None and data["deadline"] != measure.baseline_deadline,
            ]
            if any(changed):
                planning.assign_many(
                    [measure],
                    actor=request.user,
                    owner=data["owner"],
                    department=data["department"] if changed[1] else None,
                    deadline=data["deadline"],
                )
            planning.link_measure(measure, data["problem"], actor=request.user)
        except DomainError as error:
            return _error(request, error, "ledger/measure_assign.html", context)
        messages.success(request, f"已保存措施 {measure.number} 的责任分工")
        return redirect("round_detail", measure.round_id)
    return render(request, "ledger/measure_assign.html", context, status=422 if form.errors else 200)


# --- histories ---------------------------------------------------------------------------------------


@login_required
def measure_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything that happened to one measure, oldest first (a voided one's too)."""
    measure = get_object_or_404(
        Measure.all_objects.for_user(request.user).select_related(
            "round__team__organization", "owner", "problem"
        ),
        pk=pk,
    )
    return render(
        request,
        "ledger/measure_history.html",
        {
            "measure": measure,
            "round": measure.round,
            "light": measure.light(),
            "history": build_measure_history(measure, show_actors=_roles_anywhere(request.user)),
        },
    )


# --- dashboards ---------------------------------------------------------------------------------------


@login_required
def round_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Completion by aspect, overdue and upcoming measures, and every rate with its formula."""
    round_ = round_for_page(request.user, pk)
    ledger_url = reverse("round_detail", args=[round_.pk])

    def render_body() -> str:
        return render_to_string(
            "ledger/partials/dashboard_body.html", _dashboard_context(request, round_, ledger_url)
        )

    return render(
        request,
        "ledger/dashboard.html",
        {
            "round": round_,
            "ledger_url": ledger_url,
            "body": cached_fragment(round_, "dashboard", "", render_body),
        },
    )


def _dashboard_context(request: HttpRequest, round_: Round, ledger_url: str) -> dict[str, Any]:
    """The figures of a round's dashboard (the same for everyone who may see the round)."""
    today = timezone.localdate()
    measures = Measure.objects.for_user(request.user).filter(round=round_)
    summary = rates(measures, today)
    aspects = list(round_.framework.aspects.all())
    counts: dict[tuple[int | None, str], int] = {}
    for row in measures.values("problem__aspect_id", "status").annotate(n=Count("pk")).order_by():
        counts[(row["problem__aspect_id"], row["status"])] = row["n"]
    columns: list[tuple[str, str]] = [(str(a.pk), a.name) for a in aspects]
    if any(aspect_id is None for aspect_id, _status in counts):
        columns.append(("none", "未归入方面"))
    key_of = {str(a.pk): a.pk for a in aspects} | {"none": None}
    statuses = [(s.value, str(s.label)) for s in MeasureStatus]
    table = [
        {
            "aspect": key,
            "name": name,
            "cells": [(value, counts.get((key_of[key], value), 0)) for value, _label in statuses],
            "total": sum(counts.get((key_of[key], value), 0) for value, _label in statuses),
        }
        for key, name in columns
    ]
    chart = {
        "aspects": [name for _key, name in columns],
        "aspectKeys": [key for key, _name in columns],
        "series": [
            {
                "key": value,
                "name": label,
                "data": [counts.get((key_of[key], value), 0) for key, _name in columns],
            }
            for value, label in statuses
        ],
        "ledgerUrl": reverse("round_detail", args=[round_.pk]),
    }
    # The lists show no commitments: owner only, so each list is one query however long.
    overdue = deadline_filter(measures, "overdue", today).select_related("owner")
    upcoming = deadline_filter(measures, "upcoming", today).select_related("owner")
    overdue = overdue.order_by("current_deadline", "number")
    upcoming = upcoming.order_by("current_deadline", "number")
    return {
        "round": round_,
        "rates": summary,
        "table": table,
        "statuses": statuses,
        "chart": chart,
        "overdue": _lights(overdue[:DASHBOARD_LIST_LIMIT], today),
        "upcoming": _lights(upcoming[:DASHBOARD_LIST_LIMIT], today),
        "list_limit": DASHBOARD_LIST_LIMIT,
        "upcoming_days": UPCOMING_DAYS,
        "ledger_url": ledger_url,
    }


@dataclass(frozen=True)
class OrgRow:
    organization: Organization
    label: str
    query: str  # the filter of the ledger rows behind this row (org=… or tree=…)
    total: int
    closed: int
    continuing: int
    overdue: int
    drill: bool  # whether the row has organizations below it to open

    @property
    def no_ledger(self) -> bool:
        """No measure in the selection: shown as 未建台账, not as a row of zeros."""
        return self.total == 0

    @property
    def completion(self) -> float | None:
        return None if self.total == 0 else round(100 * self.closed / self.total, 1)


def _org_counts(measures: QuerySet[Measure], key: Any, today: datetime.date) -> dict[str, dict[str, int]]:
    """Measure counts grouped by KEY (an expression naming a row): one GROUP BY query."""
    rows = (
        measures.annotate(key=key)
        .values("key")
        .annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(status=MeasureStatus.CLOSED)),
            continuing=Count("pk", filter=Q(status=MeasureStatus.CONTINUING)),
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, current_deadline__lt=today)),
        )
        .order_by()
    )
    return {row["key"]: row for row in rows}


def _visible_paths(user: Any) -> str:
    """What decides which measures USER sees, for cache keys: all, or the organizations of the grants."""
    if user.is_superuser:
        return "*"
    return ",".join(sorted({path for path, _role in grants(user)}))


@login_required
def org_dashboard(request: HttpRequest) -> HttpResponse:
    """The roll-up across organizations: without ?org, one row per top organization the user may see
    (its whole subtree); with ?org=<pk>, that organization's own row and one per child subtree.

    Rows are grouped in the database by the organization path prefix, so the page costs the same
    number of queries for ten organizations or ten thousand.
    """
    today = timezone.localdate()
    visible = Organization.objects.for_user(request.user)
    selection = _dashboard_selection(request, today)
    chosen = selection.selection()
    path_field = "round__team__organization__path"

    def measures() -> QuerySet[Measure]:  # built only when the counts are not in the cache
        return selection.apply_rounds(Measure.objects.for_user(request.user))

    root = None
    if request.GET.get("org", "").isdigit():
        root = get_object_or_404(visible, pk=int(request.GET["org"]))
        children = list(Organization.objects.filter(parent=root).annotate(n_children=Count("children")))
        counts = cached_value(
            "org-rollup",
            f"{_visible_paths(request.user)}|org={root.path}|{chosen}",
            lambda: _org_counts(
                measures().filter(**{f"{path_field}__startswith": root.path}),
                Substr(path_field, 1, len(root.path) + PATH_STEP + 1),
                today,
            ),
        )
        units = [(root, "本级", f"org={root.pk}", False)] + [
            (child, child.name, f"tree={child.pk}", getattr(child, "n_children", 0) > 0) for child in children
        ]
        key_of = {root.pk: root.path} | {c.pk: c.path for c in children}
        ancestors = list(root.ancestors().filter(pk__in=visible.values("pk")))
    else:

        def top_rows() -> tuple[list[Organization], dict[str, dict[str, int]]]:
            if request.user.is_superuser:
                tops = Organization.objects.filter(parent=None)
            else:
                tops = Organization.objects.filter(path__in=top_paths(request.user))
            found = list(tops.annotate(n_children=Count("children")))
            whens = [When(**{f"{path_field}__startswith": top.path}, then=Value(top.path)) for top in found]
            return found, _org_counts(measures(), Case(*whens, default=Value("")), today) if whens else {}

        # The top organizations and their counts together: an organization added or moved is an
        # audit event (the admin's too), so both are kept until the ledger changes.
        tops, counts = cached_value("org-rollup-tops", f"{_visible_paths(request.user)}|{chosen}", top_rows)
        units = [(top, top.name, f"tree={top.pk}", getattr(top, "n_children", 0) > 0) for top in tops]
        key_of = {top.pk: top.path for top in tops}
        ancestors = []
    empty = {"total": 0, "closed": 0, "continuing": 0, "overdue": 0}
    rows = []
    for organization, label, query, drill in units:
        found = counts.get(key_of[organization.pk], empty)
        rows.append(
            OrgRow(
                organization,
                label,
                query,
                found["total"],
                found["closed"],
                found["continuing"],
                found["overdue"],
                drill,
            )
        )
    totals = {
        name: sum(getattr(row, name) for row in rows) for name in ("total", "closed", "continuing", "overdue")
    }
    return render(
        request,
        "ledger/org_dashboard.html",
        {
            "root": root,
            "ancestors": ancestors,
            "rows": rows,
            "totals": totals,
            "total_query": f"tree={root.pk}" if root else "",
            "completion": None
            if totals["total"] == 0
            else round(100 * totals["closed"] / totals["total"], 1),
            "ledger_url": reverse("ledger_list"),
            "selection": selection,
            "chosen": chosen,
            "selection_label": _selection_label(request.user, selection),
            **_selection_choices(request.user, selection, today),
        },
    )


def _dashboard_selection(request: HttpRequest, today: datetime.date) -> LedgerFilter:
    """The 汇总's round selection from the query string; this year unless a year (or "all") is given."""
    query = request.GET.copy()
    if not query.get("year"):
        query["year"] = str(today.year)
    found = LedgerFilter.from_query(query)
    return LedgerFilter(year=found.year, kind=found.kind, round=found.round, archived=found.archived)


SELECT_ROUNDS = 300  # rounds offered in the 汇总's round choice (narrow by year and kind first)


def _selection_choices(user: Any, selection: LedgerFilter, today: datetime.date) -> dict[str, Any]:
    """The years, kinds and rounds the 汇总's filter offers (rounds of the chosen year and kind).

    Up to SELECT_ROUNDS rounds for a province: the years and the rendered <option>s are kept until
    anything in the ledger changes (`cached_value`), not read and rendered on every visit."""

    def compute() -> tuple[list[int], str]:
        rounds = Round.objects.for_user(user)
        years = sorted(
            {today.year, *rounds.values_list("year", flat=True).distinct().order_by()}, reverse=True
        )
        offered = rounds.order_by("team__organization__path", "-year", "-id")
        if selection.year.isdigit():
            offered = offered.filter(year=int(selection.year))
        if selection.kind:
            offered = offered.filter(kind=selection.kind)
        if not selection.archived:
            offered = offered.filter(archived=False)
        rows = offered.values_list("pk", "team__organization__name", "title", "archived")[:SELECT_ROUNDS]
        options = format_html_join(
            "",
            '<option value="{}"{}>{} · {}{}</option>',
            (
                (
                    pk,
                    " selected" if selection.round == str(pk) else "",
                    name,
                    title,
                    "（已归档）" if archived else "",
                )
                for pk, name, title, archived in rows
            ),
        )
        return years, str(options)

    variant = (
        f"{_visible_paths(user)}|{selection.year}|{selection.kind}|{selection.round}|{selection.archived}"
    )
    years, options = cached_value("rollup-choices", variant, compute)
    return {"years": years, "kinds": RoundKind.choices, "round_options": mark_safe(options)}


__all__ = [
    "ledger_list",
    "measure_assign",
    "measure_create",
    "measure_history",
    "org_dashboard",
    "problem_causes",
    "problem_create",
    "problem_detail",
    "round_assign",
    "round_dashboard",
    "round_detail",
]
