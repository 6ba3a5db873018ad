"""Bytes and .docx files → clean, normalised text.

Documents arrive as they really are: GBK files saved on old office machines, UTF-16 exports, text
copied out of PDFs with a hard break in every line, pages scraped from document-sharing sites with
paywall markers and truncation notes, traditional characters with pinyin glosses. This module
turns all of them into one form the outline and extraction layers can rely on:

- one paragraph per line, no blank lines, no leading or trailing spaces;
- simplified characters, half-width digits and letters;
- no whitespace next to CJK characters or CJK punctuation;
- headings known from the source (Word heading styles, Markdown `#`) prefixed with `#`
  marks, e.g. `## 一、存在的问题`;
- ledger-like tables from .docx files replaced by a placeholder line, the table itself
  returned beside the text (see `SourceText.tables`).
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from luoshi.text.errors import DocumentError
from luoshi.text.headings import FIELD_LABEL_RE
from luoshi.text.limits import LimitError, check_text_lines, open_archive, strip_controls
from luoshi.text.patterns import alternation

# A private-use character cannot occur in a real document, so a line made of it marks where a
# .docx table stood in the text.
TABLE_MARK = "\ue000"
TABLE_LINE_RE = re.compile(TABLE_MARK + r"TABLE(\d+)" + TABLE_MARK)


@dataclass(frozen=True, slots=True)
class SourceText:
    """Clean text of a document, the tables it held and the year its metadata names."""

    text: str
    tables: tuple[tuple[tuple[str, ...], ...], ...] = ()
    year_hint: int | None = None


# --------------------------------------------------------------------------- decoding

# File signatures of things people upload by mistake; naming them makes the error useful.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "是 PNG 图片，不是文档"),
    (b"\xff\xd8\xff", "是 JPEG 图片，不是文档"),
    (b"GIF8", "是 GIF 图片，不是文档"),
    (b"BM", ""),  # checked specially: too short a signature to trust alone
    (b"Rar!", "是 RAR 压缩包，不是文档"),
    (b"7z\xbc\xaf", "是 7z 压缩包，不是文档"),
    (b"\x1f\x8b", "是 gzip 压缩文件，不是文档"),
    (b"\x7fELF", "是可执行程序，不是文档"),
    (b"MZ", ""),  # checked specially
    (b"{\\rtf", "是 RTF 文件，请另存为 .docx 后再导入"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

# Encodings charset-normalizer may name that make sense for Chinese documents; anything else it
# proposes for a file that is not valid UTF-8 (cp1252, koi8 …) is a misdetection here.
_CJK_ENCODINGS = frozenset(
    {"gb18030", "gbk", "gb2312", "hz", "big5", "big5hkscs", "cp950", "cp936", "utf_16", "utf_32"}
)

_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _looks_binary(text: str) -> bool:
    """True when decoded text is mostly control characters, i.e. the bytes were not text."""
    if not text:
        return False
    sample = text[:20000]
    controls = len(_CONTROL_RE.findall(sample))
    return controls > max(2, len(sample) // 50)


def decode_bytes(data: bytes, filename: str = "") -> str:
    """Decode a text file's bytes, detecting the encoding from the whole file.

    Order: byte-order mark; strict UTF-8; charset-normalizer on the whole file (only a CJK-capable
    answer is trusted); strict GB18030. Raises DocumentError when none gives text.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DocumentError(
                    filename, f"文件带有 {encoding.upper()} 标记但内容无法按该编码解码"
                ) from exc
            if _looks_binary(text):
                raise DocumentError(filename, "不是文本文件（含有大量控制字符）")
            return text
    if b"\x00" in data[:4096]:
        # NUL bytes without a UTF-16 mark: a binary file (UTF-16 without BOM is not supported).
        raise DocumentError(filename, "不是文本文件（含有二进制内容）")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_legacy(data, filename)
    if _looks_binary(text):
        raise DocumentError(filename, "不是文本文件（含有大量控制字符）")
    return text


def _decode_legacy(data: bytes, filename: str) -> str:
    """Decode bytes that are not UTF-8: charset-normalizer's CJK answer, else GB18030.

    charset-normalizer misjudges short inputs (a few GBK characters come out as Big5 nonsense),
    so below a few hundred bytes the far more common GB18030 is tried first.
    """
    if len(data) < 512:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding in _CJK_ENCODINGS:
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            filename, "无法识别文件编码（不是 UTF-8、GB18030/GBK 或带标记的 UTF-16）"
        ) from exc


