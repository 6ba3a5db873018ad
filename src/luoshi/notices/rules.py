"""What is due: the reminder rules, evaluated over the whole database in a fixed number of queries.

Each rule yields `Due` messages: (rule, object, period, recipient) plus the text. The period makes a
reminder happen once: "7 days before the 2026-12-08 deadline" is one period, "the second week
overdue" another. A pass that runs late (a server down for a day) catches up with the current
period instead of sending every missed one, and a pass that runs twice finds nothing new.

Recipients come from `orgs` roles and pass the same lineage test as `for_user`: a person is never
told about a measure they may not see (an owner whose role was withdrawn hears nothing).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone

from luoshi.ledger.models import Extension, Measure, ProgressUpdate, Review
from luoshi.ledger.states import MeasureStatus
from luoshi.notices.models import OrderState, ReminderPolicy, SupervisionOrder
from luoshi.orgs.models import PATH_STEP, Role, RoleAssignment
from luoshi.text.shorten import shorten

SUMMARY_QUOTE = 40  # characters of a measure's summary a message quotes

# Rule code -> label (shown in the delivery log and the JSON lines of `luoshi remind`).
RULES: dict[str, str] = {
    "deadline": "临近完成时限",
    "overdue": "已逾期",
    "review_waiting": "待验收超时",
    "extension_waiting": "延期申请待审批",
    "returned_idle": "退回后未见整改",
    "update_missing": "未按月报送进展",
    "indicator_due": "量化指标本期将结束未达标",
    "escalation": "逾期提级督办",
    "order_unacknowledged": "督办单未签收",
    "order_unanswered": "督办单逾期未反馈",
    "step_due": "轮次步骤临近时限",
    "step_overdue": "轮次步骤已逾期",
    "digest": "每日汇总",
    "urge": "催办",
    "order": "督办单",
    # What happened to a measure, told to the organizers of its round (luoshi.ledger.progress).
    "submitted": "措施提交验收",
    "returned": "措施被退回",
    "closed": "措施验收销号",
    "extension_requested": "措施申请延期",
    "newly_overdue": "措施新近逾期",
}

# What a notice asks its reader to handle, by rule: the notice is marked done when that is handled
# (a 待验收 notice when the measure is closed or returned, an extension notice when it is decided,
# a 催办 or a return when progress is recorded). Rules not listed only inform.
TOPICS: dict[str, str] = {
    "submitted": "review",
    "review_waiting": "review",
    "extension_requested": "extension",
    "extension_waiting": "extension",
    "urge": "work",
    "returned_idle": "work",
    "update_missing": "work",
}


def topic_of(rule: str, object_key: str) -> str:
    """The notice topic of a message of RULE about OBJECT_KEY ("review:measure:12"), or ""."""
    kind = TOPICS.get(rule)
    return f"{kind}:{object_key}" if kind else ""


# The owner still has work to do in these states (a submitted measure waits for the reviewer).
OWNER_WORK = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS, MeasureStatus.RETURNED)
MONTHLY_STATES = (MeasureStatus.IN_PROGRESS, MeasureStatus.RETURNED, MeasureStatus.CONTINUING)


@dataclass(frozen=True)
class Due:
    """One message for one person, before it is expanded to channels."""

    rule: str
    object_key: str
    period: str
    recipient_id: int
    path: str  # the organization the message is about (channels and the log are scoped by it)
    organization_id: int | None
    subject: str
    body: str
    url: str = ""
    measure_id: int | None = None
    urgent: bool = False

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.rule, self.object_key, self.period, self.recipient_id)


def lineage(path: str) -> list[str]:
    """The paths of an organization and of every organization above it."""
    step = PATH_STEP + 1
    return [path[:end] for end in range(step, len(path) + 1, step)]


class Audience:
    """Everyone's roles, read once per pass: who may see an organization, who reviews it, who runs it."""

    def __init__(self) -> None:
        self.grants: dict[int, list[tuple[str, str]]] = defaultdict(list)
        self.by_role: dict[tuple[str, str], list[int]] = defaultdict(list)
        rows = RoleAssignment.objects.filter(user__is_active=True).values_list(
            "user_id", "organization__path", "role"
        )
        for user_id, path, role in rows:
            self.grants[user_id].append((path, role))
            self.by_role[(path, role)].append(user_id)
        self.superusers = set(
            get_user_model().objects.filter(is_superuser=True, is_active=True).values_list("pk", flat=True)
        )

    def can_view(self, user_id: int | None, path: str) -> bool:
        """The lineage test of `luoshi.orgs.access.has_role(user, path, "view")`, from memory."""
        if user_id is None:
            return False
        if user_id in self.superusers:
            return True
        return any(path.startswith(granted) for granted, _role in self.grants.get(user_id, ()))

    def holders(self, role: str, paths: Iterable[str]) -> list[int]:
        found: list[int] = []
        for path in paths:
            found.extend(self.by_role.get((path, role), ()))
        return sorted(set(found))

    def reviewers(self, path: str) -> list[int]:
        return self.holders(Role.REVIEWER, lineage(path))

    def reviewers_above(self, path: str) -> list[int]:
        """Reviewers of the level above (督办); the organization's own when nobody is above it."""
        above = self.holders(Role.REVIEWER, lineage(path)[:-1])
        return above or self.reviewers(path)

    def organizers_of(self, path: str) -> list[int]:
        """The organizers of the organization at PATH; those of the nearest level above when it
        has none of its own (as `luoshi.ledger.progress.organizers_of`)."""
        for level in reversed(lineage(path)):
            found = self.holders(Role.ORGANIZER, [level])
            if found:
                return found
        return []

    def organizers(self) -> dict[int, list[str]]:
        """Organizer -> the paths they hold the role on."""
        found: dict[int, list[str]] = defaultdict(list)
        for user_id, grants in self.grants.items():
            for path, role in grants:
                if role == Role.ORGANIZER:
                    found[user_id].append(path)
        return found


