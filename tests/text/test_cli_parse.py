"""`luoshi parse` through the real dispatcher: formats, exit statuses, messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from luoshi.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"
PLAN = CORPUS / "plan-labelled.txt"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["parse", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_json_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(PLAN))
    assert (status, err) == (0, "")
    doc = json.loads(out)
    assert list(doc) == ["title", "problems", "causes", "measures"]
    assert doc["title"] == "中共河湾县委2024年巡察反馈意见整改工作方案"
    assert "\\u" not in out  # Chinese is written as Chinese


def test_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _err = run(capsys, str(PLAN), "--format", "md")
    assert status == 0
    assert out.startswith("# 中共河湾县委2024年巡察反馈意见整改工作方案\n")
    assert "## 存在的问题" in out and "## 整改措施" in out
    assert "责任领导：王建国" in out and "完成时限：2024年6月底前（2024-06-30）" in out


def test_xlsx_needs_output(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(PLAN), "--format", "xlsx")
    assert (status, out) == (2, "")
    assert "-o" in err


def test_xlsx_ledger(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    status, out, _err = run(capsys, str(PLAN), "--format", "xlsx", "-o", str(target))
    assert (status, out) == (0, "")
    sheet = load_workbook(target).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:9] == [
        "序号",
        "方面",
        "问题",
        "整改措施",
        "责任领导",
        "责任单位",
        "完成时限",
        "整改进展",
        "佐证材料",
    ]
    assert sheet["C3"].value.startswith("学习贯彻党的创新理论不够深入")


def test_output_file_for_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    status, out, _err = run(capsys, str(PLAN), "-o", str(target))
    assert (status, out) == (0, "")
    assert json.loads(target.read_text(encoding="utf-8"))["problems"]


def test_directory_gives_json_lines_with_paths(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("一、存在的问题\n1.学习不深。", encoding="utf-8")
    (tmp_path / "b.md").write_text("## 整改措施\n1. 每月学习一次。", encoding="utf-8")
    (tmp_path / "ignored.png").write_bytes(b"\x89PNG")
    status, out, err = run(capsys, str(tmp_path))
    assert (status, err) == (0, "")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [Path(line["path"]).name for line in lines] == ["a.txt", "b.md"]
    assert lines[0]["problems"][0]["summary"] == "学习不深"
    assert lines[1]["measures"][0]["commitments"][0]["period"] == "month"


def test_several_files_worst_status_wins(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "空.txt"
    empty.write_bytes(b"")
    status, out, err = run(capsys, str(PLAN), str(empty), "--format", "jsonl")
    assert status == 2
    assert len(out.splitlines()) == 2
    assert json.loads(out.splitlines()[1]) == {"path": str(empty), "error": "文件为空"}
    assert err == f"{empty}：文件为空\n"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("图片.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG 图片"),
        ("空.txt", b"", "文件为空"),
        ("乱码.txt", bytes(range(256)) * 8, "不是文本文件"),
    ],
)
def test_not_a_document_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    status, out, err = run(capsys, str(path))
    assert (status, out) == (2, "")
    assert err.count("\n") == 1 and str(path) in err and reason in err
    assert "Traceback" not in err


def test_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _out, err = run(capsys, str(tmp_path / "无.txt"))
    assert status == 2
    assert "文件不存在" in err


def test_no_sections_exits_3_and_prints_what_it_found(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(CORPUS / "no-sections.txt"))
    assert status == 3
    assert json.loads(out)["title"] == "关于召开2024年度专题民主生活会的通知"
    assert "没有找到问题、原因或整改措施部分" in err


def test_console_script_runs_without_django() -> None:
    code = (
        "import sys; from luoshi.cli import main; status = main(['parse', sys.argv[1]]);"
        "assert 'django' not in sys.modules, 'parse imported Django'; sys.exit(status)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(PLAN)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["measures"]


def test_standard_input() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "parse", "-"],
        input="一、整改措施\n1.每月至少学习1次。".encode(),
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["measures"][0]["commitments"][0]["unit"] == "次"


FEEDBACK = """县委第六巡察组反馈问题清单
一、贯彻落实党的路线方针政策方面
1.落实社会保险扩面工作不力，灵活就业人员参保率偏低。
2.社保基金监管存在漏洞，个别死亡人员被冒领养老金。
二、落实全面从严治党方面
1.党支部主体责任落实不到位，对干部日常教育管理宽松软。
请认真研究，于2个月内报送整改落实情况。
县委第六巡察组
"""


def test_plan_without_causes_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(CORPUS / "plan-aspect-headings-paren-measures.txt"))
    assert (status, err) == (0, "")
    doc = json.loads(out)
    assert (len(doc["problems"]), doc["causes"], len(doc["measures"])) == (6, [], 10)
    assert all(m["problem"] is not None for m in doc["measures"])


def test_feedback_list_of_problems_only_exits_zero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "feedback.txt"
    path.write_text(FEEDBACK, encoding="utf-8")
    status, out, err = run(capsys, str(path))
    assert (status, err) == (0, "")
    doc = json.loads(out)
    assert [p["aspect"] for p in doc["problems"]] == ["贯彻落实党的路线方针政策"] * 2 + ["落实全面从严治党"]
    assert doc["problems"][2]["text"] == "党支部主体责任落实不到位，对干部日常教育管理宽松软。"
    assert (doc["causes"], doc["measures"]) == ([], [])


def test_plan_measures_carry_owners_and_co_department(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _err = run(capsys, str(CORPUS / "plan-aspect-headings-paren-measures.txt"))
    assert status == 0
    measures = json.loads(out)["measures"]
    assert measures[2]["owners"] == ["李建华"] and measures[2]["deadline"] is None
    assert measures[2]["deadline_text"] == "立行立改、长期坚持"
    assert measures[4]["deadline"] == "2024-09-30"  # "9月30日前": the document's year
    assert measures[5]["co_department"] == "纪检组"