def _check_signature(data: bytes, filename: str) -> None:
    for signature, reason in _SIGNATURES:
        if reason and data.startswith(signature):
            raise DocumentError(filename, reason)


# --------------------------------------------------------------------------- .docx

_HEADING_STYLE_RE = re.compile(r"(?:heading|标题)\s*(\d)", re.IGNORECASE)


def read_docx(data: bytes, filename: str = "") -> tuple[str, list[list[list[str]]]]:
    """Extract a .docx file's paragraphs and tables in document order.

    Heading-styled paragraphs come out as `#`-prefixed lines (the level from the style), the Title
    style as a plain line. Word's automatic list numbering is not part of the paragraph text, so
    it is rendered as Word shows it (`luoshi.text.docx_numbering`); a numbered paragraph whose
    list is not defined gets a written marker (`1.` at the first level, `（1）` below) to keep its
    item boundaries. Every table comes out as a placeholder line; its rows are returned.

    The package is read in one streaming pass that also enforces the limits
    (`luoshi.text.docx_stream`).
    """
    from luoshi.text.docx_numbering import Numbering
    from luoshi.text.docx_stream import BodyParagraph, paragraph_numbering, read_docx_content

    content = read_docx_content(data, filename)
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    list_counters: dict[str, dict[int, int]] = {}  # numId → level → count, for undefined lists
    auto_numbering = Numbering.from_root(content.numbering)
    styles = content.styles

    def paragraph_line(paragraph: BodyParagraph) -> str:
        text = paragraph.text.strip()
        if not text:
            return ""
        style = styles.get(paragraph.style) if paragraph.style else None
        style_name = _style_name(style.name) if style is not None else ""
        if style_name and (style_name.lower() == "title" or style_name == "标题"):
            return text
        numbered = paragraph_numbering(paragraph, styles)
        if numbered is not None and auto_numbering.knows(*numbered):
            text = auto_numbering.marker(*numbered) + text
            if counters := list_counters.get(numbered[0]):
                for deeper in [k for k in counters if k > numbered[1]]:
                    del counters[deeper]
            numbered = None
        match = _HEADING_STYLE_RE.search(style_name) if style_name else None
        if match:
            return "#" * max(1, min(6, int(match.group(1)))) + " " + text
        if paragraph.numbered and numbered is not None:
            num_id = paragraph.num_id or "0"
            level = paragraph.ilvl or 0
            counters = list_counters.setdefault(num_id, {})
            for deeper in [k for k in counters if k > level]:
                del counters[deeper]  # a shallower item restarts the deeper counters
            count = counters[level] = counters.get(level, 0) + 1
            return (f"{count}." if level == 0 else f"（{count}）") + text
        return text

    for block in content.blocks:
        if isinstance(block, BodyParagraph):
            line = paragraph_line(block)
            if line:
                lines.append(line)
        else:
            lines.append(f"{TABLE_MARK}TABLE{len(tables)}{TABLE_MARK}")
            tables.append(block)
    return "\n".join(lines), tables


def _style_name(name: str) -> str:
    """A style's name as python-docx shows it: built-in names capitalised ("heading 1" → "Heading 1")."""
    return name[:1].upper() + name[1:] if name.startswith(("heading", "title")) else name


# --------------------------------------------------------------------------- cleaning

_PAYWALL_RE = re.compile(
    r"#{2,3}\s*(?:paid|vip|free)?\s*(?:begin|end)\s*#{2,3}|#{2}[a-z_]{2,20}#{2}", re.IGNORECASE
)
_TRUNCATION_RE = re.compile(
    r"[（(]\s*未完[^）)\n]{0,40}[）)]"
    r"|(?:…+|\.{3,}|。{3,})\s*(?:此处)?(?:已)?省略\s*\d*\s*字\s*(?:…+|\.{3,}|。{3,})?"
    r"|[（(]\s*全文共\s*\d+\s*字[^）)\n]{0,30}[）)]"
    r"|(?:预览|试读|免费)(?:阅读)?已结束[^\n]{0,30}"
)
_TRUNCATION_WORDS = ("未完", "省略", "全文共", "已结束")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES = dict.fromkeys(map(ord, "\u3000\xa0\t\u2002\u2003\u2009\u200a\u202f\u205f"), " ")
_BREAKS = dict.fromkeys(map(ord, "\f\v\u2028\u2029\x85"), "\n")
_HALF_WIDTH = {
    code: code - 0xFEE0 for code in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}
