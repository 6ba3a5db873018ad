"""The owner's and the reviewer's pages: 我的整改, the measure page, 待验收, evidence files, notices.

Every object comes through `for_user` (not yours is a 404); every change goes through a service
(`services.transition`, `progress.*`), whose refusal is shown as its Chinese message with its status.
The buttons offered are derived from the same table and capacities the services check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, F, OuterRef, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from luoshi.errors import DomainError
from luoshi.ledger import progress
from luoshi.ledger.forms import ExtensionDecisionForm, ExtensionRequestForm, ProgressForm, TransitionForm
from luoshi.ledger.fragments import cached_owner_fragment
from luoshi.ledger.models import Evidence, Extension, Measure
from luoshi.ledger.services import capacities, four_eyes_refusal, involvement_of, transition
from luoshi.ledger.states import OPEN_STATUSES, OWNER_SIDE, Actor, MeasureStatus, rule_for, targets_from
from luoshi.notices.models import Notice
from luoshi.notices.rules import SUMMARY_QUOTE
from luoshi.orgs.access import grants
from luoshi.text.shorten import shorten

# Where a form on the review queue sends the reviewer back to (never a URL taken from the request).
_NEXT_PAGES = {"review": "review_queue", "my": "my_measures"}


@dataclass(frozen=True)
class Offer:
    """A workflow step the current user may take on a measure, as a button."""

    target: str
    label: str
    needs_outcome: bool
    needs_reason: bool
    confirm: bool = False

    @property
    def form_id(self) -> str:
        """The id of the step's form on the measure page (the next-action links point at it)."""
        return "outcome-form" if self.needs_outcome else f"step-{self.target}"


def offers_for(measure: Measure, user: Any, held: frozenset[Actor]) -> list[Offer]:
    """The transitions `services.transition` would accept from USER now (same table, same checks)."""
    found = []
    refusal: str | bool | None = False  # asked once, and only when a four-eyes step is on offer
    for target in targets_from(measure.status):
        rule = rule_for(measure.status, target)
        if rule is None or not held & rule.actors:
            continue
        if rule.four_eyes:
            if refusal is False:
                refusal = four_eyes_refusal(measure, user)
            if refusal:
                continue
        found.append(
            Offer(
                target=target.value,
                label=rule.label,
                needs_outcome=rule.needs_outcome,
                needs_reason=rule.needs_reason,
                confirm=rule.confirm,
            )
        )
    return found


def can_decide(extension: Extension, user: Any, held: frozenset[Actor]) -> bool:
    return (
        extension.status == Extension.Status.REQUESTED
        and extension.measure.status in OPEN_STATUSES
        and Actor.REVIEWER in held
        and Actor.OWNER not in held
        and extension.requested_by_id != user.pk
    )


def _uid(request: HttpRequest) -> int:
    # Every view here is behind login_required, so the user has a primary key.
    return cast(int, request.user.pk)


def _measure(request: HttpRequest, pk: int, action: str = "view") -> Measure:
    # all_objects: a voided measure keeps its page (every step on it is refused by the services).
    return get_object_or_404(
        Measure.all_objects.for_user(request.user, action).select_related(
            "round__team__organization", "owner__user", "problem__aspect", "submitted_by"
        ),
        pk=pk,
    )


