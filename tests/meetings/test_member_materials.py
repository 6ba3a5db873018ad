"""A member's own 对照检查材料 goes through the same import engine and preview/confirm flow into that
member's problems and measures: a ledger per team and per member."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from luoshi.errors import Invalid
from luoshi.ledger import imports
from luoshi.ledger.models import ImportDraft, Measure, Problem
from tests.ledger.test_imports import SAMPLE, docx_bytes

MEMBER_TEXT = """李建华同志2025年度民主生活会个人对照检查材料

一、存在的主要问题
（一）理论学习方面
一是学习不够深入。满足于读原文、记笔记。

三、整改措施
1.每月自学不少于4次，撰写心得体会。
2.带头深入基层调研，每季度至少1次。
"""


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_member_material_becomes_that_members_problems_and_measures(
    round_: Any, organizer: Any, owner: Any, other_member: Any
) -> None:
    li, wang = owner.memberships.get(), other_member.memberships.get()
    client = _client(organizer)
    upload = SimpleUploadedFile("李建华对照检查材料.docx", docx_bytes(MEMBER_TEXT.splitlines()))
    response = client.post(
        reverse("round_import", args=[round_.pk]), {"files": [upload], "source": "self", "member": li.pk}
    )
    draft = ImportDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("draft_preview", args=[draft.pk])
    preview = client.get(reverse("draft_preview", args=[draft.pk])).content.decode()
    assert "本人对照检查材料：<strong>李建华</strong>" in preview
    # the measures are linked to the member's problem as the preview suggests
    client.post(reverse("draft_edit", args=[draft.pk]), {"op": "accept_suggestions"})
    assert client.post(reverse("draft_confirm", args=[draft.pk])).status_code == 302

    problems = list(Problem.objects.filter(round=round_))
    measures = list(Measure.objects.filter(round=round_))
    assert problems and {p.member for p in problems} == {li}
    assert len(measures) == 2 and {m.owner for m in measures} == {li}

    # a team document next to it stays the team's
    imports.confirm_draft(imports.draft_from_text(round_, actor=organizer, text=SAMPLE), actor=organizer)
    team_problems = Problem.objects.filter(round=round_, member__isnull=True)
    assert team_problems.count() == 3

    # the ledger per member and per team
    url = reverse("round_detail", args=[round_.pk])
    mine = client.get(url, {"of": li.pk}).content.decode()
    assert "每月自学不少于4次" in mine and "严控会议数量" not in mine
    team = client.get(url, {"of": "team"}).content.decode()
    assert "严控会议数量" in team and "每月自学不少于4次" not in team
    assert "王志刚本人台账" in team  # the chooser lists every member
    assert "每月自学不少于4次" not in client.get(url, {"of": wang.pk}).content.decode()

    # the member's page lists their own problems and measures
    page = _client(owner).get(reverse("member_activities", args=[li.pk])).content.decode()
    assert "本人问题和整改措施" in page and "学习不够深入" in page and "每月自学不少于4次" in page


def test_member_must_be_of_the_rounds_team(round_: Any, organizer: Any, county: Any) -> None:
    from luoshi.orgs.models import Member, Team

    stranger = Member.objects.create(
        team=Team.objects.create(organization=county, name="别的班子"), name="外人", position="x"
    )
    with pytest.raises(Invalid):
        imports.draft_from_text(round_, actor=organizer, text=MEMBER_TEXT, member=stranger)
    response = _client(organizer).post(
        reverse("round_import", args=[round_.pk]),
        {"text": MEMBER_TEXT, "source": "self", "member": stranger.pk},
    )
    assert response.status_code == 200 and "member" in response.context["form"].errors
    assert ImportDraft.objects.count() == 0


def test_member_material_import_is_the_organizers(round_: Any, owner: Any, outsider: Any) -> None:
    li = owner.memberships.get()
    data = {"text": MEMBER_TEXT, "source": "self", "member": li.pk}
    assert _client(owner).post(reverse("round_import", args=[round_.pk]), data).status_code == 403
    assert _client(outsider).post(reverse("round_import", args=[round_.pk]), data).status_code == 404
    assert ImportDraft.objects.count() == 0