_HALF_WIDTH[0xFF05] = ord("%")
_TRANSLATE = {**_ZERO_WIDTH, **_SPACES, **_BREAKS, **_HALF_WIDTH}
# str.translate looks every character of the text up in the table; translating only the runs
# of characters that are in it (indentation with U+3000, a few full-width digits) is far cheaper.
# A run is written [..][..]* rather than [..]+ so that the pattern starts with the class itself:
# the engine then skips ahead to the next such character instead of trying it at each position.
_TRANSLATE_CLASS = "[" + "".join(re.escape(chr(code)) for code in sorted(_TRANSLATE)) + "]"
_TRANSLATE_RE = re.compile(_TRANSLATE_CLASS + _TRANSLATE_CLASS + "*")


def _translate_run(match: re.Match[str]) -> str:
    return match.group(0).translate(_TRANSLATE)


_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ"
# A pinyin gloss after a Chinese character: 會(huì) or 会(hui4).
# The pattern starts with the parenthesis, which the regex engine finds fast; the character
# before it is checked in the callback instead of by a lookbehind tried at every position.
_PINYIN_GLOSS_RE = re.compile(
    r"[（(]\s*(?:[a-zü]*[" + _TONE_VOWELS + r"][a-zü" + _TONE_VOWELS + r"]*|[a-zü]{1,6}[1-5])\s*[)）]"
)


def _drop_gloss(match: re.Match[str]) -> str:
    start = match.start()
    before = match.string[start - 1] if start > 0 else ""
    return "" if "\u4e00" <= before <= "\u9fff" else match.group(0)


_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef“”‘’—…·"
_CJK_CHAR_RE = re.compile(f"[{_CJK}]")
_SPACES_RE = re.compile(r"  *")  # one or more spaces, starting with a literal the engine skips to


def _drop_space_near_cjk(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if before and _CJK_CHAR_RE.match(before):
        return ""
    # A space after a Markdown heading's "#" is kept: it marks the heading.
    if after and before != "#" and _CJK_CHAR_RE.match(after):
        return ""
    return match.group(0)


_MULTI_SPACE_RE = re.compile(r"   *")  # two or more

_FURNITURE_RE = re.compile(
    r"^(?:[-—–－_~]+\s*\d{1,4}\s*[-—–－_~]+"
    r"|第\s*\d+\s*页\s*[，,/／、]?\s*(?:共\s*\d+\s*页)?"
    r"|共\s*\d+\s*页\s*第\s*\d+\s*页"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}"
    r"|page\s*\d+(?:\s*(?:of|/)\s*\d+)?"
    r"|\d{1,3})$",
    re.IGNORECASE,
)
_METADATA_WORDS = (
    "索引号|发布机构|发文机关|发文单位|成文日期|发布日期|发布时间|发文字号|文号|主题分类|主题词|公文种类|体裁分类"
    "|信息来源|来源|作者|浏览次数|点击数|点击量|访问量|阅读量|阅读数|字号|责任编辑|编辑|审核|校对|时间|日期|有效性"
    "|文章来源|稿件来源"
)
_METADATA_RE = re.compile(rf"^(?:{alternation(_METADATA_WORDS.split('|'))})\s*[：:]")
# Site furniture, matched on the lower-cased line without IGNORECASE: what a line starts with, and
# words anywhere in it (a prefix tree: one branch tried per character). One alternation mixing
# anchored and unanchored branches under IGNORECASE was tried at every character of every line.
_SITE_LINE_START_RE = re.compile(
    r"首页|网站首页|当前位置|您的位置|您当前的位置|所在位置|位置[：:]|扫码|【?我要举报|举报$"
    r"|\s*(?:https?://|www\.)\S+$"
)
_SITE_WORDS = (
    "版权所有|copyright|©|icp备|icp证|公网安备|网站标识码|免责声明|联系我们|网站地图|返回顶部|上一篇|下一篇|相关阅读"
    "|相关文章|相关推荐|猜你喜欢|热门文章|扫一扫|分享到|打印本页|关闭窗口|【打印】|【关闭】|【字体|加入收藏|不良信息举报"
    "|立即下载|免费下载|下载文档|下载积分|阅读全文|展开全文|查看全文|点击查看|上传者|文档格式|文档页数"
)
_SITE_LINE_RE = re.compile(
    rf"{alternation(_SITE_WORDS.split('|'))}|技术支持[：:]|主办单位[：:]|承办单位[：:]|剩余\d+字|全文共\d+字"
)
_BREADCRUMB_MARKS = (">", "»", "＞", "›")
_BREADCRUMB_RE = re.compile(r"^[^。，；]{0,40}(?:>|»|＞|›)[^。，；]{0,40}(?:>|»|＞|›)")


