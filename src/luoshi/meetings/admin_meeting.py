"""The meeting's records in the admin, read-only: every change goes through
`luoshi.meetings.services_meeting` (with its audit event), on the meeting page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from luoshi.meetings.models import Attendance, CarriedMeasure, Criticism, Meeting


class _ReadOnly(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(_ReadOnly):
    list_display = ["round", "date", "place", "host", "held", "held_without_quorum"]
    list_filter = ["held"]


@admin.register(Attendance)
class AttendanceAdmin(_ReadOnly):
    list_display = ["meeting", "member", "present", "reason"]


@admin.register(CarriedMeasure)
class CarriedMeasureAdmin(_ReadOnly):
    list_display = ["round", "measure", "decision", "decided_at"]
    list_filter = ["decision"]


@admin.register(Criticism)
class CriticismAdmin(_ReadOnly):
    list_display = ["round", "from_member", "to_member", "problem", "created_at"]