def _detail(
    request: HttpRequest,
    measure: Measure,
    *,
    status: int = 200,
    error: str = "",
    progress_form: ProgressForm | None = None,
    extension_form: ExtensionRequestForm | None = None,
    transition_form: TransitionForm | None = None,
) -> HttpResponse:
    user = request.user
    # A voided measure offers no step, progress, evidence or extension (services.require_live).
    held = capacities(measure, user) if measure.voided_at is None else frozenset()
    extensions = list(measure.extensions.select_related("requested_by", "decided_by"))
    pending = next((e for e in extensions if e.status == Extension.Status.REQUESTED), None)
    owner_side = bool(held & OWNER_SIDE)
    offers = offers_for(measure, user, held)
    context = {
        "measure": measure,
        "light": measure.light(),
        "commitments": measure.commitments.all(),
        "updates": measure.updates.select_related("author").prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("id"))
        ),
        "loose_evidence": measure.evidence.filter(update__isnull=True),
        "reviews": measure.reviews.select_related("reviewer"),
        "extensions": extensions,
        "pending": pending,
        "can_decide_pending": pending is not None and can_decide(pending, user, held),
        "offers": offers,
        "outcome_offers": [o for o in offers if o.needs_outcome],
        "can_record": owner_side and measure.status in progress.RECORDABLE_STATUSES,
        "can_request_extension": owner_side
        and measure.status in OPEN_STATUSES
        and measure.current_deadline is not None
        and pending is None,
        "progress_form": progress_form or ProgressForm(),
        "extension_form": extension_form or ExtensionRequestForm(),
        "transition_form": transition_form,
        "error": error,
        "max_upload_mb": progress.max_upload_bytes() // (1024 * 1024),
        "allowed_types": progress.ALLOWED_LABEL,
    }
    return render(request, "ledger/work/measure_detail.html", context, status=status)


def _from_queue(request: HttpRequest) -> bool:
    """An htmx form on the review queue: answer with the card, not a page."""
    return bool(getattr(request, "htmx", False)) and request.POST.get("next") == "review"


def _queue_done(request: HttpRequest, measure: Measure, text: str) -> HttpResponse:
    return render(
        request,
        "ledger/work/partials/queue_done.html",
        {"text": text, "url": reverse("measure_detail", args=[measure.pk])},
    )


def _back(request: HttpRequest, measure: Measure) -> HttpResponseRedirect:
    page = _NEXT_PAGES.get(request.POST.get("next", ""))
    return redirect(page) if page else redirect("measure_detail", pk=measure.pk)


@login_required
@require_GET
def my_measures(request: HttpRequest) -> HttpResponse:
    """The member's own measures by current deadline (none first to last), with lights.

    The list is cached per user until anything shown in it may have changed (`owner_version`);
    the links to the personal lists also depend on the user's roles, hence the variant."""
    user = request.user

    def render_list() -> str:
        pending = Extension.objects.filter(measure=OuterRef("pk"), status=Extension.Status.REQUESTED)
        measures = (
            Measure.objects.for_user(user, "work")
            .owned_by(user)
            .select_related("round__team__organization", "problem")
            .annotate(extension_pending=Exists(pending))
            .order_by(F("current_deadline").asc(nulls_last=True), "round_id", "number")
        )
        today = timezone.localdate()
        rows = [(m, m.light(today)) for m in measures]
        open_count = sum(1 for m, _ in rows if m.is_open)
        context = {"rows": rows, "open_count": open_count, "request": request}
        return render_to_string("ledger/work/partials/my_measures_list.html", context)

    variant = f"{user.is_superuser}|{sorted(grants(user))}"
    html = cached_owner_fragment(_uid(request), "my-measures", variant, render_list)
    return render(request, "ledger/work/my_measures.html", {"list_html": html})


@login_required
@require_GET
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _measure(request, pk))


