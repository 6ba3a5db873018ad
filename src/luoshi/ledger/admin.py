"""Reference data in the Django admin. The admin asks the services for the domain's rules: measures
change state only through the workflow (those fields are read-only), the baseline deadline never
changes, closed measures are frozen, rounds with records are archived instead of deleted."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from luoshi.audit.admin import AuditedAdmin
from luoshi.ledger import services
from luoshi.ledger.models import Aspect, Framework, Measure, Problem, Round


class AspectInline(admin.TabularInline[Aspect, Framework]):
    model = Aspect
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(AuditedAdmin):
    list_display = ["name", "is_default"]
    inlines = [AspectInline]

    def audit_paths(self, obj: Framework) -> list[str]:
        # A framework is shared: a renamed aspect is a change to every ledger that uses it.
        return services.framework_paths(obj) or [""]


def _without_bulk_delete(actions: dict[str, Any]) -> dict[str, Any]:
    # Deleting goes object by object, where the rules below are asked for each one.
    actions.pop("delete_selected", None)
    return actions


@admin.register(Round)
class RoundAdmin(AuditedAdmin):
    list_display = ["title", "team", "kind", "year", "archived"]
    list_filter = ["kind", "year", "archived"]
    search_fields = ["title", "theme"]
    actions = ["archive", "restore"]

    def audit_path(self, obj: Round) -> str:
        return obj.team.organization.path

    def get_readonly_fields(self, request: HttpRequest, obj: Round | None = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), *services.round_locked_fields(obj)]

    def has_delete_permission(self, request: HttpRequest, obj: Round | None = None) -> bool:
        if obj is not None and services.round_delete_refusal(obj) is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return _without_bulk_delete(super().get_actions(request))

    def _set_archived(self, request: HttpRequest, queryset: QuerySet[Round], archived: bool) -> None:
        for round_ in queryset.select_related("team__organization"):
            services.archive_round(round_, actor=request.user, archived=archived)
        self.message_user(
            request, f"已{'归档' if archived else '恢复'} {queryset.count()} 个轮次", messages.SUCCESS
        )

    @admin.action(description="归档所选轮次")
    def archive(self, request: HttpRequest, queryset: QuerySet[Round]) -> None:
        self._set_archived(request, queryset, True)

    @admin.action(description="恢复所选轮次（取消归档）")
    def restore(self, request: HttpRequest, queryset: QuerySet[Round]) -> None:
        self._set_archived(request, queryset, False)


def _all_fields(model: Any) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key]


@admin.register(Problem)
class ProblemAdmin(AuditedAdmin):
    list_display = ["number", "summary", "round", "aspect", "source", "voided_at"]
    list_filter = ["source", "aspect"]
    search_fields = ["summary", "text"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Problem]:
        # Voided problems are shown (read-only): voiding and restoring go through the pages.
        return Problem.all_objects.all()

    def get_readonly_fields(self, request: HttpRequest, obj: Problem | None = None) -> list[str]:
        locked = _all_fields(Problem) if obj is not None and services.voided_refusal(obj) else []
        return [*super().get_readonly_fields(request, obj), *locked]

    def audit_path(self, obj: Problem) -> str:
        return obj.round.team.organization.path

    def has_delete_permission(self, request: HttpRequest, obj: Problem | None = None) -> bool:
        if obj is not None and (
            services.problem_delete_refusal(obj) is not None or services.voided_refusal(obj) is not None
        ):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return _without_bulk_delete(super().get_actions(request))


@admin.register(Measure)
class MeasureAdmin(AuditedAdmin):
    list_display = ["number", "summary", "round", "owner", "status", "current_deadline", "voided_at"]
    list_filter = ["status"]
    search_fields = ["summary", "text"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Measure]:
        # Voided measures are shown, every field read-only (services.measure_locked_fields).
        return Measure.all_objects.all()

    def audit_path(self, obj: Measure) -> str:
        return obj.round.team.organization.path

    def get_readonly_fields(self, request: HttpRequest, obj: Measure | None = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), *services.measure_locked_fields(obj)]

    def has_delete_permission(self, request: HttpRequest, obj: Measure | None = None) -> bool:
        if obj is not None and (
            services.measure_delete_refusal(obj) is not None or services.voided_refusal(obj) is not None
        ):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return _without_bulk_delete(super().get_actions(request))
