"""Field-level quality of `luoshi parse` against golden JSON files.

    python bench/parse/quality.py DIR [--json] [--errors]

DIR holds documents `NAME.<ext>` beside `NAME.expected.json`, and optionally `manifest.tsv`
(columns: file, layout, notes) naming each document's layout. Every document is parsed with
`luoshi.text.parse_file`; a document the engine cannot read (raises) is reported as unreadable,
apart from the figures.

Items are aligned within each list (problems, causes, measures) by text similarity, keeping order
(a dynamic-programming alignment over difflib ratios; a pair counts only from ratio 0.5). Each
field of an aligned pair is a true positive when equal and both a false positive and a false
negative when not; an expected item left unaligned is a false negative for every field, a
predicted one a false positive. Counts are scored per document: min(predicted, expected) true
positives, the excess on either side false positives or negatives. A measure's problem link is
right when it points at the predicted problem aligned with the expected one. `suggested_problems`
is not scored. See README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from luoshi.text import parse_file

MIN_RATIO = 0.5
LISTS = ("problems", "causes", "measures")
FIELDS: dict[str, tuple[str, ...]] = {
    "problems": ("aspect", "summary", "text"),
    "causes": ("summary", "text"),
    "measures": (
        "group",
        "summary",
        "text",
        "problem",
        "owner",
        "owners",
        "department",
        "co_department",
        "deadline",
        "deadline_text",
        "commitments",
    ),
}
# Report rows: (list, field) pairs grouped under one name.
REPORT: dict[str, tuple[tuple[str, str], ...]] = {
    "title": (("doc", "title"),),
    "count:problems": (("count", "problems"),),
    "count:causes": (("count", "causes"),),
    "count:measures": (("count", "measures"),),
    "labels (aspect/group)": (("problems", "aspect"), ("measures", "group")),
    "summaries": (("problems", "summary"), ("causes", "summary"), ("measures", "summary")),
    "text": (("problems", "text"), ("causes", "text"), ("measures", "text")),
    "problem links": (("measures", "problem"),),
    "owner": (("measures", "owner"),),
    "owners": (("measures", "owners"),),
    "department": (("measures", "department"),),
    "co_department": (("measures", "co_department"),),
    "deadline": (("measures", "deadline"),),
    "deadline_text": (("measures", "deadline_text"),),
    "commitments": (("measures", "commitments"),),
}


@dataclass
class Tally:
    """True positives, false positives and false negatives of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Tally) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    """Tallies per (list, field), and the errors seen."""

    tallies: dict[tuple[str, str], Tally] = field(default_factory=lambda: defaultdict(Tally))
    errors: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for key, tally in other.tallies.items():
            self.tallies[key].add(tally)
        self.errors.extend(other.errors)

    def report(self, name: str) -> Tally:
        total = Tally()
        for key in REPORT[name]:
            if key in self.tallies:
                total.add(self.tallies[key])
        return total


def _ratio(a: str, b: str) -> float:
    a, b = "".join(a.split()), "".join(b.split())
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def align(expected: Sequence[str], predicted: Sequence[str]) -> list[tuple[int, int]]:
    """Order-preserving pairs (expected index, predicted index) maximising summed similarity."""
    n, m = len(expected), len(predicted)
    sim = [[_ratio(e, p) for p in predicted] for e in expected]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = sim[i][j] + best[i + 1][j + 1] if sim[i][j] >= MIN_RATIO else -1.0
            best[i][j] = max(take, best[i + 1][j], best[i][j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] >= MIN_RATIO and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def score_document(expected: dict[str, Any], predicted: dict[str, Any], name: str = "") -> Score:
    """Tallies for one document."""
    score = Score()
    title = score.tallies[("doc", "title")]
    if expected.get("title") == predicted.get("title"):
        title.tp += 1
    else:
        title.fp += 1
        title.fn += 1
        score.errors.append(f"{name}: title {predicted.get('title')!r} != {expected.get('title')!r}")
    mapping: dict[str, dict[int, int]] = {}
    for kind in LISTS:
        exp_items: list[dict[str, Any]] = expected.get(kind, [])
        pred_items: list[dict[str, Any]] = predicted.get(kind, [])
        count = score.tallies[("count", kind)]
        count.tp += min(len(exp_items), len(pred_items))
        count.fp += max(0, len(pred_items) - len(exp_items))
        count.fn += max(0, len(exp_items) - len(pred_items))
        if len(exp_items) != len(pred_items):
            score.errors.append(f"{name}: {kind} {len(pred_items)} found, {len(exp_items)} expected")
        pairs = align([e["text"] for e in exp_items], [p["text"] for p in pred_items])
        mapping[kind] = {j: i for i, j in pairs}  # predicted index -> expected index
        aligned_exp = {i for i, _ in pairs}
        aligned_pred = {j for _, j in pairs}
        for field_name in FIELDS[kind]:
            tally = score.tallies[(kind, field_name)]
            tally.fn += len(exp_items) - len(aligned_exp)
            tally.fp += len(pred_items) - len(aligned_pred)
        for i, j in pairs:
            for field_name in FIELDS[kind]:
                want = exp_items[i].get(field_name)
                got = pred_items[j].get(field_name)
                if field_name == "problem" and got is not None:
                    got = mapping["problems"].get(got, -1)
                tally = score.tallies[(kind, field_name)]
                if got == want:
                    tally.tp += 1
                else:
                    tally.fp += 1
                    tally.fn += 1
                    score.errors.append(
                        f"{name}: {kind}[{i}].{field_name} {got!r} != {want!r} ({exp_items[i]['text'][:24]})"
                    )
        for i, item in enumerate(exp_items):
            if i not in aligned_exp:
                score.errors.append(f"{name}: {kind}[{i}] missed: {item['text'][:40]}")
        for j, item in enumerate(pred_items):
            if j not in aligned_pred:
                score.errors.append(f"{name}: {kind} extra: {item['text'][:40]}")
    return score


def _layouts(directory: Path) -> dict[str, str]:
    manifest = directory / "manifest.tsv"
    if not manifest.is_file():
        return {}
    with manifest.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["file"]: row["layout"] for row in rows if row.get("file")}


