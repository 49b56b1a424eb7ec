"""Values, formulas, tables and merges into a live sheet, in as few range calls as possible.

How a value becomes a cell is :func:`xlreports.excel.write.plan.cell_value`; what is particular
to a live sheet is that **every str is written with a leading apostrophe** (``"'" + text``).
Excel treats text assigned to ``Range.Value`` like typing: ``=…`` becomes a formula, ``00123``
the number 123, ``2026-10`` a date, ``75%`` 0.75, and a leading ``'`` is eaten. The apostrophe
makes Excel store the rest verbatim as text (the cell's "quote prefix"); the value reads back
without it. Number format ``@`` was rejected: it would replace the spec's number format and turn
whatever people type into the cell later into text too.

Values go in one ``range.value = 2-D list`` per band of consecutive non-empty rows (at most
:data:`CHUNK_CELLS` cells a call), formulas in one ``range.formula`` per rectangle of formula
cells, merges in multi-area ranges of at most :data:`MAX_ADDRESS` characters.

>>> rectangles([(1, 1), (1, 2), (2, 1), (2, 2)]), address_chunks([(1, 1, 2, 2), (4, 4, 4, 4)])
([(1, 1, 2, 2)], ['A1:B2,D4'])
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Sequence

from xlreports.a1 import addr
from xlreports.excel.write.plan import cell_value, clean_text, formula_text
from xlreports.layout.spec import Cell, TableBlock

__all__ = ["CHUNK_CELLS", "MAX_ADDRESS", "excel_value", "rectangles", "address", "address_chunks",
           "merge_across", "write_values", "write_formulas", "write_table_values", "write_merges"]

CHUNK_CELLS = 60_000  # cells per range.value call: large enough to be few calls, small enough for COM
MAX_ADDRESS = 255  # Excel's Range("A1:B2,C3,…") accepts at most 255 characters

Rect = tuple[int, int, int, int]  # (r1, c1, r2, c2)


def excel_value(value: Any) -> Any:
    """A spec value as assigned to ``Range.value``: text quote-prefixed (it stays text), blanks None.

    >>> excel_value("=cmd|' /C calc'!A0"), excel_value("0012"), excel_value(float("nan")), excel_value(3)
    ("'=cmd|' /C calc'!A0", "'0012", None, 3)
    """
    kind, value, _, _ = cell_value(value)
    if kind == "blank":
        return None
    return "'" + value if kind == "text" else value


def _text_value(text: str | None) -> str | None:
    text = clean_text(text) if text else None
    return "'" + text if text else None


def _bands(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Runs of consecutive numbers: [1, 2, 3, 7] → [(1, 3), (7, 7)]."""
    out: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


def rectangles(cells: Iterable[tuple[int, int]]) -> list[Rect]:
    """Cover a set of cells with rectangles (r1, c1, r2, c2): runs on each row, merged downwards
    while the next row has the same run.

    >>> rectangles([(1, 1), (1, 2), (2, 1), (2, 2), (3, 2), (5, 5)])
    [(1, 1, 2, 2), (3, 2, 3, 2), (5, 5, 5, 5)]
    """
    by_row: dict[int, list[int]] = defaultdict(list)
    for r, c in cells:
        by_row[r].append(c)
    done: list[Rect] = []
    open_: dict[tuple[int, int], list[int]] = {}
    for r in sorted(by_row):
        still: dict[tuple[int, int], list[int]] = {}
        for run in _bands(by_row[r]):
            span = open_.pop(run, None)
            if span is not None and span[1] == r - 1:
                span[1] = r
                still[run] = span
            else:
                if span is not None:
                    done.append((span[0], run[0], span[1], run[1]))
                still[run] = [r, r]
        done += [(r1, c1, r2, c2) for (c1, c2), (r1, r2) in open_.items()]
        open_ = still
    done += [(r1, c1, r2, c2) for (c1, c2), (r1, r2) in open_.items()]
    return sorted(done)


def merge_across(rects: list[Rect]) -> list[Rect]:
    """Join rectangles side by side over the same rows (a table's equally formatted columns).

    >>> merge_across([(2, 1, 9, 1), (2, 2, 9, 2), (2, 4, 9, 4)])
    [(2, 1, 9, 2), (2, 4, 9, 4)]
    """
    out: list[Rect] = []
    for r1, c1, r2, c2 in sorted(rects, key=lambda t: (t[0], t[2], t[1])):
        if out and out[-1][0] == r1 and out[-1][2] == r2 and out[-1][3] == c1 - 1:
            out[-1] = (r1, out[-1][1], r2, c2)
        else:
            out.append((r1, c1, r2, c2))
    return sorted(out)


