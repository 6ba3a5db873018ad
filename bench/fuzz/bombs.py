"""Time and memory of `luoshi parse` (the ledger reader for .xlsx) on each bomb of
tests/security/bombs.py at the issue's sizes: each run is a fresh process, measured from outside.

    .venv/bin/python bench/fuzz/bombs.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.security.bombs import BOMBS  # noqa: E402

_XLSX = (
    "import sys\nfrom luoshi.text import DocumentError\nfrom luoshi.text.ledger_xlsx import read_ledger\n"
    "try:\n    read_ledger(sys.argv[1])\nexcept DocumentError as e:\n    print(e, file=sys.stderr); sys.exit(2)\n"
)


def main() -> int:
    print("| file | size | exit | wall s | peak RSS MB | message |")
    print("|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as directory:
        for name, (_limit, build) in BOMBS.items():
            path = Path(directory) / name
            path.write_bytes(build())
            if name.endswith(".xlsx"):
                command = [sys.executable, "-c", _XLSX, str(path)]
            else:
                command = [sys.executable, "-m", "luoshi.cli", "parse", str(path)]
            began = time.perf_counter()
            process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=ROOT)
            assert process.stderr is not None
            stderr = process.stderr.read().decode()
            _pid, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - began
            message = stderr.strip().splitlines()[-1].split("：", 1)[-1] if stderr.strip() else ""
            size = path.stat().st_size
            print(
                f"| {name} | {size / 1024:,.0f} KB | {os.waitstatus_to_exitcode(status)} | {wall:.2f} | "
                f"{usage.ru_maxrss / 1024:.0f} | {message} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
