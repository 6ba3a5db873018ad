"""Optional embedding backend: used only when a local model directory is configured.

luoshi never downloads a model. If ``LUOSHI_EMBEDDING_MODEL_DIR`` names a directory holding a
sentence-transformers model and that library is installed, ``backend_from_env`` returns a backend
whose cosine is blended with the lexical score; otherwise it returns None and matching is purely
lexical. Nothing in luoshi requires the backend.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

ENV_VAR = "LUOSHI_EMBEDDING_MODEL_DIR"

logger = logging.getLogger(__name__)


@runtime_checkable
class EmbeddingBackend(Protocol):
    """Turns texts into one vector each (any dimension; rows are normalised by the index)."""

    def encode(self, texts: Sequence[str]) -> NDArray[np.floating]:
        """One row per text."""
        ...


class SentenceTransformerBackend:
    """A sentence-transformers model read from a local directory (offline)."""

    def __init__(self, model_dir: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
        from sentence_transformers import SentenceTransformer  # optional dependency

        self._model = SentenceTransformer(str(model_dir), device="cpu")

    def encode(self, texts: Sequence[str]) -> NDArray[np.floating]:
        """Encode ``texts`` with the local model."""
        return np.asarray(self._model.encode(list(texts), show_progress_bar=False), dtype=np.float32)


def backend_from_env(environ: Mapping[str, str] | None = None) -> EmbeddingBackend | None:
    """The configured backend, or None when none is configured or it cannot be loaded offline."""
    env = os.environ if environ is None else environ
    configured = env.get(ENV_VAR, "").strip()
    if not configured:
        return None
    model_dir = Path(configured)
    if not model_dir.is_dir():
        logger.warning("%s=%s 不是目录，改用纯文本比对", ENV_VAR, configured)
        return None
    try:
        return SentenceTransformerBackend(model_dir)
    except Exception as error:  # any failure of an optional backend means: fall back, loudly
        logger.warning("无法加载向量模型 %s（%s），改用纯文本比对", configured, error)
        return None
