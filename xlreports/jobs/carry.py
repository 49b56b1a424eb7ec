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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from xlreports import kinds
from xlreports.a1 import col_letter, split_cell
from xlreports.errors import InputErrors, Problem
from xlreports.excel.read.source import RowsSource, SheetRows
from xlreports.layout import archive_sheets as views
from xlreports.layout.labels import Labels
from xlreports.layout.ledgers import InputCell
from xlreports.layout.readback import (ATTENDANCE, KPI, SIGN_OFF, SIGN_OFF_FIELDS, FoundInput, form_inputs,
                                       is_form_sheet, payroll_inputs)
from xlreports.model.orders import BUYER

if TYPE_CHECKING:  # polars-backed; only the archive job needs it at run time
    from xlreports.excel.read.typed_cells import TypedColumns


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


@dataclass
class OurSheets:
    """Our generated sheets as they are before the run — the forms, 工资表 and 考核汇总 — each read
    once: ``rows[name]`` (values as shown) and ``formulas[name]`` ((row, col) → formula text)."""

    forms: list[str] = field(default_factory=list)
    payroll: str | None = None
    summary: str | None = None
    rows: dict[str, list[list]] = field(default_factory=dict)
    formulas: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)

    def formula_at(self, sheet: str, cell: str) -> str | None:
        """The formula a cell held (``cell`` like "F9"), or None when it held a value.

        >>> OurSheets(formulas={"工资表": {(3, 10): "=100+50"}}).formula_at("工资表", "J3")
        '=100+50'
        """
        return self.formulas.get(sheet, {}).get(split_cell(cell))


def read_our_sheets(wb: RowsSource, labels: Labels) -> OurSheets:
    """Rows and formula cells of the forms, 工资表 and 考核汇总 the workbook holds (none for a CSV)."""
    out = OurSheets([n for n in wb.names if is_form_sheet(n, labels)], wb.find(labels("工资表")),
                    wb.find(labels("考核汇总")))
    for name in [*out.forms, out.payroll, out.summary]:
        if name is not None:
            out.rows[name] = wb.rows(name).rows
            out.formulas[name] = wb.formulas(name)
    return out


def sheet_inputs(ours: OurSheets, labels: Labels, fields: dict[str, str]) -> dict[str, FoundInput]:
    """Every input cell of our forms and 工资表 as the sheets hold them now, found by labels and headers,
    each with the formula someone typed into it (``formula``, else None)."""
    found: dict[str, FoundInput] = {}
    months = set()
    for name in ours.forms:
        for f in form_inputs(name, ours.rows[name], labels, fields):
            found[f.key] = f
            months.add(f.month)
    if ours.payroll is not None:
        for f in payroll_inputs(ours.payroll, ours.rows[ours.payroll], labels, max(months) if months else None):
            found[f.key] = f
    for f in found.values():
        f.formula = ours.formula_at(f.sheet, f.cell)
    return found


def current_inputs(found: dict[str, FoundInput], cells: list[InputCell]) -> dict[str, InputCell]:
    """Every known input: what the sheets hold now (``found`` by labels, :func:`sheet_inputs`), else the
    manifest's copy (``cells``).

    The manifest is a cache: a cell found on a sheet takes its value and place from the sheet;
    one found only on a sheet (manifest lost) is unrecorded — its pre-fill is recomputed by the run.
    """
    known = {c.key: InputCell(c.key, c.month, c.sheet, c.cell, c.prefill, c.value, c.recorded) for c in cells}
    for f in found.values():
        c = known.get(f.key)
        if c is None:
            known[f.key] = InputCell(f.key, f.month, f.sheet, f.cell, None, f.value, recorded=False)
        else:
            c.value, c.sheet, c.cell = f.value, f.sheet, f.cell
    return known


def formula_inputs(found: dict[str, FoundInput]) -> list[Problem]:
    """A note for each input cell that holds a formula: the run keeps the value it shows and writes
    that value back (a yellow cell holds what was typed, never a formula the tool would have to
    follow — its references would point wherever the sheet's rows went).

    >>> f = FoundInput("2026-10", "小美", "奖金", 150, "工资表", "J4", "=100+50")
    >>> print(formula_inputs({f.key: f})[0])
    工资表!J4: 「小美」的「奖金」填的是公式 =100+50：本次按它显示的值 150 计算，并写回为数值 150（公式不再保留）
    """
    out = []
    for f in found.values():
        if f.formula:
            kept = f"它显示的值 {shown(f.value)} 计算，并写回为数值 {shown(f.value)}" if f.value not in (None, "") \
                else "它显示的值（空）计算，格子留空"
            out.append(Problem(f.sheet, f.cell, f"「{f.agent}」的「{f.field}」填的是公式 {f.formula}：本次按{kept}"
                               "（公式不再保留）", severity="warning"))
    return out


