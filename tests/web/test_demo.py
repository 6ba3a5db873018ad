"""`luoshi demo` loads a round a new user can click through, and prints the password once."""

from __future__ import annotations

from typing import Any

import pytest

from luoshi.audit.chain import verify
from luoshi.cli import main
from luoshi.ledger.models import Measure, Problem, Round


@pytest.mark.django_db
def test_demo_loads_once_and_prints_the_password_once(
    capsys: pytest.CaptureFixture[str], django_user_model: Any
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "bangongshi" in out and "密码" in out
    password = out.split("密码")[-1].split()[0]
    assert django_user_model.objects.get(username="bangongshi").check_password(password)

    round_ = Round.objects.order_by("id").first()  # last year's round (this year's: tests/meetings)
    assert Problem.objects.filter(round=round_).count() >= 10
    measures = Measure.objects.filter(round=round_)
    assert measures.count() >= 10
    assert not measures.filter(owner=None).exists()
    assert set(measures.values_list("status", flat=True)) >= {
        "planned",
        "in_progress",
        "submitted",
        "closed",
        "returned",
    }
    assert verify().ok

    assert main(["demo"]) == 0
    again = capsys.readouterr().out
    assert password not in again
    assert "已存在" in again
    assert Round.objects.count() == 2

    assert main(["demo", "--reset-password"]) == 0
    new_password = capsys.readouterr().out.split("密码")[-1].split()[0]
    assert new_password != password
    assert django_user_model.objects.get(username="duchashi").check_password(new_password)
