"""`luoshi match` on hostile input (issue 15, point 12): deep nesting, lone surrogates and giant
lines end with exit 2 and one Chinese line, never a traceback, in bounded memory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from luoshi.cli import main
from luoshi.text.limits import DEFAULT_LIMITS

ROOT = Path(__file__).resolve().parents[2]
HISTORY = '{"id": "h1", "text": "会议过多，文山会海问题依然存在"}\n'


def _match(capsys: pytest.CaptureFixture[str], tmp_path: Path, new: str | bytes) -> tuple[int, str]:
    history = tmp_path / "h.jsonl"
    history.write_text(HISTORY, encoding="utf-8")
    path = tmp_path / "n.jsonl"
    if isinstance(new, str):
        path.write_text(new, encoding="utf-8", errors="surrogatepass")
    else:
        path.write_bytes(new)
    code = main(["match", "--history", str(history), "--new", str(path)])
    out, err = capsys.readouterr()
    assert out == ""
    return code, err


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_deeply_nested_json_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """30,000 levels fit in a line; the JSON parser's recursion limit used to escape as a traceback."""
    code, err = _match(capsys, tmp_path, '{"id": "a", "text": ' + "[" * 30_000 + "]" * 30_000 + "}\n")
    assert code == 2 and _one_line(err).endswith("第 1 行：JSON 嵌套层数过多")


@pytest.mark.parametrize(
    ("line", "field"),
    [('{"id": "\\ud800", "text": "会议过多"}\n', "id"), ('{"id": "a", "text": "会议\\udfff过多"}\n', "text")],
)
def test_lone_surrogates_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, line: str, field: str
) -> None:
    code, err = _match(capsys, tmp_path, line)
    assert code == 2 and f'"{field}" 含有无效的 Unicode 字符' in _one_line(err)


def test_a_line_over_the_limit_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = "学" * (DEFAULT_LIMITS.line_bytes // 3 + 10)
    code, err = _match(
        capsys, tmp_path, '{"id": "ok", "text": "会议"}\n{"id": "a", "text": "' + text + '"}\n'
    )
    assert code == 2 and _one_line(err).endswith("第 2 行超过 64 KB 的单行上限（每行应为一条问题）")


def test_a_line_at_the_limit_is_read(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prefix, suffix = '{"id": "a", "text": "', '"}'
    room = DEFAULT_LIMITS.line_bytes - len(prefix) - len(suffix)
    line = prefix + "学" * (room // 3) + "x" * (room % 3) + suffix
    assert len(line.encode()) == DEFAULT_LIMITS.line_bytes
    history = tmp_path / "h.jsonl"
    history.write_text(HISTORY, encoding="utf-8")
    (tmp_path / "n.jsonl").write_text(line + "\r\n", encoding="utf-8")
    assert main(["match", "--history", str(history), "--new", str(tmp_path / "n.jsonl")]) == 0
    assert '"id": "a"' in capsys.readouterr().out


def test_a_ten_megabyte_line_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """The issue's 10 MB line took 3.3-3.9 GB: refused now under a 300 MB address-space cap."""
    history = tmp_path / "h.jsonl"
    history.write_text('{"id": "h", "text": "' + "学" * (10 * 1024 * 1024 // 3) + '"}\n', encoding="utf-8")
    (tmp_path / "n.jsonl").write_text(HISTORY, encoding="utf-8")
    script = (
        "import resource, sys; cap = 300 * 1024 * 1024; resource.setrlimit(resource.RLIMIT_AS, (cap, cap));"
        "from luoshi.cli import main; raise SystemExit(main(sys.argv[1:]))"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "match",
            "--history",
            str(history),
            "--new",
            str(tmp_path / "n.jsonl"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert _one_line(result.stderr).endswith("第 1 行超过 64 KB 的单行上限（每行应为一条问题）")
