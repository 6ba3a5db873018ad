"""`luoshi report`: files written from the records; exit 2 with a Chinese message when refused."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from luoshi.cli import main
from luoshi.reports import pdf
from tests.reports.docx_check import open_docx, texts

pytestmark = pytest.mark.django_db


def test_progress_report_to_docx(filled_round: Any, tmp_path: Path) -> None:
    out = tmp_path / "报告.docx"
    assert main(["report", str(filled_round.pk), "--kind", "progress", "-o", str(out)]) == 0
    assert "一、总体情况" in texts(open_docx(out.read_bytes()))


def test_bulletin_member_and_ledger(filled_round: Any, owner: Any, tmp_path: Path) -> None:
    pk = str(filled_round.pk)
    bulletin = tmp_path / "b.docx"
    assert (
        main(
            [
                "report",
                pk,
                "--kind",
                "bulletin",
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-30",
                "-o",
                str(bulletin),
            ]
        )
        == 0
    )
    assert "（2026年11月1日至2026年11月30日）" in texts(open_docx(bulletin.read_bytes()))
    member = tmp_path / "m.xlsx"
    member_id = str(owner.memberships.get().pk)
    assert main(["report", pk, "--kind", "member", "--member", member_id, "-o", str(member)]) == 0
    assert load_workbook(member).active["A1"].value == "李建华同志2025年度民主生活会个人整改清单"
    ledger = tmp_path / "l.xlsx"
    assert main(["report", pk, "--kind", "ledger", "-o", str(ledger)]) == 0
    assert load_workbook(io.BytesIO(ledger.read_bytes())).active["A3"].value == "序号"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--kind", "summary"], "没有“summary”这种报告"),
        (["--kind", "member", "--member", "999"], "中没有编号为“999”的成员"),
        (["--kind", "member"], "须用 --member 指定班子成员编号"),
        (["--kind", "ledger", "--format", "pdf"], "整改台账不能输出为“pdf”"),
        (["--kind", "bulletin", "--from", "2026-13-01"], "--from“2026-13-01”不是日期"),
        (
            ["--kind", "bulletin", "--from", "2026-12-01", "--to", "2026-01-01"],
            "通报的结束日期不能早于开始日期",
        ),
    ],
)
def test_refusals_exit_2_in_chinese(
    filled_round: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    out = tmp_path / "x.docx"
    assert main(["report", str(filled_round.pk), *extra, "-o", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_unknown_round(db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "4242", "-o", str(tmp_path / "x.docx")]) == 2
    assert "没有编号为“4242”的检视轮次" in capsys.readouterr().err


def test_pdf_without_libreoffice(
    filled_round: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    assert main(["report", str(filled_round.pk), "-o", str(tmp_path / "x.pdf")]) == 2
    assert "没有安装 LibreOffice" in capsys.readouterr().err
