"""Fuzz the document and spreadsheet readers with 10^5 cases (issue 15): 0 crashes, bounded time.

Cases come from tests/security/fuzzcases.py (random and damaged text, .docx and .xlsx, a third
each) with seeds 0..N-1, so a run is reproducible and a crash is replayed with its seed:

    .venv/bin/python bench/fuzz/run.py                 # 100,000 cases, 2 processes
    .venv/bin/python bench/fuzz/run.py --cases 3000 --workers 1
    .venv/bin/python bench/fuzz/run.py --seed 12345    # replay one case, with its traceback

A crash is any exception other than DocumentError (or a broken invariant: control characters in
the output, a message that does not name the file). CPU time is measured per case; the figures
and the bombs' times (bench/fuzz/bombs.py) go in the README.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
import traceback
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.security.fuzzcases import KINDS

ORDER = ("text", "docx", "xlsx")


def kind_of(seed: int) -> str:
    return ORDER[seed % len(ORDER)]


def run_range(bounds: tuple[int, int]) -> dict[str, object]:
    start, stop = bounds
    outcomes: dict[str, int] = {}
    times: dict[str, list[float]] = {kind: [] for kind in ORDER}
    crashes: list[tuple[int, str]] = []
    for seed in range(start, stop):
        kind = kind_of(seed)
        build, check = KINDS[kind]
        data = build(random.Random(seed))
        began = time.process_time()
        try:
            outcome = check(data)
        except Exception as error:  # the point: anything but a refusal is a crash
            outcome = "crash"
            crashes.append((seed, f"{type(error).__name__}: {str(error)[:200]}"))
        times[kind].append(time.process_time() - began)
        key = f"{kind} {outcome}"
        outcomes[key] = outcomes.get(key, 0) + 1
    return {
        "outcomes": outcomes,
        "times": times,
        "crashes": crashes,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def replay(seed: int) -> int:
    kind = kind_of(seed)
    build, check = KINDS[kind]
    try:
        print(kind, check(build(random.Random(seed))))
    except Exception:
        traceback.print_exc()
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, help="replay one case")
    args = parser.parse_args()
    if args.seed is not None:
        return replay(args.seed)
    chunk = 500
    ranges = [(start, min(start + chunk, args.cases)) for start in range(0, args.cases, chunk)]
    began = time.perf_counter()
    outcomes: dict[str, int] = {}
    times: dict[str, list[float]] = {kind: [] for kind in ORDER}
    crashes: list[tuple[int, str]] = []
    peak = 0.0
    with Pool(args.workers) as pool:
        for done, result in enumerate(pool.imap_unordered(run_range, ranges), 1):
            for key, count in result["outcomes"].items():  # type: ignore[attr-defined]
                outcomes[key] = outcomes.get(key, 0) + count
            for kind, values in result["times"].items():  # type: ignore[attr-defined]
                times[kind].extend(values)
            crashes.extend(result["crashes"])  # type: ignore[arg-type]
            peak = max(peak, float(result["peak_mb"]))  # type: ignore[arg-type]
            if done % 20 == 0:
                print(f"{done * chunk:,} cases, {len(crashes)} crashes", file=sys.stderr, flush=True)
    wall = time.perf_counter() - began
    total = sum(outcomes.values())
    print(f"cases: {total:,} in {wall:.0f} s wall ({args.workers} processes); crashes: {len(crashes)}")
    print(f"peak RSS of a worker: {peak:.0f} MB")
    print("| kind | cases | read | refused | crashes | CPU ms p50 / p99 / max |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in ORDER:
        values = sorted(times[kind])
        if not values:
            continue
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        print(
            f"| {kind} | {len(values):,} | {outcomes.get(kind + ' ok', 0):,} | {outcomes.get(kind + ' refused', 0):,} "
            f"| {outcomes.get(kind + ' crash', 0)} | {statistics.median(values) * 1000:.1f} / {p99 * 1000:.1f} / "
            f"{values[-1] * 1000:.0f} |"
        )
    for seed, message in crashes[:20]:
        print(f"crash seed {seed}: {message}")
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
