"""A1 references: column letters, cell addresses, quoted sheet names, absolute ranges.

The one place the project spells a cell reference, used by rules (errors name cells), layouts
(formulas), readers and writers alike; a leaf module like :mod:`xlreports.errors`.

>>> sheet_ref("考核表-张三", 7, 7)
"'考核表-张三'!G7"
>>> column_index("AB"), col_letter(28), split_cell("$C$12")
(28, 'AB', (12, 3))
"""
from __future__ import annotations

import re
from functools import lru_cache

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_PART = re.compile(r"([A-Za-z]*)(\d*)")


@lru_cache(maxsize=None)
def col_letter(col: int) -> str:
    """1 → "A", 27 → "AA".

    >>> col_letter(28)
    'AB'
    """
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Column letters → 1-based column number (A → 1, AA → 27, XFD → 16384).

    >>> column_index("A"), column_index("aa"), column_index("XFD")
    (1, 27, 16384)
    """
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def addr(row: int, col: int, *, absolute: bool = False) -> str:
    """(2, 3) → "C2"; absolute → "$C$2".

    >>> addr(2, 3, absolute=True)
    '$C$2'
    """
    if absolute:
        return f"${col_letter(col)}${row}"
    return f"{col_letter(col)}{row}"


def split_cell(ref: str) -> tuple[int, int]:
    """"C12" or "$C$12" → (12, 3); ValueError for anything else.

    >>> split_cell("AA1")
    (1, 27)
    """
    m = _CELL.match(ref)
    if not m:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), column_index(m.group(1))


def quote_sheet(name: str) -> str:
    """A sheet name as a formula needs it: always quoted, quotes doubled.

    >>> quote_sheet("Bob's")
    "'Bob''s'"
    """
    return "'" + name.replace("'", "''") + "'"


def sheet_ref(sheet: str, row: int, col: int, *, absolute: bool = False) -> str:
    """A reference into another sheet, quoted as Excel needs: '考核表-张三'!G7.

    >>> sheet_ref("考核方案", 5, 3, absolute=True)
    "'考核方案'!$C$5"
    """
    return f"{quote_sheet(sheet)}!{addr(row, col, absolute=absolute)}"


def absolute(ref: str) -> str:
    """"A1:C9" → "$A$1:$C$9"; "1:3" → "$1:$3"; "A:B" → "$A:$B" (defined names want absolute refs).

    >>> absolute("A1:C9"), absolute("1:3"), absolute("A:B")
    ('$A$1:$C$9', '$1:$3', '$A:$B')
    """
    out = []
    for part in ref.replace("$", "").split(":"):
        m = _PART.fullmatch(part)
        if m is None:
            raise ValueError(f"bad range {ref!r}")
        letters, digits = m.groups()
        out.append((f"${letters.upper()}" if letters else "") + (f"${digits}" if digits else ""))
    return ":".join(out)
