"""Word's automatic numbering, rendered as Word shows it.

A numbered paragraph holds no number in its text: it names a list (`w:numPr`: `w:numId` and the
level `w:ilvl`, on the paragraph or on its style). The list (`w:num`) points at an abstract
definition (`w:abstractNum`) whose levels say how the number looks (`w:lvlText` such as "%1、"
or "（%2）", `w:numFmt` such as chineseCounting or decimal, `w:start`), and may override the start
of a level (`w:lvlOverride/w:startOverride`, how "restart numbering" is saved) or a whole level.

Counters follow Word: lists that share an abstract definition share their counters (so a list
continues across paragraphs of other lists), a list with a start override restarts that level the
first time it is used, and an item restarts the counters of the levels below it. The rendered
marker is then put in front of the paragraph's text, and the document is parsed exactly as if
the numbers had been typed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from luoshi.text.limits import GRID_COLUMNS, STYLE_DEPTH, list_level, small_int


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def qn(tag: str) -> str:
    """A "w:" tag or attribute name in Clark notation, as lxml and ElementTree name them."""
    return _W + tag.removeprefix("w:")


_CN_DIGITS = "〇一二三四五六七八九"
_TRADITIONAL = "甲乙丙丁戊己庚辛壬癸"
_ZODIAC = "子丑寅卯辰巳午未申酉戌亥"


def _chinese(value: int) -> str:
    """一 … 九十九 (as Word's chineseCounting writes them: 十, 十一, 二十)."""
    if value <= 0:
        return _CN_DIGITS[0]
    if value < 10:
        return _CN_DIGITS[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(value)


def _roman(value: int) -> str:
    if not 0 < value < 4000:
        return str(value)  # no Roman numeral past 3999 (a start of 999999999 would write a million m's)
    numerals = (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    )
    out = ""
    for amount, numeral in numerals:
        while value >= amount:
            out += numeral
            value -= amount
    return out


def _letter(value: int) -> str:
    # Word: a … z, then aa … zz.
    if value <= 0:
        return ""
    if value > 26 * 40:
        return str(value)  # a letter repeated past 40 times is no label anyone writes
    return chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)


def format_number(value: int, fmt: str) -> str:
    """One level's number in a Word number format."""
    if fmt == "decimal":
        return str(value)
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "chineseLegalSimplified"):
        return _chinese(value)
    if fmt == "ideographDigital":
        return "".join(_CN_DIGITS[int(d)] for d in str(value))
    if fmt in ("ideographTraditional",):
        return _TRADITIONAL[(value - 1) % 10]
    if fmt == "ideographZodiac":
        return _ZODIAC[(value - 1) % 12]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= value <= 20:
        return chr(ord("①") + value - 1)
    if fmt == "decimalFullWidth":
        return str(value)  # normalised to ASCII digits later anyway
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "lowerLetter":
        return _letter(value)
    if fmt == "upperLetter":
        return _letter(value).upper()
    if fmt == "lowerRoman":
        return _roman(value)
    if fmt == "upperRoman":
        return _roman(value).upper()
    if fmt in ("none", "bullet"):
        return ""
    return str(value)


# The longest number text of a list level that is read (see `Level.from_element`).
LEVEL_TEXT = 32


@dataclass(frozen=True)
class Level:
    """One level of a list definition."""

    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    legal: bool = False  # w:isLgl: every level's number in decimal
    restart: int | None = None  # w:lvlRestart: restart after this (1-based) level, 0 = never

    @classmethod
    def from_element(cls, lvl: Any) -> Level:
        def val(tag: str) -> str | None:
            element = lvl.find(qn(tag))
            return element.get(qn("w:val")) if element is not None else None

        start = val("w:start")
        restart = val("w:lvlRestart")
        legal = lvl.find(qn("w:isLgl")) is not None
        return cls(
            start=_or(small_int(start, signed=True), 1),
            fmt=val("w:numFmt") or "decimal",
            # Word's number texts are a few characters ("（%1）", "第%1条"); one of 40,000 would be
            # copied, numbers filled in, before every paragraph of its list (2 GB for 3,000).
            text=(val("w:lvlText") or "")[:LEVEL_TEXT],
            legal=legal,
            restart=small_int(restart),
        )


# What an undefined level numbers as (a Level is frozen: one serves every lookup).
_UNDEFINED_LEVEL = Level()


