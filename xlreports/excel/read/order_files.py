"""Order exports → raw string frames: find the header, keep the known columns, every cell as text.

The reading half of :mod:`xlreports.excel.read.orders` (the cleaning half is
:mod:`xlreports.excel.read.order_cleaning`): an .xlsx/.xlsm sheet with the streaming scan of
:mod:`xlreports.excel.read.xlsx_scan`, an .xls (or XML the scan declines) with fastexcel, a CSV
with polars after :mod:`xlreports.excel.read.csv_text` decoded it, a live sheet from its values.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "o.csv"
>>> _ = p.write_text("导出\\n订单编号\\t买家昵称\\n1\\t甲\\n", encoding="gbk")
>>> raw = read_raw(OrderSource(p))
>>> raw.header.row, raw.header.columns, raw.first_row, raw.frame.rows()
(1, {'订单编号': [0], '买家会员名': [1]}, 3, [('1', '甲')])
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from xlreports.errors import InputErrors, Problem, XlreportsError
from xlreports.excel.read import csv_text, xlsx_scan
from xlreports.excel.read.source import (OLE_MAGIC, WORKBOOK_SUFFIXES, ZIP_MAGIC, OrderSource, find_name, read_bytes,
                                         sheet_not_found)
from xlreports.excel.read.xlsx_scan import XlsxFormatError, XlsxParseError
from xlreports.model.fields import normalize_header
from xlreports.model.orders import ORDER_ALIASES, ORDER_COLUMNS, ORDER_ID, ROW_FALLBACK, header_rank

HEADER_SCAN = 11  # the header may sit below up to 10 title rows
# Excel serial numbers accepted in a datetime column: 1970-01-01 … 2099-12-31 (a small number
# such as a quantity typed into the wrong column is not silently read as a 1900 date).
SERIAL_MIN, SERIAL_MAX = 25569, 73051
EXCEL_EPOCH_OFFSET = 25569  # serial of 1970-01-01


def _not_supported(path: Path) -> XlreportsError:
    return XlreportsError(f"{path.name} 不是 Excel 工作簿（.xlsx/.xlsm/.xls）或 CSV 文件，无法读取订单")


def checked(path: Path) -> str:
    """The kind of file ("workbook" / "xls" / "csv"), after checking it exists and looks like one."""
    if not path.exists():
        raise XlreportsError(f"找不到订单文件：{path}")
    if not path.is_file():
        raise _not_supported(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix not in (*WORKBOOK_SUFFIXES, ".xls"):
        raise _not_supported(path)
    head = read_bytes(path, 8)
    if suffix == ".xls" and head.startswith(OLE_MAGIC):
        return "xls"
    if head.startswith(OLE_MAGIC):
        raise XlreportsError(f"{path.name} 是加密的 Excel 文件，请在 Excel 中取消密码后再试")
    if not head.startswith(ZIP_MAGIC):
        raise _not_supported(path)
    return "workbook"


def _excel_reader(path: Path):
    import fastexcel

    try:
        return fastexcel.read_excel(path)
    except Exception:  # calamine: not a zip, broken XML, unsupported BIFF …
        raise _not_supported(path) from None


def sheet_names(path: Path) -> list[str]:
    """The sheets of an order file (a CSV: one, named after the file).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ExportOrderList.csv"
    >>> _ = p.write_text("订单编号\\n1\\n", encoding="utf-8")
    >>> sheet_names(p), checked(p)
    (['ExportOrderList'], 'csv')
    """
    if checked(path) == "csv":
        return [path.stem]
    return list(_excel_reader(path).sheet_names)


# ---------------------------------------------------------------- header


@dataclass
class Header:
    """Where an export's header is, and which of its columns fill which canonical column."""

    row: int  # 0-based row (CSV: record) index of the header
    columns: dict[str, list[int]]  # canonical → 0-based source columns, best header first


def find_header(rows: list[list[object]], label: str) -> Header:
    """The row (of the first HEADER_SCAN) naming the most known columns, among those with 订单编号.

    >>> find_header([["订单报表"], [None, "订单号", "联系电话", "联系手机"]], "o.csv")
    Header(row=1, columns={'订单编号': [1], '联系手机': [3, 2]})
    """
    best: Header | None = None
    for r, row in enumerate(rows[:HEADER_SCAN]):
        found: dict[str, list[tuple[int, int]]] = {}
        for c, value in enumerate(row):
            if value is None:
                continue
            canonical = ORDER_ALIASES.get(normalize_header(value))
            if canonical is None:
                continue
            rank = header_rank(canonical, value)
            found.setdefault(canonical, []).append((rank, c))
        if ORDER_ID in found and (best is None or len(found) > len(best.columns)):
            cols = {k: [c for _, c in sorted(v)] for k, v in found.items()}
            best = Header(r, cols)
    if best is None:
        raise InputErrors([Problem(label, None, f"找不到订单表头：前 {HEADER_SCAN} 行中没有「订单编号」列"
                                                "（请确认这是淘宝/天猫导出的订单报表）")])
    return best