# What any site line holds (anywhere, not only at a line's start): when the text holds none of it,
# no line needs the tests one by one (most documents are not scraped pages). The words without
# case as one pattern whose every branch starts with a character (the engine then skips ahead to
# those characters), the Latin ones in the Latin letters of the text, lower-cased.
_SITE_ANYWHERE_RE = re.compile(
    "|".join(
        [
            alternation(
                ["首页", "当前位置", "您的位置", "您当前的位置", "所在位置", "扫码", "举报", "©"]
                + [word for word in _SITE_WORDS.split("|") if not word.isascii() and word != "©"]
            ),
            r"位置[：:]|技术支持[：:]|主办单位[：:]|承办单位[：:]|剩余\d+字|全文共\d+字",
            *map(re.escape, _BREADCRUMB_MARKS),
        ]
    )
)
_SITE_LATIN = (b"copyright", b"icp", b"://", b"www.")


def _may_have_site_lines(text: str) -> bool:
    """False when no line of TEXT can be a site line (`_is_site_line`)."""
    latin = text.encode("ascii", "ignore").lower()
    return any(word in latin for word in _SITE_LATIN) or _SITE_ANYWHERE_RE.search(text) is not None


def _is_site_line(line: str) -> bool:
    """A line of a web page's furniture (navigation, copyright, download prompts), not content."""
    lower = line.lower()
    return bool(_SITE_LINE_START_RE.match(lower) or _SITE_LINE_RE.search(lower)) or _is_breadcrumb(line)


def _is_breadcrumb(line: str) -> bool:
    """首页 > 新闻中心 > 通知公告: tested for its arrows first (the pattern backtracks on every line)."""
    return any(mark in line for mark in _BREADCRUMB_MARKS) and _BREADCRUMB_RE.match(line) is not None


_BULLETS = frozenset("-*•●■◆▪◇□○▶►")
_BULLET_RE = re.compile(r"^(?:[-*]\s+|[•●■◆▪◇□○▶►]\s*)")
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s*(.+?)\s*#*$")
_MD_BOLD_LINE_RE = re.compile(r"^\*\*(.+?)\*\*[：:]?$")
# Markdown bold at the start of a paragraph (**一是……。** 正文); `**` elsewhere is a redaction (张**).
_MD_BOLD_START_RE = re.compile(r"^\*\*([^*]+?)\*\*")
_YEAR_RE = re.compile(r"(19[89]\d|20\d\d)\s*[年\-./]")

# A line ends a paragraph when it ends with one of these.
_TERMINAL = frozenset("。！？!?；;…：:”』」）)】")
# A line ending with one of these continues on the next line whatever its width.
_CONTINUING = frozenset("，,、（(“《‘")
_NEXT_CONTINUES = frozenset("，,。、；;：:）)”》’！？!?")
_MARKER_START_RE = re.compile(
    r"^(?:#|[一二三四五六七八九十]{1,3}[、.．是]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.．、)）](?!\d)|[①-⑳]|第[一二三四五六七八九十]{1,3}[，,、：:]"
    r"|" + TABLE_MARK + r")"
)


def _display_widths(lines: list[str]) -> list[int]:
    """Each line's width in half-width cells: the width a PDF line was wrapped at is measured this
    way. GB18030 spends two bytes on a full-width character and one on ASCII: the widths, in C, in
    one pass over all lines (a line break is one byte that no other character's bytes contain)."""
    return [len(line) for line in "\n".join(lines).encode("gb18030", "replace").split(b"\n")]


def _wrap_width(lines: list[str], widths: list[int]) -> int | None:
    """The width at which the text was hard-wrapped, or None when it was not (WIDTHS: each line's
    `_display_widths`, measured once by the caller).

    In text copied from a PDF many lines share (nearly) the same width and do not end a sentence.
    """
    all_widths = [w for line, w in zip(lines, widths, strict=True) if len(line) >= 8]
    open_widths = [
        w for line, w in zip(lines, widths, strict=True) if len(line) >= 8 and line[-1] not in _TERMINAL
    ]
    if len(open_widths) < 3:
        return None
    counts = Counter(w for w in open_widths if w >= 30)  # narrower "wraps" are headings, not a page width
    best_width, best_count = 0, 0
    for width in counts:
        near = sum(counts[w] for w in range(width - 3, width + 1))
        if near > best_count or (near == best_count and width > best_width):
            best_width, best_count = width, near
    # In wrapped text hardly any line is wider than the wrap width; in unwrapped text the
    # paragraphs are far wider than any cluster of equal-width headings.
    wider = sum(1 for w in all_widths if w > best_width + 4)
    if best_count >= 3 and best_count * 3 >= len(all_widths) and wider * 10 <= len(all_widths):
        return best_width
    return None


