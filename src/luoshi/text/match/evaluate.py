"""Quality figures of the matcher on a labelled set: recall@1, recall@5 and F1 of the decision.

Used by ``bench/match/quality.py`` and by the regression test on the shipped labelled set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from luoshi.text.match.index import DEFAULT_THRESHOLD, Match, decide


@dataclass(frozen=True, slots=True)
class Quality:
    """Figures over one labelled set (recalls over the items that have a true earlier match)."""

    items: int
    with_match: int
    recall_at_1: float
    recall_at_5: float
    precision: float
    recall: float
    f1: float


def quality(
    results: Mapping[str, Sequence[Match]],
    truth: Mapping[str, frozenset[str]],
    threshold: float = DEFAULT_THRESHOLD,
) -> Quality:
    """Score ``results`` (new id -> matches, best first) against ``truth`` (new id -> true earlier ids).

    A decision is correct when it names one of the true earlier items; deciding for an item that has
    none, or naming a wrong one, counts against precision; missing a true one counts against recall.
    """
    with_match = [item for item, ids in truth.items() if ids]
    hit1 = sum(1 for item in with_match if results[item][:1] and results[item][0].id in truth[item])
    hit5 = sum(1 for item in with_match if any(m.id in truth[item] for m in results[item][:5]))
    decided = correct = 0
    for item, ids in truth.items():
        choice = decide(results[item], threshold=threshold)
        if choice is not None:
            decided += 1
            correct += choice in ids
    precision = correct / decided if decided else 1.0
    recall = correct / len(with_match) if with_match else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    n = len(with_match) or 1
    return Quality(len(truth), len(with_match), hit1 / n, hit5 / n, precision, recall, f1)
