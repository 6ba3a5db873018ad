"""Legacy Word (.doc) and WPS (.wps) files, converted to .docx by LibreOffice, headless and offline.

Each conversion runs in its own temporary directory with its own LibreOffice profile
(`-env:UserInstallation`), so concurrent conversions never share state, and is killed with its
whole process group when it takes longer than the timeout. Without LibreOffice the caller gets a
Chinese message telling the person to save the file as .docx.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path, PurePath

from luoshi.text.errors import DocumentError

TIMEOUT_SECONDS = 60
LEGACY_SUFFIXES = frozenset({".doc", ".wps", ".dot", ".wpt"})
NO_LIBREOFFICE = (
    "是旧版 Word/WPS 文件（.doc/.wps），本机没有安装 LibreOffice，无法转换："
    "请在 Word 或 WPS 中“另存为” .docx 后再导入"
)


def soffice_path() -> str | None:
    """The LibreOffice executable (`LUOSHI_SOFFICE`, else soffice / libreoffice on the PATH)."""
    configured = os.environ.get("LUOSHI_SOFFICE", "").strip()
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(data: bytes, filename: str = "", timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The .docx LibreOffice makes of a legacy document's bytes.

    Raises DocumentError when LibreOffice is missing, fails, or runs past TIMEOUT.
    """
    soffice = soffice_path()
    if soffice is None:
        raise DocumentError(filename, NO_LIBREOFFICE)
    suffix = PurePath(filename).suffix.lower()
    if suffix not in LEGACY_SUFFIXES:
        suffix = ".doc"
    with tempfile.TemporaryDirectory(prefix="luoshi-convert-") as work:
        source = Path(work) / f"document{suffix}"
        source.write_bytes(data)
        out = Path(work) / "out"
        command = [
            soffice,
            f"-env:UserInstallation={(Path(work) / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ]
        # A new session: on a timeout the whole group (oosplash and soffice.bin) is killed.
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env={**os.environ, "HOME": work},
        )
        try:
            _out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise DocumentError(
                filename,
                f"转换旧版 Word/WPS 文件（.doc/.wps）超过 {int(timeout)} 秒仍未完成：请另存为 .docx 后再导入",
            ) from exc
        result = out / "document.docx"
        if process.returncode != 0 or not result.is_file():
            detail = (err or b"").decode("utf-8", "replace").strip().splitlines()
            reason = f"（{detail[-1][:120]}）" if detail else ""
            raise DocumentError(
                filename,
                f"LibreOffice 无法转换这个旧版 Word/WPS 文件（.doc/.wps）{reason}：请另存为 .docx 后再导入",
            )
        return result.read_bytes()