def address(r1: int, c1: int, r2: int, c2: int) -> str:
    """A rectangle's A1 address; one cell without the colon.

    >>> address(2, 1, 9, 3), address(4, 4, 4, 4)
    ('A2:C9', 'D4')
    """
    first = addr(r1, c1)
    return first if (r1, c1) == (r2, c2) else f"{first}:{addr(r2, c2)}"


def address_chunks(rects: Sequence[Rect], limit: int = MAX_ADDRESS) -> list[str]:
    """Multi-area addresses ("A1:B2,D4") of at most ``limit`` characters covering ``rects``.

    >>> address_chunks([(1, 1, 2, 2), (4, 4, 4, 4), (6, 1, 6, 1)], limit=8)
    ['A1:B2,D4', 'A6']
    """
    chunks: list[str] = []
    current = ""
    for rect in rects:
        part = address(*rect)
        if current and len(current) + 1 + len(part) > limit:
            chunks.append(current)
            current = part
        else:
            current = f"{current},{part}" if current else part
    if current:
        chunks.append(current)
    return chunks


def write_values(sheet, cells: dict[tuple[int, int], Cell]) -> None:
    """One ``range.value`` per band of consecutive rows holding literal values (chunked)."""
    by_row: dict[int, dict[int, Any]] = defaultdict(dict)
    for (r, c), cell in cells.items():
        if cell.formula is None:
            value = excel_value(cell.value)
            if value is not None:
                by_row[r][c] = value
    for r1, r2 in _bands(by_row):
        c1 = min(min(by_row[r]) for r in range(r1, r2 + 1))
        c2 = max(max(by_row[r]) for r in range(r1, r2 + 1))
        step = max(1, CHUNK_CELLS // (c2 - c1 + 1))
        for top in range(r1, r2 + 1, step):
            bottom = min(r2, top + step - 1)
            grid = [[by_row[r].get(c) for c in range(c1, c2 + 1)] for r in range(top, bottom + 1)]
            sheet.range((top, c1), (bottom, c2)).value = grid


def write_formulas(sheet, cells: dict[tuple[int, int], Cell]) -> None:
    """One ``range.formula`` per rectangle of formula cells (after the values)."""
    formulas = {key: formula_text(c.formula) for key, c in cells.items() if c.formula is not None}
    for r1, c1, r2, c2 in rectangles(formulas):
        grid = [[formulas[(r, c)] for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        sheet.range((r1, c1), (r2, c2)).formula = grid


def _column_values(column) -> list[Any]:
    """A table column as assigned to Excel (polars columns by dtype, without a call per value)."""
    dtype = getattr(column, "dtype", None)
    if dtype is not None and hasattr(column, "to_list"):
        import polars as pl

        if dtype.is_integer():
            return column.to_list()
        if dtype.is_float() and not column.is_infinite().any():
            return column.fill_nan(None).to_list()
        if dtype == pl.String:
            return [_text_value(v) for v in column.to_list()]
    values = column.to_list() if hasattr(column, "to_list") else list(column)
    return [excel_value(v) for v in values]


def write_table_values(sheet, block: TableBlock) -> None:
    """A TableBlock's header row, then its data in chunks of rows (one ``range.value`` each)."""
    right = block.left + len(block.headers) - 1
    sheet.range((block.top, block.left), (block.top, right)).value = [[excel_value(h) for h in block.headers]]
    if not block.n_rows:
        return
    columns = [_column_values(c) for c in block.columns]
    step = max(1, CHUNK_CELLS // max(1, len(columns)))
    for start in range(0, block.n_rows, step):
        stop = min(block.n_rows, start + step)
        grid = [list(row) for row in zip(*(col[start:stop] for col in columns))]
        top = block.top + 1 + start
        sheet.range((top, block.left), (top + stop - start - 1, right)).value = grid


def write_merges(sheet, merges: list[Rect]) -> None:
    """Merge in multi-area ranges, after the values (covered cells are empty: Excel never asks)."""
    for chunk in address_chunks(sorted(merges)):
        sheet.range(chunk).merge()
