"""Reminder data in the Django admin. Channels are edited without their secret (the settings page and
`luoshi channels` set it; the audit log never sees it); deliveries, 催办 and 督办单 are read-only
records of what happened, changed only through their services."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from luoshi.audit.admin import AuditedAdmin
from luoshi.notices.models import Channel, Delivery, ReminderPolicy, SupervisionOrder, Urge


@admin.register(Channel)
class ChannelAdmin(AuditedAdmin):
    list_display = ["name", "organization", "kind", "enabled"]
    list_filter = ["kind", "enabled"]
    fields = ["organization", "kind", "name", "config", "enabled"]  # never the secret

    def audit_path(self, obj: Channel) -> str:
        return obj.organization.path


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(AuditedAdmin):
    list_display = ["round", "before_days", "escalate_days", "monthly_updates"]

    def audit_path(self, obj: ReminderPolicy) -> str:
        return obj.round.team.organization.path


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "rule",
        "object_key",
        "period",
        "recipient",
        "channel_key",
        "state",
        "attempts",
    ]
    list_filter = ["state", "rule", "channel_key"]


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "grade", "measure", "state", "reply_deadline"]
    list_filter = ["grade", "state"]


@admin.register(Urge)
class UrgeAdmin(ReadOnlyAdmin):
    list_display = ["measure", "day", "urged_by", "message"]
