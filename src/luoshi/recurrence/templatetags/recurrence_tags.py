"""`{% earlier_problems problem %}`: the "以往提出过" box of a problem, for any ledger page.

The matches of a whole round are computed once per request (one index lookup, a fixed number of
queries) and kept on the request, so a page listing every problem of a round stays O(1) in queries.
"""

from __future__ import annotations

from typing import Any

from django import template

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


@register.inclusion_tag("recurrence/partials/earlier.html", takes_context=True)
def earlier_problems(context: template.Context, problem: Problem) -> dict[str, Any]:
    request = context.get("request")
    rows = earlier_for(request, problem) if request is not None else []
    return {"earlier": rows, "problem": problem}
