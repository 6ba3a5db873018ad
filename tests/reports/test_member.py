"""个人整改清单: that member's measures only, in .docx and .xlsx."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from luoshi.ledger.models import Measure
from luoshi.reports.member import HEADERS, write_member_docx, write_member_xlsx
from tests.reports.conftest import TODAY
from tests.reports.docx_check import open_docx, runs_without_east_asian_font

pytestmark = pytest.mark.django_db


def test_docx_lists_the_members_measures_only(filled_round: Any, owner: Any) -> None:
    member = owner.memberships.get()
    document = open_docx(write_member_docx(filled_round, member, today=TODAY))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert paragraphs[0].replace("\n", "") == "李建华同志2025年度民主生活会个人整改清单"
    assert paragraphs[1].startswith(
        "县长李建华：截至2026年12月1日，负责2025年度民主生活会问题3个、整改措施4项，已验收销号1项，逾期1项。"
    )
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == list(HEADERS)
    listed = [row.cells[2].text for row in table.rows[1:]]
    expected = Measure.objects.filter(round=filled_round, owner=member).order_by("number")
    assert listed == [m.text for m in expected]
    assert "第2项整改措施的具体内容" not in listed  # 王志刚's
    closed = table.rows[1].cells
    assert closed[4].text == "已销号" and closed[5].text == "每月开展专题学习，已形成制度"
    assert closed[6].text.startswith("验收销号（reviewer，2026") and "同意销号" in closed[6].text
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape
    assert runs_without_east_asian_font(document) == []


def test_xlsx_has_the_same_rows(filled_round: Any, other_member: Any) -> None:
    member = other_member.memberships.get()
    sheet = load_workbook(io.BytesIO(write_member_xlsx(filled_round, member, today=TODAY))).active
    assert sheet["A1"].value == "王志刚同志2025年度民主生活会个人整改清单"
    assert [c.value for c in sheet[3]] == list(HEADERS)
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(rows) == 1
    assert rows[0][:5] == [
        1,
        "理论学习不够系统，以传达文件代替专题研讨。",
        "第2项整改措施的具体内容",
        "2026年12月31日",
        "已退回",
    ]
    assert "缺少会议纪要" in rows[0][6]
    assert sheet.page_setup.orientation == "landscape" and sheet.freeze_panes == "A4"


def test_member_without_measures_gets_an_empty_list(filled_round: Any, team: Any) -> None:
    from luoshi.orgs.models import Member

    nobody = Member.objects.create(team=team, name="孙七", position="常委")
    document = open_docx(write_member_docx(filled_round, nobody, today=TODAY))
    assert "整改措施0项" in [p.text for p in document.paragraphs if p.text][1]
    assert [c.text for c in document.tables[0].rows[1].cells][1] == "无"
