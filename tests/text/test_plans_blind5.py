"""The fifth blind split (tests/text/plans_blind5): 12 plans written blind by someone who had not
seen the parser, under the convention rulings in its RULES.md, with golden JSON — text in UTF-16
LE with BOM and CRLF, in GBK hard-wrapped with page numbers, and in UTF-8 with BOM and no
signature date; Word paragraphs with fields in brackets after each measure and after an inline
①②③ list; Word ledgers with a two-row header (责任分工 merged over 责任领导 | 责任单位) under
problems written out above the table, and with section rows merged across; automatic numbering
with decimalEnclosedCircle measures and w:lvlRestart, and Heading 1 / Heading 2 with a new w:num
per aspect; two hand-made workbooks; a PDF.

It was kept unopened while the rest of this round's work went on and scored once, held out, on
2026-12-01: counts 0.964 / 0.997, labels 0.951, summaries 0.986, problem links 0.945, owners and
departments 0.924, deadlines 0.971 (deadline text 0.924), commitments 0.982, title 0.917 — below
0.95 for links, owners, departments and the title. The misses: the two-row header (the ledger read
as no ledger, its rows as problems), problems named in the table by their first sentence only,
the fields after an inline list given to its last measure alone, a title whose 关于 has no 的 on
its first line, 30日内 and 每月不低于序时进度. Each was fixed by a general rule; one golden value
(a period, see RULES.md) was ruled by the contract's reference sample. Every field is now 1.000;
it is no longer held out and guards against regressions.
"""

from __future__ import annotations

from tests.text.test_plans_blind import split_tests

result, test_every_layout_is_read, test_no_field_falls_below_its_level = split_tests("plans_blind5", 12)
