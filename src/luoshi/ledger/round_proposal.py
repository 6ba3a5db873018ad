"""A new round proposed from a document's title: its name, year and kind (the organizer may edit
them before confirming).

"XX县委常委班子2023年度专题民主生活会对照检查材料" → 2023, 专题民主生活会,
"XX县委常委班子2023年度专题民主生活会"; "关于县委巡察反馈意见的整改方案" → 巡察整改. Pure: no
database, so it is cheap to test on many titles.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from luoshi.ledger.models import RoundKind

# The first name that occurs in the title decides the kind: the more specific names come first
# (专题民主生活会 before 民主生活会; 巡察 / 审计 before 督导, because an inspection's
# rectification plan often mentions the supervision of it).
_KIND_WORDS: tuple[tuple[str, RoundKind], ...] = (
    ("专题民主生活会", RoundKind.SPECIAL),
    ("民主生活会", RoundKind.ANNUAL),
    ("组织生活会", RoundKind.ORGANIZATION_LIFE),
    ("巡视", RoundKind.INSPECTION),
    ("巡察", RoundKind.INSPECTION),
    ("审计", RoundKind.AUDIT),
    ("督导", RoundKind.SUPERVISION),
    ("督查", RoundKind.SUPERVISION),
)

# What names the document rather than the round, cut from the end of the title.
_DOCUMENT_SUFFIX = re.compile(
    r"(?:的)?(?:个人|领导班子|班子)?(?:对照检查(?:剖析)?材料|检视剖析材料|剖析材料|对照检查|发言提纲|发言材料"
    r"|(?:工作)?(?:情况)?(?:报告|汇报))$"
)
_PLAN_SUFFIX = re.compile(r"(?:的)?整改(?:落实|工作)?(?:实施)?方案$")
_YEAR = re.compile(r"(20\d{2})\s*年")
_YEAR_OF_TEXT = re.compile(r"(20\d{2})\s*年度")
_TITLE_LIMIT = 200  # Round.title's max_length


@dataclass(frozen=True)
class RoundProposal:
    title: str
    year: int
    kind: RoundKind


def propose_round(
    title: str, fallback_name: str = "", today: datetime.date | None = None, texts: Iterable[str] = ()
) -> RoundProposal:
    """The round a document titled TITLE most likely belongs to. FALLBACK_NAME (the file name) names
    it when the title is empty. The year is the title's "20xx年"; else the first "20xx年度" the
    document's TEXTS name (its items, in order); else this year."""
    today = today or datetime.date.today()
    text = re.sub(r"\s+", "", title or "")
    kind = next((k for word, k in _KIND_WORDS if word in text), RoundKind.SPECIAL)
    year_match = _YEAR.search(text) or next(
        (found for item in texts if (found := _YEAR_OF_TEXT.search(item or ""))), None
    )
    year = int(year_match.group(1)) if year_match else today.year
    name = text.removeprefix("关于")
    # A rectification plan names its round "…整改"; a meeting document, the meeting.
    name = _PLAN_SUFFIX.sub("整改", name) if _PLAN_SUFFIX.search(name) else _DOCUMENT_SUFFIX.sub("", name)
    name = name.strip("：:，,。 ") or _stem(fallback_name) or f"{year}年度{kind.label}"
    return RoundProposal(title=name[:_TITLE_LIMIT], year=year, kind=kind)


def _stem(filename: str) -> str:
    stem = (filename or "").rsplit("/", 1)[-1]
    return stem.rsplit(".", 1)[0].strip() if "." in stem else stem.strip()
