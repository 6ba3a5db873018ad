"""The home page by role, and a document uploaded from it into a new or an existing round."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from luoshi.audit.models import Event, EventType
from luoshi.ledger.home_import import Upload, seal
from luoshi.ledger.models import Extension, ImportDraft, Measure, Round, RoundKind
from luoshi.ledger.round_proposal import propose_round
from tests.ledger.test_imports import PLAN, SAMPLE

TODAY = datetime.date(2026, 5, 1)


def txt(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def token_of(body: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', body)
    assert found, body[:500]
    return found.group(1)


# --- the round proposed from the title ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "name", "year", "kind"),
    [
        (
            "XX县委常委班子2023年度专题民主生活会对照检查材料",
            "XX县委常委班子2023年度专题民主生活会",
            2023,
            RoundKind.SPECIAL,
        ),
        (
            "2023年度第二批主题教育专题民主生活会领导班子对照检查剖析材料",
            "2023年度第二批主题教育专题民主生活会",
            2023,
            RoundKind.SPECIAL,
        ),
        (
            "县委常委班子2025年度民主生活会对照检查材料",
            "县委常委班子2025年度民主生活会",
            2025,
            RoundKind.ANNUAL,
        ),
        ("关于县委第三巡察组反馈意见的整改方案", "县委第三巡察组反馈意见整改", 2026, RoundKind.INSPECTION),
        ("县审计局2024年审计发现问题整改工作方案", "县审计局2024年审计发现问题整改", 2024, RoundKind.AUDIT),
        (
            "党支部2024年度组织生活会个人对照检查材料",
            "党支部2024年度组织生活会",
            2024,
            RoundKind.ORGANIZATION_LIFE,
        ),
    ],
)
def test_a_round_is_proposed_from_the_title(title: str, name: str, year: int, kind: RoundKind) -> None:
    proposal = propose_round(title, today=datetime.date(2026, 3, 1))
    assert (proposal.title, proposal.year, proposal.kind) == (name, year, kind)


def test_without_a_year_in_the_title_the_documents_own_year_is_proposed() -> None:
    texts = ["全年会议达到120余次。", "对照2024年度民主生活会查摆的问题，2025年6月底前完成整改。"]
    proposal = propose_round("班子对照检查材料", texts=texts, today=datetime.date(2026, 3, 1))
    assert proposal.year == 2024


def test_without_a_title_the_file_name_and_this_year_are_proposed() -> None:
    proposal = propose_round("", fallback_name="班子检视材料.docx", today=datetime.date(2026, 3, 1))
    assert (proposal.title, proposal.year, proposal.kind) == ("班子检视材料", 2026, RoundKind.SPECIAL)


def options(body: str, name: str) -> str:
    """The <option>s of the select named NAME."""
    return body.split(f'name="{name}"')[1].split("</select>")[0]


# --- upload → proposal → confirm -----------------------------------------------------------------------


def test_upload_proposes_a_new_round_and_stores_nothing(client: Client, organizer: Any, team: Any) -> None:
    client.force_login(organizer)
    assert 'action="/upload/"' in client.get(reverse("home")).content.decode()
    events = Event.objects.count()
    response = client.post(reverse("home_upload"), {"file": txt("材料.txt", SAMPLE)})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="县委常委班子2025年度民主生活会"' in body
    assert 'value="2025"' in body and '<option value="annual" selected>' in body
    assert 'name="target" value="new" checked' in body
    assert "识别出问题 <strong>" in body
    assert not ImportDraft.objects.exists() and not Round.objects.exists()
    assert Event.objects.count() == events  # nothing happened yet


def test_an_inspection_plan_is_proposed_with_the_inspections_findings_as_source(
    client: Client, organizer: Any, team: Any
) -> None:
    client.force_login(organizer)
    body = client.post(reverse("home_upload"), {"file": txt("方案.txt", PLAN)}).content.decode()
    assert '<option value="inspection" selected>巡察整改</option>' in body  # the round's kind
    assert '<option value="inspection" selected>巡察反馈</option>' in body  # the problems' source
    body = client.post(reverse("home_upload"), {"file": txt("材料.txt", SAMPLE)}).content.decode()
    assert '<option value="self" selected>自我查摆</option>' in body


def test_confirm_creates_the_round_and_imports_in_one_step(client: Client, organizer: Any, team: Any) -> None:
    client.force_login(organizer)
    body = client.post(reverse("home_upload"), {"file": txt("材料.txt", SAMPLE)}).content.decode()
    response = client.post(
        reverse("home_upload_confirm"),
        {
            "token": token_of(body),
            "target": "new",
            "team": team.pk,
            "title": "改过的名称",
            "year": 2025,
            "kind": "annual",
            "source": "self",
            "confirm": "",
        },
    )
    round_ = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("round_detail", args=[round_.pk])
    assert (round_.title, round_.year, round_.kind, round_.team) == ("改过的名称", 2025, "annual", team)
    assert round_.measures.count() > 0 and round_.problems.count() > 0
    assert ImportDraft.objects.get().confirmed_at is not None
    types = set(Event.objects.values_list("event_type", flat=True))
    assert {EventType.ROUND_CREATED, EventType.DRAFT_CREATED, EventType.DRAFT_CONFIRMED} <= types


def test_confirm_into_an_existing_round(client: Client, organizer: Any, round_: Round) -> None:
    client.force_login(organizer)
    body = client.post(reverse("home_upload"), {"file": txt("方案.txt", PLAN)}).content.decode()
    assert f'<option value="{round_.pk}"' in options(body, "round")
    response = client.post(
        reverse("home_upload_confirm"),
        {"token": token_of(body), "target": "existing", "round": round_.pk, "source": "inspection"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("round_detail", args=[round_.pk])
    assert Round.objects.count() == 1
    assert Measure.objects.filter(round=round_).count() > 0
    assert set(round_.problems.values_list("source", flat=True)) == {"inspection"}


def test_a_file_of_the_same_name_imported_before_is_flagged(
    client: Client, organizer: Any, round_: Round
) -> None:
    client.force_login(organizer)
    body = client.post(reverse("home_upload"), {"file": txt("方案.txt", PLAN)}).content.decode()
    assert "同名文档已于" not in body
    client.post(
        reverse("home_upload_confirm"),
        {"token": token_of(body), "target": "existing", "round": round_.pk, "source": "inspection"},
    )
    body = client.post(reverse("home_upload"), {"file": txt("方案.txt", PLAN)}).content.decode()
    assert "同名文档已于" in body and reverse("round_detail", args=[round_.pk]) in body


def test_the_same_document_again_into_a_round_goes_in_only_on_the_explicit_choice(
    client: Client, organizer: Any, round_: Round
) -> None:
    client.force_login(organizer)
    place = {"target": "existing", "round": round_.pk, "source": "inspection"}
    body = client.post(reverse("home_upload"), {"file": txt("方案.txt", PLAN)}).content.decode()
    client.post(reverse("home_upload_confirm"), {"token": token_of(body), **place})
    count = Measure.objects.filter(round=round_).count()
    assert count > 0

    body = client.post(reverse("home_upload"), {"file": txt("方案（另存）.txt", PLAN)}).content.decode()
    token = token_of(body)
    refused = client.post(reverse("home_upload_confirm"), {"token": token, **place})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "仍然导入" in page and 'name="repeat"' in page
    assert Measure.objects.filter(round=round_).count() == count

    chosen = client.post(reverse("home_upload_confirm"), {"token": token, "repeat": "1", **place})
    assert chosen.status_code == 302
    assert Measure.objects.filter(round=round_).count() == 2 * count


def test_review_first_opens_the_draft_preview(client: Client, organizer: Any, team: Any) -> None:
    client.force_login(organizer)
    body = client.post(reverse("home_upload"), {"file": txt("方案.txt", PLAN)}).content.decode()
    assert '<option value="inspection" selected>' in body  # 巡察 in the title
    response = client.post(
        reverse("home_upload_confirm"),
        {
            "token": token_of(body),
            "target": "new",
            "team": team.pk,
            "title": "县委巡察反馈意见整改",
            "year": 2026,
            "kind": "inspection",
            "source": "inspection",
            "review": "",
        },
    )
    draft = ImportDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("draft_preview", args=[draft.pk])
    assert draft.confirmed_at is None and not Measure.objects.exists()


def test_a_missing_name_is_422_and_creates_nothing(client: Client, organizer: Any, team: Any) -> None:
    client.force_login(organizer)
    body = client.post(reverse("home_upload"), {"file": txt("材料.txt", SAMPLE)}).content.decode()
    response = client.post(
        reverse("home_upload_confirm"),
        {
            "token": token_of(body),
            "target": "new",
            "team": team.pk,
            "title": " ",
            "year": 2025,
            "kind": "annual",
        },
    )
    assert response.status_code == 422 and "请填写轮次名称" in response.content.decode()
    assert not Round.objects.exists() and not ImportDraft.objects.exists()


def test_an_altered_or_foreign_token_is_refused(
    client: Client, organizer: Any, viewer: Any, team: Any
) -> None:
    token = seal(
        Upload(name="x.txt", data={"title": "", "problems": [], "causes": [], "measures": []}), viewer
    )
    client.force_login(organizer)
    form = {"target": "new", "team": team.pk, "title": "轮次", "year": 2025, "kind": "annual"}
    for bad in (token, token[:-2] + "xx"):
        response = client.post(reverse("home_upload_confirm"), {**form, "token": bad})
        assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not Round.objects.exists()


def test_an_unreadable_upload_goes_back_home_with_the_reason(
    client: Client, organizer: Any, team: Any
) -> None:
    client.force_login(organizer)
    response = client.post(reverse("home_upload"), {"file": txt("空.txt", "没有任何段落")}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "没有找到" in response.content.decode()


def test_only_organizers_upload_and_only_into_their_teams(
    client: Client, viewer: Any, outsider: Any, elsewhere: Any, organizer: Any, team: Any, round_: Round
) -> None:
    from luoshi.orgs.models import Team

    Team.objects.create(organization=elsewhere, name="别处的班子")
    client.force_login(viewer)
    assert 'action="/upload/"' not in client.get(reverse("home")).content.decode()
    assert client.post(reverse("home_upload"), {"file": txt("材料.txt", SAMPLE)}).status_code == 403
    # An organizer elsewhere cannot aim a valid token of theirs at this team or round.
    client.force_login(outsider)
    body = client.post(reverse("home_upload"), {"file": txt("材料.txt", SAMPLE)}).content.decode()
    assert f'<option value="{team.pk}"' not in options(body, "team")
    assert f'<option value="{round_.pk}"' not in options(body, "round")
    token = token_of(body)
    for form in (
        {"target": "new", "team": team.pk, "title": "越权", "year": 2025, "kind": "annual"},
        {"target": "existing", "round": round_.pk},
    ):
        response = client.post(reverse("home_upload_confirm"), {**form, "token": token, "source": "self"})
        assert response.status_code == 422  # not a choice offered to them
    assert Round.objects.count() == 1 and not round_.measures.exists()


def test_archived_rounds_are_not_offered(client: Client, organizer: Any, round_: Round) -> None:
    Round.objects.filter(pk=round_.pk).update(archived=True)
    client.force_login(organizer)
    body = client.post(reverse("home_upload"), {"file": txt("方案.txt", PLAN)}).content.decode()
    assert f'<option value="{round_.pk}"' not in options(body, "round")


# --- the home page by role -----------------------------------------------------------------------------


def test_a_member_sees_their_own_measures_returned_first(
    client: Client, owner: Any, other_member: Any, make_measure: Any
) -> None:
    late = make_measure(
        status="in_progress", baseline_deadline=datetime.date(2099, 1, 1), summary="以后的措施"
    )
    soon = make_measure(status="planned", baseline_deadline=datetime.date(2020, 1, 1), summary="逾期的措施")
    returned = make_measure(
        status="returned", baseline_deadline=datetime.date(2098, 1, 1), summary="退回的措施"
    )
    make_measure(status="closed", summary="销号的措施")
    make_measure(summary="别人的措施", owner=other_member.memberships.get())
    client.force_login(owner)
    body = client.get(reverse("home")).content.decode()
    mine = body.split('aria-label="我的整改措施"')[1].split("</table>")[0]
    assert mine.index(returned.summary) < mine.index(soon.summary) < mine.index(late.summary)
    assert "销号的措施" not in mine and "别人的措施" not in mine
    assert "未办结 3 项" in body
    assert "待我验收" not in body and "上传文档建立台账" not in body  # not a reviewer, not an organizer


def test_a_reviewer_sees_what_waits_for_them(
    client: Client, reviewer: Any, owner: Any, make_measure: Any
) -> None:
    waiting = make_measure(status="submitted", summary="等待验收的措施")
    make_measure(status="submitted", summary="自己提交的措施", submitted_by=reviewer)
    asking = make_measure(status="in_progress", summary="申请延期的措施")
    Extension.objects.create(
        measure=asking, requested_deadline=datetime.date(2099, 1, 1), reason="天气", requested_by=owner
    )
    client.force_login(reviewer)
    body = client.get(reverse("home")).content.decode()
    section = body.split('aria-label="待我处理的验收和延期申请"')[1].split("</table>")[0]
    assert waiting.summary in section and asking.summary in section
    assert "自己提交的措施" not in section  # four eyes
    assert "1 项待验收 · 1 项延期申请待审批" in body
    assert "我的整改措施" not in body and "上传文档建立台账" not in body


def test_several_roles_see_each_section(
    client: Client, organizer: Any, county: Any, make_measure: Any
) -> None:
    from luoshi.orgs.models import RoleAssignment

    RoleAssignment.objects.create(user=organizer, organization=county, role="reviewer")
    make_measure(status="submitted", summary="等待验收的措施")
    client.force_login(organizer)
    body = client.get(reverse("home")).content.decode()
    assert "上传文档建立台账" in body and "待我验收" in body and "各轮次进展" in body
    assert "我的整改措施" not in body


def test_an_outsider_sees_none_of_the_teams_work(client: Client, outsider: Any, make_measure: Any) -> None:
    make_measure(status="submitted", summary="等待验收的措施")
    client.force_login(outsider)
    body = client.get(reverse("home")).content.decode()
    assert "等待验收的措施" not in body and "2025年度民主生活会" not in body


def test_archived_rounds_are_marked_and_left_out_until_asked(
    client: Client, viewer: Any, round_: Round, team: Any, organizer: Any
) -> None:
    from luoshi.ledger.services import create_round

    old = create_round(team=team, title="2019年度民主生活会", year=2019, actor=organizer)
    Round.objects.filter(pk=old.pk).update(archived=True)
    client.force_login(viewer)
    body = client.get(reverse("home")).content.decode()
    assert round_.title in body and old.title not in body and "显示已归档" in body
    body = client.get(reverse("home"), {"archived": "1"}).content.decode()
    assert old.title in body and "已归档</span>" in body
    page = client.get(reverse("round_detail", args=[old.pk])).content.decode()
    assert f'<h1>{old.title} <span class="badge archived">已归档</span></h1>' in page


def test_home_queries_stay_fixed(
    client: Client,
    organizer: Any,
    owner: Any,
    county: Any,
    team: Any,
    make_measure: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from luoshi.ledger.services import create_round
    from luoshi.orgs.models import RoleAssignment

    for role in ("member", "reviewer"):
        RoleAssignment.objects.create(user=organizer, organization=county, role=role)
    for n in range(5):
        make_measure(status="submitted", summary=f"措施{n}")
        create_round(team=team, title=f"第{n}轮", year=2000 + n, actor=organizer)
    client.force_login(organizer)
    with django_assert_max_num_queries(25):  # 25: the navigation's work counts, read cold
        assert client.get(reverse("home")).status_code == 200


def _home_queries(client: Client) -> int:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # cold: the work lists and counts read afresh
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_reviewers_queue_costs_the_same_queries_however_long(
    client: Client, reviewer: Any, make_measure: Any
) -> None:
    """Four eyes asks each candidate's co-owners: read in one query, not one per submitted measure."""
    for n in range(2):
        make_measure(status="submitted", summary=f"措施{n}")
    client.force_login(reviewer)
    client.get(reverse("home"))  # this process now knows the session: its user comes with its row
    few = _home_queries(client)
    for n in range(12):
        make_measure(status="submitted", summary=f"更多措施{n}")
    assert _home_queries(client) == few


def test_the_work_lists_are_kept_until_the_ledger_changes(
    client: Client, reviewer: Any, owner: Any, make_measure: Any
) -> None:
    """Kept under the audit chain's head: a submission (an audit event) shows at the next visit."""
    from luoshi.ledger.services import transition

    measure = make_measure(status="in_progress", summary="刚提交的措施", outcome="已完成整改")
    client.force_login(reviewer)
    assert "刚提交的措施" not in client.get(reverse("home")).content.decode()
    transition(measure, "submitted", actor=owner)
    assert "刚提交的措施" in client.get(reverse("home")).content.decode()