@dataclass
class _List:
    abstract: str
    start_overrides: dict[int, int] = field(default_factory=dict)
    level_overrides: dict[int, Level] = field(default_factory=dict)


# The level placeholders of w:lvlText, %10 before %1 (so that %1 does not eat the start of %10).
_PLACEHOLDERS = tuple((index, f"%{index + 1}") for index in range(9, -1, -1))


@functools.lru_cache(maxsize=256)
def _placeholders(text: str) -> tuple[tuple[int, str], ...]:
    """The placeholders a level's text holds (%10 before %1), as `Numbering.marker` replaces them:
    a number put in never holds a "%"."""
    found = []
    for index, placeholder in _PLACEHOLDERS:
        if placeholder in text:
            found.append((index, placeholder))
            text = text.replace(placeholder, "\0")
    return tuple(found)


class Numbering:
    """The numbering definitions of one document and the running counters of its lists."""

    def __init__(self, abstracts: dict[str, dict[int, Level]], lists: dict[str, _List]) -> None:
        self.abstracts = abstracts
        self.lists = lists
        self.counters: dict[str, dict[int, int]] = {}
        self.used: set[str] = set()

    @classmethod
    def from_document(cls, document: Any) -> Numbering:
        """The definitions in a python-docx document's numbering part (none when it has none)."""
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            root = None
        return cls.from_root(root)

    @classmethod
    def from_root(cls, root: Any) -> Numbering:
        """The definitions in a numbering part's root element (w:numbering; lxml or ElementTree),
        none for None."""
        abstracts: dict[str, dict[int, Level]] = {}
        lists: dict[str, _List] = {}
        if root is None:
            return cls(abstracts, lists)
        for abstract in root.findall(qn("w:abstractNum")):
            levels: dict[int, Level] = {}
            for lvl in abstract.findall(qn("w:lvl")):
                levels[list_level(lvl.get(qn("w:ilvl"))) or 0] = Level.from_element(lvl)
            abstracts[abstract.get(qn("w:abstractNumId")) or ""] = levels
        for num in root.findall(qn("w:num")):
            abstract_id = num.find(qn("w:abstractNumId"))
            entry = _List(abstract_id.get(qn("w:val")) or "" if abstract_id is not None else "")
            for override in num.findall(qn("w:lvlOverride")):
                ilvl = list_level(override.get(qn("w:ilvl"))) or 0
                start = override.find(qn("w:startOverride"))
                if start is not None and (value := small_int(start.get(qn("w:val")))) is not None:
                    entry.start_overrides[ilvl] = value
                lvl = override.find(qn("w:lvl"))
                if lvl is not None:
                    entry.level_overrides[ilvl] = Level.from_element(lvl)
            lists[num.get(qn("w:numId")) or ""] = entry
        return cls(abstracts, lists)

    def knows(self, num_id: str, ilvl: int) -> bool:
        """Whether the list and its level are defined (numId 0 or an undefined one numbers nothing)."""
        entry = self.lists.get(num_id)
        if entry is None or entry.abstract not in self.abstracts:
            return False
        return ilvl in entry.level_overrides or ilvl in self.abstracts[entry.abstract]

    def _level(self, entry: _List, ilvl: int) -> Level:
        if ilvl in entry.level_overrides:
            return entry.level_overrides[ilvl]
        levels = self.abstracts.get(entry.abstract)
        found = levels.get(ilvl) if levels is not None else None
        return _UNDEFINED_LEVEL if found is None else found

    def marker(self, num_id: str, ilvl: int) -> str:
        """Advance the list's counter at this level and return the number as Word shows it."""
        entry = self.lists[num_id]
        counters = self.counters.setdefault(entry.abstract, {})
        if num_id not in self.used:
            self.used.add(num_id)
            for overridden, start in entry.start_overrides.items():
                # The first paragraph of a restarted list begins at the override.
                counters[overridden] = start - 1
                for deeper in [k for k in counters if k > overridden]:
                    del counters[deeper]
        level = self._level(entry, ilvl)
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            restart = self._level(entry, deeper).restart
            if restart != 0 and (restart is None or restart > ilvl):
                del counters[deeper]
        text = level.text
        if "%" not in text:
            return text
        for index, placeholder in _placeholders(text):
            shown = self._level(entry, index)
            value = counters.get(index, shown.start)
            fmt = "decimal" if level.legal and index != ilvl else shown.fmt
            text = text.replace(placeholder, format_number(value, fmt))
        return text


