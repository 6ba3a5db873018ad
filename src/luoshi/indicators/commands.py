"""`luoshi indicators ROUND_ID [--json]`: a round's compliance grid on the command line.

JSON lines, one per member × period (member null for team indicators): indicator, member, period
start and end, target, actual, state (met | not_met | no_data | open)."""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("round_id", type=int, metavar="ROUND_ID", help="检视轮次编号")
    parser.add_argument("--json", action="store_true", help="每行一个 JSON 对象（成员 × 周期）")
    parser.add_argument("--today", help="按某一天计算（YYYY-MM-DD，默认今天）")


def run(args: argparse.Namespace) -> int:
    import datetime

    from django.utils import timezone

    from luoshi.indicators import compliance
    from luoshi.indicators.models import Indicator, fmt_number
    from luoshi.ledger.models import Round

    round_ = Round.objects.filter(pk=args.round_id).select_related("team").first()
    if round_ is None:
        print(f"没有编号为 {args.round_id} 的检视轮次", file=sys.stderr)
        return 2
    try:
        today = datetime.date.fromisoformat(args.today) if args.today else timezone.localdate()
    except ValueError:
        print(f"日期格式应为 YYYY-MM-DD：{args.today}", file=sys.stderr)
        return 2
    indicators = list(
        Indicator.objects.counted().filter(round=round_).select_related("round__team", "member")
    )
    grids = compliance.grids(indicators, today)
    out = sys.stdout
    if not args.json:
        print(
            f"{round_.title}（{round_.team.name}）：{len(indicators)} 项量化指标，截至 {today:%Y-%m-%d}",
            file=out,
        )
    for ind in indicators:
        grid = grids[ind.pk]
        if not args.json:
            print(f"\n[{ind.pk}] {ind.name} — {ind.requirement}（{ind.get_kind_display()}）", file=out)
            print("  " + "\t".join(["成员", *grid.column_labels()]), file=out)
        for member, cells in grid.rows():
            if args.json:
                for cell in cells:
                    line = {
                        "indicator": ind.pk,
                        "indicator_name": ind.name,
                        "member": member.pk if member else None,
                        "member_name": member.name if member else None,
                        "period_start": cell.start.isoformat(),
                        "period_end": cell.end.isoformat(),
                        "target": float(cell.target),
                        "op": ind.op,
                        "actual": float(cell.actual) if cell.actual is not None else None,
                        "state": cell.state,
                    }
                    print(json.dumps(line, ensure_ascii=False), file=out)
            else:
                name = member.name if member else "班子整体"
                row = [
                    f"{fmt_number(c.actual) if c.actual is not None else '—'} {c.state_label}" for c in cells
                ]
                print("  " + "\t".join([name, *row]), file=out)
    if not args.json:
        tally = compliance.tally(grids.values())
        print(f"\n达标率 {tally.rate_text}（{tally.formula}：{tally.met} ÷ {tally.over}）", file=out)
    return 0
