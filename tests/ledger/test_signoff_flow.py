"""Formal sign-off (验收意见, confirmation of 销号 and reopen), auto-start on the first record, the
organizers' notices, notices marked done, the navigation counts and the measure page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.models import Event, EventType
from luoshi.ledger import history, progress
from luoshi.ledger.models import Evidence, Measure
from luoshi.ledger.services import transition
from luoshi.ledger.states import MeasureStatus
from luoshi.notices import rules, supervision
from luoshi.notices.models import Delivery, Notice
from luoshi.notices.services import navigation_counts
from luoshi.orgs.access import grants, request_scope
from luoshi.orgs.models import RoleAssignment
from luoshi.reports.progress import review_text
from luoshi.reports.records import with_details

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
LONG = (
    "坚持每月深入基层调研不少于两次，建立问题清单、任务清单和责任清单，逐项销号管理并定期通报进展情况，" * 3
)


@pytest.fixture
def as_user(client: Client) -> Any:
    def login(user: Any) -> Client:
        client.force_login(user)
        return client

    return login


def body(response: Any) -> str:
    return str(response.content.decode())


def submitted(make_measure: Any, owner: Any, **extra: Any) -> Measure:
    measure = make_measure(status="in_progress", **extra)
    progress.add_evidence(
        measure, actor=owner, files=[SimpleUploadedFile("纪要.pdf", PDF)], evidence_date=TODAY
    )
    return transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="建立制度三项，整改到位")


# --- 1. formal sign-off ------------------------------------------------------------------------


def test_closing_is_confirmed_on_a_page_showing_what_is_closed_and_keeps_the_opinion(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any
) -> None:
    measure = submitted(make_measure, owner)
    client = as_user(reviewer)
    page = body(client.get(reverse("measure_confirm", args=[measure.pk, "closed"])))
    for shown in (measure.summary, "李建华", "建立制度三项，整改到位", "共 1 项", "纪要.pdf", "验收意见"):
        assert shown in page, shown
    response = client.post(
        reverse("measure_transition", args=[measure.pk]),
        {"target": "closed", "confirmed": "True", "reason": "实地核查，制度已印发执行"},
    )
    assert response.status_code == 302
    review = Measure.objects.get(pk=measure.pk).reviews.get()
    assert (review.decision, review.reasons) == ("close", "实地核查，制度已印发执行")
    # the history and the reports read it
    entries = history.measure_history(measure, show_actors=True)
    closing = next(e for e in entries if e.kind == "review")
    assert "验收意见：实地核查，制度已印发执行" in closing.details
    reported = with_details(Measure.objects.filter(pk=measure.pk)).get()
    assert "实地核查，制度已印发执行" in review_text(reported)
    from luoshi.ledger.imports import ledger_rows

    (row,) = [r for r in ledger_rows(measure.round) if r.measure]
    assert row.review.startswith("验收销号（") and row.review.endswith("：实地核查，制度已印发执行")


def test_reopen_is_confirmed_and_needs_its_reason(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any
) -> None:
    measure = submitted(make_measure, owner)
    transition(measure, MeasureStatus.CLOSED, actor=reviewer, reason="同意")
    client = as_user(reviewer)
    page = body(client.get(reverse("measure_confirm", args=[measure.pk, "in_progress"])))
    assert "确认重新打开" in page and "重新打开理由" in page and "建立制度三项" in page
    url = reverse("measure_transition", args=[measure.pk])
    assert client.post(url, {"target": "in_progress", "confirmed": "True"}).status_code == 422
    assert (
        client.post(url, {"target": "in_progress", "confirmed": "True", "reason": "问题反弹"}).status_code
        == 302
    )
    assert Measure.objects.get(pk=measure.pk).status == "in_progress"


def test_the_owner_gets_no_confirmation_page(as_user: Any, make_measure: Any, owner: Any) -> None:
    measure = submitted(make_measure, owner)
    assert as_user(owner).get(reverse("measure_confirm", args=[measure.pk, "closed"])).status_code == 409
    assert as_user(owner).get(reverse("measure_confirm", args=[measure.pk, "bogus"])).status_code == 404


def test_return_has_its_own_box_apart_from_closing(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any
) -> None:
    measure = submitted(make_measure, owner)
    client = as_user(reviewer)
    for page in (
        body(client.get(reverse("measure_detail", args=[measure.pk]))),
        body(client.get(reverse("review_queue"))),
    ):
        returned = (
            page.index('class="decision-box decision-returned')
            if 'class="decision-box decision-returned' in page
            else page.index("decision-returned")
        )
        box = page[returned : page.index("</fieldset>", returned)]
        assert "<legend>退回</legend>" in box and "退回理由" in box and 'name="reason"' in box
        assert "验收销号" not in box
        closing = page.index("decision-closed")
        assert "退回理由" not in page[closing : page.index("</fieldset>", closing)]


# --- 2. auto-start -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["planned", "returned"])
def test_first_progress_starts_the_measure_with_its_own_transition_event(
    as_user: Any, make_measure: Any, owner: Any, status: str
) -> None:
    measure = make_measure(status=status)
    response = as_user(owner).post(
        reverse("measure_progress", args=[measure.pk]), {"date": TODAY.isoformat(), "text": "召开专题会议"}
    )
    assert response.status_code == 302
    assert Measure.objects.get(pk=measure.pk).status == "in_progress"
    events = list(
        Event.objects.filter(target_type="ledger.measure", target_id=str(measure.pk)).order_by("seq")
    )
    assert [e.event_type for e in events] == [EventType.MEASURE_TRANSITIONED, EventType.PROGRESS_RECORDED]
    assert events[0].old == {"status": status} and events[0].new["status"] == "in_progress"
    assert "填报进展" in events[0].new["reason"]
    page = body(as_user(owner).get(reverse("measure_detail", args=[measure.pk])))
    assert 'href="#outcome-form">提交验收</a>' in page  # submitting is on offer at once


def test_evidence_alone_starts_a_planned_measure(make_measure: Any, owner: Any) -> None:
    measure = make_measure()
    progress.add_evidence(measure, actor=owner, statement="会议纪要", evidence_date=TODAY)
    assert Measure.objects.get(pk=measure.pk).status == "in_progress"
    transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="完成")  # no 开始整改 click needed


def test_recording_on_a_running_measure_makes_no_transition(make_measure: Any, owner: Any) -> None:
    measure = make_measure(status="in_progress")
    progress.record_progress(measure, actor=owner, date=TODAY, text="进展")
    assert not Event.objects.filter(event_type=EventType.MEASURE_TRANSITIONED).exists()


def test_a_refused_record_starts_nothing(make_measure: Any, owner: Any) -> None:
    from luoshi.errors import Invalid

    measure = make_measure()
    with pytest.raises(Invalid):
        progress.record_progress(measure, actor=owner, date=TODAY, text="  ")
    assert Measure.objects.get(pk=measure.pk).status == "planned"
    assert (
        not Event.objects.exists()
        or not Event.objects.filter(event_type=EventType.MEASURE_TRANSITIONED).exists()
    )


# --- 3. the organizers hear of it ----------------------------------------------------------------


def organizer_notices(organizer: Any) -> list[str]:
    return [n.text for n in Notice.objects.filter(user=organizer).order_by("pk")]


def test_organizer_hears_of_submission_return_closure_and_extension_request(
    make_measure: Any,
    owner: Any,
    reviewer: Any,
    organizer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    measure = make_measure(status="in_progress", summary=LONG)
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="完成")
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, MeasureStatus.RETURNED, actor=reviewer, reason="佐证不足")
    with django_capture_on_commit_callbacks(execute=True):
        progress.record_progress(measure, actor=owner, date=TODAY, text="补充材料")
        transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="已补充")
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, MeasureStatus.CLOSED, actor=reviewer, reason="同意销号")
    other = make_measure(status="in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        progress.request_extension(
            other,
            actor=owner,
            requested_deadline=other.current_deadline + datetime.timedelta(days=30),
            reason="协调",
        )
    texts = organizer_notices(organizer)
    assert len(texts) == 5
    assert texts[0].startswith("整改措施提交验收：") and "已提交验收" in texts[0]
    assert texts[1].startswith("整改措施被退回：") and "佐证不足" in texts[1]
    assert texts[3].startswith("整改措施验收销号：") and "验收意见：同意销号" in texts[3]
    assert texts[4].startswith("整改措施申请延期：") and "协调" in texts[4]
    # the long summary is quoted cut at a word boundary, never whole
    assert LONG not in texts[0] and "…" in texts[0]
    # through the notices app's deliveries (inbox now, channels with the next pass)
    assert set(Delivery.objects.filter(recipient=organizer).values_list("rule", flat=True)) == {
        "submitted",
        "returned",
        "closed",
        "extension_requested",
    }
    # never the person who acted
    assert not Delivery.objects.filter(recipient=reviewer, rule__in=["returned", "closed"]).exists()


def test_organizer_who_acts_is_not_told_of_their_own_step(
    make_measure: Any, organizer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    measure = make_measure(status="in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, MeasureStatus.SUBMITTED, actor=organizer, outcome="代为提交")
    assert not Notice.objects.filter(user=organizer).exists()


def test_channels_get_the_organizers_messages_too(
    make_measure: Any, owner: Any, organizer: Any, county: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from luoshi.notices.models import Channel

    Channel.objects.create(
        organization=county, kind="webhook", name="钩子", config={"url": "http://127.0.0.1:9/x"}
    )
    measure = make_measure(status="in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="完成")
    rows = Delivery.objects.filter(recipient=organizer, rule="submitted")
    assert {r.channel_key for r in rows} == {"inbox", f"c{Channel.objects.get().pk}"}
    assert rows.get(channel_key="inbox").state == "sent"


def test_newly_overdue_measures_reach_the_organizer_once(
    make_measure: Any, owner: Any, organizer: Any
) -> None:
    measure = make_measure(status="in_progress", baseline_deadline=TODAY - datetime.timedelta(days=1))
    found = [d for d in rules.evaluate() if d.rule == "newly_overdue"]
    assert [(d.recipient_id, d.measure_id) for d in found] == [(organizer.pk, measure.pk)]
    later = timezone.now() + datetime.timedelta(days=20)
    assert not [d for d in rules.evaluate(later) if d.rule == "newly_overdue"]


def test_organizers_of_the_nearest_level(
    make_measure: Any, organizer: Any, town: Any, make_user: Any
) -> None:
    measure = make_measure()
    assert progress.organizers_of(measure) == [organizer.pk]
    # a round of the town: the town's own organizer, not the county's
    town_organizer = make_user("town_org")
    RoleAssignment.objects.create(user=town_organizer, organization=town, role="organizer")
    from luoshi.orgs.models import Team

    team = Team.objects.create(organization=town, name="镇班子")
    town_round = type(measure.round).objects.create(
        team=team, title="镇轮次", year=2026, framework=measure.round.framework
    )
    town_measure = Measure.objects.create(round=town_round, number=1, summary="镇措施")
    assert progress.organizers_of(town_measure) == [town_organizer.pk]


# --- 5. notices are marked done when their item is handled -----------------------------------------


def test_waiting_notices_are_done_once_handled(
    make_measure: Any, owner: Any, reviewer: Any, organizer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    measure = make_measure(status="in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="完成")
    waiting = Notice.objects.filter(topic=f"review:measure:{measure.pk}")
    assert {n.user.username for n in waiting} == {"reviewer", "organizer"}
    assert all(n.done_at is None and n.read_at is None for n in waiting)
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, MeasureStatus.RETURNED, actor=reviewer, reason="补充")
    assert all(n.done_at is not None and n.read_at is not None for n in waiting.all())
    returned = Notice.objects.get(user=owner, topic=f"work:measure:{measure.pk}")
    assert returned.done_at is None
    with django_capture_on_commit_callbacks(execute=True):
        progress.record_progress(measure, actor=owner, date=TODAY, text="已补充")
    returned.refresh_from_db()
    assert returned.done_at is not None


def test_extension_and_urge_notices_are_done_once_handled(
    make_measure: Any, owner: Any, reviewer: Any, organizer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    measure = make_measure(status="in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        extension = progress.request_extension(
            measure,
            actor=owner,
            requested_deadline=measure.current_deadline + datetime.timedelta(days=9),
            reason="r",
        )
    asked = Notice.objects.filter(topic=f"extension:extension:{extension.pk}")
    assert asked.count() == 2 and not asked.filter(done_at__isnull=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        progress.decide_extension(extension, actor=reviewer, approve=True)
    assert not asked.filter(done_at__isnull=True).exists()

    with django_capture_on_commit_callbacks(execute=True):
        supervision.urge(measure, actor=organizer, message="请抓紧")
    urged = Notice.objects.get(user=owner, topic=f"work:measure:{measure.pk}")
    assert urged.done_at is None and urged.read_at is None
    with django_capture_on_commit_callbacks(execute=True):
        progress.record_progress(measure, actor=owner, date=TODAY, text="已推进")
    urged.refresh_from_db()
    assert urged.done_at is not None and urged.read_at is not None


def test_done_notices_are_marked_on_the_notices_page(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    measure = make_measure(status="in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="完成")
        transition(measure, MeasureStatus.CLOSED, actor=reviewer)
    page = body(as_user(reviewer).get(reverse("notices")))
    assert "已办结" in page


# --- 4. counts on 我的整改 and 待验收 --------------------------------------------------------------------


def test_navigation_counts_in_one_query(
    make_measure: Any, owner: Any, reviewer: Any, django_assert_num_queries: Any
) -> None:
    make_measure()  # 未开始: the owner's to do
    make_measure(status="in_progress")
    make_measure(status="closed")
    waiting = submitted(make_measure, owner)
    progress.request_extension(
        make_measure(status="in_progress"),
        actor=owner,
        requested_deadline=waiting.current_deadline + datetime.timedelta(days=9),
        reason="r",
    )
    with request_scope():  # as in a page: the roles are read once, for the bar's links
        grants(owner), grants(reviewer)
        with django_assert_num_queries(2):  # unread and the audit head; the work counts, cold
            mine = navigation_counts(owner, mine=True, review=False)
    with request_scope():
        grants(reviewer)
        with django_assert_num_queries(2):
            queue = navigation_counts(reviewer, mine=False, review=True)
        with django_assert_num_queries(0):  # asked again in the same request: nothing read again
            assert navigation_counts(reviewer, mine=False, review=True) == queue
    with request_scope():  # the next request, nothing changed: the work counts come from the cache
        grants(reviewer)
        with django_assert_num_queries(1):
            assert navigation_counts(reviewer, mine=False, review=True) == queue
    assert mine["mine"] == 3  # planned, in progress, in progress with the extension; not closed or submitted
    assert queue["review"] == 2  # one submitted measure, one extension request


def test_navigation_counts_follow_every_change(make_measure: Any, owner: Any, reviewer: Any) -> None:
    waiting = submitted(make_measure, owner)
    assert navigation_counts(reviewer, mine=False, review=True)["review"] == 1
    transition(waiting, "closed", actor=reviewer, reason="符合要求")  # appends an audit event
    assert navigation_counts(reviewer, mine=False, review=True)["review"] == 0


def test_navigation_shows_the_counts(as_user: Any, make_measure: Any, owner: Any, reviewer: Any) -> None:
    submitted(make_measure, owner)
    make_measure()
    RoleAssignment.objects.filter(user=owner).update(role="member")
    page = body(as_user(owner).get(reverse("my_measures")))
    assert 'id="nav-mine">我的整改<span class="badge count" aria-label="1 项待办">1</span>' in page
    page = body(as_user(reviewer).get(reverse("review_queue")))
    assert 'id="nav-review">待验收<span class="badge count"' in page and ">1</span>" in page


def test_the_bar_adds_no_query_for_its_counts(
    as_user: Any, reviewer: Any, django_assert_max_num_queries: Any
) -> None:
    # roles, then one query for unread notices, 我的整改 and 待验收 together (plus session and user)
    client = as_user(reviewer)
    client.get(reverse("notices"))
    with django_assert_max_num_queries(5) as seen:
        client.get(reverse("notices"))
    counting = [q for q in seen.captured_queries if "COUNT(*)" in q["sql"]]
    assert len(counting) == 1


# --- 6. the measure page ---------------------------------------------------------------------------


def test_measure_page_leads_with_summary_state_and_next_step(
    as_user: Any, make_measure: Any, owner: Any
) -> None:
    measure = make_measure(status="in_progress", summary=LONG, text=LONG + "具体内容")
    page = body(as_user(owner).get(reverse("measure_detail", args=[measure.pk])))
    title = page[page.index(">", page.index("<h1")) : page.index("</h1>")]
    assert LONG not in title and "…" in title
    lead = page.index('id="measure-lead"')
    assert page.index('id="measure-status"') > lead
    assert lead < page.index('href="#outcome-form">提交验收</a>') < page.index('id="measure-text"')
    assert LONG in page[page.index('id="measure-text"') :]  # the whole text follows


def test_review_digest_sits_in_a_details_element(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any
) -> None:
    measure = submitted(make_measure, owner)
    closed = transition(measure, MeasureStatus.CLOSED, actor=reviewer)
    digest = closed.reviews.get().digest
    page = body(as_user(reviewer).get(reverse("measure_detail", args=[measure.pk])))
    details = page[
        page.index('<details class="digest-box">') : page.index("</details>", page.index("digest-box"))
    ]
    assert "<summary>验收时内容摘要</summary>" in details and digest in details
    assert page.count(digest) == 1


def test_evidence_images_and_pdfs_are_viewable_inline(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any
) -> None:
    measure = make_measure(status="in_progress")
    progress.add_evidence(
        measure,
        actor=owner,
        files=[SimpleUploadedFile("照片.png", PNG), SimpleUploadedFile("纪要.pdf", PDF)],
        evidence_date=TODAY,
    )
    png, pdf = Evidence.objects.filter(measure=measure).order_by("pk")
    client = as_user(reviewer)
    page = body(client.get(reverse("measure_detail", args=[measure.pk])))
    assert f'src="{reverse("evidence_view", args=[png.pk])}"' in page
    assert reverse("evidence_view", args=[pdf.pk]) in page and reverse("evidence_file", args=[pdf.pk]) in page
    for item, content_type in ((png, "image/png"), (pdf, "application/pdf")):
        response = client.get(reverse("evidence_view", args=[item.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith("inline")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "script-src" not in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content).startswith(PNG[:8] if item == png else b"%PDF")
    # the download stays a download
    assert client.get(reverse("evidence_file", args=[png.pk]))["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("text/html", b"<script>alert(1)</script>"),
        ("image/svg+xml", b"<svg onload='alert(1)'/>"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
        ("image/png", b"<html>not a png</html>"),  # the bytes disagree with the recorded type
    ],
)
def test_other_files_are_never_shown_inline(
    as_user: Any, make_measure: Any, owner: Any, reviewer: Any, content_type: str, data: bytes
) -> None:
    measure = make_measure(status="in_progress")
    evidence = Evidence(
        measure=measure, evidence_date=TODAY, original_name="x", content_type=content_type, uploaded_by=owner
    )
    evidence.file.save("x", ContentFile(data), save=True)
    response = as_user(reviewer).get(reverse("evidence_view", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    page = body(as_user(reviewer).get(reverse("measure_detail", args=[measure.pk])))
    assert reverse("evidence_view", args=[evidence.pk]) not in page or content_type == "image/png"


def test_inline_view_has_the_download_permissions(
    as_user: Any, make_measure: Any, owner: Any, outsider: Any
) -> None:
    measure = make_measure(status="in_progress")
    progress.add_evidence(
        measure, actor=owner, files=[SimpleUploadedFile("照片.png", PNG)], evidence_date=TODAY
    )
    evidence = Evidence.objects.get(measure=measure)
    assert as_user(outsider).get(reverse("evidence_view", args=[evidence.pk])).status_code == 404
    Client().get(reverse("evidence_view", args=[evidence.pk]))
    assert Client().get(reverse("evidence_view", args=[evidence.pk])).status_code == 302  # to the login


def test_measure_page_prints_without_controls() -> None:
    from pathlib import Path

    import luoshi.web

    css = (Path(luoshi.web.__file__).parent / "static/luoshi/work.css").read_text()
    printed = css[css.index("@media print") :]
    for hidden in (".measure-page .lead .next-actions", ".measure-page .actions-panel", ".measure-page form"):
        assert hidden in printed


def test_reminder_notices_carry_their_topic_and_are_done_too(
    make_measure: Any, owner: Any, reviewer: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from luoshi.notices import delivery

    measure = make_measure(status="in_progress")
    transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="完成")
    later = timezone.now() + datetime.timedelta(days=settings.LUOSHI_REMIND_REVIEW_DAYS + 1)
    assert delivery.run_pass(later).ran
    reminder = Notice.objects.get(user=reviewer, text__startswith="整改措施待验收已超时")
    assert reminder.topic == f"review:measure:{measure.pk}" and reminder.done_at is None
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, MeasureStatus.CLOSED, actor=reviewer)
    reminder.refresh_from_db()
    assert reminder.done_at is not None
