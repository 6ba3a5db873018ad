"""Suggested problems for measures a document does not link to any problem.

A team's self-examination lists its problems under aspects and its measures under headings of
their own ("提高政治站位，做到两个维护"), so the document itself never says which measure answers
which problem. The organizer sees the suggestions in the import preview and accepts them or not:
nothing is linked automatically.

The score is the recurrence matcher's (``luoshi.text.match``) restricted to its character and
bigram blocks: the same features (``features.bigrams`` / ``features.chars`` after
``features.normalise``), the same weighting ``(1 + log tf) * idf`` with idf over the document's
problems, each block normalised to unit length and the blocks mixed with the matcher's weights.
The word block is left out on purpose: jieba segmentation of every item would cost more than the
rest of the parse on a long material, and within one document, where problems and measures share
their vocabulary, characters and bigrams rank the candidates as well.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from luoshi.text.model import Problem, Suggestion

# At most this many suggestions per measure, best first.
MAX_SUGGESTIONS = 3
# A suggestion is shown only from this score on (0 = nothing shared, 1 = the same words).
# Measures and problems are written in different registers (what will be done, what was wrong),
# so their scores run low: on the reference sample the problem a measure answers scores about
# 0.24-0.44, while pairs sharing only the common words of the genre mostly stay below 0.18.
MIN_SCORE = 0.18
# Only the opening of each text is compared: its first sentence says what it is about.
HEAD_CHARS = 60


# Every measure is scored against every problem: a material has a few hundred of each, and past a
# million pairs (one of 8,000 of each, in 800 KB of text, took 1.8 GB) no suggestion is offered.
MAX_PAIRS = 1_000_000


def suggest_problems(
    problems: Sequence[Problem], measure_texts: Sequence[str]
) -> list[tuple[Suggestion, ...]]:
    """For each measure text, the problems it most probably answers (best first); none when the
    document has more than MAX_PAIRS measure-problem pairs."""
    if not problems or not measure_texts or len(problems) * len(measure_texts) > MAX_PAIRS:
        return [() for _ in measure_texts]
    from luoshi.text.match import DEFAULT_WEIGHTS

    texts = [f"{p.aspect} {p.text}" for p in problems] + list(measure_texts)
    chars, bigrams = _features(texts)
    n_problems = len(problems)
    total = np.zeros((len(measure_texts), n_problems))
    weights = (DEFAULT_WEIGHTS["bigram"], DEFAULT_WEIGHTS["char"])
    for weight, (row_of, features) in zip(weights, (bigrams, chars), strict=True):
        total += weight * _similarities(*_weighted(row_of, features, len(texts), n_problems), n_problems)
    total /= sum(weights)
    return _best(total, min(MAX_SUGGESTIONS, n_problems))


def _best(total: NDArray[np.float64], k: int) -> list[tuple[Suggestion, ...]]:
    """Each row's K highest scores, rounded to 3 places, that reach MIN_SCORE, best first, ties in
    column order: the first K of a stable sort of each row, found without sorting whole rows (a
    long material has a hundred problems and as many measures).

    Only scores at or above both the row's K-th highest and (just under) MIN_SCORE can be shown;
    those few are sorted by row, score and column at once."""
    found: list[list[Suggestion]] = [[] for _ in range(total.shape[0])]
    if k == 0:
        return [() for _ in found]
    kth = -np.partition(-total, k - 1, axis=1)[:, k - 1]
    # Just under MIN_SCORE: a score that rounds up to it is shown, as its rounded value says.
    threshold = np.maximum(kth, MIN_SCORE - 0.001)
    rows, columns = np.nonzero(total >= threshold[:, None])
    values = total[rows, columns]
    order = np.lexsort((columns, -values, rows))
    seen = [0] * total.shape[0]  # places of each row's first K taken so far
    for row, column, value in zip(
        rows[order].tolist(), columns[order].tolist(), np.round(values[order], 3).tolist(), strict=True
    ):
        if seen[row] < k:
            seen[row] += 1
            if value >= MIN_SCORE:
                found[row].append(Suggestion(problem=column, score=value))
    return [tuple(row) for row in found]


# A block's features: the row of each occurrence and its key, a tuple of code points compared
# in order (one for a character, two for a bigram).
_Features = tuple[NDArray[np.int64], tuple[NDArray[np.int64], ...]]


def _features(texts: Sequence[str]) -> tuple[_Features, _Features]:
    """Characters and character bigrams of each text's opening, as (row, feature) arrays.

    The texts come from the reader, which has already folded full-width forms (what the matcher's
    NFKC step is for; NFKC itself is slow on CJK text), so lower case is all that is left. A bigram
    is two adjacent word characters (CJK, letters, digits), as the matcher's bigrams within its
    content segments. Computed on code points with numpy: a long material has hundreds of items.
    """
    joined = "\n".join(text[:HEAD_CHARS].replace("\n", " ") for text in texts).lower()
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    row = np.cumsum(points == 10) if len(points) else points
    cjk = (points >= 0x3400) & (points <= 0x9FFF)
    word = cjk | ((points >= 48) & (points <= 57)) | ((points >= 97) & (points <= 122))
    pair = word[:-1] & word[1:]
    return (row[cjk], (points[cjk],)), (row[:-1][pair], (points[:-1][pair], points[1:][pair]))


def _stable_order(values: NDArray[np.int64]) -> NDArray[np.intp]:
    """The stable sorting permutation of VALUES. Word characters and row numbers fit in 16 bits,
    for which numpy's stable sort is a radix sort, ten times faster here than a comparison sort of
    the same values (the permutation is the same)."""
    if len(values) and int(values.max()) <= 0xFFFF:
        return np.argsort(values.astype(np.uint16), kind="stable")
    return np.argsort(values, kind="stable")


_Weighted = tuple[NDArray[np.float64], NDArray[np.int64], NDArray[np.intp], int]


def _similarities(
    values: NDArray[np.float64],
    columns: NDArray[np.int64],
    indptr: NDArray[np.intp],
    width: int,
    n_items: int,
) -> NDArray[np.float64]:
    """The dot products of the rows after the first `n_items` with those first rows (the items),
    one row per later row, from the CSR arrays of `_weighted`.

    The sparse product adds up each dot product in the order of the later row's entries; the
    items' side is handed over already transposed (entries by column, then row) rather than
    sliced and converted by scipy, which costs more than the product on a document's matrices."""
    split = int(indptr[n_items])
    later = sp.csr_matrix(
        (values[split:], columns[split:], indptr[n_items:] - split), shape=(len(indptr) - 1 - n_items, width)
    )
    item_columns = columns[:split]
    by_column = _stable_order(item_columns)
    item_rows = np.repeat(np.arange(n_items), np.diff(indptr[: n_items + 1]))
    items = sp.csr_matrix(
        (
            values[:split][by_column],
            item_rows[by_column],
            np.searchsorted(item_columns[by_column], np.arange(width + 1)),
        ),
        shape=(width, n_items),
    )
    return np.asarray((later @ items).toarray())


