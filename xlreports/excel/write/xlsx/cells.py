"""Cell XML: one value at a time (Python), or whole table columns at a time (polars).

A piece is a cell's XML after ``<c r=".."`` up to, not including, its last '>' (the
polars path joins cells with '>' as the CSV separator). How a value becomes a cell is
:func:`xlreports.excel.write.plan.cell_value`: strings are inline text (``t="inlineStr"``),
never formulas; text that looks like one gets Excel's quote prefix.

>>> from xlreports.excel.write.xlsx.styles import Styles
>>> py_piece("=1+1", None, Styles(None))
' s="1" t="inlineStr"><is><t>=1+1</t></is></c'
>>> py_piece(2.5, None, Styles(None))
'><v>2.5</v></c'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from openpyxl.utils.datetime import to_excel

from xlreports.excel.ooxml import text as xml_text
from xlreports.excel.write.plan import (
    DEFAULT_FORMATS, FORMULA_LEADS, ILLEGAL_XML_CHARS, MAX_TEXT, cell_value, clean_text,
)
from xlreports.excel.write.xlsx.styles import Styles
from xlreports.layout.spec import Cell, Style, TableBlock

__all__ = ["py_piece", "formula_piece", "Column", "Block", "polars_cell", "load_polars"]

# Excel's serial day 0 is 1899-12-30; polars dates count from 1970-01-01.
EPOCH_OFFSET = 25569
# The polars (Rust regex) forms of plan's text rules.
_LEADS_PL = r"^[=+\-@]"  # FORMULA_LEADS
_EDGE_SPACE_PL = r"^\s|\s$"
# Any of: something to remove or escape, a formula lead, spaces at an end.
_SPECIAL_TEXT_PL = rf"[&<>{ILLEGAL_XML_CHARS[1:-1]}]|{_LEADS_PL}|{_EDGE_SPACE_PL}"


def _blank(s_attr: str) -> str:
    return f"{s_attr}/"


def _number(value) -> str | None:
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    if isinstance(value, int):
        return str(value)
    value = float(value)
    return repr(value) if math.isfinite(value) else None


def _text_piece(text: str, style: Style | None, styles: Styles) -> str:
    text = clean_text(text)
    sid = styles.xf(style, None, text.startswith(FORMULA_LEADS))
    s_attr = f' s="{sid}"' if sid else ""
    if not text:
        return _blank(s_attr)
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f'{s_attr} t="inlineStr"><is><t{space}>{xml_text(text)}</t></is></c'


def py_piece(value, style: Style | None, styles: Styles) -> str:
    """One cell's piece for a Python value (see the module example)."""
    kind = type(value)
    if kind is str:  # the common cases first: this runs once per cell
        return _text_piece(value, style, styles)
    if value is None:
        sid = styles.xf(style)
        return _blank(f' s="{sid}"' if sid else "")
    if kind is not float and kind is not int:
        kind, value, number_format, _ = cell_value(value)
        if kind == "text":
            return _text_piece(value, style, styles)
        if kind == "bool":
            sid = styles.xf(style)
            s_attr = f' s="{sid}"' if sid else ""
            return f'{s_attr} t="b"><v>{int(value)}</v></c'
        if kind == "date":
            sid = styles.xf(style, number_format)
            return f' s="{sid}"><v>{to_excel(value)!r}</v></c'
        if kind == "blank":
            value = None
    sid = styles.xf(style)
    s_attr = f' s="{sid}"' if sid else ""
    number = None if value is None else _number(value)
    return _blank(s_attr) if number is None else f"{s_attr}><v>{number}</v></c"


def formula_piece(cell: Cell, cached_value, styles: Styles) -> str:
    """A formula cell's piece, with ``cached_value`` as its stored result (None: none).

    >>> formula_piece(Cell(formula="=A1*2"), 4, Styles(None))
    '><f>A1*2</f><v>4</v></c'
    """
    sid = styles.xf(cell.style)
    s_attr = f' s="{sid}"' if sid else ""
    formula = xml_text(clean_text(cell.formula[1:] if cell.formula.startswith("=") else cell.formula))
    if cached_value is None:
        return f"{s_attr}><f>{formula}</f></c"
    if type(cached_value) is float or type(cached_value) is int:  # the usual case, once per formula
        number = _number(cached_value)
        return f"{s_attr}><f>{formula}</f>" + (f"<v>{number}</v></c" if number is not None else "</c")
    try:
        kind, value, _, _ = cell_value(cached_value)
    except TypeError:
        kind, value = "text", clean_text(str(cached_value))
    if isinstance(cached_value, str):  # "" too: a formula's cached result may be empty text
        kind, value = "text", clean_text(cached_value)
    if kind == "bool":
        return f'{s_attr} t="b"><f>{formula}</f><v>{int(value)}</v></c'
    if kind == "date":
        value, kind = to_excel(value), "number"
    if kind == "number":
        number = _number(value)
        return f"{s_attr}><f>{formula}</f>" + (f"<v>{number}</v></c" if number is not None else "</c")
    if kind == "blank":
        return f"{s_attr}><f>{formula}</f></c"
    return f'{s_attr} t="str"><f>{formula}</f><v>{xml_text(value)}</v></c'


