"""Shop order exports (淘宝/天猫 订单报表, ExportOrderList…csv) → one clean polars table of orders.

Order exports are big (a year of a busy shop is a million rows), so unlike the
small-sheet readers in :mod:`xlreports.excel.read.tables` this intake is columnar: a file is
read with every cell as a string (the streaming :mod:`~xlreports.excel.read.xlsx_scan` for
.xlsx/.xlsm, fastexcel for .xls, polars for .csv), only the columns it knows are kept
(:mod:`~xlreports.excel.read.order_files`), and every clean-up is a polars expression over whole
columns (:mod:`~xlreports.excel.read.order_cleaning`). Python loops only over the few rows that
are skipped, to report them. The vocabulary (columns, header aliases) is :mod:`xlreports.model.orders`.

    find_order_sheets(book) -> [OrderSource]    the 订单… / ExportOrderList… sheets of a workbook
    read_orders([OrderSource]) -> OrderIntake   read, clean, skip bad rows, merge (a later export wins)

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

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from xlreports.a1 import addr
from xlreports.errors import Problem
from xlreports.excel.read.order_cleaning import clean
from xlreports.excel.read.order_files import checked, read_raw, sheet_names
from xlreports.excel.read.source import OrderSource
from xlreports.model.orders import (LAYOUT_NEW, LAYOUT_OLD, ORDER_ALIASES, ORDER_COLUMNS, ORDER_ID, is_order_sheet,
                                    order_schema)

__all__ = ["ORDER_COLUMNS", "ORDER_ALIASES", "OrderSource", "OrderIntake", "empty_orders", "find_order_sheets",
           "is_order_sheet", "read_orders"]


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
    return pl.DataFrame(schema=order_schema())


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
    matches = [n for n in sheet_names(path) if is_order_sheet(n)]
    if checked(path) == "csv":
        return [OrderSource(path)] if matches else []
    return [OrderSource(path, n) for n in matches]


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
        raw = read_raw(src)
        good, bad, rows, buyer = clean(src.label, raw)
        frames.append(good)
        rows_read += rows
        layouts.append(LAYOUT_OLD if buyer else LAYOUT_NEW)
        for row, reason, col, found in bad:
            skipped.append(Problem(src.label, addr(row, col + 1), reason, found=found, severity="warning"))
            by_reason[reason] = by_reason.get(reason, 0) + 1
    if frames:
        merged = pl.concat(frames, how="vertical", rechunk=False)
    else:
        merged = empty_orders()
    last = merged.select(pl.col(ORDER_ID).is_last_distinct()).to_series()
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
