"""What a cell written to a workbook may hold: numbers of a sane size, text XML can carry.

Shared by the readers (agent data, orders) and the rules sheets, so a value that would make the
written workbook unreadable is caught where it is read, with its cell.

>>> safe_text("张\\x01三"), MAX_NUMBER > 1e12
('张三', True)
"""
from __future__ import annotations

import re

MAX_NUMBER = 1e15  # beyond this a cell holds no count, amount or rate of a shop (Excel keeps 15 digits)
# Characters XML 1.0 cannot hold: a workbook with one of them in a cell opens in no spreadsheet program.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def safe_text(text: str, *, one_line: bool = False) -> str:
    r"""Text a workbook can hold: XML-illegal control characters removed; with ``one_line``, tabs and
    line breaks become one space (a name that is also a sheet name and a lookup key).

    >>> safe_text("张\x01三\x0b"), safe_text("张\n三\t丰", one_line=True), safe_text("a\nb")
    ('张三', '张 三 丰', 'a\nb')
    """
    s = XML_ILLEGAL.sub("", text)
    return _LINE_BREAKS.sub(" ", s).strip() if one_line else s
