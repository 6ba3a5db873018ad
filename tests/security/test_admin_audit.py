"""The admin under the domain's rules (issue 15, point 8): every change a full audit event with old and
new values, cached pages refreshed, the baseline deadline and closed measures untouchable, rounds
with records archived instead of deleted, and deletions recorded with their files removed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from luoshi.audit.chain import verify
from luoshi.audit.models import Event, EventType
from luoshi.ledger import progress
from luoshi.ledger.models import Aspect, Measure, Problem, Round
from luoshi.ledger.services import transition
from luoshi.orgs.models import Member

TODAY = timezone.localdate()
pytestmark = pytest.mark.django_db


def _put(data: dict[str, Any], name: str, value: Any) -> None:
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        data[f"{name}_0"], data[f"{name}_1"] = local.date().isoformat(), local.time().isoformat()
    elif value is None:
        data[name] = ""
    elif value is True:
        data[name] = "on"
    elif value is False:
        return
    elif isinstance(value, list | tuple):
        data[name] = [getattr(v, "pk", v) for v in value]
    else:
        data[name] = getattr(value, "pk", value)


def change_form(client: Client, url: str) -> dict[str, Any]:
    """The POST data of an admin change page as it stands (main form and inline rows)."""
    response = client.get(url)
    assert response.status_code == 200
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        if not field.disabled:
            _put(data, name, form.initial.get(name))
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for row in formset.initial_forms:
            for name in row.fields:
                value = row.initial.get(name)
                if name == "id":
                    value = row.instance.pk
                elif name == formset.fk.name:
                    value = formset.instance.pk
                _put(data, row.add_prefix(name), value)
    return data


def _last(event_type: str = EventType.ADMIN_CHANGED) -> Event:
    return Event.objects.filter(event_type=event_type).latest("seq")


def test_making_a_user_superuser_is_an_event_with_old_and_new(admin_client: Client, viewer: Any) -> None:
    url = reverse("admin:auth_user_change", args=[viewer.pk])
    data = change_form(admin_client, url)
    data["is_superuser"] = "on"
    assert admin_client.post(url, data).status_code == 302
    event = _last()
    assert (event.target_type, event.target_id) == ("auth.user", str(viewer.pk))
    assert event.old["is_superuser"] is False
    assert event.new["is_superuser"] is True
    assert verify().ok


def test_a_password_set_in_the_admin_is_recorded_without_the_password(
    admin_client: Client, viewer: Any
) -> None:
    url = reverse("admin:auth_user_password_change", args=[viewer.pk])
    response = admin_client.post(url, {"password1": "Xq7!heavy-Secret", "password2": "Xq7!heavy-Secret"})
    assert response.status_code == 302
    event = _last()
    assert event.target_id == str(viewer.pk)
    assert "Xq7" not in str(event.old) + str(event.new)


def test_linking_a_member_to_a_login_records_both_logins(
    admin_client: Client, owner: Any, make_user: Any, team: Any, county: Any
) -> None:
    member = owner.memberships.get()
    other = make_user("new_login")
    url = reverse("admin:orgs_team_change", args=[team.pk])
    data = change_form(admin_client, url)
    row = next(k for k, v in data.items() if k.endswith("-id") and v == member.pk).removesuffix("-id")
    data[f"{row}-user"] = other.pk
    assert admin_client.post(url, data).status_code == 302
    event = _last()
    assert (event.target_type, event.target_id) == ("orgs.member", str(member.pk))
    assert event.old["user"]["id"] == owner.pk
    assert event.new["user"]["id"] == other.pk
    assert event.organization_path == county.path


def test_an_aspect_rename_reaches_the_rounds_that_use_it(
    admin_client: Client, organizer: Any, round_: Round, county: Any
) -> None:
    aspect = round_.framework.aspects.order_by("order").first()
    assert aspect is not None
    Problem.objects.create(round=round_, number=1, summary="学习不深", aspect=aspect)
    page = Client()
    page.force_login(organizer)
    round_url = reverse("round_detail", args=[round_.pk])
    assert aspect.name in page.get(round_url).content.decode()  # now cached

    url = reverse("admin:ledger_framework_change", args=[round_.framework_id])
    data = change_form(admin_client, url)
    row = next(k for k, v in data.items() if k.endswith("-id") and v == aspect.pk).removesuffix("-id")
    data[f"{row}-name"] = "理论武装新提法"
    assert admin_client.post(url, data).status_code == 302
    event = _last()
    assert (event.target_type, event.target_id) == ("ledger.aspect", str(aspect.pk))
    assert event.old == {"name": aspect.name} and event.new == {"name": "理论武装新提法"}
    assert event.organization_path == county.path
    assert "理论武装新提法" in page.get(round_url).content.decode()


def test_the_measure_admin_cannot_move_the_baseline_deadline(admin_client: Client, measure: Measure) -> None:
    url = reverse("admin:ledger_measure_change", args=[measure.pk])
    data = change_form(admin_client, url)
    data["baseline_deadline"] = "2030-01-01"
    data["summary"] = "改过的措施"
    assert admin_client.post(url, data).status_code == 302
    measure.refresh_from_db()
    assert measure.baseline_deadline == datetime.date(2026, 6, 30)
    assert measure.summary == "改过的措施"
    assert _last().old == {"summary": "措施1"}


def test_a_closed_measure_is_frozen_in_the_admin(
    admin_client: Client, owner: Any, reviewer: Any, other_member: Any, make_measure: Any, team: Any
) -> None:
    measure = make_measure(status="submitted", outcome="完成", submitted_by=owner)
    transition(measure, "closed", actor=reviewer)
    other_round = Round.objects.create(
        team=team, title="另一轮", year=2026, framework=measure.round.framework
    )
    url = reverse("admin:ledger_measure_change", args=[measure.pk])
    data = change_form(admin_client, url)
    data.update(text="改写的措施内容", round=other_round.pk, owner=other_member.memberships.get().pk)
    admin_client.post(url, data)
    measure.refresh_from_db()
    assert (measure.text, measure.round_id, measure.owner.user) == ("", measure.round_id, owner)
    assert measure.round_id != other_round.pk


def test_a_round_with_records_cannot_be_deleted_only_archived(
    admin_client: Client, measure: Measure, county: Any
) -> None:
    round_ = measure.round
    delete_url = reverse("admin:ledger_round_delete", args=[round_.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Round.objects.filter(pk=round_.pk).exists() and Measure.objects.filter(pk=measure.pk).exists()
    changelist = reverse("admin:ledger_round_changelist")
    response = admin_client.post(changelist, {"action": "archive", "_selected_action": [round_.pk]})
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.archived is True
    event = _last(EventType.ROUND_ARCHIVED)
    assert (event.old, event.new["archived"], event.organization_path) == (
        {"archived": False},
        True,
        county.path,
    )


def test_a_measure_with_records_cannot_be_deleted(admin_client: Client, owner: Any, measure: Measure) -> None:
    progress.record_progress(measure, actor=owner, date=TODAY, text="进展")
    url = reverse("admin:ledger_measure_delete", args=[measure.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Measure.objects.filter(pk=measure.pk).exists()


def test_a_deletion_records_what_went_and_removes_the_files(
    admin_user: Any, owner: Any, measure: Measure, django_capture_on_commit_callbacks: Any
) -> None:
    (evidence,) = progress.add_evidence(
        measure,
        actor=owner,
        files=[SimpleUploadedFile("会议记录.pdf", b"%PDF-1.4\n%%EOF\n")],
        evidence_date=TODAY,
    )
    stored, pk = evidence.file.path, measure.pk
    request = RequestFactory().post("/")
    request.user = admin_user
    with django_capture_on_commit_callbacks(execute=True):
        admin.site._registry[Measure].delete_model(request, measure)
    event = _last(EventType.ADMIN_DELETED)
    assert event.target_id == str(pk)
    assert event.old["summary"] == "措施1"
    assert [row.split(":")[0] for row in event.old["removed_with_it"]["ledger.evidence"]] == [
        str(evidence.pk)
    ]
    assert event.old["files"] == [evidence.file.name]
    import os

    assert not os.path.exists(stored)


def test_member_fixture(owner: Any) -> None:
    assert Member.objects.filter(user=owner).count() == 1
    assert Aspect.objects.exists()


def test_an_owner_changed_in_the_admin_reads_by_name_in_the_history(
    admin_client: Client, organizer: Any, other_member: Any, measure: Measure
) -> None:
    url = reverse("admin:ledger_measure_change", args=[measure.pk])
    data = change_form(admin_client, url)
    data["owner"] = other_member.memberships.get().pk
    assert admin_client.post(url, data).status_code == 302
    event = _last()
    assert event.new["owner"]["id"] == other_member.memberships.get().pk
    page = Client()
    page.force_login(organizer)
    html = page.get(reverse("measure_history", args=[measure.pk])).content.decode()
    assert "李建华（县长） → 王志刚（副书记）" in html
