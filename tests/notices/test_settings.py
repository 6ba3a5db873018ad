"""Reminder settings fail loudly on bad values, naming the variable."""

from __future__ import annotations

import pytest

from luoshi.web.config import ConfigError, Env


def test_offsets_are_integers() -> None:
    assert Env({"X": "7, 3,1"}).integers("X", [1]) == [7, 3, 1]
    assert Env({}).integers("X", [7, 3, 1]) == [7, 3, 1]
    with pytest.raises(ConfigError, match="X="):
        Env({"X": "7,three"}).integers("X", [1])
    with pytest.raises(ConfigError, match="不能小于"):
        Env({"X": "-1"}).integers("X", [1])


@pytest.mark.parametrize("value", ["8", "24:00", "08:60", "8:00-"])
def test_clock_rejects_bad_times(value: str) -> None:
    with pytest.raises(ConfigError, match="HH:MM"):
        Env({"T": value}).clock("T", "08:00")


def test_quiet_hours_need_a_window() -> None:
    assert Env({"Q": "21:30-06:00"}).clock("Q", "22:00-07:30") == "21:30-06:00"
    with pytest.raises(ConfigError, match="HH:MM-HH:MM"):
        Env({"Q": "21:30"}).clock("Q", "22:00-07:30")
