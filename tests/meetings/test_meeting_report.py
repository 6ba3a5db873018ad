"""会议情况报告: the .docx opened and its figures checked against the database; the download and
`luoshi report ROUND_ID --kind meeting -o FILE`."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from docx import Document

from luoshi.meetings import services_meeting as services
from luoshi.meetings.figures import opinion_figures, preparation_figures
from luoshi.meetings.models import Opinion, OpinionSource, StudySession, Talk
from luoshi.meetings.report import write_meeting_report

DAY = datetime.date(2025, 12, 20)


@pytest.fixture
def held_round(round_: Any, organizer: Any, meeting_members: dict[str, Any], previous_round: Any) -> Any:
    """A round whose preparation, meeting, 回头看 and criticisms are all recorded."""
    StudySession.objects.create(round=round_, date=DAY - datetime.timedelta(days=30), topic="集中学习")
    StudySession.objects.create(
        round=round_, date=DAY - datetime.timedelta(days=20), topic="研讨", seminar=True
    )
    for source, n in ((OpinionSource.PUBLIC, 3), (OpinionSource.FORUM, 2), (OpinionSource.BOX, 1)):
        for i in range(n):
            Opinion.objects.create(round=round_, source=source, text=f"意见{source}{i}")
    talk = Talk.objects.create(
        round=round_, initiator=meeting_members["li"], date=DAY - datetime.timedelta(days=10)
    )
    talk.partners.add(meeting_members["wang"], meeting_members["zhao"])
    meeting = services.register_meeting(
        round_, actor=organizer, date=DAY, place="县委常委会议室", host=meeting_members["li"]
    )
    services.record_attendance(
        meeting, actor=organizer, absences={meeting_members["zhao"].pk: "在省委党校学习"}
    )
    services.mark_held(meeting, actor=organizer)
    carried = round_.carried_measures.get(measure__status="in_progress")
    services.decide_carried(carried, "continue", actor=organizer, note="明年6月底前完成")
    wang_to_li = services.record_criticism(
        round_,
        actor=organizer,
        from_member=meeting_members["wang"],
        to_member=meeting_members["li"],
        text="调研不深入。",
    )
    services.record_criticism(
        round_,
        actor=organizer,
        from_member=meeting_members["li"],
        to_member=meeting_members["wang"],
        text="抓落实不够。",
    )
    services.record_criticism(
        round_,
        actor=organizer,
        from_member=meeting_members["zhao"],
        to_member=meeting_members["zhao"],
        text="学习不够。",
    )
    services.criticism_to_problem(wang_to_li, actor=organizer)
    return round_


def text_of(data: bytes) -> tuple[str, list[list[str]]]:
    document = Document(io.BytesIO(data))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return paragraphs, rows


def test_the_report_figures_are_the_records(held_round: Any) -> None:
    text, rows = text_of(write_meeting_report(held_round, today=DAY))

    prep = preparation_figures(held_round)
    opinions = opinion_figures(held_round)
    assert f"关于召开{held_round.title}情况的报告" in text
    assert "县委常委会议室" in text and "李建华同志主持会议" in text
    assert f"开展集中学习{prep.study_sessions}次，其中专题研讨{prep.seminars}次" in text
    assert f"共收到意见建议{opinions.total}条，其中网上征求3条、意见箱1条、座谈会2条" in text
    assert f"开展谈心谈话{prep.talks}次，共{prep.talk_person_times}人次" in text
    assert prep.talk_person_times == 2
    assert "应到 3 人，实到 2 人（66.7%）" in text and "已达到" in text
    assert "赵清廉（在省委党校学习）" in text
    assert "未完成的整改措施3项" in text and "继续整改1项" in text and "尚待研究2项" in text
    assert "明年6月底前完成" in text
    assert "共查摆问题1个，其中班子问题0个、班子成员个人问题1个" in text
    assert "调研不深入（李建华）" in text
    assert "会上共提出批评意见2条，自我批评1条；其中1条已列为被批评人的问题" in text

    assert rows[0] == ["班子成员", "提出批评", "收到批评", "自我批评", "列为问题"]
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert by_name["李建华"] == ["1", "1", "0", "1"]
    assert by_name["王志刚"] == ["1", "1", "0", "0"]
    assert by_name["赵清廉"] == ["0", "0", "1", "0"]


def test_a_round_without_a_meeting_still_gets_a_report(round_: Any) -> None:
    text, _rows = text_of(write_meeting_report(round_))
    assert "会议尚未登记" in text and "共收到意见建议0条" in text


def test_the_download_is_private_and_outsiders_get_404(held_round: Any, viewer: Any, outsider: Any) -> None:
    url = reverse("meeting_report", args=[held_round.pk])
    client = Client()
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "会议情况报告" in response["Content-Disposition"] or "filename*" in response["Content-Disposition"]
    text, _rows = text_of(response.content)
    assert "开展谈心谈话1次，共2人次" in text


def test_the_cli_writes_the_meeting_report(held_round: Any, tmp_path: Path) -> None:
    from luoshi.cli import main

    target = tmp_path / "会议情况报告.docx"
    assert main(["report", str(held_round.pk), "--kind", "meeting", "-o", str(target)]) == 0
    text, _rows = text_of(target.read_bytes())
    assert "会上共提出批评意见2条" in text
    assert main(["report", str(held_round.pk), "--kind", "meeting", "-o", str(tmp_path / "x.xlsx")]) == 2
