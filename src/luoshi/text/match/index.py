"""An incremental, saveable similarity index over problem statements.

Each item becomes a sparse vector of three blocks (see ``features``): words together with the
concepts and units of the shipped dictionary (a concept or unit counts ``concept_boost`` times a
word), character bigrams, and single characters. Inside a block the weights are
``(1 + log tf) * idf`` normalised to unit length; the blocks are then mixed with fixed weights, so
the score of two items is

    score = sum_b weight_b * cos_b / sqrt(W_query * W_item)

where ``W`` is the summed weight of the blocks the item actually has. An exact repeat scores 1.0, and
every score lies in [0, 1]. Two items naming different units are then scaled by ``UNIT_MISMATCH``.

Only raw term counts are kept as the source of truth; document frequencies, idf and the weighted
matrix are derived from them ("compiled") when the index is queried after a change. That is what
makes adding items one by one give exactly the same index as building it in one go.
"""

from __future__ import annotations

import json
import math
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from luoshi.text.match import embedding as emb
from luoshi.text.match import features as feats

if TYPE_CHECKING:
    from luoshi.text.match.embedding import EmbeddingBackend

FORMAT_VERSION = 1

# Block weights and the concept boost, chosen on the `dev` and `fresh` parts of the labelled set
# for robustness to wording the dictionary does not know (bench/match/README.md). Characters weigh
# most because they still overlap when the words differ (漏水 / 漏雨).
DEFAULT_WEIGHTS: Mapping[str, float] = {"word": 0.3, "bigram": 0.1, "char": 0.5, "concept_boost": 1.5}
_BLOCKS = ("word", "bigram", "char")

# `recurring_of` is decided when the best score reaches this; calibrated on `dev` + `fresh` (best
# mean F1). A higher value trades recall for precision; see the table in bench/match/README.md.
DEFAULT_THRESHOLD = 0.17

# Above this many items a query is answered in two stages (see `_two_stage`): candidates from the
# rarer features through the inverted index, then the exact score of each candidate. Below it every
# item sharing a feature is scored exactly; it is fast enough and needs no approximation.
EXACT_LIMIT = 20_000
# A feature in more than this fraction of the items is "common": it does not propose candidates
# (its posting list is most of the index, which is what makes the one-stage product slow).
COMMON_DF_FRACTION = 0.03
# Candidates per query rescored exactly in the second stage.
CANDIDATES = 300

# Two items that name different units (民政局 / 水利局 …, the "单位:" concepts) are rarely the same
# problem, however alike the rest of the wording: the score is multiplied by this.
UNIT_MISMATCH = 0.5
# How many of the best raw scores are re-checked for a unit mismatch before the final top-k.
_UNIT_POOL = 50

# With an embedding backend, score = (1 - w) * lexical + w * cosine, where w and the decision
# threshold are the backend's own (``embedding_weight``, ``threshold``; see ``embedding``).
# The backend that wrote a saved index's vectors before their name was recorded.
_LEGACY_EMBEDDING = "sentence-transformers"

