"""The demo's complete round: this year's 民主生活会 of the demo team, gone through every step.

The organizer sets the meeting date and the secretary, holds study sessions, opens the public
opinion link (three opinions arrive through it, five are taken down by staff), classifies and
forwards the opinions, records the talks of every required pair, imports a member's own material,
holds the meeting (attendance, 回头看 of last year's demo round, criticisms — two listed as
problems, two left for the visitor to try), turns two opinions into problems, makes the measures
and marks each step done on its day. Every write goes through the services, so the audit log, the
steps page, the talk matrix and the opinions pages all show the round as a person would have left it.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from luoshi.ledger import planning, services
from luoshi.ledger.models import Aspect, Round, RoundKind
from luoshi.meetings import services_meeting, services_opinions, services_prep
from luoshi.meetings.models import CarryDecision, Opinion, OpinionSource, StepKey, TalkMode
from luoshi.orgs.models import Member
from luoshi.text import parse_text

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
OVERSIGHT = [  # member index, unit, its head
    (1, "县发展改革委", "周海涛"),
    (5, "县住建局", "吴德林"),
]
# A member's own 对照检查材料 (王志刚), imported into that member's problems and measures.
MEMBER_MATERIAL = """个人对照检查材料

一、存在的主要问题
（一）理论学习方面
一是学用结合不够紧密。满足于读原文、记笔记，结合分管工作深入思考不够。

三、整改措施
1.每月围绕分管工作开展专题自学不少于2次，撰写学习体会。
"""
# Days before the meeting each step was done (negative: after it).
STEP_DONE: dict[str, int] = {
    StepKey.THEME: 20,
    StepKey.OPINIONS: 12,
    StepKey.TALKS: 5,
    StepKey.MATERIALS: 3,
    StepKey.MEETING: 0,
    StepKey.MEASURES: -5,
    StepKey.REPORT: -6,
}


def load(
    previous: Round, organizer: Any, reviewer: Any, members: list[Member], today: datetime.date
) -> Round:
    """Create the complete round after PREVIOUS (the demo's round of last year) and return it."""
    meeting_day = today - datetime.timedelta(days=7)

    def before(days: int) -> datetime.date:
        return meeting_day - datetime.timedelta(days=days)

    # 1. 确定主题: the round, its meeting date (the steps' deadlines count from it), the secretary.
    round_ = services.create_round(
        team=previous.team,
        title=f"{today.year}年度民主生活会",
        year=today.year,
        kind=RoundKind.ANNUAL,
        theme="以整改实效取信于民，推动上年度问题清仓见底",
        actor=organizer,
        start_date=before(33),
    )
    aspects = {a.name: a for a in Aspect.objects.filter(framework=round_.framework)}
    services_prep.set_anchor(round_, meeting_day, actor=organizer)
    secretary = members[0]
    services_prep.set_secretary(round_, secretary, actor=organizer)
    for days, topic, seminar in STUDY:
        services_prep.record_study(
            round_, actor=organizer, date=before(days), topic=topic, seminar=seminar, attendees=members
        )
    _done(round_, organizer, StepKey.THEME, before)

    # 2. 征求意见: the public link and staff entry; classified, forwarded verbatim.
    link = services_opinions.open_link(round_, actor=organizer)
    opinions = []
    for index, (source, text, target, _aspect) in enumerate(OPINIONS):
        about = members[target] if target is not None else None
        if source == OpinionSource.PUBLIC:
            opinion = services_opinions.submit_public(link, text=text, target=about, contact="")
            # Sent weeks ago by the public: the demo moves only the clock of its arrival.
            Opinion.objects.filter(pk=opinion.pk).update(received_at=_at(before(30 - index)))
        else:
            opinion = services_opinions.enter_opinion(
                round_,
                actor=organizer,
                source=source,
                text=text,
                target=about,
                received_on=before(30 - index),
            )
        opinions.append(opinion)
    for opinion, (_source, _text, target, aspect) in zip(opinions, OPINIONS, strict=True):
        services_opinions.classify(
            opinion,
            actor=organizer,
            aspect=aspects.get(aspect),
            target=members[target] if target is not None else None,
        )
    services_opinions.forward(round_, actor=organizer)
    _done(round_, organizer, StepKey.OPINIONS, before)

    # 3. 谈心交心: every pair the matrix requires — the secretary with each member, the members
    # with each other, and two members with the heads of the units they oversee.
    day = 18
    for first, second in itertools.combinations(members, 2):
        services_prep.record_talk(
            round_, actor=organizer, initiator=first, partners=[second], date=before(day)
        )
        day = max(day - 1, 6)
    for index, unit, head in OVERSIGHT:
        if not members[index].overseen_units.filter(unit=unit, head=head).exists():
            services_prep.add_oversight(members[index], actor=organizer, unit=unit, head=head)
        services_prep.record_talk(
            round_, actor=organizer, initiator=members[index], outside_partners=head, date=before(8)
        )
    services_prep.record_talk(
        round_,
        actor=organizer,
        initiator=members[1],
        partners=[members[2], members[5]],
        outside_partners="县发展改革委主任、县政务服务中心主任",
        mode=TalkMode.GROUP,
        date=before(7),
    )
    _done(round_, organizer, StepKey.TALKS, before)

    # 4. 撰写对照检查材料: a member's own material, through the parser and the import service.
    services.import_parsed(
        round_, parse_text(MEMBER_MATERIAL), actor=organizer, name="王志刚对照检查材料.txt", member=members[2]
    )
    _done(round_, organizer, StepKey.MATERIALS, before)

    # 5. 开展批评和自我批评: registering the meeting starts 回头看 (last year's unfinished measures).
    meeting = services_meeting.register_meeting(
        round_, actor=organizer, place="县委常委会议室", host=secretary
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
    _done(round_, organizer, StepKey.MEETING, before)

    # 6. 制定整改措施: two opinions become problems (linked to them), and every problem gets a measure.
    for opinion_index, summary in (
        (0, "会议文件多、基层负担重的问题仍然存在"),
        (6, "接待来访群众不够耐心，群众诉求回复不及时"),
    ):
        problems.append(
            services_opinions.create_problem(opinions[opinion_index], actor=organizer, summary=summary)
        )
    for problem, (summary, owner, department, days) in zip(problems, MEASURES, strict=True):
        planning.create_measure(
            problem,
            actor=organizer,
            summary=summary,
            owner=members[owner],
            department=department,
            deadline=today + datetime.timedelta(days=days),
        )
    _done(round_, organizer, StepKey.MEASURES, before)

    # 7. 报告和通报: the meeting report is written from these records whenever it is downloaded.
    _done(round_, organizer, StepKey.REPORT, before)
    return round_


def _done(round_: Round, organizer: Any, step: str, before: Callable[[int], datetime.date]) -> None:
    day = before(STEP_DONE[step])
    services_prep.mark_step(round_, step, actor=organizer, planned=day, done=day)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
