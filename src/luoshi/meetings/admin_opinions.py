"""Opinions in the admin: read only, and never their contact details (not in the list, the form or
an audit event). Opinions are received, classified and forwarded through the opinions pages, where
every change is an audit event; the admin only lets an administrator look them up."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from luoshi.meetings.models import Opinion, OpinionLink


@admin.register(Opinion)
class OpinionAdmin(admin.ModelAdmin[Opinion]):
    list_display = ["__str__", "round", "source", "target_member", "aspect", "status", "received_at"]
    list_filter = ["source", "status"]
    search_fields = ["text"]
    exclude = ["contact"]
    readonly_fields = [
        "round",
        "source",
        "text",
        "target_member",
        "aspect",
        "status",
        "anonymous",
        "problems",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(OpinionLink)
class OpinionLinkAdmin(admin.ModelAdmin[OpinionLink]):
    list_display = ["round", "open", "opened_at", "closed_at"]
    exclude = ["token"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
