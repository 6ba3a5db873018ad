""".docx → PDF with LibreOffice, headless and offline.

Each conversion runs `soffice` in a temporary directory of its own, with its own user profile
(`-env:UserInstallation`, so concurrent conversions never share a lock) and a fontconfig file that
includes the system's and maps the GB/T 9704 font names to free CJK fonts (fonts/fonts.conf).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from luoshi.errors import DomainError

TIMEOUT_SECONDS = 180
SYSTEM_FONTCONFIG = "/etc/fonts/fonts.conf"


class PdfUnavailable(DomainError):
    """LibreOffice is not installed, or the conversion failed."""

    status = 503


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH (soffice, else libreoffice), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def fontconfig_text() -> str:
    """The shipped fontconfig aliases with the system configuration included first."""
    template = resources.files("luoshi.reports").joinpath("fonts/fonts.conf").read_text(encoding="utf-8")
    system = os.environ.get("LUOSHI_SYSTEM_FONTCONFIG", SYSTEM_FONTCONFIG)
    return template.replace("@SYSTEM_CONFIG@", system)


def docx_to_pdf(data: bytes, *, name: str = "report") -> bytes:
    """The PDF LibreOffice makes of the .docx DATA. Raises PdfUnavailable (a Chinese message)
    when soffice is missing, fails or takes longer than TIMEOUT_SECONDS."""
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailable("本机没有安装 LibreOffice（soffice），无法生成 PDF；请下载 Word 版本")
    with tempfile.TemporaryDirectory(prefix="luoshi-pdf-") as tmp:
        work = Path(tmp)
        source = work / f"{name}.docx"
        source.write_bytes(_line_grid_only(data))
        fonts = work / "fonts.conf"
        fonts.write_text(fontconfig_text(), encoding="utf-8")
        env = {
            **os.environ,
            "FONTCONFIG_FILE": str(fonts),
            "HOME": str(work),  # LibreOffice writes caches under HOME; keep them in the temporary dir
            "SAL_USE_VCLPLUGIN": "svp",  # no display
        }
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            subprocess.run(
                command, env=env, cwd=work, capture_output=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise PdfUnavailable(f"LibreOffice 在 {TIMEOUT_SECONDS} 秒内没有完成转换") from exc
        result = work / "out" / f"{name}.pdf"
        if not result.is_file() or result.stat().st_size == 0:
            raise PdfUnavailable("LibreOffice 未能把报告转换为 PDF")
        return result.read_bytes()


def _line_grid_only(data: bytes) -> bytes:
    """DATA with the page's character grid turned into a line grid, for LibreOffice only.

    Word sets each character on the 28-a-line grid; LibreOffice gives every run of digits or Latin
    letters a whole cell of its own, leaving gaps ("12　个"). The body styles are condensed to fit
    28 characters a line without the character grid, so the PDF keeps the page's 22 × 28.
    """
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                content = content.replace(b'w:type="linesAndChars"', b'w:type="lines"')
            target.writestr(item, content)
    return buffer.getvalue()


__all__ = ["PdfUnavailable", "docx_to_pdf", "fontconfig_text", "soffice_path"]
