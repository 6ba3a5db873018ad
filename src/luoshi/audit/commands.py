"""`luoshi audit verify`: check the hash chain of the audit log."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    sub.add_parser("verify", help="校验审计日志哈希链，指出第一个被改动的事件")


def run(args: argparse.Namespace) -> int:
    from luoshi.audit.chain import verify

    result = verify()
    if result.ok:
        print(f"审计日志完好：共 {result.checked} 个事件，哈希链无断裂。")
        return 0
    print(
        f"审计日志已被改动：第 {result.broken_seq} 号事件 — {result.reason}（之前 {result.checked} 个事件完好）",
        file=sys.stderr,
    )
    return 1
