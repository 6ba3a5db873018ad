"""Indicators and activity records in the Django admin: read-mostly. Changes go through the
services (pages, import, CLI) so each one has its audit event; the admin shows what is there."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from luoshi.indicators.models import Activity, Indicator


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["name", "round", "kind", "scope", "period", "op", "target", "unit", "start", "end"]
    list_filter = ["kind", "scope", "period"]
    search_fields = ["name"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["date", "team", "member", "kind", "count", "households", "value", "place"]
    list_filter = ["kind"]
    search_fields = ["note", "place", "member__name"]
    date_hierarchy = "date"