def selected_columns(header: Header) -> dict[str, list[int]]:
    """canonical → the source columns that fill it (one, or several for a row fallback).

    >>> selected_columns(Header(0, {"订单编号": [0, 4], "联系手机": [3, 2]}))
    {'订单编号': [0], '联系手机': [3, 2]}
    """
    return {c: (cols if c in ROW_FALLBACK else cols[:1]) for c, cols in header.columns.items()}


# ---------------------------------------------------------------- raw frames


@dataclass
class RawSheet:
    """An export's selected columns, every cell a string (or None), rows in sheet order."""

    frame: pl.DataFrame  # string columns named "c<col>" (0-based absolute column), one per selected column
    header: Header
    first_row: int  # the 1-based sheet row of frame row 0


def _read_workbook(src: OrderSource) -> RawSheet:
    """Read a sheet, every cell as a string: an .xlsx/.xlsm with the streaming scan of :mod:`.xlsx_scan`
    (fast, only the known columns kept), an .xls — or sheet XML the scan does not take apart — with
    fastexcel."""
    if checked(src.path) == "workbook":
        try:
            return _scan_workbook(src)
        except XlsxParseError:
            pass  # unusual markup: calamine reads it
    return _read_with_fastexcel(src)


def _scan_workbook(src: OrderSource) -> RawSheet:
    """An .xlsx/.xlsm sheet read in one streaming pass: the header searched in its first HEADER_SCAN
    rows, then only the selected columns of the rows below kept."""
    path = src.path
    try:
        names = xlsx_scan.sheet_names(path)
    except XlsxFormatError:
        raise _not_supported(path) from None
    if not names:
        raise XlreportsError(f"{path.name} 中没有工作表")
    name = names[0] if src.sheet is None else find_name(src.sheet, names)
    if name is None:
        raise sheet_not_found(src.sheet, names, src.label)

    found: list[Header] = []

    def keep(rows: list[list[str | None]]) -> set[int]:  # called once, with the first HEADER_SCAN rows
        found.append(find_header(rows, src.label))
        return {c for cs in selected_columns(found[0]).values() for c in cs}

    head, body = xlsx_scan.read_sheet_strings(path, name, keep=keep, max_header_rows=HEADER_SCAN)
    header = found[0]
    cols = [f"c{c}" for c in sorted({c for cs in selected_columns(header).values() for c in cs})]
    first = header.row + 2  # the sheet row below the header
    # the rows below the header among the searched ones, then the rest; a row for every sheet row
    lead = head[header.row + 1:]
    lead = pl.DataFrame({"_row": list(range(first, first + len(lead))),
                         **{c: [r[int(c[1:])] if int(c[1:]) < len(r) else None for r in lead] for c in cols}},
                        schema={"_row": pl.Int64, **{c: pl.String for c in cols}})
    frame = pl.concat([lead, body.select("_row", *cols)], how="vertical", rechunk=False)
    rows = frame.get_column("_row")
    if frame.height and (rows[-1] - first + 1 != frame.height or not (rows.diff().drop_nulls() == 1).all()):
        every = pl.DataFrame({"_row": pl.int_range(first, rows.max() + 1, dtype=pl.Int64, eager=True)})
        frame = every.join(frame, on="_row", how="left", maintain_order="left")  # blank rows left out by the scan
    dates = sorted({f"c{c}" for k, cs in selected_columns(header).items() if ORDER_COLUMNS[k] == "datetime" for c in cs})
    return RawSheet(_serials_as_text(frame.drop("_row"), dates), header, first)


