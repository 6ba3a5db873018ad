"""Downloads from the round page and the member page: through for_user (404 for outsiders),
private and not stored, the files what the writers make."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.reports import pdf
from luoshi.text.ledger_xlsx import read_ledger
from tests.reports.docx_check import open_docx, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client: Client) -> Any:
    def as_user(user: Any) -> Client:
        client.force_login(user)
        return client

    return as_user


def urls(round_: Any, member_id: int) -> list[str]:
    pk = round_.pk
    return [
        reverse("report_progress", args=[pk, "docx"]),
        reverse("report_bulletin", args=[pk, "docx"]) + "?from=2026-01-01&to=2026-12-31",
        reverse("report_member", args=[pk, "docx"]) + f"?member={member_id}",
        reverse("report_member", args=[pk, "xlsx"]) + f"?member={member_id}",
        reverse("report_ledger", args=[pk]),
    ]


def test_viewer_downloads_every_report_private_and_not_stored(
    login: Any, viewer: Any, filled_round: Any, owner: Any
) -> None:
    client = login(viewer)
    member_id = owner.memberships.get().pk
    for url in urls(filled_round, member_id):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store"
        assert response["Content-Disposition"].startswith("attachment;")
    progress = client.get(urls(filled_round, member_id)[0])
    assert "第1项整改措施的具体内容" in "\n".join(texts(open_docx(progress.content)))
    assert "整改落实情况报告" in progress["Content-Disposition"] or "%E6" in progress["Content-Disposition"]


@pytest.mark.parametrize("index", range(5))
def test_outsider_and_anonymous_get_nothing(
    login: Any, client: Client, outsider: Any, filled_round: Any, owner: Any, index: int
) -> None:
    url = urls(filled_round, owner.memberships.get().pk)[index]
    assert client.get(url).status_code == 302  # to the login page
    assert login(outsider).get(url).status_code == 404


def test_member_of_another_team_is_404(login: Any, viewer: Any, filled_round: Any, elsewhere: Any) -> None:
    from luoshi.orgs.models import Member, Team

    team = Team.objects.create(organization=elsewhere, name="别的班子")
    stranger = Member.objects.create(team=team, name="外人", position="书记")
    client = login(viewer)
    url = reverse("report_member", args=[filled_round.pk, "docx"])
    assert client.get(f"{url}?member={stranger.pk}").status_code == 404
    assert client.get(f"{url}?member=abc").status_code == 404


def test_ledger_download_is_filtered_like_the_page(login: Any, viewer: Any, filled_round: Any) -> None:
    response = login(viewer).get(
        reverse("report_ledger", args=[filled_round.pk]) + "?status=in_progress&page=2"
    )
    rows, _errors = read_ledger(io.BytesIO(response.content))
    assert sorted(r.measure for r in rows) == ["第4项整改措施的具体内容", "第5项整改措施的具体内容"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value.endswith("筛选：状态：整改中")


def test_bulletin_with_bad_dates_is_refused(login: Any, viewer: Any, filled_round: Any) -> None:
    url = reverse("report_bulletin", args=[filled_round.pk, "docx"])
    response = login(viewer).get(url + "?from=2026-12-31&to=2026-01-01")
    assert response.status_code == 422
    assert "截止日期不能早于起始日期" in response.content.decode()
    assert login(viewer).get(url + "?from=not-a-date").status_code == 422


def test_pdf_without_libreoffice_says_so(
    login: Any, viewer: Any, filled_round: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    response = login(viewer).get(reverse("report_progress", args=[filled_round.pk, "pdf"]))
    assert response.status_code == 503
    assert "LibreOffice" in response.content.decode()


def test_round_page_and_member_page_offer_the_downloads(
    login: Any, viewer: Any, owner: Any, other_member: Any, filled_round: Any
) -> None:
    page = login(viewer).get(reverse("round_detail", args=[filled_round.pk])).content.decode()
    assert reverse("report_progress", args=[filled_round.pk, "docx"]) in page
    assert reverse("report_ledger", args=[filled_round.pk]) in page
    assert reverse("report_member", args=[filled_round.pk, "xlsx"]) in page
    assert "王志刚（副书记）" in page
    mine = login(owner).get(reverse("my_measures")).content.decode()
    member_id = owner.memberships.get().pk
    assert f"{reverse('report_member', args=[filled_round.pk, 'docx'])}?member={member_id}" in mine
    # a member page lists only the rounds where the member owns measures
    assert "个人整改清单" not in login(viewer).get(reverse("my_measures")).content.decode()


@pytest.mark.skipif(pdf.soffice_path() is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_download(login: Any, viewer: Any, filled_round: Any) -> None:
    response = login(viewer).get(reverse("report_progress", args=[filled_round.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and response["Cache-Control"] == "private, no-store"
