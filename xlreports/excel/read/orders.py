"""Shop order exports (淘宝/天猫 订单报表, ExportOrderList…csv) → one clean polars table of orders.

Order exports are big (a year of a busy shop is a million rows), so unlike the
small-sheet readers in :mod:`xlreports.excel.read.tables` this intake is columnar: a file is
read with every cell as a string (``fastexcel`` for .xlsx/.xlsm/.xls, polars for
.csv), only the columns it knows are kept, and every clean-up is a polars
expression over whole columns. Python loops only over the few rows that are
skipped, to report them.

    find_order_sheets(book) -> [OrderSource]    the 订单… / ExportOrderList… sheets of a workbook
    read_orders([OrderSource]) -> OrderIntake   read, clean, skip bad rows, merge (a later export wins)

The quirks handled (see DOMAIN §8): headers with trailing spaces, ids written as
``="3268…"``, phones as ``'182********``, empty remarks as ``'null``, amounts as
``1,234.50`` or ``¥34.00``, 订单状态 with a half-width comma, dates as text in
several formats or as Excel serial numbers.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "ExportOrderList.csv"
>>> _ = p.write_text('订单编号,买家会员名,买家实际支付金额,订单状态\\n="3268123456789012345",tb_甲,"1,234.50",'
...                  '"交易成功"\\n', encoding="utf-8-sig")
>>> intake = read_orders([OrderSource(p)])
>>> intake.orders.select("订单编号", "买家会员名", "买家实付金额", "_来源", "_行").row(0)
('3268123456789012345', 'tb_甲', 1234.5, 'ExportOrderList.csv', 2)
>>> intake.has_buyer, intake.layouts
(True, ['旧版'])
"""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from xlreports.excel.read import xlsx_scan
from xlreports.errors import InputErrors, Problem, XlreportsError
from xlreports.model.fields import normalize_header
from xlreports.excel.read.source import read_bytes
from xlreports.excel.read.xlsx_scan import XlsxFormatError, XlsxParseError

__all__ = ["ORDER_COLUMNS", "ORDER_ALIASES", "OrderSource", "OrderIntake", "find_order_sheets", "read_orders"]

# ---------------------------------------------------------------- vocabulary

ORDER_COLUMNS: dict[str, str] = {
    "订单编号": "text",
    "买家会员名": "text",
    "买家支付宝账号": "text",
    "收货人姓名": "text",
    "联系手机": "text",
    "收货地址": "text",
    "订单状态": "text",
    "买家实付金额": "number",
    "总金额": "number",
    "买家应付邮费": "number",
    "退款金额": "number",
    "订单创建时间": "datetime",
    "订单付款时间": "datetime",
    "发货时间": "datetime",
    "确认收货时间": "datetime",
    "商品标题": "text",
    "商品数量": "number",
    "宝贝种类": "number",
    "买家留言": "text",
    "商家备注": "text",
    "物流单号": "text",
    "物流公司": "text",
    "店铺名称": "text",
    "订单关闭原因": "text",
    "商品属性SKU": "text",
}

