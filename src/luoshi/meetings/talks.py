"""The talk coverage matrix (谈心谈话): the pairs a round requires, and which of them have talked.

Which pairs are required is a setting (LUOSHI_TALK_PAIRS): the secretary with each member, members
with each other, each member with the heads of the units they oversee. A pair is covered by any talk
of the round in which one of them talked with the other (either may have started it; a group talk
covers its starter with each of its partners).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.conf import settings

from luoshi.ledger.models import Round
from luoshi.meetings.figures import PreparationFigures, _outside_names, preparation_figures
from luoshi.meetings.models import Oversight, Preparation, Talk
from luoshi.orgs.models import Member

PAIR_KIND_LABELS = {
    "secretary": "书记与班子成员",
    "members": "班子成员之间",
    "units": "班子成员与分管单位负责人",
}


@dataclass(frozen=True)
class Pair:
    kinds: tuple[str, ...]
    first: Member
    second: Member | None = None
    head: str = ""  # the head of an overseen unit (outside the team), when second is None
    unit: str = ""
    done: bool = False

    @property
    def key(self) -> str:
        return f"{self.first.pk}-{self.second.pk}" if self.second else f"{self.first.pk}-h-{self.head}"

    @property
    def second_label(self) -> str:
        return self.second.name if self.second else f"{self.head}（{self.unit}负责人）"

    @property
    def kind_labels(self) -> str:
        return "、".join(PAIR_KIND_LABELS[k] for k in self.kinds)


@dataclass(frozen=True)
class Matrix:
    members: list[Member]
    secretary: Member | None
    pairs: list[Pair]
    kinds: tuple[str, ...]
    figures: PreparationFigures
    # (row member, [(column member, None | pair)]) for the members' grid.
    grid: list[tuple[Member, list[tuple[Member, Pair | None]]]]

    @property
    def done(self) -> int:
        return sum(1 for p in self.pairs if p.done)

    @property
    def missing(self) -> list[Pair]:
        return [p for p in self.pairs if not p.done]

    @property
    def unit_pairs(self) -> list[Pair]:
        return [p for p in self.pairs if p.second is None]


def secretary_of(members: list[Member], preparation: Preparation | None) -> Member | None:
    """The member marked as secretary, else the first member by order."""
    if preparation is not None and preparation.secretary_id is not None:
        marked = next((m for m in members if m.pk == preparation.secretary_id), None)
        if marked is not None:
            return marked
    return members[0] if members else None


def talked(round_: Round) -> tuple[set[frozenset[int]], set[tuple[int, str]]]:
    """(member pairs that talked, (member, outside name) pairs that talked) in ROUND."""
    members: set[frozenset[int]] = set()
    heads: set[tuple[int, str]] = set()
    for talk in Talk.objects.filter(round=round_).prefetch_related("partners"):
        partner_ids = [p.pk for p in talk.partners.all()]
        for partner in partner_ids:
            members.add(frozenset((talk.initiator_id, partner)))
        for name in _outside_names(talk.outside_partners):
            for person in (talk.initiator_id, *partner_ids):
                heads.add((person, name))
    return members, heads


def matrix(round_: Round, kinds: tuple[str, ...] | None = None) -> Matrix:
    """The required pairs of ROUND and whether each has talked (a fixed number of queries)."""
    kinds = tuple(settings.LUOSHI_TALK_PAIRS) if kinds is None else kinds
    members = list(Member.objects.filter(team_id=round_.team_id, active=True).order_by("order", "id"))
    preparation = Preparation.objects.filter(round=round_).first()
    secretary = secretary_of(members, preparation)
    member_done, head_done = talked(round_)
    by_pair: dict[frozenset[int], Pair] = {}
    for a, b in itertools.combinations(members, 2):
        pair_kinds = []
        if "secretary" in kinds and secretary is not None and secretary.pk in (a.pk, b.pk):
            pair_kinds.append("secretary")
        if "members" in kinds:
            pair_kinds.append("members")
        if not pair_kinds:
            continue
        first, second = (
            (a, b) if secretary is None or a.pk == secretary.pk or b.pk != secretary.pk else (b, a)
        )
        ids = frozenset((a.pk, b.pk))
        by_pair[ids] = Pair(tuple(pair_kinds), first, second, done=ids in member_done)
    pairs = list(by_pair.values())
    if "units" in kinds:
        overseen = Oversight.objects.filter(member__in=members).order_by("member__order", "member_id", "id")
        by_id = {m.pk: m for m in members}
        for o in overseen:
            pairs.append(
                Pair(("units",), by_id[o.member_id], None, o.head, o.unit, (o.member_id, o.head) in head_done)
            )
    grid = [
        (
            row,
            [
                (col, by_pair.get(frozenset((row.pk, col.pk))) if row.pk != col.pk else None)
                for col in members
            ],
        )
        for row in members
    ]
    return Matrix(members, secretary, pairs, kinds, preparation_figures(round_), grid)
