"""The official document page of GB/T 9704-2012 (党政机关公文格式) for python-docx.

A4 with margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm, a grid of 22 lines of 28
characters; the title in 方正小标宋简体 二号 centred; the body in 仿宋_GB2312 三号; first-level
headings ("一、") in 黑体, second-level ("（一）") in 楷体_GB2312; page numbers "— 1 —" in 宋体 四号,
odd pages on the right and even pages on the left; the organization and the date as signature.

Everything is a real paragraph with a named style (outline levels for Word's navigation pane), so
the file stays editable in Word and WPS. Every run names its east-Asian font (w:eastAsia) as well as
its Latin one: Word and WPS pick the font of Chinese text from w:eastAsia and ignore the rest.

    doc = OfficialDocument()
    doc.title("关于……的报告")
    doc.heading1("一、总体情况")
    doc.body("……")
    doc.signature("示范县委", datetime.date(2026, 12, 1))
    data = doc.to_bytes()

The fonts are named, not embedded: 方正小标宋简体 and 仿宋_GB2312 are not free, offices have them.
For PDF rendering on a machine without them, `luoshi.reports.pdf` maps them to free CJK fonts.
"""

from __future__ import annotations

import copy
import datetime
import io
import math
from collections.abc import Sequence
from typing import IO, Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from lxml import etree

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

# Chinese type sizes (字号) in points.
SIZE_2 = 22.0  # 二号
SIZE_3 = 16.0  # 三号
SIZE_4 = 14.0  # 四号
SIZE_SMALL_4 = 12.0  # 小四

PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 37
MARGIN_BOTTOM_MM = 35
MARGIN_LEFT_MM = 28
MARGIN_RIGHT_MM = 26
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28

# The grid: (297 − 37 − 35) mm / 22 lines = 28.95 pt a line (579 twips); (210 − 28 − 26) mm / 28
# = 15.79 pt a character, i.e. 16 pt (三号) condensed by 0.207 pt, in 1/4096 pt: −848.
LINE_PITCH_TWIPS = 579
CHAR_SPACE = -848
CONDENSE_TWIPS = -5

STYLE_TITLE = "公文标题"
STYLE_SUBTITLE = "公文副标题"
STYLE_BODY = "公文正文"
STYLE_HEADING1 = "公文一级标题"
STYLE_HEADING2 = "公文二级标题"
STYLE_HEADING3 = "公文三级标题"
STYLE_SIGNATURE = "公文落款"
STYLE_TABLE = "公文表格"
STYLE_TABLE_HEADER = "公文表头"
STYLE_PAGE_NUMBER = "公文页码"

