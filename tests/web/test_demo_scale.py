"""`luoshi demo --teams T --measures M`: the benchmark's province, with indicators and records."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from luoshi.cli import main
from luoshi.indicators.models import Activity, Indicator
from luoshi.ledger.models import Measure
from luoshi.orgs.models import Member


@pytest.mark.django_db
def test_scale_dataset_has_measures_indicators_and_records(
    capsys: pytest.CaptureFixture[str], django_user_model: Any
) -> None:
    assert main(["demo", "--teams", "3", "--measures", "6", "--json", "--password", "bench-pw-1"]) == 0
    info = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert Measure.objects.count() == 18
    assert Indicator.objects.count() == 6
    member = Member.objects.get(pk=info["member_id"])
    assert member.user is not None and member.user.username == info["member_user"]
    assert Activity.objects.filter(member=member).exists()
    assert Activity.objects.filter(member=None).count() == 3 * 3  # a seminar each quarter, 7 months

    client = Client()
    client.force_login(member.user)
    page = client.get(reverse("member_activities", args=[member.pk])).content.decode()
    assert "每名班子成员每月至少到联系点调研1次" in page and "联系点" in page
    assert client.get(reverse("my_measures")).status_code == 200
