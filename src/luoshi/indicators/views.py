"""Pages of the indicators: a round's indicators (and the commitments to accept), one indicator's
grid (members × periods), a member's standing and records, the quick entry of a record (phone
width), its correction, and the .xlsx import. Every object comes through `for_user` (not yours is a
404); every change goes through `luoshi.indicators.services` / `imports`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from luoshi.errors import DomainError, Invalid
from luoshi.indicators import compliance, imports, services
from luoshi.indicators.forms import ActivityForm, ActivityImportForm, IndicatorForm
from luoshi.indicators.fragments import cached_member_fragment
from luoshi.indicators.models import Activity, ActivityKind, Indicator, Period, Scope
from luoshi.ledger.models import Commitment, Problem, Round
from luoshi.ledger.progress import max_upload_bytes
from luoshi.orgs.access import has_role, organizations_q, roles_for_action
from luoshi.orgs.models import Member, Organization, Team

M = TypeVar("M", bound=Model)


def members_for_user(user: Any, action: str = "view") -> QuerySet[Member]:
    """Members whose page USER may see: their own, and those of the teams their roles reach."""
    reach = organizations_q(user, roles_for_action(action), prefix="team__organization__")
    if not reach:  # a superuser's "everything" (an empty Q would drop out of the OR below)
        return Member.objects.all()
    own = Q(user=user) if user.is_authenticated else Q(pk__in=[])
    return Member.objects.filter(own | reach)


def _from_row(model: type[M], values: Iterator[Any]) -> M:
    """An instance of MODEL from its concrete fields' next values in a plain query's row."""
    found = model._meta.concrete_fields
    return model.from_db(
        connection.alias,
        [field.attname for field in found],
        [field.to_python(next(values)) for field in found],
    )


def member_for_page(user: Any, pk: int) -> Member:
    """The member with PK, with team and organization, if USER may see their page (the rule of
    `members_for_user`: their own, or a role on the team's organization or above it, as
    `orgs.access.has_role` says for one organization); else a 404.

    Plain SQL: asked on every visit to a member's page, where building the ORM query (an OR over
    the user's organizations, three joins) costs several times more than running it."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"{alias}.{quote(field.column)}"
        for alias, model in (("m", Member), ("t", Team), ("o", Organization))
        for field in model._meta.concrete_fields
    )
    sql = (
        f"SELECT {columns} FROM {Member._meta.db_table} m"
        f" INNER JOIN {Team._meta.db_table} t ON t.id = m.team_id"
        f" INNER JOIN {Organization._meta.db_table} o ON o.id = t.organization_id WHERE m.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    values = iter(row)
    member, team, organization = (
        _from_row(Member, values),
        _from_row(Team, values),
        _from_row(Organization, values),
    )
    team.organization = organization
    member.team = team
    own = user.is_authenticated and member.user_id == user.pk
    if not own and not has_role(user, organization.path, "view"):
        raise Http404
    return member


def _uid(request: HttpRequest) -> int:
    return cast(int, request.user.pk)  # every view here is behind login_required


def _round(request: HttpRequest, pk: int) -> Round:
    return get_object_or_404(Round.objects.for_user(request.user).select_related("team__organization"), pk=pk)


def _can_manage(request: HttpRequest, team: Team) -> bool:
    return has_role(request.user, team.organization.path, "manage")


@login_required
def round_indicators(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's indicators with their compliance so far, and for organizers the parsed commitments
    to accept (corrected where needed) in one go."""
    round_ = _round(request, pk)
    today = timezone.localdate()
    indicators = list(
        Indicator.objects.for_user(request.user)
        .filter(round=round_)
        .select_related("round__team", "member", "measure")
    )
    grid_map = compliance.grids(indicators, today)
    can_manage = _can_manage(request, round_.team)
    return render(
        request,
        "indicators/round_indicators.html",
        {
            "round": round_,
            "rows": [(ind, grid_map[ind.pk].counts()) for ind in indicators],
            "tally": compliance.tally(grid_map.values()),
            "can_manage": can_manage,
            "suggestions": services.suggestions(round_) if can_manage else [],
            "kinds": ActivityKind.choices,
            "scopes": [(v, label) for v, label in Scope.choices if v != Scope.MEMBER],
            "periods": Period.choices,
            "ops": Commitment.Op.choices,
        },
    )


@login_required
@require_POST
def accept_indicators(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept the ticked commitments as indicators, with the organizer's corrections."""
    round_ = _round(request, pk)
    chosen = [int(v) for v in request.POST.getlist("accept") if v.isdigit()]
    commitments = {c.pk: c for c in Commitment.objects.filter(pk__in=chosen, measure__round=round_)}
    rows = []
    for cid in chosen:
        if cid not in commitments:
            raise Http404
        get = request.POST.get
        rows.append(
            {
                "commitment": commitments[cid],
                "name": get(f"name-{cid}") or commitments[cid].text,
                "kind": get(f"kind-{cid}"),
                "scope": get(f"scope-{cid}"),
                "period": get(f"period-{cid}"),
                "op": get(f"op-{cid}"),
                "target": get(f"target-{cid}"),
                "unit": get(f"unit-{cid}"),
            }
        )
    if not rows:
        messages.error(request, "请勾选要设为指标的量化承诺")
        return redirect("round_indicators", pk=round_.pk)
    try:
        created = services.accept_suggestions(round_, rows, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("round_indicators", pk=round_.pk)
    messages.success(request, f"已设置 {len(created)} 项量化指标")
    return redirect("round_indicators", pk=round_.pk)


@login_required
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    """An indicator by hand (organizers)."""
    round_ = _round(request, pk)
    if not _can_manage(request, round_.team):
        raise Http404
    form = IndicatorForm(request.POST or None, team=round_.team, round_id=round_.pk)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                indicator = services.create_indicator(round_, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, "指标已设置")
                return redirect("indicator_grid", pk=indicator.pk)
        else:
            status = 422
    start, end = services.default_dates(round_)
    return render(
        request,
        "indicators/indicator_form.html",
        {"round": round_, "form": form, "default_start": start, "default_end": end},
        status=status,
    )


@login_required
def indicator_grid(request: HttpRequest, pk: int) -> HttpResponse:
    """Members × periods of one indicator: met, not met, no records, or still open."""
    indicator = get_object_or_404(
        Indicator.objects.for_user(request.user).select_related(
            "round__team__organization", "member", "measure"
        ),
        pk=pk,
    )
    today = timezone.localdate()
    grid = compliance.grids([indicator], today)[indicator.pk]
    return render(
        request,
        "indicators/grid.html",
        {
            "indicator": indicator,
            "round": indicator.round,
            "grid": grid,
            "tally": compliance.tally([grid]),
            "labels": grid.column_labels(),
        },
    )


@login_required
def member_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's standing on each current indicator, their periods so far, and their records
    (cached until any of them may have changed, see `luoshi.indicators.fragments`)."""
    member = member_for_page(request.user, pk)
    is_self = member.user_id is not None and member.user_id == request.user.pk
    can_record = is_self or _can_manage(request, member.team)

    def render_body() -> str:
        today = timezone.localdate()
        indicators = list(
            Indicator.objects.filter(round__team_id=member.team_id)
            .filter(Q(scope=Scope.EACH_MEMBER) | Q(scope=Scope.MEMBER, member=member))
            .select_related("round__team")
        )
        grid_map = compliance.grids(indicators, today)
        rows = []
        for ind in indicators:
            grid = grid_map[ind.pk]
            cells = [
                grid.cells[(member.pk, span[0])] for span in grid.spans if (member.pk, span[0]) in grid.cells
            ]
            rows.append((ind, cells, grid.column_labels()))
        context = {
            "member": member,
            "rows": rows,
            "standings": compliance.standings_for_member(member, today),
            "records": Activity.objects.filter(member=member).select_related("entered_by", "indicator")[:50],
            "can_record": can_record,
            # The member's own problems (their material, criticisms, opinions about them): of the
            # member's team, which member_for_page has let the user see; their changes are audit
            # events of the team's organization, so the fragment's version covers them.
            "own_problems": Problem.objects.filter(member=member, round__team_id=member.team_id)
            .select_related("round")
            .prefetch_related("measures")
            .order_by("-round__year", "round_id", "number")[:100],
        }
        return render_to_string("indicators/partials/member_body.html", context)

    body = cached_member_fragment(member, f"{can_record}", render_body)
    return render(
        request,
        "indicators/member.html",
        {"member": member, "body_html": body, "can_record": can_record, "is_self": is_self},
    )


@login_required
def my_activities(request: HttpRequest) -> HttpResponse:
    """The signed-in member's own page (the first team they sit on)."""
    member = Member.objects.filter(user_id=_uid(request), active=True).order_by("id").first()
    if member is None:
        raise Http404
    return redirect("member_activities", pk=member.pk)


def _who_choices(request: HttpRequest) -> tuple[list[tuple[str, str]], dict[str, tuple[Team, Member | None]]]:
    """Whom USER may record for: themselves, and (office staff) every member and team they manage."""
    choices: list[tuple[str, str]] = []
    targets: dict[str, tuple[Team, Member | None]] = {}
    own = Member.objects.filter(user_id=_uid(request), active=True).select_related("team__organization")
    for member in own:
        key = f"m-{member.pk}"
        choices.append((key, f"本人（{member.name}，{member.team.name}）"))
        targets[key] = (member.team, member)
    managed = Team.objects.filter(
        organizations_q(request.user, roles_for_action("manage"), prefix="organization__")
    )
    for team in managed.select_related("organization").prefetch_related("members"):
        key = f"t-{team.pk}"
        choices.append((key, f"{team.name}（班子整体）"))
        targets[key] = (team, None)
        for member in team.members.all():
            key = f"m-{member.pk}"
            if member.active and key not in targets:
                choices.append((key, f"代填：{member.name}（{member.position}）"))
                targets[key] = (team, member)
    return choices, targets


def _figures_for(request: HttpRequest) -> QuerySet[Indicator]:
    teams = Member.objects.filter(user_id=_uid(request)).values("team_id")
    mine = Q(round__team_id__in=teams) | organizations_q(
        request.user, roles_for_action("manage"), prefix="round__team__organization__"
    )
    return Indicator.objects.filter(mine, kind=ActivityKind.FIGURE).select_related("round")


def _activity_values(form: ActivityForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "date": data["date"],
        "kind": data["kind"],
        "count": data.get("count") or 1,
        "households": data.get("households") or 0,
        "value": data.get("value") if data.get("value") is not None else None,
        "indicator": data.get("indicator"),
        "place": data.get("place", ""),
        "note": data.get("note", ""),
    }


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    """The quick entry of a record: a few fields that fit a phone; a photo is optional."""
    choices, targets = _who_choices(request)
    if not choices:
        raise Http404
    initial_who = request.GET.get("who", "")
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        who=choices,
        figures=_figures_for(request),
        initial={
            "date": timezone.localdate(),
            "count": 1,
            "who": initial_who if initial_who in targets else choices[0][0],
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            team, member = targets[form.cleaned_data["who"]]
            try:
                activity = services.record_activity(
                    team,
                    actor=request.user,
                    member=member,
                    photo=form.cleaned_data.get("photo"),
                    **_activity_values(form),
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(
                    request, f"已记录：{activity.date:%m-%d} {activity.get_kind_display()} {activity.amount}"
                )
                if member is not None:
                    return redirect("member_activities", pk=member.pk)
                return redirect("activity_new")
        else:
            status = 422
    return render(request, "indicators/activity_form.html", {"form": form, "correcting": None}, status=status)


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a record; the history (audit log) keeps the version before."""
    activity = get_object_or_404(
        Activity.objects.for_user(request.user, "work").select_related("team__organization", "member"), pk=pk
    )
    key = f"m-{activity.member_id}" if activity.member_id else f"t-{activity.team_id}"
    label = activity.member.name if activity.member else f"{activity.team.name}（班子整体）"
    initial = {
        "who": key,
        "date": activity.date,
        "kind": activity.kind,
        "count": activity.count or 1,
        "households": activity.households or None,
        "value": activity.value,
        "indicator": activity.indicator_id,
        "place": activity.place,
        "note": activity.note,
    }
    form = ActivityForm(
        request.POST or None,
        who=[(key, label)],
        figures=_figures_for(request),
        correcting=True,
        initial=initial,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.correct_activity(
                    activity,
                    actor=request.user,
                    reason=form.cleaned_data.get("reason", ""),
                    **_activity_values(form),
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, "记录已更正，原记录保留在历史中")
                if activity.member_id:
                    return redirect("member_activities", pk=activity.member_id)
                return redirect("activity_new")
        else:
            status = 422
    from luoshi.audit.chain import history

    return render(
        request,
        "indicators/activity_form.html",
        {"form": form, "correcting": activity, "history": history(activity)},
        status=status,
    )


@login_required
def activity_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Office staff import a sheet of records for the round's team; each row gets a report line."""
    round_ = _round(request, pk)
    if not _can_manage(request, round_.team):
        raise Http404
    form = ActivityImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = imports.import_activities(
                    round_.team, _read_limited(upload), actor=request.user, name=upload.name
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                if report.saved:
                    messages.success(request, f"已导入 {report.saved} 条履职记录")
                else:
                    status = 422
        else:
            status = 422
    return render(
        request,
        "indicators/import.html",
        {"round": round_, "form": form, "report": report, "members": round_.team.members.filter(active=True)},
        status=status,
    )


def _read_limited(upload: Any) -> bytes:
    if upload.size > max_upload_bytes():
        raise Invalid(f"文件“{upload.name}”超过大小限制")
    return bytes(upload.read())
