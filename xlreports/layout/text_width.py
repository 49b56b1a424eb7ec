"""How wide text prints, in Excel column-width units, so layouts size columns and rows from their text.

A column width counts widths of "0" in the default font; a CJK character is about two of them, Latin
letters about one (capitals and the widest a little more). Close enough to give English headers
columns that hold their words and wrapped notes rows tall enough for their lines. The one model of
printed text width: `text_fit` scales it by font size for the row heights of forms.

>>> text_width("绩效工资"), text_width("Performance pay")
(8, 16)
>>> lines("Performance pay", 14), lines("Performance pay", 9)  # two lines; a word wider than the column breaks
(2, 3)
"""
from __future__ import annotations

import math

LINE_POINTS = 15.0  # one line of 10.5 pt type, with its leading
PAD = 2.5  # cell padding and border (and CJK glyphs a little over two units), in width units


def char_width(ch: str) -> float:
    """The width of one character: 2 for CJK and full-width forms, 1.2 for capitals and m/w, else 1.

    >>> char_width("客"), char_width("M"), char_width("a")
    (2, 1.2, 1)
    """
    if ord(ch) >= 0x2E80:
        return 2
    if ch.isupper() or ch in "mwMW@%":
        return 1.2
    return 1


def text_width(text: str) -> int:
    """The width a one-line ``text`` needs, rounded up (padding not included).

    >>> text_width("Ab 客服")
    8
    """
    return math.ceil(sum(char_width(ch) for ch in str(text)))


def longest_word(text: str) -> int:
    """The width of the widest word: the narrowest column that wraps ``text`` without breaking a word
    (a CJK run may break anywhere, so it counts one character).

    >>> longest_word("Performance pay"), longest_word("绩效工资")
    (12, 2)
    """
    words = [w for w in str(text).split() if w]
    best = 0.0
    for w in words:
        best = max(best, 2 if any(ord(ch) >= 0x2E80 for ch in w) else sum(char_width(ch) for ch in w))
    return math.ceil(best)


def lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` wide (words kept whole; CJK breaks
    between any two characters; explicit line breaks kept).

    >>> lines("主管评分（0–10）：每累计提 5 条经验加 1 分", 20), lines("", 10)
    (3, 1)
    """
    room = max(1.0, width - PAD)
    total = 0
    for para in str(text).split("\n"):
        n, used = 1, 0.0
        for token in _tokens(para):
            w = sum(char_width(ch) for ch in token)
            if token == " ":
                used += w if used else 0
                continue
            if used + w > room and used > 0:
                n, used = n + 1, 0.0
            while w > room:  # a word longer than the line: it breaks anyway
                n, w = n + 1, w - room
            used += w
        total += n
    return max(1, total)


def row_height(n_lines: int) -> float:
    """Points for ``n_lines`` lines of body text.

    >>> row_height(1), row_height(3)
    (19.0, 49.0)
    """
    return n_lines * LINE_POINTS + 4


def _tokens(text: str) -> list[str]:
    """Words, single spaces and single CJK characters, in order."""
    out: list[str] = []
    word = ""
    for ch in text:
        if ch == " " or ord(ch) >= 0x2E80:
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        else:
            word += ch
    if word:
        out.append(word)
    return out
