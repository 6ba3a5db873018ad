"""Hostile input on the web (issue 15, points 1, 2, 6 and the entity note of point 10): bombs and
oversized files on every upload path, the feedback import's role check before reading, the
import size limits from settings, NUL and other control characters on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from luoshi.ledger.models import ImportDraft, Problem, Round
from luoshi.recurrence import services as feedback_services
from luoshi.recurrence.models import FeedbackBatch
from luoshi.text.limits import ENTITY_NOTE
from tests.security import bombs

MIB = 1024 * 1024


@pytest.fixture
def login(client: Client) -> Any:
    def as_user(user: Any) -> Client:
        client.force_login(user)
        return client

    return as_user


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _text(response: Any) -> str:
    return str(response.content.decode())


# --- the feedback import -------------------------------------------------------------------------


def test_feedback_import_refuses_a_viewer_before_reading_the_upload(
    login: Any, viewer: Any, round_: Round, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only 查阅人 posting the 3,000,000-paragraph bomb: refused, nothing parsed or stored."""

    def must_not_parse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the upload was parsed before the role was checked")

    monkeypatch.setattr(feedback_services, "entries_from_document", must_not_parse)
    response = login(viewer).post(
        reverse("feedback_list", args=[round_.pk]),
        {"kind": "supervision", "document": upload("炸弹.docx", bombs.paragraphs(3_000_000))},
    )
    assert response.status_code == 403 and "只有本单位的组织者可以导入" in _text(response)
    assert not FeedbackBatch.objects.exists()


def test_feedback_import_refuses_a_bomb_with_its_limit(login: Any, organizer: Any, round_: Round) -> None:
    response = login(organizer).post(
        reverse("feedback_list", args=[round_.pk]),
        {"kind": "supervision", "document": upload("炸弹.docx", bombs.paragraphs(3_000_000))},
    )
    assert response.status_code == 422
    assert "炸弹.docx：其中的 word/document.xml 解压后超过 32 MB 的上限" in _text(response)
    assert not FeedbackBatch.objects.exists()


def test_feedback_import_honours_max_upload_mb(
    login: Any, organizer: Any, round_: Round, settings: Any
) -> None:
    settings.LUOSHI_MAX_UPLOAD_MB = 1
    text = ("1.会议过多。\n" * (MIB // 16 + 100)).encode()
    response = login(organizer).post(
        reverse("feedback_list", args=[round_.pk]),
        {"kind": "supervision", "document": upload("反馈.txt", text)},
    )
    assert response.status_code == 422 and "反馈.txt”超过 1 MB 的上传限制" in _text(response)


# --- documents and ledgers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("三百万段.docx", lambda: bombs.paragraphs(3_000_000), "解压后超过 32 MB 的上限"),
        ("解压.docx", lambda: bombs.expansion(208), "解压后超过 200 MB 的上限"),
        ("元素.docx", lambda: bombs.elements(600_000), "500,000 个 XML 元素的上限"),
        ("成员.docx", lambda: bombs.members(5_001), "压缩包中的文件过多"),
    ],
)
def test_document_import_refuses_bombs(
    login: Any, organizer: Any, round_: Round, name: str, build: Any, message: str
) -> None:
    response = login(organizer).post(
        reverse("round_import", args=[round_.pk]), {"source": "self", "files": [upload(name, build())]}
    )
    assert response.status_code == 422 and f"{name}：" in _text(response) and message in _text(response)
    assert not ImportDraft.objects.exists()