@login_required
@require_POST
def measure_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Record progress with evidence. On any refusal the page comes back with the text still typed."""
    measure = _measure(request, pk)
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, measure, status=422, progress_form=form, error="请检查填写的内容")
    data = form.cleaned_data
    try:
        progress.record_progress(
            measure,
            actor=request.user,
            date=data["date"],
            text=data["text"],
            files=data["attachments"],
            evidence_date=data["evidence_date"],
            statement=data["statement"],
            extra=request.POST,
        )
    except DomainError as e:
        return _detail(request, measure, status=e.status, progress_form=form, error=e.message)
    count = len(data["attachments"])
    messages.success(request, "进展已保存" + (f"，上传佐证文件 {count} 个" if count else ""))
    return redirect("measure_detail", pk=measure.pk)


@login_required
@require_POST
def measure_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Start, submit, mark continuing, close, return or reopen: whatever `transition` accepts."""
    measure = _measure(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _detail(request, measure, status=422, error="请求不完整")
    data = form.cleaned_data
    try:
        target = MeasureStatus(data["target"])
    except ValueError:
        return _detail(request, measure, status=422, error="没有这一步操作")
    rule = rule_for(measure.status, target)
    if rule is not None and rule.confirm and not data["confirmed"] and _offer(request, measure, target):
        # Not yet confirmed: show what is being decided and ask once more (the typed text is kept).
        # A step not on offer goes on to the service, whose refusal says why.
        return _confirm_page(request, measure, target, reason=data["reason"])
    outcome = data["outcome"] if "outcome" in request.POST else None
    try:
        done = transition(measure, target, actor=request.user, reason=data["reason"], outcome=outcome)
    except DomainError as e:
        if _from_queue(request):
            context = {"m": measure, "error": e.message}
            return render(request, "ledger/work/partials/queue_measure.html", context, status=e.status)
        return _detail(request, measure, status=e.status, error=e.message, transition_form=form)
    text = f"“{shorten(done.summary, SUMMARY_QUOTE)}”已变为“{done.get_status_display()}”"
    if _from_queue(request):
        return _queue_done(request, done, text)
    messages.success(request, text)
    return _back(request, measure)


def _offer(request: HttpRequest, measure: Measure, target: MeasureStatus) -> Offer | None:
    """The step to TARGET if it is on offer to the user now."""
    held = capacities(measure, request.user)
    return next((o for o in offers_for(measure, request.user, held) if o.target == target), None)


def _confirm_page(
    request: HttpRequest, measure: Measure, target: MeasureStatus, *, reason: str = "", status: int = 200
) -> HttpResponse:
    """The confirmation step of 验收销号 and 重新打开: what is being decided (summary, owner, outcome,
    evidence) and the reviewer's opinion or reason, posted back with `confirmed`. Offered only when
    the step is on offer to this user now (the same table and checks as the service)."""
    offer = _offer(request, measure, target)
    if offer is None or not offer.confirm:
        rule = rule_for(measure.status, target)
        what = rule.label if rule else "这一步"
        return _detail(request, measure, status=409, error=f"当前不能办理“{what}”")
    evidence = list(measure.evidence.order_by("evidence_date", "id"))
    context = {
        "measure": measure,
        "offer": offer,
        "reason": reason,
        "evidence": evidence,
        "evidence_files": sum(1 for e in evidence if e.file),
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "closing": target == MeasureStatus.CLOSED,
    }
    return render(request, "ledger/work/measure_confirm.html", context, status=status)


@login_required
@require_GET
def measure_confirm(request: HttpRequest, pk: int, target: str) -> HttpResponse:
    """Confirm 验收销号 or 重新打开 before it is taken."""
    measure = _measure(request, pk)
    try:
        step = MeasureStatus(target)
    except ValueError:
        raise Http404("没有这一步操作") from None
    return _confirm_page(request, measure, step)


@login_required
@require_POST
def measure_extension(request: HttpRequest, pk: int) -> HttpResponse:
    measure = _measure(request, pk)
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        return _detail(request, measure, status=422, extension_form=form, error="请检查延期申请的内容")
    try:
        progress.request_extension(
            measure,
            actor=request.user,
            requested_deadline=form.cleaned_data["requested_deadline"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as e:
        return _detail(request, measure, status=e.status, extension_form=form, error=e.message)
    messages.success(request, "延期申请已提交，等待验收人审批")
    return redirect("measure_detail", pk=measure.pk)


@login_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    extension = get_object_or_404(
        Extension.objects.filter(measure__in=Measure.objects.for_user(request.user, "view")), pk=pk
    )
    measure = _measure(request, extension.measure_id)
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, measure, status=422, error="请选择批准或不批准")
    try:
        progress.decide_extension(
            extension,
            actor=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
        )
    except DomainError as e:
        if _from_queue(request):
            context = {"x": extension, "error": e.message}
            return render(request, "ledger/work/partials/queue_extension.html", context, status=e.status)
        return _detail(request, measure, status=e.status, error=e.message)
    extension.refresh_from_db()
    text = f"延期申请{extension.get_status_display()}：{shorten(measure.summary, SUMMARY_QUOTE)}"
    if _from_queue(request):
        return _queue_done(request, measure, text)
    messages.success(request, text)
    return _back(request, measure)


# Shown in the page (inline) only as these types, and only when the file's first bytes agree;
# everything else (and never HTML or SVG, which could run script) is served as a download.
INLINE_TYPES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}


def inline_type(evidence: Evidence) -> str | None:
    """The content type EVIDENCE may be shown in the page as, by its recorded type, or None."""
    if not evidence.inline_kind:
        return None
    return (evidence.content_type or "").split(";")[0].strip().lower()


def _evidence_response(request: HttpRequest, pk: int, *, inline: bool) -> FileResponse:
    """An evidence file, only to those who may see its measure (anyone else: 404). INLINE asks to
    show it in the browser: granted for the safe types whose bytes match; otherwise a download."""
    evidence = get_object_or_404(Evidence.objects.for_user(request.user, "view").exclude(file=""), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在，请联系管理员") from None
    shown = inline_type(evidence) if inline else None
    if shown is not None:
        head = handle.read(16)
        handle.seek(0)
        if not head.startswith(INLINE_TYPES[shown]) or (shown == "image/webp" and head[8:12] != b"WEBP"):
            shown = None
    response = FileResponse(
        handle,
        as_attachment=shown is None,
        filename=evidence.original_name or "evidence",
        content_type=shown or evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A file is never a page: no script, ever. Shown inline, the browser's own image and PDF
    # viewers may draw it (their wrapper's styles, the PDF viewer as an object of the same origin).
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; object-src 'self'; style-src 'unsafe-inline'"
        if shown is not None
        else "default-src 'none'; sandbox"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file as a download (never rendered)."""
    return _evidence_response(request, pk, inline=False)


@login_required
@require_GET
def evidence_view(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence image or PDF shown in the browser; any other type still downloads."""
    return _evidence_response(request, pk, inline=True)


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Submitted measures the reviewer may decide (four eyes: never one they own or owned, worked on
    or submitted), with the outcome and evidence, and pending extension requests on open measures."""
    user = request.user
    reviewable = Measure.objects.for_user(user, "review")
    candidates = list(
        reviewable.filter(status=MeasureStatus.SUBMITTED)
        .exclude(submitted_by_id=user.pk)
        .select_related("round__team__organization", "owner", "problem", "submitted_by")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("evidence_date", "id")), "co_owners"
        )
        .order_by("submitted_at", "pk")
    )
    involvement = involvement_of(candidates)
    submitted = [m for m in candidates if four_eyes_refusal(m, user, involvement[m.pk]) is None]
    extensions = (
        Extension.objects.filter(
            status=Extension.Status.REQUESTED, measure__in=reviewable, measure__status__in=OPEN_STATUSES
        )
        .exclude(requested_by_id=user.pk)
        .select_related("measure__round__team__organization", "measure__owner", "requested_by")
        .order_by("requested_at", "pk")
    )
    return render(
        request,
        "ledger/work/review_queue.html",
        {"submitted": submitted, "extensions": extensions},
    )


@login_required
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    items = Notice.objects.filter(user_id=_uid(request)).order_by("-created_at", "-pk")[:200]
    return render(request, "ledger/work/notices.html", {"notices": items})


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notice read; with "open", go to what it is about."""
    notice = get_object_or_404(Notice.objects.filter(user_id=_uid(request)), pk=pk)
    progress.mark_notices_read(request.user, [notice.pk])
    if "open" in request.POST and url_has_allowed_host_and_scheme(
        notice.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notice.url or reverse("notices"))
    return redirect("notices")


@login_required
@require_POST
def notices_read_all(request: HttpRequest) -> HttpResponse:
    progress.mark_notices_read(request.user)
    return redirect("notices")


__all__ = [
    "evidence_file",
    "evidence_view",
    "extension_decide",
    "measure_confirm",
    "measure_detail",
    "measure_extension",
    "measure_progress",
    "measure_transition",
    "my_measures",
    "notice_read",
    "notices",
    "notices_read_all",
    "review_queue",
]
