"""The round steps' deadline offsets as settings: pure parsing, no Django models (settings.py reads it).

An offset counts from the round's anchor date (the meeting, or the day an inspection or audit's
feedback arrived): days ("-15" = fifteen days before, "15" = fifteen days after) or months ("2m").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from luoshi.web.config import ConfigError

# The seven steps of a 民主生活会 and the three of a feedback (巡察/审计/督导) rectification, in order.
MEETING_STEPS = ("theme", "opinions", "talks", "materials", "meeting", "measures", "report")
FEEDBACK_STEPS = ("feedback", "plan", "rect_report")

MEETING_DEFAULT = "theme:-15,opinions:-10,talks:-5,materials:-3,meeting:0,measures:30,report:15"
FEEDBACK_DEFAULT = "feedback:0,plan:30,rect_report:2m"

_OFFSET_RE = re.compile(r"^(-?\d{1,4})(m?)$")


@dataclass(frozen=True)
class Offset:
    amount: int
    months: bool = False

    def __str__(self) -> str:
        return f"{self.amount}{'m' if self.months else ''}"


class OffsetError(ConfigError):
    pass


def parse_offsets(name: str, raw: str, steps: tuple[str, ...]) -> dict[str, Offset]:
    """'theme:-15,report:15' as {step: Offset}; every step of STEPS must be given once."""
    found: dict[str, Offset] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        step, _sep, value = (s.strip() for s in part.partition(":"))
        match = _OFFSET_RE.match(value)
        if step not in steps or step in found or not match:
            raise OffsetError(
                f"{name}={raw!r}: 应为逗号分隔的“步骤:天数”（负数为会前，后缀 m 为月），步骤为 {'、'.join(steps)}"
            )
        found[step] = Offset(int(match.group(1)), bool(match.group(2)))
    missing = [s for s in steps if s not in found]
    if missing:
        raise OffsetError(f"{name}={raw!r}: 缺少步骤 {'、'.join(missing)}")
    return found


TALK_PAIR_KINDS = ("secretary", "members", "units")


def parse_pair_kinds(name: str, values: list[str]) -> tuple[str, ...]:
    unknown = [v for v in values if v not in TALK_PAIR_KINDS]
    if unknown:
        raise OffsetError(f"{name}: 未知的谈话要求 {'、'.join(unknown)}；可选 {'、'.join(TALK_PAIR_KINDS)}")
    return tuple(k for k in TALK_PAIR_KINDS if k in values)
