"""Import services: documents → drafts → corrections → confirmed ledger; the ledger .xlsx in and out."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import pytest

from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, Invalid, NotAllowed
from luoshi.ledger import imports
from luoshi.ledger.models import (
    Cause,
    Commitment,
    Evidence,
    ImportDraft,
    Measure,
    Problem,
    ProgressUpdate,
    Round,
)
from luoshi.ledger.services import create_round
from luoshi.text import DocumentError, parse_text
from luoshi.text.ledger_xlsx import LedgerRow, read_ledger, write_ledger

SAMPLE = """县委常委班子2025年度民主生活会对照检查材料

一、存在的主要问题
（一）理论学习方面
一是集体学习质量不高。中心组学习以领学文件为主，研讨交流准备不充分。
二是学用转化不够。遇到具体问题时还习惯凭老经验办事。
（二）工作作风方面
一是会议文件偏多。全年会议达到120余次，有的会议内容重复。

二、问题产生的原因
（一）理论武装不够自觉。把理论学习当作“软任务”。

三、下一步整改措施
（一）强化理论武装
1.完善中心组学习制度，每月至少开展1次集体学习研讨。
2.坚持学用结合，形成可操作的工作办法。
（二）持续改进作风
1.严控会议数量，全年会议比上年减少30%以上。
"""

PLAN = """县委巡察反馈意见整改方案

