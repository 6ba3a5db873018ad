"""The measure workflow as one pure table (DESIGN.md, "Measure workflow").

    planned 未开始 → in_progress 整改中 → submitted 待验收 → closed 已销号
    submitted → returned 已退回 (reason) → in_progress
    in_progress → continuing 基本完成、持续整改 → submitted (once finished)
    closed → in_progress (reopen by a reviewer, reason)

Overdue is computed from the current deadline, never a state; an extension is its own record.
Nothing here touches the database: `luoshi.ledger.services.transition` applies the table.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("未开始")
    IN_PROGRESS = "in_progress", _("整改中")
    SUBMITTED = "submitted", _("待验收")
    RETURNED = "returned", _("已退回")
    CONTINUING = "continuing", _("基本完成、持续整改")
    CLOSED = "closed", _("已销号")


OPEN_STATUSES = frozenset(
    {MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS, MeasureStatus.SUBMITTED, MeasureStatus.RETURNED}
)


class Actor(enum.Enum):
    """The capacity in which someone acts on a measure."""

    OWNER = "owner"  # the measure's owner (责任领导)
    ORGANIZER = "organizer"  # the office running the round, recording on the owner's behalf
    REVIEWER = "reviewer"  # verifies and closes (纪委 / 督查室 / upper level)


@dataclass(frozen=True)
class Rule:
    """Who may make a transition and what it needs."""

    actors: frozenset[Actor]
    label: str
    needs_reason: bool = False
    # The step takes the outcome (整改成效) and requires it. No other step may set or change it: a
    # reviewer verifies the outcome as the owner submitted it.
    needs_outcome: bool = False
    # The actor must not be involved in the measure: not its current or former owner, and not one
    # who recorded its progress or evidence or took an owner-side step (start, submit, continue).
    four_eyes: bool = False
    # The page shows what is being decided (summary, owner, outcome, evidence) and asks once more
    # before the step is taken: closing and reopening are formal acts that are hard to undo.
    confirm: bool = False


OWNER_SIDE = frozenset({Actor.OWNER, Actor.ORGANIZER})
REVIEW_SIDE = frozenset({Actor.REVIEWER})

S = MeasureStatus
TRANSITIONS: dict[tuple[MeasureStatus, MeasureStatus], Rule] = {
    (S.PLANNED, S.IN_PROGRESS): Rule(OWNER_SIDE, "开始整改"),
    (S.IN_PROGRESS, S.SUBMITTED): Rule(OWNER_SIDE, "提交验收", needs_outcome=True),
    (S.IN_PROGRESS, S.CONTINUING): Rule(OWNER_SIDE, "基本完成、持续整改", needs_outcome=True),
    (S.CONTINUING, S.SUBMITTED): Rule(OWNER_SIDE, "提交验收", needs_outcome=True),
    (S.RETURNED, S.IN_PROGRESS): Rule(OWNER_SIDE, "重新整改"),
    (S.SUBMITTED, S.CLOSED): Rule(REVIEW_SIDE, "验收销号", four_eyes=True, confirm=True),
    (S.SUBMITTED, S.RETURNED): Rule(REVIEW_SIDE, "退回", needs_reason=True, four_eyes=True),
    (S.CLOSED, S.IN_PROGRESS): Rule(REVIEW_SIDE, "重新打开", needs_reason=True, four_eyes=True, confirm=True),
}


def rule_for(source: MeasureStatus | str, target: MeasureStatus | str) -> Rule | None:
    """The rule for SOURCE → TARGET, or None when the workflow has no such step."""
    return TRANSITIONS.get((MeasureStatus(source), MeasureStatus(target)))


def targets_from(source: MeasureStatus | str) -> list[MeasureStatus]:
    """The states reachable from SOURCE in one step, in table order."""
    state = MeasureStatus(source)
    return [target for (src, target) in TRANSITIONS if src == state]
