"""The frozen dataclasses the parser returns, and their JSON shape.

The JSON shape is a contract (issue 3): add fields, never rename. `to_dict()` gives the keys in
the documented order so that `json.dumps` output is stable and readable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


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

    def to_dict(self) -> dict[str, Any]:
        """The measure as a JSON-ready dict (keys in contract order, deadline as ISO date)."""
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
