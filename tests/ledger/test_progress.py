"""Progress updates, evidence files and extensions: who may, what is checked, what is recorded."""

from __future__ import annotations

import datetime
import hashlib
import io
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger import progress
from luoshi.ledger.models import Evidence, Extension, ProgressUpdate
from luoshi.ledger.services import transition
from luoshi.ledger.states import MeasureStatus
from luoshi.notices.models import Notice
from luoshi.orgs.models import Member, RoleAssignment

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 32


def zip_bytes(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def events(kind: EventType) -> list[Event]:
    return list(Event.objects.filter(event_type=kind))


# --- record_progress -----------------------------------------------------------------------------


def test_owner_records_progress_with_two_files(measure: Any, owner: Any) -> None:
    update = progress.record_progress(
        measure,
        actor=owner,
        date=TODAY,
        text="召开专题会议，制定方案",
        files=[upload("会议纪要.pdf", PDF), upload("现场.png", PNG)],
        evidence_date=YESTERDAY,
        statement="会议纪要和现场照片",
    )
    assert ProgressUpdate.objects.get() == update
    items = list(update.evidence.order_by("id"))
    assert [e.original_name for e in items] == ["会议纪要.pdf", "现场.png"]
    assert items[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert items[0].size == len(PDF)
    assert items[0].content_type == "application/pdf"
    assert all(e.evidence_date == YESTERDAY for e in items)
    # Stored under MEDIA_ROOT with an opaque name, never the uploaded name.
    path = Path(items[0].file.path)
    assert path.read_bytes() == PDF
    assert Path(settings.MEDIA_ROOT) in path.parents
    assert "会议纪要" not in items[0].file.name
    (event,) = events(EventType.PROGRESS_RECORDED)
    assert event.actor == owner
    assert event.target_id == str(measure.pk)
    assert [e["name"] for e in event.new["evidence"]] == ["会议纪要.pdf", "现场.png"]
    assert event.new["evidence"][0]["sha256"] == items[0].sha256


def test_progress_without_evidence(measure: Any, owner: Any) -> None:
    update = progress.record_progress(measure, actor=owner, date=TODAY, text="推进中")
    assert update.evidence.count() == 0
    assert len(events(EventType.PROGRESS_RECORDED)) == 1


def test_statement_only_evidence(measure: Any, owner: Any) -> None:
    update = progress.record_progress(
        measure, actor=owner, date=TODAY, text="推进中", statement="已走访10户", evidence_date=TODAY
    )
    (item,) = update.evidence.all()
    assert item.statement == "已走访10户"
    assert not item.file


def test_organizer_records_on_the_owners_behalf(measure: Any, organizer: Any) -> None:
    progress.record_progress(measure, actor=organizer, date=TODAY, text="代为填报")
    assert ProgressUpdate.objects.get().author == organizer


@pytest.mark.parametrize("who", ["outsider", "other_member", "reviewer", "viewer"])
def test_others_cannot_record_progress(request: pytest.FixtureRequest, measure: Any, who: str) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        progress.record_progress(
            measure, actor=actor, date=TODAY, text="x", files=[upload("a.pdf", PDF)], evidence_date=TODAY
        )
    with pytest.raises(NotAllowed):
        progress.add_evidence(measure, actor=actor, files=[upload("a.pdf", PDF)], evidence_date=TODAY)
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("报告.pdf", b"MZ\x90\x00 not a pdf", "内容与扩展名"),
        ("照片.jpg", PNG, "内容与扩展名"),
        ("纪要.docx", zip_bytes("xl/workbook.xml"), "内容与扩展名"),
        ("表格.xlsx", zip_bytes("word/document.xml"), "内容与扩展名"),
        ("伪装.docx", PDF, "内容与扩展名"),
        ("说明.txt", b"\x00\x01\x02binary", "内容与扩展名"),
        ("程序.exe", b"MZ\x90\x00", "类型不允许"),
        ("脚本.html", b"<script>alert(1)</script>", "类型不允许"),
        ("无扩展名", PDF, "类型不允许"),
        ("空.pdf", b"", "空文件"),
    ],
)
def test_bad_file_is_refused_by_name_and_nothing_is_saved(
    measure: Any, owner: Any, name: str, data: bytes, why: str
) -> None:
    with pytest.raises(Invalid) as caught:
        progress.record_progress(
            measure,
            actor=owner,
            date=TODAY,
            text="进展",
            files=[upload("好的.pdf", PDF), upload(name, data)],
            evidence_date=TODAY,
        )
    assert name in caught.value.message
    assert why in caught.value.message
    assert not ProgressUpdate.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files() == []
    assert not events(EventType.PROGRESS_RECORDED)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.pdf", PDF),
        ("b.JPG", JPEG),
        ("c.jpeg", JPEG),
        ("d.png", PNG),
        ("e.docx", zip_bytes("word/document.xml")),
        ("f.xlsx", zip_bytes("xl/workbook.xml")),
        ("g.doc", OLE),
        ("h.xls", OLE),
        ("i.txt", "走访记录".encode("gb18030")),
        ("j.zip", zip_bytes("照片/1.jpg")),
    ],
)
def test_every_allowed_type_passes(measure: Any, owner: Any, name: str, data: bytes) -> None:
    (item,) = progress.add_evidence(measure, actor=owner, files=[upload(name, data)], evidence_date=TODAY)
    assert item.original_name == name
    assert Path(item.file.path).read_bytes() == data