# Header names as exports spell them, per canonical column, best first. When a file has several
# headers of one column, the first one present is used — except for the row fallbacks below.
_CANDIDATES: dict[str, tuple[str, ...]] = {
    "订单编号": ("订单编号", "订单号", "主订单编号", "订单id"),
    "买家会员名": ("买家会员名", "买家昵称", "买家会员名称"),
    "买家支付宝账号": ("买家支付宝账号", "支付宝账号"),
    "收货人姓名": ("收货人姓名", "收货人", "收件人", "收件人姓名"),
    "联系手机": ("联系手机", "收货人手机", "手机号码", "手机号", "联系电话"),
    "收货地址": ("收货地址", "详细地址", "收件地址"),
    "订单状态": ("订单状态", "交易状态"),
    "买家实付金额": ("买家实付金额", "买家实际支付金额", "实付金额", "实付款"),
    "总金额": ("总金额", "订单总金额", "订单金额"),
    "买家应付邮费": ("买家应付邮费", "邮费", "运费"),
    "退款金额": ("退款金额", "退款总金额"),
    "订单创建时间": ("订单创建时间", "创建时间", "下单时间"),
    "订单付款时间": ("订单付款时间", "付款时间", "支付时间"),
    "发货时间": ("发货时间", "卖家发货时间"),
    "确认收货时间": ("确认收货时间", "收货时间", "交易成功时间"),
    "商品标题": ("商品标题", "宝贝标题", "商品名称", "宝贝名称"),
    "商品数量": ("商品数量", "宝贝总数量", "购买数量", "商品总数量"),
    "宝贝种类": ("宝贝种类", "商品种类"),
    "买家留言": ("买家留言", "买家备注"),
    "商家备注": ("商家备注", "订单备注", "卖家备注", "备注标签"),
    "物流单号": ("物流单号", "运单号", "快递单号"),
    "物流公司": ("物流公司", "快递公司"),
    "店铺名称": ("店铺名称", "店铺"),
    "订单关闭原因": ("订单关闭原因", "关闭原因"),
    "商品属性SKU": ("商品属性SKU", "商品属性", "销售属性", "sku"),
}
# A column filled row by row from later headers where the first present one is empty:
# 联系手机 empty → 联系电话 (all other columns take the first header present, whole column).
_ROW_FALLBACK = {"联系手机"}

ORDER_ALIASES: dict[str, str] = {
    normalize_header(name): canonical for canonical, names in _CANDIDATES.items() for name in names
}

KEY = "订单编号"
BUYER = "买家会员名"
SOURCE_COL = "_来源"
ROW_COL = "_行"
LAYOUT_OLD, LAYOUT_NEW = "旧版", "新版"
SHEET_PREFIXES = ("订单", "订单报表", "exportorderlist")
HEADER_SCAN = 11  # the header may sit below up to 10 title rows

REASON_NO_ID = "缺少订单编号"
REASON_ID_SCIENTIFIC = "订单编号被 Excel 改成了科学计数法，无法还原（请用原始导出文件）"
_ID_LIKE = ("订单编号", "联系手机", "物流单号", "买家支付宝账号")  # "123.0" from a numeric cell → "123"
_NULL_TOKENS = ["", "null", "NULL", "Null", "-", "--", "—", "/", "#N/A", "N/A", "n/a"]  # no regex metacharacters
# A cell needing any clean-up: outer spaces, ="…", a leading ', or a null token.
_NEEDS_CLEANING = r"^\s|\s$|^=\"|^'|^(?:" + "|".join(_NULL_TOKENS) + ")$"
_DTYPES = {"text": pl.String, "number": pl.Float64, "datetime": pl.Datetime("us")}
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d")
# Excel serial numbers accepted in a datetime column: 1970-01-01 … 2099-12-31 (a small number
# such as a quantity typed into the wrong column is not silently read as a 1900 date).
_SERIAL_MIN, _SERIAL_MAX = 25569, 73051
_EXCEL_EPOCH_OFFSET = 25569  # serial of 1970-01-01

_WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
_ZIP_MAGIC = b"PK"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def _reason_number(col: str) -> str:
    return f"{col}应为数字"


def _reason_datetime(col: str) -> str:
    return f"{col}应为日期时间，如 2026-10-05 12:30:45"


# ---------------------------------------------------------------- API types


@dataclass
class OrderSource:
    """A file (.xlsx/.xlsm/.xls/.csv), or one sheet of a workbook (``sheet=None``: the first sheet).

    ``rows`` gives the sheet's cell values directly (a sheet of a live Excel workbook); ``path``
    then only names the source.
    """

    path: Path
    sheet: str | None = None
    rows: list[list[object]] | None = field(default=None, repr=False)

    def __post_init__(self):
        self.path = Path(self.path)

    @property
    def label(self) -> str:
        """How rows and problems name this source: ``file`` or ``file:sheet``."""
        return f"{self.path.name}:{self.sheet}" if self.sheet else self.path.name