@dataclass(frozen=True)
class Policy:
    before_days: tuple[int, ...]
    escalate_days: int
    monthly_updates: bool


def policies() -> tuple[Policy, dict[int, Policy]]:
    """The default policy (settings) and each round's override."""
    default = Policy(
        before_days=tuple(sorted(settings.LUOSHI_REMIND_BEFORE_DAYS, reverse=True)),
        escalate_days=settings.LUOSHI_REMIND_ESCALATE_DAYS,
        monthly_updates=False,
    )
    overrides = {}
    for row in ReminderPolicy.objects.all():
        days = tuple(
            sorted({int(p) for p in row.before_days.split(",") if p.strip().isdigit()}, reverse=True)
        )
        overrides[row.round_id] = Policy(
            before_days=days or default.before_days,
            escalate_days=row.escalate_days or default.escalate_days,
            monthly_updates=row.monthly_updates,
        )
    return default, overrides


def deadline_bucket(days_left: int, before_days: tuple[int, ...]) -> int | None:
    """The tightest reminder offset DAYS_LEFT has reached (0 is the day itself), or None."""
    if days_left < 0:
        return None
    if days_left == 0:
        return 0
    reached = [d for d in before_days if days_left <= d]
    return min(reached) if reached else None


def week_index(days: int) -> int:
    """0 for days 1-7, 1 for days 8-14 …: the day it starts, then every LUOSHI_REMIND_OVERDUE_EVERY_DAYS."""
    return (days - 1) // settings.LUOSHI_REMIND_OVERDUE_EVERY_DAYS


# Paths of the pages messages link to, written out rather than reversed: a cron-started pass would
# otherwise import every app's views to build the URL map (seconds). A test checks them against reverse().
MEASURE_PATH = "/measures/{}/"
DASHBOARD_PATH = "/dashboard/"
NOTICES_PATH = "/notices/"


def measure_url(measure_id: int) -> str:
    return MEASURE_PATH.format(measure_id)


def _measure_label(row: dict[str, Any]) -> str:
    return f"措施{row['number']}：{shorten(row['summary'], SUMMARY_QUOTE)}（{row['round__title']}，{row['round__team__organization__name']}）"


