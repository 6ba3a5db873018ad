"""Whatever comes in, the engine answers with a ParsedDocument or a DocumentError, nothing else;
the command line with exit status 0, 2 or 3 and never a traceback."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from luoshi.cli import main
from luoshi.text import DocumentError, ParsedDocument, parse_bytes, parse_text

# Text built from the pieces documents are made of, so the structure paths are exercised too.
PIECES = st.sampled_from(
    [
        "一、存在的问题\n",
        "二、原因分析\n",
        "三、整改措施\n",
        "问题清单及整改措施\n",
        "（一）",
        "(二)",
        "一是",
        "二是",
        "1.",
        "2、",
        "（1）",
        "①",
        "第一，",
        "问题：",
        "整改措施：",
        "责任领导：",
        "责任单位：",
        "完成时限：",
        "2024年6月底前",
        "长期坚持",
        "每月至少",
        "不少于10家次",
        "70%以上",
        "百分之七十",
        "。",
        "；",
        "，",
        "\n",
        "\n\n",
        "— 3 —\n",
        "##paidbegin##",
        "會(huì)",
        "**",
        "# ",
        "理论学习方面",
        "我们将",
        "\ue000TABLE0\ue000\n",
    ]
)
DOCUMENT_TEXT = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=40).map("".join)


def _check(doc: ParsedDocument) -> None:
    data = doc.to_dict()
    json.dumps(data, ensure_ascii=False)
    for measure in doc.measures:
        assert measure.problem is None or 0 <= measure.problem < len(doc.problems)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT_TEXT)
def test_any_text_parses(text: str) -> None:
    _check(parse_text(text))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=400), DOCUMENT_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_any_bytes_parse_or_raise_document_error(data: bytes) -> None:
    try:
        doc = parse_bytes(data, "上传.txt")
    except DocumentError as error:
        assert str(error).startswith("上传.txt：") and "\n" not in str(error)
        return
    _check(doc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300), DOCUMENT_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_command_line_exit_status(capsys: pytest.CaptureFixture[str], data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "doc.txt"
        path.write_bytes(data)
        status = main(["parse", str(path)])
    captured = capsys.readouterr()
    assert status in (0, 2, 3)
    assert "Traceback" not in captured.err
    if status == 2:
        assert captured.out == "" and captured.err.count("\n") == 1
    else:
        json.loads(captured.out)
    if status == 3:
        assert "问题、原因或整改措施部分" in captured.err
