"""Indicators (量化指标) watched from dated activity records (履职记录).

An indicator is a quantified commitment of a round made checkable: who it binds (each member of the
team, one named member, or the team as a whole), over which period, what comparison against which
target, and which kind of activity counts. Compliance is never stored: it is aggregated from the
activity records whenever it is asked for (`luoshi.indicators.compliance`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from luoshi.ledger.models import Commitment, Measure, ProgressUpdate, Round
from luoshi.orgs.access import action_q
from luoshi.orgs.models import Member, Team

AnyUser = Any


class ActivityKind(models.TextChoices):
    VISIT = "visit", _("走访调研")
    HOUSEHOLD = "household", _("入户走访")
    STUDY = "study", _("学习")
    SEMINAR = "seminar", _("专题研讨")
    MEETING = "meeting", _("召开会议")
    REPORT = "report", _("撰写报告")
    FIGURE = "figure", _("报告数值")


# The verb a standing sentence uses for each kind ("本月已走访 0/1 次").
KIND_VERBS = {
    ActivityKind.VISIT: "走访",
    ActivityKind.HOUSEHOLD: "入户走访",
    ActivityKind.STUDY: "学习",
    ActivityKind.SEMINAR: "开展专题研讨",
    ActivityKind.MEETING: "召开会议",
    ActivityKind.REPORT: "撰写报告",
    ActivityKind.FIGURE: "报告",
}


class Scope(models.TextChoices):
    EACH_MEMBER = "each", _("每名班子成员")
    MEMBER = "member", _("指定成员")
    TEAM = "team", _("班子整体")


class Period(models.TextChoices):
    WEEK = "week", _("每周")
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    HALFYEAR = "halfyear", _("每半年")
    YEAR = "year", _("每年")


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def for_user(self, user: AnyUser, action: str = "view") -> IndicatorQuerySet:
        """Indicators of the rounds USER may perform ACTION on ("manage": organizers)."""
        return self.filter(action_q(user, action, "round__team__organization__"))

    def counted(self) -> IndicatorQuerySet:
        """Indicators that count: not those of a voided (作废) measure."""
        return self.filter(Q(measure__isnull=True) | Q(measure__voided_at__isnull=True))


class Indicator(models.Model):
    round = models.ForeignKey(
        Round, verbose_name=_("检视轮次"), on_delete=models.CASCADE, related_name="indicators"
    )
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("整改措施"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
    )
    commitment = models.OneToOneField(
        Commitment,
        verbose_name=_("量化承诺"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicator",
        help_text=_("由解析出的量化承诺生成时，指向该承诺"),
    )
    name = models.CharField(_("指标"), max_length=300)
    kind = models.CharField(_("计入的履职记录"), max_length=20, choices=ActivityKind.choices)
    scope = models.CharField(_("对象"), max_length=10, choices=Scope.choices, default=Scope.EACH_MEMBER)
    member = models.ForeignKey(
        Member,
        verbose_name=_("指定成员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    period = models.CharField(_("周期"), max_length=10, choices=Period.choices, default=Period.MONTH)
    op = models.CharField(_("比较"), max_length=2, choices=Commitment.Op.choices, default=Commitment.Op.GE)
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("量化指标")
        verbose_name_plural = _("量化指标")
        ordering = ["round", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="member") & Q(member__isnull=False))
                | (~Q(scope="member") & Q(member__isnull=True)),
                name="indicator_member_iff_scope_member",
                violation_error_message="对象为“指定成员”时须选择成员，其他对象不选成员",
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="indicator_dates_ordered",
                violation_error_message="结束日期不能早于开始日期",
            ),
            models.CheckConstraint(
                condition=Q(target__gte=0),
                name="indicator_target_not_negative",
                violation_error_message="目标值不能为负数",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("indicator_grid", args=[self.pk])

    @property
    def requirement(self) -> str:
        """The rule in words: 每月不少于 1 次."""
        return f"{self.get_period_display()}{self.get_op_display()} {fmt_number(self.target)} {self.unit}".strip()


def fmt_number(value: Any) -> str:
    """A Decimal or number without trailing zeros ("1", "12.5")."""
    if value is None:
        return "—"
    text = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


class ActivityQuerySet(models.QuerySet["Activity"]):
    def for_user(self, user: AnyUser, action: str = "view") -> ActivityQuerySet:
        """Records USER may perform ACTION on. A member sees and corrects their own records; office
        staff (organizers) those of the teams they manage, entered on a member's behalf or not;
        anyone with a role on the team's organization may view."""
        prefix = "team__organization__"
        own = Q(member__user=user) if user.is_authenticated else Q(pk__in=[])
        if action == "work":
            return self.filter(own | action_q(user, "manage", prefix))
        return self.filter(own | action_q(user, action, prefix))


def activity_photo_path(instance: Activity, filename: str) -> str:
    import uuid

    return f"activities/{instance.team_id}/{uuid.uuid4().hex}"


class Activity(models.Model):
    """One dated record of work (a visit, a study session, a figure reported).

    A village visit with 12 households is one record: it counts once as a visit and 12 times as a
    household visit. Corrections change the row; the audit log keeps every version.
    """

    team = models.ForeignKey(
        Team, verbose_name=_("班子"), on_delete=models.PROTECT, related_name="activities"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("班子成员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        help_text=_("不填为班子整体的活动（如班子专题研讨）"),
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类别"), max_length=20, choices=ActivityKind.choices)
    count = models.PositiveIntegerField(_("次数"), default=1)
    households = models.PositiveIntegerField(_("入户数"), default=0)
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4, null=True, blank=True)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("报告的指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="figures",
        help_text=_("报告数值时，数值所属的指标"),
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    note = models.CharField(_("简要说明"), max_length=500, blank=True)
    photo = models.FileField(_("照片（可选）"), upload_to=activity_photo_path, blank=True)
    progress_update = models.ForeignKey(
        ProgressUpdate,
        verbose_name=_("整改进展"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("履职记录")
        verbose_name_plural = _("履职记录")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["team", "date"], name="activity_team_date"),
            models.Index(fields=["member", "date"], name="activity_member_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gte=1) | Q(kind="figure"),
                name="activity_count_positive",
                violation_error_message="次数至少为 1",
            ),
            models.CheckConstraint(
                condition=~Q(kind="figure") | (Q(value__isnull=False) & Q(indicator__isnull=False)),
                name="activity_figure_has_value",
                violation_error_message="报告数值须填写数值并选择所属指标",
            ),
        ]

    def __str__(self) -> str:
        who = self.member.name if self.member_id and self.member else "班子"
        return f"{self.date} {who} {self.get_kind_display()}"

    @property
    def amount(self) -> str:
        """What the record counts as, in words: "1 次（入户 12 户）", or the figure."""
        if self.kind == ActivityKind.FIGURE:
            return fmt_number(self.value)
        text = f"{self.count} 次"
        if self.households:
            text += f"（入户 {self.households} 户）"
        return text
