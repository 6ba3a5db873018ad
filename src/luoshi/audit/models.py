"""The audit log: append-only domain events, each carrying the hash of the one before it.

The chain makes an edit or a deletion behind the application's back visible: `luoshi audit verify`
recomputes every hash and names the first event that no longer fits. The application never updates
or deletes an event (the model refuses, and database triggers refuse too); a correction is a new event.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class EventType(models.TextChoices):
    """Domain events, grouped by area (the part before the dot)."""

    ROUND_CREATED = "round.created", _("创建检视轮次")
    ROUND_IMPORTED = "round.imported", _("导入文档")
    ROUND_ARCHIVED = "round.archived", _("归档检视轮次")
    PROBLEM_CREATED = "problem.created", _("新增问题")
    PROBLEM_CHANGED = "problem.changed", _("修改问题")
    CAUSE_CREATED = "cause.created", _("新增原因")
    MEASURE_CREATED = "measure.created", _("新增整改措施")
    MEASURE_ASSIGNED = "measure.assigned", _("分配责任")
    MEASURE_LINKED = "measure.linked", _("关联问题")
    MEASURE_TRANSITIONED = "measure.transitioned", _("措施状态变更")
    PROGRESS_RECORDED = "progress.recorded", _("填报进展")
    EVIDENCE_ADDED = "evidence.added", _("上传佐证材料")
    EXTENSION_REQUESTED = "extension.requested", _("申请延期")
    EXTENSION_DECIDED = "extension.decided", _("审批延期")
    ROLE_GRANTED = "role.granted", _("授予角色")
    ROLE_REVOKED = "role.revoked", _("撤销角色")
    DRAFT_CREATED = "draft.created", _("上传文档待预览")
    DRAFT_CHANGED = "draft.changed", _("修改导入预览")
    DRAFT_CONFIRMED = "draft.confirmed", _("确认导入文档")
    LEDGER_IMPORTED = "round.ledger_imported", _("导入台账表格")
    FEEDBACK_IMPORTED = "feedback.imported", _("导入督导/巡察反馈")
    FEEDBACK_DECIDED = "feedback.decided", _("处理反馈事项")
    PROBLEM_RECURRED = "problem.recurred", _("整改不彻底（问题再次出现）")
    INDICATOR_CREATED = "indicator.created", _("设置量化指标")
    INDICATOR_CHANGED = "indicator.changed", _("修改量化指标")
    ACTIVITY_RECORDED = "activity.recorded", _("填报履职记录")
    ACTIVITY_CORRECTED = "activity.corrected", _("更正履职记录")
    ACTIVITIES_IMPORTED = "activity.imported", _("导入履职记录表格")
    DEMO_LOADED = "demo.loaded", _("载入演示数据")
    ADMIN_CHANGED = "admin.changed", _("管理后台修改")
    ADMIN_DELETED = "admin.deleted", _("管理后台删除")
    LOGGED_IN = "auth.logged_in", _("登录")
    LOGGED_OUT = "auth.logged_out", _("退出登录")
    LOGIN_FAILED = "auth.login_failed", _("登录失败")
    PASSWORD_CHANGED = "auth.password_changed", _("修改密码")
    MEASURE_URGED = "measure.urged", _("催办")
    MEASURE_ESCALATED = "measure.escalated", _("提级督办")
    ORDER_ISSUED = "order.issued", _("签发督办单")
    ORDER_ACKNOWLEDGED = "order.acknowledged", _("签收督办单")
    ORDER_REPLIED = "order.replied", _("反馈督办单")
    CHANNEL_ADDED = "channel.added", _("添加通知渠道")
    CHANNEL_REMOVED = "channel.removed", _("删除通知渠道")
    OPINION_LINK_CHANGED = "opinion.link_changed", _("开启/关闭征求意见链接")
    OPINION_RECEIVED = "opinion.received", _("收到意见建议")
    OPINIONS_IMPORTED = "opinion.imported", _("导入意见建议表格")
    OPINION_CLASSIFIED = "opinion.classified", _("意见建议分类")
    OPINIONS_FORWARDED = "opinion.forwarded", _("转交意见建议")
    OPINION_LINKED = "opinion.linked", _("意见建议关联问题")
    PREP_SCHEDULED = "prep.scheduled", _("设定会议（反馈）日期")
    PREP_STEP_MARKED = "prep.step_marked", _("记录轮次步骤")
    PREP_STUDY_RECORDED = "prep.study_recorded", _("记录集中学习")
    PREP_TALK_RECORDED = "prep.talk_recorded", _("记录谈心谈话")
    PREP_OVERSIGHT_SET = "prep.oversight_set", _("登记分管单位")
    PREP_SECRETARY_SET = "prep.secretary_set", _("指定书记（谈心谈话）")
    # The meeting (民主生活会, luoshi.meetings): attendance, 回头看 and criticisms.
    MEETING_REGISTERED = "meeting.registered", _("登记民主生活会")
    MEETING_CHANGED = "meeting.changed", _("修改会议信息")
    MEETING_ATTENDANCE = "meeting.attendance", _("登记出席情况")
    MEETING_HELD = "meeting.held", _("确认会议已召开")
    MEASURE_CARRIED = "measure.carried", _("回头看：结转到新一轮")
    MEASURE_CARRY_DECIDED = "measure.carry_decided", _("回头看：会议研究决定")
    CRITICISM_RECORDED = "criticism.recorded", _("登记批评意见")
    CRITICISM_CONVERTED = "criticism.converted", _("批评意见转为问题")
    PROBLEM_VOIDED = "problem.voided", _("作废问题")
    PROBLEM_RESTORED = "problem.restored", _("恢复问题")
    MEASURE_VOIDED = "measure.voided", _("作废整改措施")
    MEASURE_RESTORED = "measure.restored", _("恢复整改措施")
    MEASURE_CHANGED = "measure.changed", _("修改整改措施")
    DRAFT_DISCARDED = "draft.discarded", _("放弃导入草稿")


class AppendOnlyQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("审计日志只能追加，不能修改")

    def delete(self) -> NoReturn:
        raise PermissionError("审计日志只能追加，不能删除")


class Event(models.Model):
    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    created_at = models.DateTimeField(_("时间"))
    event_type = models.CharField(_("事件"), max_length=40, choices=EventType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人（记录时）"), max_length=150, blank=True)
    target_type = models.CharField(_("对象类型"), max_length=50)
    target_id = models.CharField(_("对象"), max_length=50)
    organization_path = models.CharField(_("单位路径"), max_length=255, blank=True, db_index=True)
    old = models.JSONField(_("原值"), default=dict, blank=True)
    new = models.JSONField(_("新值"), default=dict, blank=True)
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计日志")
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["target_type", "target_id", "seq"], name="audit_event_target"),
            # An organization's latest event (the version cached pages are keyed by) and its history.
            models.Index(fields=["organization_path", "seq"], name="audit_event_org_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_event_type_display()} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("审计日志只能追加，不能删除")


class ChainHead(models.Model):
    """One row holding the last sequence number and hash; locking it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="chain_head_singleton")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
