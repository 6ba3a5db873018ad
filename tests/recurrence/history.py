"""An organization's earlier round, built the way people build it: a round, an imported document,
measures worked and closed through the workflow service."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from luoshi.ledger.models import Problem, Round
from luoshi.ledger.services import create_round, import_parsed, transition
from luoshi.text.model import Measure, ParsedDocument
from luoshi.text.model import Problem as ParsedProblem

FORMALISM = ParsedProblem(
    "工作作风", "形式主义问题突出", "形式主义问题突出。文山会海现象仍然存在，发文开会偏多，基层负担较重。"
)
WATER = ParsedProblem(
    "担当作为",
    "农村饮水安全问题解决不力",
    "农村饮水安全问题解决不力。部分村组自来水供水不稳定，群众反映强烈。",
)
RESEARCH = ParsedProblem(
    "工作作风", "调查研究不深入", "调查研究不深入。到基层调研走马观花，听汇报多、进村入户少。"
)

# A restatement of FORMALISM in other words, and an item that is new.
RESTATED = "文山会海依然存在，基层负担没有明显减轻"
NEW_ITEM = "干部队伍年龄结构老化，年轻干部储备不足"


@dataclass
class History:
    round: Round
    formalism: Problem
    water: Problem
    research: Problem


def build_history(
    team: Any,
    organizer: Any,
    owner_name: str,
    owner: Any,
    reviewer: Any,
    *,
    year: int = 2023,
    title: str = "",
) -> History:
    """A round of YEAR with three problems; the measures of the first two are closed."""
    round_ = create_round(team=team, title=title or f"{year}年度民主生活会", year=year, actor=organizer)
    document = ParsedDocument(
        title=f"{year}年度对照检查材料",
        problems=(FORMALISM, WATER, RESEARCH),
        measures=(
            Measure(
                "改进作风",
                "精简文件会议，发文数量压减20%以上",
                "精简文件会议。",
                problem=0,
                owner=owner_name,
                deadline=datetime.date(year + 1, 6, 30),
            ),
            Measure(
                "民生",
                "实施农村供水保障工程",
                "实施农村供水保障工程。",
                problem=1,
                owner=owner_name,
                deadline=datetime.date(year + 1, 10, 31),
            ),
            Measure(
                "改进作风",
                "班子成员每月到基层调研1次",
                "每月调研。",
                problem=2,
                owner=owner_name,
                deadline=datetime.date(year + 1, 6, 30),
            ),
        ),
    )
    result = import_parsed(round_, document, actor=organizer)
    for measure, closing in zip(
        result.measures[:2], ["发文数量压减25%，验收通过", "供水工程已完工，验收通过"], strict=True
    ):
        transition(measure, "in_progress", actor=owner)
        transition(measure, "submitted", actor=owner, outcome="已完成")
        transition(measure, "closed", actor=reviewer, reason=closing)
    transition(result.measures[2], "in_progress", actor=owner)
    formalism, water, research = result.problems
    return History(round_, formalism, water, research)
