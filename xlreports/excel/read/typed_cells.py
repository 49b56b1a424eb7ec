"""Cells of chosen columns exactly as typed: text stays text, whole numbers int, dates dates with their
number format, booleans bool — for the columns people type into (客户档案's staff columns …).

fastexcel infers one dtype per column from its first rows, so a column whose first 1,000 values
are numbers loses its later text, and 38 comes back as 38.0. Here every cell keeps its own type,
taken from the sheet XML (``t=`` and the style's number format), without a Python step per cell
of the sheet: the XML is cut into rows and cells by polars, the wanted columns kept, and only
their cells become Python values. A sheet this reader does not take apart (prefixed XML …) is
read by openpyxl instead: slower, same result.

>>> import tempfile, pathlib, datetime as dt, openpyxl
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"
>>> wb = openpyxl.Workbook(); ws = wb.active; ws.title = "档案"
>>> for row in (["买家", "鞋码"], ["a", 38], ["b", "38.5码"], ["c", dt.datetime(2026, 1, 5)]): ws.append(row)
>>> ws["B4"].number_format = "yyyy/m/d"; wb.save(p)
>>> got = read_typed_columns(p, "档案", lambda header: [1])
>>> got.header, got.columns[1]
(['买家', '鞋码'], [(2, 38, None), (3, '38.5码', None), (4, datetime.date(2026, 1, 5), 'yyyy/m/d')])
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree import ElementTree as ET

import polars as pl

from xlreports.excel.ooxml import REL_STYLES, parse_rels, rels_path
from xlreports.a1 import column_index
from xlreports.excel.read.xlsx_scan.package import Package, XlsxParseError
from xlreports.excel.read.xlsx_scan.shared_strings import read_shared_strings
from xlreports.excel.read.xlsx_scan.text import Markup, ref_prefix_index, rich_text, unescape

CHUNK = 4 << 20
_TIME_CODES = re.compile(r"(?<!\\)[hs]|AM/PM", re.IGNORECASE)


@dataclass
class TypedColumns:
    """Row 1 (``header``, 0-based columns) and, for each chosen column, its non-empty cells below
    the header as ``(row, value, number_format)``: ``row`` 1-based, ``number_format`` for numbers
    and dates (None for General and for text)."""

    header: list[object]
    columns: dict[int, list[tuple[int, object, str | None]]] = field(default_factory=dict)


def typed_value(kind: str, v: str, fmt: str | None) -> object:
    """A cell's Python value from its XML kind and text.

    >>> typed_value("n", "38", None), typed_value("n", "38.0", None), typed_value("n", "38.5", None)
    (38, 38, 38.5)
    >>> typed_value("b", "1", None), typed_value("d", "46027", "yyyy-mm-dd"), typed_value("s", "38", None)
    (True, datetime.date(2026, 1, 5), '38')
    """
    if kind == "s":
        return v
    if kind == "b":
        return v.strip() in ("1", "true")
    if kind == "iso":
        return datetime.fromisoformat(v.strip())
    number = float(v)
    if kind == "d":
        from openpyxl.utils.datetime import from_excel

        stamp = from_excel(number)
        if isinstance(stamp, datetime) and stamp.time() == datetime.min.time() and not shows_time(fmt):
            return stamp.date()
        return stamp
    return whole(number)


def whole(number: float) -> int | float:
    """A whole-number float as int (Excel stores every number as a double).

    >>> whole(38.0), whole(38.5), whole(1e300)
    (38, 38.5, 1e+300)
    """
    if number.is_integer() and abs(number) < 2 ** 53:
        return int(number)
    return number


def shows_time(fmt: str | None) -> bool:
    """Whether a number format shows a time of day.

    >>> shows_time("yyyy/m/d"), shows_time("yyyy-mm-dd h:mm"), shows_time('yyyy"h"')
    (False, True, False)
    """
    return bool(fmt) and bool(_TIME_CODES.search(re.sub(r'"[^"]*"', "", fmt)))


def read_typed_columns(path, sheet: str, pick: Callable[[list[object]], Iterable[int]]) -> TypedColumns:
    """The cells of the columns ``pick(header)`` chooses (0-based), typed as they were typed."""
    pkg = Package(path)
    try:
        try:
            return _scan(pkg, pkg.sheet_part(sheet), pick)
        except (XlsxParseError, pl.exceptions.PolarsError, ValueError, OverflowError):
            pass
    finally:
        pkg.close()
    return _read_openpyxl(path, sheet, pick)


def _number_formats(pkg: Package) -> tuple[list[str | None], list[bool]]:
    """Per cellXfs index: the number format code (None: General) and whether it shows a date."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    part = _styles_part(pkg)
    if part is None:
        return [], []
    root = ET.fromstring(pkg.read(part))
    local = lambda el: el.tag.rsplit("}", 1)[-1]  # noqa: E731
    custom = {int(el.get("numFmtId", -1)): el.get("formatCode") for el in root.iter() if local(el) == "numFmt"}
    xfs = next((el for el in root if local(el) == "cellXfs"), None)
    codes: list[str | None] = []
    for xf in (list(xfs) if xfs is not None else []):
        fid = int(xf.get("numFmtId", 0))
        code = custom.get(fid, BUILTIN_FORMATS.get(fid))
        codes.append(None if code in (None, "General") else code)
    return codes, [bool(c) and is_date_format(c) for c in codes]


