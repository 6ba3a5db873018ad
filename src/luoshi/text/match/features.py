"""Turn a problem statement into features: concepts, words, character bigrams and characters.

Four kinds, because each fails differently:
- concepts (``c:``; units such as 民政局 as ``e:``) come from the shipped dictionary
  ``concepts.tsv`` and bridge restatements in different words ("公车私用" / "开公车办私事");
- words (``w:``) from jieba keep the specific nouns that separate two problems on the same topic;
- character bigrams (``b:``) survive segmentation differences and unknown words;
- single characters (``u:``) catch the last bit of shared meaning between different words
  ("漏水" / "漏雨", "厕所" / "旱厕"); rare characters carry a lot of it in Chinese.

Everything here is deterministic and offline; jieba is loaded lazily, once per process.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

CONCEPT = "c"
WORD = "w"
BIGRAM = "b"
CHAR = "u"
UNIT = "e"
KINDS: tuple[str, ...] = (CONCEPT, WORD, BIGRAM, CHAR, UNIT)
# Dictionary concepts whose name starts with this are units (民政局, 水利部门 …). They become ``e:``
# features, so that two items naming different units can be penalised (see UNIT_MISMATCH).
UNIT_PREFIX = "单位:"
_UNIT_FEATURE = f"{UNIT}:"

# Phrases that every item of this genre carries (who, where the item came from, how it is
# enumerated, the generic "falls short" verbs). They say nothing about *which* problem it is, and
# leaving them in would make a feedback-style restatement look unlike a self-examination one.
# The only single characters, 的 and 了, almost never sit inside a content word here.
_STOP_TEXT = """
    巡察组反馈 巡视组反馈 督导组反馈 督导组指出 巡察组指出 巡察发现 督查发现 检查发现 审计发现 反馈指出
    反馈意见 反馈问题 存在问题 存在的问题 班子成员 领导班子 班子 常委班子 党委班子 党组班子 部分 个别
    有的 一些 少数 存在 现象 方面 问题 情况 比如 例如 又如 一是 二是 三是 四是 五是 还有 仍然
    依然 依旧 较为 比较 不够 不足 不强 不高 不到位 有差距 差距 欠缺 有待 有待提高 有待加强 需要
    进一步 加强 提升 不同程度 主要是 表现在 体现在 具体 对于 没有 工作 同志 我们 本人 自己 单位
    我县 我局 我镇 本单位 的 了
