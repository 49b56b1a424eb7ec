"""File → raw rows: read one sheet of an .xlsx/.xlsm workbook or a CSV file as plain cell values.

Nothing here interprets the values; :mod:`xlreports.excel.read.tables` finds the header
and coerces types. Every failure is an :class:`XlreportsError` with a message
for the user, never a zipfile or openpyxl traceback.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "客服.csv"
>>> _ = p.write_text("客服,询单人数\\n张三,12\\n", encoding="utf-8-sig")
>>> read_sheet_rows(p)
SheetRows(sheet='客服', rows=[['客服', '询单人数'], ['张三', '12']])
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from xlreports.errors import InputErrors, Problem, XlreportsError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls, or an encrypted .xlsx
_ZIP_MAGIC = b"PK"


@dataclass
class SheetRows:
    """The cell values of one sheet: ``rows[0]`` is Excel row 1, ``rows[i][0]`` is column A."""

    sheet: str  # sheet name (for a CSV: the file's stem)
    rows: list[list[object]]


def sheet_names(path) -> list[str]:
    """The worksheet names of a workbook, in order (a CSV has one sheet named after the file).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "十月.csv"
    >>> _ = p.write_text("客服\\n张三\\n", encoding="utf-8")
    >>> sheet_names(p)
    ['十月']
    """
    path = _checked_path(path)
    if path.suffix.lower() == ".csv":
        _read_csv(path)  # fail now, not later, on a file that is no CSV
        return [path.stem]
    wb = _open_workbook(path)
    try:
        return [ws.title for ws in wb.worksheets]
    finally:
        wb.close()


def read_sheet_rows(path, sheet: str | None = None) -> SheetRows:
    """Read one sheet (``None`` = the first) as trimmed rows of raw values.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text("客服,询单人数,\\n\\n", encoding="utf-8")
    >>> read_sheet_rows(p, "a").rows
    [['客服', '询单人数']]
    """
    path = _checked_path(path)
    if path.suffix.lower() == ".csv":
        rows = _read_csv(path)
        if sheet is not None and _find_name(sheet, [path.stem]) is None:
            raise _sheet_not_found(sheet, [path.stem])
        return SheetRows(path.stem, rows)
    wb = _open_workbook(path)
    try:
        names = [ws.title for ws in wb.worksheets]
        if not names:
            raise XlreportsError(f"{path.name} 中没有工作表")
        name = names[0] if sheet is None else _find_name(sheet, names)
        if name is None:
            raise _sheet_not_found(sheet, names)
        return rows_from_worksheet(wb[name])
    finally:
        wb.close()


def rows_from_worksheet(ws) -> SheetRows:
    """Rows of an already-open openpyxl worksheet (read-only or not), trailing empties trimmed.

    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> ws.title = "数据"
    >>> ws["B2"] = 5
    >>> rows_from_worksheet(ws)
    SheetRows(sheet='数据', rows=[[], [None, 5]])
    """
    if hasattr(ws, "reset_dimensions"):
        # read-only sheets trust the file's <dimension> tag, which some exporters get wrong
        ws.reset_dimensions()
    return SheetRows(ws.title, trim_rows(ws.iter_rows(values_only=True)))


def trim_rows(rows) -> list[list[object]]:
    """Lists of values without trailing empty cells, and without trailing empty rows.

    >>> trim_rows([("a", None, ""), (None,), ("", "b"), (None, "")])
    [['a'], [], ['', 'b']]
    """
    out: list[list[object]] = []
    last = 0
    for row in rows:
        cells = list(row)
        while cells and _is_empty(cells[-1]):
            cells.pop()
        out.append(cells)
        if cells:
            last = len(out)
    del out[last:]
    return out


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _checked_path(path) -> Path:
    path = Path(path)
    if not path.exists():
        raise XlreportsError(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise XlreportsError(f"{path.name} 是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后再试")
    if not path.is_file() or suffix not in (*WORKBOOK_SUFFIXES, ".csv"):
        raise _not_a_workbook(path)
    return path


def _not_a_workbook(path: Path) -> XlreportsError:
    return XlreportsError(f"{path.name} 不是 Excel 工作簿（.xlsx/.xlsm）或 CSV 文件")


def read_bytes(path: Path, size: int = -1) -> bytes:
    """A file's bytes (``size``: only the first ones), with a user-facing message when it cannot be read."""
    try:
        with path.open("rb") as f:
            return f.read(size)
    except PermissionError:
        raise XlreportsError(f"无法读取 {path.name}：没有权限，或文件正在 Excel 中打开（请关闭后再试）") from None
    except OSError as e:
        raise XlreportsError(f"无法读取 {path.name}：{e.strerror or e}") from None