def shown(value: Any) -> str:
    """A cell value as a message quotes it: numbers without float noise, blank as （空）.

    >>> shown(19.200000000000003), shown(4520.0), shown(None), shown("优秀")
    ('19.2', '4520', '（空）', '优秀')
    """
    if value is None or value == "":
        return "（空）"
    if isinstance(value, float):
        return f"{round(value, 6):.6f}".rstrip("0").rstrip(".")
    return str(value)


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


def read_sheet_table(rows, key: str = BUYER) -> tuple[list[str], list[dict[str, Any]]]:
    """(header, records) of a small generated sheet whose header row holds ``key`` (one of the first 5)."""
    data = rows.rows
    header_index = next((i for i, r in enumerate(data[:5]) if key in [header_text(v) for v in r]), None)
    if header_index is None:
        return [], []
    header = [header_text(v) for v in data[header_index]]
    out = []
    for raw in data[header_index + 1:]:
        rec = {h: (raw[j] if j < len(raw) else None) for j, h in enumerate(header) if h}
        if any(v not in (None, "") for v in rec.values()):
            out.append(rec)
    return header, out


def added_headers(header: list[str], ours: Sequence[str]) -> list[str]:
    """The columns people added to a generated table: every named header that is not ours, in order.

    >>> added_headers(["月份", "客服", "", "面谈记录", "月份"], ["月份", "客服"])
    ['面谈记录']
    """
    known = set(ours)
    return list(dict.fromkeys(h for h in header if h and h not in known))


