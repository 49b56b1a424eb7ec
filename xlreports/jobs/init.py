"""``xlreports init``: write a scheme into a workbook's 考核方案 sheet (a new workbook gets a 客服数据 template).

A workbook's own 考核方案 is the shop's rules: it is never replaced silently. When it already
holds the scheme asked for, nothing is written; when it holds another (or a customised one),
``replace=True`` is needed, and then the old sheet is kept, renamed 考核方案(旧 <date>).

>>> import tempfile, pathlib
>>> book = pathlib.Path(tempfile.mkdtemp()) / "店铺.xlsx"
>>> init_book(book, "B").created
True
>>> init_book(book, "B").written
False
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from xlreports.errors import InputErrors, XlreportsError
from xlreports.excel.read.source import WorkbookRows
from xlreports.excel.write import FileWriter
from xlreports.excel.write.plan import sheet_key
from xlreports.layout.scheme_sheet import scheme_sheet
from xlreports.excel.write.lock import run_lock
from xlreports.layout.spec import HEADER, NOTE, SheetSpec, WorkbookSpec
from xlreports.model.scheme import Scheme
from xlreports.rules.scheme_files import resolve_scheme
from xlreports.rules.scheme_rows import SHEET_NAME, parse_scheme_rows

DATA_SHEET = "客服数据"


@dataclass
class InitResult:
    """What ``init`` did: ``kept_as`` names the old 考核方案 when it was replaced."""

    path: Path
    backup: Path | None
    created: bool
    written: bool = True
    kept_as: str | None = None


def data_template(scheme: Scheme) -> SheetSpec:
    """An empty 客服数据 sheet with the columns the scheme reads."""
    spec = SheetSpec(DATA_SHEET, freeze="B2")
    columns = ["客服", "月份", *scheme.input_columns(), "奖金"]
    for j, name in enumerate(dict.fromkeys(columns), start=1):
        spec.set(1, j, name, style=HEADER)
        spec.col_widths[j] = max(9, len(name) * 2 + 2)
    spec.set(3, 1, "每位客服每月一行；也可以直接粘贴千牛 / 赤兔 / 生意参谋的导出（列名会自动识别）。", style=NOTE.but(wrap=False))
    return spec


def kept_name(names: list[str], today: date) -> str:
    """A free name for the old 考核方案: 考核方案(旧 2026-12-01), then …(旧 2026-12-01 2) ….

    >>> kept_name(["考核方案", "考核方案(旧 2026-12-01)"], date(2026, 12, 1))
    '考核方案(旧 2026-12-01 2)'
    """
    taken = {sheet_key(n) for n in names}
    n = 1
    while True:
        name = f"{SHEET_NAME}(旧 {today.isoformat()}{'' if n == 1 else f' {n}'})"
        if sheet_key(name) not in taken:
            return name
        n += 1


def init_book(book: str | Path, scheme_spec: str | Scheme = "A", *, backup: bool = True, replace: bool = False,
              today: date | None = None) -> InitResult:
    """Write the scheme (A, B, a scheme file, or a Scheme) into ``book`` (created when missing); see the module
    docstring. Holds the workbook's run lock, like every job that writes it."""
    book = Path(book)
    scheme = scheme_spec if isinstance(scheme_spec, Scheme) else resolve_scheme(scheme_spec)
    scheme_spec = scheme_spec.code if isinstance(scheme_spec, Scheme) else scheme_spec
    sheet = scheme_sheet(scheme, SHEET_NAME)
    if book.suffix.lower() not in (".xlsx", ".xlsm"):
        raise XlreportsError(f"{book.name}：请使用 .xlsx 或 .xlsm 工作簿")
    with run_lock(book, command="init"):
        if not book.exists():
            FileWriter(None, book, backup=False).write(WorkbookSpec([sheet, data_template(scheme)]))
            return InitResult(book, None, True)
        writer = FileWriter.before_reading(book, book, backup=backup)
        with WorkbookRows(book) as wb:
            names, existing = list(wb.names), wb.find(SHEET_NAME)
            same = existing is not None and _holds(wb, existing, scheme)
        if same:
            return InitResult(book, None, False, written=False)
        rename = {}
        if existing is not None:
            if not replace:
                raise XlreportsError(f"工作簿中已有「{existing}」（可能已按本店情况修改过），本次没有写入任何内容。"
                                     f"要换成方案 {scheme_spec}，请加 --replace：原来的表会改名保留为"
                                     f"「{kept_name(names, today or date.today())}」")
            rename = {existing: kept_name(names, today or date.today())}
        written = writer.write(WorkbookSpec([sheet], adopt=[], rename=rename))
    return InitResult(book, written, False, kept_as=rename.get(existing) if existing else None)


def _holds(wb, sheet: str, scheme: Scheme) -> bool:
    """Whether the sheet already states exactly ``scheme`` (unreadable: no)."""
    try:
        return parse_scheme_rows(wb.rows(sheet).rows, sheet).scheme == scheme
    except (InputErrors, XlreportsError, ValueError):
        return False