def _weighted(
    row_of: NDArray[np.int64], keys: tuple[NDArray[np.int64], ...], n_rows: int, n_items: int
) -> _Weighted:
    """Unit-length rows of (1 + log tf) * idf as CSR arrays (values, columns, row pointers) and the
    number of columns; the first `n_items` rows are the items (idf over them).

    The columns are the distinct features in ascending order of their keys, and the entries of a
    row are stored by column: the order in which the product adds them up."""
    # Sorted by feature (one stable pass per key, least significant first), then by row: the
    # occurrences in (row, column) order, those of one feature in one row next to each other.
    order = np.arange(len(row_of))
    for key in reversed(keys):
        order = order[_stable_order(key[order])]
    n = len(order)
    changed = np.zeros(max(n - 1, 0), dtype=bool)  # where the next occurrence is of a new feature
    for key in keys:
        ordered = key[order]
        changed |= ordered[1:] != ordered[:-1]
    column = np.empty(n, dtype=np.int64)
    column[order] = np.concatenate((np.zeros(min(n, 1), dtype=np.int64), np.cumsum(changed)))
    width = int(column.max()) + 1 if n else 1
    order = order[_stable_order(row_of[order])]
    rows, columns = row_of[order], column[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (columns[1:] != columns[:-1])
    starts = np.flatnonzero(first)
    r, c = rows[starts], columns[starts]
    counts = np.diff(np.append(starts, len(order)))
    df = np.bincount(c[r < n_items], minlength=width)
    idf = np.log((n_items + 1.0) / (df + 1.0)) + 1.0
    values = (1.0 + np.log(counts)) * idf[c] * (df[c] > 0)  # a feature no item has adds nothing
    norms = np.sqrt(np.bincount(r, weights=values * values, minlength=n_rows))
    values = values / np.where(norms[r] > 0, norms[r], 1.0)
    # Sorted by row, then column: the CSR arrays directly, without a COO conversion.
    indptr = np.searchsorted(r, np.arange(n_rows + 1))
    return values, c, indptr, width
