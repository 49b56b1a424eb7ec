"""The open Excel workbook as a rows source, through xlwings (the add-in's reader).

:class:`XlwingsRows` gives a book open in Excel the same :class:`~xlreports.excel.read.source.RowsSource`
protocol as :class:`~xlreports.excel.read.source.WorkbookRows` gives a file, so the jobs read
both alike. It takes an xlwings ``Book`` and imports nothing of xlwings itself (so importing it
never loads xlwings); what it touches of the xlwings API is listed in
``xlreports.excel.xlwings_api.XLWINGS_API_USED``.

>>> class _Sheet:
...     name = "客服"
...     class used_range:
...         class last_cell:
...             row, column = 2, 2
...     def range(self, a, b):
...         return self
...     def options(self, ndim):
...         return self
...     value = [["客服", "询单人数"], ["张三", 12.0]]
>>> class _Book:
...     name, sheets = "shop.xlsx", [_Sheet()]
>>> XlwingsRows(_Book()).rows(" 客服 ")
SheetRows(sheet='客服', rows=[['客服', '询单人数'], ['张三', 12]])
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from xlreports.excel.read.source import FRAME_DTYPES, OrderSource, SheetRows, find_name, sheet_not_found, trim_rows
from xlreports.excel.read.tables import coerce
from xlreports.excel.read.typed_cells import TypedColumns, shows_time
from xlreports.model.orders import is_order_sheet


def _plain(value: Any) -> Any:
    """A value as the file readers see it: whole-number floats as int (Excel stores doubles)."""
    if type(value) is float and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


class XlwingsRows:
    """The live workbook as a :class:`~xlreports.excel.read.source.RowsSource` (``names``, ``find``,
    ``rows``, ``frame``, ``typed_columns``, ``formulas``, ``order_sources``), as
    :class:`~xlreports.excel.read.source.WorkbookRows` is for a file.

    Values are read once per sheet, with one ``range.value`` from A1 to the used range's last
    cell (so row 1 is rows[0] even when the used range starts lower). Whole numbers come back
    from Excel as floats and are turned into int, as openpyxl reads them from a file.
    """

    def __init__(self, book):
        self.book = book
        self._sheets = {s.name: s for s in book.sheets}
        self.names = list(self._sheets)
        self._values: dict[str, list[list[Any]]] = {}

    def find(self, sheet: str) -> str | None:
        """The sheet's actual name (case/space-insensitive match), or None."""
        return find_name(sheet, self.names)

    def _read(self, name: str) -> list[list[Any]]:
        if name not in self._values:
            sheet = self._sheets[name]
            last = sheet.used_range.last_cell
            values = sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value
            self._values[name] = [[_plain(v) for v in row] for row in (values or [])]
        return self._values[name]

    def rows(self, sheet: str) -> SheetRows:
        """The sheet's cell values; InputErrors when there is no such sheet."""
        name = self.find(sheet)
        if name is None:
            raise sheet_not_found(sheet, self.names)
        return SheetRows(name, trim_rows(self._read(name)))

    def frame(self, sheet: str, dtypes: dict[str, str] | None = None):
        """The sheet as a polars DataFrame: row 1 is the header (blank headers → ``__UNNAMED__<j>``),
        numbers Float64, dates Datetime, mixed or empty columns String (as fastexcel reads a file).
        ``dtypes`` forces columns to "string" (default: ``FRAME_DTYPES``, as ``WorkbookRows.frame``).
        None when the sheet is missing or empty."""
        if dtypes is None:
            dtypes = FRAME_DTYPES

        name = self.find(sheet)
        if name is None:
            return None
        rows = trim_rows(self._read(name))
        if not rows:
            return None
        width = max(len(r) for r in rows)
        header = list(rows[0]) + [None] * (width - len(rows[0]))
        names: list[str] = []
        for j, h in enumerate(header):
            label = f"__UNNAMED__{j}" if h is None or str(h).strip() == "" else _text(h)
            while label in names:
                label += "_1"
            names.append(label)
        body = [list(r) + [None] * (width - len(r)) for r in rows[1:]]
        forced = {k for k, v in (dtypes or {}).items() if v == "string"}
        series = [_series(label, [r[j] for r in body], label in forced) for j, label in enumerate(names)]
        return pl.DataFrame(series)

    def typed_columns(self, sheet: str, pick) -> TypedColumns | None:
        """The cells of the columns ``pick(header)`` chooses, as Excel holds them (whole numbers int,
        dates with the number format of the column's first date cell), as ``WorkbookRows.typed_columns``."""
        name = self.find(sheet)
        if name is None:
            return None
        rows = trim_rows(self._read(name))
        out = TypedColumns(list(rows[0]) if rows else [])
        for c in sorted({int(c) for c in pick(out.header)}):
            cells, fmt = [], None
            for r, row in enumerate(rows[1:], start=2):
                value = row[c] if c < len(row) else None
                if value is None or value == "":
                    continue
                if isinstance(value, dt.datetime):
                    if fmt is None:  # one call per column: Excel's API is slow cell by cell
                        fmt = self._sheets[name].range((r, c + 1)).number_format or "General"
                    if value.time() == dt.time() and not shows_time(fmt):
                        value = value.date()
                cells.append((r, value, fmt if isinstance(value, (dt.date, dt.datetime)) else None))
            out.columns[c] = cells
        return out

    def formulas(self, sheet: str) -> dict[tuple[int, int], str]:
        """``(row, col)`` → formula text of the sheet's formula cells, with one ``range.formula`` over
        the used range (Excel gives a constant's text for the other cells); {} for a missing sheet."""
        name = self.find(sheet)
        if name is None:
            return {}
        s = self._sheets[name]
        last = s.used_range.last_cell
        grid = s.range((1, 1), (last.row, last.column)).formula
        if not isinstance(grid, (list, tuple)):  # one cell
            grid = [[grid]]
        return {(r, c): text for r, row in enumerate(grid, start=1) for c, text in enumerate(row, start=1)
                if isinstance(text, str) and text.startswith("=")}

    def order_sources(self) -> list[OrderSource]:
        """The pasted order exports of the live book (sheets named 订单… / ExportOrderList…), with
        their cell values, for :func:`xlreports.excel.read.orders.read_orders`."""
        return [OrderSource(Path(str(self.book.name)), n, rows=self.rows(n).rows)
                for n in self.names if is_order_sheet(n)]

    def close(self) -> None:
        self._values.clear()

    def __enter__(self) -> "XlwingsRows":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _text(value: Any) -> str:
    return coerce(value, "text") if not isinstance(value, str) else value


def _series(name: str, values: list[Any], as_text: bool):
    present = [v for v in values if v is not None and not (isinstance(v, str) and v == "")]
    kinds = {("bool" if isinstance(v, bool) else "number" if isinstance(v, (int, float))
              else "datetime" if isinstance(v, (dt.datetime, dt.date)) else "text") for v in present}
    if as_text or not present or len(kinds) > 1 or kinds == {"text"}:
        return pl.Series(name, [None if v is None else _text(v) for v in values], dtype=pl.String)
    kind = kinds.pop()
    if kind == "number":
        return pl.Series(name, [None if v is None else float(v) for v in values], dtype=pl.Float64)
    if kind == "bool":
        return pl.Series(name, values, dtype=pl.Boolean)
    stamps = [None if v is None else (v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day))
              for v in values]
    return pl.Series(name, stamps, dtype=pl.Datetime("ms"))
