"""The three parts of a round as one process: the steps see the meeting and the opinions, the
meeting date is one fact, the round page shows the steps in order with the page of each, and the
demo's complete round went through every step by the services."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.models import Event, EventType
from luoshi.errors import Invalid
from luoshi.ledger.models import Round
from luoshi.meetings import services_meeting, services_opinions, services_prep
from luoshi.meetings.models import Meeting, Opinion, OpinionSource, OpinionStatus, Preparation, RoundStep
from luoshi.meetings.steps import timeline
from luoshi.meetings.talks import matrix

pytestmark = pytest.mark.django_db


def _steps(round_: Any) -> dict[str, Any]:
    return {s.key: s for s in timeline(round_).steps}


def test_the_held_meeting_and_forwarded_opinions_suggest_their_steps(
    round_: Any, organizer: Any, members: list[Any]
) -> None:
    today = timezone.localdate()
    assert _steps(round_)["meeting"].suggestion is None
    opinion = services_opinions.enter_opinion(
        round_, actor=organizer, source=OpinionSource.FORUM, text="调研走过场，听汇报多。"
    )
    assert _steps(round_)["opinions"].suggestion.reason == "已收到意见建议 1 条"
    services_opinions.classify(opinion, actor=organizer, aspect=None, target=members[1])
    services_opinions.forward(round_, actor=organizer)
    assert _steps(round_)["opinions"].suggestion.reason == "已收到意见建议 1 条，已转交 1 条"

    meeting = services_meeting.register_meeting(round_, actor=organizer, date=today)
    assert _steps(round_)["meeting"].suggestion is None  # registered is not held
    services_meeting.record_criticism(
        round_, actor=organizer, from_member=members[0], to_member=members[1], text="调研不深入。"
    )
    services_meeting.mark_held(meeting, actor=organizer)
    suggestion = _steps(round_)["meeting"].suggestion
    assert suggestion is not None and suggestion.date == today
    assert suggestion.reason == "会议已召开，登记批评意见 1 条"
    services_prep.mark_step(round_, "meeting", actor=organizer, done=today)
    assert _steps(round_)["meeting"].suggestion is None  # done: nothing left to suggest


def test_the_meeting_date_is_one_fact(round_: Any, organizer: Any, members: list[Any]) -> None:
    planned = timezone.localdate() + datetime.timedelta(days=10)
    services_prep.set_anchor(round_, planned, actor=organizer)
    # Registering the meeting without a date takes the one planned on the steps page.
    meeting = services_meeting.register_meeting(round_, actor=organizer)
    assert meeting.date == planned

    # The meeting page moves the date: the steps (and their reminders) follow.
    moved = planned + datetime.timedelta(days=2)
    services_meeting.change_meeting(meeting, actor=organizer, date=moved, place="", host=None)
    assert Preparation.objects.get(round=round_).anchor_date == moved
    assert timeline(round_).anchor == moved
    assert _steps(round_)["meeting"].deadline == moved

    # The steps page moves it: the meeting follows, each side with its audit event.
    again = moved - datetime.timedelta(days=1)
    services_prep.set_anchor(round_, again, actor=organizer)
    assert Meeting.objects.get(round=round_).date == again
    changed = Event.objects.filter(event_type=EventType.MEETING_CHANGED).order_by("seq").last()
    assert changed is not None and changed.new == {"date": again.isoformat()}
    scheduled = Event.objects.filter(event_type=EventType.PREP_SCHEDULED).order_by("seq")
    assert [e.new["anchor_date"] for e in scheduled] == [d.isoformat() for d in (planned, moved, again)]

    services_meeting.mark_held(meeting, actor=organizer)
    with pytest.raises(Invalid):
        services_prep.set_anchor(round_, None, actor=organizer)
    assert Meeting.objects.get(round=round_).date == again


def test_the_meeting_form_offers_the_planned_date(round_: Any, organizer: Any) -> None:
    planned = timezone.localdate() + datetime.timedelta(days=10)
    services_prep.set_anchor(round_, planned, actor=organizer)
    client = Client()
    client.force_login(organizer)
    page = client.get(reverse("round_meeting", args=[round_.pk])).content.decode()
    assert f'value="{planned.isoformat()}"' in page


def test_the_round_page_shows_the_process_in_step_order(
    round_: Any, organizer: Any, viewer: Any, outsider: Any
) -> None:
    client = Client()
    client.force_login(organizer)
    page = client.get(reverse("round_detail", args=[round_.pk])).content.decode()
    assert page.count('id="round-process"') == 1 and "生活会流程" in page
    links = [
        reverse("round_study", args=[round_.pk]),
        reverse("round_opinions", args=[round_.pk]),
        reverse("round_talks", args=[round_.pk]),
        reverse("round_import", args=[round_.pk]),
        reverse("round_meeting", args=[round_.pk]),
        "#ledger-table",
        reverse("meeting_report", args=[round_.pk]),
    ]
    section = page[
        page.index('id="round-process"') : page.index("</section>", page.index('id="round-process"'))
    ]
    positions = [section.index(f'href="{link}"') for link in links]
    assert positions == sorted(positions)  # the pages in the order of the seven steps
    viewer_client = Client()
    viewer_client.force_login(viewer)
    seen = viewer_client.get(reverse("round_detail", args=[round_.pk])).content.decode()
    assert "生活会流程" in seen and reverse("round_meeting", args=[round_.pk]) in seen
    assert reverse("round_import", args=[round_.pk]) not in seen  # importing is the organizers' work
    outsider_client = Client()
    outsider_client.force_login(outsider)
    assert outsider_client.get(reverse("round_detail", args=[round_.pk])).status_code == 404


def test_a_feedback_round_shows_its_own_process(inspection_round: Any, organizer: Any) -> None:
    client = Client()
    client.force_login(organizer)
    page = client.get(reverse("round_detail", args=[inspection_round.pk])).content.decode()
    assert "整改流程" in page and "生活会流程" not in page
    assert reverse("round_meeting", args=[inspection_round.pk]) not in page


def test_the_demo_round_went_through_every_step_by_the_services() -> None:
    from luoshi.web.commands.demo import load

    load("demo-test-pw", complete_round=True)
    complete = Round.objects.order_by("id").last()
    assert complete is not None
    line = timeline(complete)
    assert line.done_count == 7 and not line.overdue
    assert RoundStep.objects.filter(round=complete, done_date__isnull=False).count() == 7
    meeting = Meeting.objects.get(round=complete)
    assert line.anchor == meeting.date  # one meeting date

    # The talk matrix is complete: every required pair has talked.
    talks = matrix(complete)
    assert talks.pairs and not talks.missing and talks.unit_pairs

    # Opinions arrived through the public link and from staff, and were all forwarded.
    opinions = Opinion.objects.filter(round=complete)
    assert opinions.filter(source=OpinionSource.PUBLIC).count() == 3
    assert not opinions.exclude(status=OpinionStatus.FORWARDED).exists()
    assert opinions.filter(problems__isnull=False).count() == 2

    # Every step left its audit events, tagged with the round's organization.
    path = complete.team.organization.path
    types = set(Event.objects.filter(organization_path=path).values_list("event_type", flat=True))
    for expected in (
        EventType.PREP_SCHEDULED,
        EventType.PREP_SECRETARY_SET,
        EventType.PREP_STUDY_RECORDED,
        EventType.PREP_STEP_MARKED,
        EventType.PREP_TALK_RECORDED,
        EventType.PREP_OVERSIGHT_SET,
        EventType.OPINION_LINK_CHANGED,
        EventType.OPINION_RECEIVED,
        EventType.OPINION_CLASSIFIED,
        EventType.OPINIONS_FORWARDED,
        EventType.OPINION_LINKED,
        EventType.ROUND_IMPORTED,
        EventType.MEETING_REGISTERED,
        EventType.MEETING_HELD,
        EventType.CRITICISM_CONVERTED,
        EventType.MEASURE_CREATED,
    ):
        assert expected in types, expected
    received = Event.objects.filter(event_type=EventType.OPINION_RECEIVED, organization_path=path).count()
    assert received == opinions.count()
