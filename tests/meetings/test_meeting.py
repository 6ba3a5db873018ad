"""The meeting (民主生活会): attendance and the quorum, 回头看, criticisms turned into problems, and
the pages with their permissions (an outsider gets 404 everywhere; a viewer reads but cannot write)."""

from __future__ import annotations

import datetime
from fractions import Fraction
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger.history import measure_history, problem_history
from luoshi.ledger.models import Measure, Problem, Review, Source
from luoshi.meetings import services_meeting as services
from luoshi.meetings.models import Attendance, CarriedMeasure, Criticism, Meeting

DAY = datetime.date(2025, 12, 20)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def events(kind: str) -> list[Event]:
    return list(Event.objects.filter(event_type=kind))


# --- attendance and the quorum -----------------------------------------------------------------


def test_register_expects_the_active_members_all_present(
    round_: Any, organizer: Any, meeting_members: dict[str, Any]
) -> None:
    meeting = services.register_meeting(
        round_, actor=organizer, date=DAY, place="县委常委会议室", host=meeting_members["li"]
    )

    expected = set(Attendance.objects.filter(meeting=meeting).values_list("member__name", flat=True))
    assert expected == {"李建华", "王志刚", "赵清廉"}  # 钱离任 has left the team
    found = services.quorum(meeting)
    assert (found.expected, found.present, found.required, found.met) == (3, 3, 2, True)
    [event] = events(EventType.MEETING_REGISTERED)
    assert event.actor == organizer and event.new["place"] == "县委常委会议室"


def test_below_two_thirds_the_meeting_is_held_only_when_the_organizer_confirms(
    round_: Any, organizer: Any, meeting_members: dict[str, Any]
) -> None:
    meeting = services.register_meeting(round_, actor=organizer, date=DAY)
    found = services.record_attendance(
        meeting,
        actor=organizer,
        absences={meeting_members["wang"].pk: "外出学习", meeting_members["zhao"].pk: "病假"},
    )
    assert (found.present, found.expected, found.met) == (1, 3, False)
    assert "未达到" in found.text and "三分之二" in found.text

    with pytest.raises(Conflict, match="确认"):
        services.mark_held(meeting, actor=organizer)
    meeting.refresh_from_db()
    assert not meeting.held

    services.mark_held(meeting, actor=organizer, confirm_without_quorum=True)
    meeting.refresh_from_db()
    assert meeting.held and meeting.held_without_quorum
    [event] = events(EventType.MEETING_HELD)
    assert event.new["quorum_met"] is False and event.new["confirmed_without_quorum"] is True
    with pytest.raises(Conflict):
        services.record_attendance(meeting, actor=organizer, absences={})


def test_the_quorum_share_is_a_setting(
    round_: Any, organizer: Any, meeting_members: dict[str, Any], settings: Any
) -> None:
    settings.LUOSHI_MEETING_QUORUM = Fraction(1, 3)
    meeting = services.register_meeting(round_, actor=organizer, date=DAY)
    services.record_attendance(
        meeting,
        actor=organizer,
        absences={meeting_members["wang"].pk: "外出", meeting_members["zhao"].pk: "病假"},
    )
    assert services.quorum(meeting).met
    services.mark_held(meeting, actor=organizer)
    meeting.refresh_from_db()
    assert meeting.held and not meeting.held_without_quorum


def test_an_absence_needs_its_reason_and_only_organizers_record(
    round_: Any, organizer: Any, viewer: Any, owner: Any, meeting_members: dict[str, Any]
) -> None:
    meeting = services.register_meeting(round_, actor=organizer, date=DAY)
    with pytest.raises(Invalid, match="缺席原因"):
        services.record_attendance(meeting, actor=organizer, absences={meeting_members["wang"].pk: " "})
    assert Attendance.objects.filter(meeting=meeting, present=False).count() == 0
    for user in (viewer, owner):
        with pytest.raises(NotAllowed):
            services.record_attendance(meeting, actor=user, absences={meeting_members["wang"].pk: "外出"})
        with pytest.raises(NotAllowed):
            services.mark_held(meeting, actor=user)
    with pytest.raises(NotAllowed):
        services.register_meeting(round_, actor=viewer)


# --- 回头看 --------------------------------------------------------------------------------------