_BR, _T, _XML_SPACE = qn("w:br"), qn("w:t"), qn("xml:space")
_THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def chinese_date(day: datetime.date) -> str:
    """2026年12月1日: the date as GB/T 9704 writes it (Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _font_element(font: str) -> Any:
    element = OxmlElement("w:rFonts")
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        element.set(qn(attribute), font)
    element.set(qn("w:hint"), "eastAsia")
    return element


def _run_properties(font: str, size: float, *, bold: bool = False) -> Any:
    """A w:rPr naming FONT for every script (w:eastAsia included) at SIZE points."""
    rpr = OxmlElement("w:rPr")
    rpr.append(_font_element(font))
    if bold:
        rpr.append(OxmlElement("w:b"))
        rpr.append(OxmlElement("w:bCs"))
    half_points = str(round(size * 2))
    for tag in ("w:sz", "w:szCs"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), half_points)
        rpr.append(element)
    return rpr


def set_style_font(style: Any, font: str, size: float, *, bold: bool = False) -> None:
    """Give a style FONT (Latin and east-Asian, no theme fonts) at SIZE points."""
    rpr = style.element.get_or_add_rPr()
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    rpr.insert(0, _font_element(font))
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = None
    if size == SIZE_3:
        # 三号 is 16 pt but a grid cell 15.79 pt: condensed by 0.25 pt a character fits one cell
        # (LibreOffice would otherwise give each character two cells; Word condenses by itself).
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CONDENSE_TWIPS))
        fonts = rpr.find(qn("w:rFonts"))
        for tag in ("w:b", "w:bCs", "w:i", "w:iCs", "w:color"):
            found = rpr.find(qn(tag))
            if found is not None:
                fonts = found
        fonts.addnext(spacing)


class OfficialDocument:
    """A .docx on the GB/T 9704 page, written paragraph by paragraph.

    Paragraphs and runs are deep copies of one prepared element per style and per font, size and
    weight: with hundreds of measures a report has thousands of runs, and building each element
    anew (python-docx parses a string for every element it creates) costs several times more.
    """

    def __init__(self, *, landscape: bool = False) -> None:
        self.document = Document()
        self._rpr_cache: dict[tuple[str, float, bool], Any] = {}
        self._run_cache: dict[tuple[str, float, bool], Any] = {}
        self._paragraph_cache: dict[str, Any] = {}
        self._style_ids: dict[str, str] = {}
        width_mm = (PAGE_HEIGHT_MM if landscape else PAGE_WIDTH_MM) - MARGIN_LEFT_MM - MARGIN_RIGHT_MM
        # 二号 characters a title line holds, one left for digits (19 on the portrait page)
        self.title_chars_per_line = int(width_mm / 25.4 * 72 / SIZE_2) - 1
        self._setup_page(landscape)
        self._setup_styles()
        self._setup_page_numbers()
        self._body = self.document.element.body
        # The default template starts with no paragraph; the body ends with the section properties.
        self._sect_pr = self._body.find(qn("w:sectPr"))

    # --- page and styles -------------------------------------------------------------------------

    def _setup_page(self, landscape: bool) -> None:
        section = self.document.sections[0]
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(PAGE_HEIGHT_MM), Mm(PAGE_WIDTH_MM)
        else:
            section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
        section.top_margin = Mm(MARGIN_TOP_MM)
        section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
        section.left_margin = Mm(MARGIN_LEFT_MM)
        section.right_margin = Mm(MARGIN_RIGHT_MM)
        section.header_distance = Mm(15)
        # The page number sits 7 mm below the text block (GB/T 9704, 7.5): its line (四号, ~5 mm)
        # ends 35 − 7 − 5 = 23 mm above the paper's edge.
        section.footer_distance = Mm(23)
        sect_pr = section._sectPr
        grid = sect_pr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sect_pr.append(grid)
        grid.set(qn("w:type"), "linesAndChars")
        grid.set(qn("w:linePitch"), str(LINE_PITCH_TWIPS))
        grid.set(qn("w:charSpace"), str(CHAR_SPACE))

    def _setup_styles(self) -> None:
        styles = self.document.styles
        # Document defaults: the body font for every script, Chinese language, no theme fonts
        # (a theme font would override the names set below).
        defaults = styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            for fonts in defaults.iter(qn("w:rFonts")):
                for attribute in _THEME_ATTRIBUTES:
                    fonts.attrib.pop(qn(attribute), None)
                for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                    fonts.set(qn(attribute), BODY_FONT)
            for lang in defaults.iter(qn("w:lang")):
                lang.set(qn("w:eastAsia"), "zh-CN")
            # The grid's character pitch is reckoned from the default size: 三号.
            for tag in ("w:sz", "w:szCs"):
                for size in defaults.iter(qn(tag)):
                    size.set(qn("w:val"), str(round(SIZE_3 * 2)))

        normal = styles["Normal"]
        set_style_font(normal, BODY_FONT, SIZE_3)
        self._exact_lines(normal.paragraph_format)

        def paragraph_style(name: str, font: str, size: float, *, bold: bool = False) -> Any:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = normal
            style.quick_style = True
            set_style_font(style, font, size, bold=bold)
            self._exact_lines(style.paragraph_format)
            return style

        title = paragraph_style(STYLE_TITLE, TITLE_FONT, SIZE_2)
        title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.line_spacing = Pt(35)  # a 二号 title needs more than one grid line
        self._no_grid(title)  # on the character grid each 二号 character would take two cells
        subtitle = paragraph_style(STYLE_SUBTITLE, HEADING2_FONT, SIZE_3)
        subtitle.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

        body = paragraph_style(STYLE_BODY, BODY_FONT, SIZE_3)
        body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        self._first_line_two_chars(body)

        for name, font, level, bold in (
            (STYLE_HEADING1, HEADING1_FONT, 0, False),
            (STYLE_HEADING2, HEADING2_FONT, 1, False),
            (STYLE_HEADING3, BODY_FONT, 2, True),
        ):
            heading = paragraph_style(name, font, SIZE_3, bold=bold)
            heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            heading.paragraph_format.keep_with_next = True
            self._first_line_two_chars(heading)
            outline = OxmlElement("w:outlineLvl")
            outline.set(qn("w:val"), str(level))
            heading.element.get_or_add_pPr().append(outline)

        signature = paragraph_style(STYLE_SIGNATURE, BODY_FONT, SIZE_3)
        signature.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        signature.paragraph_format.keep_with_next = True

        table = paragraph_style(STYLE_TABLE, BODY_FONT, SIZE_SMALL_4)
        table.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        table.paragraph_format.line_spacing = Pt(18)
        self._no_grid(table)
        header = paragraph_style(STYLE_TABLE_HEADER, HEADING1_FONT, SIZE_SMALL_4)
        header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        header.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        header.paragraph_format.line_spacing = Pt(18)
        self._no_grid(header)

        number = paragraph_style(STYLE_PAGE_NUMBER, PAGE_NUMBER_FONT, SIZE_4)
        number.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        self._no_grid(number)

    @staticmethod
    def _exact_lines(paragraph_format: Any) -> None:
        paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        paragraph_format.line_spacing = Twips(LINE_PITCH_TWIPS)
        paragraph_format.space_before = Pt(0)
        paragraph_format.space_after = Pt(0)

    @staticmethod
    def _first_line_two_chars(style: Any) -> None:
        style.paragraph_format.first_line_indent = Pt(2 * SIZE_3)
        ind = style.element.get_or_add_pPr().find(qn("w:ind"))
        ind.set(qn("w:firstLineChars"), "200")

    @staticmethod
    def _no_grid(style: Any) -> None:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        style.element.get_or_add_pPr().append(snap)

    def _setup_page_numbers(self) -> None:
        """ "— 1 —" in 宋体 四号: odd pages on the right, even pages on the left, one character in."""
        self.document.settings.odd_and_even_pages_header_footer = True
        section = self.document.sections[0]
        for footer, alignment in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            footer.is_linked_to_previous = False
            paragraph = footer.paragraphs[0]
            paragraph.style = self.document.styles[STYLE_PAGE_NUMBER]
            paragraph.alignment = alignment
            if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
                paragraph.paragraph_format.right_indent = Pt(SIZE_4)
            else:
                paragraph.paragraph_format.left_indent = Pt(SIZE_4)
            self._append_run(paragraph._p, "— ", PAGE_NUMBER_FONT, SIZE_4)
            self._append_field(paragraph._p, "PAGE", "1", PAGE_NUMBER_FONT, SIZE_4)
            self._append_run(paragraph._p, " —", PAGE_NUMBER_FONT, SIZE_4)

    # --- runs ------------------------------------------------------------------------------------

    def _rpr(self, font: str, size: float, bold: bool) -> Any:
        key = (font, size, bold)
        template = self._rpr_cache.get(key)
        if template is None:
            template = self._rpr_cache[key] = _run_properties(font, size, bold=bold)
        return copy.deepcopy(template)

    def _append_run(self, p: Any, text: str, font: str, size: float, *, bold: bool = False) -> Any:
        key = (font, size, bold)
        template = self._run_cache.get(key)
        if template is None:
            template = OxmlElement("w:r")
            template.append(_run_properties(font, size, bold=bold))
            template.append(OxmlElement("w:t"))
            self._run_cache[key] = template
        run = copy.deepcopy(template)
        t = run[-1]
        lines = text.split("\n")
        for index, line in enumerate(lines):
            if index:
                etree.SubElement(run, _BR)
                t = etree.SubElement(run, _T)
            t.text = line
            if line != line.strip():
                t.set(_XML_SPACE, "preserve")
        p.append(run)
        return run

    def _append_field(self, p: Any, instruction: str, shown: str, font: str, size: float) -> None:
        for kind, text in (("begin", None), ("instr", f" {instruction} "), ("separate", None)):
            run = OxmlElement("w:r")
            run.append(self._rpr(font, size, False))
            if kind == "instr":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run.append(instr)
            else:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run.append(char)
            p.append(run)
        self._append_run(p, shown, font, size)
        run = OxmlElement("w:r")
        run.append(self._rpr(font, size, False))
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), "end")
        run.append(char)
        p.append(run)

    def _paragraph(self, style: str, pieces: Sequence[tuple[str, str, float, bool]]) -> Any:
        template = self._paragraph_cache.get(style)
        if template is None:
            template = OxmlElement("w:p")
            ppr = OxmlElement("w:pPr")
            style_element = OxmlElement("w:pStyle")
            style_element.set(qn("w:val"), self._style_id(style))
            ppr.append(style_element)
            template.append(ppr)
            self._paragraph_cache[style] = template
        p = copy.deepcopy(template)
        for text, font, size, bold in pieces:
            if text:
                self._append_run(p, text, font, size, bold=bold)
        self._sect_pr.addprevious(p)
        return p

    def _style_id(self, name: str) -> str:
        found = self._style_ids.get(name)
        if found is None:
            found = self._style_ids[name] = self.document.styles[name].style_id
        return found

    # --- content ---------------------------------------------------------------------------------

    def title(self, text: str, *, subtitle: str = "") -> None:
        """The title (方正小标宋简体 二号, centred, a long one in even lines), an optional line
        under it (楷体_GB2312, centred, e.g. the period of a bulletin), and a blank line."""
        lines = "\n".join(balanced_lines(text, self.title_chars_per_line))
        self._paragraph(STYLE_TITLE, [(lines, TITLE_FONT, SIZE_2, False)])
        if subtitle:
            self._paragraph(STYLE_SUBTITLE, [(subtitle, HEADING2_FONT, SIZE_3, False)])
        self.blank()

    def blank(self) -> None:
        self._paragraph(STYLE_BODY, [])

    def heading1(self, text: str) -> None:
        """A first-level heading, "一、……" (黑体)."""
        self._paragraph(STYLE_HEADING1, [(text, HEADING1_FONT, SIZE_3, False)])

    def heading2(self, text: str) -> None:
        """A second-level heading, "（一）……" (楷体_GB2312)."""
        self._paragraph(STYLE_HEADING2, [(text, HEADING2_FONT, SIZE_3, False)])

    def heading3(self, text: str) -> None:
        """A third-level heading, "1．……" (仿宋_GB2312, bold)."""
        self._paragraph(STYLE_HEADING3, [(text, BODY_FONT, SIZE_3, True)])

    def body(self, text: str, *, lead: str = "") -> None:
        """A body paragraph (仿宋_GB2312 三号, first line indented two characters); LEAD, e.g.
        "整改成效：", is set in bold before the text."""
        self._paragraph(STYLE_BODY, [(lead, BODY_FONT, SIZE_3, True), (text, BODY_FONT, SIZE_3, False)])

    def signature(self, organization: str, day: datetime.date) -> None:
        """The organization over the date, the date four characters in from the right (GB/T 9704,
        7.3.5.2), the organization centred over the date; one blank line above."""
        self.blank()
        date_text = chinese_date(day)
        date_width = _width_in_chars(date_text)
        org_width = _width_in_chars(organization)
        org_indent = max(0.0, 4 + (date_width - org_width) / 2)
        for text, indent in ((organization, org_indent), (date_text, 4.0)):
            p = self._paragraph(STYLE_SIGNATURE, [(text, BODY_FONT, SIZE_3, False)])
            ind = OxmlElement("w:ind")
            ind.set(qn("w:right"), str(round(indent * SIZE_3 * 20)))
            ind.set(qn("w:rightChars"), str(round(indent * 100)))
            p.find(qn("w:pPr")).append(ind)

    def table(
        self, headers: Sequence[str], rows: Sequence[Sequence[str]], widths_mm: Sequence[float]
    ) -> None:
        """A bordered table: a 黑体 header row repeated on every page, 仿宋_GB2312 小四 cells."""
        table = self.document.add_table(rows=1, cols=len(headers))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        header_row = table.rows[0]
        tr_pr = header_row._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        tr_pr.append(repeat)
        for cell, text in zip(header_row.cells, headers, strict=True):
            self._fill_cell(cell, text, STYLE_TABLE_HEADER, HEADING1_FONT)
        for values in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, values, strict=True):
                self._fill_cell(cell, text, STYLE_TABLE, BODY_FONT)
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)
            for cell in column.cells:
                cell.width = Mm(width)
        # add_table appends after the section properties' predecessor already; keep the order.
        self._sect_pr.addprevious(table._tbl)

    def _fill_cell(self, cell: Any, text: str, style: str, font: str) -> None:
        p = cell.paragraphs[0]._p
        ppr = p.get_or_add_pPr()
        style_element = OxmlElement("w:pStyle")
        style_element.set(qn("w:val"), self._style_id(style))
        ppr.insert(0, style_element)
        self._append_run(p, text, font, SIZE_SMALL_4)

    # --- output ----------------------------------------------------------------------------------

    def save(self, target: str | IO[bytes]) -> None:
        self.document.save(target)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def balanced_lines(text: str, per_line: int) -> list[str]:
    """TEXT in as few lines of at most PER_LINE characters as it needs, of nearly equal length
    (a long title is set as a block of even lines, not a full line and a widow)."""
    width = _width_in_chars(text)
    if width <= per_line:
        return [text]
    count = math.ceil(width / per_line)
    target = width / count
    lines: list[str] = []
    rest = text
    while len(lines) < count - 1:
        # Break near an even share, preferably after a word's natural end (会、的、和 …), never
        # inside a run of digits.
        cut, best = 0, None
        for index, char in enumerate(rest[:-1]):
            cut_width = _width_in_chars(rest[: index + 1])
            if cut_width > per_line:
                break
            if rest[index].isdigit() and rest[index + 1].isdigit():
                continue
            distance = abs(cut_width - target) - (4.5 if char in _GOOD_BREAKS_AFTER else 0)
            if best is None or distance < best:
                cut, best = index + 1, distance
        if cut == 0:
            break
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return lines


_GOOD_BREAKS_AFTER = frozenset("会的和及与、，于关议")


def _width_in_chars(text: str) -> float:
    """Width of TEXT in full-width characters (digits and Latin letters count half)."""
    return sum(0.5 if ord(char) < 0x2E80 else 1.0 for char in text)


__all__ = [
    "BODY_FONT",
    "HEADING1_FONT",
    "HEADING2_FONT",
    "PAGE_NUMBER_FONT",
    "TITLE_FONT",
    "OfficialDocument",
    "chinese_date",
]