def paragraph_numbering(paragraph_element: Any, styles: Any) -> tuple[str, int] | None:
    """(numId, level) of a paragraph, from its own properties or its style's; None if unnumbered."""
    num_pr = paragraph_element.find(qn("w:pPr") + "/" + qn("w:numPr"))
    style_id = None
    p_style = paragraph_element.find(qn("w:pPr") + "/" + qn("w:pStyle"))
    if p_style is not None:
        style_id = p_style.get(qn("w:val"))
    num_id: str | None = None
    ilvl: int | None = None
    if num_pr is not None:
        num_id, ilvl = _num_pr(num_pr)
    seen: set[str] = set()
    while (
        (num_id is None or ilvl is None)
        and style_id
        and style_id not in seen
        and styles is not None
        and len(seen) < STYLE_DEPTH
    ):
        seen.add(style_id)
        style = styles.get(style_id)
        if style is None:
            break
        style_num = style.find(qn("w:pPr") + "/" + qn("w:numPr"))
        if style_num is not None:
            found_id, found_lvl = _num_pr(style_num)
            num_id = num_id if num_id is not None else found_id
            ilvl = ilvl if ilvl is not None else found_lvl
        based = style.find(qn("w:basedOn"))
        style_id = based.get(qn("w:val")) if based is not None else None
    if num_id is None or num_id == "0":
        return None
    return num_id, ilvl or 0


def _num_pr(num_pr: Any) -> tuple[str | None, int | None]:
    num_id_el = num_pr.find(qn("w:numId"))
    level_el = num_pr.find(qn("w:ilvl"))
    num_id = num_id_el.get(qn("w:val")) if num_id_el is not None else None
    level = level_el.get(qn("w:val")) if level_el is not None else None
    return num_id, list_level(level)


def style_elements(document: Any) -> dict[str, Any]:
    """Paragraph styles by id (numbering may come from a style such as a numbered Heading 1)."""
    try:
        root = document.styles.element
    except AttributeError:
        return {}
    return {
        style.get(qn("w:styleId")) or "": style
        for style in root.findall(qn("w:style"))
        if style.get(qn("w:type")) in (None, "paragraph")
    }


def style_name(style: Any) -> str:
    """A style's name as python-docx shows it: built-in names capitalised ("heading 1" → "Heading 1")."""
    name = style.find(qn("w:name"))
    value: str = (name.get(qn("w:val")) if name is not None else "") or ""
    return value[:1].upper() + value[1:] if value.startswith(("heading", "title")) else value


def table_rows(table: Any, paragraph_text: Callable[[Any], str]) -> list[list[str]]:
    """The rows of a Word table (w:tbl) as cell texts, read from the XML in one pass.

    A cell spanning several grid columns (w:gridSpan, within Word's 63) is repeated in each, as
    python-docx's row.cells repeats it; a cell continuing a vertical merge (w:vMerge without
    "restart") repeats the text of the cell it continues, as the merged cell is shown. (python-docx's row.cells recomputes the whole grid for every row: quadratic in
    the rows of a long ledger.)
    """
    rows: list[list[str]] = []
    above: dict[int, str] = {}  # grid column -> text of the cell last seen there
    for tr in table.iterchildren(qn("w:tr")):
        cells: list[str] = []
        column = 0
        for tc in tr.iterchildren(qn("w:tc")):
            tc_pr = tc.find(qn("w:tcPr"))
            span, continues = 1, False
            if tc_pr is not None:
                grid_span = tc_pr.find(qn("w:gridSpan"))
                if grid_span is not None:
                    span = small_int(grid_span.get(qn("w:val"))) or 1
                v_merge = tc_pr.find(qn("w:vMerge"))
                continues = v_merge is not None and v_merge.get(qn("w:val")) in (None, "continue")
            if continues:
                text = above.get(column, "")
            else:
                texts = (paragraph_text(p).strip() for p in tc.iterchildren(qn("w:p")))
                text = "\n".join(t for t in texts if t)
            span = max(1, min(span, GRID_COLUMNS - column))
            for offset in range(span):
                above[column + offset] = text
            cells.extend([text] * span)
            column += span
        rows.append(cells)
    return rows
