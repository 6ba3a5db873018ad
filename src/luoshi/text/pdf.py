"""The text layer of a PDF, and what to tell a person whose PDF has none.

pypdf (pure Python, no compiled dependency, BSD) reads the text layer; see the README for why it
was chosen over pdfminer.six. The text comes out with a hard break in every line, which
`read.clean_text` joins again as it does for text copied out of a PDF.
"""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from luoshi.text.errors import DocumentError
from luoshi.text.limits import LimitError

# A scanned page has no text layer, or a few stray characters (a page number, a stamp's text).
_MIN_CHARS_PER_PAGE = 20
# A larger document is not a rectification plan; reading its pages would only take time.
MAX_PAGES = 300

TABLE = (
    "是含有表格的 PDF：表格在 PDF 的文字层中已按版面拆散，无法可靠地读出每行的问题、措施和责任人，"
    "请用原来的 Word 或 Excel 文件（.docx / .xlsx）导入，或在 WPS / Word 中把 PDF 转为 .docx 后核对再导入"
)
# Pages looked at for a table (a ledger table starts on the first page or the second).
_TABLE_PAGES = 2
# A line laid out in three or more columns has at least two wide gaps between its words.
_COLUMN_GAPS_RE = re.compile(r"\S {3,}(?=\S)")
_TABLE_LINES = 3

SCANNED = (
    "是扫描版 PDF（只有图片，没有文字层），无法读取文字：请用 Word 或 WPS 打开原文档另存为 .docx 后再导入，"
    "没有原文档时请先用文字识别（OCR）软件转换"
)


def read_pdf(data: bytes, filename: str = "") -> str:
    """The text of a PDF's pages, page after page, as its text layer gives it.

    Raises DocumentError (Chinese, naming what to do) for a broken or encrypted PDF and for a
    scanned one without a text layer.
    """
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, LimitReachedError, PyPdfError

    # pypdf logs every repaired cross-reference table as a warning; a repaired file is fine here.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(filename, "是加密的 PDF，无法读取：请去掉密码或另存为 .docx 后再导入")
        pages = reader.pages
        if len(pages) > MAX_PAGES:
            raise DocumentError(filename, f"PDF 超过 {MAX_PAGES} 页，不像是整改方案或对照检查材料")
        texts = [page.extract_text() or "" for page in pages]
        if _has_table(pages[:_TABLE_PAGES]):
            raise DocumentError(filename, TABLE)
    except DocumentError:
        raise
    except DependencyError as exc:  # AES encryption, whose cipher pypdf takes from a package not shipped
        raise DocumentError(filename, "是加密的 PDF，无法读取：请去掉密码或另存为 .docx 后再导入") from exc
    except LimitReachedError as exc:  # a stream that would decompress past pypdf's cap
        raise LimitError(
            filename, "PDF 中的内容解压后超过上限，疑似“压缩炸弹”，已拒绝", "part_bytes"
        ) from exc
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, NotImplementedError) as exc:
        raise DocumentError(
            filename, "不是有效的 PDF 文件（已损坏或无法解析）：请另存为 .docx 后再导入"
        ) from exc
    chars = sum(len("".join(text.split())) for text in texts)
    if chars < _MIN_CHARS_PER_PAGE * max(1, len(texts)) / 2:
        raise DocumentError(filename, SCANNED)
    text = "\n".join(texts)
    if _CIRCLED_RE.search(text):
        text = "\n".join(_place_symbols(line) for line in text.split("\n"))
    return _EMPTY_QUOTES_RE.sub(_requote, text)


# Circled numbers (and quotes) set in a fallback font are drawn before the rest of their line,
# which leaves a kerned gap (a space in the text layer) where each one stands:
# "①整改措施： 指导…，大额" is "整改措施：①指导…，大额", and "②排查； 发现…到位； 每季度" is
# "排查；②发现…到位；③每季度" when ③ leads the second run. The symbols go into the gaps of the run
# after them, in order, when there are as many gaps as symbols and each number follows a
# separator (：；，。、), as an inline number does.
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CIRCLED_RE = re.compile(f"[{_CIRCLED}]")
_SYMBOLS = f"{_CIRCLED}“”‘’"
# At most 20 symbols, taken possessively: a long run of them fails once, not once per start.
_LEAD_RE = re.compile(f"(?:^|(?<= ))([{_SYMBOLS}](?: ?[{_SYMBOLS}]){{0,19}}+)(?=[^\\s{_SYMBOLS}])")
_GAP_RE = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")
_SEPARATORS = frozenset("：:；;，,。、")