def test_uploads_are_cut_past_the_limit_as_they_arrive(
    login: Any, organizer: Any, round_: Round, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 3 MB upload with LUOSHI_MAX_UPLOAD_MB=1 reaches the view as 1 MB + 1 byte and is refused."""
    from luoshi.ledger import views_import

    settings.LUOSHI_MAX_UPLOAD_MB = 1
    seen: list[int] = []
    original = views_import._read_bounded
    monkeypatch.setattr(views_import, "_read_bounded", lambda f: seen.append(f.size) or original(f))
    response = login(organizer).post(
        reverse("round_import", args=[round_.pk]),
        {"source": "self", "files": [upload("大.txt", b"x" * (3 * MIB))]},
    )
    assert seen == [MIB + 1]
    assert response.status_code == 422 and "超过 1 MB 的上传限制" in _text(response)


def test_a_document_with_more_items_than_the_import_limit_is_refused(
    login: Any, organizer: Any, round_: Round, settings: Any
) -> None:
    settings.LUOSHI_IMPORT_MAX_ITEMS = 5
    text = "一、存在的问题\n" + "".join(f"{n}.第{n}个问题不够深入。\n" for n in range(1, 7))
    response = login(organizer).post(
        reverse("round_import", args=[round_.pk]),
        {"source": "self", "files": [upload("长文.txt", text.encode())]},
    )
    assert response.status_code == 422
    assert "长文.txt：解析出 6 项问题、原因和措施，超过一次导入可以预览的上限 5 项" in _text(response)
    assert not ImportDraft.objects.exists()
    settings.LUOSHI_IMPORT_MAX_ITEMS = 6
    login(organizer).post(
        reverse("round_import", args=[round_.pk]),
        {"source": "self", "files": [upload("长文.txt", text.encode())]},
    )
    assert ImportDraft.objects.count() == 1


def _ledger(rows: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["问题", "整改措施"])
    for n in range(rows):
        sheet.append([f"问题{n}", f"措施{n}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_ledger_with_more_rows_than_the_limit_is_refused(
    login: Any, organizer: Any, round_: Round, settings: Any
) -> None:
    settings.LUOSHI_IMPORT_MAX_ROWS = 3
    response = login(organizer).post(
        reverse("round_import_xlsx", args=[round_.pk]),
        {"source": "self", "file": upload("台账.xlsx", _ledger(4))},
    )
    assert response.status_code == 422 and "台账.xlsx：工作表超过 3 行的上限" in _text(response)
    assert not Problem.objects.exists()


def test_two_million_rows_are_refused(login: Any, organizer: Any, round_: Round) -> None:
    response = login(organizer).post(
        reverse("round_import_xlsx", args=[round_.pk]),
        {"source": "self", "file": upload("两百万行.xlsx", bombs.sheet_rows(2_000_000))},
    )
    assert response.status_code == 422 and "两百万行.xlsx：" in _text(response) and "上限" in _text(response)


def test_the_preview_says_that_entities_were_not_expanded(login: Any, organizer: Any, round_: Round) -> None:
    client = login(organizer)
    response = client.post(
        reverse("round_import", args=[round_.pk]),
        {"source": "self", "files": [upload("实体.docx", bombs.entities())]},
    )
    draft = ImportDraft.objects.get()
    assert response.status_code == 302 and draft.data["notes"] == [ENTITY_NOTE]
    assert ENTITY_NOTE in _text(client.get(reverse("draft_preview", args=[draft.pk])))


# --- NUL and other control characters (both databases) -----------------------------------------


def test_nul_in_a_query_parameter_is_stripped(login: Any, organizer: Any, round_: Round) -> None:
    client = login(organizer)
    assert client.get(reverse("ledger_list"), {"q": "会议\x00过多\x07"}).status_code == 200
    assert client.get(reverse("round_detail", args=[round_.pk]) + "?q=%00").status_code == 200


def test_nul_in_form_input_is_stripped(login: Any, organizer: Any, team: Any) -> None:
    response = login(organizer).post(
        reverse("round_create"),
        {"team": team.pk, "title": "2026年\x00专题\x1b民主生活会", "kind": "special", "year": 2026},
    )
    assert response.status_code == 302
    assert Round.objects.filter(title="2026年专题民主生活会").exists()


def test_nul_deep_inside_an_uploaded_text_is_stripped(login: Any, organizer: Any, round_: Round) -> None:
    """A NUL after the first 4 KB passed the binary sniffing and gave a 500 on PostgreSQL."""
    response = login(organizer).post(
        reverse("round_import", args=[round_.pk]),
        {"source": "self", "files": [upload("含NUL.txt", bombs.nul_text())]},
    )
    draft = ImportDraft.objects.get()
    assert response.status_code == 302 and "\x00" not in str(draft.data)
    assert any("调查研究不够" in p["text"] for p in draft.data["problems"])


def test_nul_in_pasted_feedback_is_stripped(login: Any, organizer: Any, round_: Round) -> None:
    response = login(organizer).post(
        reverse("feedback_list", args=[round_.pk]),
        {"kind": "supervision", "pasted": "1.会议\x00过多。\n2.调研\x00不深。"},
    )
    batch = FeedbackBatch.objects.get()
    assert response.status_code == 302
    assert sorted(batch.items.values_list("summary", flat=True)) == ["会议过多。", "调研不深。"]
