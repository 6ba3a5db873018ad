"""催办 and 督办单: who may, how often, what the owner receives, escalation of what is not answered,
the one-page .docx, and every step in the measure's history."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger.history import measure_history
from luoshi.notices import supervision
from luoshi.notices.models import Delivery, Notice, OrderGrade, OrderState, SupervisionOrder
from tests.notices.conftest import TODAY, at, keys

D = datetime.timedelta
EAST_ASIA = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"


def test_urge_reaches_the_owner_at_once_and_is_in_the_history(
    measure: Any, organizer: Any, owner: Any
) -> None:
    with _on_commit():
        supervision.urge(measure, actor=organizer, message="请本周内报送进展")
    notice = Notice.objects.get(user=owner)
    assert "催办" in notice.text and "请本周内报送进展" in notice.text
    assert notice.url == f"/measures/{measure.pk}/"
    assert Delivery.objects.get(rule="urge", recipient=owner).state == "sent"
    event = Event.objects.get(event_type=EventType.MEASURE_URGED)
    assert event.actor == organizer and event.new["message"] == "请本周内报送进展"
    entry = [e for e in measure_history(measure, show_actors=True) if e.title == "催办"]
    assert entry and "留言：请本周内报送进展" in entry[0].details


def test_urge_at_most_once_per_measure_per_day(measure: Any, organizer: Any, reviewer: Any) -> None:
    supervision.urge(measure, actor=organizer, today=TODAY)
    with pytest.raises(Conflict, match="今天已催办"):
        supervision.urge(measure, actor=reviewer, today=TODAY)
    supervision.urge(measure, actor=reviewer, today=TODAY + D(days=1))
    assert measure.urges.count() == 2


def test_who_may_urge(measure: Any, owner: Any, other_member: Any, viewer: Any, reviewer: Any) -> None:
    for person in (owner, other_member, viewer):
        with pytest.raises(NotAllowed):
            supervision.urge(measure, actor=person)
    supervision.urge(measure, actor=reviewer)


def test_closed_or_submitted_measures_are_not_urged(make_measure: Callable[..., Any], organizer: Any) -> None:
    for status in ("closed", "submitted"):
        with pytest.raises(Conflict):
            supervision.urge(make_measure(status=status), actor=organizer)


def test_bulk_urge_skips_only_what_is_refused(make_measure: Callable[..., Any], organizer: Any) -> None:
    first, closed, third = make_measure(), make_measure(status="closed"), make_measure()
    supervision.urge(third, actor=organizer)
    result = supervision.urge_many([first, closed, third], actor=organizer, message="抓紧")
    assert result.urged == [first]
    assert [m for m, _reason in result.skipped] == [closed, third]


@pytest.mark.parametrize(
    ("status", "days_left", "grade"),
    [
        ("in_progress", -1, OrderGrade.RED),
        ("returned", 30, OrderGrade.YELLOW),
        ("in_progress", 7, OrderGrade.BLUE),
        ("in_progress", 8, None),
        ("closed", -5, None),
    ],
)
def test_suggested_grade(
    make_measure: Callable[..., Any], status: str, days_left: int, grade: OrderGrade | None
) -> None:
    today = timezone.localdate()
    measure = make_measure(status=status, baseline_deadline=today + D(days=days_left))
    assert supervision.suggest_grade(measure, today) == grade


def test_order_numbered_per_issuing_office_and_year(make_measure: Callable[..., Any], reviewer: Any) -> None:
    one = supervision.issue_order(
        make_measure(), actor=reviewer, grade="blue", reason="时限临近", today=TODAY
    )
    two = supervision.issue_order(make_measure(), actor=reviewer, grade="red", reason="已逾期", today=TODAY)
    assert (one.title, two.title) == ("督办〔2026〕1号", "督办〔2026〕2号")
    assert one.reply_deadline == TODAY + D(days=5)
    assert one.organization.name == "示范县"


def test_order_checks(measure: Any, reviewer: Any, owner: Any) -> None:
    with pytest.raises(Invalid):
        supervision.issue_order(measure, actor=reviewer, grade="green", reason="x")
    with pytest.raises(Invalid):
        supervision.issue_order(measure, actor=reviewer, grade="red", reason=" ")
    with pytest.raises(Invalid):
        supervision.issue_order(
            measure, actor=reviewer, grade="red", reason="x", reply_deadline=TODAY - D(days=1), today=TODAY
        )
    with pytest.raises(NotAllowed):
        supervision.issue_order(measure, actor=owner, grade="red", reason="x")


def test_order_acknowledged_and_answered_by_the_owner(measure: Any, reviewer: Any, owner: Any) -> None:
    with _on_commit():
        order = supervision.issue_order(measure, actor=reviewer, grade="yellow", reason="进度滞后")
    assert "收到黄色督办单" in Notice.objects.get(user=owner).text
    with pytest.raises(NotAllowed):
        supervision.acknowledge(order, actor=reviewer)
    supervision.acknowledge(order, actor=owner)
    with pytest.raises(Conflict):
        supervision.acknowledge(order, actor=owner)
    with _on_commit():
        supervision.reply(order, actor=owner, text="已召开专题会，本月底完成")
    order.refresh_from_db()
    assert order.state == OrderState.REPLIED and order.replied_by == owner
    assert Notice.objects.filter(user=reviewer, text__contains="已反馈").exists()
    titles = [e.title for e in measure_history(measure, show_actors=True)]
    assert [t for t in titles if "督办单" in t] == ["签发督办单", "签收督办单", "反馈督办单"]


def test_unacknowledged_and_unanswered_orders_escalate(
    measure: Any, reviewer: Any, owner: Any, run_at: Callable[..., Any]
) -> None:
    order = supervision.issue_order(measure, actor=reviewer, grade="red", reason="已逾期", today=TODAY)
    SupervisionOrder.objects.filter(pk=order.pk).update(issued_at=at(TODAY))
    run_at(TODAY + D(days=1))
    assert keys(rule="order_unacknowledged") == []
    run_at(TODAY + D(days=2))
    assert keys(rule="order_unacknowledged") == [("order_unacknowledged", "ack", "reviewer")]
    supervision.acknowledge(order, actor=owner)
    run_at(order.reply_deadline)
    assert keys(rule="order_unanswered") == []
    run_at(order.reply_deadline + D(days=1))
    assert keys(rule="order_unanswered") == [("order_unanswered", "reply", "reviewer")]
    assert Event.objects.filter(event_type=EventType.MEASURE_ESCALATED).count() == 2
    titles = [e.title for e in measure_history(measure, show_actors=True)]
    assert titles.count("提级督办") == 2


def test_order_document_is_one_page_in_the_official_layout(measure: Any, reviewer: Any, owner: Any) -> None:
    from docx import Document

    from luoshi.notices.documents import order_document

    order = supervision.issue_order(measure, actor=reviewer, grade="red", reason="逾期未完成", today=TODAY)
    supervision.acknowledge(order, actor=owner)
    order.refresh_from_db()
    document = Document(io.BytesIO(order_document(order)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "示范县督办单" in text and "督办〔2026〕1号" in text
    assert "红色督办（已超过完成时限）" in cells and "逾期未完成" in cells
    assert any("2026年3月15日" in c for c in cells)  # 限期反馈
    assert any(c.startswith("owner") for c in cells)  # 签收
    section = document.sections[0]
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    fonts = {r.element.rPr.rFonts.get(EAST_ASIA) for p in document.paragraphs for r in p.runs}
    fonts |= {
        r.element.rPr.rFonts.get(EAST_ASIA)
        for row in document.tables[0].rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
    }
    assert {"方正小标宋简体", "仿宋_GB2312", "黑体"} <= fonts


@pytest.mark.skipif(
    not shutil.which("soffice") or not shutil.which("pdfinfo"), reason="需要 LibreOffice 和 poppler"
)
def test_order_document_renders_on_one_page(measure: Any, reviewer: Any, owner: Any, tmp_path: Any) -> None:
    from luoshi.notices.documents import order_document

    long_reason = "该措施已超过完成时限，整改进度明显滞后，群众反映强烈。" * 6
    order = supervision.issue_order(measure, actor=reviewer, grade="red", reason=long_reason, today=TODAY)
    supervision.reply(order, actor=owner, text="已制定补救方案，明确专人负责，月底前完成。" * 4)
    order.refresh_from_db()
    source = tmp_path / "order.docx"
    source.write_bytes(order_document(order))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "order.pdf")], check=True, capture_output=True, text=True
    )
    assert re.search(r"^Pages:\s+1$", info.stdout, re.MULTILINE)


class _on_commit:
    """Run the on-commit callbacks the service registered (tests run inside one transaction)."""

    def __enter__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.before = len(connection.run_on_commit)

    def __exit__(self, *exc: Any) -> None:
        callbacks = self.connection.run_on_commit[self.before :]
        del self.connection.run_on_commit[self.before :]
        for _sids, func, _robust in callbacks:
            func()
