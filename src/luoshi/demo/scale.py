"""A province-sized dataset for benchmarks: `luoshi demo --teams T --measures M`.

Province → cities → counties, one leadership team and one round per county, M measures per round
under M/2 problems, statuses and deadlines spread the way a real year looks; per round two
indicators (each member's monthly visits, the team's quarterly seminar) with six months of
activity records behind them. Rows are bulk-inserted (one audit event records the load, not one per
row: this is generated data, not anybody's work).
"""

from __future__ import annotations

import datetime
import random
import sys
from typing import Any

from django.db import transaction
from django.utils import timezone

STATUS_WEIGHTS = [
    ("planned", 10),
    ("in_progress", 40),
    ("submitted", 10),
    ("returned", 5),
    ("continuing", 10),
    ("closed", 25),
]
CITY_SIZE = 20  # counties per city
BATCH = 5000
ACTIVITY_MONTHS = 6  # months of records before this one, besides this month's


def build(
    *, teams: int, measures: int, password: str, seed: int = 7, progress: bool = True
) -> dict[str, Any]:
    """Create the dataset; returns the names of the users a benchmark logs in as."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from luoshi.audit.chain import record
    from luoshi.audit.models import EventType
    from luoshi.ledger.models import Aspect, Measure, Problem, Round, RoundKind
    from luoshi.ledger.services import default_framework
    from luoshi.orgs.models import Member, Organization, Role, RoleAssignment, Team

    rng = random.Random(seed)
    today = timezone.localdate()
    user_model = get_user_model()
    framework = default_framework()
    aspects = list(Aspect.objects.filter(framework=framework))
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    problems_per_round = max(1, measures // 2)
    hashed = make_password(password)  # once: hashing per user would dominate the build time

    with transaction.atomic():
        province = Organization.objects.create(
            name=f"基准省{Organization.objects.filter(parent=None).count() + 1}"
        )
        admin = user_model.objects.create(username=f"bench_province_{province.pk}", password=hashed)
        RoleAssignment.objects.create(user=admin, organization=province, role=Role.ORGANIZER)
        RoleAssignment.objects.create(user=admin, organization=province, role=Role.REVIEWER)
        cities = [
            Organization.objects.create(name=f"基准市{i + 1}", parent=province)
            for i in range((teams + CITY_SIZE - 1) // CITY_SIZE)
        ]
        first_member_user = None
        first_member_id = 0
        first_round = None
        for t in range(teams):
            county = Organization.objects.create(name=f"基准县{t + 1}", parent=cities[t // CITY_SIZE])
            team = Team.objects.create(organization=county, name=f"基准县{t + 1}领导班子")
            member_user = user_model.objects.create(username=f"bench_member_{county.pk}", password=hashed)
            RoleAssignment.objects.create(user=member_user, organization=county, role=Role.MEMBER)
            members = [Member(team=team, name=f"成员{k + 1}", position="班子成员", order=k) for k in range(5)]
            members[0].user = member_user
            Member.objects.bulk_create(members)
            round_ = Round.objects.create(
                team=team,
                kind=RoundKind.ANNUAL,
                title=f"{today.year - 1}年度民主生活会",
                year=today.year - 1,
                framework=framework,
            )
            problems = Problem.objects.bulk_create(
                [
                    Problem(
                        round=round_,
                        number=n + 1,
                        aspect=aspects[n % len(aspects)],
                        aspect_label=aspects[n % len(aspects)].name,
                        summary=f"第{n + 1}个问题：调查研究不够深入，工作落实有差距",
                        text="比如，到基层调研听汇报多、进村入户少，对群众反映的问题跟踪解决不够。",
                    )
                    for n in range(problems_per_round)
                ]
            )
            rows = []
            for n in range(measures):
                status = rng.choice(statuses)
                baseline = today + datetime.timedelta(days=rng.randint(-120, 240))
                extended = rng.random() < 0.08
                rows.append(
                    Measure(
                        round=round_,
                        problem=problems[n % len(problems)],
                        number=n + 1,
                        group="",
                        summary=f"第{n + 1}项措施：建立问题清单，明确责任和时限，逐项销号",
                        text="每月至少到联系点调研1次，形成调研报告。",
                        owner=members[n % len(members)],
                        department="县委办",
                        baseline_deadline=baseline,
                        current_deadline=baseline + datetime.timedelta(days=60) if extended else baseline,
                        status=status,
                        outcome="已完成阶段性任务。"
                        if status in ("submitted", "closed", "continuing")
                        else "",
                        closed_at=timezone.now() - datetime.timedelta(days=rng.randint(0, 90))
                        if status == "closed"
                        else None,
                    )
                )
            Measure.objects.bulk_create(rows, batch_size=BATCH)
            _indicators_and_records(round_, team, members, admin, member_user, rng, today)
            if first_round is None:
                first_round, first_member_user, first_member_id = round_, member_user, members[0].pk
            if progress and sys.stderr.isatty() and (t + 1) % 10 == 0:
                print(f"\r已生成 {t + 1}/{teams} 个班子", end="", file=sys.stderr, flush=True)
        record(
            EventType.DEMO_LOADED,
            province,
            actor="luoshi demo",
            new={"teams": teams, "measures_per_team": measures},
            organization_path=province.path,
        )
    if progress and sys.stderr.isatty():
        print(file=sys.stderr)
    assert first_round is not None and first_member_user is not None
    return {
        "province_user": admin.username,
        "member_user": first_member_user.username,
        "member_id": first_member_id,
        "round_id": first_round.pk,
        "teams": teams,
        "measures": measures,
    }


def _indicators_and_records(
    round_: Any, team: Any, members: list[Any], admin: Any, member_user: Any, rng: random.Random, today: Any
) -> None:
    """Two indicators of ROUND (each member visits monthly; the team holds a seminar each quarter)
    from ACTIVITY_MONTHS months back, and the records a busy team would have entered meanwhile."""
    from decimal import Decimal

    from luoshi.indicators.models import Activity, ActivityKind, Indicator, Period, Scope

    start = today.replace(day=1)
    for _ in range(ACTIVITY_MONTHS):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    end = today + datetime.timedelta(days=180)
    Indicator.objects.bulk_create(
        [
            Indicator(
                round=round_,
                name="每名班子成员每月至少到联系点调研1次",
                kind=ActivityKind.VISIT,
                scope=Scope.EACH_MEMBER,
                period=Period.MONTH,
                target=Decimal(1),
                unit="次",
                start=start,
                end=end,
                created_by=admin,
            ),
            Indicator(
                round=round_,
                name="班子每季度至少开展1次专题研讨",
                kind=ActivityKind.SEMINAR,
                scope=Scope.TEAM,
                period=Period.QUARTER,
                target=Decimal(1),
                unit="次",
                start=start,
                end=end,
                created_by=admin,
            ),
        ]
    )
    records = []
    for month in range(ACTIVITY_MONTHS + 1):
        first = (start + datetime.timedelta(days=31 * month)).replace(day=1)
        last_day = min(today, (first + datetime.timedelta(days=27)))
        for member in members:
            for _visit in range(rng.choice([0, 1, 1, 2])):
                day = first + datetime.timedelta(days=rng.randint(0, (last_day - first).days))
                records.append(
                    Activity(
                        team=team,
                        member=member,
                        date=day,
                        kind=ActivityKind.VISIT,
                        households=rng.randint(0, 12),
                        place="联系点",
                        entered_by=member_user if member.user_id else admin,
                    )
                )
        if month % 3 == 0:
            records.append(
                Activity(team=team, date=first, kind=ActivityKind.SEMINAR, note="专题研讨", entered_by=admin)
            )
    Activity.objects.bulk_create(records, batch_size=BATCH)