def test_unfinished_measures_of_the_previous_round_are_carried_once(
    round_: Any, organizer: Any, previous_round: Any
) -> None:
    assert services.previous_round(round_) == previous_round
    services.register_meeting(round_, actor=organizer, date=DAY)

    carried = CarriedMeasure.objects.filter(round=round_).select_related("measure")
    assert sorted(c.measure.status for c in carried) == ["continuing", "in_progress", "submitted"]
    assert services.carry_forward(round_, actor=organizer) == []  # once only
    assert len(events(EventType.MEASURE_CARRIED)) == 3
    measure = Measure.objects.get(round=previous_round, status="in_progress")
    titles = [e.title for e in measure_history(measure, show_actors=True)]
    assert "回头看：结转到新一轮" in titles


def test_continuing_is_recorded_in_both_rounds(
    round_: Any, organizer: Any, previous_round: Any, reviewer: Any
) -> None:
    services.carry_forward(round_, actor=organizer)
    carried = CarriedMeasure.objects.get(round=round_, measure__status="in_progress")

    services.decide_carried(carried, "continue", actor=organizer, note="年底前完成")

    carried.refresh_from_db()
    assert (carried.decision, carried.note, carried.decided_by) == ("continue", "年底前完成", organizer)
    entry = measure_history(carried.measure, show_actors=True)[-1]
    assert entry.title == "回头看：会议研究决定"
    assert "处理结果：待研究 → 继续整改" in entry.details
    assert "说明：年底前完成" in entry.details
    closed = CarriedMeasure.objects.filter(round=round_, measure__status="submitted").get()
    closed.measure.status = "closed"
    closed.measure.save()
    with pytest.raises(Conflict, match="重新打开"):
        services.decide_carried(closed, "continue", actor=reviewer)


def test_closing_a_carried_measure_goes_through_the_transition_and_its_four_eyes(
    round_: Any, organizer: Any, previous_round: Any, reviewer: Any, owner: Any
) -> None:
    services.carry_forward(round_, actor=organizer)
    carried = CarriedMeasure.objects.get(round=round_, measure__status="submitted")

    # The organizer holds no reviewer role; the owner is the owner: both refused, nothing recorded.
    with pytest.raises(services.CloseRefused, match="验收程序"):
        services.decide_carried(carried, "closed", actor=organizer)
    with pytest.raises(NotAllowed):
        services.decide_carried(carried, "closed", actor=owner)
    carried.refresh_from_db()
    assert carried.decision == "pending" and carried.measure.status == "submitted"

    services.decide_carried(carried, "closed", actor=reviewer)

    carried.refresh_from_db()
    assert carried.decision == "closed" and carried.measure.status == "closed"
    assert Review.objects.filter(measure=carried.measure, decision="close", reviewer=reviewer).exists()
    # An in-progress measure cannot be closed by a decision: the workflow has no such step.
    open_one = CarriedMeasure.objects.get(round=round_, measure__status="in_progress")
    with pytest.raises(services.CloseRefused):
        services.decide_carried(open_one, "closed", actor=reviewer)


def test_the_previous_round_is_of_the_same_team_and_kind(
    round_: Any, organizer: Any, team: Any, previous_round: Any
) -> None:
    from luoshi.ledger.services import create_round

    create_round(team=team, title="2024年巡察整改", year=2024, kind="inspection", actor=organizer)
    later = create_round(team=team, title="2026年度民主生活会", year=2026, actor=organizer)
    assert services.previous_round(round_) == previous_round
    assert services.previous_round(later) == round_
    assert services.previous_round(previous_round) is None


# --- criticisms --------------------------------------------------------------------------------


def test_a_criticism_becomes_its_targets_problem_once(
    round_: Any, organizer: Any, meeting_members: dict[str, Any]
) -> None:
    criticism = services.record_criticism(
        round_,
        actor=organizer,
        from_member=meeting_members["wang"],
        to_member=meeting_members["li"],
        text="调查研究不够深入，到基层多是看点。建议多到困难村。",
    )

    problem = services.criticism_to_problem(criticism, actor=organizer)

    criticism.refresh_from_db()
    assert criticism.problem == problem
    assert problem.member == meeting_members["li"] and problem.source == Source.CRITICISM
    assert problem.summary == "调查研究不够深入，到基层多是看点"
    assert problem.text == criticism.text
    stored = Problem.objects.get(pk=problem.pk)
    assert stored.member_id == meeting_members["li"].pk
    details = [d for e in problem_history(stored, show_actors=True) for d in e.details]
    assert "班子成员：李建华" in details and "提出人：王志刚" in details
    with pytest.raises(Conflict, match="已列为问题"):
        services.criticism_to_problem(criticism, actor=organizer)
    assert Problem.objects.filter(round=round_).count() == 1


