"""In-app notices: the owner is told a measure was returned, a reviewer that one awaits them.

Deliberately plain (no push, no read receipts demanded, DESIGN.md principle 6): a list a person
reads when they come, nothing that measures how fast they answered.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.orgs.models import Organization


class Notice(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notices"
    )
    text = models.CharField(_("内容"), max_length=500)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # What the notice asks someone to handle ("review:measure:12", "extension:extension:3",
    # "work:measure:12"; see luoshi.notices.rules.topic_of); blank for a notice that only informs.
    topic = models.CharField(_("事项"), max_length=80, blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notice_user_unread"),
            models.Index(fields=["topic"], condition=Q(done_at__isnull=True), name="notice_open_topic"),
        ]

    def __str__(self) -> str:
        return self.text


# --- reminders: channels, preferences, deliveries ------------------------------------------------

AnyUser = Any


def _manage_q(user: AnyUser, prefix: str) -> Q:
    from luoshi.orgs.access import organizations_q, roles_for_action

    return organizations_q(user, roles_for_action("manage"), prefix=prefix)


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    WECOM = "wecom", _("企业微信群机器人")
    WEBHOOK = "webhook", _("通用 Webhook（JSON）")


INBOX = "inbox"  # the in-app notice list: always on, needs no channel row


class ChannelQuerySet(models.QuerySet["Channel"]):
    def for_user(self, user: AnyUser, action: str = "manage") -> ChannelQuerySet:
        """Channels are configured (and seen) by the organizers of their organization or above."""
        return self.filter(_manage_q(user, "organization__"))


class Channel(models.Model):
    """A way out of luoshi an organization's organizer set up: a mail server, a group robot, a webhook.

    `secret` (SMTP password, DingTalk signing secret, webhook token) is written once and never shown
    again: pages, logs and the audit log see only whether one is set.
    """

    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="channels"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    config = models.JSONField(_("设置"), default=dict, blank=True)
    secret = models.CharField(_("密钥"), max_length=500, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        ordering = ["organization__path", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="channel_unique_name",
                violation_error_message="本单位已有同名的通知渠道",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def key(self) -> str:
        return f"c{self.pk}"

    @property
    def target(self) -> str:
        """Where it sends, without secrets: the SMTP host or the webhook's host and path."""
        from urllib.parse import urlsplit

        if self.kind == ChannelKind.EMAIL:
            return f"{self.config.get('host', '')}:{self.config.get('port', '')}"
        parts = urlsplit(str(self.config.get("url", "")))
        return f"{parts.scheme}://{parts.netloc}{parts.path}"


class DeliveryMode(models.TextChoices):
    IMMEDIATE = "immediate", _("即时")
    DIGEST = "digest", _("每日汇总")


class Preference(models.Model):
    """How a person wants to be reached: at once or in a daily digest, by which channels, and when not."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notice_preference",
    )
    mode = models.CharField(
        _("接收方式"), max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.IMMEDIATE
    )
    kinds = models.JSONField(
        _("接收渠道"), default=list, blank=True, help_text=_("空表示本单位配置的全部渠道；站内通知始终保留")
    )
    quiet_hours = models.CharField(
        _("免打扰时段"), max_length=11, blank=True, help_text=_("如 22:00-07:30；空为系统默认")
    )

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self) -> str:
        return str(self.user)


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败，待重试")
    GIVEN_UP = "given_up", _("已放弃")


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def for_user(self, user: AnyUser, action: str = "manage") -> DeliveryQuerySet:
        """The delivery log is the organizers': deliveries about their organizations and below."""
        own = Q(recipient=user) if user.is_authenticated else Q(pk__in=[])
        if action == "own":
            return self.filter(own)
        return self.filter(_manage_q(user, "organization__") | Q(organization__isnull=True) & own)