MEASURE_FIELDS = (
    "id",
    "number",
    "summary",
    "status",
    "round_id",
    "round__title",
    "round__team__organization_id",
    "round__team__organization__name",
    "round__team__organization__path",
    "current_deadline",
    "owner__user_id",
    "submitted_at",
    "submitted_by_id",
)


def _due(rule: str, row: dict[str, Any], recipient: int, subject: str, body: str, **extra: Any) -> Due:
    return Due(
        rule=rule,
        object_key=extra.pop("object_key", f"measure:{row['id']}"),
        period=extra.pop("period"),
        recipient_id=recipient,
        path=row["round__team__organization__path"],
        organization_id=row["round__team__organization_id"],
        subject=subject,
        body=body,
        url=measure_url(row["id"]),
        measure_id=row["id"],
        **extra,
    )


def overdue_dates(today: datetime.date, default: Policy, overrides: dict[int, Policy]) -> list[datetime.date]:
    """The deadlines whose overdue measures may have something new today: the first
    LUOSHI_REMIND_CATCH_UP_DAYS days of each overdue week, and of each escalation threshold.

    Selecting these in SQL keeps a pass's cost to the measures that can fire (about 2 in 7 of the
    overdue ones) instead of every overdue measure every 15 minutes. A pass that misses a whole
    window (the server down for days) skips that week's reminder; the next week's comes.
    """
    catch, every = settings.LUOSHI_REMIND_CATCH_UP_DAYS, settings.LUOSHI_REMIND_OVERDUE_EVERY_DAYS
    days = {d for d in range(1, OVERDUE_LOOKBACK_DAYS + 1) if (d - 1) % every < catch}
    for escalate in {default.escalate_days, *(p.escalate_days for p in overrides.values())}:
        days.update(range(escalate + 1, escalate + 1 + catch))
    return [today - datetime.timedelta(days=d) for d in sorted(days)]


OVERDUE_LOOKBACK_DAYS = 3 * 366  # measures overdue longer than this are no longer reminded daily


def deadline_rules(
    audience: Audience, today: datetime.date, default: Policy, overrides: dict[int, Policy]
) -> Iterator[Due]:
    """Before the deadline, on the day, overdue weekly (owner), and overdue past N days (督办, level above)."""
    horizon = max(
        [default.before_days[0] if default.before_days else 0]
        + [p.before_days[0] for p in overrides.values() if p.before_days]
    )
    catch, every = settings.LUOSHI_REMIND_CATCH_UP_DAYS, settings.LUOSHI_REMIND_OVERDUE_EVERY_DAYS
    rows = Measure.objects.filter(
        Q(current_deadline__gte=today, current_deadline__lte=today + datetime.timedelta(days=horizon))
        | Q(current_deadline__in=overdue_dates(today, default, overrides)),
        status__in=OWNER_WORK,
    ).values(*MEASURE_FIELDS)
    for row in rows.iterator(chunk_size=5000):
        policy = overrides.get(row["round_id"], default)
        deadline: datetime.date = row["current_deadline"]
        days_left = (deadline - today).days
        owner = row["owner__user_id"]
        path = row["round__team__organization__path"]
        owner_sees = audience.can_view(owner, path)
        if days_left >= 0:
            bucket = deadline_bucket(days_left, policy.before_days)
            if bucket is not None and owner_sees:
                label = _measure_label(row)
                when = "今天到期" if days_left == 0 else f"还剩 {days_left} 天"
                yield _due(
                    "deadline",
                    row,
                    owner,
                    f"整改措施{when}",
                    f"{label}，完成时限 {deadline:%Y-%m-%d}，{when}。",
                    period=f"{deadline.isoformat()}:d{bucket}",
                )
            continue
        overdue = -days_left
        if owner_sees and (overdue - 1) % every < catch:
            label = _measure_label(row)
            yield _due(
                "overdue",
                row,
                owner,
                "整改措施已逾期",
                f"{label}，完成时限 {deadline:%Y-%m-%d}，已逾期 {overdue} 天。如需延期，请提出延期申请并说明理由。",
                period=f"{deadline.isoformat()}:w{week_index(overdue)}",
            )
        if overdue <= catch:
            label = _measure_label(row)
            for organizer in audience.organizers_of(path):
                if organizer == owner:
                    continue
                yield _due(
                    "newly_overdue",
                    row,
                    organizer,
                    "整改措施新近逾期",
                    f"{label}，完成时限 {deadline:%Y-%m-%d}，已逾期 {overdue} 天，责任领导尚未完成。",
                    period=deadline.isoformat(),
                )
        if policy.escalate_days < overdue <= policy.escalate_days + catch:
            label = _measure_label(row)
            for reviewer in audience.reviewers_above(path):
                if reviewer == owner:
                    continue
                yield _due(
                    "escalation",
                    row,
                    reviewer,
                    "逾期措施提级督办",
                    f"{label}，完成时限 {deadline:%Y-%m-%d}，已逾期 {overdue} 天（超过 {policy.escalate_days} 天），请督促落实。",
                    period=deadline.isoformat(),
                    urgent=True,
                )


