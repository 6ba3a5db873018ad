"""Suggested problems: the top-K selection equals a stable sort of each row, ties included."""

from __future__ import annotations

import numpy as np
import pytest

from luoshi.text.model import Problem
from luoshi.text.suggest import MAX_SUGGESTIONS, MIN_SCORE, _best, suggest_problems


def _reference(total: np.ndarray, k: int) -> list[tuple[tuple[int, float], ...]]:
    best = np.argsort(-total, axis=1, kind="stable")[:, :k]
    scores = np.round(np.take_along_axis(total, best, axis=1), 3).tolist()
    return [
        tuple((i, v) for i, v in zip(row, values, strict=True) if v >= MIN_SCORE)
        for row, values in zip(best.tolist(), scores, strict=True)
    ]


@pytest.mark.parametrize("seed", range(40))
def test_the_best_k_are_a_stable_sorts_first_k(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, columns = rng.integers(1, 30), rng.integers(1, 30)
    # Few distinct values, so that ties at the K-th place (and around MIN_SCORE) are common.
    total = rng.choice([0.0, 0.1, 0.1795, 0.1796, 0.18, 0.25, 0.4, 0.4, 0.9], size=(rows, columns))
    k = min(MAX_SUGGESTIONS, columns)
    found = [tuple((s.problem, s.score) for s in row) for row in _best(total, k)]
    assert found == _reference(total, k)


def test_suggestions_rank_the_problem_a_measure_answers_first() -> None:
    problems = [
        Problem(aspect="作风建设", summary="调查研究不够深入", text="调查研究不够深入，到基层走访次数少。"),
        Problem(aspect="廉洁自律", summary="公务接待不规范", text="公务接待标准执行不严，审批手续不全。"),
    ]
    (first, second) = suggest_problems(
        problems, ["深入基层开展调查研究，每月走访不少于2次。", "规范公务接待审批手续。"]
    )
    assert first[0].problem == 0 and second[0].problem == 1
    assert suggest_problems(problems, []) == [] and suggest_problems([], ["措施"]) == [()]


def test_no_suggestions_past_a_million_pairs() -> None:
    # 1,001 problems and 1,000 measures: scoring every pair of a document of 8,000 of each took
    # 1.8 GB; a real material has a few hundred of each.
    from luoshi.text.suggest import MAX_PAIRS

    problems = [
        Problem(aspect="作风", summary=f"问题{i}", text=f"调查研究不够深入{i}。") for i in range(1001)
    ]
    measures = [f"深入基层开展调查研究{i}。" for i in range(1000)]
    assert len(problems) * len(measures) > MAX_PAIRS
    assert suggest_problems(problems, measures) == [() for _ in measures]
    assert all(suggest_problems(problems[:1000], measures[:1000]))  # at the bound, each has some
