"""The text layer of a PDF, and what to tell a person whose PDF has none.

pypdf (pure Python, no compiled dependency, BSD) reads the text layer; see the README for why it
was chosen over pdfminer.six. The text comes out with a hard break in every line, which
`read.clean_text` joins again as it does for text copied out of a PDF.
"""

from __future__ import annotations

import io
import logging

from luoshi.text.errors import DocumentError

# A scanned page has no text layer, or a few stray characters (a page number, a stamp's text).
_MIN_CHARS_PER_PAGE = 20
# A larger document is not a rectification plan; reading its pages would only take time.
MAX_PAGES = 300

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
    from pypdf.errors import PdfReadError

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
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, NotImplementedError) as exc:
        raise DocumentError(
            filename, "不是有效的 PDF 文件（已损坏或无法解析）：请另存为 .docx 后再导入"
        ) from exc
    chars = sum(len("".join(text.split())) for text in texts)
    if chars < _MIN_CHARS_PER_PAGE * max(1, len(texts)) / 2:
        raise DocumentError(filename, SCANNED)
    return "\n".join(texts)
