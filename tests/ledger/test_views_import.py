"""Import pages: create a round, upload, preview with htmx corrections, confirm, ledger .xlsx in and out."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from luoshi.audit.models import Event, EventType
from luoshi.ledger import imports
from luoshi.ledger.models import ImportDraft, Measure, Problem, Round
from luoshi.text.ledger_xlsx import LedgerRow, read_ledger, write_ledger
from tests.ledger.test_imports import PLAN, SAMPLE, docx_bytes

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def login(client: Client) -> Any:
    def as_user(user: Any) -> Client:
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def draft(round_: Round, organizer: Any) -> ImportDraft:
    return imports.draft_from_text(round_, actor=organizer, text=PLAN)


def txt(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


# --- create a round ------------------------------------------------------------------------------


def test_organizer_creates_a_round(login: Any, organizer: Any, team: Any) -> None:
    client = login(organizer)
    page = client.get(reverse("round_create"))
    assert page.status_code == 200 and "新建检视轮次" in page.content.decode()
    response = client.post(
        reverse("round_create"),
        {
            "team": team.pk,
            "title": "2026年专题民主生活会",
            "kind": "special",
            "year": 2026,
            "theme": "学习贯彻",
            "start_date": "2026-03-01",
            "end_date": "2026-04-30",
        },
    )
    round_ = Round.objects.get(title="2026年专题民主生活会")
    assert response.status_code == 302 and response["Location"] == reverse("round_import", args=[round_.pk])
    assert round_.theme == "学习贯彻" and str(round_.start_date) == "2026-03-01"
    assert Event.objects.filter(event_type=EventType.ROUND_CREATED, target_id=str(round_.pk)).exists()


def test_round_form_checks_dates_in_chinese(login: Any, organizer: Any, team: Any) -> None:
    response = login(organizer).post(
        reverse("round_create"),
        {
            "team": team.pk,
            "title": "x",
            "kind": "special",
            "year": 2026,
            "start_date": "2026-05-01",
            "end_date": "2026-04-01",
        },
    )
    assert response.status_code == 422
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not Round.objects.filter(title="x").exists()


def test_only_organizers_create_rounds_and_only_for_their_teams(
    login: Any, viewer: Any, outsider: Any, team: Any, client: Client
) -> None:
    response = login(viewer).get(reverse("round_create"))
    assert response.status_code == 403 and "没有可组织检视的领导班子" in response.content.decode()
    response = login(outsider).post(
        reverse("round_create"), {"team": team.pk, "title": "越权", "kind": "special", "year": 2026}
    )
    assert response.status_code == 403
    assert not Round.objects.filter(title="越权").exists()


def test_round_form_offers_only_managed_teams(login: Any, town_organizer: Any, team: Any, town: Any) -> None:
    from luoshi.orgs.models import Team

    town_team = Team.objects.create(organization=town, name="镇党委班子")
    page = login(town_organizer).get(reverse("round_create")).content.decode()
    assert town_team.name in page and team.name not in page
    response = login(town_organizer).post(
        reverse("round_create"), {"team": team.pk, "title": "越级", "kind": "special", "year": 2026}
    )
    assert response.status_code == 422 and not Round.objects.filter(title="越级").exists()


def test_anonymous_goes_to_login(client: Client, round_: Round, draft: ImportDraft) -> None:
    for url in (
        reverse("round_create"),
        reverse("round_import", args=[round_.pk]),
        reverse("draft_preview", args=[draft.pk]),
        reverse("round_export", args=[round_.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- outsiders and viewers -----------------------------------------------------------------------


def test_outsider_gets_404_everywhere(login: Any, outsider: Any, round_: Round, draft: ImportDraft) -> None:
    client = login(outsider)
    gets = [
        reverse("round_import", args=[round_.pk]),
        reverse("round_import_xlsx", args=[round_.pk]),
        reverse("round_export", args=[round_.pk]),
        reverse("draft_preview", args=[draft.pk]),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = [
        (reverse("round_import", args=[round_.pk]), {"text": SAMPLE}),
        (reverse("round_import_xlsx", args=[round_.pk]), {}),
        (reverse("draft_edit", args=[draft.pk]), {"op": "drop", "kind": "problems", "index": 0}),
        (reverse("draft_confirm", args=[draft.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    draft.refresh_from_db()
    assert len(draft.data["problems"]) == 2 and draft.confirmed_at is None
    assert ImportDraft.objects.count() == 1 and not Problem.objects.exists()


def test_viewer_sees_a_chinese_refusal(login: Any, viewer: Any, round_: Round, draft: ImportDraft) -> None:
    client = login(viewer)
    for url in (reverse("round_import", args=[round_.pk]), reverse("draft_preview", args=[draft.pk])):
        response = client.get(url)
        assert response.status_code == 403 and "只有本单位（或上级单位）的组织者" in response.content.decode()
    response = client.post(
        reverse("draft_edit", args=[draft.pk]), {"op": "drop", "kind": "problems", "index": 0}, **HTMX
    )
    assert response.status_code == 403 and response["HX-Retarget"] == "#draft-error"
    assert "组织者" in response.content.decode()
    assert client.post(reverse("draft_confirm", args=[draft.pk])).status_code == 403
    assert not Problem.objects.exists()


# --- upload --------------------------------------------------------------------------------------


def test_one_document_goes_straight_to_its_preview(login: Any, organizer: Any, round_: Round) -> None:
    response = login(organizer).post(
        reverse("round_import", args=[round_.pk]),
        {"files": [SimpleUploadedFile("材料.docx", docx_bytes(SAMPLE.splitlines()))], "source": "self"},
    )
    draft = ImportDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("draft_preview", args=[draft.pk])
    assert draft.name == "材料.docx"


def test_several_files_and_a_bad_one(login: Any, organizer: Any, round_: Round) -> None:
    response = login(organizer).post(
        reverse("round_import", args=[round_.pk]),
        {
            "files": [
                txt("甲.txt", SAMPLE),
                SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff\xe0\x00"),
                txt("乙.md", PLAN),
            ],
            "source": "supervision",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "照片.jpg：不是可导入的文档" in page
    assert {d.name for d in ImportDraft.objects.all()} == {"甲.txt", "乙.md"}
    assert all(d.source == "supervision" for d in ImportDraft.objects.all())
    for d in ImportDraft.objects.all():
        assert reverse("draft_preview", args=[d.pk]) in page


def test_pasted_text_without_sections_stays_in_the_form(login: Any, organizer: Any, round_: Round) -> None:
    response = login(organizer).post(
        reverse("round_import", args=[round_.pk]), {"text": "请各单位周五前报送材料。", "source": "self"}
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "没有找到“存在的问题”" in page
    assert "请各单位周五前报送材料。</textarea>" in page
    assert not ImportDraft.objects.exists()


def test_oversized_upload_is_refused_by_name(
    login: Any, organizer: Any, round_: Round, settings: Any
) -> None:
    settings.LUOSHI_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("大文件.txt", b"a" * (1024 * 1024 + 10))
    response = login(organizer).post(
        reverse("round_import", args=[round_.pk]), {"files": [big], "source": "self"}
    )
    assert response.status_code == 422 and "大文件.txt：文件超过 1 MB" in response.content.decode()


def test_empty_submission_asks_for_input(login: Any, organizer: Any, round_: Round) -> None:
    response = login(organizer).post(reverse("round_import", args=[round_.pk]), {"source": "self"})
    assert response.status_code == 422 and "请选择要上传的文档" in response.content.decode()


# --- preview and corrections ---------------------------------------------------------------------


def test_preview_shows_items_as_they_will_be(
    login: Any, organizer: Any, draft: ImportDraft, owner: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(organizer)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("draft_preview", args=[draft.pk])).content.decode()
    assert "会议文件偏多，基层负担重" in page and "严控会议数量" in page
    assert "县委办" in page and "2025年6月底前" in page
    assert "张无名" in page and "不是本班子成员" in page  # the unknown owner is flagged, not invented
    assert "李建华 <span" not in page  # the known owner is not flagged
    assert "每季度通报一次" in page and "量化承诺" in page
    assert 'list="aspect-list"' in page and '<option value="理论学习">' in page


def test_preview_queries_do_not_grow_with_the_draft(
    login: Any, organizer: Any, round_: Round, django_assert_max_num_queries: Any
) -> None:
    big = imports.draft_from_text(round_, actor=organizer, text=SAMPLE + "\n" + PLAN * 5)
    assert len(big.data["measures"]) > 10
    client = login(organizer)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("draft_preview", args=[big.pk])).status_code == 200


def test_htmx_edit_returns_the_updated_partial(login: Any, organizer: Any, draft: ImportDraft) -> None:
    client = login(organizer)
    url = reverse("draft_edit", args=[draft.pk])
    response = client.post(
        url, {"op": "label", "kind": "problems", "index": "0", "value": "担当作为"}, **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "归入方面“担当作为”" in page
    draft.refresh_from_db()
    assert draft.data["problems"][0]["aspect"] == "担当作为"
    assert Event.objects.filter(event_type=EventType.DRAFT_CHANGED).count() == 1

    response = client.post(url, {"op": "drop", "kind": "measures", "index": "2"}, **HTMX)
    assert response.status_code == 200 and "改进督查方式" not in response.content.decode()
    response = client.post(url, {"op": "move", "kind": "measures", "index": "0", "problem": "1"}, **HTMX)
    draft.refresh_from_db()
    assert draft.data["measures"][0]["problem"] == 1
    response = client.post(url, {"op": "source", "source": "inspection"}, **HTMX)
    draft.refresh_from_db()
    assert draft.source == "inspection"


def test_refused_edit_is_shown_in_the_error_box(login: Any, organizer: Any, draft: ImportDraft) -> None:
    response = login(organizer).post(
        reverse("draft_edit", args=[draft.pk]), {"op": "merge", "kind": "problems", "index": "0"}, **HTMX
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#draft-error"
    assert "第一条问题前面没有可并入的条目" in response.content.decode()


def test_edit_without_htmx_redirects_back(login: Any, organizer: Any, draft: ImportDraft) -> None:
    client = login(organizer)
    response = client.post(
        reverse("draft_edit", args=[draft.pk]), {"op": "split", "kind": "problems", "index": "0", "at": "9"}
    )
    assert response.status_code == 302
    assert "请选择拆分的位置" in client.get(response["Location"]).content.decode()


# --- confirm -------------------------------------------------------------------------------------


def test_confirm_creates_the_ledger_and_cannot_repeat(
    login: Any, organizer: Any, draft: ImportDraft, round_: Round
) -> None:
    client = login(organizer)
    response = client.post(reverse("draft_confirm", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("round_detail", args=[round_.pk])
    assert Problem.objects.filter(round=round_).count() == 2
    assert list(Measure.objects.filter(round=round_).values_list("number", flat=True)) == [1, 2, 3]
    page = client.get(response["Location"]).content.decode()
    assert "已导入" in page and "严控会议数量" in page
    again = client.post(reverse("draft_confirm", args=[draft.pk]))
    assert again.status_code == 409 and "不能重复导入" in again.content.decode()
    assert Problem.objects.filter(round=round_).count() == 2
    edit = client.post(
        reverse("draft_edit", args=[draft.pk]), {"op": "drop", "kind": "problems", "index": "0"}, **HTMX
    )
    assert edit.status_code == 409


# --- the ledger spreadsheet ----------------------------------------------------------------------


def ledger_file(rows: list[LedgerRow], name: str = "台账.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    write_ledger(rows, buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_xlsx_upload_goes_through_the_preview(login: Any, organizer: Any, round_: Round, owner: Any) -> None:
    client = login(organizer)
    assert client.get(reverse("round_import_xlsx", args=[round_.pk])).status_code == 200
    rows = [
        LedgerRow("1", "工作作风", "会议多。", "精简会议。", "李建华、无此人", "县委办", "2025年6月底前"),
        LedgerRow("2", "工作作风", "会议多。", "精简文件。", "李建华"),
        LedgerRow("3", "", "", ""),  # blank: skipped silently
    ]
    first = ledger_file(rows)
    content = first.read()  # the same bytes again later (openpyxl stamps each save with the time)
    first.seek(0)
    response = client.post(reverse("round_import_xlsx", args=[round_.pk]), {"file": first, "source": "self"})
    draft = ImportDraft.objects.get(round=round_)
    assert response.status_code == 302 and response["Location"] == reverse("draft_preview", args=[draft.pk])
    assert not Measure.objects.exists()  # nothing enters the ledger before the preview is confirmed

    page = client.get(response["Location"]).content.decode()
    problem = page.index("会议多")
    assert problem < page.index("精简会议") < page.index("精简文件")  # measures nested under the problem
    assert '<span class="owner">李建华</span>' in page
    assert "无此人" in page and "不是本班子成员" in page

    client.post(reverse("draft_confirm", args=[draft.pk]))
    assert Measure.objects.filter(round=round_, problem__summary="会议多").count() == 2
    again = client.post(
        reverse("round_import_xlsx", args=[round_.pk]),
        {"file": SimpleUploadedFile("副本.xlsx", content), "source": "self"},
    )
    assert again.status_code == 302  # flagged on the preview, refused without the explicit choice
    assert "可能重复导入" in client.get(again["Location"]).content.decode()
    second = ImportDraft.objects.filter(round=round_, confirmed_at__isnull=True).get()
    refused = client.post(reverse("draft_confirm", args=[second.pk]))
    assert refused.status_code == 409 and "导入过本轮次" in refused.content.decode()
    assert Measure.objects.filter(round=round_, problem__summary="会议多").count() == 2


def test_document_upload_takes_an_xlsx_ledger_too(login: Any, organizer: Any, round_: Round) -> None:
    rows = [LedgerRow("1", "", "会议多。", "精简会议。", "李建华")]
    response = login(organizer).post(
        reverse("round_import", args=[round_.pk]), {"files": [ledger_file(rows)], "source": "self"}
    )
    draft = ImportDraft.objects.get(round=round_)
    assert response.status_code == 302 and draft.data["measures"][0]["problem"] == 0


SELF_EXAM = """县委常委班子对照检查材料