@dataclass
class StaffColumns:
    """What staff typed in the old 客户档案, by buyer, each value with the type it was typed with.

    ``headers``: every column that is not computed, in sheet order; ``values[header][buyer]``;
    ``formats[header]``: the number format the column's numbers and dates share (None: General or
    several); ``problems``: duplicate buyer rows and values in rows without a buyer, by cell."""

    headers: list[str] = field(default_factory=list)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    formats: dict[str, str | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def header_text(value: Any) -> str:
    """A header cell as text (a header typed as a number stays its digits).

    >>> header_text(" 鞋码 "), header_text(2024), header_text(None)
    ('鞋码', '2024', '')
    """
    return "" if value is None else str(value).strip()


def staff_pick(computed: Sequence[str]):
    """The columns to read typed: the key and every column not computed by the job."""
    ours = set(computed) - {BUYER}
    return lambda header: [j for j, h in enumerate(header) if header_text(h) not in ours]


def read_staff_columns(typed: TypedColumns, sheet: str, computed: Sequence[str]) -> StaffColumns:
    """Staff columns of an existing 客户档案 by 买家会员名. A missing key header stops the run (InputErrors
    at A1): rebuilding without it would drop every typed value. A buyer on two rows keeps what both
    rows hold: values in one row only are merged; of two different values the upper row's stays in
    its column and the other is added to 备注 ("重复行 客户档案!A7：鞋码=39"), and each extra row is
    reported by cell."""
    header = [header_text(h) for h in typed.header]
    if BUYER not in header:
        found = "、".join(h for h in header if h) or "（空）"
        raise InputErrors([Problem(sheet, "A1", f"找不到「{BUYER}」列（第 1 行的表头：{found}）。员工填写的资料按"
                                                f"{BUYER}保留，请把该列表头改回「{BUYER}」后再运行；本次未写入任何内容")])
    key = header.index(BUYER)
    out = StaffColumns()
    buyers: dict[int, str] = {}
    first_row: dict[str, int] = {}
    for row, value, _ in typed.columns.get(key, []):
        buyer = header_text(value)
        if not buyer:
            continue
        buyers[row] = buyer
        if buyer in first_row:
            out.problems.append(Problem(sheet, f"{col_letter(key + 1)}{row}",
                                        f"买家「{buyer}」重复（第 {first_row[buyer]} 行已有）：两行的资料已合并为一行，"
                                        "不一致的值记入备注", buyer))
        else:
            first_row[buyer] = row
    notes: dict[str, list[str]] = {}
    for j in sorted(c for c in typed.columns if c != key):
        cells = typed.columns[j]
        name = header[j] if j < len(header) and header[j] else f"未命名列{col_letter(j + 1)}"
        if name in out.values or (not cells and not (j < len(header) and header[j])):
            continue  # a second column of the same name: read by the first; an empty unnamed one
        column: dict[str, Any] = {}
        for row, value, _ in cells:
            buyer = buyers.get(row)
            if buyer is None:
                out.problems.append(Problem(sheet, f"{col_letter(j + 1)}{row}",
                                            f"该行没有{BUYER}，此值无法按买家保留：{value}", value))
            elif buyer not in column:
                column[buyer] = value
            elif column[buyer] != value or type(column[buyer]) is not type(value):
                notes.setdefault(buyer, []).append(f"重复行 {sheet}!{col_letter(key + 1)}{row}：{name}={value}")
        out.headers.append(name)
        out.values[name] = column
        formats = {fmt for _, value, fmt in cells if not isinstance(value, str)}
        out.formats[name] = formats.pop() if len(formats) == 1 else None
    if notes:
        memo = out.values.setdefault("备注", {})
        if "备注" not in out.headers:
            out.headers.append("备注")
        for buyer, extra in notes.items():
            memo[buyer] = "；".join(([str(memo[buyer])] if memo.get(buyer) not in (None, "") else []) + extra)
    return out


def merge_staff(first: StaffColumns | None, more: StaffColumns) -> StaffColumns:
    """Staff columns of several tabs of one table (客户档案, 客户档案(2) …) as one: headers in order of
    appearance; a buyer's value from the first tab that has one.

    >>> a = StaffColumns(["备注"], {"备注": {"x": 1}}, {"备注": None})
    >>> b = StaffColumns(["备注", "鞋码"], {"备注": {"x": 2, "y": 3}, "鞋码": {"y": 38}}, {"备注": None, "鞋码": None})
    >>> m = merge_staff(a, b)
    >>> m.headers, m.values["备注"], m.values["鞋码"]
    (['备注', '鞋码'], {'x': 1, 'y': 3}, {'y': 38})
    """
    if first is None:
        return more
    for h in more.headers:
        if h not in first.values:
            first.headers.append(h)
            first.values[h] = {}
            first.formats[h] = more.formats.get(h)
        elif first.formats.get(h) != more.formats.get(h):
            first.formats[h] = None  # the tabs' numbers differ in format: General
        column = first.values[h]
        for buyer, value in more.values.get(h, {}).items():
            column.setdefault(buyer, value)
    first.problems.extend(more.problems)
    return first


def carry_staff_columns(arch, old, staff: StaffColumns | None, staff_cols: list[str], mask: bool):
    """New computed columns + old rows of buyers not in this run (polars), and the staff columns
    for those rows as Python lists of the values as typed (header → list), carried by buyer."""
    import polars as pl

    from xlreports.engine.customers.archive import local_address
    from xlreports.engine.customers.privacy import mask_address_expr, mask_phone_expr

    computed = [c for c in views.COMPUTED if c in arch.columns]
    table = arch.select(computed)
    kept = 0
    if old is not None:
        absent = old.unique(BUYER, keep="first", maintain_order=True).join(arch.select(BUYER), on=BUYER, how="anti")
        kept = absent.height
        if kept:
            cols = [c for c in table.columns if c in absent.columns]
            absent = absent.select(cols).with_columns(
                [pl.col(c).cast(table.schema[c], strict=False) for c in cols])
            table = pl.concat([table, absent], how="diagonal_relaxed")
            if {"省", "地址"} <= set(table.columns):  # rows an earlier version wrote with the whole address
                table = table.with_columns(local_address())
    if mask:  # after the kept rows are added: they may come from an unmasked (--no-mask) run
        table = table.with_columns(mask_phone_expr("电话").alias("电话"), mask_address_expr("地址").alias("地址"))
    buyers = table.get_column(BUYER).to_list()
    columns: dict[str, Any] = {}
    for c in staff_cols:
        typed = staff.values.get(c) if staff is not None else None
        if typed:
            columns[c] = [typed.get(b) for b in buyers]
        else:
            columns[c] = pl.Series(c, [None] * len(buyers), dtype=pl.String)
    return table, columns, kept
