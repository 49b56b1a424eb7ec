"""Tables longer than one sheet: a tab continues in 名称(2), 名称(3) … with the same header.

Excel holds 1,048,576 rows a sheet; a table with a header row holds ``ROWS_PER_SHEET`` rows of data.

>>> part_name("客户档案", 1), part_name("客户档案", 3)
('客户档案', '客户档案(3)')
>>> part_number("客户档案(2)", "客户档案"), part_number("客户档案", "客户档案"), part_number("客户档案x", "客户档案")
(2, 1, None)
>>> list(part_ranges(5, 2)), list(part_ranges(0, 2))
([(0, 2), (2, 4), (4, 5)], [(0, 0)])
"""
from __future__ import annotations

import re
from typing import Iterator

from xlreports.layout.spec import HEADER, MAX_ROW, SheetSpec, TableBlock

ROWS_PER_SHEET = MAX_ROW - 1  # 1,048,575: one header row


def part_name(base: str, k: int) -> str:
    """The k-th (1-based) tab of a table: the base name, then 名称(2), 名称(3) …"""
    return base if k == 1 else f"{base}({k})"


def part_number(name: str, base: str) -> int | None:
    """Which part of ``base`` a tab name is (1 for the base itself), None when it is no part of it."""
    if name == base:
        return 1
    m = re.fullmatch(re.escape(base) + r"\((\d+)\)", name)
    return int(m.group(1)) if m and int(m.group(1)) >= 2 else None


def parts_of(names: list[str], base: str) -> list[str]:
    """The tabs of ``base`` among ``names``, in part order.

    >>> parts_of(["客户档案(2)", "说明", "客户档案"], "客户档案")
    ['客户档案', '客户档案(2)']
    """
    found = [(part_number(n, base), n) for n in names]
    return [n for k, n in sorted((k, n) for k, n in found if k is not None)]


def part_ranges(n_rows: int, per_sheet: int = ROWS_PER_SHEET) -> Iterator[tuple[int, int]]:
    """(start, end) row slices of each part; one (empty) part for an empty table."""
    if n_rows <= 0:
        yield 0, 0
        return
    for start in range(0, n_rows, per_sheet):
        yield start, min(start + per_sheet, n_rows)


def split_ranges(n_rows: int, first: int, per_sheet: int = ROWS_PER_SHEET) -> list[tuple[int, int]]:
    """Row slices when the first tab holds ``first`` rows (it has other content above) and each
    continuation tab ``per_sheet``.

    >>> split_ranges(7, 3, 2), split_ranges(2, 3, 2)
    ([(0, 3), (3, 5), (5, 7)], [(0, 2)])
    """
    out = [(0, min(first, n_rows))]
    out += [(s, min(s + per_sheet, n_rows)) for s in range(first, n_rows, per_sheet)]
    return out


def continuation_sheet(name: str, headers: list[str], columns: list, styles: list, tab_color: str | None,
                       widths: dict[int, float] | None = None) -> SheetSpec:
    """A continuation tab: the table's header in row 1, its rows below, frozen under the header.

    >>> continuation_sheet("客户分群(2)", ["买家会员名"], [["a"]], [None], None).tables[0].n_rows
    1
    """
    spec = SheetSpec(name, freeze="A2", tab_color=tab_color,
                     tables=[TableBlock(1, 1, headers, columns, styles, HEADER)])
    spec.col_widths.update(widths or {})
    return spec