def _place_symbols(line: str) -> str:
    leads = list(_LEAD_RE.finditer(line)) if _CIRCLED_RE.search(line) else []
    out: list[str] = []
    pos = 0
    for index, lead in enumerate(leads):
        run_end = leads[index + 1].start() if index + 1 < len(leads) else len(line)
        run = line[lead.end() : run_end]
        symbols = lead.group(1).replace(" ", "")
        gaps = [gap.start() for gap in _GAP_RE.finditer(run)]
        if (
            not _CIRCLED_RE.search(symbols)
            or len(gaps) != len(symbols)
            or any(
                run[gap - 1] not in _SEPARATORS
                for gap, sym in zip(gaps, symbols, strict=True)
                if sym in _CIRCLED
            )
        ):
            continue
        out.append(line[pos : lead.start()])
        last = 0
        for gap, symbol in zip(gaps, symbols, strict=True):
            out.append(run[last:gap] + symbol)
            last = gap + 1
        out.append(run[last:])
        pos = run_end
    out.append(line[pos:])
    return "".join(out)


# Curly quotes set in a Latin font come out of the text layer as an empty pair ahead of the words
# they enclosed, which keep a space where each quote was: “ ”在 体外循环 。 → 在“体外循环”, and
# “ ”完善流程，严格执行 一支笔 审批 → 完善流程，严格执行“一支笔”审批 (the pair goes to the first
# spaced word of its line). An empty pair followed by spaced words never occurs in real text.
_EMPTY_QUOTES_RE = re.compile(r"([“‘]) ?([”’])([^\s“”‘’]{0,80}) ([^\s“”‘’]{1,30})(?: |(?=\n)|$)")


def _requote(match: re.Match[str]) -> str:
    return f"{match.group(3)}{match.group(1)}{match.group(4)}{match.group(2)}"


_TITLE_WORD_RE = re.compile(r"材料|方案|报告|清单|台账|意见")
_TITLE_TAIL_RE = re.compile(r"(?:的)?(?:整改)?(?:工作|实施|落实)?(?:方案|清单|台账|报告|材料)")
_OPEN_LINE_RE = re.compile(r"[。；;：:，,）)]$")
_NUMBERED_RE = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(]|\d)")


def _has_table(pages: Any) -> bool:
    """True when the first pages, laid out as printed, have several lines in three or more
    columns: a ledger table, whose cells the plain text layer interleaves line by line."""
    lines = 0
    for page in pages:
        layout = page.extract_text(extraction_mode="layout") or ""
        lines += sum(1 for line in layout.split("\n") if len(_COLUMN_GAPS_RE.findall(line.strip())) >= 2)
        if lines >= _TABLE_LINES:
            return True
    return False


def split_title(text: str) -> tuple[str, str]:
    """(title, the rest) when the PDF's first two lines are a title set in a large font that wraps
    (…关于巡察反 / 馈问题的整改方案) where Word showed one line, else ("", text). The title is kept
    apart so that the joining of hard-wrapped lines does not run it into the first paragraph."""
    lines = text.split("\n", 2)
    if len(lines) < 2:
        return "", text
    first, second = lines[0].strip(), lines[1].strip()
    if (
        first
        and second
        and len(second) <= 20
        and not _OPEN_LINE_RE.search(first)
        # A first line naming a title word is a whole title, unless the second line goes on with
        # 的 (…反馈意见 / 的整改方案): no title or paragraph starts with it; or is nothing but the
        # title's last word (…反馈意见的整改 / 方案).
        and (not _TITLE_WORD_RE.search(first) or second.startswith("的") or _TITLE_TAIL_RE.fullmatch(second))
        and _TITLE_WORD_RE.search(second)
        and not _NUMBERED_RE.match(second)
    ):
        return first + second, lines[2] if len(lines) > 2 else ""
    return "", text
