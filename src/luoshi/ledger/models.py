"""Rounds, problems, causes and measures: the rectification ledger (整改台账).

Derived values (overdue, due soon, rates) are properties or queries, never stored copies. Every
queryset a page or the API reads goes through `for_user(user, action)`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.ledger.states import OPEN_STATUSES, MeasureStatus
from luoshi.orgs.access import action_q
from luoshi.orgs.models import Member, Team

# A user object as views receive it (a User or AnonymousUser); kept loose for the type checker.
AnyUser = Any


# The words beside each traffic light (see Measure.light).
LIGHT_LABELS = {"red": "逾期", "yellow": "临近", "green": "正常"}


class RoundKind(models.TextChoices):
    ANNUAL = "annual", _("年度民主生活会")
    SPECIAL = "special", _("专题民主生活会")
    ORGANIZATION_LIFE = "org_life", _("组织生活会")
    INSPECTION = "inspection", _("巡察整改")
    AUDIT = "audit", _("审计整改")
    SUPERVISION = "supervision", _("督导整改")


class Source(models.TextChoices):
    SELF_EXAMINATION = "self", _("自我查摆")
    OPINION = "opinion", _("征求意见")
    CRITICISM = "criticism", _("批评意见")
    SUPERVISION = "supervision", _("督导反馈")
    INSPECTION = "inspection", _("巡察反馈")
    AUDIT = "audit", _("审计发现")


# Where the problems of a round of each kind come from, unless the organizer says otherwise: an
# inspection's rectification plan lists what the inspection found, a 民主生活会's material what
# the team found itself.
_SOURCE_OF_KIND = {
    RoundKind.INSPECTION.value: Source.INSPECTION,
    RoundKind.AUDIT.value: Source.AUDIT,
    RoundKind.SUPERVISION.value: Source.SUPERVISION,
}


def default_source(kind: str) -> Source:
    """The source an import into a round of KIND starts with (the organizer may change it)."""
    return _SOURCE_OF_KIND.get(str(kind), Source.SELF_EXAMINATION)


class Framework(models.Model):
    """A set of aspects problems are grouped under (检视框架)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    is_default = models.BooleanField(_("默认"), default=False)

    class Meta:
        verbose_name = _("检视框架")
        verbose_name_plural = _("检视框架")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="framework_one_default",
                violation_error_message="只能有一个默认检视框架",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Aspect(models.Model):
    framework = models.ForeignKey(
        Framework, verbose_name=_("检视框架"), on_delete=models.CASCADE, related_name="aspects"
    )
    name = models.CharField(_("方面"), max_length=100)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("方面")
        verbose_name_plural = _("方面")
        ordering = ["framework", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "name"],
                name="aspect_unique_name",
                violation_error_message="同一框架内方面名称不能重复",
            )
        ]

    def __str__(self) -> str:
        return self.name


class RoundQuerySet(models.QuerySet["Round"]):
    def for_user(self, user: AnyUser, action: str = "view") -> RoundQuerySet:
        return self.filter(action_q(user, action, "team__organization__"))


