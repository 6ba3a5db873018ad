"""`luoshi report ROUND_ID --kind progress|bulletin|member|ledger|meeting [--member ID] [--from D --to D]
[--format docx|xlsx|pdf] -o FILE`: a report of a round written to FILE.

Exit status 0 when written; 2 with a one-line Chinese message for an unknown round, member, kind or
format, bad dates, or a PDF without LibreOffice.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

KINDS = {
    "progress": "整改落实情况报告",
    "bulletin": "进展通报",
    "member": "个人整改清单",
    "ledger": "整改台账",
    "meeting": "会议情况报告",
}
FORMATS = {
    "progress": ("docx", "pdf"),
    "bulletin": ("docx", "pdf"),
    "member": ("docx", "xlsx", "pdf"),
    "ledger": ("xlsx",),
    "meeting": ("docx", "pdf"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("round_id", metavar="ROUND_ID", help="检视轮次编号")
    parser.add_argument(
        "--kind",
        default="progress",
        help="progress（整改落实情况报告，默认）| bulletin（进展通报）"
        " | member（个人整改清单）| ledger（整改台账）| meeting（会议情况报告）",
    )
    parser.add_argument("--member", metavar="ID", help="班子成员编号（--kind member 时必填）")
    parser.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="通报起始日期（--kind bulletin）")
    parser.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="通报截止日期（--kind bulletin）")
    parser.add_argument("--format", dest="fmt", help="docx | xlsx | pdf（默认按输出文件的扩展名）")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="输出文件")


class _Refused(Exception):
    pass


def _date(text: str | None, label: str) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _Refused(f"{label}“{text}”不是日期（应为 YYYY-MM-DD）") from None


def _id(text: str | None, what: str) -> int:
    if text is None or not text.isdigit():
        raise _Refused(f"没有编号为“{text}”的{what}")
    return int(text)


def run(args: argparse.Namespace) -> int:
    try:
        data = build(args)
    except _Refused as refused:
        print(f"luoshi report：{refused}", file=sys.stderr)
        return 2
    Path(args.output).write_bytes(data)
    return 0


def build(args: argparse.Namespace) -> bytes:
    from django.utils import timezone

    from luoshi.errors import DomainError
    from luoshi.ledger.models import Round
    from luoshi.orgs.models import Member
    from luoshi.reports import bulletin, ledger_xlsx, member, pdf, progress

    kind = args.kind
    if kind not in KINDS:
        raise _Refused(f"没有“{kind}”这种报告；可选：" + "、".join(f"{k}（{v}）" for k, v in KINDS.items()))
    fmt = (args.fmt or Path(args.output).suffix.lstrip(".") or FORMATS[kind][0]).lower()
    if fmt not in FORMATS[kind]:
        raise _Refused(f"{KINDS[kind]}不能输出为“{fmt}”；可选：{'、'.join(FORMATS[kind])}")
    round_ = Round.objects.filter(pk=_id(args.round_id, "检视轮次")).first()
    if round_ is None:
        raise _Refused(f"没有编号为“{args.round_id}”的检视轮次")
    today = timezone.localdate()

    if kind == "progress":
        data = progress.write_progress_report(round_)
    elif kind == "meeting":
        from luoshi.meetings.report import write_meeting_report

        data = write_meeting_report(round_)
    elif kind == "bulletin":
        end = _date(args.end, "--to") or today
        start = _date(args.start, "--from") or end - datetime.timedelta(days=30)
        try:
            data = bulletin.write_bulletin(round_, start, end)
        except DomainError as error:
            raise _Refused(error.message) from None
    elif kind == "member":
        if args.member is None:
            raise _Refused("个人整改清单须用 --member 指定班子成员编号")
        found = Member.objects.filter(pk=_id(args.member, "班子成员"), team_id=round_.team_id).first()
        if found is None:
            raise _Refused(f"检视轮次“{round_.title}”的班子中没有编号为“{args.member}”的成员")
        if fmt == "xlsx":
            return member.write_member_xlsx(round_, found)
        data = member.write_member_docx(round_, found)
    else:
        return ledger_xlsx.write_round_ledger(round_)
    if fmt == "pdf":
        try:
            return pdf.docx_to_pdf(data)
        except DomainError as error:
            raise _Refused(error.message) from None
    return data
