"""`luoshi match`: the JSON Lines contract and the handling of bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from luoshi.cli import main
from luoshi.text.match import embedding

HISTORY = [
    {"id": "2022-01", "text": "公车私用问题时有发生，有的干部节假日开公车回家。"},
    {"id": "2022-02", "text": "会议多、文件多，以会议落实会议、以文件落实文件的问题仍然存在。"},
    {"id": "2022-03", "text": "村级财务管理不规范，村务公开不及时。"},
]
NEW = [
    {"id": "n-repeat", "text": "公车私用问题时有发生，有的干部节假日开公车回家。"},
    {"id": "n-unrelated", "text": "森林防火宣传不到位，清明期间野外用火管控不严。"},
]


def _write(path: Path, rows: Sequence[Mapping[str, object] | str]) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return _write(tmp_path / "h.jsonl", HISTORY), _write(tmp_path / "n.jsonl", NEW)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, Any]], str]:
    code = main(["match", *argv])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_output_follows_the_contract(capsys: pytest.CaptureFixture[str], files: tuple[Path, Path]) -> None:
    history, new = files
    code, rows, err = _run(capsys, "--history", str(history), "--new", str(new), "--top", "2")
    assert code == 0 and err == ""
    assert [row["id"] for row in rows] == ["n-repeat", "n-unrelated"]
    for row in rows:
        assert set(row) == {"id", "matches", "recurring_of"}
        matches = row["matches"]
        assert isinstance(matches, list) and len(matches) <= 2
        for match in matches:
            assert set(match) == {"id", "score"}
            assert 0.0 <= match["score"] <= 1.0
            assert round(match["score"], 4) == match["score"]
        scores = [m["score"] for m in matches]
        assert scores == sorted(scores, reverse=True)
    assert rows[0]["recurring_of"] == "2022-01"
    assert rows[0]["matches"][0] == {"id": "2022-01", "score": 1.0}
    assert rows[1]["recurring_of"] is None


def test_threshold_option_changes_the_decision(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path]
) -> None:
    history, new = files
    _code, rows, _err = _run(capsys, "--history", str(history), "--new", str(new), "--threshold", "1")
    assert rows[0]["recurring_of"] == "2022-01"  # an exact repeat reaches even 1.0
    _code, rows, _err = _run(capsys, "--history", str(history), "--new", str(new), "--threshold", "0")
    assert rows[1]["recurring_of"] is not None or rows[1]["matches"] == []


def test_a_saved_index_can_be_the_history(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    history, new = files
    saved = tmp_path / "history.npz"
    _code, from_jsonl, _err = _run(
        capsys, "--history", str(history), "--new", str(new), "--save-index", str(saved)
    )
    code, from_index, err = _run(capsys, "--history", str(saved), "--new", str(new))
    assert code == 0 and err == ""
    assert from_index == from_jsonl


def test_new_items_can_come_from_stdin(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    history, _new = files
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(NEW[0], ensure_ascii=False) + "\n"))
    code, rows, _err = _run(capsys, "--history", str(history), "--new", "-")
    assert code == 0 and rows[0]["recurring_of"] == "2022-01"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (['{"id": "a", "text": "x"}', "{not json"], "第 2 行：不是有效的 JSON"),
        (['{"id": "a"}'], '第 1 行：缺少 "text" 字段'),
        (['{"text": "x"}'], '第 1 行：缺少 "id" 字段'),
        (['{"id": 3, "text": "x"}'], '第 1 行："id" 应为非空字符串'),
        (['{"id": "a", "text": null}'], '第 1 行："text" 应为字符串'),
        (['["a", "x"]'], "第 1 行：应为 JSON 对象"),
    ],
)
def test_bad_new_lines_exit_2_naming_file_and_line(
    capsys: pytest.CaptureFixture[str],
    files: tuple[Path, Path],
    tmp_path: Path,
    lines: list[str],
    expected: str,
) -> None:
    history, _new = files
    bad = _write(tmp_path / "bad.jsonl", lines)
    code, rows, err = _run(capsys, "--history", str(history), "--new", str(bad))
    assert code == 2 and rows == []
    assert err.count("\n") == 1 and err.startswith("错误：")
    assert str(bad) in err and expected in err


def test_duplicate_history_ids_exit_2(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    _history, new = files
    history = _write(tmp_path / "dup.jsonl", [HISTORY[0], HISTORY[1], HISTORY[0]])
    code, _rows, err = _run(capsys, "--history", str(history), "--new", str(new))
    assert code == 2 and "第 3 行" in err and "与第 1 行重复" in err


def test_missing_files_exit_2(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    history, new = files
    code, _rows, err = _run(capsys, "--history", str(tmp_path / "none.jsonl"), "--new", str(new))
    assert code == 2 and "找不到历史文件" in err and "none.jsonl" in err
    code, _rows, err = _run(capsys, "--history", str(history), "--new", str(tmp_path / "none.jsonl"))
    assert code == 2 and "找不到文件" in err


def test_undecodable_and_fake_index_files_exit_2(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    history, _new = files
    latin = tmp_path / "gbk.jsonl"
    latin.write_bytes('{"id": "a", "text": "公车"}\n'.encode("gbk"))
    code, _rows, err = _run(capsys, "--history", str(history), "--new", str(latin))
    assert code == 2 and "UTF-8" in err
    fake = tmp_path / "fake.npz"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    code, _rows, err = _run(capsys, "--history", str(fake), "--new", str(history))
    assert code == 2 and "不是有效的比对索引文件" in err


def test_bad_options_exit_2(capsys: pytest.CaptureFixture[str], files: tuple[Path, Path]) -> None:
    history, new = files
    with pytest.raises(SystemExit) as exit_info:
        main(["match", "--history", str(history), "--new", str(new), "--top", "0"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["match", "--history", str(history), "--new", str(new), "--threshold", "1.5"])
    assert exit_info.value.code == 2


def test_console_script_prints_no_traceback(files: tuple[Path, Path], tmp_path: Path) -> None:
    history, _new = files
    bad = _write(tmp_path / "bad.jsonl", ["{oops"])
    result = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "match", "--history", str(history), "--new", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]


class _FakeEmbedder:
    def encode(self, texts: list[str]) -> np.ndarray:
        return np.array([[1.0, 0.0] if "车" in t else [0.0, 1.0] for t in texts], dtype=np.float32)


def test_a_configured_embedding_backend_is_used_and_a_plain_index_still_loads(
    capsys: pytest.CaptureFixture[str],
    files: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    history, new = files
    saved = tmp_path / "plain.npz"
    _code, plain, _err = _run(
        capsys, "--history", str(history), "--new", str(new), "--save-index", str(saved)
    )
    monkeypatch.setattr(embedding, "backend_from_env", lambda: _FakeEmbedder())
    code, blended, err = _run(capsys, "--history", str(history), "--new", str(new), "--top", "3")
    assert code == 0 and err == ""
    assert blended[0]["recurring_of"] == "2022-01"
    # every history item gets an embedding score, so the unrelated item now has matches too
    assert len(blended[1]["matches"]) == 3 and blended != plain
    code, from_plain_index, err = _run(capsys, "--history", str(saved), "--new", str(new))
    assert code == 0 and from_plain_index == plain
    assert "不含向量" in err


def test_a_reader_that_stops_early_gets_no_traceback(files: tuple[Path, Path], tmp_path: Path) -> None:
    history, _new = files
    many = _write(
        tmp_path / "many.jsonl", [{"id": f"n{i}", "text": f"公车私用问题第{i}次出现"} for i in range(3000)]
    )
    result = subprocess.run(
        f"{sys.executable} -m luoshi.cli match --history {history} --new {many} | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.count("\n") == 1
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
