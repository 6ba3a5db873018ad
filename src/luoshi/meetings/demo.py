"""The demo's complete round: this year's 民主生活会 of the demo team, gone through every step.

Study sessions, opinions from several sources, talks, the meeting with its attendance, 回头看 of
last year's demo round, criticisms (two already listed as problems, two left for the visitor to
try), problems and measures — so a new user sees a whole round and can download its meeting report.
Writes go through the services (each with its audit event) except the preparation records, which
are created directly: they are what the steps' own pages would have recorded.
"""

from __future__ import annotations

import datetime
from typing import Any

from luoshi.ledger import planning, services
from luoshi.ledger.models import Aspect, Round, RoundKind, Source
from luoshi.meetings import services_meeting
from luoshi.meetings.models import (
    CarryDecision,
    Opinion,
    OpinionSource,
    OpinionStatus,
    StudySession,
    Talk,
    TalkMode,
)
from luoshi.orgs.models import Member

STUDY = [  # days before the meeting, topic, seminar
    (33, "集中学习党的二十届四中全会精神和习近平总书记重要讲话", False),
    (26, "围绕“以整改实效取信于民”专题研讨", True),
    (19, "学习《中国共产党纪律处分条例》，开展警示教育", True),
]
OPINIONS = [  # source, text, target member index (None: the team), aspect
    (OpinionSource.PUBLIC, "县里的会议和文件还是偏多，乡镇干部忙于应付，下村时间少。", None, "工作作风"),
    (OpinionSource.PUBLIC, "希望县领导多到困难村看看，不要只去示范点。", 0, "工作作风"),
    (OpinionSource.PUBLIC, "企业办事跑多个部门，审批时限承诺没有兑现。", 1, "担当作为"),
    (OpinionSource.BOX, "城区老旧小区改造进度慢，群众反映多次没有回音。", 5, "担当作为"),
    (OpinionSource.FORUM, "班子学习研讨联系实际不够，结合县情谈得少。", None, "理论学习"),
    (OpinionSource.FORUM, "干部选拔任用中对基层一线干部关注不够。", 4, "政治素质"),
    (OpinionSource.INTERVIEW, "个别领导接待来访群众时态度生硬。", 2, "工作作风"),
    (OpinionSource.INTERVIEW, "公务接待标准执行不严，节假日前后要盯紧。", 3, "廉洁自律"),
]
CRITICISMS = [  # from, to (the same: 自我批评), text, listed as a problem
    (2, 0, "调查研究多在城区和交通沿线，到偏远村组和困难群众家中少，听取意见不够全面。", True),
    (0, 1, "推进营商环境改革措施不够有力，对部门审批时限承诺的落实督促不够。", True),
    (4, 5, "分管领域的老旧小区改造项目进度滞后，对群众反映的问题跟踪回复不及时。", False),
    (5, 5, "理论学习满足于读原文、记笔记，与分管工作结合思考不够深。", False),
]
MEASURES = [  # for the problems in order: summary, owner index, department, days to deadline
    ("每季度到偏远村组和困难群众家中开展蹲点调研不少于1次，形成调研报告。", 0, "县委办", 90),
    ("梳理审批事项承诺时限，按月通报兑现情况，年底前实现“一件事一次办”。", 1, "县政务服务中心", 120),
    ("精简会议文件，县级会议数量同比减少20%以上。", 0, "县委办", 60),
    ("建立群众来信来访答复跟踪台账，7个工作日内答复。", 2, "县信访局", 45),
]


def load(
    previous: Round, organizer: Any, reviewer: Any, members: list[Member], today: datetime.date
) -> Round:
    """Create the complete round after PREVIOUS (the demo's round of last year) and return it."""
    meeting_day = today - datetime.timedelta(days=7)
    round_ = services.create_round(
        team=previous.team,
        title=f"{today.year}年度民主生活会",
        year=today.year,
        kind=RoundKind.ANNUAL,
        theme="以整改实效取信于民，推动上年度问题清仓见底",
        actor=organizer,
        start_date=today - datetime.timedelta(days=40),
    )
    aspects = {a.name: a for a in Aspect.objects.filter(framework=round_.framework)}

    for days, topic, seminar in STUDY:
        session = StudySession.objects.create(
            round=round_, date=meeting_day - datetime.timedelta(days=days), topic=topic, seminar=seminar
        )
        session.attendees.set(members)
    opinions = []
    for index, (source, text, target, aspect) in enumerate(OPINIONS):
        opinions.append(
            Opinion.objects.create(
                round=round_,
                source=source,
                text=text,
                target_member=members[target] if target is not None else None,
                aspect=aspects.get(aspect),
                status=OpinionStatus.FORWARDED,
                entered_by=None if source == OpinionSource.PUBLIC else organizer,
                received_at=_at(meeting_day - datetime.timedelta(days=30 - index)),
            )
        )
    secretary = members[0]
    for offset, member in enumerate(members[1:], start=1):
        talk = Talk.objects.create(
            round=round_, initiator=secretary, date=meeting_day - datetime.timedelta(days=15 - offset)
        )
        talk.partners.add(member)
    group = Talk.objects.create(
        round=round_,
        initiator=members[1],
        date=meeting_day - datetime.timedelta(days=12),
        mode=TalkMode.GROUP,
        outside_partners="县发展改革委主任、县政务服务中心主任",
    )
    group.partners.add(members[2], members[5])

    # The meeting: registering it starts 回头看 (last year's unfinished measures are carried).
    meeting = services_meeting.register_meeting(
        round_, actor=organizer, date=meeting_day, place="县委常委会议室", host=secretary
    )
    services_meeting.record_attendance(
        meeting, actor=organizer, absences={members[3].pk: "在省委党校参加学习"}
    )
    services_meeting.mark_held(meeting, actor=organizer)
    carried = list(round_.carried_measures.select_related("measure").order_by("measure__number"))
    for row in carried:
        if row.measure.status in ("in_progress", "continuing"):
            services_meeting.decide_carried(
                row,
                CarryDecision.CONTINUE,
                actor=organizer,
                note="会议研究：继续整改，纳入本年度整改台账跟踪，完成后提交验收。",
            )

    # Criticisms; two become their target member's problems.
    problems = []
    for critic, target, text, listed in CRITICISMS:
        criticism = services_meeting.record_criticism(
            round_, actor=organizer, from_member=members[critic], to_member=members[target], text=text
        )
        if listed:
            problems.append(
                services_meeting.criticism_to_problem(
                    criticism, actor=organizer, aspect=aspects.get("工作作风")
                )
            )
    # The team's own problems, from the opinions received.
    for opinion_index, summary, aspect in (
        (0, "会议文件多、基层负担重的问题仍然存在", "工作作风"),
        (6, "接待来访群众不够耐心，群众诉求回复不及时", "工作作风"),
    ):
        problem = planning.create_problem(
            round_,
            actor=organizer,
            summary=summary,
            source=Source.OPINION,
            aspect=aspects.get(aspect),
            text=opinions[opinion_index].text,
        )
        opinions[opinion_index].problems.add(problem)
        problems.append(problem)
    for problem, (summary, owner, department, days) in zip(problems, MEASURES, strict=True):
        planning.create_measure(
            problem,
            actor=organizer,
            summary=summary,
            owner=members[owner],
            department=department,
            deadline=today + datetime.timedelta(days=days),
        )
    return round_


def _at(day: datetime.date) -> datetime.datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
