"""Talks: the coverage matrix of required pairs (a setting), counts in 人次, and the confidential
summary read only by the people in the talk and the round's organizer (pages, admin, audit log)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.models import Event
from luoshi.errors import Invalid, NotAllowed
from luoshi.meetings import services_prep as services
from luoshi.meetings.models import Talk
from luoshi.meetings.talks import matrix

SECRET = "谈到家属经商的问题，请注意保密"


def _day() -> datetime.date:
    return timezone.localdate()


def test_matrix_requires_the_configured_pairs_and_marks_what_is_done(
    round_: Any, organizer: Any, members: list[Any]
) -> None:
    secretary, li, wang, zhao = members
    services.add_oversight(li, actor=organizer, unit="县发改委", head="孙主任")
    found = matrix(round_)
    assert found.secretary == secretary
    # six member pairs (three with the secretary) and one unit head
    assert len(found.pairs) == 7 and found.done == 0
    with_secretary = [p for p in found.pairs if "secretary" in p.kinds]
    assert {p.second.name for p in with_secretary if p.second} == {"李建华", "王志刚", "赵敏"}
    assert all(p.first == secretary for p in with_secretary)

    services.record_talk(round_, actor=organizer, initiator=wang, partners=[secretary], date=_day())
    services.record_talk(
        round_,
        actor=organizer,
        initiator=li,
        partners=[zhao],
        outside_partners="孙主任",
        date=_day(),
        mode="group",
    )
    found = matrix(round_)
    done = {(p.first.name, p.second_label) for p in found.pairs if p.done}
    assert done == {("张书记", "王志刚"), ("李建华", "赵敏"), ("李建华", "孙主任（县发改委负责人）")}
    assert len(found.missing) == 4
    assert found.figures.talk_person_times == 1 + 2  # 人次: one per partner of each talk


def test_the_required_pair_kinds_are_a_setting(
    round_: Any, organizer: Any, members: list[Any], settings: Any
) -> None:
    services.add_oversight(members[1], actor=organizer, unit="县财政局", head="周局长")
    settings.LUOSHI_TALK_PAIRS = ("secretary",)
    assert [p.kinds for p in matrix(round_).pairs] == [("secretary",)] * 3
    settings.LUOSHI_TALK_PAIRS = ("units",)
    assert [p.head for p in matrix(round_).pairs] == ["周局长"]


def test_a_member_marked_secretary_replaces_the_first_by_order(
    round_: Any, organizer: Any, members: list[Any]
) -> None:
    with pytest.raises(NotAllowed):
        services.set_secretary(round_, members[2], actor=members[1].user)
    services.set_secretary(round_, members[2], actor=organizer)
    assert Event.objects.get(event_type="prep.secretary_set").new == {"secretary": members[2].pk}
    found = matrix(round_, kinds=("secretary",))
    assert found.secretary == members[2]
    assert {p.second.name for p in found.pairs if p.second} == {"张书记", "李建华", "赵敏"}


def test_record_talk_checks_its_input(round_: Any, organizer: Any, viewer: Any, members: list[Any]) -> None:
    secretary, li, wang, _zhao = members
    with pytest.raises(NotAllowed):
        services.record_talk(round_, actor=viewer, initiator=secretary, partners=[li], date=_day())
    with pytest.raises(Invalid):
        services.record_talk(round_, actor=organizer, initiator=secretary, partners=[], date=_day())
    with pytest.raises(Invalid):  # one-to-one with two people
        services.record_talk(round_, actor=organizer, initiator=secretary, partners=[li, wang], date=_day())
    with pytest.raises(Invalid):
        services.record_talk(
            round_,
            actor=organizer,
            initiator=secretary,
            partners=[li],
            date=_day() + datetime.timedelta(days=1),
        )
    assert Talk.objects.count() == 0


def _secret_talk(round_: Any, organizer: Any, members: list[Any]) -> Talk:
    secretary, li, _wang, _zhao = members
    return services.record_talk(
        round_, actor=organizer, initiator=secretary, partners=[li], date=_day(), summary=SECRET
    )


def test_summary_is_read_by_the_two_and_the_organizer_only(
    round_: Any, organizer: Any, owner: Any, other_member: Any, viewer: Any, reviewer: Any, members: list[Any]
) -> None:
    talk = _secret_talk(round_, organizer, members)
    assert services.can_read_summary(talk, organizer)
    assert services.can_read_summary(talk, owner)  # 李建华 was talked with
    for user in (other_member, viewer, reviewer):
        assert not services.can_read_summary(talk, user)

    url = reverse("round_talks", args=[round_.pk])
    for user, sees in ((organizer, True), (owner, True), (other_member, False), (viewer, False)):
        client = Client()
        client.force_login(user)
        page = client.get(url).content.decode()
        assert (SECRET in page) is sees, user.username
        if not sees:
            assert "保密，仅谈话双方和组织者可见" in page


def test_summary_never_enters_the_audit_log_or_the_admin(
    round_: Any, organizer: Any, members: list[Any], django_user_model: Any
) -> None:
    talk = _secret_talk(round_, organizer, members)
    event = Event.objects.get(event_type="prep.talk_recorded")
    assert event.new["summary"] is True
    assert all(SECRET not in str(e.new) + str(e.old) for e in Event.objects.all())

    admin = django_user_model.objects.create_superuser("root", password="pw")
    client = Client()
    client.force_login(admin)
    listing = client.get(reverse("admin:meetings_talk_changelist")).content.decode()
    detail = client.get(reverse("admin:meetings_talk_change", args=[talk.pk])).content.decode()
    assert "张书记" in listing
    assert SECRET not in listing and SECRET not in detail
    audit = client.get(reverse("admin:audit_event_changelist")).content.decode()
    assert SECRET not in audit


def test_oversight_is_the_organizers_and_audited(organizer: Any, viewer: Any, members: list[Any]) -> None:
    with pytest.raises(NotAllowed):
        services.add_oversight(members[1], actor=viewer, unit="县教育局", head="吴局长")
    oversight = services.add_oversight(members[1], actor=organizer, unit="县教育局", head="吴局长")
    with pytest.raises(Invalid):
        services.add_oversight(members[1], actor=organizer, unit="县教育局", head="吴局长")
    services.remove_oversight(oversight, actor=organizer)
    events = Event.objects.filter(event_type="prep.oversight_set").order_by("seq")
    assert [e.new for e in events] == [
        {"member": members[1].pk, "unit": "县教育局", "head": "吴局长"},
        {"removed": True},
    ]
