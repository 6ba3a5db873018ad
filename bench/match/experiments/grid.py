"""The grid search of the defect experiment (defects-v1.patch), on the tuning splits only.

Apply the patch first (``git apply bench/match/experiments/defects-v1.patch``), then
``.venv/bin/python bench/match/experiments/grid.py``. It searches block weights, the concept boost,
DEFECT_MISMATCH, the threshold and a margin rule on dev + fresh + fresh2 (never test or fresh3) and
prints the best settings by mean F1 + mean recall@1. See bench/match/README.md for the outcome.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from luoshi.text.match import Match, MatchIndex
from luoshi.text.match import features as feats
from luoshi.text.match import index as index_module

DATA = Path(__file__).resolve().parents[3] / "tests" / "text" / "match_data"
TUNE = ("dev", "fresh", "fresh2")


def _read(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _f1(
    results: dict[str, list[Match]], labelled: list[tuple[str, set[str]]], rule: tuple[float, ...]
) -> float:
    threshold, margin, sure = rule
    correct = decided = positives = 0
    for item, truth in labelled:
        positives += bool(truth)
        matches = results[item]
        if not matches or matches[0].score < threshold:
            continue
        close = len(matches) > 1 and matches[0].score - matches[1].score < margin
        if close and matches[0].score < sure:
            continue
        decided += 1
        correct += matches[0].id in truth
    precision = correct / decided if decided else 1.0
    recall = correct / positives
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main() -> None:
    history, new, labels = _read("history.jsonl"), _read("new.jsonl"), _read("labels.jsonl")
    history_features = [feats.features(h["text"]) for h in history]
    new_features = [feats.features(n["text"]) for n in new]
    split = {s: [(r["id"], set(r["recurring_of"])) for r in labels if r["split"] == s] for s in TUNE}
    rows = []
    grid = itertools.product([0.2, 0.3, 0.4, 0.5], [0.1, 0.2, 0.3], [0.2, 0.35, 0.5], [1.5, 2.5], [0.7, 1.0])
    for word, bigram, char, boost, penalty in grid:
        index_module.DEFECT_MISMATCH = penalty  # type: ignore[attr-defined]
        index = MatchIndex(weights={"word": word, "bigram": bigram, "char": char, "concept_boost": boost})
        for row, features in zip(history, history_features, strict=True):
            index.add_features(row["id"], features)
        found = index.query_features(new_features, top=5)
        results = dict(zip((n["id"] for n in new), found, strict=True))
        recall1 = [
            sum(1 for i, t in split[s] if t and results[i] and results[i][0].id in t)
            / sum(1 for _, t in split[s] if t)
            for s in TUNE
        ]
        for step in range(12, 36, 2):
            threshold = step / 100
            for margin, sure in itertools.product(
                [0.0, 0.02, 0.04, 0.06], [threshold + 0.1, threshold + 0.2, 9]
            ):
                f1s = [_f1(results, split[s], (threshold, margin, sure)) for s in TUNE]
                score = sum(f1s) / 3 + sum(recall1) / 3
                rows.append(
                    (round(score, 4), (word, bigram, char, boost, penalty, threshold, margin, sure), f1s)
                )
    rows.sort(key=lambda r: -r[0])
    for row in rows[:15]:
        print(row)


if __name__ == "__main__":
    main()
