"""Typed reading of `LUOSHI_…` environment variables.

Every setting a deployment may change is read here, once, and a bad value stops start-up with a
message naming the variable, instead of surfacing later as a strange behaviour. A secret may also be
given as a file (`LUOSHI_SECRET_KEY_FILE`), the way container and systemd secrets arrive.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Mapping
from fractions import Fraction
from pathlib import Path

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""


class Env:
    """Reads typed values from a mapping (the process environment by default)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def text(self, name: str, default: str) -> str:
        return self.environ.get(name, default)

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ConfigError(f"{name}={raw!r}: 应为 true/false（或 1/0、yes/no、on/off）")

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise ConfigError(f"{name}={raw!r}: 应为整数") from None
        if minimum is not None and value < minimum:
            raise ConfigError(f"{name}={raw!r}: 不能小于 {minimum}")
        return value

    def share(self, name: str, default: str) -> Fraction:
        """A share above 0 and at most 1, written as a fraction ("2/3") or a decimal ("0.8")."""
        raw = self.environ.get(name)
        text = default if raw is None or raw.strip() == "" else raw.strip()
        try:
            value = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise ConfigError(f"{name}={raw!r}: 应为分数（如 2/3）或小数（如 0.8）") from None
        if not 0 < value <= 1:
            raise ConfigError(f"{name}={raw!r}: 应大于 0、不超过 1")
        return value

    def choice(self, name: str, default: str, choices: Iterable[str]) -> str:
        """One of CHOICES (case and surrounding spaces ignored); an empty value means DEFAULT."""
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        word = raw.strip().lower()
        allowed = list(choices)
        if word not in allowed:
            raise ConfigError(f"{name}={raw!r}: 应为以下之一：{'、'.join(allowed)}")
        return word

    def items(self, name: str, default: list[str]) -> list[str]:
        raw = self.environ.get(name)
        if raw is None:
            return default
        return [part.strip() for part in raw.split(",") if part.strip()]

    def integers(self, name: str, default: list[int], *, minimum: int = 0) -> list[int]:
        """A comma-separated list of integers, each at least MINIMUM (empty means DEFAULT)."""
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        values = []
        for part in raw.split(","):
            try:
                value = int(part.strip())
            except ValueError:
                raise ConfigError(f"{name}={raw!r}: 应为逗号分隔的整数") from None
            if value < minimum:
                raise ConfigError(f"{name}={raw!r}: 不能小于 {minimum}")
            values.append(value)
        return values

    def clock(self, name: str, default: str) -> str:
        """A time of day "HH:MM" (24-hour), or with DEFAULT a window "HH:MM-HH:MM"."""
        raw = self.environ.get(name)
        value = default if raw is None or raw.strip() == "" else raw.strip()
        for part in value.split("-"):
            hours, _sep, minutes = part.strip().partition(":")
            if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
                raise ConfigError(f"{name}={raw!r}: 应为 HH:MM{'-HH:MM' if '-' in default else ''}")
        if value.count("-") != default.count("-"):
            raise ConfigError(f"{name}={raw!r}: 应为 HH:MM{'-HH:MM' if '-' in default else ''}")
        return value

    def path(self, name: str, default: Path) -> Path:
        raw = self.environ.get(name)
        return Path(raw).expanduser().resolve() if raw else default

    def secret(self, name: str) -> str | None:
        """The value of NAME, or the contents of the file named by NAME_FILE."""
        if name in self.environ:
            return self.environ[name]
        file_name = self.environ.get(f"{name}_FILE")
        if file_name:
            try:
                return Path(file_name).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(f"{name}_FILE={file_name!r}: 无法读取（{exc.strerror}）") from None
        return None


def default_data_dir() -> Path:
    """`./data` beside the working directory: where `make run` keeps the database and uploads."""
    return (Path.cwd() / "data").resolve()


def load_or_create_secret_key(data_dir: Path) -> str:
    """The secret key kept in the data directory, generated on first run (readable by its owner only)."""
    key_file = data_dir / "secret_key"
    if key_file.exists():
        key = key_file.read_text(encoding="utf-8").strip()
        if len(key) < 32:
            raise ConfigError(f"{key_file}: 密钥过短，请删除该文件以重新生成")
        return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def parse_database_url(url: str) -> dict[str, object]:
    """A Django DATABASES entry from a URL (sqlite:///path or postgres://…), tuned per engine."""
    import dj_database_url

    if not url.startswith(("sqlite:", "postgres:", "postgresql:", "pgsql:")):
        raise ConfigError(f"LUOSHI_DATABASE_URL={url!r}: 仅支持 sqlite:/// 或 postgresql:// 地址")
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as exc:
        raise ConfigError(f"LUOSHI_DATABASE_URL={url!r}: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock at BEGIN, so concurrent workers queue instead
        # of failing with "database is locked" when a read turns into a write (the audit chain does).
        # Connections are kept (per thread) like PostgreSQL's: opening one costs the PRAGMAs below.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    return config


def secure_data_dir(data_dir: Path, files: Iterable[Path] = ()) -> None:
    """Keep what luoshi writes readable by its own user only: the database holds password hashes and
    session keys, the data directory evidence files. New files get the umask (0600 files, 0700
    directories); the data directory and FILES left more open by an earlier start are tightened."""
    os.umask(0o077)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path, mode in [(data_dir, 0o700), *((f, 0o600) for f in files)]:
        try:
            if path.exists() and path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
                path.chmod(mode)
        except OSError:  # another user's file, or a read-only mount: leave it as the admin set it
            pass
