"""The third blind split (tests/text/plans_blind3): 12 plans, table ledgers, automatically numbered
Word files, a PDF and a hand-made workbook, written blind by someone who had not seen the parser (the
golden conventions of the second split), with golden JSON. Scored once as a held-out split after the
second split had been tuned on: lowest field F1 0.833 (labels), summaries 0.949, deadline 0.935,
commitments 0.920. Then tuned on, in general rules: it is no longer held out.

The misses and their rules: a heading read as an aspect loses the tails "方面存在的问题" /
"存在的问题" / "的问题" / "方面" (a "关于…的问题" heading names one problem and keeps its words);
closing sections 整改要求 / 整改保障 / 工作保障 and a "注：" note under a ledger table are no items;
circled numbers a PDF's fallback font draws before their line go back into the gaps left for them;
a month without a year takes the year the plan is signed in, else its title's; a time limit
"发现后15天以内" / "24小时以内" is a commitment (<=, no period). Golden convention ruled: 全年 =
yearly ("全年…不少于N场" has period "year", as the project's corpus reads it); the three golden
entries that had no period were updated. After tuning every field scores 1.000.

Here it guards against regressions below the tuned level; generalisation is reported on a fresh
blind split.
"""

from __future__ import annotations

from tests.text.test_plans_blind import split_tests

# Lowest per-field F1 after tuning (1.000; held out at 0.833, labels), less a small margin.
result, test_every_layout_is_read, test_no_field_falls_below_its_level = split_tests("plans_blind3", 12)
