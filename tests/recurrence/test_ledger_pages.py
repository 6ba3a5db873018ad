"""A confirmed recurrence shows on the ledger's own pages: the new problem says 以往提出过, the earlier
problem's history says 整改不彻底 with the 举一反三 that was done, in Chinese."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from luoshi.recurrence import services
from luoshi.recurrence.services import FeedbackEntry
from tests.recurrence.history import History

RESTATED = "督导发现，县里开会发文仍然偏多，基层反映报材料、填表格负担重"


def test_recurrence_on_problem_pages(client: Client, round_: Any, organizer: Any, history: History) -> None:
    batch = services.import_feedback(
        round_, [FeedbackEntry(RESTATED, RESTATED)], actor=organizer, kind="supervision", name="督导反馈"
    )
    problem = services.confirm_recurrence(
        batch.items.get(), actor=organizer, earlier=history.formalism, lessons="排查了全县各部门发文情况"
    )
    client.force_login(organizer)

    new_page = client.get(reverse("problem_detail", args=[problem.pk])).content.decode()
    assert "以往提出过" in new_page
    assert history.formalism.summary in new_page

    earlier_page = client.get(reverse("problem_detail", args=[history.formalism.pk])).content.decode()
    assert "整改不彻底" in earlier_page
    assert "举一反三：排查了全县各部门发文情况" in earlier_page
    assert "recurred_as" not in earlier_page and "lessons" not in earlier_page

    round_page = client.get(reverse("round_detail", args=[round_.pk])).content.decode()
    assert reverse("feedback_list", args=[round_.pk]) in round_page
    assert reverse("round_recurrences", args=[round_.pk]) in round_page