def evaluate(directory: Path) -> dict[str, Any]:
    """Scores per layout and overall, plus the unreadable documents, for one directory."""
    layouts = _layouts(directory)
    per_layout: dict[str, Score] = defaultdict(Score)
    documents: dict[str, int] = defaultdict(int)
    unreadable: list[dict[str, str]] = []
    for golden in sorted(directory.glob("*.expected.json")):
        name = golden.name.removesuffix(".expected.json")
        sources = [p for p in directory.glob(f"{name}.*") if not p.name.endswith(".expected.json")]
        if len(sources) != 1:
            unreadable.append({"file": name, "reason": f"{len(sources)} source files"})
            continue
        source = sources[0]
        layout = layouts.get(source.name, source.suffix.lstrip(".") or "other")
        try:
            predicted = parse_file(source).to_dict()
        except Exception as exc:
            unreadable.append(
                {"file": source.name, "layout": layout, "reason": f"{type(exc).__name__}: {exc}"}
            )
            continue
        expected = json.loads(golden.read_text(encoding="utf-8"))
        per_layout[layout].add(score_document(expected, predicted, source.name))
        documents[layout] += 1
    overall = Score()
    for score in per_layout.values():
        overall.add(score)
    return {
        "layouts": {layout: _table(per_layout[layout], documents[layout]) for layout in sorted(per_layout)},
        "overall": _table(overall, sum(documents.values())),
        "unreadable": unreadable,
        "errors": overall.errors,
    }


def _table(score: Score, documents: int) -> dict[str, Any]:
    rows = {}
    for name in REPORT:
        tally = score.report(name)
        rows[name] = {
            "precision": round(tally.precision, 3),
            "recall": round(tally.recall, 3),
            "f1": round(tally.f1, 3),
            "n": tally.tp + tally.fn,
        }
    return {"documents": documents, "fields": rows}


def _print(result: dict[str, Any], errors: bool) -> None:
    names = list(REPORT)
    sections = [*result["layouts"].items(), ("OVERALL", result["overall"])]
    header = f"{'field':<24}" + "".join(f"{layout[:14]:>16}" for layout, _ in sections)
    print(header)
    print(f"{'documents':<24}" + "".join(f"{table['documents']:>16}" for _, table in sections))
    for name in names:
        cells = []
        for _layout, table in sections:
            row = table["fields"][name]
            cells.append(f"{row['f1']:.3f} ({row['n']})" if row["n"] else "-")
        print(f"{name:<24}" + "".join(f"{cell:>16}" for cell in cells))
    worst = min((table["fields"][n]["f1"] for n in names if table_has(result["overall"], n)), default=1.0)
    print(f"\nlowest field F1 overall: {worst:.3f}")
    if result["unreadable"]:
        print("\nunreadable (not scored):")
        for item in result["unreadable"]:
            print(f"  {item['file']}: {item['reason'][:120]}")
    if errors:
        print("\nerrors:")
        for line in result["errors"]:
            print(f"  {line}")


def table_has(table: dict[str, Any], name: str) -> bool:
    return bool(table["fields"][name]["n"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--errors", action="store_true", help="list every wrong field")
    args = parser.parse_args(argv)
    result = evaluate(args.directory)
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        _print(result, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
