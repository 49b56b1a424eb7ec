"""``xlreports init``: write a scheme into a workbook's 考核方案 sheet (a new workbook gets a 客服数据 template).

>>> import tempfile, pathlib
>>> book = pathlib.Path(tempfile.mkdtemp()) / "店铺.xlsx"
>>> path, backup, created = init_book(book, "B")
>>> created, backup is None
(True, True)
"""
from __future__ import annotations

from pathlib import Path

from xlreports.errors import XlreportsError
from xlreports.layout.scheme_sheet import scheme_sheet
from xlreports.excel.write import FileWriter
from xlreports.excel.write.lock import run_lock
from xlreports.layout.spec import HEADER, NOTE, SheetSpec, WorkbookSpec
from xlreports.rules.scheme_files import resolve_scheme
from xlreports.model.scheme import Scheme
from xlreports.rules.scheme_rows import SHEET_NAME

DATA_SHEET = "客服数据"


def data_template(scheme: Scheme) -> SheetSpec:
    """An empty 客服数据 sheet with the columns the scheme reads."""
    spec = SheetSpec(DATA_SHEET, freeze="B2")
    columns = ["客服", "月份", *scheme.input_columns(), "奖金"]
    for j, name in enumerate(dict.fromkeys(columns), start=1):
        spec.set(1, j, name, style=HEADER)
        spec.col_widths[j] = max(9, len(name) * 2 + 2)
    spec.set(3, 1, "每位客服每月一行；也可以直接粘贴千牛 / 赤兔 / 生意参谋的导出（列名会自动识别）。", style=NOTE.but(wrap=False))
    return spec


def init_book(book: str | Path, scheme_spec: str = "A", *, backup: bool = True) -> tuple[Path, Path | None, bool]:
    """Write the scheme; returns (workbook path, backup path or None, whether the workbook was created).
    Holds the workbook's run lock, like every job that writes it."""
    book = Path(book)
    scheme = resolve_scheme(scheme_spec)
    sheet = scheme_sheet(scheme, SHEET_NAME)
    if book.suffix.lower() not in (".xlsx", ".xlsm"):
        raise XlreportsError(f"{book.name}：请使用 .xlsx 或 .xlsm 工作簿")
    with run_lock(book, command="init"):
        if not book.exists():
            FileWriter(None, book, backup=False).write(WorkbookSpec([sheet, data_template(scheme)]))
            return book, None, True
        writer = FileWriter.before_reading(book, book, backup=backup)
        return book, writer.write(WorkbookSpec([sheet])), False
