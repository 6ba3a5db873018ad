"""The frozen dataclasses the parser returns, and their JSON shape.

The JSON shape is a contract (issue 3): add fields, never rename. `to_dict()` gives the keys in
the documented order so that `json.dumps` output is stable and readable.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

# Several people in one owner cell: "李建华、王志刚", "张三/李四", "王五；赵六".
_OWNER_SEPARATORS_RE = re.compile(r"[、，,/／；;]")


@dataclass(frozen=True, slots=True)
class Commitment:
    """A quantified requirement of a measure, e.g. 每月至少走访1次 → month >= 1 次."""

    text: str
    period: str | None  # day | week | month | quarter | halfyear | year | None
    op: str  # ">=", "<=", ">", "<"
    value: int | float
    unit: str

    def to_dict(self) -> dict[str, Any]:
        """The commitment as a JSON-ready dict (keys in contract order)."""
        return {
            "text": self.text,
            "period": self.period,
            "op": self.op,
            "value": self.value,
            "unit": self.unit,
        }


@dataclass(frozen=True, slots=True)
class Problem:
    """A found shortcoming: its aspect label, first sentence and whole text."""

    aspect: str
    summary: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        """The problem as a JSON-ready dict (keys in contract order)."""
        return {"aspect": self.aspect, "summary": self.summary, "text": self.text}


@dataclass(frozen=True, slots=True)
class Cause:
    """A root cause: its first sentence and whole text."""

    summary: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        """The cause as a JSON-ready dict (keys in contract order)."""
        return {"summary": self.summary, "text": self.text}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A problem a measure probably answers, for a document that does not link them itself."""

    problem: int  # 0-based index into ParsedDocument.problems
    score: float

    def to_dict(self) -> dict[str, Any]:
        """The suggestion as a JSON-ready dict."""
        return {"problem": self.problem, "score": self.score}


@dataclass(frozen=True, slots=True)
class Measure:
    """A rectification measure, with its owner, department, deadline and commitments."""

    group: str
    summary: str
    text: str
    problem: int | None = None  # 0-based index into ParsedDocument.problems
    owner: str | None = None
    department: str | None = None
    deadline: dt.date | None = None
    deadline_text: str | None = None
    commitments: tuple[Commitment, ...] = ()
    co_department: str | None = None  # 配合单位 / 协办单位 / 配合部门
    # Only for a measure the document leaves unlinked ("problem" null) while it has problems.
    suggested_problems: tuple[Suggestion, ...] = ()

    @property
    def owners(self) -> list[str]:
        """The people named in `owner`, one by one (the owner cell may name several)."""
        if not self.owner:
            return []
        return [name for part in _OWNER_SEPARATORS_RE.split(self.owner) if (name := part.strip())]

    def to_dict(self) -> dict[str, Any]:
        """The measure as a JSON-ready dict (keys in contract order, deadline as ISO date).

        Keys added after the contract landed (owners, co_department, suggested_problems) come
        after the original ones.
        """
        return {
            "group": self.group,
            "summary": self.summary,
            "text": self.text,
            "problem": self.problem,
            "owner": self.owner,
            "department": self.department,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_text": self.deadline_text,
            "commitments": [c.to_dict() for c in self.commitments],
            "owners": self.owners,
            "co_department": self.co_department,
            "suggested_problems": [s.to_dict() for s in self.suggested_problems],
        }


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """What `luoshi parse` finds in one document.

    `sections` names the kinds of section headings that were recognised ("problems", "causes",
    "measures", "table"); it is not part of the JSON contract but tells the command line whether
    the document had any recognisable structure at all.
    """

    title: str
    problems: tuple[Problem, ...] = ()
    causes: tuple[Cause, ...] = ()
    measures: tuple[Measure, ...] = ()
    sections: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_empty(self) -> bool:
        """True when no problem, cause or measure was found."""
        return not (self.problems or self.causes or self.measures)

    def to_dict(self) -> dict[str, Any]:
        """The document as a JSON-ready dict with exactly the contract's keys, in order."""
        return {
            "title": self.title,
            "problems": [p.to_dict() for p in self.problems],
            "causes": [c.to_dict() for c in self.causes],
            "measures": [m.to_dict() for m in self.measures],
        }
