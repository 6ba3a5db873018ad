"""The owner's and the reviewer's pages: what each person sees, what each button does, and a 404 for
everything of an organization that isn't yours."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.models import Event, EventType
from luoshi.ledger import progress
from luoshi.ledger.models import Evidence, Extension, Measure, ProgressUpdate, Round
from luoshi.ledger.services import transition
from luoshi.ledger.states import MeasureStatus
from luoshi.notices.models import Notice
from luoshi.orgs.models import Member, Team

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def as_user(client: Client) -> Any:
    def login(user: Any) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.fixture
def foreign_measure(outsider: Any, elsewhere: Any) -> Measure:
    """A measure with evidence in an organization only the outsider has a role in."""
    from luoshi.ledger.services import create_round

    team = Team.objects.create(organization=elsewhere, name="别的县班子")
    member = Member.objects.create(team=team, name="外人", position="县长", user=outsider)
    round_ = create_round(team=team, title="别的县民主生活会", year=2025, actor=outsider)
    measure = Measure.objects.create(
        round=round_, number=1, summary="别处的措施", owner=member, baseline_deadline=TODAY
    )
    progress.add_evidence(
        measure, actor=outsider, files=[SimpleUploadedFile("机密.pdf", PDF)], evidence_date=TODAY
    )
    return measure


def body(response: Any) -> str:
    return response.content.decode()


# --- 我的整改 ------------------------------------------------------------------------------------


def test_my_measures_lists_only_mine_by_deadline(
    as_user: Any, make_measure: Any, owner: Any, other_member: Any
) -> None:
    late = make_measure(summary="晚的措施", baseline_deadline=TODAY + datetime.timedelta(days=90))
    soon = make_measure(summary="快到期的措施", baseline_deadline=TODAY + datetime.timedelta(days=3))
    overdue = make_measure(
        summary="逾期的措施", status="in_progress", baseline_deadline=TODAY - datetime.timedelta(days=2)
    )
    make_measure(summary="别人的措施", owner=other_member.memberships.get())
    response = as_user(owner).get(reverse("my_measures"))
    assert response.status_code == 200
    page = body(response)
    assert "别人的措施" not in page
    assert page.index("逾期的措施") < page.index("快到期的措施") < page.index("晚的措施")
    assert 'class="light red"' in page
    assert 'class="light yellow"' in page
    assert reverse("measure_detail", args=[overdue.pk]) in page
    assert late.pk and soon.pk


def test_my_measures_shows_baseline_after_an_extension(
    as_user: Any, measure: Any, owner: Any, reviewer: Any
) -> None:
    extension = progress.request_extension(
        measure, actor=owner, requested_deadline=datetime.date(2026, 9, 30), reason="协调"
    )
    progress.decide_extension(extension, actor=reviewer, approve=True)
    page = body(as_user(owner).get(reverse("my_measures")))
    assert "2026-09-30" in page
    assert "原定 2026-06-30" in page


def test_my_measures_is_empty_for_others(as_user: Any, measure: Any, outsider: Any, reviewer: Any) -> None:
    for user in (outsider, reviewer):
        assert measure.summary not in body(as_user(user).get(reverse("my_measures")))


def test_my_measures_query_count_does_not_grow(
    as_user: Any, make_measure: Any, owner: Any, django_assert_max_num_queries: Any
) -> None:
    client = as_user(owner)
    make_measure()
    with django_assert_max_num_queries(9) as few:  # 9: the navigation's work counts, read cold
        client.get(reverse("my_measures"))
    for _ in range(15):
        make_measure()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("my_measures"))
    assert body(response).count("/measures/") == 16


# --- the measure page ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["owner", "organizer", "reviewer", "viewer", "other_member", "town_organizer"]
)
def test_measure_page_visibility(
    request: pytest.FixtureRequest, as_user: Any, measure: Any, who: str
) -> None:
    response = as_user(request.getfixturevalue(who)).get(reverse("measure_detail", args=[measure.pk]))
    # town_organizer holds a role only below the county: the county's measure is not theirs.
    assert response.status_code == (404 if who == "town_organizer" else 200)


def test_outsider_gets_404_everywhere(
    as_user: Any, measure: Any, owner: Any, foreign_measure: Measure, reviewer: Any
) -> None:
    progress.add_evidence(measure, actor=owner, files=[SimpleUploadedFile("a.pdf", PDF)], evidence_date=TODAY)
    extension = progress.request_extension(
        measure, actor=owner, requested_deadline=datetime.date(2026, 12, 31), reason="r"
    )
    evidence = Evidence.objects.get(measure=measure)
    from django.contrib.auth import get_user_model

    outsider = get_user_model().objects.get(username="outsider")
    client = as_user(outsider)
    before = Measure.objects.get(pk=measure.pk).status  # the evidence started it: 整改中
    assert client.get(reverse("measure_detail", args=[measure.pk])).status_code == 404
    assert client.get(reverse("evidence_file", args=[evidence.pk])).status_code == 404
    assert client.get(reverse("evidence_view", args=[evidence.pk])).status_code == 404
    assert client.get(reverse("measure_confirm", args=[measure.pk, "closed"])).status_code == 404
    posts = [
        (reverse("measure_progress", args=[measure.pk]), {"date": TODAY, "text": "x"}),
        (reverse("measure_transition", args=[measure.pk]), {"target": "submitted", "outcome": "x"}),
        (
            reverse("measure_extension", args=[measure.pk]),
            {"requested_deadline": "2027-01-01", "reason": "r"},
        ),
        (reverse("extension_decide", args=[extension.pk]), {"decision": "approve"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    # and the owner of the county measure cannot reach the other county's file either
    foreign = Evidence.objects.get(measure=foreign_measure)
    assert as_user(owner).get(reverse("evidence_file", args=[foreign.pk])).status_code == 404
    assert as_user(reviewer).get(reverse("evidence_file", args=[foreign.pk])).status_code == 404
    measure.refresh_from_db()
    assert measure.status == before == "in_progress"
    assert Extension.objects.get(pk=extension.pk).status == "requested"


def test_anonymous_is_sent_to_login(client: Client, measure: Any) -> None:
    for url in (
        reverse("my_measures"),
        reverse("measure_detail", args=[measure.pk]),
        reverse("review_queue"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_owner_sees_owner_buttons_only(as_user: Any, make_measure: Any, owner: Any) -> None:
    measure = make_measure(status="in_progress")
    page = body(as_user(owner).get(reverse("measure_detail", args=[measure.pk])))
    assert 'value="submitted"' in page
    assert 'value="continuing"' in page
    assert 'id="progress-form"' in page
    assert "提交延期申请" in page
    assert 'value="closed"' not in page


def test_viewer_and_other_member_see_no_buttons(
    as_user: Any, make_measure: Any, viewer: Any, other_member: Any
) -> None:
    measure = make_measure(status="submitted", outcome="完成")
    for user in (viewer, other_member):
        page = body(as_user(user).get(reverse("measure_detail", args=[measure.pk])))
        assert 'name="target"' not in page
        assert 'id="progress-form"' not in page
        assert "整改成效" in page


def test_reviewer_who_owns_the_measure_gets_no_close_button(
    as_user: Any, make_measure: Any, reviewer: Any, team: Any
) -> None:
    member = Member.objects.create(team=team, name="周正", position="常委", user=reviewer)
    measure = make_measure(status="submitted", outcome="完成", owner=member)
    client = as_user(reviewer)
    page = body(client.get(reverse("measure_detail", args=[measure.pk])))
    assert 'value="closed"' not in page
    assert reverse("measure_confirm", args=[measure.pk, "closed"]) not in page
    assert client.get(reverse("measure_confirm", args=[measure.pk, "closed"])).status_code == 409
    assert measure.summary not in body(client.get(reverse("review_queue")))
    response = client.post(reverse("measure_transition", args=[measure.pk]), {"target": "closed"})
    assert response.status_code == 403
    assert "责任人不能验收" in body(response)
    measure.refresh_from_db()
    assert measure.status == "submitted"


def test_record_progress_with_files(as_user: Any, measure: Any, owner: Any) -> None:
    client = as_user(owner)
    response = client.post(
        reverse("measure_progress", args=[measure.pk]),
        {
            "date": TODAY.isoformat(),
            "text": "召开专题会议",
            "evidence_date": (TODAY - datetime.timedelta(days=3)).isoformat(),
            "statement": "会议纪要",
            "attachments": [SimpleUploadedFile("纪要.pdf", PDF), SimpleUploadedFile("照片.png", PNG)],
        },
    )
    assert response.status_code == 302
    update = ProgressUpdate.objects.get()
    assert update.text == "召开专题会议"
    assert sorted(e.original_name for e in update.evidence.all()) == ["照片.png", "纪要.pdf"]
    page = body(client.get(reverse("measure_detail", args=[measure.pk])))
    assert "召开专题会议" in page
    assert "纪要.pdf" in page
    assert "/files-not-served-directly/" not in page
    for evidence in update.evidence.all():
        assert reverse("evidence_file", args=[evidence.pk]) in page


def test_bad_file_keeps_the_text_and_names_the_file(as_user: Any, measure: Any, owner: Any) -> None:
    response = as_user(owner).post(
        reverse("measure_progress", args=[measure.pk]),
        {
            "date": TODAY.isoformat(),
            "text": "这段文字不能丢",
            "evidence_date": TODAY.isoformat(),
            "attachments": [SimpleUploadedFile("好.pdf", PDF), SimpleUploadedFile("伪装.pdf", b"MZ\x90 exe")],
        },
    )
    assert response.status_code == 422
    page = body(response)
    assert "这段文字不能丢" in page
    assert "伪装.pdf" in page
    assert "内容与扩展名" in page
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()


def test_missing_text_is_a_422_with_the_form(as_user: Any, measure: Any, owner: Any) -> None:
    response = as_user(owner).post(
        reverse("measure_progress", args=[measure.pk]), {"date": TODAY.isoformat()}
    )
    assert response.status_code == 422
    assert "请检查" in body(response)


@pytest.mark.parametrize("who", ["other_member", "viewer", "reviewer"])
def test_members_who_are_not_the_owner_cannot_record_or_upload(
    request: pytest.FixtureRequest, as_user: Any, measure: Any, who: str
) -> None:
    response = as_user(request.getfixturevalue(who)).post(
        reverse("measure_progress", args=[measure.pk]),
        {
            "date": TODAY.isoformat(),
            "text": "冒名填报",
            "evidence_date": TODAY.isoformat(),
            "attachments": [SimpleUploadedFile("a.pdf", PDF)],
        },
    )
    assert response.status_code == 403
    assert "只有责任人" in body(response)
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()


def test_submit_then_reviewer_closes(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    measure = make_measure(status="in_progress")
    client = as_user(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("measure_transition", args=[measure.pk]), {"target": "submitted", "outcome": "已全部完成"}
        )
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == "submitted"
    assert measure.outcome == "已全部完成"
    assert Notice.objects.filter(user=reviewer).exists()

    client = as_user(reviewer)
    queue = body(client.get(reverse("review_queue")))
    assert measure.summary in queue
    assert "已全部完成" in queue
    confirm_url = reverse("measure_confirm", args=[measure.pk, "closed"])
    assert f"{confirm_url}?next=review" in queue
    # 验收销号 asks once more, showing what is closed, and takes the reviewer's opinion
    confirm = body(client.get(confirm_url + "?next=review"))
    assert "确认验收销号" in confirm and "已全部完成" in confirm and "验收意见" in confirm
    assert measure.reviews.count() == 0
    unconfirmed = client.post(reverse("measure_transition", args=[measure.pk]), {"target": "closed"})
    assert unconfirmed.status_code == 200 and 'name="confirmed"' in body(unconfirmed)
    measure.refresh_from_db()
    assert measure.status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("measure_transition", args=[measure.pk]),
            {"target": "closed", "next": "review", "confirmed": "True", "reason": "经实地核查，已整改到位"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("review_queue")
    measure.refresh_from_db()
    assert measure.status == "closed"
    review = measure.reviews.get()
    assert review.digest
    assert review.reasons == "经实地核查，已整改到位"
    assert Notice.objects.filter(user=owner, text__contains="销号").exists()
    page = body(client.get(reverse("measure_detail", args=[measure.pk])))
    assert reverse("measure_confirm", args=[measure.pk, "in_progress"]) in page  # reopen is offered
    assert "验收意见：经实地核查，已整改到位" in page
    assert "<summary>验收时内容摘要</summary>" in page


def test_submit_without_outcome_is_refused(as_user: Any, make_measure: Any, owner: Any) -> None:
    measure = make_measure(status="in_progress")
    response = as_user(owner).post(
        reverse("measure_transition", args=[measure.pk]), {"target": "submitted", "outcome": " "}
    )
    assert response.status_code == 422
    assert "须填写整改成效" in body(response)


def test_return_needs_a_reason_and_tells_the_owner(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    measure = make_measure(status="submitted", outcome="完成")
    client = as_user(reviewer)
    response = client.post(reverse("measure_transition", args=[measure.pk]), {"target": "returned"})
    assert response.status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("measure_transition", args=[measure.pk]), {"target": "returned", "reason": "缺少数据"}
        )
    measure.refresh_from_db()
    assert measure.status == "returned"
    notice = Notice.objects.get(user=owner)
    assert "缺少数据" in notice.text
    page = body(as_user(owner).get(reverse("measure_detail", args=[measure.pk])))
    assert "缺少数据" in page
    assert 'value="in_progress"' in page  # 重新整改


def test_transition_to_an_unknown_state_is_422(as_user: Any, measure: Any, owner: Any) -> None:
    response = as_user(owner).post(reverse("measure_transition", args=[measure.pk]), {"target": "done"})
    assert response.status_code == 422


def test_extension_request_and_decision_pages(
    as_user: Any, measure: Any, owner: Any, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_user(owner)
    response = client.post(
        reverse("measure_extension", args=[measure.pk]),
        {"requested_deadline": "2026-05-01", "reason": "太早"},
    )
    assert response.status_code == 422
    assert "须晚于当前完成时限" in body(response)
    assert "太早" in body(response)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("measure_extension", args=[measure.pk]),
            {"requested_deadline": "2026-09-30", "reason": "需省级审批"},
        )
    assert response.status_code == 302
    extension = Extension.objects.get()
    assert Notice.objects.filter(user=reviewer).exists()
    # the owner can't decide their own request, and gets no button for it
    page = body(client.get(reverse("measure_detail", args=[measure.pk])))
    assert "批准延期" not in page
    assert (
        client.post(reverse("extension_decide", args=[extension.pk]), {"decision": "approve"}).status_code
        == 403
    )

    client = as_user(reviewer)
    queue = body(client.get(reverse("review_queue")))
    assert "需省级审批" in queue
    assert "原定完成时限 2026-06-30" in queue
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("extension_decide", args=[extension.pk]), {"decision": "approve", "next": "review"}
        )
    assert response["Location"] == reverse("review_queue")
    measure.refresh_from_db()
    assert measure.current_deadline == datetime.date(2026, 9, 30)
    assert measure.baseline_deadline == datetime.date(2026, 6, 30)
    page = body(client.get(reverse("measure_detail", args=[measure.pk])))
    assert "2026-09-30" in page
    assert "2026-06-30" in page
    assert Notice.objects.filter(user=owner, text__contains="已批准").exists()
    assert Event.objects.filter(event_type=EventType.EXTENSION_DECIDED).count() == 1


def test_deny_without_note_is_refused(as_user: Any, measure: Any, owner: Any, reviewer: Any) -> None:
    extension = progress.request_extension(
        measure, actor=owner, requested_deadline=datetime.date(2026, 9, 30), reason="r"
    )
    response = as_user(reviewer).post(reverse("extension_decide", args=[extension.pk]), {"decision": "deny"})
    assert response.status_code == 422
    assert "审批意见" in body(response)


# --- evidence files ------------------------------------------------------------------------------


def test_evidence_file_is_an_attachment_with_nosniff(
    as_user: Any, measure: Any, owner: Any, viewer: Any
) -> None:
    (evidence,) = progress.add_evidence(
        measure, actor=owner, files=[SimpleUploadedFile("会议纪要.pdf", PDF)], evidence_date=TODAY
    )
    for user in (owner, viewer):
        response = as_user(user).get(reverse("evidence_file", args=[evidence.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
        assert "%E4%BC%9A%E8%AE%AE%E7%BA%AA%E8%A6%81.pdf" in response["Content-Disposition"]
    # the stored name reveals nothing, and MEDIA_URL is not a way in
    assert "会议纪要" not in Path(evidence.file.name).name


def test_statement_only_evidence_has_no_file_url(as_user: Any, measure: Any, owner: Any) -> None:
    (evidence,) = progress.add_evidence(measure, actor=owner, statement="口头说明", evidence_date=TODAY)
    assert as_user(owner).get(reverse("evidence_file", args=[evidence.pk])).status_code == 404


# --- the review queue ----------------------------------------------------------------------------


def test_review_queue_only_lists_what_the_reviewer_may_decide(
    as_user: Any, make_measure: Any, reviewer: Any, owner: Any, organizer: Any, foreign_measure: Measure
) -> None:
    submitted = make_measure(status="in_progress", summary="待验收的措施")
    transition(submitted, MeasureStatus.SUBMITTED, actor=owner, outcome="完成")
    make_measure(status="in_progress", summary="还在整改的措施")
    foreign_measure.status = "submitted"
    foreign_measure.outcome = "别处"
    foreign_measure.save()
    page = body(as_user(reviewer).get(reverse("review_queue")))
    assert "待验收的措施" in page
    assert "还在整改的措施" not in page
    assert "别处的措施" not in page
    # organizers and owners have nothing to review
    for user in (organizer, owner):
        assert "待验收的措施" not in body(as_user(user).get(reverse("review_queue")))


def test_review_queue_query_count_does_not_grow(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any, django_assert_max_num_queries: Any
) -> None:
    client = as_user(reviewer)

    def add() -> None:
        m = make_measure(status="in_progress")
        progress.add_evidence(m, actor=owner, files=[SimpleUploadedFile("a.pdf", PDF)], evidence_date=TODAY)
        transition(m, MeasureStatus.SUBMITTED, actor=owner, outcome="完成")
        progress.request_extension(m, actor=owner, requested_deadline=datetime.date(2026, 12, 31), reason="r")

    add()
    with django_assert_max_num_queries(14) as few:  # 14: the navigation's work counts, read cold
        client.get(reverse("review_queue"))
    for _ in range(10):
        add()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("review_queue"))
    assert body(response).count("/confirm/closed/?next=review") == 11


def test_measure_page_query_count_does_not_grow_with_updates(
    as_user: Any, measure: Any, owner: Any, django_assert_max_num_queries: Any
) -> None:
    client = as_user(owner)
    progress.record_progress(
        measure,
        actor=owner,
        date=TODAY,
        text="1",
        files=[SimpleUploadedFile("a.pdf", PDF)],
        evidence_date=TODAY,
    )
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("measure_detail", args=[measure.pk]))
    for n in range(8):
        progress.record_progress(
            measure,
            actor=owner,
            date=TODAY,
            text=str(n),
            files=[SimpleUploadedFile("a.pdf", PDF)],
            evidence_date=TODAY,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("measure_detail", args=[measure.pk]))


# --- notices -------------------------------------------------------------------------------------


def test_notices_page_and_mark_read(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any, other_member: Any
) -> None:
    measure = make_measure(status="submitted", outcome="完成")
    Notice.objects.create(user=owner, text="整改措施被退回：测试", url=f"/measures/{measure.pk}/")
    Notice.objects.create(user=other_member, text="别人的通知")
    client = as_user(owner)
    page = body(client.get(reverse("notices")))
    assert "整改措施被退回：测试" in page
    assert "别人的通知" not in page
    notice = Notice.objects.get(user=owner)
    response = client.post(reverse("notice_read", args=[notice.pk]), {"open": "1"})
    assert response["Location"] == f"/measures/{measure.pk}/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    other = Notice.objects.get(user=other_member)
    assert client.post(reverse("notice_read", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
    client.post(reverse("notices_read_all"))
    assert Notice.objects.filter(user=other_member, read_at__isnull=True).count() == 1


def test_a_notice_never_redirects_off_site(as_user: Any, owner: Any) -> None:
    notice = Notice.objects.create(user=owner, text="x", url="https://evil.example/")
    response = as_user(owner).post(reverse("notice_read", args=[notice.pk]), {"open": "1"})
    assert response["Location"] == reverse("notices")


def test_round_fixture_sanity(round_: Round) -> None:
    assert round_.team.organization.name == "示范县"


def test_reviewer_reopens_a_closed_measure_with_a_reason(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any
) -> None:
    measure = make_measure(status="in_progress")
    transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="完成")
    transition(measure, MeasureStatus.CLOSED, actor=reviewer)
    client = as_user(reviewer)
    url = reverse("measure_transition", args=[measure.pk])
    # first the confirmation step (what is reopened), then the reason is required
    asked = client.post(url, {"target": "in_progress", "reason": "问题反弹"})
    assert asked.status_code == 200
    assert 'name="confirmed"' in body(asked) and "问题反弹" in body(asked)
    assert measure.reviews.count() == 1
    assert client.post(url, {"target": "in_progress", "confirmed": "True"}).status_code == 422
    response = client.post(url, {"target": "in_progress", "reason": "问题反弹", "confirmed": "True"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == "in_progress"
    assert measure.reviews.last().decision == "reopen"
    assert "问题反弹" in body(client.get(reverse("measure_detail", args=[measure.pk])))
    # the owner cannot reopen: no button, and the service refuses
    measure2 = make_measure(status="closed")
    page = body(as_user(owner).get(reverse("measure_detail", args=[measure2.pk])))
    assert 'name="target"' not in page
    response = as_user(owner).post(
        reverse("measure_transition", args=[measure2.pk]), {"target": "in_progress", "reason": "x"}
    )
    assert response.status_code == 403


def test_a_bad_file_from_someone_not_allowed_is_still_a_403(
    as_user: Any, measure: Any, other_member: Any
) -> None:
    response = as_user(other_member).post(
        reverse("measure_progress", args=[measure.pk]),
        {
            "date": TODAY.isoformat(),
            "text": "x",
            "evidence_date": TODAY.isoformat(),
            "attachments": [SimpleUploadedFile("坏.exe", b"MZ")],
        },
    )
    assert response.status_code == 403


@pytest.mark.parametrize("status", [s.value for s in MeasureStatus])
@pytest.mark.parametrize("who", ["owner", "organizer", "reviewer", "viewer", "other_member"])
def test_the_buttons_offered_are_exactly_what_the_service_accepts(
    request: pytest.FixtureRequest, make_measure: Any, owner: Any, status: str, who: str
) -> None:
    from luoshi.errors import DomainError
    from luoshi.ledger.services import capacities
    from luoshi.ledger.states import rule_for, targets_from
    from luoshi.ledger.views_work import offers_for

    user = request.getfixturevalue(who)
    for target in targets_from(status):
        measure = make_measure(status=status, outcome="完成", submitted_by=owner)
        offered = {o.target for o in offers_for(measure, user, capacities(measure, user))}
        # The page sends an outcome only with the steps that take one (the outcome form).
        rule = rule_for(status, target)
        outcome = "成效" if rule is not None and rule.needs_outcome else None
        try:
            transition(measure, target, actor=user, reason="理由", outcome=outcome)
            accepted = True
        except DomainError:
            accepted = False
        assert (target.value in offered) == accepted, (status, target, who)


def test_a_missing_file_on_disk_is_a_404(as_user: Any, measure: Any, owner: Any) -> None:
    (evidence,) = progress.add_evidence(
        measure, actor=owner, files=[SimpleUploadedFile("a.pdf", PDF)], evidence_date=TODAY
    )
    Path(evidence.file.path).unlink()
    assert as_user(owner).get(reverse("evidence_file", args=[evidence.pk])).status_code == 404


def test_notices_query_count_does_not_grow(
    as_user: Any, owner: Any, django_assert_max_num_queries: Any
) -> None:
    client = as_user(owner)
    Notice.objects.create(user=owner, text="一", url="/my/")
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("notices"))
    Notice.objects.bulk_create([Notice(user=owner, text=f"通知{n}", url="/my/") for n in range(30)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("notices"))
    assert "通知29" in body(response)


@pytest.mark.parametrize("status", [s.value for s in MeasureStatus])
@pytest.mark.parametrize("who", ["owner", "organizer", "reviewer", "viewer", "other_member"])
def test_progress_and_extension_forms_appear_exactly_when_the_service_accepts(
    request: pytest.FixtureRequest, as_user: Any, make_measure: Any, status: str, who: str
) -> None:
    from luoshi.errors import DomainError

    user = request.getfixturevalue(who)
    client = as_user(user)
    measure = make_measure(status=status, outcome="完成")
    page = body(client.get(reverse("measure_detail", args=[measure.pk])))
    try:
        progress.record_progress(measure, actor=user, date=TODAY, text="进展")
        recorded = True
    except DomainError:
        recorded = False
    assert ('id="progress-form"' in page) == recorded
    try:
        progress.request_extension(
            measure, actor=user, requested_deadline=datetime.date(2026, 12, 31), reason="理由"
        )
        requested = True
    except DomainError:
        requested = False
    assert ("提交延期申请" in page) == requested


def test_queue_actions_answer_htmx_with_the_card(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any
) -> None:
    measure = make_measure(status="submitted", outcome="完成")
    client = as_user(reviewer)
    url = reverse("measure_transition", args=[measure.pk])
    refused = client.post(url, {"target": "returned", "next": "review"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert f'id="measure-{measure.pk}"' in body(refused)
    assert "须填写理由" in body(refused)
    assert "<html" not in body(refused)
    done = client.post(
        url, {"target": "closed", "next": "review", "confirmed": "True"}, HTTP_HX_REQUEST="true"
    )
    assert done.status_code == 200
    assert "已变为“已销号”" in body(done)
    assert "<html" not in body(done)

    other = make_measure(status="in_progress")
    extension = progress.request_extension(
        other, actor=owner, requested_deadline=datetime.date(2026, 12, 31), reason="r"
    )
    decide = reverse("extension_decide", args=[extension.pk])
    refused = client.post(decide, {"decision": "deny", "next": "review"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    assert f'id="extension-{extension.pk}"' in body(refused)
    done = client.post(
        decide, {"decision": "deny", "note": "不充分", "next": "review"}, HTTP_HX_REQUEST="true"
    )
    assert "延期申请未批准" in body(done)