"""
_STOP_PHRASES: tuple[str, ...] = tuple(sorted(set(_STOP_TEXT.split()), key=lambda p: (-len(p), p)))
_STOP_WORDS: frozenset[str] = frozenset(_STOP_PHRASES) | frozenset(
    {"导致", "造成", "使得", "一定", "程度", "相关", "有关", "仍然", "还是", "不是", "一个"}
)

# Leading enumerators: 一、（一）一是 1. （1）① and source labels such as "巡察反馈：".
_ENUMERATOR = re.compile(
    r"^\s*(?:[（(]?[一二三四五六七八九十百]+[)）、.．]|[（(]?\d+[)）、.．]|[①-⑳]|[一二三四五六七八九十]是)\s*"
)
_LABEL = re.compile(r"^[^，。：:]{0,10}(?:反馈|指出|发现|意见|问题|建议)[^，。：:]{0,4}[：:]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_SPLIT = re.compile(r"[^\u3400-\u9fffA-Za-z0-9]+")


def cache_dir() -> Path:
    """The per-user cache directory for luoshi (``LUOSHI_CACHE_DIR`` or the XDG cache home)."""
    configured = os.environ.get("LUOSHI_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "luoshi"


_TOKENIZER_LOCK = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None

# Words of jieba's dictionary below this frequency are left out of ours. Loading jieba's full
# dictionary costs ~0.9 s per process, the reduced one ~0.1 s, and that load is most of what
# `luoshi match` pays for 1,000 new items. Rare words still match through bigrams and characters;
# the words of the concept dictionary are always kept. History and queries use the same reduced
# dictionary, so segmentation stays consistent.
MIN_WORD_FREQ = 20


def _jieba() -> jieba.Tokenizer:
    """Return the process-wide jieba tokenizer over the reduced dictionary, loading it on first use."""
    global _tokenizer
    with _TOKENIZER_LOCK:
        if _tokenizer is None:
            import jieba as jieba_module

            # jieba logs "Building prefix dict…" to stderr; the CLI's stderr is for errors only.
            jieba_module.setLogLevel(logging.WARNING)
            directory = cache_dir() / "jieba"
            try:
                directory.mkdir(parents=True, exist_ok=True)
                tokenizer = jieba_module.Tokenizer(str(_reduced_dictionary(directory)))
                # Keep jieba's own prefix-dict cache in our cache dir, not in a shared /tmp.
                tokenizer.tmp_dir = str(directory)
                tokenizer.initialize()
            except OSError:
                # No writable cache dir: the same reduced dictionary (segmentation must not depend
                # on the machine's cache), built in a temporary directory removed right after the
                # load. Slower (~1 s) but consistent.
                with tempfile.TemporaryDirectory(prefix="luoshi-jieba-") as scratch:
                    tokenizer = jieba_module.Tokenizer(str(_reduced_dictionary(Path(scratch))))
                    tokenizer.tmp_dir = scratch
                    tokenizer.initialize()
            _tokenizer = tokenizer
        return _tokenizer


def _reduced_dictionary(directory: Path) -> Path:
    """jieba's dictionary without its rare words, plus our concept terms; written once, then reused."""
    import jieba as jieba_module

    terms = concept_terms()
    digest = hashlib.sha256("\n".join([jieba_module.__version__, str(MIN_WORD_FREQ), *terms]).encode())
    path = directory / f"dict-{digest.hexdigest()[:16]}.txt"
    if path.exists():
        return path
    source = Path(jieba_module.__file__).with_name("dict.txt")
    kept: list[str] = []
    known: set[str] = set()
    with open(source, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 2 and int(parts[1]) >= MIN_WORD_FREQ:
                kept.append(line.rstrip("\n"))
                known.add(parts[0])
    kept.extend(f"{term} {MIN_WORD_FREQ * 5}" for term in terms if term not in known)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text("\n".join(kept) + "\n", encoding="utf-8")
    os.replace(partial, path)  # atomic: a concurrent process sees the whole file or none
    return path


@lru_cache(maxsize=1)
def concept_table() -> dict[str, str]:
    """Map every term of the shipped concept dictionary to its concept name."""
    text = resources.files("luoshi.text.match").joinpath("concepts.tsv").read_text(encoding="utf-8")
    return parse_concepts(text.splitlines())


def parse_concepts(lines: Iterable[str]) -> dict[str, str]:
    """Parse ``concept<TAB>term|term…`` lines; a term listed twice keeps its first concept."""
    table: dict[str, str] = {}
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, terms = line.partition("\t")
        for term in terms.split("|"):
            term = normalise(term.strip())
            if len(term) >= 2:
                table.setdefault(term, name.strip())
    return table


@lru_cache(maxsize=1)
def signature() -> str:
    """A digest of everything that decides the features (dictionary, stop phrases, jieba's version).

    Saved with an index: features of new text must be made the same way as the stored ones.
    """
    import jieba as jieba_module

    text = resources.files("luoshi.text.match").joinpath("concepts.tsv").read_text(encoding="utf-8")
    parts = [text, _STOP_TEXT, str(MIN_WORD_FREQ), jieba_module.__version__, "boundaries-v1"]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


def is_unit(feature: str) -> bool:
    """Whether a feature names a unit (``e:单位:…``)."""
    return feature.startswith(_UNIT_FEATURE)


def concept_terms() -> list[str]:
    """All dictionary terms (used to keep them whole in segmentation)."""
    return sorted(concept_table())


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, without enumerators or a leading source label."""
    text = unicodedata.normalize("NFKC", text).lower().strip()
    previous = None
    # Labels and enumerators stack ("巡察反馈：（二）一是…"); peel them until nothing changes.
    while previous != text:
        previous = text
        text = _ENUMERATOR.sub("", text, count=1)
        text = _LABEL.sub("", text, count=1)
    return text


def concepts(text: str, boundaries: frozenset[int] | None = None) -> list[str]:
    """Concept names found in normalised ``text`` by greedy longest match, left to right.

    With ``boundaries`` (word boundaries from `segment`), a term counts only where it starts and
    ends on a boundary, so "化工" is not found inside "绿化工程".
    """
    table = concept_table()
    longest = _longest_term()
    found: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if boundaries is not None and i not in boundaries:
            i += 1
            continue
        for length in range(min(longest, n - i), 1, -1):
            name = table.get(text[i : i + length])
            if name is not None and (boundaries is None or i + length in boundaries):
                found.append(name)
                i += length
                break
        else:
            i += 1
    return found


@lru_cache(maxsize=1)
def _longest_term() -> int:
    return max((len(term) for term in concept_table()), default=2)


_STOP_SPLIT = re.compile("|".join(re.escape(phrase) for phrase in _STOP_PHRASES))


def _content_segments(text: str) -> list[str]:
    """CJK/alphanumeric runs of ``text`` with the stop phrases cut out (they become boundaries)."""
    return [
        segment for piece in _SPLIT.split(text) if piece for segment in _STOP_SPLIT.split(piece) if segment
    ]


_PIECE = re.compile(r"[\u3400-\u9fffA-Za-z0-9]+")


def segment(text: str) -> tuple[list[str], frozenset[int]]:
    """jieba tokens of ``text`` (no HMM: unknown words stay as characters) and the word boundaries
    as character offsets (punctuation is a boundary too)."""
    tokenizer = _jieba()
    tokens: list[str] = []
    bounds = {0, len(text)}
    for piece in _PIECE.finditer(text):
        offset = piece.start()
        bounds.add(offset)
        for token in tokenizer.lcut(piece.group(), HMM=False):
            tokens.append(token)
            offset += len(token)
            bounds.add(offset)
    return tokens, frozenset(bounds)


def words(text: str, tokens: list[str] | None = None) -> list[str]:
    """Words of length >= 2 (jieba, see `segment`), minus stop words."""
    chosen = segment(text)[0] if tokens is None else tokens
    return [word for word in chosen if len(word) >= 2 and word not in _STOP_WORDS]


def bigrams(text: str, segments: list[str] | None = None) -> list[str]:
    """Character bigrams within the content segments (not across punctuation or stop phrases)."""
    result: list[str] = []
    for segment in _content_segments(text) if segments is None else segments:
        result.extend(segment[i : i + 2] for i in range(len(segment) - 1))
    return result


def chars(text: str, segments: list[str] | None = None) -> list[str]:
    """CJK characters of the content segments (stop phrases removed)."""
    chosen = _content_segments(text) if segments is None else segments
    return [ch for segment in chosen for ch in segment if "\u3400" <= ch <= "\u9fff"]


def features(text: str) -> list[str]:
    """All features of ``text`` as prefixed strings (``c:…``, ``w:…``, ``b:…``, ``u:…``), with repeats."""
    clean = normalise(text)
    tokens, boundaries = segment(clean)
    out = [
        f"{UNIT}:{name}" if name.startswith(UNIT_PREFIX) else f"{CONCEPT}:{name}"
        for name in concepts(clean, boundaries)
    ]
    out.extend(f"{WORD}:{word}" for word in words(clean, tokens))
    segments = _content_segments(clean)
    out.extend(f"{BIGRAM}:{gram}" for gram in bigrams(clean, segments))
    out.extend(f"{CHAR}:{ch}" for ch in chars(clean, segments))
    return out
