"""Settings come from typed environment variables and bad values stop start-up with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from luoshi.web.config import ConfigError, Env, load_or_create_secret_key, parse_database_url


def test_typed_values() -> None:
    env = Env({"B": "yes", "I": "12", "L": "a, b,,c", "P": "/tmp/x"})
    assert env.boolean("B", False) is True
    assert env.boolean("MISSING", True) is True
    assert env.integer("I", 0) == 12
    assert env.items("L", []) == ["a", "b", "c"]
    assert env.path("P", Path("/")) == Path("/tmp/x")


@pytest.mark.parametrize(
    ("name", "value", "read"), [("B", "maybe", "bool"), ("I", "7天", "int"), ("I", "-1", "int")]
)
def test_bad_values_name_the_variable(name: str, value: str, read: str) -> None:
    env = Env({name: value})
    with pytest.raises(ConfigError, match=name):
        if read == "bool":
            env.boolean(name, False)
        else:
            env.integer(name, 0, minimum=0)


def test_choice_accepts_listed_words_and_names_the_variable_otherwise() -> None:
    env = Env({"E": " E5 ", "BLANK": "", "BAD": "bert"})
    assert env.choice("E", "", ["e5"]) == "e5"
    assert env.choice("BLANK", "x", ["e5"]) == "x"
    assert env.choice("UNSET", "x", ["e5"]) == "x"
    with pytest.raises(ConfigError, match=r"BAD.*e5"):
        env.choice("BAD", "", ["e5"])


def test_secret_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("s3cret\n", encoding="utf-8")
    assert Env({"K_FILE": str(secret)}).secret("K") == "s3cret"
    with pytest.raises(ConfigError, match="K_FILE"):
        Env({"K_FILE": str(tmp_path / "missing")}).secret("K")


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_or_create_secret_key(tmp_path)
    assert load_or_create_secret_key(tmp_path) == first
    assert len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_database_urls() -> None:
    sqlite = parse_database_url("sqlite:////tmp/x.sqlite3")
    assert sqlite["ENGINE"] == "django.db.backends.sqlite3"
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"  # type: ignore[index]
    assert parse_database_url("postgresql://u@127.0.0.1:5432/db")["ENGINE"] == "django.db.backends.postgresql"
    with pytest.raises(ConfigError, match="LUOSHI_DATABASE_URL"):
        parse_database_url("mysql://u@h/db")


def test_a_bad_setting_stops_the_command_with_a_chinese_message(tmp_path: Path) -> None:
    env = {**os.environ, "LUOSHI_DATA_DIR": str(tmp_path), "LUOSHI_DEBUG": "perhaps"}
    result = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "LUOSHI_DEBUG" in result.stderr
    assert "配置错误" in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_are_chinese_and_shanghai(settings: object) -> None:
    from django.conf import settings as s

    assert s.LANGUAGE_CODE == "zh-hans"
    assert s.TIME_ZONE == "Asia/Shanghai"
    assert s.USE_TZ is True


def test_an_empty_database_url_means_the_default(tmp_path: Path) -> None:
    env = {**os.environ, "LUOSHI_DATA_DIR": str(tmp_path), "LUOSHI_DATABASE_URL": ""}

    def luoshi(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "luoshi.cli", *args], env=env, capture_output=True, text=True, timeout=120
        )

    unmigrated = luoshi("audit", "verify")
    assert unmigrated.returncode == 2
    assert "luoshi manage migrate" in unmigrated.stderr and "Traceback" not in unmigrated.stderr
    assert luoshi("manage", "migrate", "-v0").returncode == 0
    verified = luoshi("audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "完好" in verified.stdout
    assert (tmp_path / "luoshi.sqlite3").exists()
