from django.contrib import admin

from luoshi.audit.admin import AuditedAdmin
from luoshi.orgs.models import Member, Organization, RoleAssignment, Team


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