# A date as a deadline writes it: 2026年8月底前, 2026年12月31日前, 2026年底前, 8月底前.
_DATE_SPAN_RE = re.compile(
    r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日|底|末|[上中下]旬)?|底|内)前?|\d{1,2}月(?:\d{1,2}日|底|末|[上中下]旬)前?"
)


# The end of a field's value, then the next field: "军；责任单位：…".
_FIELD_TAIL_RE = re.compile(r"^([^。；;：:，,\s]{1,12})[；;，,\s]+(?=" + FIELD_LABEL_RE.pattern + ")")


_STANDING_RE = re.compile(r"立行立改|长期坚持|持续推进|持续整改|常态长效")


def _spans_the_cut(pattern: re.Pattern[str], prev: str, line: str) -> bool:
    """Whether a match of `pattern` runs from the end of `prev` into the start of `line`."""
    cut = min(len(prev), 10)
    return any(m.start() < cut < m.end() for m in pattern.finditer(prev[-10:] + line[:10]))


def _fragment_continues(prev: str, line: str, wide: bool) -> bool:
    """Whether a line is the broken-off end of the line before it, whatever the wrap width:
    a date cut in two (完成时限：2026年8 / 月底前), a field label or value cut in two (完成时 / 限：…,
    副馆长芦建 / 军；责任单位：…), or the last few characters of a sentence after a full line (百分之五十 / 以上。)."""
    dates = (prev[-1].isdigit() or prev[-1] in "年月日底末旬") and (
        line[0].isdigit() or line[0] in "年月日底末内上中下前"
    )
    if dates and _spans_the_cut(_DATE_SPAN_RE, prev, line):
        return True
    if FIELD_LABEL_RE.match(prev) and _spans_the_cut(_STANDING_RE, prev, line):
        return True  # 完成时限：长期坚 / 持
    if (field := _FIELD_TAIL_RE.match(line)) and FIELD_LABEL_RE.match(field.group(1)) is None:
        return FIELD_LABEL_RE.match(prev) is not None  # 责任领导：副馆长芦建 / 军；责任单位：…
    colon = max(line.find("：", 0, 4), line.find(":", 0, 4))
    if colon > 0:
        joined = prev[-6:] + line[: colon + 1]
        label = FIELD_LABEL_RE.search(joined)
        return label is not None and label.end() == len(joined) and label.start() < 6
    if FIELD_LABEL_RE.search(prev):
        return False  # a field line ends without punctuation: what follows is its own paragraph
    return wide and len(line) <= 8 and line[-1] in "。；;"


def _join_wrapped(lines: list[str]) -> list[str]:
    """Join lines broken in the middle of a sentence (PDF extraction, narrow editors)."""
    if len(lines) < 2:
        return lines  # nothing to join (most table cells are one line)
    # Hard-wrapped text has at least three long lines that end no sentence (`_wrap_width`);
    # without them there is no wrap width and the line widths are never looked at.
    if sum(1 for line in lines if len(line) >= 8 and line[-1] not in _TERMINAL) >= 3:
        widths = _display_widths(lines)
        width = _wrap_width(lines, widths)
    else:
        widths, width = [0] * len(lines), None
    longest = max(map(len, lines), default=0)
    # Each paragraph is a list of its lines, joined once at the end: extending a string line by
    # line would copy the paragraph again for every line (quadratic on a long wrapped paragraph).
    out: list[list[str]] = []
    prev_width = 0  # width of the previous physical line, not of the paragraph joined so far
    for line, line_width in zip(lines, widths, strict=True):
        if out and line and out[-1][-1]:
            prev = out[-1][-1]  # the last physical line: its end and the paragraph's are the same
            first = out[-1][0]
            joins = line[0] in _NEXT_CONTINUES or (
                not _MARKER_START_RE.match(line)
                and not first.startswith(("#", TABLE_MARK))
                and (
                    prev[-1] in _CONTINUING
                    or (width is not None and prev[-1] not in _TERMINAL and prev_width >= width - 4)
                    or (
                        prev[-1] not in _TERMINAL
                        and _fragment_continues(prev, line, len(prev) >= 20 and len(prev) * 5 >= longest * 4)
                    )
                )
            )
            if joins:
                # Only two Latin words need a space between them; a number or a CJK word broken
                # across lines is one token again.
                glue = (
                    " "
                    if prev[-1].isascii() and prev[-1].isalpha() and line[0].isascii() and line[0].isalpha()
                    else ""
                )
                out[-1].append(glue + line)
                prev_width = line_width
                continue
        out.append([line])
        prev_width = line_width
    return ["".join(parts) for parts in out]


