"""The steps of a round before and around its meeting (DESIGN.md, The cycle).

Opinions (征求意见) are the first records here: each is kept verbatim, classified to an aspect and a
target (the team, or one member) and can be linked to the problems it led to. Contact details, when
someone chooses to leave them, are read only through `luoshi.meetings.services`, which decides who may
see them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.ledger.models import Aspect, Problem, Round
from luoshi.orgs.models import Member


class OpinionSource(models.TextChoices):
    PUBLIC = "public", _("网上征求")
    BOX = "box", _("意见箱")
    FORUM = "forum", _("座谈会")
    INTERVIEW = "interview", _("个别访谈")
    SPREADSHEET = "spreadsheet", _("表格导入")


class OpinionStatus(models.TextChoices):
    RECEIVED = "received", _("待分类")
    CLASSIFIED = "classified", _("已分类")
    FORWARDED = "forwarded", _("已转交")


class Opinion(models.Model):
    round = models.ForeignKey(
        Round, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="opinions"
    )
    source = models.CharField(_("来源"), max_length=20, choices=OpinionSource.choices)
    text = models.TextField(_("意见内容"))
    # Null target: the opinion is about the team as a whole.
    target_member = models.ForeignKey(
        Member,
        verbose_name=_("针对成员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
    )
    aspect = models.ForeignKey(
        Aspect,
        verbose_name=_("方面"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=OpinionStatus.choices, default=OpinionStatus.RECEIVED
    )
    anonymous = models.BooleanField(_("匿名"), default=True)
    contact = models.CharField(_("联系方式"), max_length=200, blank=True)
    problems = models.ManyToManyField(
        Problem, verbose_name=_("形成的问题"), blank=True, related_name="opinions"
    )
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("意见建议")
        verbose_name_plural = _("意见建议")
        ordering = ["round", "received_at", "pk"]
        indexes = [models.Index(fields=["round", "source"])]

    def __str__(self) -> str:
        return self.text[:40]