def _serials_as_text(frame: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """Excel date serials in the datetime columns as text, to the millisecond, as fastexcel gives them.

    The scan gives a date cell as the number stored (46301.38541666666); read as such, its float
    error can land a microsecond off (09:14:59.999999 for 09:15).
    """
    fixed = []
    for c in cols:
        days = frame.get_column(c).cast(pl.Float64, strict=False)
        at = days.is_between(SERIAL_MIN, SERIAL_MAX).fill_null(False).arg_true()
        if at.len() == 0:
            continue
        ms = ((days.gather(at) - EXCEL_EPOCH_OFFSET) * 86_400_000).round(0).cast(pl.Int64)
        when = ms.cast(pl.Datetime("ms"))
        text = pl.select(pl.when(ms % 1000 == 0).then(when.dt.strftime("%Y-%m-%d %H:%M:%S"))
                         .otherwise(when.dt.strftime("%Y-%m-%d %H:%M:%S%.3f"))).to_series()
        fixed.append(frame.get_column(c).clone().scatter(at, text))
    return frame.with_columns(fixed) if fixed else frame


def _read_with_fastexcel(src: OrderSource) -> RawSheet:
    """Read a sheet with fastexcel, every cell as a string.

    calamine parses the whole sheet on every load, so the common case — the header in row 1 —
    is read in one load that keeps only known columns. With title rows above the header the
    sheet is loaded again, whole, and the header searched in its first rows.
    """
    path = src.path
    reader = _excel_reader(path)
    names = list(reader.sheet_names)
    if not names:
        raise XlreportsError(f"{path.name} 中没有工作表")
    name = names[0] if src.sheet is None else find_name(src.sheet, names)
    if name is None:
        raise sheet_not_found(src.sheet, names, src.label)

    first_row: dict[int, str] = {}  # absolute column → header text in row 1

    def known(col) -> bool:
        if not col.name.startswith("__UNNAMED__"):
            first_row[col.absolute_index] = col.name
        return normalize_header(col.name) in ORDER_ALIASES

    header = None
    try:
        sheet = reader.load_sheet(name, header_row=0, use_columns=known, dtypes="string",
                                  skip_whitespace_tail_rows=True)
        row = [None] * (max(first_row, default=-1) + 1)
        for c, text in first_row.items():
            row[c] = text
        header = find_header([row], src.label)
        if len(header.columns) < 2:  # a lone "订单编号" may be a title; search the first rows
            header = None
    except InputErrors:
        header = None
    except Exception as e:
        raise XlreportsError(f"无法读取 {src.label}：{e}") from None
    if header is not None:
        frame = _named_by_column(sheet)
    else:
        try:
            whole = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string",
                                      skip_whitespace_tail_rows=True)
        except Exception as e:
            raise XlreportsError(f"无法读取 {src.label}：{e}") from None
        frame = _named_by_column(whole)
        width = max((int(c[1:]) for c in frame.columns), default=-1) + 1
        rows = [[None] * width for _ in range(min(HEADER_SCAN, frame.height))]
        for name_, col in zip(frame.columns, frame.head(HEADER_SCAN).iter_columns()):
            for i, v in enumerate(col.to_list()):
                rows[i][int(name_[1:])] = v
        header = find_header(rows, src.label)
        frame = frame.slice(header.row + 1)
    cols = sorted({c for cs in selected_columns(header).values() for c in cs})
    return RawSheet(frame.select(f"c{c}" for c in cols), header, header.row + 2)


def _named_by_column(sheet) -> pl.DataFrame:
    """A loaded fastexcel sheet as string columns named "c<absolute 0-based column>"."""
    frame = sheet.to_polars()
    names = [f"c{c.absolute_index}" for c in sheet.selected_columns]
    frame = frame.rename(dict(zip(frame.columns, names)))
    return frame.with_columns(pl.col(c).cast(pl.String) for c in frame.columns)


def _read_csv(src: OrderSource) -> RawSheet:
    path = src.path
    if src.sheet is not None and find_name(src.sheet, [path.stem]) is None:
        raise InputErrors([Problem(src.label, None, f"找不到工作表「{src.sheet}」；CSV 文件只有「{path.stem}」")])
    try:
        utf8 = csv_text.to_utf8(read_bytes(path))
        head = csv_text.head(utf8)
        sep = csv_text.separator(head, _is_order_header)
        rows = [[v if v.strip() else None for v in r] for r in csv_text.csv_rows(head, sep, HEADER_SCAN)]
    except (csv_text.NotText, csv.Error):
        raise _not_supported(path) from None
    header = find_header(rows, src.label)
    width = len(rows[header.row])
    cols = sorted({c for cs in selected_columns(header).values() for c in cs})
    try:
        # as wide as the header: longer rows (a trailing comma) are cut, shorter ones padded with nulls
        frame = pl.read_csv(io.BytesIO(utf8), has_header=False, skip_rows=header.row + 1, separator=sep,
                            schema={f"c{i}": pl.String for i in range(width)}, missing_columns="insert",
                            truncate_ragged_lines=True, columns=cols, quote_char='"')
    except pl.exceptions.NoDataError:
        frame = pl.DataFrame(schema={f"c{c}": pl.String for c in cols})
    except Exception as e:
        raise XlreportsError(f"无法读取 {path.name}：{e}") from None
    return RawSheet(frame, header, header.row + 2)


def _is_order_header(text: str) -> bool:
    return normalize_header(text) in ORDER_ALIASES


def _read_rows(src: OrderSource) -> RawSheet:
    """Cell values already in memory (a live workbook's sheet) → the same raw string frame."""
    rows = [[None if v is None or str(v).strip() == "" else v for v in r] for r in src.rows or []]
    header = find_header(rows, src.label)
    cols = sorted({c for cs in selected_columns(header).values() for c in cs})
    body = rows[header.row + 1:]

    def text(v: object) -> str | None:
        if v is None:
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return v.isoformat(sep=" ") if hasattr(v, "isoformat") else str(v)

    frame = pl.DataFrame({f"c{c}": [text(r[c]) if c < len(r) else None for r in body] for c in cols},
                         schema={f"c{c}": pl.String for c in cols})
    return RawSheet(frame, header, header.row + 2)


def read_raw(src: OrderSource) -> RawSheet:
    """One export's known columns as strings, with its header: from the file (csv, xlsx/xlsm, xls) or
    from cell values in memory (``src.rows``: a sheet of a live workbook)."""
    if src.rows is not None:
        return _read_rows(src)
    return _read_csv(src) if checked(src.path) == "csv" else _read_workbook(src)