一、存在的问题
（一）理论学习方面
一是理论学习不够深入系统，满足于读文件、念材料。
（二）工作作风方面
一是调查研究不够深入，到基层蹲点调研少。

二、整改措施
（一）加强理论武装
坚持每月开展1次中心组集中学习，深入系统学习理论。
（二）改进工作作风
班子成员每季度到基层蹲点调研不少于1次。
"""


def test_accept_all_suggestions_links_every_measure(login: Any, organizer: Any, round_: Round) -> None:
    draft = imports.draft_from_text(round_, actor=organizer, text=SELF_EXAM)
    assert all(m["problem"] is None for m in draft.data["measures"])
    assert all(m["suggested_problems"] for m in draft.data["measures"])
    client = login(organizer)
    page = client.get(reverse("draft_preview", args=[draft.pk])).content.decode()
    assert "建议归入" in page and "全部采纳建议" in page
    response = client.post(
        reverse("draft_edit", args=[draft.pk]), {"op": "accept_suggestions"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "全部采纳建议" not in response.content.decode()
    draft.refresh_from_db()
    assert [m["problem"] for m in draft.data["measures"]] == [0, 1]
    again = client.post(
        reverse("draft_edit", args=[draft.pk]), {"op": "accept_suggestions"}, HTTP_HX_REQUEST="true"
    )
    assert again.status_code == 422 and "没有待采纳的建议" in again.content.decode()
    client.post(reverse("draft_confirm", args=[draft.pk]))
    linked = Measure.objects.filter(round=round_).values_list("problem__aspect__name", flat=True)
    assert sorted(linked) == ["工作作风", "理论学习"]


def test_long_previews_are_paginated(
    login: Any, organizer: Any, round_: Round, django_assert_max_num_queries: Any
) -> None:
    problems = [
        {"aspect": "", "summary": f"第{n}项具体问题", "text": f"第{n}项具体问题。"} for n in range(1, 131)
    ]
    measures = [
        {
            "group": "",
            "summary": f"第{n}项措施",
            "text": f"第{n}项措施。",
            "problem": n - 1,
            "commitments": [],
        }
        for n in range(1, 131)
    ]
    big = imports.create_draft(
        round_,
        actor=organizer,
        name="长清单",
        data={"title": "", "problems": problems, "causes": [], "measures": measures},
    )
    client = login(organizer)
    with django_assert_max_num_queries(10):
        first = client.get(reverse("draft_preview", args=[big.pk])).content.decode()
    # Each page shows 50 problems with their measures (the 归入问题 list still names them all).
    assert "第50项措施" in first and "第51项措施" not in first and "共 3 页" in first
    third = client.get(reverse("draft_preview", args=[big.pk]) + "?page=3").content.decode()
    assert "第130项措施" in third and "第100项措施" not in third
    # A correction on page 3 answers with page 3.
    edit = client.post(
        reverse("draft_edit", args=[big.pk]) + "?page=3",
        {"op": "drop", "kind": "problems", "index": "129"},
        HTTP_HX_REQUEST="true",
    )
    body = edit.content.decode()
    assert edit.status_code == 200 and "第129项措施" in body and "第130项具体问题。" not in body
    assert client.get(reverse("draft_preview", args=[big.pk]) + "?page=99").status_code == 200


def test_xlsx_import_refuses_a_non_spreadsheet(login: Any, organizer: Any, round_: Round) -> None:
    response = login(organizer).post(
        reverse("round_import_xlsx", args=[round_.pk]),
        {"file": SimpleUploadedFile("台账.xlsx", b"not a zip at all"), "source": "self"},
    )
    assert response.status_code == 422 and "台账.xlsx：不是有效的 Excel 文件" in response.content.decode()
    assert not Problem.objects.exists()


def test_viewer_exports_the_ledger(
    login: Any, viewer: Any, organizer: Any, owner: Any, draft: ImportDraft, round_: Round
) -> None:
    imports.confirm_draft(draft, actor=organizer)
    response = login(viewer).get(reverse("round_export", args=[round_.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    rows, errors = read_ledger(io.BytesIO(response.content))
    assert errors == [] and len(rows) == 3 and rows[0].owner == "李建华" and rows[0].problem_code == "1"


# --- the ways in ---------------------------------------------------------------------------------


def test_links_are_offered_to_organizers_only(login: Any, organizer: Any, viewer: Any, round_: Round) -> None:
    client = login(organizer)
    detail = client.get(reverse("round_detail", args=[round_.pk])).content.decode()
    assert reverse("round_import", args=[round_.pk]) in detail and "导出台账" in detail
    assert reverse("round_create") in client.get(reverse("home")).content.decode()
    client = login(viewer)
    detail = client.get(reverse("round_detail", args=[round_.pk])).content.decode()
    assert reverse("round_import", args=[round_.pk]) not in detail
    assert (
        reverse("report_ledger", args=[round_.pk]) in detail
    )  # everyone who may see it may export it (official layout)
    assert reverse("round_create") not in client.get(reverse("home")).content.decode()


def test_a_scanned_pdf_or_a_doc_without_libreoffice_gets_a_message_and_loses_nothing(
    login: Any, organizer: Any, round_: Round, monkeypatch: Any, tmp_path: Any
) -> None:
    from tests.text.test_formats import blank_pdf

    monkeypatch.setenv("LUOSHI_SOFFICE", str(tmp_path / "no-soffice"))
    response = login(organizer).post(
        reverse("round_import", args=[round_.pk]),
        {
            "files": [
                SimpleUploadedFile("扫描件.pdf", blank_pdf()),
                SimpleUploadedFile("旧方案.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)),
                txt("方案.txt", PLAN),
            ],
            "source": "self",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "扫描件.pdf：是扫描版 PDF" in page and "另存为 .docx" in page
    assert "旧方案.doc：是旧版 Word/WPS 文件" in page and "没有安装 LibreOffice" in page
    assert list(ImportDraft.objects.filter(round=round_).values_list("name", flat=True)) == ["方案.txt"]


# --- the source an import starts with ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "source"),
    [("inspection", "inspection"), ("audit", "audit"), ("supervision", "supervision"), ("annual", "self")],
)
def test_an_import_starts_with_the_source_its_round_stands_for(
    login: Any, organizer: Any, team: Any, kind: str, source: str
) -> None:
    # An inspection's rectification plan lists what the inspection found: its problems are not
    # the team's own findings unless the organizer says so.
    from luoshi.ledger.services import create_round

    round_ = create_round(team=team, title="2026年整改", year=2026, actor=organizer, kind=kind)
    client = login(organizer)
    for name in ("round_import", "round_import_xlsx"):
        body = client.get(reverse(name, args=[round_.pk])).content.decode()
        assert f'<option value="{source}" selected>' in body, name