def review_rules(audience: Audience, now: datetime.datetime) -> Iterator[Due]:
    """Submitted and waiting more than N days (reviewers), weekly after that."""
    wait = settings.LUOSHI_REMIND_REVIEW_DAYS
    rows = Measure.objects.filter(
        status=MeasureStatus.SUBMITTED, submitted_at__lte=now - datetime.timedelta(days=wait)
    ).values(*MEASURE_FIELDS)
    for row in rows.iterator(chunk_size=5000):
        waited = (now - row["submitted_at"]).days
        submitted = timezone.localtime(row["submitted_at"]).date()
        for reviewer in audience.reviewers(row["round__team__organization__path"]):
            if reviewer in (row["owner__user_id"], row["submitted_by_id"]):
                continue  # four eyes: they cannot verify it anyway
            yield _due(
                "review_waiting",
                row,
                reviewer,
                "整改措施待验收已超时",
                f"{_measure_label(row)} 于 {submitted:%Y-%m-%d} 提交验收，已等待 {waited} 天。",
                period=f"{submitted.isoformat()}:w{week_index(waited - wait + 1)}",
            )


def extension_rules(audience: Audience, now: datetime.datetime) -> Iterator[Due]:
    """An extension request waiting more than N days (reviewers), weekly after that."""
    wait = settings.LUOSHI_REMIND_EXTENSION_DAYS
    extensions = Extension.objects.filter(
        status=Extension.Status.REQUESTED,
        requested_at__lte=now - datetime.timedelta(days=wait),
        measure__voided_at__isnull=True,  # a voided measure is reminded of nothing
    ).values(
        "id",
        "requested_at",
        "requested_deadline",
        "requested_by_id",
        *(f"measure__{f}" for f in MEASURE_FIELDS),
    )
    for ext in extensions.iterator(chunk_size=5000):
        row = {f: ext[f"measure__{f}"] for f in MEASURE_FIELDS}
        waited = (now - ext["requested_at"]).days
        for reviewer in audience.reviewers(row["round__team__organization__path"]):
            if reviewer in (row["owner__user_id"], ext["requested_by_id"]):
                continue
            yield _due(
                "extension_waiting",
                row,
                reviewer,
                "延期申请待审批",
                f"{_measure_label(row)} 申请延期至 {ext['requested_deadline']:%Y-%m-%d}，已等待 {waited} 天。",
                object_key=f"extension:{ext['id']}",
                period=f"w{week_index(waited - wait + 1)}",
            )


