"""The preparation pages: who sees them (an outsider gets 404), who may change them (403 for the
others), and what the organizer does there in one step each."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.meetings.models import Preparation, RoundStep, StudySession, Talk

PAGES = ["round_steps", "round_study", "round_talks"]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", PAGES)
def test_outsider_gets_404_and_viewer_reads_but_cannot_write(
    name: str, round_: Any, outsider: Any, viewer: Any
) -> None:
    url = reverse(name, args=[round_.pk])
    assert _client(outsider).get(url).status_code == 404
    assert _client(outsider).post(url, {"op": "anchor", "anchor_date": "2026-01-20"}).status_code == 404
    assert _client(viewer).get(url).status_code == 200
    refused = _client(viewer).post(url, {"op": "anchor", "anchor_date": "2026-01-20", "topic": "学"})
    assert refused.status_code == 403
    assert Preparation.objects.count() == 0 and StudySession.objects.count() == 0


def test_anonymous_is_sent_to_login(client: Client, round_: Any) -> None:
    response = client.get(reverse("round_steps", args=[round_.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_organizer_sets_the_meeting_date_and_marks_a_step(round_: Any, organizer: Any) -> None:
    client = _client(organizer)
    url = reverse("round_steps", args=[round_.pk])
    meeting = timezone.localdate() + datetime.timedelta(days=10)
    assert client.post(url, {"op": "anchor", "anchor_date": meeting.isoformat()}).status_code == 302
    page = client.get(url).content.decode()
    theme_deadline = meeting - datetime.timedelta(days=15)
    assert theme_deadline.isoformat() in page
    assert "已逾期 5 天" in page  # the theme was due five days ago: said in words
    done = timezone.localdate().isoformat()
    assert client.post(url, {"op": "step", "step": "theme", "done": done}).status_code == 302
    assert RoundStep.objects.get(round=round_, step="theme").done_date == timezone.localdate()
    assert "逾期完成" in client.get(url).content.decode()
    # the round page's block shows where each step stands
    block = client.get(reverse("round_detail", args=[round_.pk])).content.decode()
    assert 'id="prep-steps-block"' in block and "逾期完成" in block
    assert reverse("round_steps", args=[round_.pk]) in block


def test_mark_done_without_a_date_means_today(round_: Any, organizer: Any) -> None:
    url = reverse("round_steps", args=[round_.pk])
    _client(organizer).post(url, {"op": "step", "step": "opinions", "mark": "done"})
    assert RoundStep.objects.get(step="opinions").done_date == timezone.localdate()
    _client(organizer).post(url, {"op": "step", "step": "talks", "planned": "2026-12-20"})
    assert RoundStep.objects.get(step="talks").done_date is None  # saving a plan is not marking done


def test_bad_step_input_is_refused_with_its_status(round_: Any, organizer: Any) -> None:
    client = _client(organizer)
    url = reverse("round_steps", args=[round_.pk])
    assert client.post(url, {"op": "step", "step": "nonsense"}).status_code == 422
    assert client.post(url, {"op": "what"}).status_code == 422


def test_study_sessions_entry_and_list(round_: Any, organizer: Any, members: list[Any]) -> None:
    client = _client(organizer)
    url = reverse("round_study", args=[round_.pk])
    response = client.post(
        url,
        {
            "date": timezone.localdate().isoformat(),
            "topic": "学习党的二十届四中全会精神",
            "seminar": "on",
            "attendees": [members[0].pk, members[1].pk],
        },
    )
    assert response.status_code == 302
    session = StudySession.objects.get()
    assert session.seminar and set(session.attendees.all()) == {members[0], members[1]}
    page = client.get(url).content.decode()
    assert "学习党的二十届四中全会精神" in page and "专题研讨" in page and "张书记、李建华" in page
    assert client.post(url, {"date": "", "topic": ""}).status_code == 422


def test_record_a_missing_pair_in_one_step(round_: Any, organizer: Any, members: list[Any]) -> None:
    client = _client(organizer)
    url = reverse("round_talks", args=[round_.pk])
    page = client.get(url).content.decode()
    assert "尚未谈的（6）" in page
    today = timezone.localdate().isoformat()
    response = client.post(
        url, {"op": "pair", "first": members[0].pk, "second": members[3].pk, "date": today}
    )
    assert response.status_code == 302
    talk = Talk.objects.get()
    assert talk.initiator == members[0] and list(talk.partners.all()) == [members[3]]
    page = client.get(url).content.decode()
    assert "尚未谈的（5）" in page and "✓ 已谈" in page


def test_unit_heads_entered_by_the_organizer_join_the_matrix(
    round_: Any, organizer: Any, members: list[Any]
) -> None:
    client = _client(organizer)
    url = reverse("round_talks", args=[round_.pk])
    client.post(url, {"op": "oversight", "member": members[1].pk, "unit": "县交通局", "head": "郑局长"})
    assert "郑局长（县交通局负责人）" in client.get(url).content.decode()
    today = timezone.localdate().isoformat()
    client.post(url, {"op": "pair", "first": members[1].pk, "head": "郑局长", "date": today})
    assert Talk.objects.get().outside_partners == "郑局长"
    assert "✓ 已谈：李建华 与 郑局长" in client.get(url).content.decode()


def test_a_member_of_another_team_cannot_be_recorded(round_: Any, organizer: Any, county: Any) -> None:
    from luoshi.orgs.models import Member, Team

    other = Member.objects.create(
        team=Team.objects.create(organization=county, name="别的班子"), name="外人", position="x"
    )
    mine = Member.objects.create(team=round_.team, name="甲", position="y")
    response = _client(organizer).post(
        reverse("round_talks", args=[round_.pk]),
        {"op": "pair", "first": mine.pk, "second": other.pk, "date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 422 and Talk.objects.count() == 0


def test_talks_and_steps_pages_take_a_fixed_number_of_queries(
    round_: Any, organizer: Any, members: list[Any], django_assert_max_num_queries: Any
) -> None:
    from luoshi.meetings import services_prep

    client = _client(organizer)
    talks, steps = reverse("round_talks", args=[round_.pk]), reverse("round_steps", args=[round_.pk])
    today = timezone.localdate()
    services_prep.record_talk(
        round_, actor=organizer, initiator=members[0], partners=[members[1]], date=today
    )
    with django_assert_max_num_queries(30) as small_talks:
        client.get(talks)
    with django_assert_max_num_queries(30) as small_steps:
        client.get(steps)
    for index, member in enumerate(members[1:]):
        services_prep.add_oversight(member, actor=organizer, unit=f"单位{index}", head=f"负责人{index}")
        services_prep.record_talk(
            round_, actor=organizer, initiator=member, partners=[members[0]], date=today, summary="要点"
        )
        services_prep.mark_step(round_, ["theme", "opinions", "talks"][index], actor=organizer, done=today)
    with django_assert_max_num_queries(len(small_talks.captured_queries)):
        client.get(talks)
    with django_assert_max_num_queries(len(small_steps.captured_queries)):
        client.get(steps)


def test_full_talk_form_secretary_and_oversight_removal(
    round_: Any, organizer: Any, owner: Any, viewer: Any, members: list[Any]
) -> None:
    from luoshi.meetings.models import Oversight

    client = _client(organizer)
    url = reverse("round_talks", args=[round_.pk])
    response = client.post(
        url,
        {
            "op": "talk",
            "initiator": members[0].pk,
            "partners": [members[1].pk, members[2].pk],
            "outside_partners": "孙主任、钱局长",
            "date": timezone.localdate().isoformat(),
            "mode": "group",
            "summary": "互相提醒的要点",
        },
    )
    assert response.status_code == 302
    talk = Talk.objects.get()
    assert (
        talk.mode == "group"
        and talk.outside_partners == "孙主任、钱局长"
        and talk.summary == "互相提醒的要点"
    )
    assert "互相提醒的要点" in _client(owner).get(url).content.decode()  # 李建华 was in the talk
    assert "互相提醒的要点" not in _client(viewer).get(url).content.decode()
    page = client.get(url).content.decode()
    assert 'id="talk-person-times">4<' in page  # two members and two heads

    assert client.post(url, {"op": "secretary", "secretary": members[3].pk}).status_code == 302
    assert Preparation.objects.get(round=round_).secretary == members[3]
    assert "书记：赵敏" in client.get(url).content.decode()

    client.post(url, {"op": "oversight", "member": members[1].pk, "unit": "县水利局", "head": "冯局长"})
    oversight = Oversight.objects.get()
    assert _client(viewer).post(url, {"op": "oversight_remove", "oversight": oversight.pk}).status_code == 403
    assert client.post(url, {"op": "oversight_remove", "oversight": oversight.pk}).status_code == 302
    assert Oversight.objects.count() == 0
