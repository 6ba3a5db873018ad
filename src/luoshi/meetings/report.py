"""会议情况报告: the report on a round's meeting, in the GB/T 9704 layout of the rectification
report, written from the records alone (no figure is typed into it).

一、会前准备情况      study sessions, opinions received and by source, talks in 人次
二、会议召开和出席情况  date, place, host, attendance and the quorum
三、“回头看”情况      the previous round's unfinished measures and what the meeting decided
四、查摆问题情况      problems by aspect, the team's and the members' own
五、开展批评和自我批评情况  criticisms given and received per member, and those listed as problems
六、整改措施          the measures of this round
落款                  the organization and the date
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.utils import timezone

from luoshi.ledger.models import Problem, Round
from luoshi.meetings.figures import opinion_figures, preparation_figures
from luoshi.meetings.models import Attendance, CarriedMeasure, CarryDecision, Criticism, Meeting
from luoshi.meetings.services_meeting import quorum
from luoshi.orgs.models import Member
from luoshi.reports.docx_layout import OfficialDocument, chinese_date
from luoshi.reports.progress import chinese_number, status_label
from luoshi.reports.records import counted_measures, counted_problems, deadline_text, owner_name

CRITICISM_HEADERS = ("班子成员", "提出批评", "收到批评", "自我批评", "列为问题")
CRITICISM_WIDTHS_MM = (44, 28, 28, 28, 28)  # portrait text width: 210 − 28 − 26 = 156 mm


def report_title(round_: Round) -> str:
    return f"关于召开{round_.title}情况的报告"


def write_meeting_report(round_: Round, *, today: datetime.date | None = None) -> bytes:
    """ROUND's 会议情况报告 as .docx bytes."""
    today = today or timezone.localdate()
    round_ = Round.objects.select_related("team__organization", "framework").get(pk=round_.pk)
    meeting = Meeting.objects.filter(round=round_).select_related("host").first()
    doc = OfficialDocument()
    doc.title(report_title(round_))
    doc.body(_opening(round_, meeting))

    doc.heading1("一、会前准备情况")
    for text in preparation_paragraphs(round_):
        doc.body(text)

    doc.heading1("二、会议召开和出席情况")
    for text in attendance_paragraphs(meeting):
        doc.body(text)

    doc.heading1("三、“回头看”情况")
    _look_back(doc, round_)

    doc.heading1("四、查摆问题情况")
    _problems(doc, round_)

    doc.heading1("五、开展批评和自我批评情况")
    _criticisms(doc, round_)

    doc.heading1("六、整改措施")
    _measures(doc, round_)

    doc.signature(round_.team.organization.name, today)
    return doc.to_bytes()


def _opening(round_: Round, meeting: Meeting | None) -> str:
    team = round_.team.name
    if meeting is None or meeting.date is None:
        return f"按照有关要求，{team}筹备召开{round_.title}。现将有关情况报告如下（数据来自会议记录和整改台账）。"
    place = f"在{meeting.place}" if meeting.place else ""
    host = f"，{meeting.host.name}同志主持会议" if meeting.host else ""
    theme = f"，主题是{round_.theme}" if round_.theme else ""
    return (
        f"{chinese_date(meeting.date)}，{team}{place}召开{round_.title}{theme}{host}。"
        "现将有关情况报告如下（数据来自会议记录和整改台账）。"
    )


def preparation_paragraphs(round_: Round) -> list[str]:
    prep = preparation_figures(round_)
    opinions = opinion_figures(round_)
    sources = "、".join(f"{label}{n}条" for label, n in opinions.by_source if n)
    return [
        f"开展集中学习{prep.study_sessions}次，其中专题研讨{prep.seminars}次。",
        f"广泛征求意见建议，共收到意见建议{opinions.total}条" + (f"，其中{sources}。" if sources else "。"),
        f"开展谈心谈话{prep.talks}次，共{prep.talk_person_times}人次。",
    ]


def attendance_paragraphs(meeting: Meeting | None) -> list[str]:
    if meeting is None:
        return ["会议尚未登记。"]
    found = quorum(meeting)
    absent = [
        f"{row.member.name}（{row.reason}）"
        for row in Attendance.objects.filter(meeting=meeting, present=False).select_related("member")
    ]
    held = "会议已召开。" if meeting.held else "会议尚未确认召开。"
    if meeting.held_without_quorum:
        held = "会议未达到规定人数，经组织者确认召开。"
    lines = [f"{found.text}。" + (f"缺席：{'、'.join(absent)}。" if absent else "班子成员全部出席。") + held]
    return lines