def returned_rules(audience: Audience, now: datetime.datetime) -> Iterator[Due]:
    """A returned measure with no new progress N days after the return (owner), weekly after that."""
    wait = settings.LUOSHI_REMIND_RETURNED_DAYS
    rows = (
        Measure.objects.filter(status=MeasureStatus.RETURNED)
        .annotate(
            returned_at=Max("reviews__created_at", filter=Q(reviews__decision=Review.Decision.RETURN)),
            updated_at_last=Max("updates__created_at"),
        )
        .filter(returned_at__lte=now - datetime.timedelta(days=wait))
        .values(*MEASURE_FIELDS, "returned_at", "updated_at_last")
    )
    for row in rows.iterator(chunk_size=5000):
        if row["updated_at_last"] is not None and row["updated_at_last"] > row["returned_at"]:
            continue
        owner, path = row["owner__user_id"], row["round__team__organization__path"]
        if not audience.can_view(owner, path):
            continue
        idle = (now - row["returned_at"]).days
        returned = timezone.localtime(row["returned_at"]).date()
        yield _due(
            "returned_idle",
            row,
            owner,
            "退回的整改措施尚未见新进展",
            f"{_measure_label(row)} 于 {returned:%Y-%m-%d} 被退回，{idle} 天来没有新的进展，请按退回意见整改。",
            period=f"{returned.isoformat()}:w{week_index(idle - wait + 1)}",
        )


def update_rules(
    audience: Audience, today: datetime.date, default: Policy, overrides: dict[int, Policy]
) -> Iterator[Due]:
    """Where the round asks for monthly updates: no progress dated this month by day N (owner)."""
    rounds = [round_id for round_id, policy in overrides.items() if policy.monthly_updates]
    if not rounds or today.day < settings.LUOSHI_REMIND_UPDATE_DAY:
        return
    month_start = today.replace(day=1)
    this_month = ProgressUpdate.objects.filter(measure=OuterRef("pk"), date__gte=month_start, date__lte=today)
    rows = (
        Measure.objects.filter(round_id__in=rounds, status__in=MONTHLY_STATES)
        .exclude(Exists(this_month))
        .values(*MEASURE_FIELDS)
    )
    for row in rows.iterator(chunk_size=5000):
        owner, path = row["owner__user_id"], row["round__team__organization__path"]
        if not audience.can_view(owner, path):
            continue
        yield _due(
            "update_missing",
            row,
            owner,
            "本月整改进展尚未报送",
            f"{_measure_label(row)} 本轮次要求每月报送进展，{today:%Y年%m月}的进展尚未填报。",
            period=f"{today:%Y-%m}",
        )


INDICATOR_PATH = "/indicators/{}/"


def indicator_rules(audience: Audience, today: datetime.date) -> Iterator[Due]:
    """A quantified commitment's current period ends within N days and its target is not yet met:
    the member is told where they stand ("本月已走访 0/1 次，剩 2 天"); for a team indicator, the
    round's organizers. Once per indicator, member and period."""
    from luoshi.indicators.compliance import period_ending_soon
    from luoshi.indicators.models import Indicator

    current = (
        Indicator.objects.counted()
        .filter(start__lte=today, end__gte=today)
        .select_related("round__team__organization")
    )
    for standing in period_ending_soon(current, today, settings.LUOSHI_REMIND_INDICATOR_DAYS):
        indicator = standing.indicator
        organization = indicator.round.team.organization
        if standing.member is not None:
            recipients = [standing.member.user_id] if standing.member.user_id else []
            who = standing.member.name
        else:
            recipients = audience.holders(Role.ORGANIZER, lineage(organization.path))
            who = "班子整体"
        for recipient in recipients:
            if not audience.can_view(recipient, organization.path):
                continue
            yield Due(
                rule="indicator_due",
                object_key=f"indicator:{indicator.pk}:{standing.member.pk if standing.member else 'team'}",
                period=standing.end.isoformat(),
                recipient_id=recipient,
                path=organization.path,
                organization_id=organization.pk,
                subject=f"量化指标本期即将结束：{indicator}",
                body=f"{who}：{standing.text}（{indicator.round.title}，{organization.name}）。",
                url=INDICATOR_PATH.format(indicator.pk),
            )


STEPS_PATH = "/rounds/{}/steps/"
# A round's steps are reminded from this long before its anchor date (theme −15 days …) until this
# long after it (the inspection report, 2 months): rounds further away are not read.
STEP_WINDOW_DAYS = 400