# --------------------------------------------------------------------------- tables


def load_polars():
    """The polars module, or None where it is not installed (tables then take the Python path)."""
    try:
        import polars
    except ImportError:  # pragma: no cover - polars is optional
        return None
    return polars


class Column:
    """One table column, ready to be formatted: a polars Series, or a Python list."""

    def __init__(self, values, style: Style | None, styles: Styles, pl):
        self.style = style
        self.series = None
        self.values = values
        if pl is not None:
            if isinstance(values, pl.Series):
                self.series = values
            elif isinstance(values, (list, tuple)):
                try:  # homogeneous lists go the fast way too
                    series = pl.Series(values=list(values), strict=True)
                except Exception:  # noqa: BLE001 - mixed types: the Python path
                    series = None
                if len({type(v) for v in values if v is not None}) > 1:
                    # Mixed types (38 and "38.5码", 38 and 38.5): each cell keeps its own type, formatted
                    # here once per cell, so only this column pays for the Python path.
                    self.kind, self.sid = "piece", None
                    self.series = pl.Series([py_piece(v, style, styles) for v in values], dtype=pl.String)
                    self._list = None
                    return
                if (series is not None and _polars_kind(pl, series.dtype) is not None
                        and not getattr(series.dtype, "time_zone", None)):  # polars would make it UTC
                    self.series = series
        if self.series is not None:
            self.kind = _polars_kind(pl, self.series.dtype)
            if self.kind is None:
                raise TypeError(f"cannot write a polars column of type {self.series.dtype} into cells")
            fmt = {"date": DEFAULT_FORMATS[date], "datetime": DEFAULT_FORMATS[datetime],
                   "time": DEFAULT_FORMATS[time], "duration": DEFAULT_FORMATS[timedelta]}.get(self.kind)
            self.sid = styles.xf(style, fmt)
            self.sid_quote = styles.xf(style, None, True) if self.kind == "text" else self.sid
        self._list = None

    def __len__(self) -> int:
        return len(self.series) if self.series is not None else len(self.values)

    def value(self, i: int):
        """The i-th value as a Python object (for rows written cell by cell)."""
        if self.series is None or self.kind == "piece":
            return self.values[i]
        if self._list is None:
            self._list = self.series.to_list()
        return self._list[i]


def _polars_kind(pl, dtype) -> str | None:
    if dtype == pl.Null:
        return "null"
    if dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum)) or dtype == pl.Categorical:
        return "text"
    if dtype == pl.Boolean:
        return "bool"
    if dtype.is_integer():
        return "int"
    if dtype.is_float() or isinstance(dtype, pl.Decimal):
        return "float"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    if dtype == pl.Time:
        return "time"
    if isinstance(dtype, pl.Duration):
        return "duration"
    return None


def _serial_fix(pl, days):
    """Excel's 1900 leap-year bug: serials 1..60 are one day off (as openpyxl's to_excel)."""
    return pl.when((days >= 1) & (days < 61)).then(days - 1).otherwise(days)


def _cat(pl, *parts):
    """concat_str of literals (str) and expressions, adjacent literals merged into one."""
    merged: list = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    if len(merged) == 1 and isinstance(merged[0], str):
        return pl.lit(merged[0])
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in merged])