def _look_back(doc: OfficialDocument, round_: Round) -> None:
    carried = list(
        CarriedMeasure.objects.filter(round=round_).select_related("measure__round", "measure__owner")
    )
    if not carried:
        doc.body("上一轮次没有未完成的整改措施需要结转。")
        return
    counts = Counter(row.decision for row in carried)
    previous = carried[0].measure.round.title
    doc.body(
        f"对{previous}未完成的整改措施{len(carried)}项逐项“回头看”：会议研究决定继续整改"
        f"{counts[CarryDecision.CONTINUE]}项，已完成销号{counts[CarryDecision.CLOSED]}项，"
        f"尚待研究{counts[CarryDecision.PENDING]}项。"
    )
    for index, row in enumerate(carried, 1):
        measure = row.measure
        note = f"{row.note}" if row.note else ""
        doc.body(
            f"{index}. {measure.summary.rstrip('。；;')}（责任领导：{owner_name(measure)}；"
            f"当前状态：{status_label(measure)}）。"
            f"结论：{row.get_decision_display()}。{note}"
        )


def _problems(doc: OfficialDocument, round_: Round) -> None:
    problems = list(counted_problems(round_).select_related("aspect", "member").order_by("number"))
    personal = sum(1 for p in problems if p.member_id is not None)
    doc.body(
        f"共查摆问题{len(problems)}个，其中班子问题{len(problems) - personal}个、班子成员个人问题{personal}个。"
    )
    groups: dict[str, list[Problem]] = {a.name: [] for a in round_.framework.aspects.all()}
    for problem in problems:
        groups.setdefault(problem.aspect_name or "其他", []).append(problem)
    section = 0
    for name, found in groups.items():
        if not found:
            continue
        section += 1
        team = sum(1 for p in found if p.member_id is None)
        doc.heading2(f"（{chinese_number(section)}）{name}方面")
        doc.body(f"查摆问题{len(found)}个，其中班子问题{team}个、个人问题{len(found) - team}个。")
        for index, problem in enumerate(found, 1):
            whose = problem.member.name if problem.member else "班子"
            doc.body(f"{index}. {problem.summary}（{whose}）")


def _criticisms(doc: OfficialDocument, round_: Round) -> None:
    criticisms = list(Criticism.objects.filter(round=round_))
    if not criticisms:
        doc.body("会议尚未登记批评意见。")
        return
    selves = sum(1 for c in criticisms if c.is_self)
    listed = sum(1 for c in criticisms if c.problem_id is not None)
    doc.body(
        f"会上共提出批评意见{len(criticisms) - selves}条，自我批评{selves}条；"
        f"其中{listed}条已列为被批评人的问题，纳入整改台账。"
    )
    doc.table(CRITICISM_HEADERS, criticism_rows(round_, criticisms), CRITICISM_WIDTHS_MM)


def criticism_rows(round_: Round, criticisms: list[Criticism]) -> list[list[str]]:
    """Per member of the team: criticisms given, received (others'), self-criticisms, listed."""
    given = Counter(c.from_member_id for c in criticisms if not c.is_self)
    received = Counter(c.to_member_id for c in criticisms if not c.is_self)
    selves = Counter(c.to_member_id for c in criticisms if c.is_self)
    listed = Counter(c.to_member_id for c in criticisms if c.problem_id is not None)
    involved = set(given) | set(received) | set(selves)
    members = Member.objects.filter(team_id=round_.team_id).filter(pk__in=involved) | Member.objects.filter(
        team_id=round_.team_id, active=True
    )
    return [
        [
            member.name,
            str(given[member.pk]),
            str(received[member.pk]),
            str(selves[member.pk]),
            str(listed[member.pk]),
        ]
        for member in members.distinct().order_by("order", "pk")
    ]


def _measures(doc: OfficialDocument, round_: Round) -> None:
    measures = list(counted_measures(round_).select_related("owner").order_by("number"))
    if not measures:
        doc.body("整改措施尚未制定。")
        return
    owners = len({m.owner_id for m in measures if m.owner_id is not None})
    doc.body(f"针对查摆的问题制定整改措施{len(measures)}项，明确责任领导{owners}人，逐项明确完成时限。")
    for index, measure in enumerate(measures, 1):
        doc.body(
            f"{index}. {measure.summary.rstrip('。；;')}（责任领导：{owner_name(measure)}；"
            f"完成时限：{deadline_text(measure)}）"
        )


__all__ = ["report_title", "write_meeting_report"]
