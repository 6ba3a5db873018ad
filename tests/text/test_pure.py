"""`luoshi.text` is the pure core: importing it and every submodule must not import Django."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import importlib, pkgutil, sys
import luoshi.text
for module in pkgutil.walk_packages(luoshi.text.__path__, "luoshi.text."):
    importlib.import_module(module.name)
from luoshi.text import parse_text
parse_text("一、整改措施\\n1.每月学习一次。")
loaded = sorted(name for name in sys.modules if name == "django" or name.startswith("django."))
print(",".join(loaded))
"""


def test_text_package_imports_no_django() -> None:
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"luoshi.text imported Django modules: {result.stdout.strip()}"
