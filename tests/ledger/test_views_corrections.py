"""The pages of void / restore / edit, repeated imports and draft discarding: outsiders get 404,
members and viewers cannot void or edit, the organizer voids and edits, a reviewer restores."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from luoshi.audit.models import Event, EventType
from luoshi.ledger import corrections, imports
from luoshi.ledger.models import ImportDraft, Measure, Problem

pytestmark = pytest.mark.django_db

DOCUMENT = """县委常委班子2025年度民主生活会对照检查材料

一、存在的主要问题
（一）理论学习方面
1. 理论学习不够深入，学用结合不紧。
2. 调查研究不够扎实，深入基层不多。

二、整改措施
1. 制定班子学习计划，每月集中学习不少于1次。责任领导：李建华。完成时限：2026年6月底。
2. 班子成员每季度到基层调研不少于2次。责任领导：李建华。完成时限：2026年9月底。
"""


@pytest.fixture
def client_for(client: Any, request: Any) -> Any:
    def login(who: str) -> Any:
        client.force_login(request.getfixturevalue(who))
        return client

    return login


def _urls(measure: Measure) -> list[str]:
    problem = measure.problem
    assert problem is not None
    return [
        reverse("measure_void", args=[measure.pk]),
        reverse("measure_restore", args=[measure.pk]),
        reverse("measure_edit", args=[measure.pk]),
        reverse("problem_void", args=[problem.pk]),
        reverse("problem_restore", args=[problem.pk]),
        reverse("problem_edit", args=[problem.pk]),
        reverse("commitment_add", args=[measure.pk]),
    ]


def test_outsiders_get_404_everywhere(client_for: Any, measure: Measure) -> None:
    client = client_for("outsider")
    for url in _urls(measure):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {"reason": "x", "summary": "x"}).status_code == 404, url
    assert Measure.objects.filter(pk=measure.pk).exists()


@pytest.mark.parametrize("who", ["owner", "viewer", "other_member"])
def test_members_and_viewers_cannot_void_or_edit(client_for: Any, who: str, measure: Measure) -> None:
    client = client_for(who)
    assert client.get(reverse("measure_void", args=[measure.pk])).status_code == 403
    assert client.post(reverse("measure_void", args=[measure.pk]), {"reason": "x"}).status_code == 403
    assert client.get(reverse("problem_edit", args=[measure.problem_id])).status_code == 403
    response = client.post(reverse("measure_edit", args=[measure.pk]), {"summary": "改了"})
    assert response.status_code == 403
    measure.refresh_from_db()
    assert measure.voided_at is None and measure.summary == "措施1"
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert 'id="void-link"' not in page and 'id="edit-link"' not in page


def test_the_organizer_confirms_a_void_seeing_what_goes_with_it(
    client_for: Any, organizer: Any, measure: Measure
) -> None:
    client = client_for("organizer")
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert 'id="void-link"' in page and 'id="edit-link"' in page
    confirm = client.get(reverse("problem_void", args=[measure.problem_id])).content.decode()
    assert "一并作废" in confirm and measure.summary in confirm
    refused = client.post(reverse("problem_void", args=[measure.problem_id]), {"reason": ""})
    assert refused.status_code == 422 and Problem.objects.filter(pk=measure.problem_id).exists()
    done = client.post(reverse("problem_void", args=[measure.problem_id]), {"reason": "重复导入"})
    assert done.status_code == 302
    assert not Measure.objects.filter(pk=measure.pk).exists()
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert "已作废" in page and "重复导入" in page and 'id="void-link"' not in page
    # No step is offered on a voided measure, and one posted anyway is refused by the service.
    assert 'name="target"' not in page
    response = client.post(reverse("measure_transition", args=[measure.pk]), {"target": "in_progress"})
    assert response.status_code == 409
    assert Measure.all_objects.get(pk=measure.pk).status == "planned"


def test_a_reviewer_restores(client_for: Any, organizer: Any, measure: Measure) -> None:
    corrections.void_measure(measure, actor=organizer, reason="误录入")
    assert client_for("organizer").post(reverse("measure_restore", args=[measure.pk])).status_code == 403
    client = client_for("reviewer")
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert 'id="restore-link"' in page
    assert "误录入" in client.get(reverse("measure_restore", args=[measure.pk])).content.decode()
    assert client.post(reverse("measure_restore", args=[measure.pk]), {"reason": ""}).status_code == 302
    assert Measure.objects.filter(pk=measure.pk).exists()


def test_the_organizer_edits_a_measure_and_its_commitments(
    client_for: Any, organizer: Any, measure: Measure
) -> None:
    client = client_for("organizer")
    assert client.get(reverse("measure_edit", args=[measure.pk])).status_code == 200
    response = client.post(
        reverse("measure_edit", args=[measure.pk]),
        {"summary": "改正后的措施", "text": "新的措施内容", "group": "", "problem": measure.problem_id},
    )
    assert response.status_code == 302
    client.post(
        reverse("commitment_add", args=[measure.pk]),
        {
            "new-text": "每月至少走访1次",
            "new-period": "month",
            "new-op": ">=",
            "new-value": "1",
            "new-unit": "次",
        },
    )
    commitment = measure.commitments.get()
    client.post(
        reverse("commitment_change", args=[commitment.pk]),
        {f"c{commitment.pk}-text": "每月至少走访2次", f"c{commitment.pk}-period": "month",
         f"c{commitment.pk}-op": ">=", f"c{commitment.pk}-value": "2", f"c{commitment.pk}-unit": "次"},
    )  # fmt: skip
    commitment.refresh_from_db()
    assert commitment.value == 2
    client.post(reverse("commitment_change", args=[commitment.pk]), {"op": "remove"})
    assert not measure.commitments.exists()
    history = client.get(reverse("measure_history", args=[measure.pk])).content.decode()
    assert "修改整改措施" in history and "改正后的措施" in history and "量化承诺" in history
    assert "summary" not in history and "commitments" not in history


def test_the_organizer_edits_a_problem_from_feedback_with_no_aspect(
    client_for: Any, round_: Any, measure: Measure
) -> None:
    aspect = round_.framework.aspects.first()
    client = client_for("organizer")
    response = client.post(
        reverse("problem_edit", args=[measure.problem_id]),
        {"summary": "改正后的问题", "text": "", "aspect": aspect.pk, "source": "supervision"},
    )
    assert response.status_code == 302
    problem = Problem.objects.get(pk=measure.problem_id)
    assert problem.aspect == aspect and problem.source == "supervision"
    page = client.get(reverse("problem_detail", args=[problem.pk])).content.decode()
    assert f"方面：（空） → {aspect.name}" in page and "问题来源：自我查摆 → 督导反馈" in page


def test_the_ledger_and_its_export_filter_voided_measures(
    client_for: Any, organizer: Any, round_: Any, make_measure: Any
) -> None:
    kept = make_measure()
    voided = make_measure()
    corrections.void_measure(voided, actor=organizer, reason="误录入")
    client = client_for("viewer")
    url = reverse("round_detail", args=[round_.pk])
    default = client.get(url).content.decode()
    assert kept.summary in default and f'data-measure="{voided.pk}"' not in default
    both = client.get(url + "?void=all").content.decode()
    assert f'data-measure="{voided.pk}"' in both and "已作废" in both
    only = client.get(reverse("ledger_list") + "?void=only").content.decode()
    assert f'data-measure="{voided.pk}"' in only and f'data-measure="{kept.pk}"' not in only

    def statuses(query: str) -> list[str]:
        data = client.get(reverse("report_ledger", args=[round_.pk]) + query).content
        sheet = load_workbook(io.BytesIO(data)).active
        return [str(c.value) for row in sheet.iter_rows() for c in row if c.value]

    assert not any("已作废" in v for v in statuses(""))
    assert any(v.startswith("已作废") for v in statuses("?void=all"))
    exported = imports.ledger_rows(round_, "only")
    assert [r.status for r in exported] == ["已作废（原为未开始）"]


# --- repeated imports and drafts ---------------------------------------------------------------------


def test_a_repeated_document_is_flagged_and_needs_the_explicit_choice(
    client_for: Any, organizer: Any, round_: Any, owner: Any
) -> None:
    first = imports.draft_from_text(round_, actor=organizer, text=DOCUMENT, name="第一次.txt")
    imports.confirm_draft(first, actor=organizer)
    count = Measure.objects.filter(round=round_).count()
    # The same text pasted again, with other spacing and punctuation.
    again = imports.draft_from_text(
        round_, actor=organizer, text=DOCUMENT.replace("，", ",").replace("\n\n", "\n"), name="第二次"
    )
    client = client_for("organizer")
    page = client.get(reverse("draft_preview", args=[again.pk])).content.decode()
    assert "可能重复导入" in page and "已导入过本轮次" in page
    assert reverse("draft_preview", args=[first.pk]) in page and "organizer" in page
    assert 'name="repeat"' in page
    refused = client.post(reverse("draft_confirm", args=[again.pk]))
    assert refused.status_code == 409 and "仍然导入" in refused.content.decode()
    assert Measure.objects.filter(round=round_).count() == count
    assert ImportDraft.objects.get(pk=again.pk).confirmed_at is None  # nothing is lost
    assert client.post(reverse("draft_confirm", args=[again.pk]), {"repeat": "1"}).status_code == 302
    assert Measure.objects.filter(round=round_).count() == 2 * count
    event = Event.objects.filter(event_type=EventType.DRAFT_CONFIRMED, target_id=str(again.pk)).get()
    assert event.new["repeat"] is True


def test_most_items_already_in_the_round_flag_a_document(organizer: Any, round_: Any) -> None:
    imports.confirm_draft(imports.draft_from_text(round_, actor=organizer, text=DOCUMENT), actor=organizer)
    changed = DOCUMENT.replace("县委常委班子2025年度", "县委常委班子（修订稿）2025年度").replace(
        "2. 调查研究不够扎实，深入基层不多。", "2. 调查研究不够扎实，深入基层不多。\n3. 新增的问题一项。"
    )
    draft = imports.draft_from_text(round_, actor=organizer, text=changed)
    repeat = imports.find_repeat(draft)
    assert repeat is not None and not repeat.same_text and repeat.matched >= repeat.total / 2
    other = imports.draft_from_text(
        round_, actor=organizer, text="存在的问题\n1. 完全不同的问题。\n整改措施\n1. 完全不同的措施。"
    )
    assert imports.find_repeat(other) is None


def test_drafts_are_listed_and_discarded_by_their_creator_or_an_organizer(
    client_for: Any, organizer: Any, round_: Any
) -> None:
    draft = imports.draft_from_text(round_, actor=organizer, text=DOCUMENT, name="待放弃.txt")
    client = client_for("organizer")
    page = client.get(reverse("round_detail", args=[round_.pk])).content.decode()
    assert "待确认的导入" in page and reverse("draft_discard", args=[draft.pk]) in page
    assert client_for("outsider").post(reverse("draft_discard", args=[draft.pk])).status_code == 404
    assert client_for("viewer").post(reverse("draft_discard", args=[draft.pk])).status_code == 403
    response = client_for("organizer").post(reverse("draft_discard", args=[draft.pk]), {"next": "round"})
    assert response.status_code == 302 and response["Location"] == reverse("round_detail", args=[round_.pk])
    assert not ImportDraft.objects.filter(pk=draft.pk).exists()
    event = Event.objects.get(event_type=EventType.DRAFT_DISCARDED)
    assert event.old["name"] == "待放弃.txt" and event.old["problems"] == 2
    confirmed = imports.draft_from_text(round_, actor=organizer, text=DOCUMENT)
    imports.confirm_draft(confirmed, actor=organizer)
    assert client_for("organizer").post(reverse("draft_discard", args=[confirmed.pk])).status_code == 409


def test_dashboards_and_home_leave_voided_measures_out(
    client_for: Any, organizer: Any, round_: Any, make_measure: Any
) -> None:
    make_measure()
    corrections.void_measure(make_measure(), actor=organizer, reason="误录入")
    client = client_for("organizer")
    assert client.get(reverse("org_dashboard") + "?year=all").context["totals"]["total"] == 1
    assert client.get(reverse("round_dashboard", args=[round_.pk])).status_code == 200
    from luoshi.ledger.views import _dashboard_context

    request = client.get(reverse("home")).wsgi_request
    assert _dashboard_context(request, round_, "")["rates"].total == 1
    body = client.get(reverse("home")).content.decode()
    assert "问题 2 个，整改措施 1 项" in body  # its problem is not voided
