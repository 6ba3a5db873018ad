"""Pages of the ledger. Every object is fetched through `for_user`: not yours is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from luoshi.ledger.models import Measure, Round
from luoshi.ledger.services import rates
from luoshi.ledger.states import MeasureStatus


@login_required
def home(request: HttpRequest) -> HttpResponse:
    rounds = (
        Round.objects.for_user(request.user)
        .select_related("team__organization")
        .annotate(
            measure_count=Count("measures", distinct=True),
            closed_count=Count("measures", filter=Q(measures__status=MeasureStatus.CLOSED), distinct=True),
            problem_count=Count("problems", distinct=True),
        )
    )
    return render(request, "ledger/home.html", {"rounds": rounds})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = get_object_or_404(
        Round.objects.for_user(request.user).select_related("team__organization"), pk=pk
    )
    measures = (
        Measure.objects.for_user(request.user)
        .filter(round=round_)
        .select_related("owner", "problem__aspect")
        .prefetch_related(Prefetch("commitments"))
    )
    today = timezone.localdate()
    rows = [(m, m.light(today)) for m in measures]
    return render(
        request,
        "ledger/round_detail.html",
        {
            "round": round_,
            "rows": rows,
            "problems": round_.problems.select_related("aspect"),
            "rates": rates(round_.measures.all(), today),
        },
    )
