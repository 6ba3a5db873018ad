"""The demo's complete round: every step of a 民主生活会 recorded, 回头看 of last year's demo round,
and a meeting report written from it."""

from __future__ import annotations

import io

import pytest
from docx import Document

from luoshi.audit.chain import verify
from luoshi.ledger.models import Measure, Problem, Round
from luoshi.meetings import services_meeting as services
from luoshi.meetings.figures import opinion_figures, preparation_figures
from luoshi.meetings.models import CarriedMeasure, Criticism, Meeting
from luoshi.meetings.report import write_meeting_report
from luoshi.web.commands.demo import load


@pytest.mark.django_db
def test_the_demo_holds_a_round_gone_through_every_step() -> None:
    load("demo-test-pw", complete_round=True)
    previous, complete = Round.objects.order_by("id")
    assert services.previous_round(complete) == previous

    prep = preparation_figures(complete)
    assert prep.study_sessions >= 2 and prep.seminars >= 1 and prep.talk_person_times >= 5
    by_source = dict(opinion_figures(complete).by_source)
    assert sum(1 for n in by_source.values() if n) >= 3  # several sources
    meeting = Meeting.objects.get(round=complete)
    quorum = services.quorum(meeting)
    assert meeting.held and quorum.met and quorum.present < quorum.expected  # one absence, with reason
    carried = CarriedMeasure.objects.filter(round=complete)
    unfinished = Measure.objects.filter(round=previous).exclude(status="closed")
    assert set(carried.values_list("measure_id", flat=True)) == set(unfinished.values_list("pk", flat=True))
    assert carried.filter(decision="continue").exists() and carried.filter(decision="pending").exists()
    assert Criticism.objects.filter(round=complete, problem__isnull=False).count() >= 2
    assert Criticism.objects.filter(round=complete, problem__isnull=True).exists()  # left to try
    assert Problem.objects.filter(round=complete, source="criticism", member__isnull=False).count() >= 2
    assert Measure.objects.filter(round=complete).count() == Problem.objects.filter(round=complete).count()
    assert verify().ok

    document = Document(io.BytesIO(write_meeting_report(complete)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"共收到意见建议{opinion_figures(complete).total}条" in text
    assert f"未完成的整改措施{unfinished.count()}项" in text
