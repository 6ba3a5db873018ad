"""The second blind split (tests/text/plans_blind2): 14 plans, table ledgers, automatically numbered
Word files, a PDF and hand-made workbooks, written blind by someone who had not seen the parser
(conventions inferred from the earlier goldens), with golden JSON. Scored once as a held-out split
(lowest field F1 0.897: a Word plan whose measures are unnumbered paragraphs under their problem, a
Word plan with "整改措施：1.…；2.…" numbered like its problems, a PDF whose field lines break
"完成时限：2026年8 / 月底前"), then tuned on: it is no longer held out.

Here it guards against regressions: every field stays at least at the level reached after those
misses were fixed in general. Golden convention ruled: 全年 = yearly ("全年…不少于2次" has period
"year", as the project's own corpus reads it); the four golden entries that had no period were
updated, and every field then scores 1.000.
"""

from __future__ import annotations

from tests.text.test_plans_blind import split_tests

# Lowest per-field F1 after tuning (1.000 once 全年 was ruled yearly; held out at 0.897), less a small margin.
result, test_every_layout_is_read, test_no_field_falls_below_its_level = split_tests("plans_blind2", 14)
