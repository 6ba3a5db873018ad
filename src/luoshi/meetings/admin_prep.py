"""The round's preparation records in the Django admin: read-only (changes go through
`luoshi.meetings.services_prep`, each with its audit event). A talk's confidential summary is never
shown here: it is read only on the talks page, by the people in the talk and the round's organizer."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from luoshi.meetings.models import Oversight, Preparation, RoundStep, StudySession, Talk


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Preparation)
class PreparationAdmin(ReadOnlyAdmin):
    list_display = ["round", "anchor_date", "secretary"]


@admin.register(RoundStep)
class RoundStepAdmin(ReadOnlyAdmin):
    list_display = ["round", "step", "planned_date", "done_date"]
    list_filter = ["step"]


@admin.register(StudySession)
class StudySessionAdmin(ReadOnlyAdmin):
    list_display = ["round", "date", "topic", "seminar"]


@admin.register(Talk)
class TalkAdmin(ReadOnlyAdmin):
    list_display = ["round", "date", "initiator", "mode", "outside_partners"]
    fields = ["round", "date", "initiator", "partners", "outside_partners", "mode"]  # never the summary
    search_fields = ["initiator__name", "outside_partners"]


@admin.register(Oversight)
class OversightAdmin(ReadOnlyAdmin):
    list_display = ["member", "unit", "head"]
