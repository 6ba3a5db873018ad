"""The .xlsx import of activity records: a report line per row, all or nothing, no doubles, and
hostile workbooks refused before openpyxl reads them."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from luoshi.audit.models import Event, EventType
from luoshi.errors import Invalid, NotAllowed
from luoshi.indicators.imports import import_activities
from luoshi.indicators.models import Activity

TODAY = timezone.localdate()


def workbook(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["履职记录"])  # a title row above the header is skipped
    sheet.append(["日期", "姓名", "类别", "次数", "入户数", "地点", "说明"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_good_rows_are_imported_with_a_report(
    team: Any, organizer: Any, owner: Any, other_member: Any
) -> None:
    yesterday = TODAY - datetime.timedelta(days=1)
    data = workbook(
        [
            [yesterday, "李建华", "走访调研", 1, 12, "河东村", "了解灌溉"],
            [TODAY.isoformat(), "王志刚", "学习", None, None, None, None],
            [TODAY.strftime("%Y/%m/%d"), "", "专题研讨", 1, None, "县委", None],
        ]
    )
    report = import_activities(team, data, actor=organizer, name="记录.xlsx")
    assert report.saved == 3 and report.failed == 0
    assert [r.row for r in report.rows] == [3, 4, 5]
    rows = list(Activity.objects.order_by("id").values_list("member__name", "kind", "households", "place"))
    assert rows == [
        ("李建华", "visit", 12, "河东村"),
        ("王志刚", "study", 0, ""),
        (None, "seminar", 0, "县委"),
    ]
    assert Event.objects.filter(event_type=EventType.ACTIVITIES_IMPORTED).count() == 1
    with pytest.raises(Invalid, match="已导入过"):
        import_activities(team, data, actor=organizer, name="记录.xlsx")


def test_any_bad_row_saves_nothing_and_names_each_problem(team: Any, organizer: Any, owner: Any) -> None:
    data = workbook(
        [
            [TODAY, "李建华", "走访调研", 1, None, None, None],
            [TODAY, "张三", "走访调研", 1, None, None, None],
            ["昨天", "李建华", "走访调研", 1, None, None, None],
            [TODAY, "李建华", "拍照", 1, None, None, None],
            [TODAY + datetime.timedelta(days=3), "李建华", "学习", 1.5, None, None, None],
        ]
    )
    report = import_activities(team, data, actor=organizer, name="x.xlsx")
    assert report.saved == 0 and not Activity.objects.exists()
    messages = [(r.row, r.ok, r.message) for r in report.rows]
    assert messages[0] == (3, True, "可导入")
    assert "不是本班子的成员" in messages[1][2]
    assert "日期“昨天”无法识别" in messages[2][2]
    assert "类别“拍照”无法识别" in messages[3][2]
    assert "次数“1.5”应为整数" in messages[4][2]


def test_only_office_staff_import(team: Any, owner: Any) -> None:
    with pytest.raises(NotAllowed):
        import_activities(team, workbook([]), actor=owner, name="x.xlsx")


def test_not_a_workbook_and_a_zip_bomb_are_refused(team: Any, organizer: Any) -> None:
    with pytest.raises(Invalid, match="不是有效的 Excel 文件"):
        import_activities(team, b"not a zip", actor=organizer, name="a.xlsx")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook>" + " " * (40 * 1024 * 1024) + "</workbook>")
    with pytest.raises(Invalid, match=r"^b\.xlsx：.*32 MB"):
        import_activities(team, bomb.getvalue(), actor=organizer, name="b.xlsx")


def test_import_page_shows_the_row_report(client: Client, round_: Any, organizer: Any, owner: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(organizer)
    upload = SimpleUploadedFile("r.xlsx", workbook([[TODAY, "李建华", "走访", 1, 3, None, None]]))
    response = client.post(reverse("activity_import", args=[round_.pk]), {"file": upload})
    assert response.status_code == 200
    assert "已导入 1 条" in response.content.decode()
    client.force_login(owner)
    assert client.get(reverse("activity_import", args=[round_.pk])).status_code == 404
