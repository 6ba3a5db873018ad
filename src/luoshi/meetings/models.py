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


class StudySession(models.Model):
    """A study session (集中学习研讨) held to prepare the round."""

    round = models.ForeignKey(
        Round, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="study_sessions"
    )
    date = models.DateField(_("日期"))
    topic = models.CharField(_("学习内容"), max_length=300)
    seminar = models.BooleanField(_("专题研讨"), default=False)
    attendees = models.ManyToManyField(Member, verbose_name=_("参加人员"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("集中学习")
        verbose_name_plural = _("集中学习")
        ordering = ["round", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.date} {self.topic}"


class TalkMode(models.TextChoices):
    ONE_TO_ONE = "single", _("个别谈")
    GROUP = "group", _("集体谈")


class Talk(models.Model):
    """A heart-to-heart talk (谈心谈话): who talked with whom, when, and how.

    Each partner of a talk counts one 人次. The summary is confidential: only the people in the talk
    and the round's organizer may read it (decided in `luoshi.meetings.services`).
    """

    round = models.ForeignKey(Round, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="talks")
    initiator = models.ForeignKey(
        Member, verbose_name=_("谈话人"), on_delete=models.PROTECT, related_name="talks_given"
    )
    partners = models.ManyToManyField(Member, verbose_name=_("谈话对象"), related_name="talks_received")
    # Partners from outside the team (heads of the units a member oversees), by name.
    outside_partners = models.CharField(_("其他谈话对象"), max_length=500, blank=True)
    date = models.DateField(_("日期"))
    mode = models.CharField(_("方式"), max_length=10, choices=TalkMode.choices, default=TalkMode.ONE_TO_ONE)
    summary = models.TextField(_("谈话要点（保密）"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("谈心谈话")
        verbose_name_plural = _("谈心谈话")
        ordering = ["round", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.date} {self.initiator}"


class OpinionLink(models.Model):
    """A round's public opinion link (and its QR code): anyone holding the token may send an opinion
    while the link is open, without logging in. The token is random and can be closed, not guessed."""

    round = models.OneToOneField(
        Round, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="opinion_link"
    )
    token = models.CharField(_("链接令牌"), max_length=64, unique=True)
    open = models.BooleanField(_("开放征求"), default=True)
    opened_at = models.DateTimeField(_("开放时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("征求意见链接")
        verbose_name_plural = _("征求意见链接")

    def __str__(self) -> str:
        return f"{self.round} · {'开放' if self.open else '已关闭'}"