def _open_workbook(path: Path):
    """Open a workbook read-only with cached values; wrong content becomes a plain message."""
    import openpyxl

    head = read_bytes(path, 8)
    if head.startswith(_OLE_MAGIC):
        raise XlreportsError(f"{path.name} 是加密的或旧版（.xls 格式）Excel 文件，"
                             "请在 Excel 中取消密码并“另存为” .xlsx 格式后再试")
    if not head.startswith(_ZIP_MAGIC):
        raise _not_a_workbook(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # BadZipFile, KeyError, InvalidFileException, XML errors …
        raise _not_a_workbook(path) from None


def _decode(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(path: Path) -> list[list[object]]:
    """CSV rows as strings; UTF-8 (with or without BOM), GBK/GB18030 or UTF-16; comma or tab separated."""
    data = read_bytes(path)
    text = _decode(data)
    if text is None or "\x00" in text:
        raise _not_a_workbook(path)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        return trim_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _not_a_workbook(path) from None


def _find_name(wanted: str, names: list[str]) -> str | None:
    """The sheet called ``wanted``: exact match first, then ignoring case and outer spaces."""
    if wanted in names:
        return wanted
    folded = str(wanted).strip().casefold()
    return next((n for n in names if n.strip().casefold() == folded), None)


def _sheet_not_found(sheet: str, names: list[str]) -> InputErrors:
    return InputErrors([Problem(sheet, None, f"找不到工作表「{sheet}」；工作簿中有：{'、'.join(names)}")])


class WorkbookRows:
    """A workbook (or CSV) opened once, read-only with cached values, to read several sheets.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_text("客服\\n张三\\n", encoding="utf-8")
    >>> with WorkbookRows(p) as book:
    ...     book.names, book.rows("a").rows
    (['a'], [['客服'], ['张三']])
    """

    def __init__(self, path):
        self.path = _checked_path(path)
        self._csv = self.path.suffix.lower() == ".csv"
        self._wb = None if self._csv else _open_workbook(self.path)
        self.names = [self.path.stem] if self._csv else [ws.title for ws in self._wb.worksheets]

    def find(self, sheet: str) -> str | None:
        """The sheet's actual name (case/space-insensitive match), or None."""
        return _find_name(sheet, self.names)

    def rows(self, sheet: str) -> SheetRows:
        name = self.find(sheet)
        if name is None:
            raise _sheet_not_found(sheet, self.names)
        if self._csv:
            return SheetRows(name, _read_csv(self.path))
        return rows_from_worksheet(self._wb[name])

    def frame(self, sheet: str):
        """A big generated sheet as a polars DataFrame (header in row 1), read column-wise with fastexcel."""
        import logging

        import fastexcel

        name = self.find(sheet)
        if name is None or self._csv:
            return None
        # Empty typed-in columns have no type to infer; fastexcel logs a warning for each — expected.
        logging.getLogger("fastexcel").setLevel(logging.ERROR)
        reader = fastexcel.read_excel(str(self.path))
        return reader.load_sheet_by_name(name, dtypes={"买家会员名": "string"}).to_polars()

    def order_sources(self) -> list:
        """This workbook's pasted order exports (sheets named 订单… / ExportOrderList…)."""
        from xlreports.excel.read.orders import OrderSource, is_order_sheet

        return [OrderSource(self.path, n) for n in self.names if not self._csv and is_order_sheet(n)]

    def close(self) -> None:
        if self._wb is not None:
            self._wb.close()

    def __enter__(self) -> "WorkbookRows":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