class Round(models.Model):
    team = models.ForeignKey(
        Team, verbose_name=_("领导班子"), on_delete=models.PROTECT, related_name="rounds"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=RoundKind.choices, default=RoundKind.SPECIAL)
    title = models.CharField(_("名称"), max_length=200)
    theme = models.CharField(_("主题"), max_length=300, blank=True)
    year = models.PositiveIntegerField(_("年度"))
    framework = models.ForeignKey(
        Framework, verbose_name=_("检视框架"), on_delete=models.PROTECT, related_name="rounds"
    )
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    archived = models.BooleanField(
        _("已归档"), default=False, help_text=_("有记录的轮次不能删除，只能归档；归档后记录保持不变")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("检视轮次")
        verbose_name_plural = _("检视轮次")
        ordering = ["-year", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="round_dates_ordered",
                violation_error_message="结束日期不能早于开始日期",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Cause(models.Model):
    round = models.ForeignKey(
        Round, verbose_name=_("检视轮次"), on_delete=models.CASCADE, related_name="causes"
    )
    summary = models.CharField(_("原因"), max_length=500)
    text = models.TextField(_("分析"), blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("原因")
        verbose_name_plural = _("原因")
        ordering = ["round", "order", "id"]

    def __str__(self) -> str:
        return self.summary


VOID_CHOICES = {"": "不含作废", "all": "含作废", "only": "仅作废"}


class ProblemQuerySet(models.QuerySet["Problem"]):
    def for_user(self, user: AnyUser, action: str = "view") -> ProblemQuerySet:
        return self.filter(action_q(user, action, "round__team__organization__"))

    def voided(self, choice: str = "") -> ProblemQuerySet:
        """Narrowed by a VOID_CHOICES key: "" live only, "all" both, "only" voided only."""
        return _void_filter(self, choice)


def _void_filter(queryset: Any, choice: str) -> Any:
    if choice == "only":
        return queryset.filter(voided_at__isnull=False)
    if choice == "all":
        return queryset
    return queryset.filter(voided_at__isnull=True)


class LiveManager(models.Manager[Any]):
    """The default manager of problems and measures: voided (作废) rows are left out, so every count,
    rate, reminder, work list and match leaves them out without asking. Pages that show voided rows
    (the item's own page, its history, the ledger with its 作废 filter, exports) use `all_objects`."""

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(voided_at__isnull=True)


class VoidFields(models.Model):
    """作废: a problem or measure entered by mistake is voided with a reason, never deleted; it stays
    in the history and the exports (filterable) and is left out of every count. A reviewer restores it."""

    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作废人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    void_reason = models.TextField(_("作废理由"), blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class Problem(VoidFields):
    round = models.ForeignKey(
        Round, verbose_name=_("检视轮次"), on_delete=models.CASCADE, related_name="problems"
    )
    number = models.PositiveIntegerField(_("问题编号"))
    aspect = models.ForeignKey(
        Aspect,
        verbose_name=_("方面"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    aspect_label = models.CharField(_("方面（原文）"), max_length=200, blank=True)
    source = models.CharField(
        _("问题来源"), max_length=20, choices=Source.choices, default=Source.SELF_EXAMINATION
    )
    summary = models.CharField(_("问题"), max_length=500)
    text = models.TextField(_("具体表现"), blank=True)
    # Null: a problem of the team as a whole; set: one member's own problem (their 对照检查材料, a
    # criticism they received, an opinion about them).
    member = models.ForeignKey(
        "orgs.Member",
        verbose_name=_("班子成员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    causes = models.ManyToManyField(Cause, verbose_name=_("原因"), blank=True, related_name="problems")
    recurrence_of = models.ForeignKey(
        "self",
        verbose_name=_("以往提出过的问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recurrences",
        help_text=_("确认为反复出现的问题时，指向以往轮次中的同一问题"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = LiveManager.from_queryset(ProblemQuerySet)()
    all_objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题")
        verbose_name_plural = _("问题")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "number"],
                name="problem_number_unique_in_round",
                violation_error_message="问题编号在本轮次内不能重复",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.summary}"

    @property
    def aspect_name(self) -> str:
        return self.aspect.name if self.aspect else self.aspect_label


def _owned_q(user: AnyUser) -> Q:
    # Subqueries on the user's member rows rather than joins: a join on the co-owners would repeat
    # a measure per co-owner, and a join on the owner leaves the database no index to start from
    # (on a province's measures SQLite read them all; `owner_id IN (...)` uses the owner index).
    members = Member.objects.filter(user=user).values("id")
    co_owned = Measure.co_owners.through.objects.filter(member_id__in=members).values("measure_id")
    return Q(owner_id__in=members) | Q(pk__in=co_owned)


class MeasureQuerySet(models.QuerySet["Measure"]):
    def for_user(self, user: AnyUser, action: str = "view") -> MeasureQuerySet:
        """Measures USER may perform ACTION on.

        "work" is narrower than the organization: a member works only their own measures, an
        organizer those of the rounds they run. "review" excludes the reviewer's own measures
        (four eyes); the transition service checks it again under the row lock.
        """
        prefix = "round__team__organization__"
        if action == "work":
            own = _owned_q(user) if user.is_authenticated else Q(pk__in=[])
            return self.filter(own | action_q(user, "manage", prefix))
        queryset = self.filter(action_q(user, action, prefix))
        if action == "review" and user.is_authenticated:
            queryset = queryset.exclude(_owned_q(user))
        return queryset

    def owned_by(self, user: AnyUser) -> MeasureQuerySet:
        """Measures USER owns or co-owns (责任领导 or 共同责任领导)."""
        return self.filter(_owned_q(user)) if user.is_authenticated else self.none()

    def open(self) -> MeasureQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: datetime.date | None = None) -> MeasureQuerySet:
        return self.open().filter(current_deadline__lt=today or timezone.localdate())

    def voided(self, choice: str = "") -> MeasureQuerySet:
        """Narrowed by a VOID_CHOICES key: "" live only, "all" both, "only" voided only."""
        return _void_filter(self, choice)


class Measure(VoidFields):
    round = models.ForeignKey(
        Round, verbose_name=_("检视轮次"), on_delete=models.CASCADE, related_name="measures"
    )
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measures",
    )
    number = models.PositiveIntegerField(_("措施编号"))
    group = models.CharField(_("措施分组"), max_length=300, blank=True)
    summary = models.CharField(_("整改措施"), max_length=500)
    text = models.TextField(_("措施内容"), blank=True)
    owner = models.ForeignKey(
        Member,
        verbose_name=_("责任领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
    )
    owner_label = models.CharField(
        _("责任领导（原文）"),
        max_length=100,
        blank=True,
        help_text=_("导入的文档或台账中写明、但尚未对应到班子成员的责任领导"),
    )
    co_owners = models.ManyToManyField(
        Member,
        verbose_name=_("共同责任领导"),
        blank=True,
        related_name="co_owned_measures",
        help_text=_("文档中与责任领导一并写明的其他班子成员：可填报进展，不能验收"),
    )
    department = models.CharField(_("责任单位"), max_length=200, blank=True)
    co_department = models.CharField(_("配合单位"), max_length=200, blank=True)
    baseline_deadline = models.DateField(_("原定完成时限"), null=True, blank=True)
    current_deadline = models.DateField(_("当前完成时限"), null=True, blank=True)
    deadline_text = models.CharField(_("完成时限（原文）"), max_length=100, blank=True)
    long_term = models.BooleanField(_("长期坚持"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    outcome = models.TextField(_("整改成效"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = LiveManager.from_queryset(MeasureQuerySet)()
    all_objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "number"],
                name="measure_number_unique_in_round",
                violation_error_message="措施编号在本轮次内不能重复",
            ),
            models.CheckConstraint(
                condition=Q(current_deadline__isnull=True) | Q(baseline_deadline__isnull=False),
                name="measure_current_deadline_needs_baseline",
                violation_error_message="设置当前完成时限前须先有原定完成时限",
            ),
        ]
        indexes = [models.Index(fields=["status", "current_deadline"], name="measure_status_deadline")]

    def __str__(self) -> str:
        return self.summary

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.current_deadline is None and self.baseline_deadline is not None:
            self.current_deadline = self.baseline_deadline
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("measure_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def owner_display(self) -> str:
        """The owner's name; the name as written when no team member matches it yet; else 未分配."""
        if self.owner is not None:
            return self.owner.name
        if self.owner_label:
            return f"{self.owner_label}（未关联）"
        return "未分配"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Open and past its current deadline (an approved extension moves the current deadline)."""
        if not self.is_open or self.current_deadline is None:
            return False
        return self.current_deadline < (today or timezone.localdate())

    def days_left(self, today: datetime.date | None = None) -> int | None:
        if self.current_deadline is None:
            return None
        return (self.current_deadline - (today or timezone.localdate())).days

    def light(self, today: datetime.date | None = None) -> str:
        """Traffic light: none ("") without a deadline or once closed; red past the current deadline
        (a 持续整改 measure too: it is not counted overdue, but never shown as fine); yellow when
        LUOSHI_DUE_SOON_DAYS or fewer remain; else green."""
        left = self.days_left(today)
        if left is None or self.status == MeasureStatus.CLOSED:
            return ""
        if left < 0:
            return "red"
        if left <= settings.LUOSHI_DUE_SOON_DAYS:
            return "yellow"
        return "green"

    def light_label(self, today: datetime.date | None = None) -> str:
        """The words beside the light (never colour alone): 逾期, 已过时限 (持续整改), 临近, 正常."""
        light = self.light(today)
        if light == "red" and not self.is_overdue(today):
            return "已过时限"
        return LIGHT_LABELS.get(light, "")

    @property
    def extended(self) -> bool:
        return (
            self.current_deadline is not None
            and self.baseline_deadline is not None
            and self.current_deadline != self.baseline_deadline
        )


class Commitment(models.Model):
    """A quantified requirement of a measure ("每月至少走访1次"), watched later as an indicator."""

    class Period(models.TextChoices):
        DAY = "day", _("每天")
        WEEK = "week", _("每周")
        MONTH = "month", _("每月")
        QUARTER = "quarter", _("每季度")
        HALFYEAR = "halfyear", _("每半年")
        YEAR = "year", _("每年")

    class Op(models.TextChoices):
        GE = ">=", _("不少于")
        LE = "<=", _("不超过")
        GT = ">", _("超过")
        LT = "<", _("低于")

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="commitments"
    )
    text = models.CharField(_("承诺原文"), max_length=500)
    period = models.CharField(_("周期"), max_length=10, choices=Period.choices, blank=True)
    op = models.CharField(_("比较"), max_length=2, choices=Op.choices)
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("量化承诺")
        verbose_name_plural = _("量化承诺")

    def __str__(self) -> str:
        return self.text


class ProgressUpdate(models.Model):
    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="updates"
    )
    date = models.DateField(_("进展日期"))
    text = models.TextField(_("进展情况"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.text[:30]}"


def evidence_path(instance: Evidence, filename: str) -> str:
    # Stored under an opaque name: the original name is kept in the row, never trusted as a path.
    import uuid

    return f"evidence/{instance.measure_id}/{uuid.uuid4().hex}"


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def for_user(self, user: AnyUser, action: str = "view") -> EvidenceQuerySet:
        # all_objects: a voided measure's evidence stays viewable with its history.
        return self.filter(measure__in=Measure.all_objects.for_user(user, action))


class Evidence(models.Model):
    """A file or a written statement supporting an outcome; its date is when it happened, not the upload."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="evidence"
    )
    update = models.ForeignKey(
        ProgressUpdate,
        verbose_name=_("整改进展"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
    )
    evidence_date = models.DateField(_("佐证日期"))
    statement = models.TextField(_("说明"), blank=True)
    file = models.FileField(_("文件"), upload_to=evidence_path, blank=True)
    original_name = models.CharField(_("文件名"), max_length=255, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["evidence_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(statement=""),
                name="evidence_file_or_statement",
                violation_error_message="佐证材料须有文件或文字说明",
            )
        ]

    def __str__(self) -> str:
        return self.original_name or self.statement[:30]

    @property
    def inline_kind(self) -> str:
        """ "image" or "pdf" when the page may show the file itself (INLINE_CONTENT_TYPES), else ""."""
        content_type = (self.content_type or "").split(";")[0].strip().lower()
        if not self.file or content_type not in INLINE_CONTENT_TYPES:
            return ""
        return "pdf" if content_type == "application/pdf" else "image"


# Evidence shown in the page rather than only downloaded: images and PDFs, never HTML or SVG (which
# can carry script). The file view checks the bytes too (luoshi.ledger.views_work.INLINE_TYPES).
INLINE_CONTENT_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})


class Review(models.Model):
    """A reviewer's decision on a measure; the digest fixes what was verified."""

    class Decision(models.TextChoices):
        CLOSE = "close", _("验收销号")
        RETURN = "return", _("退回")
        REOPEN = "reopen", _("重新打开")

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="reviews"
    )
    decision = models.CharField(_("结论"), max_length=10, choices=Decision.choices)
    reasons = models.TextField(_("意见"), blank=True)
    digest = models.CharField(_("验收内容摘要（SHA-256）"), max_length=64)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("验收人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("验收记录")
        verbose_name_plural = _("验收记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.measure_id}"


class Extension(models.Model):
    """A request for a later deadline; approval moves the measure's current deadline, never the baseline."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        DENIED = "denied", _("未批准")

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="extensions"
    )
    requested_deadline = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(status="requested"),
                name="extension_one_pending_per_measure",
                violation_error_message="该措施已有待审批的延期申请",
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} → {self.requested_deadline}"


class ImportDraft(models.Model):
    """A parsed document awaiting the organizer's corrections and confirmation (预览).

    Nothing reaches the ledger until the organizer confirms; the draft keeps the parsed structure
    (the `luoshi parse` JSON contract) so a correction survives a page reload.
    """

    round = models.ForeignKey(
        Round, verbose_name=_("检视轮次"), on_delete=models.CASCADE, related_name="drafts"
    )
    name = models.CharField(_("文档名称"), max_length=255)
    source = models.CharField(
        _("问题来源"), max_length=20, choices=Source.choices, default=Source.SELF_EXAMINATION
    )
    data = models.JSONField(_("解析结果"))
    # SHA-256 of the document's normalised text (whitespace and punctuation dropped): the same
    # document imported again into the round is recognised however it was saved or pasted.
    text_digest = models.CharField(_("正文摘要"), max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入草稿")
        verbose_name_plural = _("导入草稿")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