class Delivery(models.Model):
    """One message to one person through one channel, keyed so that it can exist only once.

    The key is (rule, object, period, recipient, channel): a reminder pass that runs twice, or two
    passes at once, meet the unique constraint and send nothing twice.
    """

    rule = models.CharField(_("规则"), max_length=40)
    object_key = models.CharField(_("对象"), max_length=60)
    period = models.CharField(_("周期"), max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel_key = models.CharField(_("渠道"), max_length=20)  # "inbox" or "c<channel id>"
    channel = models.ForeignKey(
        Channel, verbose_name=_("渠道"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    measure_id = models.BigIntegerField(_("措施"), null=True, blank=True)
    urgent = models.BooleanField(_("紧急"), default=False)
    digest = models.BooleanField(_("并入每日汇总"), default=False)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    url = models.CharField(_("链接"), max_length=300, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("计划发送时间"))
    claimed_by = models.CharField(max_length=80, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_key", "period", "recipient", "channel_key"],
                name="delivery_key_unique",
                violation_error_message="同一提醒已发给此人此渠道",
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["organization", "-created_at"], name="delivery_org_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.object_key} {self.period} → {self.recipient_id} · {self.channel_key}"


class PassLease(models.Model):
    """The reminder pass's lock: one row, held by one process until `until` (a lease, so a crashed
    pass frees it by itself). Works alike on SQLite and PostgreSQL."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    holder = models.CharField(max_length=80, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    last_pass_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("提醒任务锁")
        verbose_name_plural = _("提醒任务锁")

    def __str__(self) -> str:
        return f"{self.holder or '空闲'} {self.until or ''}"


class ReminderPolicy(models.Model):
    """A round's own reminder rules, where it differs from the settings (LUOSHI_REMIND_…)."""

    round = models.OneToOneField(
        "ledger.Round", verbose_name=_("检视轮次"), on_delete=models.CASCADE, related_name="reminder_policy"
    )
    before_days = models.CharField(
        _("时限前提醒（天）"), max_length=50, blank=True, help_text=_("逗号分隔，如 7,3,1；空为系统默认")
    )
    escalate_days = models.PositiveIntegerField(_("逾期多少天后督办"), null=True, blank=True)
    monthly_updates = models.BooleanField(_("要求每月报送进展"), default=False)

    class Meta:
        verbose_name = _("轮次提醒规则")
        verbose_name_plural = _("轮次提醒规则")

    def __str__(self) -> str:
        return str(self.round)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        parts = [p.strip() for p in self.before_days.split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            raise ValidationError({"before_days": "请填写逗号分隔的天数，如 7,3,1"})


# --- 催办 and 督办单 ---------------------------------------------------------------------------------


class Urge(models.Model):
    """催办: an organizer or reviewer urges a measure's owner; at most once per measure per day."""

    measure = models.ForeignKey(
        "ledger.Measure", verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="urges"
    )
    day = models.DateField(_("日期"))
    message = models.CharField(_("催办留言"), max_length=300, blank=True)
    urged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("催办人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("催办")
        verbose_name_plural = _("催办")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "day"],
                name="urge_once_per_day",
                violation_error_message="该措施今天已催办过",
            )
        ]

    def __str__(self) -> str:
        return f"催办 {self.measure_id} {self.day}"


class OrderGrade(models.TextChoices):
    BLUE = "blue", _("蓝色督办")
    YELLOW = "yellow", _("黄色督办")
    RED = "red", _("红色督办")


class OrderState(models.TextChoices):
    ISSUED = "issued", _("待签收")
    ACKNOWLEDGED = "acknowledged", _("已签收，待反馈")
    REPLIED = "replied", _("已反馈")


class SupervisionOrderQuerySet(models.QuerySet["SupervisionOrder"]):
    def for_user(self, user: AnyUser, action: str = "view") -> SupervisionOrderQuerySet:
        from luoshi.ledger.models import Measure

        return self.filter(measure__in=Measure.objects.for_user(user, action))


class SupervisionOrder(models.Model):
    """督办单: a numbered written order to an owner, graded 蓝/黄/红, with a reply deadline (限期反馈)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("督办单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("编号"))
    measure = models.ForeignKey(
        "ledger.Measure", verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="orders"
    )
    grade = models.CharField(_("督办等级"), max_length=10, choices=OrderGrade.choices)
    reason = models.TextField(_("督办事由"))
    reply_deadline = models.DateField(_("限期反馈"))
    state = models.CharField(_("状态"), max_length=20, choices=OrderState.choices, default=OrderState.ISSUED)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签发人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    reply = models.TextField(_("反馈情况"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反馈人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)

    objects = SupervisionOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "number"],
                name="order_number_unique",
                violation_error_message="督办单编号重复",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("order_detail", args=[self.pk])

    @property
    def title(self) -> str:
        return f"督办〔{self.year}〕{self.number}号"