def _styles_part(pkg: Package) -> str | None:
    rels = rels_path(pkg.workbook)
    if pkg.has(rels):
        for rel in parse_rels(pkg.read(rels).decode("utf-8"), pkg.workbook):
            if rel.type == REL_STYLES and rel.part is not None:
                return rel.part
    default = posixpath.join(posixpath.dirname(pkg.workbook), "styles.xml")
    return default if pkg.has(default) else None


def _scan(pkg: Package, part: str, pick) -> TypedColumns:
    codes, dates = _number_formats(pkg)
    out = TypedColumns([])
    wanted: list[int] | None = None
    last_row = 0
    stream = pkg.stream(part, b"</row>", CHUNK)
    try:
        for data in stream:
            if b"<row" not in data:
                if re.search(rb"<\w+:(?:row|c)\b", data):
                    raise XlsxParseError("prefixed sheet XML")
                continue
            cells, last_row = _cells(data, last_row)
            if wanted is None:
                head = cells.filter(pl.col("row") == 1)
                values = _values(pkg, head, codes, dates)
                width = max((c for _, c, _, _ in values), default=-1) + 1
                out.header = [None] * width
                for _, c, v, _ in values:
                    out.header[c] = v
                wanted = sorted({int(c) for c in pick(out.header)})
                out.columns = {c: [] for c in wanted}
            cells = cells.filter((pl.col("row") > 1) & pl.col("col").is_in(wanted))
            for row, c, v, fmt in _values(pkg, cells, codes, dates):
                out.columns[c].append((row, v, fmt))
    finally:
        stream.close()
    if wanted is None:
        out.columns = {c: [] for c in sorted({int(c) for c in pick(out.header)})}
    return out


def _cells(data: bytes, last_row: int) -> tuple[pl.DataFrame, int]:
    """A chunk of whole rows → (row, col, x) of every cell (``x``: the cell's XML after ``<c ``);
    rows and cells without r= follow on from the previous one. Literal splits, not regular
    expressions, cut the XML: they run at memory speed."""
    for odd in (b"<c>", b"<c/>", b"<c\n", b"<c\t", b"<c\r"):
        if odd in data:
            data = data.replace(odd, b"<c " + odd[2:])
    text = pl.Series("x", [data], dtype=pl.Binary).cast(pl.String)
    if re.search(rb"<row\b[^>]*/>", data):  # blank rows (a height, no cells)
        text = text.str.replace_all(r"<row\b[^>]*/>", "")
    rows = pl.DataFrame({"x": text.str.split("</row>").explode()}).filter(pl.col("x").str.contains("<row", literal=True))
    if rows.height == 0:
        return pl.DataFrame(schema={"row": pl.Int64, "col": pl.Int32, "x": pl.String}), last_row
    k = pl.int_range(pl.len(), dtype=pl.Int64)
    r = pl.col("x").str.extract(r'<row\b[^>]*?\sr="([0-9]+)"', 1).cast(pl.Int64)
    rows = rows.with_columns(((r - k).forward_fill().fill_null(last_row + 1) + k).alias("row"))
    last = int(rows["row"][-1])
    pieces = rows["x"].str.split("<c ").list.slice(1)
    lens = pieces.list.len()
    cells = pl.DataFrame({"row": rows["row"].repeat_by(lens).explode(), "x": pieces.explode()}).drop_nulls("x")
    # k: the cell's place in its row (0, 1, …), from each row's first cell's place in the chunk
    starts = (lens.cum_sum() - lens).repeat_by(lens).explode().drop_nulls()
    k = pl.int_range(cells.height, dtype=pl.Int64, eager=True) - starts
    ref = cells["x"].str.slice(3, 3)
    index = {v: ref_prefix_index(v) for v in ref.unique().drop_nulls().to_list()}
    col = pl.select(pl.when(cells["x"].str.starts_with('r="'))
                    .then(ref.replace_strict(index, default=None, return_dtype=pl.Int64))).to_series()
    if col.null_count():
        other = cells["x"].str.extract(r'^[^>]*?\sr="([A-Z]{1,3})[0-9]*"', 1)
        more = {v: column_index(v) - 1 for v in other.unique().drop_nulls().to_list()}
        col = pl.select(pl.coalesce(col, other.replace_strict(more, default=None, return_dtype=pl.Int64))).to_series()
    if col.null_count():  # no r=: the previous cell's column + 1 (the row's first: A)
        base = pl.select(pl.when(col.is_null() & (k == 0)).then(0).otherwise(col - k)).to_series()
        col = base.forward_fill() + k
    cells = cells.with_columns(col.cast(pl.Int32).alias("col"))
    return cells.select("row", "col", "x"), last


