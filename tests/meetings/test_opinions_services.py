"""Opinions (征求意见) through their services: suggestions, the public link and its limits, staff entry,
the .xlsx import, classification, forwarding and the problems opinions lead to; every write audited,
never with contact details."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from luoshi.audit.chain import verify
from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger.models import Aspect, Problem, Source
from luoshi.meetings import services_opinions as services
from luoshi.meetings.models import Opinion, OpinionSource, OpinionStatus
from luoshi.notices.models import Notice
from luoshi.orgs.models import Member

CONTACT = "13800001111 张先生"
pytestmark = pytest.mark.django_db


@pytest.fixture
def mayor(owner: Any) -> Member:
    return owner.memberships.get()  # 李建华 县长


@pytest.fixture
def deputy(other_member: Any) -> Member:
    return other_member.memberships.get()  # 王志刚 副书记


@pytest.fixture
def link(round_: Any, organizer: Any) -> Any:
    return services.open_link(round_, actor=organizer)


def aspect(round_: Any, name: str) -> Aspect:
    return round_.framework.aspects.get(name=name)


def all_events_text() -> str:
    return " ".join(f"{e.old} {e.new} {e.actor_label}" for e in Event.objects.all())


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- suggestions -----------------------------------------------------------------------------------


def test_a_member_named_in_the_text_is_the_suggested_target_else_the_team(
    round_: Any, mayor: Member, deputy: Member
) -> None:
    found = services.suggest_targets(
        round_,
        [
            "李建华同志下基层调研走过场，听汇报多、看现场少",
            "班子开会太多，文山会海",
            "副书记对分管工作推诿扯皮",
        ],
    )
    assert [s.member for s in found] == [mayor, None, deputy]


def test_a_position_only_one_member_holds_names_that_member(round_: Any, team: Any) -> None:
    li = Member.objects.create(team=team, name="李一", position="县委副书记、县长")
    liu = Member.objects.create(team=team, name="刘二", position="县委常委、常务副县长")
    Member.objects.create(team=team, name="王三", position="县委副书记")
    found = services.suggest_targets(
        round_, ["常务副县长抓项目不力", "县长接待群众少", "县委副书记下乡少", "李一和刘二都有责任"]
    )
    assert [s.member for s in found] == [liu, li, None, None]


def test_the_suggested_aspect_follows_the_words_of_the_opinion(round_: Any) -> None:
    found = services.suggest_targets(
        round_, ["有的领导干部公车私用，违反八项规定", "下基层调研走过场，形式主义严重", "政治站位不高"]
    )
    assert [s.aspect.name if s.aspect else None for s in found] == ["廉洁自律", "工作作风", "政治素质"]


def test_the_round_s_own_problems_teach_the_aspect(round_: Any) -> None:
    Problem.objects.create(
        round=round_,
        number=1,
        summary="招商引资项目落地慢，营商环境有短板",
        aspect=aspect(round_, "能力本领"),
    )
    found = services.suggest_targets(round_, ["招商引资项目落地太慢"])
    assert found[0].aspect == aspect(round_, "能力本领")


# --- the public link -------------------------------------------------------------------------------


def test_only_organizers_open_the_link_and_opening_is_audited(
    round_: Any, organizer: Any, viewer: Any
) -> None:
    with pytest.raises(NotAllowed):
        services.open_link(round_, actor=viewer)
    link = services.open_link(round_, actor=organizer)
    assert link.open and len(link.token) >= 20
    closed = services.open_link(round_, actor=organizer, open=False)
    assert closed.pk == link.pk and not closed.open and closed.closed_at is not None
    events = Event.objects.filter(event_type=EventType.OPINION_LINK_CHANGED)
    assert [e.new["open"] for e in events] == [True, False]


def test_a_public_opinion_is_anonymous_unless_contact_is_left_and_audited_without_it(
    link: Any, mayor: Member
) -> None:
    anonymous = services.submit_public(link, text="希望多到村里走走", target=None, contact="")
    named = services.submit_public(link, text="李建华同志调研走过场", target=None, contact=CONTACT)
    assert anonymous.anonymous and anonymous.source == OpinionSource.PUBLIC
    assert not named.anonymous and named.contact == CONTACT
    assert named.target_member == mayor  # suggested from the text
    assert named.status == OpinionStatus.RECEIVED
    received = Event.objects.filter(event_type=EventType.OPINION_RECEIVED)
    assert received.count() == 2
    assert "13800001111" not in all_events_text()
    assert all(e.actor_id is None for e in received)
    assert verify().ok


def test_a_closed_link_refuses_and_the_size_limit_holds(link: Any, organizer: Any, settings: Any) -> None:
    settings.LUOSHI_OPINION_MAX_CHARS = 50
    with pytest.raises(Invalid, match="不能超过 50 字"):
        services.submit_public(link, text="长" * 51, target=None, contact="")
    with pytest.raises(Invalid, match="请填写"):
        services.submit_public(link, text="   ", target=None, contact="")
    services.open_link(link.round, actor=organizer, open=False)
    link.refresh_from_db()
    with pytest.raises(Conflict, match="已关闭"):
        services.submit_public(link, text="还有意见", target=None, contact="")
    assert Opinion.objects.count() == 0


def test_a_target_from_another_team_is_refused(link: Any, county: Any) -> None:
    from luoshi.orgs.models import Team

    stranger = Member.objects.create(
        team=Team.objects.create(organization=county, name="别的班子"), name="赵", position="局长"
    )
    with pytest.raises(Invalid):
        services.submit_public(link, text="意见", target=stranger, contact="")


def test_the_hourly_limit_counts_per_client_and_keeps_only_a_keyed_hash(settings: Any) -> None:
    from django.core.cache import cache

    settings.LUOSHI_OPINION_PER_HOUR = 2
    now = 1_800_000_000.0
    assert services.take_submission_slot("10.0.0.1|phone", now=now)
    assert services.take_submission_slot("10.0.0.1|phone", now=now + 10)
    assert not services.take_submission_slot("10.0.0.1|phone", now=now + 20)
    assert services.take_submission_slot("10.0.0.2|phone", now=now + 20)  # another client
    assert services.take_submission_slot("10.0.0.1|phone", now=now + 3600)  # the next hour
    keys = list(cache._cache.keys())  # type: ignore[attr-defined]  # the local-memory cache's keys
    assert keys and not any("10.0.0.1" in key for key in keys)


# --- staff entry and import ------------------------------------------------------------------------


def test_staff_entry_records_the_source_and_is_for_organizers_only(
    round_: Any, organizer: Any, owner: Any, deputy: Member
) -> None:
    with pytest.raises(NotAllowed):
        services.enter_opinion(round_, actor=owner, source=OpinionSource.FORUM, text="意见")
    with pytest.raises(Invalid):
        services.enter_opinion(round_, actor=organizer, source=OpinionSource.PUBLIC, text="意见")
    opinion = services.enter_opinion(
        round_, actor=organizer, source=OpinionSource.INTERVIEW, text="对分管工作过问不够", target=deputy
    )
    assert (opinion.source, opinion.target_member, opinion.entered_by) == (
        OpinionSource.INTERVIEW,
        deputy,
        organizer,
    )
    event = Event.objects.get(event_type=EventType.OPINION_RECEIVED)
    assert event.actor == organizer and event.new["source"] == "interview"


def test_the_import_previews_then_records_each_row_with_its_source(
    round_: Any, organizer: Any, mayor: Member
) -> None:
    data = xlsx(
        [
            ["征求意见汇总表"],
            ["序号", "意见建议", "针对对象", "来源", "联系方式"],
            [1, "调研走过场，听汇报多", "李建华", "座谈会", CONTACT],
            [2, "班子会议太多", "班子", "意见箱", None],
            [3, "不认识的人", "查无此人", "个别访谈", None],
            [4, None, None, None, None],
        ]
    )
    preview = services.preview_xlsx(round_, data, actor=organizer, name="意见.xlsx")
    assert [r.ok for r in preview.rows] == [True, True, False]
    assert "查无此人" in preview.rows[2].error
    assert preview.rows[0].target_id == mayor.pk and preview.rows[0].source == OpinionSource.FORUM
    assert Opinion.objects.count() == 0  # a preview saves nothing

    created = services.confirm_import(round_, preview.payload(), actor=organizer)
    assert [(o.source, o.target_member) for o in created] == [
        (OpinionSource.FORUM, mayor),
        (OpinionSource.BOX, None),
    ]
    assert created[0].contact == CONTACT and not created[0].anonymous
    imported = Event.objects.get(event_type=EventType.OPINIONS_IMPORTED)
    assert imported.new["rows"] == 2
    assert "13800001111" not in all_events_text()
    with pytest.raises(Invalid, match="已导入过"):
        services.preview_xlsx(round_, data, actor=organizer, name="意见.xlsx")
    with pytest.raises(Conflict):
        services.confirm_import(round_, preview.payload(), actor=organizer)


def test_the_import_refuses_a_sheet_without_header_and_a_file_that_is_no_workbook(
    round_: Any, organizer: Any, owner: Any
) -> None:
    with pytest.raises(Invalid, match="表头"):
        services.preview_xlsx(round_, xlsx([["甲", "乙"], ["1", "2"]]), actor=organizer, name="a.xlsx")
    with pytest.raises(Invalid, match="Excel"):
        services.preview_xlsx(round_, b"PK\x03\x04 not a zip", actor=organizer, name="b.xlsx")
    with pytest.raises(NotAllowed):
        services.preview_xlsx(round_, xlsx([["意见内容"], ["x"]]), actor=owner, name="c.xlsx")


def test_the_import_refuses_a_file_over_the_upload_limit(round_: Any, organizer: Any, settings: Any) -> None:
    settings.LUOSHI_MAX_UPLOAD_MB = 1
    with pytest.raises(Invalid, match="上传限制"):
        services.preview_xlsx(round_, b"0" * (1024 * 1024 + 1), actor=organizer, name="big.xlsx")


# --- classify, forward, link -----------------------------------------------------------------------


def test_classify_confirms_forward_passes_on_and_notifies_without_contact(
    link: Any,
    organizer: Any,
    mayor: Member,
    deputy: Member,
    owner: Any,
    other_member: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    opinion = services.submit_public(link, text="李建华同志调研走过场", target=None, contact=CONTACT)
    with pytest.raises(Conflict):
        services.forward(link.round, actor=organizer)  # nothing classified yet
    with pytest.raises(NotAllowed):
        services.classify(opinion, actor=owner, aspect=None, target=None)
    classified = services.classify(
        opinion, actor=organizer, aspect=aspect(link.round, "工作作风"), target=mayor
    )
    assert classified.status == OpinionStatus.CLASSIFIED
    with django_capture_on_commit_callbacks(execute=True):
        forwarded = services.forward(link.round, actor=organizer)
    assert [o.pk for o in forwarded] == [opinion.pk]
    opinion.refresh_from_db()
    assert opinion.status == OpinionStatus.FORWARDED
    assert list(services.forwarded_about(link.round, mayor)) == [opinion]
    assert list(services.forwarded_about(link.round, deputy)) == []
    notices = list(Notice.objects.all())
    assert [n.user for n in notices] == [owner]  # the team got nothing: the opinion is about 李建华
    assert "13800001111" not in notices[0].text and "调研走过场" not in notices[0].text
    assert "13800001111" not in all_events_text()
    assert verify().ok


def test_a_team_opinion_is_passed_on_to_every_member(
    link: Any, organizer: Any, mayor: Member, deputy: Member
) -> None:
    opinion = services.submit_public(link, text="班子会议太多", target=None, contact="")
    services.classify(opinion, actor=organizer, aspect=None, target=None)
    services.forward(link.round, actor=organizer)
    assert list(services.forwarded_about(link.round, mayor)) == [opinion]
    assert list(services.forwarded_about(link.round, deputy)) == [opinion]


def test_a_problem_created_from_a_member_opinion_is_that_member_s_with_the_text_not_the_contact(
    link: Any, organizer: Any, mayor: Member
) -> None:
    from django.utils import timezone

    # Numbered by the ledger's one rule: after the last, a voided problem keeping its number.
    Problem.all_objects.create(round=link.round, number=7, summary="已作废的问题", voided_at=timezone.now())
    opinion = services.submit_public(
        link, text="李建华同志调研走过场。听汇报多。", target=mayor, contact=CONTACT
    )
    draft = services.problem_draft(opinion)
    assert draft["summary"] == "李建华同志调研走过场。" and draft["member"] == mayor
    problem = services.create_problem(opinion, actor=organizer, summary=draft["summary"])
    assert (problem.number, problem.member, problem.source) == (8, mayor, Source.OPINION)
    assert problem.text == opinion.text and CONTACT not in problem.text
    assert list(problem.opinions.all()) == [opinion]
    created = Event.objects.get(event_type=EventType.PROBLEM_CREATED, target_id=str(problem.pk))
    assert created.new["number"] == 8 and created.new["to"] == str(mayor)
    assert "13800001111" not in all_events_text()


def test_linking_to_existing_problems_of_the_round_only(
    link: Any, organizer: Any, round_: Any, team: Any, make_user: Any
) -> None:
    from luoshi.ledger.services import create_round

    mine = Problem.objects.create(round=round_, number=1, summary="问题一")
    other_round = create_round(team=team, title="另一轮", year=2024, actor=organizer)
    elsewhere = Problem.objects.create(round=other_round, number=1, summary="别的问题")
    opinion = services.submit_public(link, text="意见", target=None, contact="")
    with pytest.raises(Invalid):
        services.link_problems(opinion, [elsewhere], actor=organizer)
    services.link_problems(opinion, [mine], actor=organizer)
    assert list(opinion.problems.all()) == [mine]
    event = Event.objects.get(event_type=EventType.OPINION_LINKED)
    assert event.new == {"problems": [1]}


def test_the_grouped_docx_holds_the_text_verbatim_and_no_contact(
    link: Any, organizer: Any, mayor: Member
) -> None:
    from docx import Document

    team_opinion = services.submit_public(link, text="班子会议太多，文山会海", target=None, contact=CONTACT)
    member_opinion = services.submit_public(link, text="调研走过场", target=mayor, contact=CONTACT)
    for opinion in (team_opinion, member_opinion):
        services.classify(
            opinion, actor=organizer, aspect=aspect(link.round, "工作作风"), target=opinion.target_member
        )
    opinions = services.forward(link.round, actor=organizer)
    data = services.grouped_docx(link.round, opinions)
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "一、对领导班子的意见建议（1条）" in text
    assert "二、对李建华同志（县长）的意见建议（1条）" in text
    assert "（一）工作作风方面" in text
    assert "1. 班子会议太多，文山会海" in text and "1. 调研走过场" in text
    assert "13800001111" not in text and "张先生" not in text
