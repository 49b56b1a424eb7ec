"""Row heights that fit wrapped text: how many lines a text takes in a column of a given width.

Excel does not grow a row for wrapped text in a merged cell, nor when the file gives the row a
height, so layouts that print (forms people sign) set heights themselves. How wide a text prints and
where it wraps is `text_width`'s one model (a column width in Excel's units, the width of "0" at 11 pt;
a Chinese character two of them, a Latin letter about one, words kept whole); this module scales it
by the font size and turns lines into points. Estimates err on the tall side: a clipped line is worse
than a little white space.

>>> wrapped_lines("主推单品销售额 ÷ 主推目标；≥100% 加 1 分，80%–100% 不加减，低于 80% 扣 1 分", 26, 9)
3
>>> fitted_height([("满分 10", 26, 9), ("主管评分 0–10", 28, 9)])
20.0
"""
from __future__ import annotations

from functools import lru_cache

from xlreports.layout.text_width import PAD, lines

BASE_SIZE = 11.0  # the font whose "0" defines Excel's column width unit
LINE_FACTOR = 1.4  # line height / font size of the CJK fonts Excel, WPS and LibreOffice use
PADDING = 4.0  # points above and below the text
MIN_HEIGHT = 20.0


@lru_cache(maxsize=4096)  # every form repeats the scheme's texts: 500 forms measure the same few dozen
def wrapped_lines(text: str, width: float, size: float = BASE_SIZE) -> int:
    """Lines ``text`` takes when wrapped in a column ``width`` units wide at ``size`` points
    (its own line breaks kept; at least 1).

    >>> wrapped_lines("", 10), wrapped_lines("a\\nb", 10), wrapped_lines("x" * 30, 10)
    (1, 2, 4)
    """
    room = max(1.0, (width - 1) * BASE_SIZE / size)  # a cell's inner margin takes about one unit
    return lines(text, room + PAD)  # `lines` takes its padding off the width it is given


def fitted_height(cells, minimum: float = MIN_HEIGHT) -> float:
    """Row height in points that shows every (text, width, size) of a row's wrapped cells.

    >>> fitted_height([("询单人数 ÷ 接待人数，每月至少 2 条经验，主管每周抽查一次聊天记录", 26, 9)])
    41.8
    """
    needed = [wrapped_lines(text, width, size) * size * LINE_FACTOR + PADDING
              for text, width, size in cells if text not in (None, "")]
    return max([minimum, *[round(n, 1) for n in needed]])
