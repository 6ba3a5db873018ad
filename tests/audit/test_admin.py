"""Edits in the admin are changes like any other: they are recorded in the audit chain."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from luoshi.audit.chain import verify
from luoshi.audit.models import Event, EventType


def test_admin_change_and_delete_are_recorded(
    client: Client, django_user_model: Any, owner: Any, county: Any
) -> None:
    admin = django_user_model.objects.create_superuser("root", password="pw")
    client.force_login(admin)
    member = owner.memberships.get()
    response = client.post(
        reverse("admin:orgs_member_change", args=[member.pk]),
        {
            "team": member.team_id,
            "name": "李建国",
            "position": member.position,
            "user": owner.pk,
            "order": 0,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.filter(event_type=EventType.ADMIN_CHANGED).latest("seq")
    assert event.target_id == str(member.pk)
    assert event.old["name"] == "李建华" and event.new["name"] == "李建国"
    assert event.organization_path == county.path
    assert event.actor == admin

    grant = county.role_assignments.get(user=owner)
    client.post(reverse("admin:orgs_roleassignment_delete", args=[grant.pk]), {"post": "yes"})
    deleted = Event.objects.filter(event_type=EventType.ADMIN_DELETED).latest("seq")
    assert deleted.target_id == str(grant.pk)
    assert verify().ok