@dataclass
class OrderIntake:
    """The merged orders of several exports, and what was left out and why."""

    orders: pl.DataFrame  # one row per 订单编号; ORDER_COLUMNS + _来源 + _行
    rows_read: int  # non-blank data rows read over all sources
    duplicates_replaced: int  # rows superseded by a later row of the same 订单编号
    skipped: list[Problem] = field(default_factory=list)  # one warning per skipped row
    skipped_by_reason: dict[str, int] = field(default_factory=dict)
    has_buyer: bool = True  # every source has a 买家会员名 column
    layouts: list[str] = field(default_factory=list)  # per source: "旧版" (with 买家会员名) / "新版"


def empty_orders() -> pl.DataFrame:
    """An order table with no rows (all canonical columns, right dtypes).

    >>> empty_orders().schema["订单创建时间"]
    Datetime(time_unit='us', time_zone=None)
    """
    schema = {c: _DTYPES[k] for c, k in ORDER_COLUMNS.items()}
    schema.update({SOURCE_COL: pl.String, ROW_COL: pl.Int64})
    return pl.DataFrame(schema=schema)


# ---------------------------------------------------------------- files


def _not_supported(path: Path) -> XlreportsError:
    return XlreportsError(f"{path.name} 不是 Excel 工作簿（.xlsx/.xlsm/.xls）或 CSV 文件，无法读取订单")


