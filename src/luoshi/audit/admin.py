"""The audit log in the admin (read-only), and the mixin that makes admin edits part of it.

Reference data is edited in the Django admin; those edits are changes like any other, so they are
recorded in the hash-chained log too (and move the version that cached pages are keyed by).
"""

from typing import Any

from django.contrib import admin
from django.db import models
from django.forms import ModelForm
from django.http import HttpRequest

from luoshi.audit.chain import record
from luoshi.audit.models import Event, EventType


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    """The audit log, read-only: no add, change or delete, for anyone."""

    list_display = ["seq", "created_at", "event_type", "actor_label", "target_type", "target_id"]
    list_filter = ["event_type"]
    search_fields = ["target_id", "actor_label"]
    ordering = ["-seq"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, models.QuerySet | list | tuple):
        return [str(v) for v in value]
    return value


class AuditedAdmin(admin.ModelAdmin):
    """Records every admin save and delete as an audit event in the same transaction.

    Subclasses say which organization an object belongs to (`audit_path`), so the event shows up in
    that organization's history and invalidates what is cached about it.
    """

    def audit_path(self, obj: Any) -> str:
        return ""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        old: dict[str, Any] = {}
        if change and obj.pk:
            before = type(obj).objects.filter(pk=obj.pk).first()
            if before is not None:
                old = {
                    name: _plain(getattr(before, name, None))
                    for name in form.changed_data
                    if hasattr(before, name)
                }
        super().save_model(request, obj, form, change)
        new = {name: _plain(form.cleaned_data.get(name)) for name in form.changed_data}
        record(
            EventType.ADMIN_CHANGED,
            obj,
            actor=request.user,
            old=old,
            new={"created": not change, **new},
            organization_path=self.audit_path(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        path = self.audit_path(obj)
        record(
            EventType.ADMIN_DELETED, obj, actor=request.user, old={"object": str(obj)}, organization_path=path
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            record(
                EventType.ADMIN_DELETED,
                obj,
                actor=request.user,
                old={"object": str(obj)},
                organization_path=self.audit_path(obj),
            )
        super().delete_queryset(request, queryset)
