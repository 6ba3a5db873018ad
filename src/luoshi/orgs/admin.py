from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from luoshi.audit.admin import SECRET_SET, AuditedAdmin
from luoshi.audit.chain import record
from luoshi.audit.models import EventType
from luoshi.orgs.models import Member, Organization, RoleAssignment, Team

User = get_user_model()


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    list_display = ["name", "parent", "path"]
    search_fields = ["name"]
    readonly_fields = ["path"]

    def audit_path(self, obj: Organization) -> str:
        return obj.path


class MemberInline(admin.TabularInline[Member, Team]):
    model = Member
    extra = 0


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "organization"]
    search_fields = ["name", "organization__name"]
    inlines = [MemberInline]

    def audit_path(self, obj: Team) -> str:
        return obj.organization.path


@admin.register(Member)
class MemberAdmin(AuditedAdmin):
    list_display = ["name", "position", "team", "user", "active"]
    list_filter = ["active"]
    search_fields = ["name", "position"]

    def audit_path(self, obj: Member) -> str:
        return obj.team.organization.path


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name"]

    def audit_path(self, obj: RoleAssignment) -> str:
        return obj.organization.path


admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    """Accounts: who is an administrator (superuser, staff), active, in which groups. Every change is
    an event with old and new values; passwords are recorded only as having been set."""

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        with transaction.atomic():  # the new password and its event together
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user: Any = self.get_object(request, id)
                record(EventType.ADMIN_CHANGED, user, actor=request.user, new={"password": SECRET_SET})
        return response
