"""Finding an agent's figure in a generated table by her name, never by her row.

People sort and filter 考核数据, 考核汇总 and 工资表 between runs; a formula pointing at a fixed
row (``='考核汇总'!$W$3``) then reads another agent's figure. Every cross-sheet reference to an
agent's row is therefore ``INDEX(column, MATCH("name", 客服 column, 0))`` over the table's fixed
body range (absolute, so a sort inside it keeps the range; rows inserted inside it widen it).
Only INDEX and MATCH: Excel, WPS, LibreOffice and Gnumeric all have them.

MATCH with 0 treats * ? ~ in text as wildcards in every one of those programs, so the name is
written with ~ before each of them. MATCH also ignores case: two agents whose names differ only in
case ("Amy", "amy") cannot be told apart by it, so their cells are referenced by row (right until
the table is sorted; the reader should refuse such names as duplicates).

>>> t = TableRefs("考核汇总", 3, 16, {"客服": 1, "绩效工资": 23})
>>> print(t.lookup("小美", "绩效工资"))
INDEX('考核汇总'!$W$3:$W$16,MATCH("小美",'考核汇总'!$A$3:$A$16,0))
>>> print(match_key('A*"b'))
"A~*""b"
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from xlreports.a1 import col_letter, quote_sheet, sheet_ref
from xlreports.kinds.base import quote

KEY_COLUMN = "客服"
_WILDCARD = re.compile(r"([~*?])")


def match_key(name: str) -> str:
    """An agent's name as MATCH's exact-match lookup value: a string literal, wildcards escaped.

    >>> match_key("小美"), match_key("a?~")
    ('"小美"', '"a~?~~"')
    """
    return quote(_WILDCARD.sub(r"~\1", name))


@dataclass
class TableRefs:
    """A table of one row per agent: its sheet, body rows ``first``..``last``, columns by key and the
    row each agent was written in."""

    sheet: str
    first: int
    last: int
    cols: dict[str, int]
    rows: dict[str, int] = field(default_factory=dict)

    @cached_property
    def _case_twins(self) -> set[str]:
        counts = Counter(name.casefold() for name in self.rows)
        return {name for name in self.rows if counts[name.casefold()] > 1}

    @cached_property
    def _ranges(self) -> dict[str, str]:
        quoted, last = quote_sheet(self.sheet), max(self.last, self.first)
        return {key: f"{quoted}!${col_letter(c)}${self.first}:${col_letter(c)}${last}" for key, c in self.cols.items()}

    def column_range(self, column: str) -> str:
        """The body of one column, absolute: '考核数据'!$E$2:$E$15."""
        return self._ranges[column]

    def lookup(self, agent: str, column: str) -> str:
        """``agent``'s cell in ``column``, found by her name in the 客服 column (no '=').

        >>> TableRefs("数据", 2, 3, {"客服": 1, "x": 2}, {"Amy": 2, "amy": 3}).lookup("amy", "x")
        "'数据'!$B$3"
        """
        if agent in self._case_twins:
            return sheet_ref(self.sheet, self.rows[agent], self.cols[column], absolute=True)
        return f"INDEX({self.column_range(column)},MATCH({match_key(agent)},{self.column_range(KEY_COLUMN)},0))"
