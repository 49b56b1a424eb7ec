"""Workbook → raw rows: the one rows-source protocol, and its file implementation (.xlsx/.xlsm or CSV).

``RowsSource`` is what every job reads a workbook through: :class:`WorkbookRows` for a file,
:class:`xlreports.excel.read.live.XlwingsRows` for a book open in Excel. Nothing here interprets
the values; :mod:`xlreports.excel.read.tables` finds the header and coerces types. Every failure
is an :class:`XlreportsError` with a message for the user, never a zipfile or openpyxl traceback.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "客服.csv"
>>> _ = p.write_text("客服,询单人数\\n张三,12\\n", encoding="utf-8-sig")
>>> read_sheet_rows(p)
SheetRows(sheet='客服', rows=[['客服', '询单人数'], ['张三', '12']])
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from xlreports.errors import InputErrors, Problem, XlreportsError
from xlreports.excel.read import csv_text
from xlreports.excel.read.workbook_cells import CellBook, CellBookError
from xlreports.model.fields import canonical
from xlreports.model.orders import BUYER, is_order_sheet

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls, or an encrypted .xlsx
ZIP_MAGIC = b"PK"
FRAME_DTYPES = {BUYER: "string"}  # columns ``frame`` always reads as text (a buyer named 123 stays "123")


@dataclass
class SheetRows:
    """The cell values of one sheet: ``rows[0]`` is Excel row 1, ``rows[i][0]`` is column A."""

    sheet: str  # sheet name (for a CSV: the file's stem)
    rows: list[list[object]]


@dataclass
class OrderSource:
    """An order export: a file (.xlsx/.xlsm/.xls/.csv), or one sheet of a workbook (``sheet=None``: the first).

    ``rows`` gives the sheet's cell values directly (a sheet of a live Excel workbook); ``path``
    then only names the source.

    >>> OrderSource("a/订单.xlsx", "订单报表").label
    '订单.xlsx:订单报表'
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


@runtime_checkable
class RowsSource(Protocol):
    """A workbook as the jobs read it, whatever holds it (a file, a CSV, a book open in Excel).

    - ``names``: the worksheet names, in workbook order (a CSV: one, the file's stem);
    - ``find(name)``: the actual name of a sheet, matched exactly, else ignoring case and outer
      spaces; None when there is none;
    - ``rows(name)``: the sheet's cell values (:class:`SheetRows`, trailing empties trimmed);
      InputErrors naming the sheet when it is missing;
    - ``frame(name, dtypes=None)``: a big generated sheet as a polars DataFrame, header in row 1,
      read column-wise (``dtypes``: columns forced to "string", default ``FRAME_DTYPES``); None
      when the sheet is missing (or the source cannot hold one, a CSV);
    - ``typed_columns(name, pick)``: the cells of the columns ``pick(header row)`` chooses, each
      with the type it was typed with and its number format
      (:class:`~xlreports.excel.read.typed_cells.TypedColumns`); None when the sheet is missing;
    - ``formulas(name)``: ``(row, col)`` (1-based) → formula text ("=…") of every cell of the sheet
      that holds a formula (the rows give their cached values only); {} when the sheet is missing
      or the source holds no formulas (a CSV). Only for small generated sheets, never order exports;
    - ``order_sources()``: the order exports pasted into sheets named 订单… / ExportOrderList…;
    - ``close()``, and use as a context manager.
    """

    names: list[str]

    def find(self, sheet: str) -> str | None: ...

    def rows(self, sheet: str) -> SheetRows: ...

    def frame(self, sheet: str, dtypes: dict[str, str] | None = None): ...

    def typed_columns(self, sheet: str, pick): ...

    def formulas(self, sheet: str) -> dict[tuple[int, int], str]: ...

    def order_sources(self) -> list[OrderSource]: ...

    def close(self) -> None: ...

    def __enter__(self) -> "RowsSource": ...

    def __exit__(self, *exc) -> None: ...


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
    with _open_workbook(path) as wb:
        return list(wb.names)


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
        if sheet is not None and find_name(sheet, [path.stem]) is None:
            raise sheet_not_found(sheet, [path.stem])
        return SheetRows(path.stem, rows)
    with _open_workbook(path) as wb:
        names = list(wb.names)
        if not names:
            raise XlreportsError(f"{path.name} 中没有工作表")
        name = names[0] if sheet is None else find_name(sheet, names)
        if name is None:
            raise sheet_not_found(sheet, names)
        return SheetRows(name, _read_sheet(wb, name, path))


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


