"""Indicators clicked through: the organizer accepts the indicators found in the sample document's
commitments; a member records two visits on a phone-width page; the grid and the member's standing
change."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from luoshi.indicators.models import Indicator
from luoshi.ledger import services
from luoshi.ledger.models import Round
from luoshi.orgs.models import Member
from luoshi.text import parse_text

from .test_work import login

SAMPLE = Path("/work/shared/samples/county-team-2023.txt")
OWNER, ORGANIZER = "lijianhua", "bangongshi"


def sample_round() -> Round:
    """A new round of the demo team with the sample document imported (the demo's own when absent)."""
    text = (
        SAMPLE.read_text(encoding="utf-8")
        if SAMPLE.exists()
        else resources.files("luoshi.demo").joinpath("team-2025.txt").read_text(encoding="utf-8")
    )
    organizer = get_user_model().objects.get(username=ORGANIZER)
    team = Member.objects.get(user__username=OWNER).team
    round_ = services.create_round(team=team, title="专题民主生活会（样本）", year=2026, actor=organizer)
    services.import_parsed(round_, parse_text(text), actor=organizer, name="sample.txt")
    return round_


def test_accept_indicators_then_a_member_records_visits_on_a_phone(
    page: Page, live_server: Any, demo: str, tmp_path: Path
) -> None:
    round_ = sample_round()
    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/rounds/{round_.pk}/")
    page.get_by_role("link", name="量化指标").click()
    expect(page.get_by_role("heading", name=re.compile("从量化承诺设置指标"))).to_be_visible()
    page.get_by_role("button", name="设为指标").click()
    expect(page.get_by_text(re.compile(r"已设置 \d+ 项量化指标"))).to_be_visible()
    visits = Indicator.objects.get(round=round_, kind="visit", period="month", scope="each")
    member = Member.objects.get(user__username=OWNER)
    page.goto(f"{live_server.url}/indicators/{visits.pk}/")
    cell = page.locator(f"tr[data-member='{member.pk}'] td").last
    expect(cell).to_contain_text("进行中")
    before = cell.inner_text()

    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, OWNER, demo)
    page.goto(f"{live_server.url}/my/activities/")
    standing = page.locator(f"#standing [data-indicator='{visits.pk}']")
    expect(standing).to_contain_text("本月已走访 0/1 次")
    for place, households in (("样本乡甲村", "12"), ("样本乡乙村", "3")):
        page.get_by_role("link", name="填报履职记录").click()
        form = page.locator("#activity-form")
        form.get_by_label("类别").select_option("visit")
        form.get_by_label("入户数").fill(households)
        form.get_by_label("地点").fill(place)
        form.get_by_label("简要说明").fill("走访了解春耕和饮水情况")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the quick entry scrolls sideways on a phone ({width}px)"
        page.screenshot(path=str(tmp_path / "quick-entry-390.png"), full_page=True)
        form.get_by_role("button", name="保存").click()
        expect(page.get_by_text(re.compile("已记录："))).to_be_visible()
    expect(standing).to_contain_text("本月已走访 2/1 次")
    expect(page.get_by_text("样本乡甲村")).to_be_visible()

    login(page, live_server, ORGANIZER, demo)
    page.goto(f"{live_server.url}/indicators/{visits.pk}/")
    expect(cell).to_contain_text("2 · 进行中")
    assert cell.inner_text() != before