def polars_cell(pl, col: Column, name: str, data, head: list):
    """A polars expression giving each cell's XML, without its last '>'.

    ``head`` opens the cell with its reference: ``['<c r="B', row, '"']``, ``row`` being an
    expression giving each row's number as text. ``data`` is this batch of the column: text
    needing no escaping, no quote prefix and no preserved spaces (the usual case) takes a
    cheaper expression, and a batch without blanks skips the blank branch.
    """
    s = f' s="{col.sid}"' if col.sid else ""
    blank = _blank(s)
    if col.kind == "null":
        return _cat(pl, *head, blank)
    parts, has_blanks = _value_parts(pl, col, pl.col(name), data, s)
    cell = _cat(pl, *head, *parts)
    # Where a value is blank the concatenation is null: the blank cell (still with its reference).
    return cell.fill_null(_cat(pl, *head, blank)) if has_blanks else cell


def _value_parts(pl, col: Column, e, data, s: str) -> tuple[list, bool]:
    """The pieces of a cell after its reference (null where blank), and whether any is blank."""
    kind = col.kind
    nulls = data.null_count() > 0
    if kind == "piece":  # formatted cell by cell (mixed types): each piece is whole, blanks included
        return [e], False
    if kind == "text":
        return _text_parts(pl, col, e, data, s)
    if kind == "bool":
        value = pl.when(e).then(pl.lit(f'{s} t="b"><v>1</v></c')).when(~e).then(pl.lit(f'{s} t="b"><v>0</v></c'))
        return [value], nulls
    if kind == "int":
        v = e.cast(pl.String)
    elif kind == "float":
        f = e.cast(pl.Float64)
        finite = bool(data.cast(pl.Float64).is_finite().all())
        v = pl.when(f.is_finite()).then(f.cast(pl.String)) if not finite else f.cast(pl.String)
        nulls = nulls or not finite
    elif kind == "date":
        v = _serial_fix(pl, e.cast(pl.Int32) + EPOCH_OFFSET).cast(pl.String)
    elif kind == "datetime":
        if getattr(col.series.dtype, "time_zone", None):
            e = e.dt.replace_time_zone(None)  # Excel has no time zones; keep wall time
        us = e.dt.cast_time_unit("us").cast(pl.Int64)
        v = _serial_fix(pl, us / 86_400_000_000 + EPOCH_OFFSET).cast(pl.String)
    elif kind == "time":
        v = (e.cast(pl.Int64) / 86_400_000_000_000).cast(pl.String)
    else:  # duration
        v = (e.dt.total_microseconds() / 86_400_000_000).cast(pl.String)
    return [f"{s}><v>", v, "</v></c"], nulls


def _text_parts(pl, col: Column, e, data, s: str) -> tuple[list, bool]:
    """Text cells' pieces: empty text is a blank cell; only the fixes this batch needs."""
    t = e.cast(pl.String) if data.dtype != pl.String else e
    text = data if data.dtype == pl.String else data.cast(pl.String)
    blanks = text.null_count() > 0 or bool((text == "").any())
    if blanks:
        t = pl.when(t != "").then(t)
    too_long = (text.str.len_chars().max() or 0) > MAX_TEXT
    if not too_long and not text.str.contains(_SPECIAL_TEXT_PL).any():  # the usual case
        return [f'{s} t="inlineStr"><is><t>', t, "</t></is></c"], blanks
    # Each fix is a pass over every string.
    if too_long:
        t = t.str.slice(0, MAX_TEXT)
    if text.str.contains(ILLEGAL_XML_CHARS).any():
        t = t.str.replace_all(ILLEGAL_XML_CHARS, "")
        blanks = True  # text of control characters only is blank now
        t = pl.when(t != "").then(t)
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if text.str.contains(char, literal=True).any():
            t = t.str.replace_all(char, entity, literal=True)
    attr: Any = s
    if text.str.contains(_LEADS_PL).any():
        sq = f' s="{col.sid_quote}"' if col.sid_quote else ""
        attr = pl.when(t.str.contains(_LEADS_PL)).then(pl.lit(sq)).otherwise(pl.lit(s))
    space: Any = ""
    if text.str.contains(_EDGE_SPACE_PL).any():
        space = pl.when(t.str.contains(_EDGE_SPACE_PL)).then(pl.lit(' xml:space="preserve"')).otherwise(pl.lit(""))
    return [attr, ' t="inlineStr"><is><t', space, ">", t, "</t></is></c"], blanks


@dataclass
class Block:
    """A table being written: its spec, its columns, and its first and last data rows."""

    spec: TableBlock
    columns: list[Column]
    first: int  # first data row
    last: int  # last data row

    @property
    def left(self) -> int:
        return self.spec.left

    @property
    def right(self) -> int:
        return self.spec.left + len(self.columns) - 1