def _open_workbook(path: Path) -> CellBook:
    """Open a workbook for its cached values; wrong content becomes a plain message."""
    head = read_bytes(path, 8)
    if head.startswith(OLE_MAGIC):
        raise XlreportsError(f"{path.name} 是加密的或旧版（.xls 格式）Excel 文件，"
                             "请在 Excel 中取消密码并“另存为” .xlsx 格式后再试")
    if not head.startswith(ZIP_MAGIC):
        raise _not_a_workbook(path)
    try:
        return CellBook(path)
    except CellBookError:  # not a zip, no workbook part, XML calamine cannot read …
        raise _not_a_workbook(path) from None


def _read_sheet(wb: CellBook, name: str, path: Path) -> list[list[object]]:
    try:
        return trim_rows(wb.rows(name))
    except CellBookError:
        raise _not_a_workbook(path) from None


def _read_csv(path: Path) -> list[list[object]]:
    """CSV rows as strings (see :mod:`xlreports.excel.read.csv_text` for encodings and separators)."""
    try:
        text = csv_text.decode(read_bytes(path))
        return trim_rows(csv_text.csv_rows(text, csv_text.separator(text, _known_header)))
    except (csv_text.NotText, csv.Error):
        raise _not_a_workbook(path) from None


def _known_header(text: str) -> bool:
    return canonical(text) is not None


def find_name(wanted: str, names: list[str]) -> str | None:
    """The sheet called ``wanted``: exact match first, then ignoring case and outer spaces.

    >>> find_name(" 订单报表 ", ["说明", "订单报表"]), find_name("x", ["说明"])
    ('订单报表', None)
    """
    if wanted in names:
        return wanted
    folded = str(wanted).strip().casefold()
    return next((n for n in names if n.strip().casefold() == folded), None)


def sheet_not_found(sheet: str, names: list[str], where: str | None = None) -> InputErrors:
    """The error for a missing sheet, listing those there are (``where``: how the problem names its source).

    >>> str(sheet_not_found("十月", ["说明"]))
    '十月: 找不到工作表「十月」；工作簿中有：说明'
    """
    return InputErrors([Problem(where or sheet, None, f"找不到工作表「{sheet}」；工作簿中有：{'、'.join(names)}")])


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
        self._package = None  # the zip, opened on the first formulas() call
        self.names = [self.path.stem] if self._csv else list(self._wb.names)

    def find(self, sheet: str) -> str | None:
        """The sheet's actual name (case/space-insensitive match), or None."""
        return find_name(sheet, self.names)

    def rows(self, sheet: str) -> SheetRows:
        """The sheet's cell values; InputErrors when there is no such sheet."""
        name = self.find(sheet)
        if name is None:
            raise sheet_not_found(sheet, self.names)
        if self._csv:
            return SheetRows(name, _read_csv(self.path))
        return SheetRows(name, _read_sheet(self._wb, name, self.path))

    def frame(self, sheet: str, dtypes: dict[str, str] | None = None):
        """A big generated sheet as a polars DataFrame (header in row 1), read column-wise with fastexcel."""
        import logging

        import fastexcel

        name = self.find(sheet)
        if name is None or self._csv:
            return None
        # Empty typed-in columns have no type to infer; fastexcel logs a warning for each — expected.
        logging.getLogger("fastexcel").setLevel(logging.ERROR)
        reader = fastexcel.read_excel(str(self.path))
        return reader.load_sheet_by_name(name, dtypes=FRAME_DTYPES if dtypes is None else dtypes).to_polars()

    def typed_columns(self, sheet: str, pick):
        """The cells of the columns ``pick(header)`` chooses, as typed (text, int, float, bool, date with
        its number format): see :mod:`xlreports.excel.read.typed_cells`. None for a missing sheet or a CSV."""
        from xlreports.excel.read.typed_cells import read_typed_columns

        name = self.find(sheet)
        if name is None or self._csv:
            return None
        return read_typed_columns(self.path, name, pick)

    def formulas(self, sheet: str) -> dict[tuple[int, int], str]:
        """``(row, col)`` → formula text of the sheet's formula cells, from the sheet XML
        (:mod:`xlreports.excel.read.formula_cells`); {} for a missing sheet or a CSV."""
        from xlreports.excel.read.formula_cells import Package, formulas_of

        name = self.find(sheet)
        if name is None or self._csv:
            return {}
        if self._package is None:
            self._package = Package(self.path)
        return formulas_of(self._package, name)

    def order_sources(self) -> list[OrderSource]:
        """This workbook's pasted order exports (sheets named 订单… / ExportOrderList…)."""
        return [OrderSource(self.path, n) for n in self.names if not self._csv and is_order_sheet(n)]

    def close(self) -> None:
        if self._wb is not None:
            self._wb.close()
        if self._package is not None:
            self._package.close()
            self._package = None

    def __enter__(self) -> "WorkbookRows":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
