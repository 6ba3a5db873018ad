"""Reference data in the Django admin. Measures change state only through the workflow service,
so their status and review records are read-only here."""

from django.contrib import admin

from luoshi.audit.admin import AuditedAdmin
from luoshi.ledger.models import Aspect, Framework, Measure, Problem, Round


class AspectInline(admin.TabularInline[Aspect, Framework]):
    model = Aspect
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(AuditedAdmin):
    list_display = ["name", "is_default"]
    inlines = [AspectInline]


@admin.register(Round)
class RoundAdmin(AuditedAdmin):
    list_display = ["title", "team", "kind", "year"]
    list_filter = ["kind", "year"]
    search_fields = ["title", "theme"]

    def audit_path(self, obj: Round) -> str:
        return obj.team.organization.path


@admin.register(Problem)
class ProblemAdmin(AuditedAdmin):
    list_display = ["number", "summary", "round", "aspect", "source"]
    list_filter = ["source", "aspect"]
    search_fields = ["summary", "text"]

    def audit_path(self, obj: Problem) -> str:
        return obj.round.team.organization.path


@admin.register(Measure)
class MeasureAdmin(AuditedAdmin):
    list_display = ["number", "summary", "round", "owner", "status", "current_deadline"]
    list_filter = ["status"]
    search_fields = ["summary", "text"]
    readonly_fields = ["status", "outcome", "submitted_by", "submitted_at", "closed_at", "current_deadline"]

    def audit_path(self, obj: Measure) -> str:
        return obj.round.team.organization.path
