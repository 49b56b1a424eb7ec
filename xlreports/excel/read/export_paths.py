"""Where the orders are: the files ``--orders`` names, each folder's order exports, and the book's pasted 订单… sheets.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> for name in ("2026-10.csv", "2026-09.xlsx", "~$2026-09.xlsx", "说明.txt"):
...     _ = (d / name).write_text("")
>>> [p.name for p in export_paths([d, d / "说明.txt"])]
['2026-09.xlsx', '2026-10.csv', '说明.txt']
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from xlreports.errors import XlreportsError
from xlreports.excel.read.source import OrderSource

ORDER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


def export_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a folder contributes its exports by name, oldest name first (a later export of an
    order wins), leaving out Excel's ``~$`` owner files (and our lock files, which share the prefix)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix.lower() in ORDER_SUFFIXES and not f.name.startswith("~$"))
        else:
            out.append(p)
    return out


def order_sources(paths: Iterable[str | Path], wb=None) -> list[OrderSource]:
    """The book's pasted 订单… sheets (``wb``: a RowsSource, or None), then the exports of ``paths``;
    none at all is an error that says where orders can come from.

    >>> order_sources([])
    Traceback (most recent call last):
    ...
    xlreports.errors.XlreportsError: 没有订单数据：请用 --orders 指定订单导出文件（或存放导出的文件夹），或把导出粘贴到工作簿中名称以「订单」开头的工作表
    """
    sources = [OrderSource(p) for p in export_paths(paths)]
    if wb is not None:
        sources = list(wb.order_sources()) + sources
    if not sources:
        raise XlreportsError("没有订单数据：请用 --orders 指定订单导出文件（或存放导出的文件夹），"
                             "或把导出粘贴到工作簿中名称以「订单」开头的工作表")
    return sources