def step_rules(audience: Audience, today: datetime.date, default: Policy) -> Iterator[Due]:
    """A round step not done nearing its deadline (the reminder offsets) or past it (weekly, as for
    measures): the round's organizers are told. Deadlines follow the anchor date and the settings
    (`luoshi.meetings.steps`)."""
    from luoshi.meetings.models import Preparation
    from luoshi.meetings.steps import build_steps

    window = datetime.timedelta(days=STEP_WINDOW_DAYS)
    preparations = (
        Preparation.objects.filter(
            anchor_date__gte=today - window, anchor_date__lte=today + window, round__archived=False
        )
        .select_related("round__team__organization")
        .prefetch_related("round__steps")
    )
    catch = settings.LUOSHI_REMIND_CATCH_UP_DAYS
    for preparation in preparations.iterator(chunk_size=500):
        round_ = preparation.round
        organization = round_.team.organization
        recipients = [
            user_id
            for user_id in audience.holders(Role.ORGANIZER, lineage(organization.path))
            if audience.can_view(user_id, organization.path)
        ]
        if not recipients:
            continue
        for step in build_steps(round_, preparation.anchor_date, round_.steps.all(), today):
            if step.done is not None or step.deadline is None:
                continue
            days_left = (step.deadline - today).days
            about = f"{round_.title}（{organization.name}）的步骤“{step.label}”"
            if days_left >= 0:
                bucket = deadline_bucket(days_left, default.before_days)
                if bucket is None:
                    continue
                when = "今天到期" if days_left == 0 else f"还剩 {days_left} 天"
                rule, period = "step_due", f"{step.deadline.isoformat()}:d{bucket}"
                subject = f"轮次步骤{when}：{step.label}"
                body = f"{about}时限 {step.deadline:%Y-%m-%d}（{step.rule}），{when}。"
            else:
                overdue = -days_left
                if (overdue - 1) % settings.LUOSHI_REMIND_OVERDUE_EVERY_DAYS >= catch:
                    continue
                rule, period = "step_overdue", f"{step.deadline.isoformat()}:w{week_index(overdue)}"
                subject = f"轮次步骤已逾期：{step.label}"
                body = f"{about}时限 {step.deadline:%Y-%m-%d}（{step.rule}），已逾期 {overdue} 天，尚未标记完成。"
            for recipient in recipients:
                yield Due(
                    rule=rule,
                    object_key=f"round_step:{round_.pk}:{step.key}",
                    period=period,
                    recipient_id=recipient,
                    path=organization.path,
                    organization_id=organization.pk,
                    subject=subject,
                    body=body,
                    url=STEPS_PATH.format(round_.pk),
                )


def order_rules(audience: Audience, now: datetime.datetime, today: datetime.date) -> Iterator[Due]:
    """督办单 not acknowledged within N days, or not answered by its reply deadline: the level above
    and the issuer are told."""
    ack_limit = now - datetime.timedelta(days=settings.LUOSHI_REMIND_ACK_DAYS)
    orders = SupervisionOrder.objects.filter(
        Q(state=OrderState.ISSUED, issued_at__lte=ack_limit)
        | Q(state__in=[OrderState.ISSUED, OrderState.ACKNOWLEDGED], reply_deadline__lt=today),
        measure__voided_at__isnull=True,
    ).values(
        "id",
        "year",
        "number",
        "state",
        "issued_at",
        "reply_deadline",
        "issued_by_id",
        *(f"measure__{f}" for f in MEASURE_FIELDS),
    )
    for order in orders.iterator(chunk_size=5000):
        row = {f: order[f"measure__{f}"] for f in MEASURE_FIELDS}
        path = row["round__team__organization__path"]
        title = f"督办〔{order['year']}〕{order['number']}号"
        unanswered = order["reply_deadline"] < today
        rule = "order_unanswered" if unanswered else "order_unacknowledged"
        text = (
            f"{title}（{_measure_label(row)}）限期 {order['reply_deadline']:%Y-%m-%d} 反馈，逾期仍未反馈。"
            if unanswered
            else f"{title}（{_measure_label(row)}）签发已超过 {settings.LUOSHI_REMIND_ACK_DAYS} 天，责任人仍未签收。"
        )
        recipients = set(audience.reviewers_above(path))
        if audience.can_view(order["issued_by_id"], path):
            recipients.add(order["issued_by_id"])
        recipients.discard(row["owner__user_id"])
        for recipient in sorted(recipients):
            yield _due(
                rule,
                row,
                recipient,
                RULES[rule],
                text,
                object_key=f"order:{order['id']}",
                period="reply" if unanswered else "ack",
                urgent=True,
            )


