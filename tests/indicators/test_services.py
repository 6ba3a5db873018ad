"""Indicator and activity services: who may act, what is refused, the audit events they write,
suggestions from the parsed commitments, and progress updates that carry a record."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from luoshi.audit.chain import history, verify
from luoshi.audit.models import Event, EventType
from luoshi.errors import Invalid, NotAllowed
from luoshi.indicators import services
from luoshi.indicators.models import Activity, Indicator
from luoshi.ledger import progress
from luoshi.ledger.models import Commitment, ProgressUpdate
from luoshi.orgs.models import Member
from tests.indicators.conftest import TODAY, D


def test_suggestions_guess_kind_scope_and_period(round_: Any, commitments: list[Commitment]) -> None:
    found = {s.commitment.text: s for s in services.suggestions(round_)}
    visit = found["每月至少到联系乡镇走访1次"]
    assert (visit.kind, visit.scope, visit.period, visit.target) == ("visit", "each", "month", 1)
    assert found["深入群众家不少于10家次"].kind == "household"
    seminar = found["每季度至少开展1次专题研讨"]
    assert (seminar.kind, seminar.scope, seminar.period) == ("seminar", "team", "quarter")
    share = found["财政支出的70%以上用于民生"]
    assert (share.kind, share.scope, share.period) == ("figure", "team", "year")


@pytest.mark.parametrize(
    ("text", "unit", "period", "kind", "scope"),
    [
        ("县委常委会每月至少开展1次专题学习", "次", "month", "study", "team"),
        ("中心组每季度至少开展一次专题研讨", "次", "quarter", "seminar", "team"),
        ("班子成员每年到基层宣讲不少于2次", "次", "year", "visit", "each"),
        ("班子成员每月至少到联系乡镇、村（社区）调研1次", "次", "month", "visit", "each"),
        ("每年撰写调研报告不少于2篇", "篇", "year", "report", "each"),
        ("班子成员每半年听取分管部门党风廉政建设工作汇报不少于1次", "次", "halfyear", "meeting", "each"),
        ("每月召开党政联席会议分析经济形势", "次", "month", "meeting", "team"),
        ("深入农牧民群众或居民家不少于10家次", "家次", "month", "household", "each"),
        ("新增停车位500个以上", "个", None, "figure", "team"),
        ("将财政支出的70%以上用于保障和改善民生", "%", None, "figure", "team"),
    ],
)
def test_guesses_on_real_commitments(text: str, unit: str, period: str | None, kind: str, scope: str) -> None:
    guessed = services.guess_kind(text, unit, period)
    assert (guessed, services.guess_scope(text, guessed)) == (kind, scope)


def test_accepting_suggestions_creates_indicators_once_with_audit(
    round_: Any, organizer: Any, commitments: list[Commitment]
) -> None:
    rows = [
        {
            "commitment": s.commitment,
            "name": s.commitment.text,
            "kind": s.kind,
            "scope": s.scope,
            "period": s.period,
            "op": s.op,
            "target": s.target,
            "unit": s.unit,
        }
        for s in services.suggestions(round_)
    ]
    rows[1]["target"] = "12"  # the organizer corrects one
    created = services.accept_suggestions(round_, rows, actor=organizer)
    assert len(created) == 4
    assert created[1].target == 12 and created[1].measure == commitments[1].measure
    assert created[0].start == services.default_dates(round_)[0]
    assert services.suggestions(round_) == []
    events = Event.objects.filter(event_type=EventType.INDICATOR_CREATED)
    assert events.count() == 4 and events.first().actor == organizer  # type: ignore[union-attr]
    with pytest.raises(Invalid, match="第 1 项：该量化承诺已设为指标"):
        services.accept_suggestions(round_, rows[:1], actor=organizer)


@pytest.mark.parametrize("who", ["owner", "reviewer", "outsider", "town_organizer"])
def test_only_organizers_set_indicators(request: pytest.FixtureRequest, round_: Any, who: str) -> None:
    with pytest.raises(NotAllowed):
        services.create_indicator(
            round_,
            actor=request.getfixturevalue(who),
            name="x",
            kind="visit",
            scope="each",
            period="month",
            op=">=",
            target=1,
        )
    assert not Indicator.objects.exists()


def test_indicator_fields_are_checked(round_: Any, organizer: Any, other_member: Any) -> None:
    base = {"name": "走访", "kind": "visit", "scope": "each", "period": "month", "op": ">=", "target": "1"}
    with pytest.raises(Invalid, match="指定成员"):
        services.create_indicator(round_, actor=organizer, **{**base, "scope": "member"})
    with pytest.raises(Invalid, match="目标值应为数字"):
        services.create_indicator(round_, actor=organizer, **{**base, "target": "abc"})
    with pytest.raises(Invalid, match="结束日期"):
        services.create_indicator(round_, actor=organizer, **base, start=D(2026, 5, 1), end=D(2026, 4, 1))
    named = services.create_indicator(
        round_, actor=organizer, **{**base, "scope": "member", "member": other_member.memberships.get()}
    )
    changed = services.change_indicator(named, actor=organizer, target=Decimal(3))
    assert changed.target == 3
    event = Event.objects.get(event_type=EventType.INDICATOR_CHANGED)
    assert event.old["target"] == "1" and event.new["target"] == "3"


def test_member_records_own_activity_and_staff_on_behalf(
    team: Any, owner: Any, organizer: Any, owner_member: Member, other: Member
) -> None:
    today = timezone.localdate()
    own = services.record_activity(
        team, actor=owner, member=owner_member, date=today, kind="visit", households=12
    )
    assert (own.count, own.households, own.entered_by) == (1, 12, owner)
    on_behalf = services.record_activity(team, actor=organizer, member=other, date=today, kind="study")
    assert on_behalf.entered_by == organizer
    events = list(Event.objects.filter(event_type=EventType.ACTIVITY_RECORDED).order_by("seq"))
    assert [e.actor for e in events] == [owner, organizer]
    assert "on_behalf" not in events[0].new and events[1].new["on_behalf"] is True
    assert events[0].organization_path == team.organization.path


@pytest.mark.parametrize("who", ["owner", "reviewer", "viewer", "outsider"])
def test_no_one_else_records_for_a_member(
    request: pytest.FixtureRequest, team: Any, other: Member, who: str
) -> None:
    with pytest.raises(NotAllowed):
        services.record_activity(
            team, actor=request.getfixturevalue(who), member=other, date=timezone.localdate(), kind="visit"
        )
    assert not Activity.objects.exists()


def test_activity_fields_are_checked(
    team: Any, organizer: Any, owner_member: Member, visits: Indicator
) -> None:
    record: Callable[..., Any] = lambda **f: services.record_activity(  # noqa: E731
        team, actor=organizer, member=owner_member, **{"date": TODAY, "kind": "visit", "today": TODAY, **f}
    )
    with pytest.raises(Invalid, match="不能晚于今天"):
        record(date=TODAY + datetime.timedelta(days=1))
    with pytest.raises(Invalid, match="次数"):
        record(count=0)
    with pytest.raises(Invalid, match="请选择类别"):
        record(kind="photo")
    with pytest.raises(Invalid, match="所属的指标"):
        record(kind="figure", value=70)
    with pytest.raises(Invalid, match="不是照片"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        record(photo=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"))
    assert not Activity.objects.exists()


def test_correction_keeps_both_versions_in_the_history(
    team: Any, owner: Any, organizer: Any, owner_member: Member, other_member: Any
) -> None:
    today = timezone.localdate()
    activity = services.record_activity(
        team, actor=owner, member=owner_member, date=today, kind="visit", place="甲村"
    )
    services.correct_activity(activity, actor=owner, households=8, place="乙村", reason="补记入户数")
    activity.refresh_from_db()
    assert (activity.households, activity.place) == (8, "乙村")
    events = list(history(activity))
    assert [e.event_type for e in events] == [EventType.ACTIVITY_RECORDED, EventType.ACTIVITY_CORRECTED]
    assert events[1].old["place"] == "甲村" and events[1].new["place"] == "乙村"
    assert events[1].new["reason"] == "补记入户数"
    with pytest.raises(NotAllowed):
        services.correct_activity(activity, actor=other_member, place="丙村")
    assert verify().ok


def test_progress_update_can_carry_a_record(measure: Any, owner: Any, owner_member: Member) -> None:
    today = timezone.localdate()
    update = progress.record_progress(
        measure,
        actor=owner,
        date=today,
        text="到河东乡走访群众",
        extra={
            "activity_kind": "visit",
            "activity_count": "1",
            "activity_households": "12",
            "activity_place": "河东乡",
        },
    )
    activity = Activity.objects.get()
    assert (activity.member, activity.date, activity.households, activity.place) == (
        owner_member,
        today,
        12,
        "河东乡",
    )
    assert activity.progress_update == update and activity.note == "到河东乡走访群众"
    progress.record_progress(measure, actor=owner, date=today, text="只记进展")
    assert Activity.objects.count() == 1


def test_a_bad_record_rolls_the_progress_update_back(measure: Any, owner: Any) -> None:
    with pytest.raises(Invalid, match="整数"):
        progress.record_progress(
            measure,
            actor=owner,
            date=timezone.localdate(),
            text="走访",
            extra={"activity_kind": "visit", "activity_count": "两次"},
        )
    assert not ProgressUpdate.objects.exists() and not Activity.objects.exists()
