"""The audit log in the admin (read-only), and the mixin that makes admin edits part of it.

Reference data is edited in the Django admin; those edits are changes like any other, so they are
recorded in the hash-chained log too (and move the version that cached pages are keyed by).
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import admin
from django.db import models, router, transaction
from django.db.models.deletion import Collector
from django.forms import ModelForm
from django.http import HttpRequest

from luoshi.audit.chain import record
from luoshi.audit.models import Event, EventType


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    """The audit log, read-only: no add, change or delete, for anyone."""

    list_display = ["seq", "created_at", "event_type", "actor_label", "target_type", "target_id"]
    list_filter = ["event_type"]
    search_fields = ["target_id", "actor_label"]
    ordering = ["-seq"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Never written to the log, not even hashed: the admin's password fields (add form, reset form).
_SECRET_FIELDS = ("password", "password1", "password2", "usable_password")
SECRET_SET = "（已设置）"


def audit_value(obj: Any, name: str) -> Any:
    """The value of field NAME of OBJ as the log records it: a related object as {"id", "label"} (the
    id is what rules such as four eyes read back; the label what a person reads), a many-to-many
    relation as a list of those, a file by its stored name."""
    if name in _SECRET_FIELDS:
        return SECRET_SET
    try:
        field = obj._meta.get_field(name)
    except Exception:  # a form field that is no model field
        return _plain(getattr(obj, name, None))
    if field.many_to_many:
        if obj.pk is None:
            return []
        return [{"id": item.pk, "label": str(item)} for item in getattr(obj, name).all()]
    if field.is_relation:
        related = getattr(obj, name, None)
        return None if related is None else {"id": related.pk, "label": str(related)}
    value = getattr(obj, name, None)
    if isinstance(field, models.FileField):
        return value.name if value else ""
    return _plain(value)


def audit_values(obj: Any, names: Iterable[str]) -> dict[str, Any]:
    return {name: audit_value(obj, name) for name in names}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, models.QuerySet | list | tuple):
        return [str(v) for v in value]
    return value


def _concrete_names(obj: Any) -> list[str]:
    return [f.name for f in obj._meta.concrete_fields if not f.primary_key] + [
        f.name for f in obj._meta.many_to_many
    ]


def deletion_plan(objs: Sequence[models.Model]) -> tuple[dict[str, list[str]], list[tuple[Any, str]]]:
    """What deleting OBJS removes with them, by model ({label: [object, …]}), and the files on disk
    those rows hold (storage, name), so the event can say what went and the files can go too."""
    if not objs:
        return {}, []
    collector = Collector(using=router.db_for_write(type(objs[0])))
    collector.collect(list(objs))
    rows: list[models.Model] = [row for instances in collector.data.values() for row in instances]
    for queryset in collector.fast_deletes:
        rows.extend(queryset)
    removed: dict[str, list[str]] = {}
    files: list[tuple[Any, str]] = []
    for row in rows:
        removed.setdefault(row._meta.label_lower, []).append(f"{row.pk}: {row}"[:200])
        for field in row._meta.concrete_fields:
            if isinstance(field, models.FileField):
                stored = getattr(row, field.name)
                if stored:
                    files.append((stored.storage, stored.name))
    return removed, files


def _remove_files(files: Sequence[tuple[Any, str]]) -> None:
    for storage, name in files:
        storage.delete(name)


class AuditedAdmin(admin.ModelAdmin):
    """Records every admin save and delete as a full audit event (old and new values) in the same
    transaction; inline rows (a team's members, a framework's aspects) each get their own event.

    Subclasses say which organization an object belongs to (`audit_path`), so the event shows up in
    that organization's history and moves the version its cached pages are keyed by; an object that
    several organizations use (a framework) names them all in `audit_paths`, one event each.
    """

    def audit_path(self, obj: Any) -> str:
        return ""

    def audit_paths(self, obj: Any) -> list[str]:
        return [self.audit_path(obj)]

    def _record(
        self, event_type: EventType, request: HttpRequest, obj: Any, *, parent: Any, **values: Any
    ) -> None:
        for path in dict.fromkeys(self.audit_paths(parent)):
            record(event_type, obj, actor=request.user, organization_path=path, **values)

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        old: dict[str, Any] = {}
        if change and obj.pk:
            before = type(obj)._base_manager.filter(pk=obj.pk).first()  # hidden rows too (作废)
            if before is not None:
                old = audit_values(before, form.changed_data)
        super().save_model(request, obj, form, change)
        obj._luoshi_audit = (change, old, list(form.changed_data))

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Recorded after the many-to-many relations are saved, so their new value is the saved one.
        obj = form.instance
        change, old, changed = getattr(obj, "_luoshi_audit", (change, {}, list(form.changed_data)))
        if change and not changed:
            return
        names = changed if change else _concrete_names(obj)
        new = audit_values(obj, names)
        self._record(
            EventType.ADMIN_CHANGED, request, obj, parent=obj, old=old, new={"created": not change, **new}
        )

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: Any, change: bool) -> None:
        before: dict[Any, dict[str, Any]] = {}
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk and inline_form.has_changed():
                stored = type(instance)._base_manager.filter(pk=instance.pk).first()
                if stored is not None:
                    before[instance.pk] = audit_values(stored, inline_form.changed_data)
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk]
        _removed, files = deletion_plan(deleted)
        parent = form.instance
        for obj in deleted:  # recorded first: deleting clears the primary key the event names
            values = audit_values(obj, _concrete_names(obj))
            self._record(
                EventType.ADMIN_DELETED, request, obj, parent=parent, old={"object": str(obj), **values}
            )
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            new = audit_values(obj, _concrete_names(obj))
            self._record(EventType.ADMIN_CHANGED, request, obj, parent=parent, new={"created": True, **new})
        for obj, changed in formset.changed_objects:
            new = audit_values(obj, changed)
            self._record(
                EventType.ADMIN_CHANGED, request, obj, parent=parent, old=before.get(obj.pk, {}), new=new
            )
        if files:
            transaction.on_commit(lambda: _remove_files(files))

    def _record_deletion(self, request: HttpRequest, obj: Any) -> list[tuple[Any, str]]:
        removed, files = deletion_plan([obj])
        itself = (obj._meta.label_lower, f"{obj.pk}: {obj}"[:200])
        others = {label: [r for r in rows if (label, r) != itself] for label, rows in removed.items()}
        old = {"object": str(obj), **audit_values(obj, _concrete_names(obj))}
        if any(others.values()):
            old["removed_with_it"] = {label: rows for label, rows in others.items() if rows}
        if files:
            old["files"] = [name for _storage, name in files]
        self._record(EventType.ADMIN_DELETED, request, obj, parent=obj, old=old)
        return files

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        files = self._record_deletion(request, obj)
        super().delete_model(request, obj)
        # The files go once the rows are gone for good: a rolled-back delete keeps both.
        transaction.on_commit(lambda: _remove_files(files))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        files = []
        for obj in queryset:
            files.extend(self._record_deletion(request, obj))
        super().delete_queryset(request, queryset)
        transaction.on_commit(lambda: _remove_files(files))