def digest_rules(audience: Audience, now: datetime.datetime, today: datetime.date) -> Iterator[Due]:
    """Each organizer's daily digest of the rounds they run: open, overdue, due soon, awaiting review."""
    hour, minute = (int(x) for x in settings.LUOSHI_REMIND_DIGEST_TIME.split(":"))
    if timezone.localtime(now).time() < datetime.time(hour, minute):
        return
    from luoshi.notices.models import Delivery

    # Once today's digests are stored, later passes skip the round-by-round count (the costliest
    # query of a pass); an organizer named during the day has theirs from tomorrow.
    if Delivery.objects.filter(rule="digest", period=today.isoformat()).exists():
        return
    organizers = audience.organizers()
    if not organizers:
        return
    soon = today + datetime.timedelta(days=settings.LUOSHI_DUE_SOON_DAYS)
    open_q = Q(status__in=[*OWNER_WORK, MeasureStatus.SUBMITTED])
    rounds = list(
        Measure.objects.values(
            "round_id", "round__title", "round__team__organization__name", "round__team__organization__path"
        )
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=open_q),
            overdue=Count("pk", filter=open_q & Q(current_deadline__lt=today)),
            soon=Count(
                "pk", filter=Q(status__in=OWNER_WORK, current_deadline__gte=today, current_deadline__lte=soon)
            ),
            submitted=Count("pk", filter=Q(status=MeasureStatus.SUBMITTED)),
        )
        .order_by("round__team__organization__path", "round_id")
    )
    for user_id, paths in sorted(organizers.items()):
        mine = [r for r in rounds if any(r["round__team__organization__path"].startswith(p) for p in paths)]
        if not mine or not any(r["open"] for r in mine):
            continue
        top = min(paths, key=len)
        totals = {k: sum(r[k] for r in mine) for k in ("total", "open", "overdue", "soon", "submitted")}
        lines = [
            f"共 {len(mine)} 个轮次、{totals['total']} 项措施：未办结 {totals['open']}，逾期 {totals['overdue']}，"
            f"{settings.LUOSHI_DUE_SOON_DAYS} 天内到期 {totals['soon']}，待验收 {totals['submitted']}。"
        ]
        worst = sorted(mine, key=lambda r: (-r["overdue"], -r["soon"], r["round_id"]))[:20]
        for r in worst:
            if r["overdue"] or r["soon"] or r["submitted"]:
                lines.append(
                    f"· {r['round__team__organization__name']} {r['round__title']}：逾期 {r['overdue']}，"
                    f"临近时限 {r['soon']}，待验收 {r['submitted']}"
                )
        if len(mine) > len(worst):
            lines.append(f"（另有 {len(mine) - len(worst)} 个轮次未列出）")
        yield Due(
            rule="digest",
            object_key="rounds",
            period=today.isoformat(),
            recipient_id=user_id,
            path=top,
            organization_id=None,
            subject=f"整改落实每日汇总（{today:%m月%d日}）",
            body="\n".join(lines),
            url=DASHBOARD_PATH,
        )


def evaluate(now: datetime.datetime | None = None) -> list[Due]:
    """Every message the rules say is due now (before checking what was already sent)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    audience = Audience()
    default, overrides = policies()
    found: list[Due] = []
    found.extend(deadline_rules(audience, today, default, overrides))
    found.extend(review_rules(audience, now))
    found.extend(extension_rules(audience, now))
    found.extend(returned_rules(audience, now))
    found.extend(update_rules(audience, today, default, overrides))
    found.extend(indicator_rules(audience, today))
    found.extend(step_rules(audience, today, default))
    found.extend(order_rules(audience, now, today))
    found.extend(digest_rules(audience, now, today))
    return found