def test_criticisms_are_recorded_by_organizers_of_this_team_only(
    round_: Any, organizer: Any, viewer: Any, meeting_members: dict[str, Any], elsewhere: Any
) -> None:
    from luoshi.orgs.models import Member, Team

    stranger = Member.objects.create(
        team=Team.objects.create(organization=elsewhere, name="别的班子"), name="外人", position="书记"
    )
    with pytest.raises(NotAllowed):
        services.record_criticism(
            round_,
            actor=viewer,
            from_member=meeting_members["li"],
            to_member=meeting_members["wang"],
            text="批评",
        )
    with pytest.raises(Invalid, match="不是本班子成员"):
        services.record_criticism(
            round_, actor=organizer, from_member=stranger, to_member=meeting_members["wang"], text="批评"
        )
    own = services.record_criticism(
        round_,
        actor=organizer,
        from_member=meeting_members["li"],
        to_member=meeting_members["li"],
        text="自我批评：学习不够",
    )
    assert own.is_self
    with pytest.raises(NotAllowed):
        services.criticism_to_problem(own, actor=viewer)


# --- pages -------------------------------------------------------------------------------------


def test_the_organizer_walks_the_meeting_page(
    round_: Any, organizer: Any, meeting_members: dict[str, Any], previous_round: Any
) -> None:
    client = client_for(organizer)
    url = reverse("round_meeting", args=[round_.pk])
    page = client.get(url)
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    # Opening the page started 回头看.
    assert CarriedMeasure.objects.filter(round=round_).count() == 3
    assert "去年措施2（in_progress）" in page.content.decode()

    response = client.post(
        url, {"date": "2025-12-20", "place": "常委会议室", "host": meeting_members["li"].pk}
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(round=round_)
    present = {f"present-{m.pk}": "1" for m in (meeting_members["li"], meeting_members["zhao"])}
    response = client.post(
        reverse("meeting_attendance", args=[round_.pk]),
        {**present, f"reason-{meeting_members['wang'].pk}": "外出学习"},
    )
    assert response.status_code == 302
    assert Attendance.objects.get(meeting=meeting, member=meeting_members["wang"]).reason == "外出学习"
    page = client.get(url).content.decode()
    assert "应到 3 人，实到 2 人" in page

    response = client.post(reverse("meeting_held", args=[round_.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.held and not meeting.held_without_quorum

    response = client.post(
        reverse("meeting_criticism", args=[round_.pk]),
        {"from_member": meeting_members["zhao"].pk, "to_member": "self", "text": "自己联系群众不够。"},
    )
    assert response.status_code == 302
    criticism = Criticism.objects.get(round=round_)
    assert criticism.is_self and criticism.to_member == meeting_members["zhao"]
    confirm = reverse("criticism_problem", args=[round_.pk, criticism.pk])
    assert "确认列为问题" in client.get(confirm).content.decode()
    assert not Problem.objects.filter(round=round_).exists()  # the GET only asks
    response = client.post(confirm, {"summary": "联系群众不够", "aspect": ""})
    assert response.status_code == 302
    assert Problem.objects.get(round=round_).member == meeting_members["zhao"]


def test_a_refused_close_says_why_and_links_to_the_measure(
    round_: Any, organizer: Any, previous_round: Any
) -> None:
    client = client_for(organizer)
    services.carry_forward(round_, actor=organizer)
    carried = CarriedMeasure.objects.get(round=round_, measure__status="submitted")
    response = client.post(
        reverse("meeting_carried", args=[round_.pk, carried.pk]),
        {f"c{carried.pk}-decision": "closed", f"c{carried.pk}-note": ""},
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert "验收程序" in body and reverse("measure_detail", args=[carried.measure_id]) in body
    carried.refresh_from_db()
    assert carried.decision == "pending"


def _meeting_urls(round_: Any, carried: Any, criticism: Any) -> list[tuple[str, str]]:
    return [
        ("get", reverse("round_meeting", args=[round_.pk])),
        ("post", reverse("round_meeting", args=[round_.pk])),
        ("post", reverse("meeting_attendance", args=[round_.pk])),
        ("post", reverse("meeting_held", args=[round_.pk])),
        ("post", reverse("meeting_carried", args=[round_.pk, carried.pk])),
        ("post", reverse("meeting_criticism", args=[round_.pk])),
        ("get", reverse("criticism_problem", args=[round_.pk, criticism.pk])),
        ("post", reverse("criticism_problem", args=[round_.pk, criticism.pk])),
        ("get", reverse("meeting_report", args=[round_.pk])),
    ]


def test_an_outsider_gets_404_everywhere_and_a_viewer_cannot_write(
    round_: Any,
    organizer: Any,
    outsider: Any,
    viewer: Any,
    meeting_members: dict[str, Any],
    previous_round: Any,
) -> None:
    services.register_meeting(round_, actor=organizer, date=DAY)
    carried = CarriedMeasure.objects.filter(round=round_).first()
    criticism = services.record_criticism(
        round_,
        actor=organizer,
        from_member=meeting_members["li"],
        to_member=meeting_members["wang"],
        text="批评",
    )
    domain_events = Event.objects.exclude(event_type__startswith="auth.")  # logging in is one
    before = domain_events.count()
    urls = _meeting_urls(round_, carried, criticism)
    for method, url in urls:
        assert getattr(client_for(outsider), method)(url).status_code == 404, url
    assert Client().get(urls[0][1]).status_code == 302  # to the login page

    client = client_for(viewer)
    assert client.get(urls[0][1]).status_code == 200
    data = {
        "from_member": meeting_members["li"].pk,
        "to_member": meeting_members["wang"].pk,
        "text": "x",
        "summary": "x",
    }
    for method, url in urls[1:]:
        if method == "post":
            assert client.post(url, data).status_code in (403, 422), url
    assert client.get(urls[6][1]).status_code == 403
    assert domain_events.count() == before
    assert not Problem.objects.filter(round=round_).exists()


def test_the_quorum_setting_reads_a_fraction_or_a_decimal_and_refuses_nonsense() -> None:
    from luoshi.web.config import ConfigError, Env

    assert Env({}).share("LUOSHI_MEETING_QUORUM", "2/3") == Fraction(2, 3)
    assert Env({"LUOSHI_MEETING_QUORUM": "0.8"}).share("LUOSHI_MEETING_QUORUM", "2/3") == Fraction(4, 5)
    for bad in ("abc", "3/2", "0", "1/0"):
        with pytest.raises(ConfigError, match="LUOSHI_MEETING_QUORUM"):
            Env({"LUOSHI_MEETING_QUORUM": bad}).share("LUOSHI_MEETING_QUORUM", "2/3")
    assert services.share_text(Fraction(2, 3)) == "三分之二"


def test_the_histories_read_together_are_each_measures_own(
    round_: Any, organizer: Any, previous_round: Any, reviewer: Any
) -> None:
    from luoshi.ledger.history import measure_histories

    services.carry_forward(round_, actor=organizer)
    services.decide_carried(
        round_.carried_measures.get(measure__status="submitted"), "closed", actor=reviewer
    )
    measures = list(Measure.objects.filter(round=previous_round))

    together = measure_histories(measures, show_actors=True)

    for measure in measures:
        alone = measure_history(measure, show_actors=True)
        assert [(e.title, e.details, e.actor) for e in together[measure.pk]] == [
            (e.title, e.details, e.actor) for e in alone
        ]
    assert any(e.title == "验收销号" for histories in together.values() for e in histories)


def test_the_meeting_page_reads_a_fixed_number_of_queries(
    round_: Any,
    organizer: Any,
    previous_round: Any,
    meeting_members: dict[str, Any],
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.register_meeting(round_, actor=organizer, date=DAY)
    client = client_for(organizer)
    url = reverse("round_meeting", args=[round_.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client.get(url)  # this process now knows the session: its user comes with its row
    before = count()
    for number in range(5, 10):  # more unfinished measures last year, more criticisms this year
        problem = Problem.objects.create(round=previous_round, number=number, summary=f"问题{number}")
        Measure.objects.create(
            round=previous_round,
            problem=problem,
            number=number,
            summary=f"措施{number}",
            owner=meeting_members["wang"],
        )
        services.record_criticism(
            round_,
            actor=organizer,
            from_member=meeting_members["li"],
            to_member=meeting_members["wang"],
            text=f"批评{number}",
        )
    services.carry_forward(round_, actor=organizer)
    assert count() == before


def test_the_admin_shows_the_meeting_records_read_only(
    round_: Any, organizer: Any, meeting_members: dict[str, Any], django_user_model: Any
) -> None:
    meeting = services.register_meeting(round_, actor=organizer, date=DAY, place="常委会议室")
    admin_user = django_user_model.objects.create_superuser("root", password="pw-root-123")
    client = client_for(admin_user)
    listing = client.get(reverse("admin:meetings_meeting_changelist"))
    assert listing.status_code == 200 and "常委会议室" in listing.content.decode()
    assert client.get(reverse("admin:meetings_meeting_add")).status_code == 403
    response = client.post(reverse("admin:meetings_meeting_delete", args=[meeting.pk]), {"post": "yes"})
    assert response.status_code == 403 and Meeting.objects.filter(pk=meeting.pk).exists()
