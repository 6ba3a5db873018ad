"""`shorten`: one line, at most the limit, cut after punctuation or between words, with "…"."""

from __future__ import annotations

from luoshi.text.shorten import shorten


def test_short_text_is_kept_whole_on_one_line() -> None:
    assert shorten("建立联系群众制度", 20) == "建立联系群众制度"
    assert shorten("  第一行\n第二行  ", 20) == "第一行 第二行"
    assert shorten(None, 5) == ""


def test_long_text_is_cut_after_punctuation_with_an_ellipsis() -> None:
    text = "坚持每月深入基层调研不少于2次，建立问题清单、任务清单和责任清单，逐项销号管理并定期通报进展情况"
    cut = shorten(text, 30)
    assert len(cut) <= 30 and cut.endswith("…")
    assert cut == "坚持每月深入基层调研不少于2次，建立问题清单…"  # after "、", which is dropped


def test_no_word_or_number_is_split() -> None:
    text = "整改措施：完成率达到百分之九十以上并于2026年12月31日前提交PDFREPORT一份"
    for limit in range(10, len(text)):
        cut = shorten(text, limit)
        assert len(cut) <= limit and cut.endswith("…")
        body = cut[:-1]
        following = text[len(body)] if len(body) < len(text) else ""
        # never between two digits or two Latin letters
        assert not (
            body[-1:].isascii() and body[-1:].isalnum() and following.isascii() and following.isalnum()
        )


def test_tiny_limits() -> None:
    assert shorten("整改措施", 1) == "…"
    assert shorten("ABCDEFGHIJ", 5) == "ABCD…"  # one Latin run: cut inside is all that is left
