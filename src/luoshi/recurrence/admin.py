"""Feedback in the admin is read-only: decisions go through the services (audit events)."""

from django.contrib import admin

from luoshi.recurrence.models import FeedbackBatch, FeedbackItem


@admin.register(FeedbackBatch)
class FeedbackBatchAdmin(admin.ModelAdmin[FeedbackBatch]):
    list_display = ["name", "round", "kind", "created_at"]
    list_filter = ["kind"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(FeedbackItem)
class FeedbackItemAdmin(admin.ModelAdmin[FeedbackItem]):
    list_display = ["summary", "batch", "decision", "decided_at"]
    list_filter = ["decision"]

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
