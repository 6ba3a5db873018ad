"""The text engine is pure Python: its tests need no Django settings or database.

The project-wide conftest has autouse fixtures that take pytest-django's `settings`; a plain
stand-in here lets `pytest tests/text -p no:django` run the pure tests on their own (and keeps
them from touching Django settings when pytest-django is active).
"""

from __future__ import annotations

from typing import Any

import pytest


class _NoSettings:
    """Accepts any setting assignment; reading an unset one gives an empty dict."""

    def __getattr__(self, name: str) -> Any:
        return {}


@pytest.fixture
def settings() -> _NoSettings:
    """A stand-in for pytest-django's settings fixture: the pure tests read no settings."""
    return _NoSettings()


@pytest.fixture(autouse=True)
def _test_settings() -> None:
    """Overrides the project's autouse fixture of that name: the pure engine needs no Django test
    settings (nor its cache), so `pytest tests/text -p no:django` runs without Django configured."""