def test_size_limit_names_the_file(measure: Any, owner: Any, settings: Any) -> None:
    settings.LUOSHI_MAX_UPLOAD_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(Invalid) as caught:
        progress.add_evidence(measure, actor=owner, files=[upload("大文件.pdf", big)], evidence_date=TODAY)
    assert "大文件.pdf" in caught.value.message
    assert "1 MB" in caught.value.message
    assert stored_files() == []


def test_dates_are_checked(measure: Any, owner: Any) -> None:
    tomorrow = TODAY + datetime.timedelta(days=1)
    with pytest.raises(Invalid, match="进展日期不能晚于今天"):
        progress.record_progress(measure, actor=owner, date=tomorrow, text="x")
    with pytest.raises(Invalid, match="请填写佐证日期"):
        progress.record_progress(
            measure, actor=owner, date=TODAY, text="x", files=[upload("a.pdf", PDF)], evidence_date=None
        )
    with pytest.raises(Invalid, match="请填写进展情况"):
        progress.record_progress(measure, actor=owner, date=TODAY, text="  ")
    assert stored_files() == []


def test_a_database_failure_removes_the_files_written(measure: Any, owner: Any, monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(progress, "record", broken)
    with pytest.raises(RuntimeError):
        progress.record_progress(
            measure, actor=owner, date=TODAY, text="x", files=[upload("a.pdf", PDF)], evidence_date=TODAY
        )
    assert stored_files() == []
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("status", ["submitted", "closed"])
def test_no_progress_while_submitted_or_closed(make_measure: Any, owner: Any, status: str) -> None:
    measure = make_measure(status=status, outcome="完成")
    with pytest.raises(Conflict):
        progress.record_progress(measure, actor=owner, date=TODAY, text="x")
    with pytest.raises(Conflict):
        progress.add_evidence(measure, actor=owner, statement="补充", evidence_date=TODAY)


def test_add_evidence_needs_something(measure: Any, owner: Any) -> None:
    with pytest.raises(Invalid):
        progress.add_evidence(measure, actor=owner, evidence_date=TODAY)
    progress.add_evidence(measure, actor=owner, statement="说明", evidence_date=TODAY)
    assert len(events(EventType.EVIDENCE_ADDED)) == 1


# --- extensions ----------------------------------------------------------------------------------


def later(measure: Any, days: int = 30) -> datetime.date:
    return measure.current_deadline + datetime.timedelta(days=days)


def test_owner_requests_an_extension_and_reviewers_are_told(
    measure: Any, owner: Any, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        extension = progress.request_extension(
            measure, actor=owner, requested_deadline=later(measure), reason="需协调多部门"
        )
    assert extension.status == Extension.Status.REQUESTED
    (event,) = events(EventType.EXTENSION_REQUESTED)
    assert event.new["reason"] == "需协调多部门"
    notice = Notice.objects.get(user=reviewer)
    assert notice.url == f"/measures/{measure.pk}/"
    assert notice.topic == f"extension:extension:{extension.pk}"
    # the round's organizers hear of it too (luoshi.notices, inbox and channels)
    assert {n.user.username for n in Notice.objects.all()} == {"reviewer", "organizer"}


def test_reviewers_above_are_told_not_the_owner_nor_outsiders(
    make_user: Any, measure: Any, owner: Any, reviewer: Any, town: Any, elsewhere: Any
) -> None:
    town_reviewer = make_user("town_reviewer")
    RoleAssignment.objects.create(user=town_reviewer, organization=town, role="reviewer")
    far_reviewer = make_user("far_reviewer")
    RoleAssignment.objects.create(user=far_reviewer, organization=elsewhere, role="reviewer")
    RoleAssignment.objects.create(user=owner, organization=measure.round.team.organization, role="reviewer")
    assert progress.reviewers_of(measure, exclude=[owner.pk]) == [reviewer]


def test_extension_rules(measure: Any, owner: Any) -> None:
    with pytest.raises(Invalid, match="须晚于当前完成时限"):
        progress.request_extension(
            measure, actor=owner, requested_deadline=measure.current_deadline, reason="r"
        )
    with pytest.raises(Invalid, match="延期理由"):
        progress.request_extension(measure, actor=owner, requested_deadline=later(measure), reason=" ")
    progress.request_extension(measure, actor=owner, requested_deadline=later(measure), reason="r")
    with pytest.raises(Conflict, match="已有待审批"):
        progress.request_extension(measure, actor=owner, requested_deadline=later(measure, 60), reason="r")


def test_no_extension_for_a_closed_measure(make_measure: Any, owner: Any) -> None:
    measure = make_measure(status="closed")
    with pytest.raises(Conflict):
        progress.request_extension(measure, actor=owner, requested_deadline=later(measure), reason="r")


@pytest.mark.parametrize("who", ["outsider", "other_member", "reviewer", "viewer"])
def test_others_cannot_request_an_extension(request: pytest.FixtureRequest, measure: Any, who: str) -> None:
    with pytest.raises(NotAllowed):
        progress.request_extension(
            measure, actor=request.getfixturevalue(who), requested_deadline=later(measure), reason="r"
        )
    assert not Extension.objects.exists()


def test_approval_moves_the_current_deadline_not_the_baseline(
    measure: Any, owner: Any, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    baseline = measure.baseline_deadline
    extension = progress.request_extension(
        measure, actor=owner, requested_deadline=later(measure), reason="r"
    )
    with django_capture_on_commit_callbacks(execute=True):
        progress.decide_extension(extension, actor=reviewer, approve=True, note="同意")
    measure.refresh_from_db()
    extension.refresh_from_db()
    assert extension.status == Extension.Status.APPROVED
    assert extension.decided_by == reviewer
    assert measure.current_deadline == later(measure, 0) == extension.requested_deadline
    assert measure.baseline_deadline == baseline
    assert measure.extended
    (event,) = events(EventType.EXTENSION_DECIDED)
    assert event.old["current_deadline"] == baseline.isoformat()
    assert event.new["baseline_deadline"] == baseline.isoformat()
    (notice,) = Notice.objects.filter(user=owner)
    assert "已批准" in notice.text
    with pytest.raises(Conflict):
        progress.decide_extension(extension, actor=reviewer, approve=False, note="改主意")


def test_denial_needs_a_note_and_keeps_the_deadline(measure: Any, owner: Any, reviewer: Any) -> None:
    deadline = measure.current_deadline
    extension = progress.request_extension(
        measure, actor=owner, requested_deadline=later(measure), reason="r"
    )
    with pytest.raises(Invalid):
        progress.decide_extension(extension, actor=reviewer, approve=False, note="")
    progress.decide_extension(extension, actor=reviewer, approve=False, note="理由不充分")
    measure.refresh_from_db()
    assert measure.current_deadline == deadline
    assert Extension.objects.get().decision_note == "理由不充分"


@pytest.mark.parametrize("who", ["outsider", "other_member", "owner", "organizer", "viewer"])
def test_only_reviewers_decide(request: pytest.FixtureRequest, measure: Any, owner: Any, who: str) -> None:
    extension = progress.request_extension(
        measure, actor=owner, requested_deadline=later(measure), reason="r"
    )
    with pytest.raises(NotAllowed):
        progress.decide_extension(extension, actor=request.getfixturevalue(who), approve=True)
    assert Extension.objects.get().status == Extension.Status.REQUESTED


def test_a_reviewer_cannot_decide_their_own_measure(make_measure: Any, reviewer: Any, team: Any) -> None:
    member = Member.objects.create(team=team, name="周正", position="常委", user=reviewer)
    measure = make_measure(status="in_progress", owner=member)
    extension = progress.request_extension(
        measure, actor=reviewer, requested_deadline=later(measure), reason="r"
    )
    with pytest.raises(NotAllowed, match="责任人"):
        progress.decide_extension(extension, actor=reviewer, approve=True)


def test_a_reviewer_cannot_decide_their_own_request(measure: Any, make_user: Any, county: Any) -> None:
    both = make_user("both")
    RoleAssignment.objects.create(user=both, organization=county, role="organizer")
    RoleAssignment.objects.create(user=both, organization=county, role="reviewer")
    extension = progress.request_extension(measure, actor=both, requested_deadline=later(measure), reason="r")
    with pytest.raises(NotAllowed, match="申请人"):
        progress.decide_extension(extension, actor=both, approve=True)


# --- notices from the workflow -------------------------------------------------------------------


def test_workflow_notices(
    make_measure: Any, owner: Any, reviewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    measure = make_measure(status="in_progress")
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="已完成")
    assert [n.user for n in Notice.objects.filter(user=reviewer)] == [reviewer]
    assert Notice.objects.exclude(user=reviewer).get().user.username == "organizer"
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, MeasureStatus.RETURNED, actor=reviewer, reason="佐证不足")
    returned = Notice.objects.get(user=owner)
    assert "佐证不足" in returned.text
    assert returned.url == f"/measures/{measure.pk}/"
    transition(measure, MeasureStatus.IN_PROGRESS, actor=owner)
    transition(measure, MeasureStatus.SUBMITTED, actor=owner, outcome="已补充")
    with django_capture_on_commit_callbacks(execute=True):
        transition(measure, MeasureStatus.CLOSED, actor=reviewer)
    assert Notice.objects.filter(user=owner, text__contains="销号").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_leave_one_pending_and_one_decision(
    measure: Any, owner: Any, organizer: Any, reviewer: Any, make_user: Any, county: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole database)")
    second_reviewer = make_user("reviewer2")
    RoleAssignment.objects.create(user=second_reviewer, organization=county, role="reviewer")

    def race(calls: list[Callable[[], Any]]) -> list[BaseException]:
        barrier = threading.Barrier(len(calls))
        errors: list[BaseException] = []

        def run(call: Callable[[], Any]) -> None:
            try:
                barrier.wait()
                call()
            except BaseException as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(call,)) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return errors

    errors = race(
        [
            lambda: progress.request_extension(
                measure, actor=owner, requested_deadline=later(measure), reason="a"
            ),
            lambda: progress.request_extension(
                measure, actor=organizer, requested_deadline=later(measure, 60), reason="b"
            ),
        ]
    )
    assert [type(e) for e in errors] == [Conflict]
    extension = Extension.objects.get()
    errors = race(
        [
            lambda: progress.decide_extension(extension, actor=reviewer, approve=True),
            lambda: progress.decide_extension(extension, actor=second_reviewer, approve=False, note="不同意"),
        ]
    )
    assert [type(e) for e in errors] == [Conflict]
    assert Event.objects.filter(event_type=EventType.EXTENSION_DECIDED).count() == 1
    measure.refresh_from_db()
    extension.refresh_from_db()
    assert (measure.current_deadline == extension.requested_deadline) == (extension.status == "approved")
