from django.contrib import admin

from luoshi.orgs.models import Member, Organization, RoleAssignment, Team


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "parent", "path"]
    search_fields = ["name"]
    readonly_fields = ["path"]


class MemberInline(admin.TabularInline[Member, Team]):
    model = Member
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "organization"]
    search_fields = ["name", "organization__name"]
    inlines = [MemberInline]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin[Member]):
    list_display = ["name", "position", "team", "user", "active"]
    list_filter = ["active"]
    search_fields = ["name", "position"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin[RoleAssignment]):
    list_display = ["user", "organization", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name"]
