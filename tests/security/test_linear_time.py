"""Quadratic time on ordinary input (issue 15, point 2).

Joining hard-wrapped lines used to copy the paragraph joined so far for every line: 1 MB of lines
ending in "，" took 0.37 s, 4 MB 9.4 s, 16 MB would take minutes. These tests run 16 MB through
the two joiners in a subprocess whose CPU time is capped far above the linear cost (a few seconds,
see bench/hostile) and far below the quadratic one: a cap, like the memory cap of the bomb tests,
not a timing measurement. Wall-clock load on the machine does not count against CPU time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CPU_CAP_SECONDS = 60

_CAPPED = """
import resource, sys
resource.setrlimit(resource.RLIMIT_CPU, ({cap}, {cap}))
{body}
print("ok")
"""

_WRAPPED = """
from luoshi.text.read import read_bytes
line = "整改落实不到位，" * 4 + "\\n"
data = ("一、存在的问题\\n1.学习不够深入，\\n" + line * (16 * 1024 * 1024 // len(line.encode()))).encode()
text = read_bytes(data, "wrapped.txt").text
assert text.count("\\n") == 1, text[:200]  # the heading, then one joined paragraph
"""

_PASTED_LIST = """
import django
django.setup()
from luoshi.recurrence.services import split_list
text = "1.会议过多，\\n" + "文山会海问题依然存在，\\n" * (16 * 1024 * 1024 // 33)
entries = split_list(text)
assert len(entries) == 1 and entries[0].text.startswith("会议过多，文山会海"), len(entries)
"""

# A PDF line of circled numbers, each after a space: every space is a place a lead may start.
_PDF_SYMBOLS = """
from luoshi.text.pdf import _place_symbols
line = "整改措施：" + "① " * (4 * 1024 * 1024 // 4) + " x"
assert _place_symbols(line) == line
"""


@pytest.mark.parametrize(
    ("name", "body"),
    [("wrapped lines", _WRAPPED), ("pasted list", _PASTED_LIST), ("pdf symbols", _PDF_SYMBOLS)],
)
def test_sixteen_megabytes_join_in_linear_time(name: str, body: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _CAPPED.format(cap=CPU_CAP_SECONDS, body=body)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "luoshi.web.settings"},
        timeout=600,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", (name, result.stderr[-2000:])
