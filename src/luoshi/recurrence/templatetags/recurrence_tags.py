"""`{% earlier_problems problem %}`: the "以往提出过" box of a problem, for any ledger page.

The matches of a whole round are computed once per request (one index lookup, a fixed number of
queries) and kept on the request, so a page listing every problem of a round stays O(1) in queries.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from luoshi.ledger.models import Problem, Round
from luoshi.recurrence import matching

register = template.Library()

_REQUEST_KEY = "_luoshi_recurrence_earlier"


def earlier_for(request: Any, problem: Problem) -> list[matching.Earlier]:
    """The earlier problems PROBLEM matches, as the requesting user may see them."""
    memo: dict[int, dict[int, list[matching.Earlier]]] = request.__dict__.setdefault(_REQUEST_KEY, {})
    if problem.round_id not in memo:
        round_ = Round.objects.select_related("team__organization").get(pk=problem.round_id)
        memo[problem.round_id] = matching.earlier_for_round(round_, request.user)
    return memo[problem.round_id].get(problem.pk, [])


_LEVEL_CLASS = {"高": "high", "中": "medium", "低": "low"}


@register.filter
def similarity(score: float | None, threshold: float | None = None) -> str:
    """{{ score|similarity }}: 高 / 中 / 低, with the score on hover."""
    if score is None:
        return ""
    level = matching.similarity_level(float(score), matching.threshold() if threshold is None else threshold)
    return format_html(
        '<span class="score similarity {}" title="相似度 {}（0–1）">相似度{}</span>',
        _LEVEL_CLASS[level],
        f"{float(score):.2f}",
        level,
    )


@register.inclusion_tag("recurrence/partials/earlier.html", takes_context=True)
def earlier_problems(context: template.Context, problem: Problem) -> dict[str, Any]:
    request = context.get("request")
    rows = earlier_for(request, problem) if request is not None else []
    return {"earlier": rows, "problem": problem}
