"""Supervision and inspection feedback (督导反馈 / 巡察反馈) awaiting staff decisions.

A batch is one document or one pasted list given to a round's team; each of its items is matched
against the organization's earlier problems when it is imported, and then decided once: a confirmed
recurrence or a new problem enters the ledger, a dismissal keeps its reason.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from luoshi.ledger.models import Problem, Round, Source

AnyUser = Any


class FeedbackKind(models.TextChoices):
    """The two kinds of feedback; the values are the Problem sources the confirmed items get."""

    SUPERVISION = Source.SUPERVISION.value, _("督导反馈")
    INSPECTION = Source.INSPECTION.value, _("巡察反馈")


class Decision(models.TextChoices):
    PENDING = "pending", _("待处理")
    RECURRENCE = "recurrence", _("确认反复出现")
    NEW = "new", _("新问题")
    DISMISSED = "dismissed", _("不予采纳")


class FeedbackBatchQuerySet(models.QuerySet["FeedbackBatch"]):
    def for_user(self, user: AnyUser, action: str = "view") -> FeedbackBatchQuerySet:
        return self.filter(round__in=Round.objects.for_user(user, action))


class FeedbackBatch(models.Model):
    round = models.ForeignKey(
        Round, verbose_name=_("检视轮次"), on_delete=models.CASCADE, related_name="feedback_batches"
    )
    kind = models.CharField(_("反馈类型"), max_length=20, choices=FeedbackKind.choices)
    name = models.CharField(_("名称"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    objects = FeedbackBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("反馈批次")
        verbose_name_plural = _("反馈批次")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class FeedbackItemQuerySet(models.QuerySet["FeedbackItem"]):
    def for_user(self, user: AnyUser, action: str = "view") -> FeedbackItemQuerySet:
        return self.filter(batch__round__in=Round.objects.for_user(user, action))


class FeedbackItem(models.Model):
    """One feedback item, the matches found when it was imported, and the decision taken on it.

    `matches` keeps the engine's answer at import time ([{"id": problem pk, "score": …}], best first):
    what staff saw is what they decided on. Pages filter it through `Problem.objects.for_user` again.
    """

    batch = models.ForeignKey(
        FeedbackBatch, verbose_name=_("反馈批次"), on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveIntegerField(_("序号"))
    aspect_label = models.CharField(_("方面（原文）"), max_length=200, blank=True)
    summary = models.CharField(_("反馈问题"), max_length=500)
    text = models.TextField(_("具体内容"), blank=True)
    matches = models.JSONField(_("比对结果"), default=list, blank=True)
    suggested = models.ForeignKey(
        Problem,
        verbose_name=_("系统建议：以往的同一问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision = models.CharField(
        _("处理结果"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    recurrence_of = models.ForeignKey(
        Problem,
        verbose_name=_("确认为以往的问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("列入台账的问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_items",
    )
    lessons = models.TextField(_("举一反三"), blank=True)
    reason = models.TextField(_("不予采纳理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = FeedbackItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("反馈事项")
        verbose_name_plural = _("反馈事项")
        ordering = ["batch", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "order"],
                name="feedback_item_order_unique",
                violation_error_message="同一批反馈内序号不能重复",
            ),
            models.CheckConstraint(
                condition=~Q(decision="recurrence") | ~Q(lessons=""),
                name="feedback_recurrence_needs_lessons",
                violation_error_message="确认反复出现须填写举一反三情况",
            ),
            models.CheckConstraint(
                condition=~Q(decision="dismissed") | ~Q(reason=""),
                name="feedback_dismissal_needs_reason",
                violation_error_message="不予采纳须填写理由",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.summary}"

    @property
    def is_pending(self) -> bool:
        return self.decision == Decision.PENDING
