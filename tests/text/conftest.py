"""The text engine is pure Python: its tests need no Django settings or database.

The project-wide conftest has an autouse fixture that needs pytest-django's `settings`; this
no-op override of it lets `pytest tests/text -p no:django` run the pure tests on their own.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp() -> None:
    """No media files are written by the pure text engine."""
