"""`luoshi parse`: documents in, problems / causes / measures out (JSON, JSON Lines, Markdown, XLSX).

Exit status: 0 parsed; 2 a file is not a readable document (one Chinese line on stderr naming
the file and the reason, never a traceback); 3 a document has no problem, cause or measure
section (what was found is still printed). With several files the worst status wins.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from luoshi.text import DocumentError, ParsedDocument, parse_bytes, parse_file

SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".docx", ".xlsx", ".pdf", ".doc", ".wps"})
EXIT_OK, EXIT_NOT_DOCUMENT, EXIT_NO_SECTIONS = 0, 2, 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare `luoshi parse` options on the subcommand's parser."""
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="文档或台账文件（.txt .md .docx .doc .wps .pdf .xlsx）或目录，可给多个；“-”表示从标准输入读取",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=("json", "jsonl", "md", "xlsx"),
        default=None,
        help="输出格式：json（单个文件的默认）、jsonl（目录或多个文件的默认，每行一个文档）、md、xlsx（需 -o）",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="写入文件而不是标准输出（xlsx 必须指定）")


def run(args: argparse.Namespace) -> int:
    """Parse the given documents and print or write them; returns the exit status."""
    files = list(_expand(args.paths))
    several = len(files) != 1 or any(Path(p).is_dir() for p in args.paths)
    fmt = args.format or ("jsonl" if several else "json")
    if fmt == "xlsx" and not args.output:
        print("luoshi parse：--format xlsx 需要用 -o 指定输出文件", file=sys.stderr)
        return EXIT_NOT_DOCUMENT
    if not files:
        print(
            f"{'、'.join(args.paths)}：目录中没有可解析的文档（.txt .md .docx .doc .wps .pdf .xlsx）",
            file=sys.stderr,
        )
        return EXIT_NOT_DOCUMENT

    status = EXIT_OK
    results: list[tuple[Path, ParsedDocument]] = []
    show_progress = len(files) > 3 and sys.stderr.isatty()
    try:
        # Closed in the `finally` below; a `with` block cannot express "stdout or a file" here.
        out: IO[str] = (
            sys.stdout if fmt == "xlsx" or not args.output else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
        )
    except OSError as exc:
        print(f"{args.output}：无法写入（{exc.strerror or exc}）", file=sys.stderr)
        return EXIT_NOT_DOCUMENT
    try:
        for number, path in enumerate(files, 1):
            if show_progress:
                print(
                    f"\r已解析 {number}/{len(files)}：{path.name[:40]}", end="", file=sys.stderr, flush=True
                )
            try:
                doc = (
                    parse_bytes(sys.stdin.buffer.read(), "标准输入") if str(path) == "-" else parse_file(path)
                )
            except DocumentError as error:
                if show_progress:
                    print(file=sys.stderr)
                print(str(error), file=sys.stderr)
                status = max(status, EXIT_NOT_DOCUMENT)
                if fmt == "jsonl":
                    out.write(
                        json.dumps({"path": str(path), "error": error.reason}, ensure_ascii=False) + "\n"
                    )
                continue
            if doc.is_empty:
                if show_progress:
                    print(file=sys.stderr)
                if doc.sections:
                    print(
                        f"{path}：找到了问题、原因或整改措施部分的标题，但其中没有可识别的条目",
                        file=sys.stderr,
                    )
                else:
                    found = f"只找到标题“{doc.title}”" if doc.title else "连标题也没有找到"
                    print(f"{path}：没有找到问题、原因或整改措施部分（{found}）", file=sys.stderr)
                status = max(status, EXIT_NO_SECTIONS)
            results.append((path, doc))
            if fmt == "jsonl":
                out.write(json.dumps({"path": str(path), **doc.to_dict()}, ensure_ascii=False) + "\n")
        if show_progress:
            print(file=sys.stderr)
        if fmt == "json":
            if several:
                payload: object = [{"path": str(p), **d.to_dict()} for p, d in results]
            else:
                payload = results[0][1].to_dict() if results else None
            if payload is not None:
                out.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        elif fmt == "md":
            out.write("\n\n".join(to_markdown(d) for _p, d in results))
        elif fmt == "xlsx" and results:
            _write_xlsx(results, args.output)
        out.flush()
    except BrokenPipeError:
        # `luoshi parse … | head` closes the pipe early; that is not an error of ours.
        sys.stderr.close()
    except OSError as exc:
        print(f"{args.output or '标准输出'}：无法写入（{exc.strerror or exc}）", file=sys.stderr)
        return EXIT_NOT_DOCUMENT
    finally:
        if out is not sys.stdout:
            out.close()
    return status


