"""The opinions pages: the public page (no login, limits, closed link), the organizer's pages, each
member's page, the QR code and poster, the import, problems from opinions; who sees what (outsider
404, member only their own and the team's, contact details for the organizers only)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from luoshi.audit.models import Event
from luoshi.ledger.models import Problem, Source
from luoshi.meetings import services_opinions as services
from luoshi.meetings.models import Opinion, OpinionSource, OpinionStatus
from luoshi.orgs.models import Member

CONTACT = "13800001111"
pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client: Client) -> Any:
    def login(user: Any) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.fixture
def mayor(owner: Any) -> Member:
    return owner.memberships.get()


@pytest.fixture
def deputy(other_member: Any) -> Member:
    return other_member.memberships.get()


@pytest.fixture
def link(round_: Any, organizer: Any) -> Any:
    return services.open_link(round_, actor=organizer)


@pytest.fixture
def forwarded(
    link: Any, organizer: Any, mayor: Member, deputy: Member, django_capture_on_commit_callbacks: Any
) -> dict[str, Opinion]:
    """Three forwarded opinions, each with contact details: about the team, 李建华 and 王志刚."""
    made = {}
    for key, text, target in (
        ("team", "班子会议太多，文山会海", None),
        ("mayor", "李县长调研走过场", mayor),
        ("deputy", "王副书记分管工作抓得不实", deputy),
    ):
        opinion = services.submit_public(link, text=text, target=target, contact=f"{CONTACT}-{key}")
        made[key] = services.classify(opinion, actor=organizer, aspect=None, target=target)
    with django_capture_on_commit_callbacks(execute=True):
        services.forward(link.round, actor=organizer)
    return made


def public(link: Any) -> str:
    return reverse("public_opinion", args=[link.token])


# --- the public page -------------------------------------------------------------------------------


def test_the_public_page_needs_no_login_and_says_contact_is_optional(
    client: Client, link: Any, mayor: Member
) -> None:
    page = client.get(public(link))
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "可以匿名" in html and "联系方式<strong>可不填</strong>" in html and "仅本次征求意见的组织者" in html
    )
    assert 'name="text"' in html and 'name="target"' in html and 'name="contact"' in html
    assert "李建华（县长）" in html


def test_a_public_submission_is_saved_without_anything_about_the_client(
    client: Client, link: Any, mayor: Member
) -> None:
    response = client.post(
        public(link),
        {"text": "李建华同志调研走过场", "target": str(mayor.pk), "contact": ""},
        REMOTE_ADDR="203.0.113.77",
        HTTP_USER_AGENT="PhoneBrowser/1.0",
    )
    assert response.status_code == 200 and "提交成功" in response.content.decode()
    opinion = Opinion.objects.get()
    assert (opinion.source, opinion.target_member, opinion.anonymous) == (OpinionSource.PUBLIC, mayor, True)
    stored = " ".join(str(getattr(opinion, f.attname)) for f in Opinion._meta.concrete_fields)
    assert "203.0.113.77" not in stored and "PhoneBrowser" not in stored
    logged = " ".join(f"{e.old} {e.new} {e.actor_label}" for e in Event.objects.all())
    assert "203.0.113.77" not in logged and "PhoneBrowser" not in logged


def test_the_hourly_limit_gives_a_clear_chinese_message(client: Client, link: Any, settings: Any) -> None:
    settings.LUOSHI_OPINION_PER_HOUR = 2
    for n in range(2):
        assert client.post(public(link), {"text": f"意见{n}"}, REMOTE_ADDR="198.51.100.1").status_code == 200
    limited = client.post(public(link), {"text": "第三条"}, REMOTE_ADDR="198.51.100.1")
    assert limited.status_code == 429
    assert "每小时最多可提交 2 条" in limited.content.decode()
    assert Opinion.objects.count() == 2
    assert client.post(public(link), {"text": "别人的"}, REMOTE_ADDR="198.51.100.2").status_code == 200


def test_too_long_an_opinion_is_refused_with_the_limit(client: Client, link: Any, settings: Any) -> None:
    settings.LUOSHI_OPINION_MAX_CHARS = 60
    response = client.post(public(link), {"text": "长" * 61})
    assert response.status_code == 422
    assert "不能超过 60 字" in response.content.decode()
    assert not Opinion.objects.exists()


def test_a_closed_link_says_it_is_closed_and_an_unknown_token_is_404(
    client: Client, link: Any, organizer: Any
) -> None:
    services.open_link(link.round, actor=organizer, open=False)
    closed = client.get(public(link))
    assert closed.status_code == 410 and "链接已关闭" in closed.content.decode()
    assert client.post(public(link), {"text": "还有意见"}).status_code == 410
    assert not Opinion.objects.exists()
    assert client.get(reverse("public_opinion", args=["guessed-token"])).status_code == 404


def test_the_link_of_an_archived_round_is_closed(client: Client, link: Any, organizer: Any) -> None:
    from luoshi.ledger.services import archive_round

    archive_round(link.round, actor=organizer)
    assert client.get(public(link)).status_code == 410
    assert client.post(public(link), {"text": "意见"}).status_code == 410
    assert not Opinion.objects.exists()


# --- the organizer's pages, the QR code and the poster --------------------------------------------


def test_the_organizer_opens_the_link_and_gets_the_qr_code_and_the_poster(
    as_user: Any, organizer: Any, round_: Any, settings: Any
) -> None:
    settings.LUOSHI_BASE_URL = "https://luoshi.example.gov.cn"
    client = as_user(organizer)
    assert client.post(reverse("opinion_link", args=[round_.pk]), {"open": "1"}).status_code == 302
    link = round_.opinion_link
    page = client.get(reverse("round_opinions", args=[round_.pk])).content.decode()
    assert f"https://luoshi.example.gov.cn/yijian/{link.token}/" in page
    png = client.get(reverse("opinion_qr_png", args=[round_.pk]))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = client.get(reverse("opinion_qr_svg", args=[round_.pk]) + "?download=1")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert "attachment" in svg["Content-Disposition"]
    poster = client.get(reverse("opinion_poster", args=[round_.pk])).content.decode()
    assert "用手机扫描二维码" in poster and reverse("opinion_qr_svg", args=[round_.pk]) in poster
    assert f"https://luoshi.example.gov.cn/yijian/{link.token}/" in poster
    client.post(reverse("opinion_link", args=[round_.pk]), {"open": "0"})
    link.refresh_from_db()
    assert not link.open


def test_the_poster_has_an_a4_print_rule() -> None:
    from pathlib import Path

    import luoshi.meetings

    css = (Path(luoshi.meetings.__file__).parent / "static" / "meetings" / "opinions.css").read_text()
    assert "@page { size:A4 portrait" in css


def test_the_organizer_sees_contact_details_and_classifies(
    as_user: Any, organizer: Any, link: Any, mayor: Member
) -> None:
    opinion = services.submit_public(link, text="调研走过场", target=None, contact=CONTACT)
    client = as_user(organizer)
    page = client.get(reverse("round_opinions", args=[link.round.pk])).content.decode()
    assert CONTACT in page and "调研走过场" in page
    work = link.round.framework.aspects.get(name="工作作风")
    prefix = f"o{opinion.pk}"
    response = client.post(
        reverse("opinion_classify", args=[opinion.pk]),
        {f"{prefix}-aspect": work.pk, f"{prefix}-target": mayor.pk},
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert (opinion.status, opinion.aspect, opinion.target_member) == (OpinionStatus.CLASSIFIED, work, mayor)
    assert client.post(reverse("opinion_forward", args=[link.round.pk])).status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.FORWARDED


def test_staff_entry_through_the_page(as_user: Any, organizer: Any, round_: Any, deputy: Member) -> None:
    client = as_user(organizer)
    assert client.get(reverse("opinion_create", args=[round_.pk])).status_code == 200
    response = client.post(
        reverse("opinion_create", args=[round_.pk]),
        {
            "source": "box",
            "text": "窗口服务态度差",
            "target": str(deputy.pk),
            "contact": "",
            "received_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    assert (opinion.source, opinion.target_member, opinion.received_at.date().isoformat()) == (
        "box",
        deputy,
        "2026-11-20",
    )


def test_the_import_page_previews_and_confirms(
    as_user: Any, organizer: Any, round_: Any, mayor: Member
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["意见内容", "针对对象", "来源", "联系方式"])
    sheet.append(["调研走过场", "李建华", "座谈会", CONTACT])
    sheet.append(["会议多", "", "意见箱", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "意见汇总.xlsx"
    client = as_user(organizer)
    preview = client.post(reverse("opinion_import", args=[round_.pk]), {"file": buffer})
    html = preview.content.decode()
    assert preview.status_code == 200 and "确认导入" in html and "李建华（县长）" in html
    assert not Opinion.objects.exists()
    payload = preview.context["payload"]
    confirmed = client.post(reverse("opinion_import_confirm", args=[round_.pk]), {"payload": payload})
    assert confirmed.status_code == 302
    assert sorted(Opinion.objects.values_list("source", flat=True)) == ["box", "forum"]
    tampered = client.post(reverse("opinion_import_confirm", args=[round_.pk]), {"payload": payload + "x"})
    assert tampered.status_code == 302 and Opinion.objects.count() == 2


def test_a_problem_from_an_opinion_after_confirmation_and_its_source_on_the_problem_page(
    as_user: Any, organizer: Any, link: Any, mayor: Member
) -> None:
    opinion = services.submit_public(
        link, text="李建华同志调研走过场。听汇报多。", target=mayor, contact=CONTACT
    )
    client = as_user(organizer)
    confirm = client.get(reverse("opinion_problem_create", args=[opinion.pk]))
    assert "确认新增问题" in confirm.content.decode() and not Problem.objects.exists()
    response = client.post(reverse("opinion_problem_create", args=[opinion.pk]), {"summary": "调研走过场"})
    problem = Problem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "problem_detail", args=[problem.pk]
    )
    assert (problem.member, problem.source) == (mayor, Source.OPINION)
    page = client.get(reverse("problem_detail", args=[problem.pk])).content.decode()
    assert "问题来源：意见建议（1 条）" in page and "李建华同志调研走过场" in page
    assert CONTACT not in page


def test_linking_an_existing_problem_through_the_page(as_user: Any, organizer: Any, link: Any) -> None:
    problem = Problem.objects.create(round=link.round, number=1, summary="文山会海")
    opinion = services.submit_public(link, text="会议太多", target=None, contact="")
    client = as_user(organizer)
    client.post(reverse("opinion_link_problems", args=[opinion.pk]), {"problems": [problem.pk]})
    assert list(opinion.problems.all()) == [problem]
    detail = client.get(reverse("opinion_detail", args=[opinion.pk])).content.decode()
    assert "1. 文山会海" in detail


# --- who sees what ---------------------------------------------------------------------------------


def test_an_outsider_gets_404_everywhere(
    as_user: Any, outsider: Any, forwarded: dict[str, Opinion], mayor: Member
) -> None:
    round_pk = forwarded["team"].round_id
    client = as_user(outsider)
    for url in (
        reverse("round_opinions", args=[round_pk]),
        reverse("opinion_qr_png", args=[round_pk]),
        reverse("opinion_poster", args=[round_pk]),
        reverse("opinion_create", args=[round_pk]),
        reverse("opinion_import", args=[round_pk]),
        reverse("opinions_grouped", args=[round_pk]),
        reverse("opinions_docx", args=[round_pk]),
        reverse("opinion_member", args=[round_pk, mayor.pk]),
        reverse("opinion_detail", args=[forwarded["mayor"].pk]),
        reverse("opinion_problem_create", args=[forwarded["mayor"].pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("opinion_forward", args=[round_pk])).status_code == 404
    assert client.post(reverse("opinion_classify", args=[forwarded["mayor"].pk])).status_code == 404


def test_a_member_sees_only_opinions_about_them_and_the_team_without_contact(
    as_user: Any, owner: Any, forwarded: dict[str, Opinion], mayor: Member, deputy: Member
) -> None:
    round_pk = forwarded["team"].round_id
    client = as_user(owner)
    redirected = client.get(reverse("round_opinions", args=[round_pk]))
    assert redirected["Location"] == reverse("opinion_member", args=[round_pk, mayor.pk])
    page = client.get(redirected["Location"]).content.decode()
    assert "班子会议太多" in page and "李县长调研走过场" in page
    assert "王副书记分管工作抓得不实" not in page
    assert CONTACT not in page
    assert client.get(reverse("opinion_member", args=[round_pk, deputy.pk])).status_code == 404
    assert client.get(reverse("opinion_detail", args=[forwarded["mayor"].pk])).status_code == 404
    for name in ("opinion_qr_png", "opinions_grouped", "opinions_docx", "opinion_create"):
        assert client.get(reverse(name, args=[round_pk])).status_code == 403, name
    assert client.post(reverse("opinion_forward", args=[round_pk])).status_code == 403


def test_a_member_downloads_their_own_docx_only(
    as_user: Any, owner: Any, forwarded: dict[str, Opinion], mayor: Member, deputy: Member
) -> None:
    from docx import Document

    round_pk = forwarded["team"].round_id
    client = as_user(owner)
    response = client.get(reverse("opinions_docx", args=[round_pk]) + f"?member={mayor.pk}")
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "李县长调研走过场" in text and "班子会议太多" in text
    assert "王副书记" not in text and CONTACT not in text
    assert client.get(reverse("opinions_docx", args=[round_pk]) + f"?member={deputy.pk}").status_code == 404


def test_the_problem_page_shows_a_member_the_opinion_passed_on_to_them_only(
    as_user: Any, organizer: Any, owner: Any, other_member: Any, forwarded: dict[str, Opinion]
) -> None:
    problem = Problem.objects.create(round=forwarded["mayor"].round, number=1, summary="调查研究不深入")
    services.link_problems(forwarded["mayor"], [problem], actor=organizer)
    url = reverse("problem_detail", args=[problem.pk])
    mine = as_user(owner).get(url).content.decode()
    assert "问题来源：意见建议（1 条）" in mine and "李县长调研走过场" in mine and CONTACT not in mine
    theirs = as_user(other_member).get(url).content.decode()
    assert "问题来源：意见建议（1 条）" in theirs and "李县长调研走过场" not in theirs


def test_a_member_sees_nothing_before_it_is_forwarded(
    as_user: Any, owner: Any, link: Any, mayor: Member
) -> None:
    services.submit_public(link, text="李县长调研走过场", target=mayor, contact=CONTACT)
    page = as_user(owner).get(reverse("opinion_member", args=[link.round.pk, mayor.pk])).content.decode()
    assert "调研走过场" not in page and "暂无转交的意见建议" in page


def test_a_viewer_and_a_reviewer_are_refused_the_opinions(
    as_user: Any, viewer: Any, reviewer: Any, forwarded: dict[str, Opinion]
) -> None:
    round_pk = forwarded["team"].round_id
    for user in (viewer, reviewer):
        response = as_user(user).get(reverse("round_opinions", args=[round_pk]))
        assert response.status_code == 403
        assert CONTACT not in response.content.decode() and "会议太多" not in response.content.decode()


def test_the_grouped_page_and_docx_hold_no_contact(
    as_user: Any, organizer: Any, forwarded: dict[str, Opinion]
) -> None:
    from docx import Document

    round_pk = forwarded["team"].round_id
    client = as_user(organizer)
    page = client.get(reverse("opinions_grouped", args=[round_pk])).content.decode()
    assert "对领导班子的意见建议（1 条）" in page and "对李建华同志（县长）的意见建议（1 条）" in page
    assert CONTACT not in page
    response = client.get(reverse("opinions_docx", args=[round_pk]))
    assert response["Cache-Control"] == "private, no-store"
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "王副书记分管工作抓得不实" in text and CONTACT not in text


def test_the_ledger_export_holds_no_contact(as_user: Any, organizer: Any, link: Any, mayor: Member) -> None:
    from openpyxl import load_workbook

    opinion = services.submit_public(link, text="李建华同志调研走过场", target=mayor, contact=CONTACT)
    services.create_problem(opinion, actor=organizer, summary="调研走过场")
    response = as_user(organizer).get(reverse("round_export", args=[link.round.pk]))
    cells = [
        str(value)
        for sheet in load_workbook(io.BytesIO(response.content)).worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    assert any("调研走过场" in c for c in cells)
    assert not any(CONTACT in c for c in cells)


def test_the_admin_lists_opinions_without_contact_and_cannot_change_them(
    client: Client, django_user_model: Any, forwarded: dict[str, Opinion]
) -> None:
    admin_user = django_user_model.objects.create_superuser("root", password="pw-root-123456")
    client.force_login(admin_user)
    listing = client.get(reverse("admin:meetings_opinion_changelist")).content.decode()
    assert "班子会议太多" in listing and CONTACT not in listing
    detail = client.get(
        reverse("admin:meetings_opinion_change", args=[forwarded["mayor"].pk])
    ).content.decode()
    assert "李县长调研走过场" in detail and CONTACT not in detail
    model_admin = site._registry[Opinion]
    assert "contact" not in model_admin.list_display and "contact" in (model_admin.exclude or [])
    assert (
        client.post(reverse("admin:meetings_opinion_delete", args=[forwarded["mayor"].pk])).status_code == 403
    )


def test_notices_carry_no_contact_and_no_text(forwarded: dict[str, Opinion]) -> None:
    from luoshi.notices.models import Notice

    texts = " ".join(Notice.objects.values_list("text", flat=True))
    assert texts  # the members were told
    assert CONTACT not in texts and "调研走过场" not in texts


def test_the_round_page_links_to_the_opinions(as_user: Any, organizer: Any, round_: Any) -> None:
    page = as_user(organizer).get(reverse("round_detail", args=[round_.pk])).content.decode()
    assert reverse("round_opinions", args=[round_.pk]) in page


def test_the_organizer_s_list_costs_the_same_queries_for_one_opinion_or_many(
    as_user: Any, organizer: Any, link: Any, django_assert_max_num_queries: Any
) -> None:
    services.submit_public(link, text="意见一", target=None, contact="")
    client = as_user(organizer)
    url = reverse("round_opinions", args=[link.round.pk])
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(6):
        opinion = services.submit_public(link, text=f"意见{n}", target=None, contact=CONTACT)
        services.link_problems(
            opinion, [Problem.objects.create(round=link.round, number=n + 1, summary="p")], actor=organizer
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("已形成问题 1 个") == 6
