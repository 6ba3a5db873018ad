"""One chronological history per measure and per problem, in Chinese, oldest first."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from luoshi.ledger import planning
from luoshi.ledger.history import describe_changes, measure_history, problem_history
from luoshi.ledger.models import Evidence, Extension, ProgressUpdate
from luoshi.ledger.services import transition
from luoshi.ledger.states import MeasureStatus


@pytest.fixture
def story(organizer: Any, reviewer: Any, owner: Any, other_member: Any, make_measure: Any) -> Any:
    """A measure taken through assignment, progress, evidence, an extension, submission and closure."""
    measure = make_measure(baseline_deadline=None)
    planning.assign_many(
        [measure], actor=organizer, owner=other_member.memberships.get(), deadline=datetime.date(2026, 6, 30)
    )
    planning.assign_many([measure], actor=organizer, owner=owner.memberships.get())
    transition(measure, MeasureStatus.IN_PROGRESS, actor=owner)
    ProgressUpdate.objects.create(
        measure=measure, date=datetime.date(2026, 3, 1), text="召开专题会议", author=owner
    )
    Evidence.objects.create(
        measure=measure,
        evidence_date=datetime.date(2026, 3, 1),
        statement="会议纪要",
        uploaded_by=owner,
    )
    Extension.objects.create(
        measure=measure,
        requested_deadline=datetime.date(2026, 9, 30),
        reason="汛期影响施工",
        requested_by=owner,
    )
    transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="制度已建立")
    transition(measure, MeasureStatus.CLOSED, actor=reviewer)
    return measure


def test_measure_history_tells_the_story_in_order(story: Any) -> None:
    entries = measure_history(story, show_actors=True)
    titles = [e.title for e in entries]
    assert titles == [
        "整改措施列入台账",
        "分配责任",
        "分配责任",
        "状态变为“整改中”",
        "填报进展（2026-03-01）",
        "上传佐证材料",
        "申请延期至 2026-09-30",
        "状态变为“待验收”",
        "验收销号",
    ]
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    first_assign, second_assign = entries[1], entries[2]
    assert "责任领导：李建华 → 王志刚" in first_assign.details
    assert "完成时限：（空） → 2026-06-30" in first_assign.details
    assert first_assign.actor == "organizer"
    assert "责任领导：王志刚 → 李建华" in second_assign.details
    assert "状态：整改中 → 待验收" in entries[7].details and "整改成效：制度已建立" in entries[7].details
    assert entries[8].actor == "reviewer" and entries[8].details[-1].startswith("验收时内容摘要：")
    assert entries[4].details == ("召开专题会议",)


def test_names_are_hidden_without_a_role(story: Any) -> None:
    assert all(e.actor is None for e in measure_history(story, show_actors=False))


def test_problem_history_includes_its_measures(story: Any, organizer: Any, round_: Any) -> None:
    problem = story.problem
    cause = planning.create_cause(round_, actor=organizer, summary="宗旨意识淡化")
    planning.link_causes(problem, [cause], actor=organizer)
    second = planning.create_measure(problem, actor=organizer, summary="开展回访")
    entries = problem_history(problem, show_actors=True)
    assert entries[0].title.startswith("问题列入台账（来源：自我查摆）")
    assert any(e.title == "修改问题" and "原因：（空） → 宗旨意识淡化" in e.details for e in entries)
    assert {e.subject for e in entries} >= {f"措施 {story.number}", f"措施 {second.number}"}
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    created = [e for e in entries if e.title == "新增整改措施"]
    assert created and created[0].subject == f"措施 {second.number}"


def test_a_problem_added_by_hand_starts_with_its_event(round_: Any, organizer: Any) -> None:
    problem = planning.create_problem(round_, actor=organizer, summary="作风不实", source="inspection")
    [entry] = problem_history(problem, show_actors=True)
    assert entry.title == "新增问题" and "问题来源：巡察反馈" in entry.details


def test_describe_changes_speaks_chinese() -> None:
    assert describe_changes({"status": "planned"}, {"status": "in_progress", "reason": "重新整改"}) == (
        "状态：未开始 → 整改中",
        "理由：重新整改",
    )
    assert describe_changes({}, {"causes": ["甲", "乙"]}) == ("原因：甲、乙",)


def test_history_query_count_does_not_grow(
    story: Any, owner: Any, django_assert_max_num_queries: Any, organizer: Any
) -> None:
    with django_assert_max_num_queries(20) as first:
        problem_history(story.problem, show_actors=True)
    for index in range(5):
        ProgressUpdate.objects.create(
            measure=story, date=datetime.date(2026, 4, index + 1), text="进展", author=owner
        )
        planning.create_measure(story.problem, actor=organizer, summary=f"措施{index}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        problem_history(story.problem, show_actors=True)


# --- pages ---------------------------------------------------------------------------------------


def test_measure_history_page(client: Client, story: Any, viewer: Any) -> None:
    client.force_login(viewer)
    response = client.get(reverse("measure_history", args=[story.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "措施 1 的历史" in body and "验收销号" in body and "召开专题会议" in body
    assert "reviewer" in body  # the viewer holds a role, so names are shown


def test_problem_page_shows_the_history(client: Client, story: Any, owner: Any) -> None:
    client.force_login(owner)
    response = client.get(reverse("problem_detail", args=[story.problem_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "问题列入台账" in body and "验收销号" in body and f"措施 {story.number}" in body
    assert "在这个问题下新增整改措施" not in body  # a member does not plan


@pytest.mark.parametrize("who", ["outsider", "town_organizer"])
@pytest.mark.parametrize("name", ["measure_history", "problem_detail"])
def test_history_pages_are_404_without_a_role_there(
    request: pytest.FixtureRequest, client: Client, measure: Any, who: str, name: str
) -> None:
    client.force_login(request.getfixturevalue(who))
    pk = measure.pk if name == "measure_history" else measure.problem_id
    assert client.get(reverse(name, args=[pk])).status_code == 404


def test_history_page_query_count_is_fixed(
    client: Client, story: Any, owner: Any, organizer: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(organizer)
    url = reverse("problem_detail", args=[story.problem_id])
    with django_assert_max_num_queries(30) as first:
        assert client.get(url).status_code == 200
    for index in range(5):
        ProgressUpdate.objects.create(
            measure=story, date=datetime.date(2026, 4, index + 1), text="进展", author=owner
        )
        planning.create_measure(story.problem, actor=organizer, summary=f"措施{index}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("measure_history", args=[story.pk])).status_code == 200
