"""The fragment store and the round version the fragments are keyed by."""

from __future__ import annotations

from typing import Any

import pytest

from luoshi.ledger import fragments
from luoshi.ledger.fragments import _FragmentStore, round_for_page, round_version
from luoshi.ledger.models import Round


def test_store_drops_the_least_recently_used_entry_first() -> None:
    store = _FragmentStore(max_entries=2)
    store.set("a", "<p>a</p>", 60)
    store.set("b", "<p>b</p>", 60)
    assert store.get("a") == "<p>a</p>"  # a is now the most recently used
    store.set("c", "<p>c</p>", 60)
    assert store.get("b") is None
    assert store.get("a") == "<p>a</p>" and store.get("c") == "<p>c</p>"


def test_store_forgets_expired_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(fragments.time, "monotonic", lambda: now[0])
    store = _FragmentStore(max_entries=10)
    store.set("k", "html", 30)
    now[0] += 29
    assert store.get("k") == "html"
    now[0] += 2
    assert store.get("k") is None


@pytest.mark.django_db
def test_version_read_with_the_round_matches_the_separate_read_and_moves_on_change(
    round_: Any, make_measure: Any, owner: Any, organizer: Any
) -> None:
    from luoshi.ledger.services import transition

    measure = make_measure()

    def both() -> tuple[str, str]:
        with_query = round_for_page(organizer, round_.pk)
        alone = Round.objects.select_related("team__organization").get(pk=round_.pk)
        return round_version(with_query), round_version(alone)

    before, before_alone = both()
    assert before == before_alone and before != "0"
    transition(measure, "in_progress", actor=owner)
    after, after_alone = both()
    assert after == after_alone and after != before


@pytest.mark.django_db
def test_the_round_of_a_page_as_the_orm_reads_it_for_those_who_may_see_it(
    round_: Any, organizer: Any, viewer: Any, town_organizer: Any, outsider: Any
) -> None:
    from django.http import Http404

    from luoshi.ledger.models import ImportDraft

    expected = Round.objects.select_related("team__organization").get(pk=round_.pk)
    for user in (organizer, viewer):
        found = round_for_page(user, round_.pk, drafts=True)
        assert [getattr(found, f.attname) for f in Round._meta.concrete_fields] == [
            getattr(expected, f.attname) for f in Round._meta.concrete_fields
        ]
        assert found.team == expected.team and found.team.organization == expected.team.organization
        assert found.team.organization.path == expected.team.organization.path
        assert found.created_at.tzinfo is not None and found.luoshi_pending_drafts is False
    for user in (town_organizer, outsider):  # below the round's organization, or elsewhere
        with pytest.raises(Http404):
            round_for_page(user, round_.pk)
    with pytest.raises(Http404):
        round_for_page(organizer, round_.pk + 1000)
    ImportDraft.objects.create(round=round_, created_by=organizer, name="方案.docx", data={})
    assert round_for_page(organizer, round_.pk, drafts=True).luoshi_pending_drafts is True
    assert not hasattr(round_for_page(organizer, round_.pk), "luoshi_pending_drafts")
