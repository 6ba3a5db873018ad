"""Suggested problems for measures a document does not link to any problem.

A team's self-examination lists its problems under aspects and its measures under headings of
their own ("提高政治站位，做到两个维护"), so the document itself never says which measure answers
which problem. The recurrence matcher (``luoshi.text.match``) already scores how alike two short
statements are; here the document's problems are the "history" and each unlinked measure is a
query. The organizer sees the suggestions in the import preview and accepts them or not: nothing
is linked automatically.
"""

from __future__ import annotations

from collections.abc import Sequence

from luoshi.text.model import Problem, Suggestion

# At most this many suggestions per measure, best first.
MAX_SUGGESTIONS = 3
# A suggestion is shown only from this score on. Measures and problems are written in different
# registers (a measure says what will be done, a problem what was wrong), so their scores run lower
# than restatements of one problem; 0.12 keeps the right problem among the three shown for most
# measures of the project's corpus while dropping pairs that share only common words
# (bench/parse/README.md).
MIN_SCORE = 0.12


def suggest_problems(
    problems: Sequence[Problem], measure_texts: Sequence[str]
) -> list[tuple[Suggestion, ...]]:
    """For each measure text, the problems it most probably answers (best first)."""
    if not problems or not measure_texts:
        return [() for _ in measure_texts]
    from luoshi.text.match import MatchIndex

    index = MatchIndex.build((str(i), f"{p.aspect} {p.text}") for i, p in enumerate(problems))
    found: list[tuple[Suggestion, ...]] = []
    for text in measure_texts:
        matches = index.query(text, top=MAX_SUGGESTIONS)
        found.append(
            tuple(
                Suggestion(problem=int(m.id), score=round(float(m.score), 3))
                for m in matches
                if m.score >= MIN_SCORE
            )
        )
    return found