_converter: Any = None


def _to_simplified(text: str) -> str:
    """Traditional → simplified with OpenCC's t2s table (identity on simplified text)."""
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s")
    return str(_converter.convert(text))


# Scraped pages sometimes lose their line breaks: a heading marker after a space starts a line.
# (\s\s* is \s+ written so that the pattern starts with a character class: the engine skips ahead
# to the next space instead of trying the pattern at every character.)
_COLLAPSED_BREAK_RE = re.compile(
    r"\s\s*(?=[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)])"
)


def _split_collapsed(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if len(line) > 200:
            out.extend(_COLLAPSED_BREAK_RE.split(line))
        else:
            out.append(line)
    return out


def _is_table_row(line: str) -> bool:
    if line.count("\t") >= 2:
        return True
    stripped = line.strip()
    return len(stripped) > 2 and stripped[0] == "|" and stripped[-1] == "|" and stripped.count("|") >= 3


def _table_cells(line: str) -> list[str]:
    stripped = line.strip()
    if "\t" in stripped and not stripped.startswith("|"):
        return [cell.strip() for cell in line.split("\t")]
    return [cell.strip() for cell in stripped.strip("|").split("|")]


def _text_tables(text: str) -> tuple[str, list[list[list[str]]]]:
    """Tables pasted as text (tab-separated from Excel, or Markdown pipes) → placeholder lines."""
    lines = text.split("\n")
    out: list[str] = []
    tables: list[list[list[str]]] = []
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and _is_table_row(lines[end]):
            end += 1
        rows = [_table_cells(line) for line in lines[index:end]]
        rows = [row for row in rows if not all(_MD_TABLE_RULE_RE.match(cell) for cell in row)]
        if len(rows) >= 2:
            out.append(f"{TABLE_MARK}TABLE{len(tables)}{TABLE_MARK}")
            tables.append(rows)
            index = end
            continue
        out.append(lines[index])
        index += 1
    return "\n".join(out), tables


_MD_TABLE_RULE_RE = re.compile(r"^:?-{2,}:?$|^$")


def clean_text(text: str, *, tables: bool = True, page_lines: bool = True) -> SourceText:
    """Normalise raw document text (see the module docstring for the resulting form).

    With `tables`, tab-separated and Markdown tables become placeholder lines and are returned
    in `SourceText.tables` (a .docx file's tables are read from the file instead). Without
    `page_lines`, lines that look like page furniture or site debris are kept (a table cell "3"
    is a number, not a page number).
    """
    # Each whole-text pass runs only when a cheap substring test says it can match.
    if "##" in text:  # every marker has two #s in a row
        text = _PAYWALL_RE.sub("", text)
    text = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    found: list[list[list[str]]] = []
    if tables and ("\t" in text or "|" in text):
        text, found = _text_tables(text)
    text = _TRANSLATE_RE.sub(_translate_run, text)
    text = _to_simplified(text)
    if any(word in text for word in _TRUNCATION_WORDS):
        text = _TRUNCATION_RE.sub("", text)
    text = "\n".join(_split_collapsed(text.split("\n")))
    # Whole-text passes are far cheaper than one regex call per line.
    if "  " in text:
        text = _MULTI_SPACE_RE.sub(" ", text)
    if " " in text:
        text = _SPACES_RE.sub(_drop_space_near_cjk, text)
    # After the space pass, so that 會 (huì) has lost its space too.
    if "(" in text or "（" in text:
        text = _PINYIN_GLOSS_RE.sub(_drop_gloss, text)

    year_hint: int | None = None
    kept: list[str] = []
    removed_furniture = False
    site = page_lines and _may_have_site_lines(text)
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            if not removed_furniture:
                kept.append("")
            continue
        if page_lines and len(line) <= 24 and _FURNITURE_RE.match(line):
            # A page break often falls inside a sentence: drop the blank lines around it too so
            # the two halves can be joined again.
            while kept and kept[-1] == "":
                kept.pop()
            removed_furniture = True
            continue
        removed_furniture = False
        if page_lines and _METADATA_RE.match(line):
            if year_hint is None and (match := _YEAR_RE.search(line)):
                year_hint = int(match.group(1))
            continue
        if site and len(line) <= 80 and _is_site_line(line):
            continue
        if line[0] in _BULLETS:
            line = _BULLET_RE.sub("", line, count=1) or line  # list bullets carry no numbering
        prefix = ""
        if line[0] == "#" and (heading := _MD_HEADING_RE.match(line)):
            prefix, line = heading.group(1) + " ", heading.group(2).strip("* ")
        if line.startswith("**"):
            if bold := _MD_BOLD_LINE_RE.match(line):
                line = bold.group(1).strip()
            elif bold := _MD_BOLD_START_RE.match(line):
                line = bold.group(1) + line[bold.end() :]
            line = _SPACES_RE.sub(_drop_space_near_cjk, line)
        if line:
            kept.append(prefix + line)
    # Blank lines carry no meaning once every paragraph is one line; wrapped lines that were
    # separated by a page break are joined like any other wrapped line.
    paragraphs = [line for line in kept if line]
    return SourceText(text="\n".join(_join_wrapped(paragraphs)), tables=_tables(found), year_hint=year_hint)


def normalise(text: str) -> str:
    """Clean and normalise text; the text part of `clean_text`."""
    return clean_text(text).text


# --------------------------------------------------------------------------- entry point


def read_bytes(data: bytes, filename: str = "") -> SourceText:
    """Read a document's bytes into clean text plus its tables: .docx, a hand-made ledger .xlsx,
    the text layer of a PDF, legacy .doc / .wps (through LibreOffice, see `legacy.py`) or text.

    Raises DocumentError for anything that is not a readable document.
    """
    if not data or not data.strip():
        raise DocumentError(filename, "文件为空")
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(_OLE):
        data = _legacy_to_docx(data, filename)
    if data.startswith(b"%PDF"):
        from luoshi.text.pdf import read_pdf, split_title

        title, body = split_title(read_pdf(data, filename))
        cleaned = clean_text(body)
        if not cleaned.text.strip():
            raise DocumentError(filename, "PDF 中没有可读的文字")
        if title:
            text = clean_text(title, tables=False, page_lines=False).text + "\n" + cleaned.text
            return SourceText(text=text, tables=cleaned.tables, year_hint=cleaned.year_hint)
        return cleaned
    if data.startswith(b"PK\x03\x04"):
        members = _zip_members(data, filename)
        if "word/document.xml" not in members:
            if "xl/workbook.xml" in members:
                from luoshi.text.ledger_xlsx import read_xlsx

                return read_xlsx(data, filename)
            if "ppt/presentation.xml" in members:
                raise DocumentError(filename, "是 PowerPoint 演示文稿，不是文档")
            raise DocumentError(filename, "是压缩包，不是 .docx 文档")
        raw, tables = read_docx(data, filename)
        cleaned = clean_text(raw, tables=False)
        if not cleaned.text.strip() and not tables:
            raise DocumentError(filename, "Word 文档中没有文字")
        return SourceText(text=cleaned.text, tables=_tables(tables), year_hint=cleaned.year_hint)
    if suffix == ".docx":
        raise DocumentError(filename, "扩展名是 .docx，但内容不是 Word 文档")
    _check_signature(data, filename)
    check_text_lines(data, filename)
    text = decode_bytes(data, filename)
    if _HTML_RE.match(text):
        text = html_to_text(text)
    cleaned = clean_text(text)
    if not cleaned.text.strip():
        raise DocumentError(filename, "文件中没有可读的文字")
    return cleaned


# Legacy Office files (.doc, .wps, .xls) are OLE compound files.
_OLE = b"\xd0\xcf\x11\xe0"


def _legacy_to_docx(data: bytes, filename: str) -> bytes:
    """A legacy Word/WPS file converted to .docx by LibreOffice; a legacy Excel file is refused."""
    suffix = PurePath(filename).suffix.lower()
    # An .xls workbook holds a stream named "Workbook" (or "Book"), written in UTF-16 in the directory.
    if suffix in (".xls", ".et") or "Workbook".encode("utf-16-le") in data[: 1 << 20]:
        raise DocumentError(filename, "是旧版 Excel 文件（.xls），请在 Excel 或 WPS 中另存为 .xlsx 后再导入")
    if suffix in (".ppt", ".dps") or "PowerPoint".encode("utf-16-le") in data[: 1 << 20]:
        raise DocumentError(filename, "是 PowerPoint 演示文稿，不是文档")
    from luoshi.text.legacy import convert_to_docx

    return convert_to_docx(data, filename)


def _zip_members(data: bytes, filename: str) -> frozenset[str]:
    try:
        with open_archive(data, filename) as archive:  # refuses zip bombs before listing them
            return frozenset(archive.namelist())
    except LimitError:
        raise
    except (DocumentError, zipfile.BadZipFile, OSError, ValueError, EOFError):
        return frozenset()


# A page saved from a browser: its text is what matters, the markup is debris.
_HTML_RE = re.compile(r"\A\s*(?:<!doctype html|<html|<head|<body|<meta|<div|<p[ >])", re.IGNORECASE)
_HTML_DROP_RE = re.compile(
    r"<(script|style|head|noscript)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
_HTML_BREAK_RE = re.compile(r"<br\s*/?>|</(?:p|div|h[1-6]|li|tr|section|article|table)\s*>", re.IGNORECASE)
_HTML_CELL_RE = re.compile(r"</t[dh]\s*>", re.IGNORECASE)
_HTML_TAG_RE = re.compile(r"<[^>]*>")


def html_to_text(markup: str) -> str:
    """The text of an HTML page: scripts and styles dropped, block ends as line breaks,
    table cells separated by tabs (so that a ledger table stays a table)."""
    import html

    markup = _HTML_DROP_RE.sub("", markup)
    markup = markup.replace("\n", " ").replace("\r", " ")
    markup = _HTML_BREAK_RE.sub("\n", markup)
    markup = _HTML_CELL_RE.sub("\t", markup)
    return html.unescape(_HTML_TAG_RE.sub("", markup))


def _tables(tables: Iterable[list[list[str]]]) -> tuple[tuple[tuple[str, ...], ...], ...]:
    # A ledger repeats its cells (merged 问题 / 责任领导 cells, the same unit and deadline on many
    # rows): each distinct text is cleaned once, and all of them are converted to simplified
    # characters in one call.
    tables = list(tables)
    distinct = dict.fromkeys(cell for table in tables for row in table for cell in row)
    plain = [cell for cell in distinct if _PLAIN_CELL_RE.search(cell) is None and cell.strip()]
    simplified: dict[str, str | None] = dict(zip(plain, _simplified_each(plain), strict=True))
    cleaned = {cell: clean_cell(cell, simplified.get(cell)) for cell in distinct}
    return tuple(tuple(tuple(cleaned[cell] for cell in row) for row in table) for table in tables)


# Between texts converted together: line breaks (no phrase of OpenCC's spans one) around a
# character of the private use area, which no conversion table holds.
_APART_MARK = "\ue001"
_APART = f"\n{_APART_MARK}\n"


def _simplified_each(texts: list[str]) -> list[str]:
    """`_to_simplified` of each text, in one call to OpenCC."""
    joined = _APART.join(texts)
    if joined.count(_APART_MARK) == len(texts) - 1:  # the mark is in no text: it separates them
        converted = _to_simplified(joined).split(_APART)
        if len(converted) == len(texts):
            return converted
    return [_to_simplified(text) for text in texts]


def table_cells(tables: Iterable[list[list[str]]]) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Tables read from a file (rows of cell text) with every cell normalised like document text."""
    return _tables(tables)


def clean_cell(cell: str, simplified: str | None = None) -> str:
    """Normalise a table cell, keeping its line breaks (they may separate numbered measures).
    SIMPLIFIED: the cell already converted to simplified characters, when the caller has it."""
    if not cell.strip():
        return ""
    if _PLAIN_CELL_RE.search(cell) is None:
        # Lines that none of clean_text's passes touches but the conversion to simplified
        # characters and the joining of wrapped lines (no space, bracket, control, full-width or
        # zero-width character, no "#", no line over 200 characters or starting with a bullet):
        # clean_text would convert them, strip them, drop the empty ones and join the wrapped
        # ones. Checked again once converted.
        text = _to_simplified(cell) if simplified is None else simplified
        if _PLAIN_CELL_RE.search(text) is None and not any(word in text for word in _TRUNCATION_WORDS):
            raw_lines = text.split("\n")
            lines = [line for line in (raw.strip() for raw in raw_lines) if line]
            if all(len(raw) <= 200 for raw in raw_lines) and all(line[0] not in _BULLETS for line in lines):
                return "\n".join(_join_wrapped(lines))
    return clean_text(cell, tables=False, page_lines=False).text


# A character that makes one of clean_text's passes do something (see `clean_cell`).
_PLAIN_CELL_RE = re.compile(
    "[\r#*( （\x00-\x08\x0e-\x1f\x7f" + "".join(re.escape(chr(code)) for code in sorted(_TRANSLATE)) + "]"
)
