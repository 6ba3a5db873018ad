"""Generate the labelled matching set from the hand-written ``source.txt`` and a few composed families.

    .venv/bin/python tests/text/match_data/make_labelled.py

Writes ``history.jsonl``, ``new.jsonl`` and ``labels.jsonl`` beside this file. Deterministic (fixed
seed), so the committed files are reproducible.

Two parts:
- hand-written groups (see the marker legend at the top of source.txt): each recurrence is written
  twice in genuinely different words (self-examination style vs. feedback style, other structure,
  other detail), plus near-exact repeats, new problems with no earlier match (mostly the same topic,
  a different problem) and history-only distractors;
- composed families: one problem type x one department, with a history phrasing and a differently
  worded new phrasing. A new item for a (type, department) pair that is not in the history must not
  match the same type in another department, nor another type in the same department.

Split: every labelled new item gets ``dev`` or ``test`` by a hash of its group, so that thresholds and
weights are tuned on ``dev`` and the figures are reported on ``test``. Items after ``@split NAME``
(``fresh``, ``fresh2``, ``fresh3``, ``fresh4``) were written later, blind, and are reported apart.
``fresh3`` and ``fresh4`` only restate existing history items: their ``=:`` lines name an earlier
item by the beginning of its text, so they add no history and leave every history id unchanged.
``fresh4`` (written without seeing the dictionary, the engine or any score) is read after the
composed families, so its ``=:`` lines may also name a composed history item and its new items
come last, leaving every earlier new-item id unchanged.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (history phrasing, new phrasing) per problem type; {d} is the department's name.
FAMILIES: list[tuple[str, str]] = [
    (
        "{d}政策宣传解读不到位，群众对惠民政策知晓率不高。",
        "{d}的惠民政策宣传不够，不少群众不清楚自己能享受哪些政策。",
    ),
    (
        "{d}信息化建设滞后，业务系统互不联通，数据共享不畅。",
        "{d}各类业务平台各自独立，数据不能互通，群众办事还要重复提交材料。",
    ),
    ("{d}专业技术人才短缺，人员结构不合理。", "{d}懂专业的技术骨干太少，一线人员青黄不接。"),
    (
        "{d}行政执法不规范，自由裁量权行使随意。",
        "{d}执法人员处罚尺度不统一，同样的违法行为罚多罚少全凭个人。",
    ),
    ("{d}统计数据质量不高，存在数据不实的问题。", "{d}上报的统计数字与实际不符，有的数据是估出来的。"),
    ("{d}规划编制滞后，发展思路不清晰。", "{d}的中长期规划迟迟没有出台，工作缺乏系统安排。"),
    ("{d}行业监管缺位，对违法违规经营行为查处不力。", "{d}对行业内违规经营的行为管得松、罚得轻。"),
    (
        "{d}内部管理制度不健全，多项制度多年未修订。",
        "{d}的内部规章长期没有更新，有的已不适应现在的工作要求。",
    ),
    (
        "{d}为民办实事项目推进缓慢，年度任务完成率低。",
        "{d}承诺的民生实事到年底还有一批没有完成，进度明显滞后。",
    ),
    ("{d}行政审批服务效率不高，办理时限长。", "{d}办事窗口审批慢，群众和企业办一件事要等很久。"),
    (
        "{d}安全风险辨识管控不到位，行业领域隐患底数不清。",
        "{d}对本行业有哪些安全风险心中无数，隐患清单不完整。",
    ),
    ("{d}对下属单位监督指导不够，管理失之于宽。", "{d}对所属二级单位放任不管，很少检查指导。"),
    (
        "{d}项目储备不足，争取上级资金支持能力不强。",
        "{d}手里能拿得出手的项目不多，向上争取资金的成效不明显。",
    ),
]

# (name used in the history, name used in new items): the same department, named differently.
DEPARTMENTS: list[tuple[str, str]] = [
    ("教育部门", "教育系统"),
    ("卫生健康部门", "卫健委"),
    ("交通运输部门", "交通局"),
    ("水利部门", "水利局"),
    ("文化旅游部门", "文旅局"),
    ("住房和城乡建设部门", "住建局"),
    ("市场监管部门", "市场监管局"),
    ("自然资源部门", "自然资源局"),
    ("民政部门", "民政局"),
    ("人力资源和社会保障部门", "人社局"),
    ("农业农村部门", "农业农村局"),
    ("生态环境部门", "生态环境局"),
]


# Sections read after the composed families: they add no history, and their new items are
# numbered after every earlier one.
LATE_SPLITS = {"fresh4"}


def _split(key: str) -> str:
    return "dev" if hashlib.sha256(key.encode()).digest()[0] % 2 == 0 else "test"


def main() -> None:
    history: list[dict[str, str]] = []
    new: list[dict[str, str]] = []
    labels: list[dict[str, object]] = []

    def add_history(text: str) -> str:
        item_id = f"h{len(history) + 1:04d}"
        history.append({"id": item_id, "text": text})
        return item_id

    def add_new(text: str, matches: list[str], kind: str, group: str) -> None:
        item_id = f"n{len(new) + 1:04d}"
        new.append({"id": item_id, "text": text})
        split = forced_split or _split(group)
        labels.append({"id": item_id, "recurring_of": matches, "kind": kind, "split": split})

    group_history: list[str] = []
    group_new: list[tuple[str, str]] = []
    group_count = 0
    # "@split fresh" in source.txt: everything after it is the fresh hold-out, written after all
    # tuning and reported apart.
    forced_split: str | None = None

    def flush() -> None:
        nonlocal group_count
        if group_new and not group_history:
            raise SystemExit(f"source.txt: new item without history in its group: {group_new[0][1]}")
        group_count += 1
        for kind, text in group_new:
            add_new(text, list(group_history), kind, f"g{group_count}")
        group_history.clear()
        group_new.clear()

    def parse(lines: list[str]) -> None:
        for raw in lines:
            parse_line(raw.strip())
        flush()

    def parse_line(line: str) -> None:
        nonlocal forced_split
        if line.startswith("@split "):
            flush()
            forced_split = line.split()[1]
            return
        if not line or line.startswith("#"):
            flush()
            return
        marker, _, text = line.partition(":")
        text = text.strip()
        if forced_split in LATE_SPLITS and marker in ("H", "H2", "D"):
            raise SystemExit(f"source.txt: split {forced_split} adds no history: {line!r}")
        if marker in ("H", "H2"):
            group_history.append(add_history(text))
        elif marker == "=":
            # An existing history item, named by the beginning of its text (must be unique).
            found = [row["id"] for row in history if row["text"].startswith(text)]
            if len(found) != 1:
                raise SystemExit(f"source.txt: '=: {text}' names {len(found)} history items, not one")
            group_history.append(found[0])
        elif marker == "N":
            group_new.append(("paraphrase", text))
        elif marker == "R":
            group_new.append(("repeat", text))
        elif marker == "X":
            add_new(text, [], "no_match", f"x{len(new)}")
        elif marker == "D":
            add_history(text)
        else:
            raise SystemExit(f"source.txt: unknown marker {marker!r} in {line!r}")

    lines = (HERE / "source.txt").read_text(encoding="utf-8").splitlines()
    late_start = next(
        (
            i
            for i, raw in enumerate(lines)
            if raw.strip().startswith("@split ") and raw.strip().split()[1] in LATE_SPLITS
        ),
        len(lines),
    )
    parse(lines[:late_start])

    forced_split = None  # the composed families keep their dev/test split
    rng = random.Random(20240517)
    combos = [(f, d) for f in range(len(FAMILIES)) for d in range(len(DEPARTMENTS))]
    rng.shuffle(combos)
    in_history = combos[:130]
    outside = combos[130:]
    combo_ids: dict[tuple[int, int], str] = {}
    for family, department in sorted(in_history):
        combo_ids[(family, department)] = add_history(
            FAMILIES[family][0].format(d=DEPARTMENTS[department][0])
        )
    for family, department in in_history[:16]:
        text = FAMILIES[family][1].format(d=DEPARTMENTS[department][1])
        add_new(text, [combo_ids[(family, department)]], "composed", f"c{family}-{department}")
    for family, department in outside[:12]:
        text = FAMILIES[family][1].format(d=DEPARTMENTS[department][1])
        add_new(text, [], "composed_no_match", f"c{family}-{department}")

    # Late sections (fresh4): read last, against the whole history, composed items included.
    parse(lines[late_start:])

    for name, rows in (("history", history), ("new", new), ("labels", labels)):
        with open(HERE / f"{name}.jsonl", "w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    matched = sum(1 for row in labels if row["recurring_of"])
    print(f"history {len(history)}, new {len(new)} ({matched} with an earlier match)")


if __name__ == "__main__":
    main()
