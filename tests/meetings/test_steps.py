"""The round's timeline: deadlines from the anchor date and the settings, overdue in words, what the
records suggest, and who may set the dates (every change an audit event)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from luoshi.audit.models import Event, EventType
from luoshi.errors import Invalid, NotAllowed
from luoshi.meetings import services_prep as services
from luoshi.meetings.step_offsets import MEETING_STEPS, OffsetError, parse_offsets
from luoshi.meetings.steps import add_months, timeline

D = datetime.date


def test_meeting_steps_count_from_the_meeting_date(round_: Any, organizer: Any) -> None:
    services.set_anchor(round_, D(2026, 1, 20), actor=organizer)
    line = timeline(round_, today=D(2026, 1, 1))
    assert [s.label for s in line.steps] == [
        "确定主题",
        "征求意见",
        "谈心交心",
        "撰写对照检查材料",
        "开展批评和自我批评",
        "制定整改措施",
        "报告和通报",
    ]
    deadlines = {s.key: s.deadline for s in line.steps}
    assert deadlines["theme"] == D(2026, 1, 5)  # plan and theme reported 15 days before
    assert deadlines["meeting"] == D(2026, 1, 20)
    assert deadlines["report"] == D(2026, 2, 4)  # the meeting report within 15 days after
    assert line.steps[0].rule == "会前 15 天" and line.steps[-1].rule == "会后 15 天内"


def test_inspection_round_counts_two_months_from_the_feedback(inspection_round: Any, organizer: Any) -> None:
    services.set_anchor(inspection_round, D(2025, 12, 31), actor=organizer)
    line = timeline(inspection_round, today=D(2026, 1, 5))
    assert [s.key for s in line.steps] == ["feedback", "plan", "rect_report"]
    feedback, plan, report = line.steps
    assert feedback.done == D(2025, 12, 31) and feedback.implied  # received on the anchor date
    assert plan.deadline == D(2026, 1, 30)
    assert report.deadline == D(2026, 2, 28)  # two months on, clamped to the month's end
    assert report.rule == "收到反馈后 2 个月内"


def test_offsets_are_settings(round_: Any, organizer: Any, settings: Any) -> None:
    settings.LUOSHI_MEETING_STEP_OFFSETS = parse_offsets(
        "X", "theme:-20,opinions:-10,talks:-5,materials:-3,meeting:0,measures:1m,report:10", MEETING_STEPS
    )
    services.set_anchor(round_, D(2026, 3, 31), actor=organizer)
    deadlines = {s.key: s.deadline for s in timeline(round_, today=D(2026, 3, 1)).steps}
    assert deadlines["theme"] == D(2026, 3, 11)
    assert deadlines["measures"] == D(2026, 4, 30)
    assert deadlines["report"] == D(2026, 4, 10)


@pytest.mark.parametrize(
    "raw", ["theme:-15", "theme:x,opinions:1", "nonsense:1,theme:-15", "theme:-15,theme:-10"]
)
def test_bad_offsets_fail_loudly(raw: str) -> None:
    with pytest.raises(OffsetError):
        parse_offsets("LUOSHI_MEETING_STEP_OFFSETS", raw, MEETING_STEPS)


def test_talk_pair_kinds_are_checked() -> None:
    from luoshi.meetings.step_offsets import parse_pair_kinds

    assert parse_pair_kinds("LUOSHI_TALK_PAIRS", ["units", "secretary"]) == ("secretary", "units")
    with pytest.raises(OffsetError):
        parse_pair_kinds("LUOSHI_TALK_PAIRS", ["secretary", "everyone"])


def test_add_months_keeps_the_day_or_the_month_end() -> None:
    assert add_months(D(2026, 1, 15), 2) == D(2026, 3, 15)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)


def test_overdue_steps_say_so_in_words_and_done_steps_stop_counting(round_: Any, organizer: Any) -> None:
    services.set_anchor(round_, D(2026, 1, 20), actor=organizer)
    line = timeline(round_, today=D(2026, 1, 8))
    theme = line.steps[0]
    assert theme.state == "overdue" and theme.state_text == "已逾期 3 天"
    assert [s.key for s in line.overdue] == ["theme"]
    assert line.steps[1].state_text == "还剩 2 天" and line.steps[1].state == "soon"

    services.mark_step(round_, "theme", actor=organizer, done=D(2026, 1, 7))
    line = timeline(round_, today=D(2026, 1, 8))
    assert line.steps[0].state == "done_late" and line.steps[0].state_text == "逾期完成（2026-01-07）"
    assert line.overdue == []


def test_without_a_date_steps_are_unscheduled(round_: Any) -> None:
    line = timeline(round_, today=D(2026, 1, 8))
    assert {s.state for s in line.steps} == {"unscheduled"}
    assert line.steps[0].deadline is None


def test_records_suggest_steps_done(
    round_: Any, organizer: Any, members: list[Any], make_measure: Any
) -> None:
    from luoshi.meetings.models import Opinion

    today = timezone.localdate()
    assert timeline(round_).steps[1].suggestion is None
    Opinion.objects.create(round=round_, source="public", text="会议太多")
    services.record_talk(round_, actor=organizer, initiator=members[0], partners=[members[1]], date=today)
    make_measure()
    line = {s.key: s for s in timeline(round_).steps}
    assert line["opinions"].suggestion is not None and "1 条" in line["opinions"].suggestion.reason
    assert line["talks"].suggestion is not None and line["talks"].suggestion.date == today
    assert line["measures"].suggestion is not None
    assert line["materials"].suggestion is None  # nothing imported yet
    services.mark_step(round_, "talks", actor=organizer, done=today)
    assert {s.key: s for s in timeline(round_).steps}["talks"].suggestion is None


def test_only_the_organizer_sets_dates_and_each_change_is_audited(
    round_: Any, organizer: Any, viewer: Any, owner: Any
) -> None:
    for user in (viewer, owner):
        with pytest.raises(NotAllowed):
            services.set_anchor(round_, D(2026, 1, 20), actor=user)
        with pytest.raises(NotAllowed):
            services.mark_step(round_, "theme", actor=user, done=D(2026, 1, 1))
    services.set_anchor(round_, D(2026, 1, 20), actor=organizer)
    services.mark_step(round_, "theme", actor=organizer, planned=D(2026, 1, 4), done=D(2026, 1, 5))
    events = list(Event.objects.filter(event_type__startswith="prep.").order_by("seq"))
    assert [e.event_type for e in events] == [EventType.PREP_SCHEDULED, EventType.PREP_STEP_MARKED]
    assert events[0].new == {"anchor_date": "2026-01-20"}
    assert events[1].new == {"step": "theme", "planned": "2026-01-04", "done": "2026-01-05"}
    assert events[1].organization_path == round_.team.organization.path


def test_steps_refuse_what_does_not_fit(round_: Any, inspection_round: Any, organizer: Any) -> None:
    with pytest.raises(Invalid):
        services.mark_step(round_, "rect_report", actor=organizer, done=D(2026, 1, 1))  # not a meeting step
    with pytest.raises(Invalid):
        services.mark_step(inspection_round, "theme", actor=organizer)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(Invalid):
        services.mark_step(round_, "theme", actor=organizer, done=tomorrow)  # done in the future
