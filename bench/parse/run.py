"""Benchmark `luoshi parse` on generated 15,000-character documents, on one core.

Reports (from the fastest of several rounds, in CPU time of the one process) documents per
second for the whole parse (read file, decode, normalise, extract) and the
ratio of that time to merely reading, decoding and normalising the same files.

    python bench/parse/run.py [COUNT] [ROUNDS] [DOCX_COUNT]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from luoshi.text import parse_bytes
from luoshi.text.read import read_bytes


def _pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity here)"


def _timed(paths: list[Path], work: Callable[[bytes, str], object]) -> float:
    # CPU time of this process: other load on a shared machine does not count against us.
    start = time.process_time()
    for path in paths:
        work(path.read_bytes(), path.name)
    return time.process_time() - start


def _measure(paths: list[Path], rounds: int) -> tuple[float, float, int]:
    """Best read time and best parse time over `rounds` rounds, and the mean cleaned length."""
    chars = sum(len(read_bytes(p.read_bytes(), p.name).text) for p in paths)
    _timed(paths[:20], parse_bytes)  # warm-up: imports, OpenCC dictionaries, regex caches
    read_times, parse_times = [], []
    for _ in range(rounds):
        read_times.append(_timed(paths, read_bytes))
        parse_times.append(_timed(paths, parse_bytes))
    # The fastest round is the least disturbed by the rest of the machine.
    return min(read_times), min(parse_times), chars // max(1, len(paths))


def _report(label: str, count: int, read_time: float, parse_time: float, chars: int) -> None:
    print(f"{label}: {count} documents (mean {chars:,} characters after cleaning)")
    print(f"  read + decode + normalise: {read_time / count * 1000:.2f} ms/document")
    print(f"  full parse:                {parse_time / count * 1000:.2f} ms/document")
    print(f"  documents per second:      {count / parse_time:,.0f}")
    print(f"  ratio parse / read:        {parse_time / read_time:.2f}", flush=True)


def main() -> None:
    """Generate the corpora, warm up, time both pipelines ROUNDS times and print the best round."""
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    docx_count = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    pinned = _pin_to_one_core()
    print(f"rounds: {rounds}, {pinned}", flush=True)
    with tempfile.TemporaryDirectory() as directory:
        # Generated in a child process: the generator's python-docx objects would otherwise stay
        # in this one and every garbage collection during the timing would walk them, which the
        # process of `luoshi parse` never has to.
        generator = Path(__file__).resolve().parent / "generate.py"
        subprocess.run(
            [sys.executable, str(generator), directory, str(count), str(docx_count)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        if count:
            paths = sorted(Path(directory).glob("*.txt"))
            _report("text (team materials and plans)", count, *_measure(paths, rounds))
        if docx_count:
            docx_paths = sorted((Path(directory) / "docx").glob("*.docx"))
            _report(
                ".docx plans (automatic numbering, merged-cell tables)",
                docx_count,
                *_measure(docx_paths, rounds),
            )


if __name__ == "__main__":
    main()
