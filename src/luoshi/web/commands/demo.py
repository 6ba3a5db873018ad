"""`luoshi demo`: a demo organization tree, leadership team, users and a round to click through.

The round is imported from a team document shipped with luoshi (luoshi/demo/team-2025.txt) through
the same parser and import service as a user's upload; owners and deadlines are then assigned and a
few measures moved through the workflow, all through the services, so the audit log tells the story.
This year's round then goes through every step of a 民主生活会, up to the meeting report
(luoshi.meetings.demo).
"""

from __future__ import annotations

import argparse
import datetime
import secrets
from importlib import resources
from typing import Any

DEMO_ROOT = "示范县"
ORGANIZER, REVIEWER, ADMIN = "bangongshi", "duchashi", "admin"
MEMBERS = [  # name, position, login
    ("张明远", "县委书记", "zhangmingyuan"),
    ("李建华", "县委副书记、县长", "lijianhua"),
    ("王志刚", "县委副书记", "wangzhigang"),
    ("赵清廉", "县委常委、县纪委书记", None),
    ("陈思源", "县委常委、组织部部长", "chensiyuan"),
    ("刘宏伟", "县委常委、常务副县长", "liuhongwei"),
]
# Which problem (0-based, in document order) each demo measure answers, and each problem's causes.
MEASURE_PROBLEMS = [0, 1, 2, 3, 6, 6, 6, 4, 8, 9, 10]
PROBLEM_CAUSES = {
    0: [0],
    1: [0],
    2: [0, 3],
    3: [2],
    4: [2],
    5: [2],
    6: [1],
    7: [2],
    8: [1],
    9: [1, 2],
    10: [3],
    11: [3],
}
DEPARTMENTS = [
    "县委办",
    "县委宣传部",
    "县发展改革委",
    "县教育局",
    "县住建局",
    "县水利局",
    "县委组织部",
    "县纪委监委",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reset-password", action="store_true", help="为演示账号重新生成密码并显示")
    parser.add_argument("--teams", type=positive, help="另外生成一个省级规模的数据集：班子数（用于性能测试）")
    parser.add_argument(
        "--measures", type=positive, default=100, help="每个班子的整改措施数（与 --teams 同用，默认 100）"
    )
    parser.add_argument("--password", help="--teams 数据集账号的密码（默认随机生成并显示）")
    parser.add_argument(
        "--json", action="store_true", help="--teams：以 JSON 输出账号和轮次（供基准测试读取）"
    )


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数：{text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from luoshi.orgs.models import Organization

    call_command("migrate", interactive=False, verbosity=0)
    if args.teams:
        return run_scale(args)
    user_model = get_user_model()
    if Organization.objects.filter(name=DEMO_ROOT, parent=None).exists():
        if args.reset_password:
            password = new_password()
            for user in user_model.objects.filter(username__in=demo_usernames()):
                user.set_password(password)
                user.save(update_fields=["password"])
            print_logins(password)
        else:
            print("演示数据已存在。如忘记演示账号密码，请运行：luoshi demo --reset-password")
        return 0
    password = new_password()
    load(password, complete_round=True)
    print_logins(password)
    # The demo holds measures due soon and overdue: the first reminder pass gives everyone notices.
    from luoshi.notices.delivery import run_pass

    result = run_pass()
    print(f"已按提醒规则生成 {sum(1 for r in result.rows if r.state == 'sent')} 条提醒（站内通知）")
    return 0


def run_scale(args: argparse.Namespace) -> int:
    import json

    from luoshi.demo.scale import build

    password = args.password or new_password()
    info = build(teams=args.teams, measures=args.measures, password=password)
    if args.json:
        print(json.dumps({**info, "password": password}, ensure_ascii=False))
    else:
        print(f"已生成 {info['teams']} 个班子 × {info['measures']} 项整改措施。")
        print(f"  省级组织者/验收人 {info['province_user']}，班子成员 {info['member_user']}，密码 {password}")
    return 0


def new_password() -> str:
    return secrets.token_urlsafe(9)


def demo_usernames() -> list[str]:
    return [ORGANIZER, REVIEWER, ADMIN] + [login for _n, _p, login in MEMBERS if login]


def print_logins(password: str) -> None:
    print("演示账号（密码只显示这一次，请记下）：")
    print(f"  组织者（县委办）   {ORGANIZER}")
    print(f"  验收人（督查室）   {REVIEWER}")
    print(f"  班子成员（县长）   {MEMBERS[1][2]}")
    print(f"  系统管理员         {ADMIN}")
    print(f"  密码               {password}")


def load(password: str, *, complete_round: bool = False) -> None:
    """The demo organization, team, users and last year's round. COMPLETE_ROUND adds this year's
    round gone through every step up to its meeting report (`luoshi demo` does; the browser tests'
    base data leaves it out so that last year's round is the only one)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from luoshi.ledger import planning, progress, services
    from luoshi.ledger.models import RoundKind
    from luoshi.ledger.states import MeasureStatus
    from luoshi.orgs.models import Member, Organization, Role, RoleAssignment, Team
    from luoshi.text import parse_text

    user_model = get_user_model()
    today = timezone.localdate()
    with transaction.atomic():
        county = Organization.objects.create(name=DEMO_ROOT)
        for town in ("城关镇", "河东乡"):
            Organization.objects.create(name=town, parent=county)
        team = Team.objects.create(organization=county, name="中共示范县委常委班子")

        def user(username: str, full_name: str, **extra: Any) -> Any:
            return user_model.objects.create_user(
                username=username, password=password, first_name=full_name, **extra
            )

        organizer = user(ORGANIZER, "县委办 孙晓")
        reviewer = user(REVIEWER, "县委督查室 周正")
        user(ADMIN, "系统管理员", is_staff=True, is_superuser=True)
        RoleAssignment.objects.create(user=organizer, organization=county, role=Role.ORGANIZER)
        RoleAssignment.objects.create(user=reviewer, organization=county, role=Role.REVIEWER)
        members = []
        for order, (name, position, login) in enumerate(MEMBERS, start=1):
            account = user(login, name) if login else None
            if account is not None:
                RoleAssignment.objects.create(user=account, organization=county, role=Role.MEMBER)
            members.append(
                Member.objects.create(team=team, name=name, position=position, user=account, order=order)
            )

        round_ = services.create_round(
            team=team,
            title=f"{today.year - 1}年度民主生活会",
            year=today.year - 1,
            kind=RoundKind.ANNUAL,
            theme="深入学习贯彻习近平新时代中国特色社会主义思想，以整改实效取信于民",
            actor=organizer,
            start_date=today - datetime.timedelta(days=60),
        )
        text = resources.files("luoshi.demo").joinpath("team-2025.txt").read_text(encoding="utf-8")
        document = parse_text(text)
        result = services.import_parsed(round_, document, actor=organizer, name="team-2025.txt")

        # The organizer ties measures to the problems they answer and problems to their causes
        # (the demo document, like most team documents, groups measures by theme, not by problem).
        problems = result.problems
        for measure, problem_index in zip(result.measures, MEASURE_PROBLEMS, strict=False):
            planning.link_measure(measure, problems[problem_index], actor=organizer)
        for problem_index, cause_indexes in PROBLEM_CAUSES.items():
            if problem_index < len(problems):
                causes = [result.causes[i] for i in cause_indexes if i < len(result.causes)]
                planning.link_causes(problems[problem_index], causes, actor=organizer)

        # Owners round-robin over the members; deadlines spread so the ledger shows every light, and
        # the first reminder pass has something to say (7 days left, overdue 1 day, overdue 16 days:
        # escalated to the level above).
        offsets = [-16, 5, 30, 60, 90, -1, 120, 45, 7, 150]
        assigned = []
        for index, measure in enumerate(result.measures):
            assigned.append(
                services.assign(
                    measure,
                    actor=organizer,
                    owner=members[index % len(members)],
                    department=DEPARTMENTS[index % len(DEPARTMENTS)],
                    deadline=measure.baseline_deadline
                    or today + datetime.timedelta(days=offsets[index % len(offsets)]),
                )
            )

        # A few measures move through the workflow, each step by the person who would take it.
        by_owner = [m for m in assigned if m.owner is not None and m.owner.user is not None]
        steps: list[tuple[int, list[str]]] = [
            (0, ["start"]),
            (1, ["start", "submit"]),
            (2, ["start", "submit", "close"]),
            (3, ["start", "submit", "return"]),
            (4, ["start", "continuing"]),
            (5, ["start"]),
        ]
        for step, actions in steps:
            if step >= len(by_owner):
                break
            measure = by_owner[step]
            owner = measure.owner.user if measure.owner else None
            for action in actions:
                if action == "start":
                    services.transition(measure, MeasureStatus.IN_PROGRESS, actor=owner)
                    progress.record_progress(
                        measure,
                        actor=owner,
                        date=today - datetime.timedelta(days=10),
                        text="召开专题会议研究部署，制定工作方案，明确责任分工和时间节点。",
                        evidence_date=today - datetime.timedelta(days=10),
                        statement="工作方案（示政办发〔2026〕3号）已印发，专题会议纪要存档。",
                    )
                elif action == "submit":
                    services.transition(
                        measure,
                        MeasureStatus.SUBMITTED,
                        actor=owner,
                        outcome="已按措施要求完成阶段性工作，形成工作台账和会议纪要。",
                    )
                elif action == "close":
                    services.transition(measure, MeasureStatus.CLOSED, actor=reviewer)
                elif action == "return":
                    services.transition(
                        measure,
                        MeasureStatus.RETURNED,
                        actor=reviewer,
                        reason="佐证材料不足，请补充会议记录和现场照片以外的成效数据。",
                    )
                elif action == "continuing":
                    services.transition(
                        measure,
                        MeasureStatus.CONTINUING,
                        actor=owner,
                        outcome="主体任务已完成，相关机制需长期坚持。",
                    )

        # Indicators from the document's commitments, and a few months of activity records.
        from luoshi.indicators import demo as indicators_demo

        indicators_demo.load(round_, organizer, members, today)

        if complete_round:
            from luoshi.meetings import demo as meetings_demo

            meetings_demo.load(round_, organizer, reviewer, members, today)
