"""`luoshi channels list|add|remove|test`: an organization's notification channels from the shell.

Acts as the administrator of the installation (the audit log records "luoshi channels"); secrets are
read from a prompt or a file, never from the command line's arguments shown in `ps`, and never printed.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

KINDS = ("email", "dingtalk", "wecom", "webhook")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="列出通知渠道（不显示密钥）")
    listing.add_argument("--org", help="单位名称（默认全部）")
    add = sub.add_parser("add", help="添加通知渠道")
    add.add_argument("kind", choices=KINDS)
    add.add_argument("--org", required=True, help="单位名称")
    add.add_argument("--name", required=True, help="渠道名称")
    add.add_argument("--url", help="钉钉/企业微信机器人或 Webhook 的地址")
    add.add_argument("--host", help="SMTP 服务器")
    add.add_argument("--port", default="25", help="SMTP 端口（默认 25）")
    add.add_argument("--security", default="starttls", choices=("starttls", "ssl", "none"))
    add.add_argument("--username", default="", help="SMTP 用户名")
    add.add_argument("--from", dest="sender", default="", help="发件人地址")
    add.add_argument("--secret-file", help="从文件读取密钥（SMTP 密码、钉钉加签密钥、Webhook 令牌）")
    add.add_argument("--ask-secret", action="store_true", help="交互输入密钥")
    remove = sub.add_parser("remove", help="删除通知渠道")
    remove.add_argument("id", type=int)
    test = sub.add_parser("test", help="立即发送一条测试消息")
    test.add_argument("id", type=int)
    test.add_argument("--to", default="", help="测试邮件的收件地址（邮件渠道）")


class _System:
    """The administrator acting from the shell: every organization, recorded as "luoshi channels"."""

    pk = None
    is_authenticated = True
    is_active = True
    is_superuser = True
    email = ""

    def get_username(self) -> str:
        return "luoshi channels"

    def get_full_name(self) -> str:
        return "管理员"

    def __str__(self) -> str:
        return "luoshi channels"


def _organization(name: str) -> Any:
    from luoshi.orgs.models import Organization

    found = list(Organization.objects.filter(name=name)[:2])
    if len(found) != 1:
        raise SystemExit(f"找不到唯一名为“{name}”的单位")
    return found[0]


def run(args: argparse.Namespace) -> int:
    from luoshi.errors import DomainError
    from luoshi.notices import services
    from luoshi.notices.channels import SendError
    from luoshi.notices.models import Channel

    actor = _System()
    if args.action == "list":
        channels = Channel.objects.select_related("organization")
        if args.org:
            channels = channels.filter(organization=_organization(args.org))
        for c in channels:
            state = "启用" if c.enabled else "停用"
            secret = "已设密钥" if c.secret else "无密钥"
            print(f"{c.pk}\t{c.organization.name}\t{c.kind}\t{c.name}\t{c.target}\t{secret}\t{state}")
        return 0
    try:
        if args.action == "add":
            secret = ""
            if args.secret_file:
                secret = Path(args.secret_file).read_text(encoding="utf-8").strip()
            elif args.ask_secret:
                secret = getpass.getpass("密钥：")
            config = (
                {
                    "host": args.host or "",
                    "port": args.port,
                    "security": args.security,
                    "username": args.username,
                    "from": args.sender,
                }
                if args.kind == "email"
                else {"url": args.url or ""}
            )
            channel = services.add_channel(
                _organization(args.org),
                actor=actor,
                kind=args.kind,
                name=args.name,
                config=config,
                secret=secret,
            )
            print(
                f"已添加通知渠道 {channel.pk}：{channel.name}（{channel.get_kind_display()}，{channel.target}）"
            )
            return 0
        channel = Channel.objects.select_related("organization").filter(pk=args.id).first()
        if channel is None:
            print(f"没有编号为 {args.id} 的通知渠道", file=sys.stderr)
            return 1
        if args.action == "remove":
            services.remove_channel(channel, actor=actor)
            print(f"已删除通知渠道 {args.id}")
            return 0
        services.try_channel(channel, actor=actor, to_email=args.to)
        print(f"测试消息已发送：{channel.name}（{channel.target}）")
        return 0
    except (DomainError, SendError) as exc:
        print(f"未能完成：{getattr(exc, 'message', str(exc))}", file=sys.stderr)
        return 1
