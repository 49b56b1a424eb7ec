"""Carry-over of what people typed, from the workbook as it is to the sheets about to be written.

Appraisal: input cells (manual scores, attendance, 奖金, sign-off fields) are listed in the hidden
bookkeeping sheet with their key ``month|agent|field``, the pre-filled value and the value last
seen; a cell is carried over only when it no longer holds its pre-fill. Customer archive: staff
columns are carried by 买家会员名, and buyers missing from this run's exports keep their rows.

>>> still_prefilled("", None), still_prefilled("8", 8.0), still_prefilled(7, 8)
(True, True, False)
"""
from __future__ import annotations

from typing import Any

from xlreports.a1 import split_cell
from xlreports.excel.read.source import RowsSource, SheetRows
from xlreports.layout import archive_sheets as views
from xlreports.layout.ledgers import InputCell
from xlreports.model.orders import BUYER


def read_manifest(rows: SheetRows) -> tuple[list[str], list[InputCell]]:
    sheets, cells = [], []
    for raw in rows.rows[1:]:
        raw = list(raw) + [None] * (7 - len(raw))
        if raw[0] == "sheet" and raw[3]:
            sheets.append(str(raw[3]))
        elif raw[0] == "input" and raw[1]:
            cells.append(InputCell(str(raw[1]), str(raw[2] or ""), str(raw[3] or ""), str(raw[4] or ""),
                                   raw[5], raw[6]))
    return sheets, cells


def current_inputs(wb: RowsSource, cells: list[InputCell]) -> dict[str, Any]:
    """The value each recorded input cell holds now; the manifest's copy when its sheet is gone."""
    current: dict[str, Any] = {}
    cache: dict[str, list[list[Any]]] = {}
    # Several months' keys can share one address (考核表-x!F12 in 2026-09 and 2026-10); the cell shows
    # the month written last (the manifest lists kept months first), the others keep the manifest's copy.
    shown = {(cell.sheet, cell.cell): cell.key for cell in cells}
    for cell in cells:
        current[cell.key] = cell.value
        if shown[(cell.sheet, cell.cell)] != cell.key:
            continue
        name = wb.find(cell.sheet)
        try:
            r, c = split_cell(cell.cell)
        except ValueError:
            continue
        if name is None:
            continue
        if name not in cache:
            cache[name] = wb.rows(name).rows
        rows = cache[name]
        r, c = r - 1, c - 1
        current[cell.key] = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
    return current


def still_prefilled(a: Any, b: Any) -> bool:
    """Whether a cell still holds what was pre-filled (numbers compare by value, blank == empty text)."""
    if a in (None, "") and b in (None, ""):
        return True
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def carried_value(key: str, prefill: Any, old: dict[str, InputCell], current: dict[str, Any]) -> Any:
    """What an input cell holds after the run: what is in it now if someone changed it since it was
    written (it no longer equals its pre-fill), else the new pre-fill.

    >>> old = {"k": InputCell("k", "2026-10", "考核表-小美", "F12", 8, 8)}
    >>> carried_value("k", 9, old, {"k": 8}), carried_value("k", 9, old, {"k": 6}), carried_value("x", 9, old, {})
    (9, 6, 9)
    """
    if key in old and not still_prefilled(current.get(key), old[key].prefill):
        return current.get(key)
    return prefill


def read_sheet_records(rows, names: list[str]) -> list[dict[str, Any]]:
    """Rows of a small generated sheet by header name, values as typed (no coercion)."""
    data = rows.rows
    header_index = next((i for i, r in enumerate(data[:5]) if BUYER in [str(v).strip() for v in r if v]), None)
    if header_index is None:
        return []
    header = [str(v).strip() if v is not None else "" for v in data[header_index]]
    out = []
    for raw in data[header_index + 1:]:
        rec = {h: (raw[j] if j < len(raw) else None) for j, h in enumerate(header) if h in names}
        if any(v not in (None, "") for v in rec.values()):
            out.append(rec)
    return out


def carry_staff_columns(arch, old, staff_cols: list[str], mask: bool):
    """New computed columns + staff columns carried by buyer + old rows of buyers not in this run."""
    import polars as pl

    from xlreports.engine.customers.privacy import mask_address_expr, mask_phone_expr

    computed = [c for c in views.COMPUTED if c in arch.columns]
    table = arch.select(computed)
    kept = 0
    if old is not None:
        carry = [c for c in staff_cols if c in old.columns]
        if carry:
            # as read (text, number or date): a cast to text would turn 30 into "30.0"
            staff = old.select([BUYER, *carry]).unique(BUYER, keep="first")
            table = table.join(staff, on=BUYER, how="left")
        absent = old.join(arch.select(BUYER), on=BUYER, how="anti")
        kept = absent.height
        if kept:
            cols = [c for c in table.columns if c in absent.columns]
            absent = absent.select(cols).with_columns(
                [pl.col(c).cast(table.schema[c], strict=False) for c in cols])
            table = pl.concat([table, absent], how="diagonal_relaxed")
    if mask:  # after the kept rows are added: they may come from an unmasked (--no-mask) run
        table = table.with_columns(mask_phone_expr("电话").alias("电话"), mask_address_expr("地址").alias("地址"))
    for c in staff_cols:
        if c not in table.columns:
            table = table.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    return table, kept
