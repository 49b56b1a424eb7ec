"""Carry-over of what people typed, from the workbook as it is to the sheets about to be written.

Appraisal: input cells (manual scores, attendance, 奖金, sign-off fields) are read back by their
key ``month|agent|field`` from the sheets themselves, found through labels and headers
(:mod:`xlreports.layout.readback`); the hidden bookkeeping sheet is a cache of the pre-fill written
with each cell and of the values of months and agents no longer on the sheets. A cell is carried
over only when it no longer holds its pre-fill. Customer archive: staff
columns are carried by 买家会员名, and buyers missing from this run's exports keep their rows.

>>> still_prefilled("", None), still_prefilled("8", 8.0), still_prefilled(7, 8)
(True, True, False)
"""
from __future__ import annotations

from typing import Any

from xlreports import kinds
from xlreports.excel.read.source import RowsSource, SheetRows
from xlreports.layout import archive_sheets as views
from xlreports.layout.labels import Labels
from xlreports.layout.ledgers import InputCell
from xlreports.layout.readback import (ATTENDANCE, KPI, SIGN_OFF, SIGN_OFF_FIELDS, FoundInput, form_inputs,
                                       is_form_sheet, payroll_inputs)
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


def input_field_kinds(scheme) -> dict[str, str]:
    """Each field typed on a form → how the form shows it (KPI row, attendance row, sign-off pair).

    >>> from xlreports.rules.scheme_files import builtin_scheme
    >>> kinds_ = input_field_kinds(builtin_scheme("A"))
    >>> kinds_["工作任务"], kinds_["迟到早退次数"], kinds_["考核人员"]
    ('kpi', 'attendance', 'sign-off')
    """
    out: dict[str, str] = {}
    for kpi in scheme.kpis:
        kind = kinds.get(kpi.kind)
        attendance = set(kind.attendance_columns(kpi))
        for label, _ in kind.input_fields(kpi):
            out[label] = ATTENDANCE if label in attendance else KPI
    out.update({f: SIGN_OFF for f in SIGN_OFF_FIELDS})
    return out


def sheet_inputs(wb: RowsSource, labels: Labels, fields: dict[str, str]) -> dict[str, FoundInput]:
    """Every input cell of our forms and 工资表 as the sheets hold them now, found by labels and headers."""
    found: dict[str, FoundInput] = {}
    months = set()
    for name in wb.names:
        if is_form_sheet(name, labels):
            for f in form_inputs(name, wb.rows(name).rows, labels, fields):
                found[f.key] = f
                months.add(f.month)
    payroll = wb.find(labels("工资表"))
    if payroll is not None:
        for f in payroll_inputs(payroll, wb.rows(payroll).rows, labels, max(months) if months else None):
            found[f.key] = f
    return found


def current_inputs(wb: RowsSource, cells: list[InputCell], labels: Labels,
                   fields: dict[str, str]) -> dict[str, InputCell]:
    """Every known input: what the sheets hold now (found by labels), else the manifest's copy.

    The manifest is a cache: a cell found on a sheet takes its value and place from the sheet;
    one found only on a sheet (manifest lost) is unrecorded — its pre-fill is recomputed by the run.
    """
    known = {c.key: InputCell(c.key, c.month, c.sheet, c.cell, c.prefill, c.value, c.recorded) for c in cells}
    for f in sheet_inputs(wb, labels, fields).values():
        c = known.get(f.key)
        if c is None:
            known[f.key] = InputCell(f.key, f.month, f.sheet, f.cell, None, f.value, recorded=False)
        else:
            c.value, c.sheet, c.cell = f.value, f.sheet, f.cell
    return known


def still_prefilled(a: Any, b: Any) -> bool:
    """Whether a cell still holds what was pre-filled (numbers compare by value, blank == empty text)."""
    if a in (None, "") and b in (None, ""):
        return True
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def carried_value(key: str, prefill: Any, known: dict[str, InputCell]) -> Any:
    """What an input cell holds after the run: what is in it now if someone typed it (it no longer
    equals the pre-fill written with it — or, when that was not recorded, this run's pre-fill),
    else the new pre-fill.

    >>> old = {"k": InputCell("k", "2026-10", "考核表-小美", "F12", 8, 8)}
    >>> carried_value("k", 9, old, ), carried_value("x", 9, old)
    (9, 9)
    >>> old["k"].value = 6
    >>> carried_value("k", 9, old)
    6
    """
    cell = known.get(key)
    if cell is None:
        return prefill
    baseline = cell.prefill if cell.recorded else prefill
    return prefill if still_prefilled(cell.value, baseline) else cell.value


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