二、整改任务
（一）工作作风方面
1.问题：会议文件偏多，基层负担重。
整改措施：
（1）严控会议数量，每季度通报一次。
（2）精简文件，年底前完成清理。
责任领导：李建华
责任单位：县委办
完成时限：2025年6月底前
2.问题：督查考核重痕迹。
整改措施：改进督查方式，以实地查看代替查阅台账。
责任领导：张无名
责任单位：县委督查室
完成时限：长期坚持
"""


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def events(event_type: str) -> list[Event]:
    return list(Event.objects.filter(event_type=event_type))


# --- checking uploads ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "照片.jpg",
            b"\xff\xd8\xff\xe0binary",
            "只支持 .docx、.doc、.wps、.pdf、.txt、.md 文件和 .xlsx 台账",
        ),
        ("旧台账.xls", b"\xd0\xcf\x11\xe0", "另存为 .xlsx"),
        ("假文档.docx", b"plain text, not a zip", "已损坏或只是改了扩展名"),
        ("空.txt", b"", "文件是空的"),
    ],
)
def test_check_document_refuses_what_is_no_document(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(DocumentError) as caught:
        imports.check_document(name, data)
    assert name in str(caught.value)
    assert reason in str(caught.value)


def test_check_document_refuses_a_zip_without_word_body() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(DocumentError, match="缺少正文"):
        imports.check_document("压缩包.docx", buffer.getvalue())


def test_check_document_enforces_the_size_limit(settings: Any) -> None:
    settings.LUOSHI_MAX_UPLOAD_MB = 1
    with pytest.raises(DocumentError, match="超过 1 MB"):
        imports.check_document("大.txt", b"a" * (1024 * 1024 + 1))


# --- drafts --------------------------------------------------------------------------------------


def test_txt_upload_becomes_a_draft_with_its_audit_event(round_: Round, organizer: Any) -> None:
    draft = imports.draft_from_upload(
        round_, actor=organizer, filename="材料.txt", data=SAMPLE.encode("gb18030"), source="supervision"
    )
    assert draft.name == "材料.txt"
    assert draft.source == "supervision"
    assert [p["summary"] for p in draft.data["problems"]] == [
        "集体学习质量不高",
        "学用转化不够",
        "会议文件偏多",
    ]
    assert len(draft.data["measures"]) == 3
    assert draft.confirmed_at is None
    assert not Problem.objects.exists()  # nothing reaches the ledger before confirmation
    (event,) = events(EventType.DRAFT_CREATED)
    assert event.new["problems"] == 3 and event.actor == organizer


def test_docx_upload_becomes_a_draft(round_: Round, organizer: Any) -> None:
    data = docx_bytes(SAMPLE.splitlines())
    draft = imports.draft_from_upload(round_, actor=organizer, filename="材料.docx", data=data)
    assert len(draft.data["problems"]) == 3
    assert draft.data["causes"][0]["summary"] == "理论武装不够自觉"


def test_document_without_sections_says_so(round_: Round, organizer: Any) -> None:
    with pytest.raises(DocumentError, match="没有找到"):
        imports.draft_from_upload(
            round_, actor=organizer, filename="通知.txt", data="请各单位于周五前报送材料。".encode()
        )
    assert not ImportDraft.objects.exists()


def test_bad_file_does_not_stop_the_others(round_: Round, organizer: Any) -> None:
    outcome = imports.import_uploads(
        round_,
        actor=organizer,
        files=[("图片.png", b"\x89PNG\r\n\x1a\n\x00\x00"), ("材料.txt", SAMPLE.encode())],
        text=PLAN,
        source="inspection",
    )
    assert [d.name for d in outcome.drafts] == ["材料.txt", "粘贴的文本"]
    assert len(outcome.errors) == 1 and outcome.errors[0].startswith("图片.png：")
    assert not outcome.text_failed


def test_pasted_text_without_sections_is_reported(round_: Round, organizer: Any) -> None:
    outcome = imports.import_uploads(round_, actor=organizer, text="随便写的一句话")
    assert outcome.drafts == [] and outcome.text_failed
    assert "粘贴的文本" in outcome.errors[0]


@pytest.mark.parametrize("who", ["viewer", "reviewer", "owner", "outsider", "town_organizer"])
def test_only_organizers_of_the_round_import(round_: Round, who: str, request: Any) -> None:
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        imports.draft_from_text(round_, actor=user, text=SAMPLE)
    assert not ImportDraft.objects.exists()


def test_draft_json_round_trips_through_from_dict() -> None:
    document = parse_text(PLAN)
    assert imports.parsed_from_dict(document.to_dict()) == document


def test_from_dict_refuses_malformed_drafts() -> None:
    with pytest.raises(Invalid):
        imports.parsed_from_dict({"problems": [{"aspect": "x"}]})
    with pytest.raises(Invalid):
        imports.parsed_from_dict({"problems": [], "measures": [{"summary": "a", "text": "a", "problem": 3}]})


# --- corrections ---------------------------------------------------------------------------------


@pytest.fixture
def data() -> dict[str, Any]:
    return parse_text(PLAN).to_dict()


def test_label_sets_aspect_and_group(data: dict[str, Any]) -> None:
    changed = imports.apply_edit(data, "label", {"kind": "problems", "index": 1, "value": "担当作为"})
    assert changed["problems"][1]["aspect"] == "担当作为"
    assert data["problems"][1]["aspect"] == "工作作风"  # pure: the input is untouched
    changed = imports.apply_edit(data, "label", {"kind": "measures", "index": 0, "value": "精文减会"})
    assert changed["measures"][0]["group"] == "精文减会"


def test_text_edit_recomputes_summary_commitments_and_deadline(data: dict[str, Any]) -> None:
    changed = imports.apply_edit(
        data,
        "text",
        {
            "kind": "measures",
            "index": 2,
            "text": "改进督查方式。每月至少实地查看2次。",
            "owner": "王志刚",
            "department": "",
            "deadline_text": "2025年9月底前",
        },
        year=2025,
    )
    measure = changed["measures"][2]
    assert measure["summary"] == "改进督查方式"
    assert [c["value"] for c in measure["commitments"]] == [2]
    assert measure["owner"] == "王志刚" and measure["department"] is None
    assert measure["deadline"] == "2025-09-30"
    with pytest.raises(Invalid, match="无法识别完成时限"):
        imports.apply_edit(
            data, "text", {"kind": "measures", "index": 0, "text": "x", "deadline_text": "尽快"}
        )
    with pytest.raises(Invalid, match="不能为空"):
        imports.apply_edit(data, "text", {"kind": "problems", "index": 0, "text": "  "})


def test_merge_problem_into_previous_moves_its_measures(data: dict[str, Any]) -> None:
    changed = imports.apply_edit(data, "merge", {"kind": "problems", "index": 1})
    assert len(changed["problems"]) == 1
    assert changed["problems"][0]["text"].endswith("督查考核重痕迹。")
    assert [m["problem"] for m in changed["measures"]] == [0, 0, 0]
    with pytest.raises(Invalid, match="前面没有"):
        imports.apply_edit(data, "merge", {"kind": "problems", "index": 0})


def test_split_at_a_sentence_and_renumber(data: dict[str, Any]) -> None:
    assert imports.sentences(data["problems"][0]["text"]) == ["会议文件偏多，基层负担重。"]
    data["problems"][0]["text"] = "会议文件偏多。基层负担重。"
    changed = imports.apply_edit(data, "split", {"kind": "problems", "index": 0, "at": 1})
    assert [p["summary"] for p in changed["problems"]] == ["会议文件偏多", "基层负担重", "督查考核重痕迹"]
    assert [m["problem"] for m in changed["measures"]] == [0, 0, 2]
    with pytest.raises(Invalid, match="拆分的位置"):
        imports.apply_edit(data, "split", {"kind": "problems", "index": 0, "at": 5})


def test_drop_problem_unlinks_its_measures(data: dict[str, Any]) -> None:
    changed = imports.apply_edit(data, "drop", {"kind": "problems", "index": 0})
    assert [m["problem"] for m in changed["measures"]] == [None, None, 0]
    changed = imports.apply_edit(changed, "drop", {"kind": "measures", "index": 0})
    assert len(changed["measures"]) == 2


def test_move_measure_under_another_problem(data: dict[str, Any]) -> None:
    changed = imports.apply_edit(data, "move", {"kind": "measures", "index": 0, "problem": "1"})
    assert changed["measures"][0]["problem"] == 1
    changed = imports.apply_edit(changed, "move", {"kind": "measures", "index": 0, "problem": ""})
    assert changed["measures"][0]["problem"] is None
    with pytest.raises(Invalid):
        imports.apply_edit(data, "move", {"kind": "measures", "index": 0, "problem": "9"})
    with pytest.raises(Invalid, match="刷新"):
        imports.apply_edit(data, "drop", {"kind": "measures", "index": 7})


def test_edit_draft_saves_and_records(round_: Round, organizer: Any, viewer: Any) -> None:
    draft = imports.draft_from_text(round_, actor=organizer, text=PLAN)
    imports.edit_draft(draft, "label", {"kind": "problems", "index": 0, "value": "担当作为"}, actor=organizer)
    draft.refresh_from_db()
    assert draft.data["problems"][0]["aspect"] == "担当作为"
    (event,) = events(EventType.DRAFT_CHANGED)
    assert event.new == {"op": "label", "kind": "problems", "index": 0, "value": "担当作为"}
    with pytest.raises(NotAllowed):
        imports.edit_draft(draft, "drop", {"kind": "problems", "index": 0}, actor=viewer)
    imports.set_draft_source(draft, "criticism", actor=organizer)
    draft.refresh_from_db()
    assert draft.source == "criticism"


# --- confirmation --------------------------------------------------------------------------------


def test_confirm_creates_the_ledger_once(round_: Round, organizer: Any, make_measure: Any) -> None:
    make_measure()  # the round already has problem 1 and measure 1
    draft = imports.draft_from_text(round_, actor=organizer, text=PLAN, source="inspection")
    imports.edit_draft(draft, "label", {"kind": "problems", "index": 1, "value": "担当作为"}, actor=organizer)
    result = imports.confirm_draft(draft, actor=organizer)
    assert [p.number for p in result.problems] == [2, 3]
    assert [m.number for m in result.measures] == [2, 3, 4]
    assert result.problems[1].aspect is not None and result.problems[1].aspect.name == "担当作为"
    assert all(p.source == "inspection" for p in result.problems)
    first = result.measures[0]
    assert first.owner is not None and first.owner.name == "李建华"
    assert first.baseline_deadline == datetime.date(2025, 6, 30)
    assert result.measures[2].owner is None  # 张无名 is not on the team: not invented
    draft.refresh_from_db()
    assert draft.confirmed_at is not None
    assert len(events(EventType.DRAFT_CONFIRMED)) == 1 and len(events(EventType.ROUND_IMPORTED)) == 1
    with pytest.raises(Conflict, match="不能重复导入"):
        imports.confirm_draft(draft, actor=organizer)
    with pytest.raises(Conflict):
        imports.edit_draft(draft, "drop", {"kind": "problems", "index": 0}, actor=organizer)
    assert Problem.objects.filter(round=round_).count() == 3


def test_a_failure_mid_import_leaves_nothing_behind(
    round_: Round, organizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = imports.draft_from_text(round_, actor=organizer, text=SAMPLE)
    events_before = Event.objects.count()
    calls = {"n": 0}

    def failing_bulk_create(*args: Any, **kwargs: Any) -> list[Commitment]:
        # The last write: problems, causes and measures are already in when it fails.
        calls["n"] += 1
        assert Measure.objects.exists()
        raise RuntimeError("disk full")

    monkeypatch.setattr(Commitment.objects, "bulk_create", failing_bulk_create)
    with pytest.raises(RuntimeError):
        imports.confirm_draft(draft, actor=organizer)
    assert calls["n"] == 1
    assert not Problem.objects.exists() and not Cause.objects.exists() and not Measure.objects.exists()
    assert not Commitment.objects.exists()
    assert Event.objects.count() == events_before
    draft.refresh_from_db()
    assert draft.confirmed_at is None
    monkeypatch.undo()
    result = imports.confirm_draft(draft, actor=organizer)  # and it can be confirmed afterwards
    assert len(result.measures) == 3


def test_confirm_refuses_an_emptied_draft_and_outsiders(round_: Round, organizer: Any, outsider: Any) -> None:
    draft = imports.draft_from_text(round_, actor=organizer, text=PLAN)
    with pytest.raises(NotAllowed):
        imports.confirm_draft(draft, actor=outsider)
    for kind, count in (("measures", 3), ("problems", 2)):
        for _ in range(count):
            imports.edit_draft(draft, "drop", {"kind": kind, "index": 0}, actor=organizer)
    with pytest.raises(Invalid):
        imports.confirm_draft(draft, actor=organizer)


# --- the ledger spreadsheet ----------------------------------------------------------------------


def xlsx(rows: list[LedgerRow]) -> bytes:
    buffer = io.BytesIO()
    write_ledger(rows, buffer)
    return buffer.getvalue()


def import_ledger(round_: Round, *, actor: Any, filename: str, data: bytes, source: str = "self") -> Any:
    """Upload a ledger into a draft and confirm it, as the organizer does through the preview."""
    draft = imports.draft_from_ledger(round_, actor=actor, filename=filename, data=data, source=source)
    return imports.confirm_draft(draft, actor=actor)


def test_a_ledger_becomes_a_draft_before_anything_enters_the_ledger(
    round_: Round, organizer: Any, owner: Any
) -> None:
    data = xlsx(
        [
            LedgerRow(
                "1", "理论学习", "学习不深入。", "每月集体学习1次。", "李建华", "县委办", "2025年6月底前"
            ),
            LedgerRow("2", "理论学习", "学习不深入。", "撰写心得体会。", "赵某某", "", "尽快"),
            LedgerRow(
                "3",
                "工作作风",
                "",
                "1.精简会议。\n2.精简文件。",
                progress="2025-03-01 已召开部署会\n材料已印发",
                evidence="2025-03-02 会议纪要",
                status="整改中",
            ),
        ]
    )
    draft = imports.draft_from_ledger(
        round_, actor=organizer, filename="台账.xlsx", data=data, source="supervision"
    )
    assert not Measure.objects.exists() and not Problem.objects.exists()
    assert [m["problem"] for m in draft.data["measures"]] == [0, 0, None, None]
    assert draft.data["notes"] and "状态" in draft.data["notes"][0]
    assert draft.data["measures"][2]["progress"] == [["2025-03-01", "已召开部署会"], [None, "材料已印发"]]
    assert events(EventType.DRAFT_CREATED) and not events(EventType.LEDGER_IMPORTED)

    result = imports.confirm_draft(draft, actor=organizer)
    assert len(result.problems) == 1 and len(result.measures) == 4
    problem = Problem.objects.get(round=round_)
    assert (
        problem.aspect is not None and problem.aspect.name == "理论学习" and problem.source == "supervision"
    )
    first, second, third, fourth = Measure.objects.filter(round=round_).order_by("number")
    assert first.owner == owner.memberships.get() and first.baseline_deadline == datetime.date(2025, 6, 30)
    assert first.commitments.count() == 1
    assert second.owner is None and second.owner_label == "赵某某" and second.deadline_text == "尽快"
    assert second.problem == problem
    assert third.problem is None and third.group == "工作作风" and third.status == "planned"
    updates = list(ProgressUpdate.objects.filter(measure=third).values_list("date", "text"))
    assert updates[0] == (datetime.date(2025, 3, 1), "已召开部署会") and updates[1][1] == "材料已印发"
    assert Evidence.objects.get(measure=third).statement == "会议纪要"
    assert Evidence.objects.get(measure=fourth).statement == "会议纪要"
    (event,) = events(EventType.LEDGER_IMPORTED)
    assert event.new["measures"] == 4 and event.new["file"] == "台账.xlsx"


def test_several_owners_in_one_cell_are_owner_and_co_owners(
    round_: Round, organizer: Any, owner: Any, team: Any
) -> None:
    from luoshi.orgs.models import Member

    second = Member.objects.create(team=team, name="王志刚", position="副县长")
    data = xlsx(
        [LedgerRow("1", "", "会议多。", "精简会议。", "李建华、王志刚、刘外人", "县委办", "2025年9月底")]
    )
    import_ledger(round_, actor=organizer, filename="台账.xlsx", data=data)
    measure = Measure.objects.get(round=round_)
    assert measure.owner == owner.memberships.get()
    assert list(measure.co_owners.all()) == [second]
    assert measure.owner_label == "刘外人"


def test_import_ledger_refuses_non_ledgers(round_: Round, organizer: Any) -> None:
    with pytest.raises(DocumentError, match=r"只支持 \.xlsx"):
        imports.draft_from_ledger(round_, actor=organizer, filename="台账.csv", data=b"a,b")
    with pytest.raises(DocumentError, match=r"台账\.xlsx"):
        imports.draft_from_ledger(round_, actor=organizer, filename="台账.xlsx", data=b"not a zip")
    buffer = io.BytesIO()
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["姓名", "电话"])  # type: ignore[union-attr]
    workbook.save(buffer)
    with pytest.raises(DocumentError, match="表头"):
        imports.draft_from_ledger(round_, actor=organizer, filename="通讯录.xlsx", data=buffer.getvalue())
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        imports.draft_from_ledger(round_, actor=AnonymousUser(), filename="x.xlsx", data=b"")
    assert not Problem.objects.exists() and not ImportDraft.objects.exists()


def test_export_import_export_gives_the_same_rows(
    round_: Round, organizer: Any, owner: Any, team: Any
) -> None:
    draft = imports.draft_from_text(round_, actor=organizer, text=PLAN)
    imports.confirm_draft(draft, actor=organizer)
    imports.draft_from_text(round_, actor=organizer, text=SAMPLE)
    imports.confirm_draft(ImportDraft.objects.get(name="粘贴的文本", confirmed_at=None), actor=organizer)
    measure = Measure.objects.filter(round=round_).order_by("number").first()
    assert measure is not None
    ProgressUpdate.objects.create(
        measure=measure, date=datetime.date(2025, 4, 1), text="已部署", author=organizer
    )
    Evidence.objects.create(
        measure=measure, evidence_date=datetime.date(2025, 4, 2), statement="会议纪要", uploaded_by=organizer
    )

    first = imports.export_ledger(round_)
    fresh = create_round(team=team, title="复制的轮次", year=2025, actor=organizer)
    import_ledger(fresh, actor=organizer, filename="导出.xlsx", data=first)
    # 张无名 is no team member: kept as written through export and import.
    assert Measure.objects.get(round=fresh, owner_label="张无名").owner is None
    second = imports.export_ledger(fresh)

    rows_first, errors_first = read_ledger(io.BytesIO(first))
    rows_second, errors_second = read_ledger(io.BytesIO(second))
    assert errors_first == errors_second == []
    assert rows_first == rows_second
    assert len(rows_first) == 9  # a row per measure (3 + 3), and per problem without measures (3)
    assert rows_first[0].progress == "2025-04-01 已部署" and rows_first[0].evidence == "2025-04-02 会议纪要"
    assert rows_first[0].owner == "李建华" and rows_first[0].status == "未开始"


def test_export_queries_do_not_grow_with_rows(
    round_: Round, organizer: Any, django_assert_max_num_queries: Any
) -> None:
    imports.confirm_draft(imports.draft_from_text(round_, actor=organizer, text=PLAN), actor=organizer)
    with django_assert_max_num_queries(6):
        small = imports.ledger_rows(round_)
    for _ in range(3):
        imports.confirm_draft(
            imports.draft_from_text(round_, actor=organizer, text=SAMPLE), actor=organizer, repeat=True
        )
    with django_assert_max_num_queries(6):
        large = imports.ledger_rows(round_)
    assert len(large) > len(small)


def test_an_owner_who_is_no_team_member_is_kept_as_written(round_: Round, organizer: Any, owner: Any) -> None:
    imports.confirm_draft(imports.draft_from_text(round_, actor=organizer, text=PLAN), actor=organizer)
    unmatched = Measure.objects.get(round=round_, owner_label="张无名")
    assert unmatched.owner is None and unmatched.owner_display == "张无名（未关联）"
    matched = Measure.objects.filter(round=round_, owner__name="李建华")
    assert matched.exists() and not matched.exclude(owner_label="").exists()


def test_the_same_ledger_file_goes_in_twice_only_on_an_explicit_choice(
    round_: Round, organizer: Any, owner: Any, team: Any
) -> None:
    from luoshi.errors import Conflict

    imports.confirm_draft(imports.draft_from_text(round_, actor=organizer, text=PLAN), actor=organizer)
    data = imports.export_ledger(round_)
    fresh = create_round(team=team, title="复制的轮次", year=2025, actor=organizer)
    pending = imports.draft_from_ledger(fresh, actor=organizer, filename="台账.xlsx", data=data)
    first = import_ledger(fresh, actor=organizer, filename="台账.xlsx", data=data)
    count = Measure.objects.filter(round=fresh).count()
    assert len(first.measures) == count > 0
    again = imports.draft_from_ledger(fresh, actor=organizer, filename="台账（副本）.xlsx", data=data)
    repeat = imports.find_repeat(again)
    assert repeat is not None and repeat.same_text and repeat.earlier is not None
    with pytest.raises(Conflict, match=r"已在 .* 导入过本轮次.*仍然导入"):
        imports.confirm_draft(pending, actor=organizer)  # a second draft of the same file
    assert Measure.objects.filter(round=fresh).count() == count
    imports.confirm_draft(again, actor=organizer, repeat=True)
    assert Measure.objects.filter(round=fresh).count() == 2 * count
    other = create_round(team=team, title="另一轮次", year=2025, actor=organizer)
    assert len(import_ledger(other, actor=organizer, filename="台账.xlsx", data=data).measures) == count
