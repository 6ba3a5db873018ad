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

from luoshi.ledger.models import Aspect, Measure, Problem, Round
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


# --- the round's timeline and the talk matrix's settings (preparation) ---------------------------


class Preparation(models.Model):
    """The organizer's settings for one round's preparation.

    The anchor date is the one the steps' deadlines count from: the meeting date of a 民主生活会, or
    the day an inspection, audit or supervision's feedback arrived. The secretary (书记) is the member
    the talk matrix pairs with every other member; unset, the first member by order.
    """

    round = models.OneToOneField(
        Round, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="preparation"
    )
    anchor_date = models.DateField(_("会议日期（或收到反馈日期）"), null=True, blank=True)
    secretary = models.ForeignKey(
        Member, verbose_name=_("书记"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("轮次筹备")
        verbose_name_plural = _("轮次筹备")

    def __str__(self) -> str:
        return f"{self.round} {self.anchor_date or ''}"


class StepKey(models.TextChoices):
    THEME = "theme", _("确定主题")
    OPINIONS = "opinions", _("征求意见")
    TALKS = "talks", _("谈心交心")
    MATERIALS = "materials", _("撰写对照检查材料")
    MEETING = "meeting", _("开展批评和自我批评")
    MEASURES = "measures", _("制定整改措施")
    REPORT = "report", _("报告和通报")
    FEEDBACK = "feedback", _("收到反馈意见")
    PLAN = "plan", _("制定整改方案")
    RECTIFICATION_REPORT = "rect_report", _("报送整改情况报告")


class RoundStep(models.Model):
    """One step of a round as the organizer recorded it: planned date and the day it was done.

    The deadline is never stored: it follows from the anchor date and the settings
    (`luoshi.meetings.steps`)."""

    round = models.ForeignKey(Round, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(_("步骤"), max_length=20, choices=StepKey.choices)
    planned_date = models.DateField(_("计划日期"), null=True, blank=True)
    done_date = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("轮次步骤")
        verbose_name_plural = _("轮次步骤")
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "step"],
                name="round_step_unique",
                violation_error_message="每个步骤在一个轮次中只记录一次",
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.get_step_display()}"


class Oversight(models.Model):
    """A unit a member oversees (分管单位) and its head (负责人), entered by the organizer: the talk
    matrix asks each member to talk with the heads of the units they oversee."""

    member = models.ForeignKey(
        Member, verbose_name=_("班子成员"), on_delete=models.CASCADE, related_name="overseen_units"
    )
    unit = models.CharField(_("分管单位"), max_length=200)
    head = models.CharField(_("负责人"), max_length=100)

    class Meta:
        verbose_name = _("分管单位")
        verbose_name_plural = _("分管单位")
        ordering = ["member", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "unit", "head"],
                name="oversight_unique",
                violation_error_message="该成员已登记此分管单位负责人",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.head}"


# --- the meeting (民主生活会 itself): attendance, 回头看, criticisms -------------------------------


class Meeting(models.Model):
    """The meeting of a round: when, where, who chaired it, and whether it was held.

    The expected attendees (应到) are the team's active members when the meeting is registered, one
    Attendance row each; the quorum is computed from those rows (never stored).
    """

    round = models.OneToOneField(
        Round, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="meeting"
    )
    date = models.DateField(_("会议日期"), null=True, blank=True)
    place = models.CharField(_("会议地点"), max_length=200, blank=True)
    host = models.ForeignKey(
        Member,
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    held = models.BooleanField(_("已召开"), default=False)
    # Set when the organizer recorded the meeting as held although fewer than the quorum attended.
    held_without_quorum = models.BooleanField(_("未达法定人数仍召开"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("民主生活会会议")
        verbose_name_plural = _("民主生活会会议")

    def __str__(self) -> str:
        return f"{self.round} 会议"


class Attendance(models.Model):
    """One expected attendee (应到) of a meeting: present, or absent with the reason."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(Member, verbose_name=_("班子成员"), on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(_("出席"), default=True)
    reason = models.CharField(_("缺席原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        ordering = ["meeting", "member__order", "member_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"],
                name="attendance_one_per_member",
                violation_error_message="同一成员在一次会议中只能登记一次",
            ),
            models.CheckConstraint(
                condition=models.Q(present=True) | ~models.Q(reason=""),
                name="attendance_absent_has_reason",
                violation_error_message="缺席须写明原因",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} {'出席' if self.present else '缺席'}"


class CarryDecision(models.TextChoices):
    PENDING = "pending", _("待研究")
    CONTINUE = "continue", _("继续整改")
    CLOSED = "closed", _("已完成销号")


class CarriedMeasure(models.Model):
    """回头看: an unfinished measure of the previous round, carried into this round's review.

    The measure stays in its own round (its ledger, its history); this row is this round's record
    of looking back at it and of what the meeting decided.
    """

    round = models.ForeignKey(
        Round, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="carried_measures"
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("上一轮整改措施"), on_delete=models.CASCADE, related_name="carried_into"
    )
    decision = models.CharField(
        _("回头看结论"), max_length=20, choices=CarryDecision.choices, default=CarryDecision.PENDING
    )
    note = models.TextField(_("说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("结转时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回头看结转措施")
        verbose_name_plural = _("回头看结转措施")
        ordering = ["round", "measure__round_id", "measure__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "measure"],
                name="carried_measure_once_per_round",
                violation_error_message="该措施已结转到本轮次",
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} ← {self.measure}"


class Criticism(models.Model):
    """A criticism raised at the meeting (批评意见), or a self-criticism when both members are the same.

    It can become its target member's problem (source 批评意见); the problem is linked here.
    """

    round = models.ForeignKey(
        Round, verbose_name=_("轮次"), on_delete=models.CASCADE, related_name="criticisms"
    )
    from_member = models.ForeignKey(
        Member, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="criticisms_given"
    )
    to_member = models.ForeignKey(
        Member, verbose_name=_("被批评人"), on_delete=models.PROTECT, related_name="criticisms_received"
    )
    text = models.TextField(_("批评意见"))
    problem = models.OneToOneField(
        Problem,
        verbose_name=_("形成的问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="criticism",
    )
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
        verbose_name = _("批评意见")
        verbose_name_plural = _("批评意见")
        ordering = ["round", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_self(self) -> bool:
        """自我批评: a member's criticism of themself."""
        return self.from_member_id == self.to_member_id
