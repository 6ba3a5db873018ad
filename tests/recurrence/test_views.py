"""The recurrence pages: import, review, decide, 以往提出过; 404 for outsiders; fixed query counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse

from luoshi.audit.models import Event, EventType
from luoshi.ledger.models import Problem
from luoshi.recurrence import services
from luoshi.recurrence.models import Decision, FeedbackBatch, FeedbackItem
from luoshi.recurrence.services import FeedbackEntry
from tests.recurrence.history import NEW_ITEM, RESTATED, History

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def as_user(client: Client) -> Any:
    def login(user: Any) -> Client:
        client.force_login(user)
        return client

    return login


@pytest.fixture
def batch(round_: Any, organizer: Any, history: History) -> FeedbackBatch:
    return services.import_feedback(
        round_,
        [FeedbackEntry(RESTATED, RESTATED), FeedbackEntry(NEW_ITEM, NEW_ITEM)],
        actor=organizer,
        kind="supervision",
        name="县委第二督导组反馈",
    )


def _items(batch: FeedbackBatch) -> list[FeedbackItem]:
    return list(batch.items.order_by("order"))


# --- import -------------------------------------------------------------------------------------


def test_organizer_pastes_feedback_and_lands_on_the_review(
    as_user: Any, organizer: Any, round_: Any, history: History
) -> None:
    client = as_user(organizer)
    page = client.get(reverse("feedback_list", args=[round_.pk]))
    assert page.status_code == 200 and "导入反馈" in page.content.decode()
    response = client.post(
        reverse("feedback_list", args=[round_.pk]),
        {"kind": "inspection", "name": "", "pasted": f"1. {RESTATED}\n2. {NEW_ITEM}"},
        follow=True,
    )
    batch = FeedbackBatch.objects.get(round=round_)
    assert response.redirect_chain[-1][0] == reverse("feedback_batch", args=[batch.pk])
    body = response.content.decode()
    assert "已导入 2 条反馈事项" in body
    assert "系统建议：反复出现" in body and history.formalism.summary in body
    assert "验收意见：发文数量压减25%，验收通过" in body  # how the earlier measure was closed
    assert batch.kind == "inspection" and batch.name.startswith("巡察反馈")
    # Similarity in words, the score on hover only.
    assert re.search(
        r'class="score similarity \w+" title="相似度 0\.\d\d（0–1）">相似度[高中低]</span>', body
    )
    assert not re.search(r">\s*0\.\d\d\s*<", body)


def test_organizer_uploads_a_document(as_user: Any, organizer: Any, round_: Any, history: History) -> None:
    text = f"督导反馈意见\n一、存在的主要问题\n（一）工作作风方面。一是{RESTATED}。二是{NEW_ITEM}。\n"
    upload = SimpleUploadedFile("督导反馈.txt", text.encode("gb18030"), content_type="text/plain")
    response = as_user(organizer).post(
        reverse("feedback_list", args=[round_.pk]), {"kind": "supervision", "document": upload}
    )
    assert response.status_code == 302
    batch = FeedbackBatch.objects.get(round=round_)
    assert batch.name == "督导反馈.txt" and batch.items.count() == 2
    assert batch.items.get(order=1).aspect_label == "工作作风"


def test_organizer_uploads_a_word_document(
    as_user: Any, organizer: Any, round_: Any, history: History
) -> None:
    import io

    from docx import Document

    document = Document()
    document.add_paragraph("巡察反馈意见")
    document.add_paragraph("一、存在的主要问题")
    document.add_paragraph(f"（一）工作作风方面。一是{RESTATED}。二是{NEW_ITEM}。")
    buffer = io.BytesIO()
    document.save(buffer)
    upload = SimpleUploadedFile("巡察反馈.docx", buffer.getvalue())
    response = as_user(organizer).post(
        reverse("feedback_list", args=[round_.pk]), {"kind": "inspection", "document": upload}, follow=True
    )
    assert response.status_code == 200
    batch = FeedbackBatch.objects.get(round=round_)
    first = batch.items.get(order=1)
    assert batch.items.count() == 2 and first.suggested_id == history.formalism.pk


def test_an_unreadable_upload_is_a_chinese_422(as_user: Any, organizer: Any, round_: Any) -> None:
    upload = SimpleUploadedFile("反馈.pdf", b"%PDF-1.4 nothing", content_type="application/pdf")
    response = as_user(organizer).post(
        reverse("feedback_list", args=[round_.pk]), {"kind": "supervision", "document": upload}
    )
    assert response.status_code == 422 and "PDF" in response.content.decode()
    assert not FeedbackBatch.objects.exists()


def test_empty_import_form_says_what_is_missing(as_user: Any, organizer: Any, round_: Any) -> None:
    response = as_user(organizer).post(reverse("feedback_list", args=[round_.pk]), {"kind": "supervision"})
    assert response.status_code == 422 and "请上传反馈文档，或粘贴反馈事项" in response.content.decode()


def test_viewer_sees_batches_but_no_import_form_and_cannot_import(
    as_user: Any, viewer: Any, round_: Any, batch: FeedbackBatch
) -> None:
    client = as_user(viewer)
    page = client.get(reverse("feedback_list", args=[round_.pk])).content.decode()
    assert batch.name in page and "导入反馈" not in page
    response = client.post(reverse("feedback_list", args=[round_.pk]), {"kind": "supervision", "pasted": "x"})
    assert response.status_code == 403
    assert FeedbackBatch.objects.count() == 1


# --- review and decisions -----------------------------------------------------------------------


def test_review_page_for_viewer_has_no_decision_forms(
    as_user: Any, viewer: Any, batch: FeedbackBatch
) -> None:
    body = as_user(viewer).get(reverse("feedback_batch", args=[batch.pk])).content.decode()
    assert RESTATED in body and "系统建议：反复出现" in body
    assert "确认反复出现</button>" not in body


def test_confirm_recurrence_by_htmx_returns_the_decided_item(
    as_user: Any, organizer: Any, batch: FeedbackBatch, history: History
) -> None:
    item = _items(batch)[0]
    url = reverse("feedback_decide", args=[item.pk, "recurrence"])
    response = as_user(organizer).post(
        url, {"earlier": history.formalism.pk, "lessons": "排查了各部门发文情况"}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<article class="card feedback-item recurrence"')
    assert "已在其历史中记录“整改不彻底”" in body and "排查了各部门发文情况" in body
    problem = Problem.objects.get(round=batch.round)
    assert problem.recurrence_of == history.formalism
    assert Event.objects.filter(
        event_type=EventType.PROBLEM_RECURRED, target_id=str(history.formalism.pk)
    ).exists()


def test_confirm_without_lessons_is_422_and_keeps_the_item_pending(
    as_user: Any, organizer: Any, batch: FeedbackBatch, history: History
) -> None:
    item = _items(batch)[0]
    url = reverse("feedback_decide", args=[item.pk, "recurrence"])
    response = as_user(organizer).post(url, {"earlier": history.formalism.pk, "lessons": ""}, **HTMX)
    assert response.status_code == 422
    assert "确认反复出现须填写举一反三情况" in response.content.decode()
    item.refresh_from_db()
    assert item.is_pending and not Problem.objects.filter(round=batch.round).exists()


def test_new_and_dismiss_without_htmx_redirect_with_a_message(
    as_user: Any, organizer: Any, batch: FeedbackBatch
) -> None:
    first, second = _items(batch)
    client = as_user(organizer)
    # 新问题 first shows the problem it will create, then creates it once confirmed
    asked = client.post(reverse("feedback_decide", args=[second.pk, "new"]))
    assert asked.status_code == 200 and "确认列为新问题" in asked.content.decode()
    assert not Problem.objects.filter(round=batch.round).exists()
    response = client.post(
        reverse("feedback_decide", args=[second.pk, "new"]), {"confirmed": "1"}, follow=True
    )
    assert "已作为新问题列为第 1 号问题" in response.content.decode()
    response = client.post(reverse("feedback_decide", args=[first.pk, "dismiss"]), {"reason": ""})
    assert response.status_code == 422 and "不予采纳须填写理由" in response.content.decode()
    response = client.post(reverse("feedback_decide", args=[first.pk, "dismiss"]), {"reason": "与第1条重复"})
    assert response.status_code == 302
    assert FeedbackItem.objects.get(pk=first.pk).decision == Decision.DISMISSED


def test_a_second_decision_is_409(as_user: Any, organizer: Any, batch: FeedbackBatch) -> None:
    item = _items(batch)[1]
    client = as_user(organizer)
    client.post(reverse("feedback_decide", args=[item.pk, "new"]), {"confirmed": "1"}, **HTMX)
    response = client.post(reverse("feedback_decide", args=[item.pk, "dismiss"]), {"reason": "x"}, **HTMX)
    assert response.status_code == 409 and "已处理" in response.content.decode()
    again = client.post(reverse("feedback_decide", args=[item.pk, "new"]), **HTMX)
    assert again.status_code == 409 and "已处理" in again.content.decode()


def test_viewer_decision_is_403(as_user: Any, viewer: Any, batch: FeedbackBatch) -> None:
    item = _items(batch)[1]
    response = as_user(viewer).post(reverse("feedback_decide", args=[item.pk, "new"]), **HTMX)
    assert response.status_code == 403 and "组织者" in response.content.decode()
    item.refresh_from_db()
    assert item.is_pending


def test_choosing_a_problem_outside_the_history_is_404(
    as_user: Any, organizer: Any, batch: FeedbackBatch, elsewhere_history: History
) -> None:
    item = _items(batch)[0]
    response = as_user(organizer).post(
        reverse("feedback_decide", args=[item.pk, "recurrence"]),
        {"earlier": elsewhere_history.formalism.pk, "lessons": "已排查"},
    )
    assert response.status_code == 404


# --- 以往提出过 ----------------------------------------------------------------------------------


def test_round_recurrences_lists_earlier_rounds(
    as_user: Any, organizer: Any, viewer: Any, batch: FeedbackBatch, history: History
) -> None:
    item = _items(batch)[0]
    services.confirm_recurrence(item, actor=organizer, earlier=history.formalism, lessons="已排查")
    body = as_user(viewer).get(reverse("round_recurrences", args=[batch.round_id])).content.decode()
    assert "以往提出过" in body and "已确认反复出现" in body
    assert "2023 年 · 2023年度民主生活会" in body and history.formalism.summary in body


def test_earlier_problems_tag_renders_the_partial(
    rf: RequestFactory, organizer: Any, viewer: Any, outsider: Any, batch: FeedbackBatch, history: History
) -> None:
    problem = services.confirm_recurrence(
        _items(batch)[0], actor=organizer, earlier=history.formalism, lessons="已排查"
    )
    template = Template("{% load recurrence_tags %}{% earlier_problems problem %}")
    request = rf.get("/")
    request.user = viewer
    html = template.render(Context({"request": request, "problem": problem}))
    assert "以往提出过" in html and history.formalism.summary in html
    request.user = outsider
    request.__dict__.pop("_luoshi_recurrence_earlier")
    assert "以往提出过" not in template.render(Context({"request": request, "problem": problem}))


# --- permissions and query counts ---------------------------------------------------------------


def _urls(batch: FeedbackBatch) -> list[tuple[str, str]]:
    item = _items(batch)[0]
    return [
        ("get", reverse("feedback_list", args=[batch.round_id])),
        ("post", reverse("feedback_list", args=[batch.round_id])),
        ("get", reverse("feedback_batch", args=[batch.pk])),
        ("get", reverse("round_recurrences", args=[batch.round_id])),
        ("post", reverse("feedback_decide", args=[item.pk, "new"])),
        ("post", reverse("feedback_decide", args=[item.pk, "dismiss"])),
        ("post", reverse("feedback_decide", args=[item.pk, "recurrence"])),
    ]


@pytest.mark.parametrize("who", ["outsider", "town_organizer"])
def test_every_page_is_404_for_users_without_access(
    request: pytest.FixtureRequest, as_user: Any, batch: FeedbackBatch, history: History, who: str
) -> None:
    client = as_user(request.getfixturevalue(who))
    for method, url in _urls(batch):
        data = {"kind": "supervision", "pasted": RESTATED, "reason": "x", "lessons": "x"}
        data["earlier"] = str(history.formalism.pk)
        response = client.get(url) if method == "get" else client.post(url, data)
        assert response.status_code == 404, url
    assert FeedbackBatch.objects.count() == 1 and not Problem.objects.filter(round=batch.round).exists()


def test_anonymous_is_sent_to_login(client: Client, batch: FeedbackBatch) -> None:
    for method, url in _urls(batch):
        response = client.get(url) if method == "get" else client.post(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_review_page_queries_do_not_grow_with_items(
    as_user: Any, organizer: Any, batch: FeedbackBatch, django_assert_max_num_queries: Any
) -> None:
    client = as_user(organizer)
    url = reverse("feedback_batch", args=[batch.pk])
    client.get(url)  # the index is built once per process
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    baseline = len(few)  # read now: the next request resets the connection's query log
    for i in range(6):
        services.import_feedback(
            batch.round,
            [FeedbackEntry(f"会议多、文件多，基层负担重（{i}）", "")],
            actor=organizer,
            kind="supervision",
            name="more",
        )
    for extra, order in zip(FeedbackItem.objects.filter(batch__name="more"), range(10, 99), strict=False):
        FeedbackItem.objects.filter(pk=extra.pk).update(batch=batch, order=order)
    assert batch.items.count() == 8
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_round_recurrences_queries_do_not_grow_with_problems(
    as_user: Any, organizer: Any, round_: Any, history: History, django_assert_max_num_queries: Any
) -> None:
    client = as_user(organizer)
    url = reverse("round_recurrences", args=[round_.pk])
    Problem.objects.create(round=round_, number=1, summary=RESTATED)
    client.get(url)
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    baseline = len(few)  # read now: the next request resets the connection's query log
    for n in range(2, 10):
        Problem.objects.create(round=round_, number=n, summary=f"{NEW_ITEM}（{n}）")
    client.get(url)  # the index grows by the new problems
    with django_assert_max_num_queries(baseline):
        body = client.get(url).content.decode()
    assert body.count("以往提出过</div>") == 1


# --- 新问题 is confirmed on a page that shows the problem to be created ------------------------------


def test_new_problem_confirmation_shows_the_problem_to_be(
    as_user: Any, organizer: Any, viewer: Any, batch: FeedbackBatch
) -> None:
    item = _items(batch)[1]
    client = as_user(organizer)
    review = client.get(reverse("feedback_batch", args=[batch.pk])).content.decode()
    assert reverse("feedback_confirm_new", args=[item.pk]) in review
    page = client.get(reverse("feedback_confirm_new", args=[item.pk])).content.decode()
    for shown in ("确认列为新问题", batch.round.title, "第 1 号", item.summary, batch.name):
        assert shown in page, shown
    assert not Problem.objects.filter(round=batch.round).exists()
    # from the htmx form of the review page the confirmation opens as a page of its own
    asked = client.post(reverse("feedback_decide", args=[item.pk, "new"]), **HTMX)
    assert asked["HX-Redirect"] == reverse("feedback_confirm_new", args=[item.pk])
    assert not Problem.objects.filter(round=batch.round).exists()
    done = client.post(reverse("feedback_decide", args=[item.pk, "new"]), {"confirmed": "1"})
    assert done.status_code == 302
    assert Problem.objects.get(round=batch.round).summary == item.summary
    # once decided there is nothing left to confirm; a viewer may not decide at all
    assert client.get(reverse("feedback_confirm_new", args=[item.pk])).status_code == 409
    other = _items(batch)[0]
    assert as_user(viewer).get(reverse("feedback_confirm_new", args=[other.pk])).status_code == 403
