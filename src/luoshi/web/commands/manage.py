"""`luoshi manage …`: Django's management commands (migrate, createsuperuser, collectstatic …)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("args", nargs=argparse.REMAINDER, help="传给 Django 的参数，如 migrate")


def run(argv: Sequence[str]) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["luoshi manage", *argv])
    return 0
