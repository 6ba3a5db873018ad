"""Hand-made .xlsx ledgers, PDFs with a text layer and legacy .doc / .wps files go through the same
engine as .docx and text; what cannot be read gets a Chinese message saying what to do."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfWriter

from luoshi.text import DocumentError, parse_bytes, parse_file
from luoshi.text.ledger_xlsx import MAX_ROWS, read_sheets
from luoshi.text.pdf import SCANNED
from tests.text.formats import convert, needs_soffice, workbook_bytes

HAND_MADE = [
    (
        "巡察整改台账",
        [
            ["县农业农村局党组关于巡察反馈问题的整改台账"],
            ["填报单位：县农业农村局", None, None, None, None, "填报日期：2026年3月5日"],
            ["序号", "巡察反馈问题", "整改措施", "责任领导", "责任部门", "完成时限", "整改进展"],
            [
                1,
                "理论学习不够深入，学用结合不紧。",
                "制定年度学习计划，每月至少集中学习1次。",
                "李建华、王志刚",
                "办公室",
                "2026年6月底前",
                "已制定",
            ],
            [None, None, "开展专题研讨。", "李建华", "办公室", "长期坚持", None],
            [
                2,
                "项目资金拨付滞后。",
                "（1）建立资金拨付台账；\n（2）每季度通报拨付进度。",
                "张伟/赵敏",
                "计划财务股",
                "9月底",
                None,
            ],
        ],
        ["A1:G1", "A4:A5", "B4:B5"],
    ),
    ("填表说明", [["本表由各股室填写，12月底前报送。"]], []),
    (
        "审计整改",
        [
            ["序号", "问题类别", "问题表现", "整改任务", "责任人", "责任单位", "整改时限"],
            [
                1,
                "财经纪律",
                "政府采购程序不规范。",
                "1.修订采购内控制度。2.开展采购业务培训。",
                "赵敏",
                "计划财务股",
                "2026年12月31日",
            ],
        ],
        [],
    ),
]


def test_hand_made_ledger_reads_like_a_plan() -> None:
    doc = parse_bytes(workbook_bytes(HAND_MADE), "台账.xlsx")
    assert doc.title == "县农业农村局党组关于巡察反馈问题的整改台账"
    assert [p.summary for p in doc.problems] == [
        "理论学习不够深入，学用结合不紧",
        "项目资金拨付滞后",
        "政府采购程序不规范",
    ]
    assert doc.problems[2].aspect == "财经纪律"
    # The merged 问题 cell is one problem with both measure rows; each measure keeps its row's fields.
    assert [(m.summary, m.problem) for m in doc.measures] == [
        ("制定年度学习计划，每月至少集中学习1次", 0),
        ("开展专题研讨", 0),
        ("建立资金拨付台账", 1),
        ("每季度通报拨付进度", 1),
        ("修订采购内控制度", 2),
        ("开展采购业务培训", 2),
    ]
    first, second, third, _fourth, fifth, _sixth = doc.measures
    assert (first.owner, first.department, first.deadline_text) == (
        "李建华、王志刚",
        "办公室",
        "2026年6月底前",
    )
    assert first.deadline is not None and first.deadline.isoformat() == "2026-06-30"
    assert first.commitments and first.commitments[0].period == "month"
    assert (second.deadline, second.deadline_text) == (None, "长期坚持")
    # 9月底 without a year takes the year named above the header (填报日期).
    assert third.deadline is not None and third.deadline.isoformat() == "2026-09-30"
    assert third.owner == "张伟/赵敏"
    assert (fifth.owner, fifth.department, fifth.group) == ("赵敏", "计划财务股", "财经纪律")


def test_ledger_without_title_has_an_empty_title() -> None:
    data = workbook_bytes(
        [("Sheet1", [["问题", "整改措施", "责任人"], ["会议多。", "精简会议。", "李建华"]], [])]
    )
    doc = parse_bytes(data, "x.xlsx")
    assert doc.title == ""
    assert [(m.summary, m.problem, m.owner) for m in doc.measures] == [("精简会议", 0, "李建华")]


def test_merged_owner_and_number_cells_apply_to_every_row() -> None:
    rows = [
        ["序号", "存在问题", "整改措施", "责任领导", "完成时限"],
        [1, "调研不深入。", "每季度开展一次蹲点调研。", "王志刚", "2026年10月底"],
        [None, "", "形成调研报告。", None, "2026年11月底"],
    ]
    doc = parse_bytes(workbook_bytes([("台账", rows, ["A2:A3", "B2:B3", "D2:D3"])]), "x.xlsx")
    assert len(doc.problems) == 1
    assert [(m.problem, m.owner) for m in doc.measures] == [(0, "王志刚"), (0, "王志刚")]
    assert [m.deadline_text for m in doc.measures] == ["2026年10月底", "2026年11月底"]


def test_sheets_keep_their_excel_row_numbers() -> None:
    sheets = read_sheets(workbook_bytes(HAND_MADE), "台账.xlsx")
    assert [s.name for s in sheets] == ["巡察整改台账", "审计整改"]  # the 说明 sheet has no header
    assert sheets[0].row_numbers[:3] == (3, 4, 5)
    assert sheets[0].rows[2][1] == "理论学习不够深入，学用结合不紧。"  # the merged cell repeated
    assert sheets[0].year == 2026


def test_a_sheet_without_a_ledger_header_is_refused() -> None:
    data = workbook_bytes([("通讯录", [["姓名", "电话"], ["李建华", "123"]], [])])
    with pytest.raises(DocumentError, match=r"通讯录\.xlsx：各工作表前 10 行中都找不到台账表头"):
        parse_bytes(data, "通讯录.xlsx")


def test_too_many_rows_are_refused_with_a_message() -> None:
    rows = [["问题", "整改措施"], *([f"问题{i}", f"措施{i}"] for i in range(MAX_ROWS))]
    with pytest.raises(DocumentError, match=f"工作表超过 {MAX_ROWS:,} 行的上限"):
        parse_bytes(workbook_bytes([("大表", rows, [])]), "大表.xlsx")


def test_broken_xlsx_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not a workbook")
    with pytest.raises(DocumentError, match=r"坏\.xlsx：不是有效的 Excel 文件"):
        parse_bytes(buffer.getvalue(), "坏.xlsx")


def test_cli_parses_an_xlsx_with_the_json_contract(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook_bytes(HAND_MADE))
    result = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "parse", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert list(payload) == ["title", "problems", "causes", "measures"]
    assert payload["causes"] == [] and len(payload["measures"]) == 6
    assert payload["measures"][1]["problem"] == 0


# --- PDF -----------------------------------------------------------------------------------------


def blank_pdf(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_scanned_pdf_says_to_save_as_docx() -> None:
    with pytest.raises(DocumentError) as caught:
        parse_bytes(blank_pdf(), "扫描件.pdf")
    assert str(caught.value) == f"扫描件.pdf：{SCANNED}"
    assert "另存为 .docx" in str(caught.value)


def test_an_aes_encrypted_pdf_is_named_as_encrypted(monkeypatch: pytest.MonkeyPatch) -> None:
    # For AES pypdf needs a package luoshi does not ship: decrypt() raises DependencyError. (An
    # RC4-encrypted file stands in for one, its decrypt() made to answer as for AES.)
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt(user_password="u", owner_password="o", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)

    def needs_a_cipher(self: PdfReader, password: str) -> None:
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(PdfReader, "decrypt", needs_a_cipher)
    with pytest.raises(DocumentError, match=r"加密\.pdf：是加密的 PDF"):
        parse_bytes(buffer.getvalue(), "加密.pdf")


def test_broken_pdf_is_refused() -> None:
    with pytest.raises(DocumentError, match="不是有效的 PDF 文件"):
        parse_bytes(b"%PDF-1.7\n garbage without objects", "坏.pdf")


def test_cli_exits_2_for_a_scanned_pdf(tmp_path: Path) -> None:
    path = tmp_path / "扫描件.pdf"
    path.write_bytes(blank_pdf())
    result = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "parse", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert (
        result.stdout == ""
        and "扫描件.pdf：是扫描版 PDF" in result.stderr
        and "另存为 .docx" in result.stderr
    )


CORPUS = Path(__file__).parent / "corpus"


@needs_soffice
@pytest.mark.parametrize("name", ["plan-labelled.txt", "member-numbered-aspects.txt"])
def test_pdf_text_layer_parses_like_the_text(name: str, tmp_path: Path) -> None:
    source = tmp_path / name
    source.write_bytes((CORPUS / name).read_bytes())
    pdf = convert(source, "pdf", tmp_path)
    from_pdf, from_text = parse_file(pdf), parse_file(source)
    assert from_pdf.title == from_text.title
    assert [p.summary for p in from_pdf.problems] == [p.summary for p in from_text.problems]
    assert [(m.summary, m.problem, m.owner, m.deadline) for m in from_pdf.measures] == [
        (m.summary, m.problem, m.owner, m.deadline) for m in from_text.measures
    ]


# --- legacy Word ---------------------------------------------------------------------------------


@needs_soffice
@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_legacy_word_is_converted_and_parsed(suffix: str, tmp_path: Path) -> None:
    source = tmp_path / "plan.txt"
    source.write_bytes((CORPUS / "plan-labelled.txt").read_bytes())
    doc_file = convert(source, "doc", tmp_path)
    assert doc_file.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
    legacy = parse_bytes(doc_file.read_bytes(), f"方案{suffix}")
    expected = parse_file(source)
    assert [p.summary for p in legacy.problems] == [p.summary for p in expected.problems]
    assert [(m.summary, m.problem, m.owner) for m in legacy.measures] == [
        (m.summary, m.problem, m.owner) for m in expected.measures
    ]


def test_legacy_word_without_libreoffice_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUOSHI_SOFFICE", str(tmp_path / "no-such-soffice"))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(DocumentError) as caught:
        parse_bytes(ole, "方案.doc")
    assert str(caught.value).startswith("方案.doc：是旧版 Word/WPS 文件")
    assert "没有安装 LibreOffice" in str(caught.value) and "另存为” .docx" in str(caught.value)
    path = tmp_path / "方案.wps"
    path.write_bytes(ole)
    result = subprocess.run(
        [sys.executable, "-m", "luoshi.cli", "parse", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={**__import__("os").environ, "LUOSHI_SOFFICE": str(tmp_path / "no-such-soffice")},
    )
    assert result.returncode == 2 and "方案.wps：是旧版 Word/WPS 文件" in result.stderr


def test_legacy_excel_is_refused_with_a_message() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le") + b"\x00" * 600
    with pytest.raises(DocumentError, match=r"旧版 Excel 文件（\.xls），请在 Excel 或 WPS 中另存为 \.xlsx"):
        parse_bytes(ole, "台账.xls")


def test_a_conversion_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from luoshi.text.legacy import convert_to_docx

    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nsleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("LUOSHI_SOFFICE", str(fake))
    with pytest.raises(DocumentError, match="超过 1 秒仍未完成"):
        convert_to_docx(b"\xd0\xcf\x11\xe0", "慢.doc", timeout=1)


@needs_soffice
def test_a_pdf_holding_a_ledger_table_says_to_use_the_original(tmp_path: Path) -> None:
    import docx

    from luoshi.text.pdf import TABLE

    document = docx.Document()
    document.add_paragraph("某乡审计整改台账")
    table = document.add_table(rows=3, cols=4)
    for r, values in enumerate(
        [
            ["序号", "问题", "整改措施", "责任领导"],
            ["1", "非税收入未及时上缴。", "全部上缴县财政。", "廖俊峰"],
            ["2", "公务卡结算执行不到位。", "严格执行公务卡结算。", "严淑芬"],
        ]
    ):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    source = tmp_path / "台账.docx"
    document.save(str(source))
    pdf = convert(source, "pdf", tmp_path)
    with pytest.raises(DocumentError) as caught:
        parse_file(pdf)
    assert str(caught.value).endswith(TABLE) and "（.docx / .xlsx）" in str(caught.value)


def test_quotes_set_apart_by_the_text_layer_are_put_back() -> None:
    from luoshi.text.pdf import _EMPTY_QUOTES_RE, _requote

    assert _EMPTY_QUOTES_RE.sub(_requote, "审批存\n“ ”在 体外循环 。") == "审批存\n在“体外循环”。"
    assert _EMPTY_QUOTES_RE.sub(_requote, "坚持“两个维护”不动摇") == "坚持“两个维护”不动摇"
    # The pair stands at the start of the line, the quoted words later in it.
    assert (
        _EMPTY_QUOTES_RE.sub(_requote, "① “ ”完善报销审批流程，严格执行 一支笔 审批制度。\n②")
        == "① 完善报销审批流程，严格执行“一支笔”审批制度。\n②"
    )
    assert _EMPTY_QUOTES_RE.sub(_requote, "“ ”严格执行 一支笔\n下一行") == "严格执行“一支笔”\n下一行"


@pytest.mark.parametrize(
    ("line", "placed"),
    [
        ("①整改措施： 指导场所建立财务制度，大额", "整改措施：①指导场所建立财务制度，大额"),
        (
            "②排查； 发现隐患在10 ③天以内整改到位； 每季度开展一次",
            "排查；②发现隐患在10 天以内整改到位；③每季度开展一次",
        ),
        ("① “ ” ②整改措施： 开展民族团结 七进 活动； 全年", "整改措施：①开展民族团结“七进”活动；②全年"),
        # Numbers already in place, or a gap that follows no separator: left as they are.
        (
            "① “ ”完善报销审批流程，严格执行 一支笔 审批制度。",
            "① “ ”完善报销审批流程，严格执行 一支笔 审批制度。",
        ),
        ("①加强学习 提高认识", "①加强学习 提高认识"),
    ],
)
def test_circled_numbers_drawn_before_their_line_are_put_back(line: str, placed: str) -> None:
    from luoshi.text.pdf import _place_symbols

    assert _place_symbols(line) == placed


def test_a_title_wrapped_by_its_large_font_is_one_line() -> None:
    from luoshi.text.pdf import split_title

    assert split_title("中共某局党组关于巡察反\n馈问题的整改方案\n根据巡察组反馈意见，制定本方\n案。") == (
        "中共某局党组关于巡察反馈问题的整改方案",
        "根据巡察组反馈意见，制定本方\n案。",
    )
    assert split_title("某局整改方案\n一、存在的问题")[0] == ""
    # Cut after a title word of its own: the second line goes on with 的.
    assert (
        split_title("中共某乡委员会关于巡察反馈意见\n的整改方案\n正文。")[0]
        == "中共某乡委员会关于巡察反馈意见的整改方案"
    )
    assert split_title("某局关于巡察反馈意见的整改方案\n工作台账清单\n正文。")[0] == ""
    # …or when the second line is nothing but the title's last word.
    assert (
        split_title("中共柘林镇委员会关于巡察反馈意见的整改\n方案\n正文。")[0]
        == "中共柘林镇委员会关于巡察反馈意见的整改方案"
    )