def _values(pkg: Package, cells: pl.DataFrame, codes, dates) -> list[tuple[int, int, object, str | None]]:
    """(row, col, value, number format) of the cells that hold a value."""
    cells = cells.filter(~pl.col("x").str.extract(r"^([^>]*>)", 1).str.ends_with("/>"))
    if cells.height == 0:
        return []
    x = pl.col("x")
    tag = " " + x.str.extract(r"^([^>]*>)", 1)
    df = cells.with_columns(
        tag.str.extract(r'\st="(\w+)"', 1).alias("t"),
        tag.str.extract(r'\ss="([0-9]+)"', 1).cast(pl.Int64).fill_null(0).alias("s"),
        x.str.extract(r"<v(?:\s[^>]*)?>([^<]*)</v>", 1).alias("v"),
        x.str.extract(r"(?s)<is(?:\s[^>]*)?>(.*?)</is>", 1).alias("is"))
    t = df["t"].fill_null("n")
    text = df["v"]
    inline = df["is"]
    if inline.is_not_null().any():
        runs = rich_text(inline.fill_null(""), Markup(""))
        text = pl.select(pl.when(inline.is_not_null()).then(runs).otherwise(text)).to_series()
    escaped = t.is_in(["inlineStr", "str", "e", "d"])
    if escaped.any():
        idx = escaped.arg_true()
        text = text.scatter(idx, unescape(text.gather(idx).fill_null("")))
    shared = t == "s"
    if shared.any():
        idx = shared.arg_true()
        sst = _shared_strings(pkg)
        pos = text.gather(idx).cast(pl.UInt32, strict=False)
        if pos.null_count() or (pos.max() or 0) >= sst.len():
            raise XlsxParseError("bad shared string index")
        text = text.scatter(idx, sst.gather(pos))
    out = []
    n_codes = len(codes)
    for row, col, kind, s, v in zip(df["row"].to_list(), df["col"].to_list(), t.to_list(), df["s"].to_list(),
                                    text.to_list()):
        if v is None or (v == "" and kind != "s" and kind != "inlineStr" and kind != "str"):
            continue
        if kind in ("s", "inlineStr", "str", "e"):
            out.append((row, col, v, None))
            continue
        fmt = codes[s] if s < n_codes else None
        if kind == "b":
            out.append((row, col, typed_value("b", v, None), None))
        elif kind == "d":
            out.append((row, col, typed_value("iso", v, None), fmt))
        else:
            out.append((row, col, typed_value("d" if s < n_codes and dates[s] else "n", v, fmt), fmt))
    return [o for o in out if o[2] != ""]


def _shared_strings(pkg: Package) -> pl.Series:
    """The shared-strings table, read once per package."""
    found = getattr(pkg, "typed_sst", None)
    if found is None:
        part = pkg.shared_strings
        found = read_shared_strings(pkg, part, CHUNK, 2) if part else pl.Series([], dtype=pl.String)
        pkg.typed_sst = found
    return found


def _read_openpyxl(path, sheet: str, pick) -> TypedColumns:
    """The same, through openpyxl (any XML it reads)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        ws = wb[sheet]
        out = TypedColumns([])
        wanted: list[int] = []
        for r, row in enumerate(ws.iter_rows(), start=1):
            if r == 1:
                out.header = [c.value for c in row]
                wanted = sorted({int(c) for c in pick(out.header)})
                out.columns = {c: [] for c in wanted}
                continue
            for c in wanted:
                if c < len(row) and row[c].value not in (None, ""):
                    cell = row[c]
                    value = cell.value
                    if isinstance(value, float):
                        value = whole(value)
                    if isinstance(value, datetime) and not shows_time(cell.number_format) and \
                            value.time() == datetime.min.time():
                        value = value.date()
                    fmt = None if isinstance(value, str) or cell.number_format == "General" else cell.number_format
                    out.columns[c].append((r, value, fmt))
        return out
    finally:
        wb.close()


__all__ = ["TypedColumns", "read_typed_columns", "shows_time", "typed_value", "whole"]
