from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from luoshi.audit.models import Event


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