def _checked(path: Path) -> str:
    """The kind of file ("workbook" / "xls" / "csv"), after checking it exists and looks like one."""
    if not path.exists():
        raise XlreportsError(f"找不到订单文件：{path}")
    if not path.is_file():
        raise _not_supported(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix not in (*_WORKBOOK_SUFFIXES, ".xls"):
        raise _not_supported(path)
    head = read_bytes(path, 8)
    if suffix == ".xls" and head.startswith(_OLE_MAGIC):
        return "xls"
    if head.startswith(_OLE_MAGIC):
        raise XlreportsError(f"{path.name} 是加密的 Excel 文件，请在 Excel 中取消密码后再试")
    if not head.startswith(_ZIP_MAGIC):
        raise _not_supported(path)
    return "workbook"


def _excel_reader(path: Path):
    import fastexcel

    try:
        return fastexcel.read_excel(path)
    except Exception:  # calamine: not a zip, broken XML, unsupported BIFF …
        raise _not_supported(path) from None


def _sheet_names(path: Path) -> list[str]:
    if _checked(path) == "csv":
        return [path.stem]
    return list(_excel_reader(path).sheet_names)


def _find_name(wanted: str, names: list[str]) -> str | None:
    if wanted in names:
        return wanted
    folded = str(wanted).strip().casefold()
    return next((n for n in names if n.strip().casefold() == folded), None)


def is_order_sheet(name: str) -> bool:
    """Whether a sheet's name marks it as a pasted order export (订单…, ExportOrderList…)."""
    return name.strip().casefold().startswith(SHEET_PREFIXES)


def find_order_sheets(book) -> list[OrderSource]:
    """The sheets of ``book`` whose name starts with 订单 / 订单报表 / ExportOrderList, in workbook order.

    A CSV file is one sheet named after the file.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ExportOrderList2026.csv"
    >>> _ = p.write_text("订单编号\\n1\\n", encoding="utf-8")
    >>> [s.sheet for s in find_order_sheets(p)]
    [None]
    """
    path = Path(book)
    names = _sheet_names(path)
    matches = [n for n in names if is_order_sheet(n)]
    if _checked(path) == "csv":
        return [OrderSource(path)] if matches else []
    return [OrderSource(path, n) for n in matches]


# ---------------------------------------------------------------- header


def _column_letter(index0: int) -> str:
    """0-based column index → Excel letters (0 → A, 26 → AA)."""
    n, out = index0 + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@dataclass
class _Header:
    row: int  # 0-based row (CSV: record) index of the header
    columns: dict[str, list[int]]  # canonical → 0-based source columns, best header first


def _find_header(rows: list[list[object]], label: str) -> _Header:
    """The row (of the first HEADER_SCAN) naming the most known columns, among those with 订单编号."""
    best: _Header | None = None
    for r, row in enumerate(rows[:HEADER_SCAN]):
        found: dict[str, list[tuple[int, int]]] = {}
        for c, value in enumerate(row):
            if value is None:
                continue
            canonical = ORDER_ALIASES.get(normalize_header(value))
            if canonical is None:
                continue
            rank = [normalize_header(n) for n in _CANDIDATES[canonical]].index(normalize_header(value))
            found.setdefault(canonical, []).append((rank, c))
        if KEY in found and (best is None or len(found) > len(best.columns)):
            cols = {k: [c for _, c in sorted(v)] for k, v in found.items()}
            best = _Header(r, cols)
    if best is None:
        raise InputErrors([Problem(label, None, f"找不到订单表头：前 {HEADER_SCAN} 行中没有「订单编号」列"
                                                "（请确认这是淘宝/天猫导出的订单报表）")])
    return best


def _selected(header: _Header) -> dict[str, list[int]]:
    """canonical → the source columns that fill it (one, or several for a row fallback)."""
    return {c: (cols if c in _ROW_FALLBACK else cols[:1]) for c, cols in header.columns.items()}


# ---------------------------------------------------------------- raw frames


@dataclass
class _Raw:
    frame: pl.DataFrame  # string columns named "c<col>" (0-based absolute column), one per selected column
    header: _Header
    first_row: int  # the 1-based sheet row of frame row 0


def _read_workbook(src: OrderSource) -> _Raw:
    """Read a sheet, every cell as a string: an .xlsx/.xlsm with the streaming scan of :mod:`.xlsx_scan`
    (fast, only the known columns kept), an .xls — or sheet XML the scan does not take apart — with
    fastexcel."""
    if _checked(src.path) == "workbook":
        try:
            return _scan_workbook(src)
        except XlsxParseError:
            pass  # unusual markup: calamine reads it
    return _read_with_fastexcel(src)


def _scan_workbook(src: OrderSource) -> _Raw:
    """An .xlsx/.xlsm sheet read in one streaming pass: the header searched in its first HEADER_SCAN
    rows, then only the selected columns of the rows below kept."""
    path = src.path
    try:
        names = xlsx_scan.sheet_names(path)
    except XlsxFormatError:
        raise _not_supported(path) from None
    if not names:
        raise XlreportsError(f"{path.name} 中没有工作表")
    name = names[0] if src.sheet is None else _find_name(src.sheet, names)
    if name is None:
        raise InputErrors([Problem(src.label, None, f"找不到工作表「{src.sheet}」；工作簿中有：{'、'.join(names)}")])

    found: list[_Header] = []

    def keep(rows: list[list[str | None]]) -> set[int]:  # called once, with the first HEADER_SCAN rows
        found.append(_find_header(rows, src.label))
        return {c for cs in _selected(found[0]).values() for c in cs}

    head, body = xlsx_scan.read_sheet_strings(path, name, keep=keep, max_header_rows=HEADER_SCAN)
    header = found[0]
    cols = [f"c{c}" for c in sorted({c for cs in _selected(header).values() for c in cs})]
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
    dates = sorted({f"c{c}" for k, cs in _selected(header).items() if ORDER_COLUMNS[k] == "datetime" for c in cs})
    return _Raw(_serials_as_text(frame.drop("_row"), dates), header, first)


def _serials_as_text(frame: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """Excel date serials in the datetime columns as text, to the millisecond, as fastexcel gives them.

    The scan gives a date cell as the number stored (46301.38541666666); read as such, its float
    error can land a microsecond off (09:14:59.999999 for 09:15).
    """
    fixed = []
    for c in cols:
        days = frame.get_column(c).cast(pl.Float64, strict=False)
        at = days.is_between(_SERIAL_MIN, _SERIAL_MAX).fill_null(False).arg_true()
        if at.len() == 0:
            continue
        ms = ((days.gather(at) - _EXCEL_EPOCH_OFFSET) * 86_400_000).round(0).cast(pl.Int64)
        when = ms.cast(pl.Datetime("ms"))
        text = pl.select(pl.when(ms % 1000 == 0).then(when.dt.strftime("%Y-%m-%d %H:%M:%S"))
                         .otherwise(when.dt.strftime("%Y-%m-%d %H:%M:%S%.3f"))).to_series()
        fixed.append(frame.get_column(c).clone().scatter(at, text))
    return frame.with_columns(fixed) if fixed else frame


def _read_with_fastexcel(src: OrderSource) -> _Raw:
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
    name = names[0] if src.sheet is None else _find_name(src.sheet, names)
    if name is None:
        raise InputErrors([Problem(src.label, None, f"找不到工作表「{src.sheet}」；工作簿中有：{'、'.join(names)}")])

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
        header = _find_header([row], src.label)
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
        header = _find_header(rows, src.label)
        frame = frame.slice(header.row + 1)
    cols = sorted({c for cs in _selected(header).values() for c in cs})
    return _Raw(frame.select(f"c{c}" for c in cols), header, header.row + 2)


def _named_by_column(sheet) -> pl.DataFrame:
    """A loaded fastexcel sheet as string columns named "c<absolute 0-based column>"."""
    frame = sheet.to_polars()
    names = [f"c{c.absolute_index}" for c in sheet.selected_columns]
    frame = frame.rename(dict(zip(frame.columns, names)))
    return frame.with_columns(pl.col(c).cast(pl.String) for c in frame.columns)


_CHUNK = 1 << 23


def _decode_csv(path: Path) -> tuple[bytes, str]:
    """(UTF-8 bytes, decoded text of the first 64 KB) of a CSV: UTF-8 (BOM or not), else GBK/GB18030.

    Checked and transcoded in chunks, so a large GBK export never exists as one Python str.
    polars skips a UTF-8 BOM itself.
    """
    data = read_bytes(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 (Excel's "Unicode text")
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise _not_supported(path) from None
    view = memoryview(data)
    try:
        check = codecs.getincrementaldecoder("utf-8")()
        for i in range(0, len(data), _CHUNK):
            check.decode(view[i:i + _CHUNK])
        check.decode(b"", final=True)
        utf8 = data
    except UnicodeDecodeError:
        decoder = codecs.getincrementaldecoder("gb18030")()
        try:
            parts = [decoder.decode(view[i:i + _CHUNK]).encode("utf-8") for i in range(0, len(data), _CHUNK)]
            parts.append(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError:
            raise _not_supported(path) from None
        del view, data
        utf8 = b"".join(parts)
        del parts
    head = utf8[:65536]
    if b"\x00" in head:
        raise _not_supported(path)
    return utf8, head.decode("utf-8-sig", errors="ignore")


def _read_csv(src: OrderSource) -> _Raw:
    path = src.path
    if src.sheet is not None and _find_name(src.sheet, [path.stem]) is None:
        raise InputErrors([Problem(src.label, None, f"找不到工作表「{src.sheet}」；CSV 文件只有「{path.stem}」")])
    utf8, head = _decode_csv(path)
    lines = head.splitlines(keepends=True)
    if len(utf8) > 65536 and lines:
        lines = lines[:-1]  # the last line may be cut
    found: list[tuple[int, str, _Header, int]] = []
    problem = None
    for sep in (",", "\t"):  # the separator whose header names more known columns
        try:
            reader = csv.reader(io.StringIO("".join(lines), newline=""), delimiter=sep)
            rows = [[v if v.strip() else None for v in r] for _, r in zip(range(HEADER_SCAN), reader)]
            header = _find_header(rows, src.label)
        except csv.Error:
            raise _not_supported(path) from None
        except InputErrors as e:
            problem = problem or e.problems  # not the exception: its traceback would keep `utf8` alive
            continue
        found.append((len(header.columns), sep, header, len(rows[header.row])))
    if not found:
        raise InputErrors(problem)
    _, sep, header, width = max(found, key=lambda f: f[0])
    cols = sorted({c for cs in _selected(header).values() for c in cs})
    try:
        # as wide as the header: longer rows (a trailing comma) are cut, shorter ones padded with nulls
        frame = pl.read_csv(io.BytesIO(utf8), has_header=False, skip_rows=header.row + 1, separator=sep,
                            schema={f"c{i}": pl.String for i in range(width)}, missing_columns="insert",
                            truncate_ragged_lines=True, columns=cols, quote_char='"')
    except pl.exceptions.NoDataError:
        frame = pl.DataFrame(schema={f"c{c}": pl.String for c in cols})
    except Exception as e:
        raise XlreportsError(f"无法读取 {path.name}：{e}") from None
    return _Raw(frame, header, header.row + 2)


# ---------------------------------------------------------------- cleaning (vectorised)
#
# Every step is a polars operation over whole columns. To stay fast on a million rows, a costly
# step (a regex, a second date format) runs only where it is needed: a cheap pass first checks
# whether any cell of a column needs it, and date/number fallbacks only see the cells the fast
# parse rejected (usually none).


def _any_flags(df: pl.DataFrame, tests: dict[str, pl.Expr]) -> dict[str, bool]:
    if not tests:
        return {}
    row = df.select(e.any().alias(k) for k, e in tests.items()).row(0, named=True)
    return {k: bool(v) for k, v in row.items()}


def _clean_strings(df: pl.DataFrame, selected: dict[str, list[int]]) -> pl.DataFrame:
    """Add "s:<canonical>": trimmed, ="…" unwrapped, leading ' dropped, null tokens → null.

    One fused expression per column (no intermediate columns kept), with the regex steps only in
    the columns where a cheap anchored test finds a cell that needs them.
    """
    raw_cols = sorted({f"c{c}" for cs in selected.values() for c in cs})
    id_cols = {f"c{col}" for c in _ID_LIKE for col in selected.get(c, ())}
    # one anchored test per column: does any cell need cleaning at all? (most columns: no, and stay as read)
    needs = _any_flags(df, {c: pl.col(c).str.contains(_NEEDS_CLEANING) for c in raw_cols})
    dirty = [c for c in raw_cols if needs[c]]
    flags = _any_flags(df, {
        **{f"eq:{c}": pl.col(c).str.contains(r'^\s*="') for c in dirty},
        **{f"ap:{c}": pl.col(c).str.contains(r"^\s*(=\")?'") for c in dirty},
        **{f"d0:{c}": pl.col(c).str.contains(r'\.0+["\s]*$') for c in id_cols},
    })

    def cleaned(c: str) -> pl.Expr:
        e = pl.col(c)
        if needs[c]:
            e = e.str.strip_chars()
            if flags[f"eq:{c}"]:
                e = e.str.replace(r'^="(?s:(.*))"$', "${1}")
            if flags[f"ap:{c}"] or flags[f"eq:{c}"]:
                e = e.str.strip_prefix("'").str.strip_chars()
        if flags.get(f"d0:{c}"):
            e = e.str.replace(r"^(\d+)\.0+$", "${1}")
        return e.replace(_NULL_TOKENS, None) if needs[c] else e

    out = []
    for canonical, cols in selected.items():
        parts = [cleaned(f"c{c}") for c in cols]
        out.append((parts[0] if len(parts) == 1 else pl.coalesce(*parts)).alias(f"s:{canonical}"))
    # keep the raw text only where a skipped row may quote it (ids, numbers, dates)
    quoted = {f"c{cols[0]}" for canonical, cols in selected.items()
              if canonical == KEY or ORDER_COLUMNS[canonical] != "text"}
    df = df.with_columns(out).drop(c for c in raw_cols if c not in quoted)
    if "订单状态" in selected:  # few distinct values: clean those, then map
        distinct = df.get_column("s:订单状态").drop_nulls().unique()
        tidy = distinct.str.replace_all(r"\s+", "").str.replace_all(",", "，", literal=True)
        df = df.with_columns(pl.col("s:订单状态").replace(distinct, tidy))
    return df


def _fill_failed(parsed: pl.Series, text: pl.Series, fallback) -> pl.Series:
    """Re-parse with ``fallback`` only the cells where ``parsed`` is null but ``text`` is not."""
    failed = parsed.is_null() & text.is_not_null()
    if not failed.any():
        return parsed
    idx = failed.arg_true()
    again = fallback(text.gather(idx))
    ok = again.is_not_null()
    if not ok.any():
        return parsed
    return parsed.scatter(idx.filter(ok), again.filter(ok))


def _number_fallback(text: pl.Series) -> pl.Series:
    return text.str.replace_all(r"[,，\s¥￥元]", "").cast(pl.Float64, strict=False)


def _datetime_fallback(text: pl.Series) -> pl.Series:
    """Slow path for the cells "%Y-%m-%d %H:%M:%S" did not parse: other formats, then Excel serials."""
    t = (text.str.replace_many(["年", "月", "/", "日", "T"], ["-", "-", "-", " ", " "])
         .str.replace_all(r"\s+", " ").str.strip_chars())
    out = pl.Series(text.name, [None] * len(t), dtype=pl.Datetime("us"))
    for fmt in (*_DATETIME_FORMATS, "%Y%m%d"):
        out = _fill_failed(out, t, lambda x, f=fmt: x.str.to_datetime(f, strict=False, time_unit="us"))

    def serial(x: pl.Series) -> pl.Series:
        days = x.cast(pl.Float64, strict=False)
        days = days.set(~days.is_between(_SERIAL_MIN, _SERIAL_MAX).fill_null(False), None)
        return ((days - _EXCEL_EPOCH_OFFSET) * 86_400_000_000).round(0).cast(pl.Int64).cast(pl.Datetime("us"))

    return _fill_failed(out, t, serial)


def _typed(df: pl.DataFrame, selected: dict[str, list[int]]) -> pl.DataFrame:
    """Add the canonical columns with their dtypes (absent ones all null)."""
    fast = []
    for canonical, kind in ORDER_COLUMNS.items():
        s = pl.col(f"s:{canonical}")
        if canonical not in selected:
            fast.append(pl.lit(None, _DTYPES[kind]).alias(canonical))
        elif kind == "text":
            fast.append(s.alias(canonical))
        elif kind == "number":
            fast.append(s.cast(pl.Float64, strict=False).alias(canonical))
        else:
            fast.append(s.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us").alias(canonical))
    df = df.with_columns(fast)
    fixed = []
    for canonical, kind in ORDER_COLUMNS.items():
        if canonical in selected and kind != "text":
            fallback = _number_fallback if kind == "number" else _datetime_fallback
            fixed.append(_fill_failed(df.get_column(canonical), df.get_column(f"s:{canonical}"), fallback))
    return df.with_columns(fixed) if fixed else df


def _frame_for(src: OrderSource, raw: _Raw) -> tuple[pl.DataFrame, list[tuple], int, bool]:
    """(good rows in the canonical shape, bad rows as (row, reason, column, found), non-blank rows, has buyer)."""
    selected = _selected(raw.header)
    df = raw.frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + raw.first_row).alias(ROW_COL))
    df = _clean_strings(df, selected)
    df = df.filter(~pl.all_horizontal(pl.col(f"s:{c}").is_null() for c in selected))  # blank rows
    rows = df.height
    df = _typed(df, selected)

    # checks, in order; a skipped row is reported once, for the first check it fails
    key_col = selected[KEY][0]
    key = pl.col(f"s:{KEY}")
    checks: list[tuple[pl.Expr, str, int, str | None]] = [  # mask, reason, column, raw column
        (key.is_null(), REASON_NO_ID, key_col, None),
        (key.str.contains("E+", literal=True) | key.str.contains("e+", literal=True), REASON_ID_SCIENTIFIC,
         key_col, f"c{key_col}"),
    ]
    for canonical, kind in ORDER_COLUMNS.items():
        if canonical in selected and kind != "text":
            reason = _reason_number(canonical) if kind == "number" else _reason_datetime(canonical)
            col = selected[canonical][0]
            checks.append((pl.col(f"s:{canonical}").is_not_null() & pl.col(canonical).is_null(), reason, col,
                           f"c{col}"))
    first = pl.when(checks[0][0]).then(pl.lit(0, pl.Int32))
    for i, (mask, *_) in enumerate(checks[1:], start=1):
        first = first.when(mask).then(pl.lit(i, pl.Int32))
    df = df.with_columns(first.alias("_check"))

    good = df.filter(pl.col("_check").is_null()).select(
        *ORDER_COLUMNS, pl.lit(src.label, pl.String).alias(SOURCE_COL), ROW_COL)
    # the few bad rows: which check, and the value as found in the file
    found = pl.lit(None, pl.String)
    for i, (_, _, _, raw_col) in enumerate(checks):
        if raw_col:
            found = pl.when(pl.col("_check") == i).then(pl.col(raw_col)).otherwise(found)
    bad = [(row, checks[i][1], checks[i][2], value) for row, i, value in
           df.filter(pl.col("_check").is_not_null()).select(ROW_COL, "_check", found.alias("_found")).iter_rows()]
    return good, bad, rows, BUYER in selected


# ---------------------------------------------------------------- intake


def _read_rows(src: OrderSource) -> _Raw:
    """Cell values already in memory (a live workbook's sheet) → the same raw string frame."""
    rows = [[None if v is None or str(v).strip() == "" else v for v in r] for r in src.rows or []]
    header = _find_header(rows, src.label)
    cols = sorted({c for cs in _selected(header).values() for c in cs})
    body = rows[header.row + 1:]

    def text(v: object) -> str | None:
        if v is None:
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return v.isoformat(sep=" ") if hasattr(v, "isoformat") else str(v)

    frame = pl.DataFrame({f"c{c}": [text(r[c]) if c < len(r) else None for r in body] for c in cols},
                         schema={f"c{c}": pl.String for c in cols})
    return _Raw(frame, header, header.row + 2)


def _read_raw(src: OrderSource) -> _Raw:
    if src.rows is not None:
        return _read_rows(src)
    return _read_csv(src) if _checked(src.path) == "csv" else _read_workbook(src)


def read_orders(sources: list[OrderSource]) -> OrderIntake:
    """Read order exports in the given order, skip (and report) bad rows, keep the last row per 订单编号.

    Raises XlreportsError for a file that is no workbook/CSV, InputErrors (naming the file) for a
    sheet without an order header.
    """
    frames: list[pl.DataFrame] = []
    skipped: list[Problem] = []
    by_reason: dict[str, int] = {}
    rows_read = 0
    layouts: list[str] = []
    for src in sources:
        src = src if isinstance(src, OrderSource) else OrderSource(Path(src))
        raw = _read_raw(src)
        good, bad, rows, buyer = _frame_for(src, raw)
        frames.append(good)
        rows_read += rows
        layouts.append(LAYOUT_OLD if buyer else LAYOUT_NEW)
        for row, reason, col, found in bad:
            skipped.append(Problem(src.label, f"{_column_letter(col)}{row}", reason, found=found, severity="warning"))
            by_reason[reason] = by_reason.get(reason, 0) + 1
    if frames:
        merged = pl.concat(frames, how="vertical", rechunk=False)
    else:
        merged = empty_orders()
    last = merged.select(pl.col(KEY).is_last_distinct()).to_series()
    orders = merged if last.all() else merged.filter(last)
    return OrderIntake(
        orders=orders,
        rows_read=rows_read,
        duplicates_replaced=merged.height - orders.height,
        skipped=skipped,
        skipped_by_reason=by_reason,
        has_buyer=bool(layouts) and all(layout == LAYOUT_OLD for layout in layouts),
        layouts=layouts,
    )