# Feature kind (the prefix of a feature) -> its index; kind index -> block.
_KIND_ID: dict[str, int] = {name: i for i, name in enumerate(feats.KINDS)}
# concepts, words and units share the first block
_BLOCK_OF_KIND = np.array([0, 0, 1, 2, 0], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Match:
    """One earlier item and how similar it is to the query (0 = nothing shared, 1 = the same)."""

    id: str
    score: float


@dataclass(frozen=True, slots=True)
class Item:
    """An input item: an identifier and its text."""

    id: str
    text: str


def decide(matches: Sequence[Match], threshold: float = DEFAULT_THRESHOLD) -> str | None:
    """The id of the earlier item this one recurs, or None: the best match if it reaches ``threshold``.

    No margin over the second best is required on purpose: a problem that already came back once
    has two earlier items that both match well, and that is a recurrence, not an ambiguity.
    """
    if not matches:
        return None
    best = max(matches, key=lambda m: m.score)
    return best.id if best.score >= threshold else None


class MatchIndex:
    """Earlier items, searchable by similarity. Build once, add incrementally, save and load.

    >>> index = MatchIndex.build([Item("a", "公车私用问题突出"), Item("b", "会议多文件多")])
    >>> index.query("开公车办私事", top=1)[0].id
    'a'
    """

    def __init__(
        self,
        weights: Mapping[str, float] | None = None,
        embedder: EmbeddingBackend | None = None,
    ) -> None:
        self.weights: dict[str, float] = {**DEFAULT_WEIGHTS, **(weights or {})}
        if set(self.weights) != set(DEFAULT_WEIGHTS) or min(self.weights.values()) < 0:
            raise ValueError(f"weights must be non-negative numbers for {sorted(DEFAULT_WEIGHTS)}")
        self.embedder = embedder
        self.embedding_name: str | None = emb.backend_name(embedder) if embedder is not None else None
        self.embedding_weight: float = float(
            getattr(embedder, "embedding_weight", emb.DEFAULT_EMBEDDING_WEIGHT)
            if embedder is not None
            else 0.0
        )
        # The default decision threshold: the backend's, or the lexical one.
        self.threshold: float = float(getattr(embedder, "threshold", DEFAULT_THRESHOLD))
        self._ids: list[str] = []
        self._id_set: set[str] = set()
        self._vocab: dict[str, int] = {}
        self._feature_kind: list[int] = []
        # Raw counts in CSR pieces (rows = items); `_pending_*` hold rows added since the last compile.
        self._indptr: NDArray[np.int64] = np.zeros(1, dtype=np.int64)
        self._indices: NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._counts: NDArray[np.float32] = np.zeros(0, dtype=np.float32)
        self._pending: list[tuple[NDArray[np.int32], NDArray[np.float32]]] = []
        # Units named by each item, as feature columns (CSR: item i owns _unit_cols[ptr[i]:ptr[i+1]]).
        self._unit_ptr: NDArray[np.int64] = np.zeros(1, dtype=np.int64)
        self._unit_cols: NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._pending_units: list[list[int]] = []
        self._embeddings: NDArray[np.float32] | None = None
        self._pending_texts: list[str] = []
        # Derived state, rebuilt by `_compile` when stale.
        self._compiled = False
        self._idf: NDArray[np.float64] = np.zeros(0)
        self._unseen_idf = 1.0
        # features x items, final weights (only the rare features' rows when two-stage is active)
        self._inverted: sp.csr_matrix | None = None
        # A loaded index reads its raw counts (needed only to add items) from here on demand.
        self._raw_path: Path | None = None
        # Two-stage search state (large indexes only): feature -> column among the common features
        # (-1 if rare), and the items x common-features matrix of final weights.
        self._common_col: NDArray[np.int64] | None = None
        self._common_items: sp.csr_matrix | None = None

    # ----------------------------------------------------------------------------------- building
    @classmethod
    def build(
        cls,
        items: Iterable[Item | tuple[str, str]],
        weights: Mapping[str, float] | None = None,
        embedder: EmbeddingBackend | None = None,
    ) -> MatchIndex:
        """An index holding ``items`` (``Item`` or ``(id, text)`` pairs), in order."""
        index = cls(weights=weights, embedder=embedder)
        index.add_many(items)
        return index

    def add(self, item_id: str, text: str) -> None:
        """Add one earlier item; its id must be new. Cheap: the index is recompiled on the next query."""
        self.add_features(item_id, feats.features(text), text=text)

    def add_many(self, items: Iterable[Item | tuple[str, str]]) -> None:
        """Add several earlier items (``Item`` or ``(id, text)`` pairs)."""
        for item in items:
            item_id, text = (item.id, item.text) if isinstance(item, Item) else item
            self.add(item_id, text)

    def add_features(self, item_id: str, features: Sequence[str], text: str = "") -> None:
        """Add an item from features computed elsewhere (e.g. precomputed tokenisation)."""
        if item_id in self._id_set:
            raise ValueError(f"重复的编号：{item_id}")
        counts = Counter(features)
        columns = np.empty(len(counts), dtype=np.int32)
        values = np.empty(len(counts), dtype=np.float32)
        for i, (feature, count) in enumerate(sorted(counts.items())):
            column = self._vocab.get(feature)
            if column is None:
                column = len(self._vocab)
                self._vocab[feature] = column
                self._feature_kind.append(_KIND_ID[feature.split(":", 1)[0]])
            columns[i] = column
            values[i] = count
        order = np.argsort(columns, kind="stable")
        self._pending.append((columns[order], values[order]))
        self._pending_units.append(sorted(self._vocab[f] for f in counts if feats.is_unit(f)))
        self._ids.append(item_id)
        self._id_set.add(item_id)
        if self.embedder is not None:
            self._pending_texts.append(text)
        self._compiled = False

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> list[str]:
        """Item ids in insertion order."""
        return list(self._ids)

    # ------------------------------------------------------------------------------- compilation
    def _ensure_raw(self) -> None:
        """Read the raw counts of a loaded index (left on disk until an item is added)."""
        if self._raw_path is None:
            return
        with np.load(self._raw_path, allow_pickle=False) as data:
            self._indptr, self._indices, self._counts = data["indptr"], data["indices"], data["counts"]
        self._raw_path = None

    def _flush_pending(self) -> None:
        if not self._pending:
            return
        self._ensure_raw()
        unit_lengths = np.array([len(u) for u in self._pending_units], dtype=np.int64)
        self._unit_ptr = np.concatenate([self._unit_ptr, self._unit_ptr[-1] + np.cumsum(unit_lengths)])
        fresh_units = np.fromiter(
            (col for units in self._pending_units for col in units),
            dtype=np.int64,
            count=int(unit_lengths.sum()),
        )
        self._unit_cols = np.concatenate([self._unit_cols, fresh_units])
        self._pending_units = []
        lengths = np.fromiter((len(c) for c, _ in self._pending), dtype=np.int64, count=len(self._pending))
        self._indptr = np.concatenate([self._indptr, self._indptr[-1] + np.cumsum(lengths)])
        self._indices = np.concatenate([self._indices, *(c for c, _ in self._pending)])
        self._counts = np.concatenate([self._counts, *(v for _, v in self._pending)])
        self._pending = []
        if self.embedder is not None and self._pending_texts:
            fresh = _unit_rows(self.embedder.encode(self._pending_texts))
            self._embeddings = fresh if self._embeddings is None else np.vstack([self._embeddings, fresh])
            self._pending_texts = []

    def _compile(self) -> None:
        if self._compiled:
            return
        self._flush_pending()
        n_items, n_features = len(self._ids), len(self._vocab)
        df = np.bincount(self._indices, minlength=n_features).astype(np.float64)
        self._idf = np.log((n_items + 1.0) / (df + 1.0)) + 1.0
        self._unseen_idf = math.log(n_items + 1.0) + 1.0
        kinds = np.asarray(self._feature_kind, dtype=np.int64)[self._indices]
        rows = np.repeat(np.arange(n_items, dtype=np.int64), np.diff(self._indptr))
        values = (1.0 + np.log(self._counts.astype(np.float64))) * self._idf[self._indices]
        values *= self._kind_boost()[kinds]
        blocks = _BLOCK_OF_KIND[kinds]
        self._inverted = _weigh(
            rows, self._indices, blocks, values, n_items, n_features, self._block_weights()
        )
        self._common_col, self._common_items, self._inverted = _split_common(self._inverted, df, n_items)
        self._compiled = True

    def _block_weights(self) -> NDArray[np.float64]:
        return np.array([self.weights[name] for name in _BLOCKS], dtype=np.float64)

    def _kind_boost(self) -> NDArray[np.float64]:
        # A unit shared by two items is strong evidence too (measured on dev: boosting units like
        # concepts beats weighing them like words), as a different unit is against (UNIT_MISMATCH).
        boost = self.weights["concept_boost"]
        return np.array([boost, 1.0, 1.0, 1.0, boost], dtype=np.float64)

    # ----------------------------------------------------------------------------------- querying
    def query(self, text: str, top: int = 5) -> list[Match]:
        """The ``top`` most similar earlier items, best first (ties: earlier item first)."""
        return self.query_many([text], top=top)[0]

    def query_many(self, texts: Sequence[str], top: int = 5, chunk: int = 256) -> list[list[Match]]:
        """``query`` for many texts at once (one sparse product per chunk of texts)."""
        return self.query_features([feats.features(t) for t in texts], top=top, chunk=chunk, texts=texts)

    def query_features(
        self,
        features_list: Sequence[Sequence[str]],
        top: int = 5,
        chunk: int = 256,
        texts: Sequence[str] | None = None,
    ) -> list[list[Match]]:
        """Like ``query_many`` but from precomputed features (``texts`` only for an embedder)."""
        if top < 1:
            raise ValueError("top must be at least 1")
        self._compile()
        results: list[list[Match]] = []
        if not self._ids:
            return [[] for _ in features_list]
        assert self._inverted is not None
        n_items = len(self._ids)
        for start in range(0, len(features_list), chunk):
            block = features_list[start : start + chunk]
            vectors = self._vectorise(block)
            units = [self._query_units(features) for features in block]
            lexical: list[tuple[NDArray[np.int32], NDArray[np.float32]]]
            if self._common_items is not None:
                lexical = self._two_stage(vectors)
            else:
                scores = (vectors @ self._inverted).tocsr()
                lexical = [
                    (scores.indices[lo:hi], scores.data[lo:hi])
                    for lo, hi in zip(scores.indptr[:-1], scores.indptr[1:], strict=True)
                ]
            if self.embedder is not None and self._embeddings is not None and texts is not None:
                query_emb = _unit_rows(self.embedder.encode(list(texts[start : start + chunk])))
                semantic = query_emb @ self._embeddings.T
                weight = self.embedding_weight
                for row, (cols, vals) in enumerate(lexical):
                    combined = weight * semantic[row].astype(np.float64)
                    combined[cols] += (1 - weight) * vals
                    results.append(self._top(np.arange(n_items), combined, top, units[row]))
            else:
                results.extend(
                    self._top(cols, vals, top, unit)
                    for (cols, vals), unit in zip(lexical, units, strict=True)
                )
        return results

    def _two_stage(self, vectors: sp.csr_matrix) -> list[tuple[NDArray[np.int32], NDArray[np.float32]]]:
        """Candidates of each query row and their exact scores: rare features first, then rescoring.

        The score of a candidate is exact (rare part from the inverted index plus common part from
        the item-major matrix). An item that shares only common features with the query (single
        characters, frequent bigrams) is never a candidate; such an item scores low anyway, and the
        benchmark checks the answers against brute force.
        """
        assert self._inverted is not None and self._common_col is not None and self._common_items is not None
        columns = self._common_col[vectors.indices]
        is_common = columns >= 0
        rare = vectors.copy()
        rare.data = np.where(is_common, 0.0, rare.data).astype(np.float32)
        rare.eliminate_zeros()
        row_of = np.repeat(np.arange(vectors.shape[0]), np.diff(vectors.indptr))
        common = sp.csr_matrix(
            (vectors.data[is_common], (row_of[is_common], columns[is_common])),
            shape=(vectors.shape[0], self._common_items.shape[1]),
        )
        partial = (rare @ self._inverted).tocsr()
        candidate_lists: list[NDArray[np.int32]] = []
        partial_lists: list[NDArray[np.float32]] = []
        for row in range(vectors.shape[0]):
            lo, hi = partial.indptr[row], partial.indptr[row + 1]
            cols, vals = partial.indices[lo:hi], partial.data[lo:hi]
            if len(vals) > CANDIDATES:
                keep = np.argpartition(vals, len(vals) - CANDIDATES)[len(vals) - CANDIDATES :]
                cols, vals = cols[keep], vals[keep]
            candidate_lists.append(cols)
            partial_lists.append(vals)
        sizes = np.array([len(c) for c in candidate_lists])
        if sizes.sum() == 0:
            return list(zip(candidate_lists, partial_lists, strict=True))
        candidates = np.concatenate(candidate_lists)
        query_of = np.repeat(np.arange(len(sizes)), sizes)
        extra = np.asarray(self._common_items[candidates].multiply(common[query_of]).sum(axis=1)).ravel()
        exact = np.concatenate(partial_lists) + extra
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        return [
            (candidates[bounds[i] : bounds[i + 1]], exact[bounds[i] : bounds[i + 1]])
            for i in range(len(sizes))
        ]

    def _query_units(self, features: Sequence[str]) -> frozenset[int]:
        """Units named by a query, as feature columns (-1 for a unit no item names)."""
        return frozenset(self._vocab.get(f, -1) for f in features if feats.is_unit(f))

    def _top(
        self,
        columns: NDArray[np.int32] | NDArray[np.int64],
        values: NDArray[np.floating],
        top: int,
        units: frozenset[int] = frozenset(),
    ) -> list[Match]:
        if len(values) == 0:
            return []
        if units:
            columns, values = self._penalise_unit_mismatch(columns, values, max(_UNIT_POOL, 10 * top), units)
        if len(values) > top:
            # Keep everything tied with the k-th score so the tie-break below is deterministic.
            kth = np.partition(values, len(values) - top)[len(values) - top]
            keep = values >= kth
            columns, values = columns[keep], values[keep]
        order = np.lexsort((columns, -values))[:top]
        return [Match(self._ids[int(columns[i])], _clean_score(values[i])) for i in order]

    def _penalise_unit_mismatch(
        self,
        columns: NDArray[np.int32] | NDArray[np.int64],
        values: NDArray[np.floating],
        pool: int,
        units: frozenset[int],
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The ``pool`` best candidates, scaled down where both name units and none is shared."""
        if len(values) > pool:
            keep = np.argpartition(-values, pool)[:pool]
            columns, values = columns[keep], values[keep]
        items = np.asarray(columns, dtype=np.int64)
        scores: NDArray[np.float64] = np.array(values, dtype=np.float64)
        starts, ends = self._unit_ptr[items], self._unit_ptr[items + 1]
        lengths = ends - starts
        owner = np.repeat(np.arange(len(items)), lengths)
        # positions of every unit entry of every candidate, flattened
        positions = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        named = self._unit_cols[np.repeat(starts, lengths) + positions]
        shared = np.bincount(owner, weights=np.isin(named, list(units)), minlength=len(items)) > 0
        scores[(lengths > 0) & ~shared] *= UNIT_MISMATCH
        return items, scores

    def _vectorise(self, features_list: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Weighted query rows over the index vocabulary (unseen features only count in the norms)."""
        rows: list[int] = []
        kinds: list[int] = []
        columns: list[int] = []
        counts: list[int] = []
        vocab, kind_id = self._vocab, _KIND_ID
        for row, features in enumerate(features_list):
            for feature, count in Counter(features).items():
                rows.append(row)
                kinds.append(kind_id[feature[0]])
                columns.append(vocab.get(feature, -1))
                counts.append(count)
        n_rows = len(features_list)
        if not rows:
            return sp.csr_matrix((n_rows, len(vocab)), dtype=np.float32)
        row_a = np.asarray(rows, dtype=np.int64)
        kind_a = np.asarray(kinds, dtype=np.int64)
        col_a = np.asarray(columns, dtype=np.int64)
        seen = col_a >= 0
        idf = np.where(seen, self._idf[np.where(seen, col_a, 0)], self._unseen_idf)
        values = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * idf * self._kind_boost()[kind_a]
        blocks = _BLOCK_OF_KIND[kind_a]
        block_weights = self._block_weights()
        sums = np.bincount(row_a * 3 + blocks, weights=values * values, minlength=n_rows * 3).reshape(
            n_rows, 3
        )
        present = sums > 0
        totals = (present * block_weights).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(present, np.sqrt(block_weights / np.maximum(totals, 1e-12)[:, None] / sums), 0.0)
        weights = (values * scale[row_a, blocks]).astype(np.float32)
        matrix = sp.csr_matrix(
            (weights[seen], (row_a[seen], col_a[seen])), shape=(n_rows, len(vocab)), dtype=np.float32
        )
        matrix.sum_duplicates()
        return matrix

    # ---------------------------------------------------------------------------------- save/load
    def save(self, path: str | Path) -> None:
        """Write the index to ``path`` (an uncompressed ``.npz``: loading must be fast)."""
        self._compile()
        self._ensure_raw()
        assert self._inverted is not None
        vocab = np.array(list(self._vocab), dtype=str) if self._vocab else np.zeros(0, dtype="<U1")
        meta = {
            "version": FORMAT_VERSION,
            "weights": self.weights,
            "features": feats.signature(),
            "embedding": self.embedding_name if self._embeddings is not None else None,
        }
        arrays: dict[str, NDArray[np.generic]] = {
            "meta": np.array(json.dumps(meta, ensure_ascii=False)),
            "ids": np.array(self._ids, dtype=str) if self._ids else np.zeros(0, dtype="<U1"),
            "vocab": vocab,
            "feature_kind": np.asarray(self._feature_kind, dtype=np.int8),
            "unit_ptr": self._unit_ptr,
            "unit_cols": self._unit_cols,
            "indptr": self._indptr,
            "indices": self._indices,
            "counts": self._counts,
            "inv_indptr": self._inverted.indptr,
            "inv_indices": self._inverted.indices,
            "inv_data": self._inverted.data,
            "idf": self._idf,
        }
        if self._embeddings is not None:
            arrays["embeddings"] = self._embeddings
        if self._common_col is not None and self._common_items is not None:
            arrays["common_col"] = self._common_col
            arrays["common_indptr"] = self._common_items.indptr
            arrays["common_indices"] = self._common_items.indices
            arrays["common_data"] = self._common_items.data
        with open(path, "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]

    @staticmethod
    def has_embeddings(path: str | Path) -> bool:
        """Whether a saved index holds embedding vectors (False if it is not a readable index)."""
        return MatchIndex.embedding_of(path) is not None

    @staticmethod
    def embedding_of(path: str | Path) -> str | None:
        """The name of the backend whose vectors a saved index holds (None: none, or not an index)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if "embeddings" not in data.files:
                    return None
                name = json.loads(str(data["meta"])).get("embedding") or _LEGACY_EMBEDDING
                return str(name)
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
            return None

    @classmethod
    def load(cls, path: str | Path, embedder: EmbeddingBackend | None = None) -> MatchIndex:
        """Read an index written by ``save``; raises ``ValueError`` if it is not one, or if it holds
        vectors of another backend than ``embedder`` (or none while ``embedder`` is given).

        Without ``embedder`` the stored vectors are left out: the loaded index is purely lexical
        (and stays consistent if items are added to it)."""
        try:
            data = np.load(path, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"不是有效的比对索引文件：{path}（{error}）") from error
        with data:
            try:
                meta = json.loads(str(data["meta"]))
                if meta.get("version") != FORMAT_VERSION:
                    raise ValueError(f"索引文件版本 {meta.get('version')} 不受支持：{path}")
                if meta.get("features") != feats.signature():
                    # New text would be cut into features differently from the stored items.
                    raise ValueError(
                        f"索引文件由另一版本的词典或分词建立，请用 --save-index 重新建立：{path}"
                    )
                index = cls(weights=meta["weights"], embedder=embedder)
                index._ids = [str(x) for x in data["ids"].tolist()]
                index._id_set = set(index._ids)
                vocab = data["vocab"].tolist()
                index._vocab = dict(zip(vocab, range(len(vocab)), strict=True))
                index._feature_kind = data["feature_kind"].astype(np.int64).tolist()
                index._unit_ptr = data["unit_ptr"]
                index._unit_cols = data["unit_cols"]
                if not {"indptr", "indices", "counts"} <= set(data.files):
                    raise KeyError("counts")
                index._raw_path = Path(path)  # raw counts: read only if an item is added
                index._idf = data["idf"]
                index._unseen_idf = math.log(len(index._ids) + 1.0) + 1.0
                index._inverted = sp.csr_matrix(
                    (data["inv_data"], data["inv_indices"], data["inv_indptr"]),
                    shape=(len(vocab), len(index._ids)),
                )
                if "embeddings" in data.files and embedder is not None:
                    stored = str(meta.get("embedding") or _LEGACY_EMBEDDING)
                    if stored != index.embedding_name:
                        raise ValueError(
                            f"索引文件中的向量由 {stored} 生成，与当前的向量后端 {index.embedding_name} 不同，"
                            f"不能混用；请用同一后端重新建立索引（--save-index）：{path}"
                        )
                    index._embeddings = data["embeddings"]
                if "common_col" in data.files:
                    index._common_col = data["common_col"]
                    index._common_items = sp.csr_matrix(
                        (data["common_data"], data["common_indices"], data["common_indptr"]),
                        shape=(len(index._ids), int(index._common_col.max(initial=-1)) + 1),
                    )
            except KeyError as error:
                raise ValueError(f"不是有效的比对索引文件：{path}（缺少 {error}）") from error
            except (OSError, EOFError, zipfile.BadZipFile, TypeError, json.JSONDecodeError) as error:
                raise ValueError(f"不是有效的比对索引文件：{path}（{error}）") from error
        index._compiled = True
        if embedder is not None and index._embeddings is None and index._ids:
            raise ValueError(f"索引文件不含向量，不能与向量模型一起使用：{path}")
        return index


def _weigh(
    rows: NDArray[np.int64],
    columns: NDArray[np.int32],
    blocks: NDArray[np.int64],
    values: NDArray[np.float64],
    n_items: int,
    n_features: int,
    block_weights: NDArray[np.float64],
) -> sp.csr_matrix:
    """The features x items matrix of final weights (unit blocks, mixed by ``block_weights``)."""
    key = rows * 3 + blocks
    sums = np.bincount(key, weights=values * values, minlength=n_items * 3).reshape(n_items, 3)
    present = sums > 0
    totals = (present * block_weights).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(present, np.sqrt(block_weights / np.maximum(totals, 1e-12)[:, None] / sums), 0.0)
    weights = (values * scale[rows, blocks]).astype(np.float32)
    matrix = sp.csr_matrix((weights, (columns, rows)), shape=(n_features, n_items))
    matrix.sort_indices()
    return matrix


def _split_common(
    inverted: sp.csr_matrix, df: NDArray[np.float64], n_items: int
) -> tuple[NDArray[np.int64] | None, sp.csr_matrix | None, sp.csr_matrix]:
    """For a large index: the common-feature column map, the items x common-features matrix and the
    inverted matrix without the common rows (each weight is then stored once). A small index is
    returned unchanged."""
    if n_items <= EXACT_LIMIT:
        return None, None, inverted
    is_common = df > COMMON_DF_FRACTION * n_items
    common = np.flatnonzero(is_common)
    column = np.full(len(df), -1, dtype=np.int64)
    column[common] = np.arange(len(common))
    items = inverted[common].T.tocsr()
    items.sort_indices()
    rare = inverted.copy()
    rare.data[np.repeat(is_common, np.diff(rare.indptr))] = 0
    rare.eliminate_zeros()
    return column, items, rare


def item_vectors(index: MatchIndex) -> sp.csr_matrix:
    """The items x features matrix of final weights (for baselines and tests, not for querying)."""
    index._compile()
    assert index._inverted is not None
    full = index._inverted.T.tocsr()
    if index._common_items is not None and index._common_col is not None:
        common = np.flatnonzero(index._common_col >= 0)
        part = index._common_items.tocoo()
        full = full + sp.csr_matrix((part.data, (part.row, common[part.col])), shape=full.shape)
    return full.tocsr()


def _unit_rows(matrix: NDArray[np.floating]) -> NDArray[np.float32]:
    array = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    unit: NDArray[np.float32] = (array / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


def _clean_score(value: float | np.floating) -> float:
    """A score as a plain float in [0, 1], without float32 noise (an exact repeat is 1.0, not 0.99999994)."""
    return round(min(1.0, max(0.0, float(value))), 6)