def _expand(paths: list[str]) -> Iterator[Path]:
    """Files to parse: given files as they are, documents inside given directories (sorted)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "~$"))
            )
        else:
            yield path


def _write_xlsx(results: list[tuple[Path, ParsedDocument]], output: str) -> None:
    from dataclasses import replace

    from luoshi.text.ledger_xlsx import LedgerRow, rows_from_parsed, write_ledger

    rows: list[LedgerRow] = []
    for _path, doc in results:
        for row in rows_from_parsed(doc):
            rows.append(replace(row, number=str(len(rows) + 1)))  # numbered across all documents
    title = results[0][1].title if len(results) == 1 and results[0][1].title else "整改台账"
    write_ledger(rows, output, title=title)


def to_markdown(doc: ParsedDocument) -> str:
    """A readable Markdown rendering: problems by aspect, causes, measures by group with details."""
    lines = [f"# {doc.title or '（无标题）'}", ""]
    if doc.problems:
        lines += ["## 存在的问题", ""]
        aspect: str | None = None
        for number, problem in enumerate(doc.problems, 1):
            if problem.aspect != aspect:
                aspect = problem.aspect
                if aspect:
                    lines += [*([""] if lines[-1] else []), f"### {aspect}", ""]
            lines.append(f"{number}. **{problem.summary}**{_rest(problem.text, problem.summary)}")
        lines.append("")
    if doc.causes:
        lines += ["## 原因分析", ""]
        for number, cause in enumerate(doc.causes, 1):
            lines.append(f"{number}. **{cause.summary}**{_rest(cause.text, cause.summary)}")
        lines.append("")
    if doc.measures:
        lines += ["## 整改措施", ""]
        group: str | None = None
        for number, measure in enumerate(doc.measures, 1):
            if measure.group != group:
                group = measure.group
                if group:
                    lines += [*([""] if lines[-1] else []), f"### {group}", ""]
            lines.append(f"{number}. **{measure.summary}**{_rest(measure.text, measure.summary)}")
            details = []
            if measure.problem is not None:
                details.append(f"对应问题：第{measure.problem + 1}项")
            if measure.owner:
                details.append(f"责任领导：{measure.owner}")
            if measure.department:
                details.append(f"责任单位：{measure.department}")
            if measure.deadline_text or measure.deadline:
                when = measure.deadline.isoformat() if measure.deadline else "无固定日期"
                details.append(f"完成时限：{measure.deadline_text or when}（{when}）")
            for commitment in measure.commitments:
                period = {
                    "day": "每天",
                    "week": "每周",
                    "month": "每月",
                    "quarter": "每季度",
                    "halfyear": "每半年",
                    "year": "每年",
                }.get(commitment.period or "", "")
                details.append(
                    f"量化承诺：{period}{commitment.op} {commitment.value}{commitment.unit}（{commitment.text}）"
                )
            lines += [f"   - {d}" for d in details]
        lines.append("")
    return "\n".join(lines) + "\n"


def _rest(text: str, summary: str) -> str:
    # The summary is bold already; print what follows it (or the whole text when they differ).
    stripped = text.removeprefix(summary)
    return stripped if stripped != text else "：" + text
