"""The `luoshi` console script: the one entry point users learn.

Pure commands (`parse`, `match`) run without Django or a database; the others set Django up first.
Each command lives in its own module with `add_arguments(parser)` and `run(args) -> int`, imported
only when that command runs, so `luoshi parse` never pays for Django start-up.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# command name -> (module, help text, needs Django)
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "parse": (
        "luoshi.text.cli_parse",
        "把对照检查材料、整改方案等文档解析为问题、原因、措施（JSON/XLSX/Markdown）",
        False,
    ),
    "match": ("luoshi.text.cli_match", "将新问题与历史问题比对，找出反复出现的问题", False),
    "serve": ("luoshi.web.commands.serve", "启动网页服务（gunicorn，默认 127.0.0.1:8000）", True),
    "demo": ("luoshi.web.commands.demo", "载入演示单位、班子、成员、用户和一个检视轮次", True),
    "indicators": ("luoshi.indicators.commands", "量化指标达标情况：成员 × 周期（--json 逐行输出）", True),
    "audit": ("luoshi.audit.commands", "审计日志：verify 校验哈希链", True),
    "backup": ("luoshi.ops.backup", "备份数据库和佐证材料文件到一个 .tar.gz（服务运行时也可）", True),
    "restore": ("luoshi.ops.restore", "从备份恢复数据库和佐证材料文件，并校验审计日志", True),
    "remind": (
        "luoshi.notices.commands",
        "提醒任务：到期、逾期、待验收等提醒与督办（--once 运行一次）",
        True,
    ),
    "channels": (
        "luoshi.notices.cli_channels",
        "通知渠道：list / add / remove / test（邮件、钉钉、企业微信、Webhook）",
        True,
    ),
    "report": (
        "luoshi.reports.commands",
        "生成报告：整改落实情况报告、进展通报、个人整改清单、整改台账、会议情况报告",
        True,
    ),
    "manage": ("luoshi.web.commands.manage", "运行 Django 管理命令（migrate、createsuperuser …）", True),
}


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(prog="luoshi", description="落实：整改台账与验收销号")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers = {}
    for name, (_module, help_text, _needs_django) in COMMANDS.items():
        subparsers[name] = sub.add_parser(name, help=help_text, description=help_text)
    return parser, subparsers


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, subparsers = build_parser()
    if not args_list or args_list[0] not in COMMANDS:
        if args_list and args_list[0] in ("-h", "--help"):
            parser.print_help()
            return 0
        parser.print_help(sys.stderr)
        return 2
    name = args_list[0]
    module_name, _help, needs_django = COMMANDS[name]
    if needs_django:
        from luoshi.web.bootstrap import setup_django

        setup_django()
    module = importlib.import_module(module_name)
    subparser = subparsers[name]
    module.add_arguments(subparser)
    if name == "manage":
        # Everything after `manage` goes to Django untouched.
        return int(module.run(args_list[1:]))
    args = subparser.parse_args(args_list[1:])
    if not needs_django:
        return int(module.run(args))
    from django.db import DatabaseError

    try:
        return int(module.run(args))
    except DatabaseError as exc:
        from luoshi.web.errors import database_down, database_label

        if database_down(exc):
            print(
                f"数据库无法连接：{database_label()}。请检查设置 LUOSHI_DATABASE_URL 和数据库服务（{exc}）",
                file=sys.stderr,
            )
        else:
            print(f"数据库错误：{exc}（数据库尚未初始化时，请先运行 luoshi manage migrate）", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
