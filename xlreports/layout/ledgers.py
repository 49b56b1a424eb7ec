"""Sheets that keep state between runs: 考核历史 (each month's results, for the streak rules),
客服名册 (written once when a workbook has none) and the hidden _xlreports manifest
(which sheets were generated and which cells people type into, so a re-run replaces
the first and carries over the second).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xlreports.engine.records import HistoryRow, MonthResult
from xlreports.a1 import addr, col_letter
from xlreports.layout.spec import (
    BODY,
    FMT_DATE,
    FMT_MONEY,
    FMT_SCORE,
    HEADER,
    INPUT,
    NOTE,
    SheetSpec,
    Style,
    WorkbookSpec,
)

HISTORY_SHEET = "考核历史"
ROSTER_SHEET = "客服名册"
MANIFEST_SHEET = "_xlreports"
HISTORY_COLUMNS = ("月份", "客服", "总分", "排名", "人数", "绩效工资", "结果档位", "方案")
#: Pay as paid, for 个税's year to date (engine/tax.py): written when some month recorded it (计算个税 是).
HISTORY_PAY_COLUMNS = ("计税收入", "专项扣除", "专项附加扣除", "个税")
ROSTER_COLUMNS = ("客服", "入职日期", "岗位", "级别")
MANIFEST_COLUMNS = ("类型", "键", "月份", "工作表", "单元格", "预填值", "值")
# A row ("format", 2) says the manifest was written since generated tabs carry a mark (a sheet-scoped
# name, see excel/write/plan.owned_tabs): it no longer vouches for the tabs it lists.
MANIFEST_FORMAT = "format"


def history_rows(result: MonthResult) -> list[HistoryRow]:
    """This month's results as history rows."""
    n = len(result.agents)
    paid = result.scheme.income_tax == "on"
    return [HistoryRow(result.month, r.agent.name, r.total, r.rank, n, r.perf_pay,
                       r.band.label if r.band else "", result.scheme.code,
                       *((r.income, r.special, r.additional, r.tax) if paid else ())) for r in result.agents]


def history_pay(values: dict) -> tuple:
    """A 考核历史 row's pay as paid (income, special, additional, tax) by header; income None when blank.

    >>> history_pay({"计税收入": 9000.0, "个税": 60.0}), history_pay({})
    ((9000.0, 0.0, 0.0, 60.0), (None, 0.0, 0.0, 0.0))
    """
    income, special, additional, tax = (values.get(c) for c in HISTORY_PAY_COLUMNS)
    return (None if income is None else float(income), float(special or 0), float(additional or 0),
            float(tax or 0))


class HistoryLog(list):
    """考核历史 rows (HistoryRow) and the columns people added to the sheet: ``added`` lists their
    headers after ours, ``values[(月份, 客服)][header]`` what each row held, as typed."""

    def __init__(self, rows=(), added: list[str] | None = None, values: dict | None = None):
        super().__init__(rows)
        self.added: list[str] = list(added or [])
        self.values: dict[tuple[str, str], dict[str, object]] = dict(values or {})


def merge_history(old: list[HistoryRow], new: list[HistoryRow]) -> HistoryLog:
    """Replace the month(s) in ``new``, keep every other month; sorted by month, then rank. The columns
    people added to 考核历史 (``old`` a HistoryLog) stay with their (月份, 客服).

    >>> a = HistoryRow("2026-09", "x", 50.0, 1, 1)
    >>> b = HistoryRow("2026-10", "x", 60.0, 1, 1)
    >>> [h.total for h in merge_history([a, HistoryRow("2026-10", "x", 1.0, 1, 1)], [b])]
    [50.0, 60.0]
    """
    months = {h.month for h in new}
    kept = [h for h in old if h.month not in months]
    return HistoryLog(sorted(kept + new, key=lambda h: (h.month, h.rank, h.agent)),
                      getattr(old, "added", None), getattr(old, "values", None))


def history_sheet(rows: list[HistoryRow]) -> SheetSpec:
    """考核历史: one row per month and agent; the columns people added (``rows`` a HistoryLog) follow
    ours with their values as typed, by (月份, 客服).

    >>> log = HistoryLog([HistoryRow("2026-09", "小美", 80.0, 1, 2)], ["面谈"], {("2026-09", "小美"): {"面谈": 3}})
    >>> spec = history_sheet(log)
    >>> spec.cells[(1, 9)].value, spec.cells[(2, 9)].value, spec.auto_filter
    ('面谈', 3, 'A1:I2')
    """
    spec = SheetSpec(HISTORY_SHEET, freeze="A2", tab_color="7030A0")
    added = list(getattr(rows, "added", []))
    typed = getattr(rows, "values", {})
    pay = HISTORY_PAY_COLUMNS if any(h.income is not None for h in rows) else ()
    ours = (*HISTORY_COLUMNS, *pay)
    for j, label in enumerate([*ours, *added], start=1):
        spec.set(1, j, label, style=HEADER)
        spec.col_widths[j] = 12
    for i, h in enumerate(rows, start=2):
        values = (h.month, h.agent, h.total, h.rank, h.team_size, h.perf_pay, h.band, h.scheme)
        if pay:
            values += (h.income, h.special, h.additional, h.tax) if h.income is not None else (None,) * len(pay)
        formats = (None, None, FMT_SCORE, "0", "0", FMT_MONEY, None, None, *(FMT_MONEY,) * len(pay))
        for j, (v, fmt) in enumerate(zip(values, formats), start=1):
            spec.set(i, j, v, style=BODY.but(number_format=fmt))
        extra = typed.get((h.month, h.agent), {})
        for j, header in enumerate(added, start=len(ours) + 1):
            spec.set(i, j, extra.get(header), style=INPUT)
    spec.auto_filter = f"A1:{col_letter(len(ours) + len(added))}{max(2, len(rows) + 1)}"
    return spec


def roster_sheet(agents: list[tuple[str, str]], default_level: str) -> SheetSpec:
    """A new 客服名册: every agent at the default level; 入职日期 and 岗位 left for the owner to fill."""
    spec = SheetSpec(ROSTER_SHEET, freeze="A2", tab_color="00B0F0")
    for j, label in enumerate(ROSTER_COLUMNS, start=1):
        spec.set(1, j, label, style=HEADER)
        spec.col_widths[j] = 14
    for i, (name, post) in enumerate(agents, start=2):
        spec.set(i, 1, name, style=BODY)
        spec.set(i, 2, None, style=INPUT.but(number_format=FMT_DATE))
        spec.set(i, 3, post or None, style=INPUT)
        spec.set(i, 4, default_level, style=INPUT)
    spec.set(len(agents) + 3, 1, f"由 xlreports 生成：所有客服暂按默认级别「{default_level}」计算。"
             "请填写入职日期（用于判断能否晋级）、岗位（售前/售后）和级别（初级/中级/高级）。", style=NOTE.but(wrap=False))
    return spec


@dataclass
class InputCell:
    """One typed-into cell recorded in the manifest (or found on a sheet by its labels).

    ``recorded``: whether ``prefill`` is the pre-fill written with the cell; False when the
    manifest was lost and the cell was found by its labels only (see jobs/carry.py).
    """

    key: str
    month: str
    sheet: str
    cell: str
    prefill: object
    value: object
    recorded: bool = True

    @property
    def agent(self) -> str:
        """The agent part of the key ``month|agent|field``.

        >>> InputCell("2026-10|小美|奖金", "2026-10", "工资表", "J3", None, 300).agent
        '小美'
        """
        return self.key.split("|")[1] if self.key.count("|") >= 2 else ""


def input_cells(book: WorkbookSpec, month: str, prefills: dict[str, object]) -> list[InputCell]:
    """Every input cell of the generated sheets, with what was pre-filled and what the cell now holds."""
    found = []
    for sheet in book.sheets:
        for (r, c), cell in sheet.cells.items():
            if cell.input_key:
                found.append(InputCell(cell.input_key, month, sheet.name, addr(r, c),
                                       prefills.get(cell.input_key), cell.value))
    return found


def manifest_sheet(generated: list[str], inputs: list[InputCell]) -> SheetSpec:
    """The hidden manifest. Values are written as text/numbers only; never read as formulas."""
    spec = SheetSpec(MANIFEST_SHEET, state="veryHidden")
    for j, label in enumerate(MANIFEST_COLUMNS, start=1):
        spec.set(1, j, label, style=Style(bold=True))
    spec.set(2, 1, MANIFEST_FORMAT)
    spec.set(2, 2, 2)
    row = 3
    for name in generated:
        spec.set(row, 1, "sheet")
        spec.set(row, 4, name)
        row += 1
    for cell in inputs:
        for j, v in enumerate(("input", cell.key, cell.month, cell.sheet, cell.cell, _plain(cell.prefill),
                               _plain(cell.value)), start=1):
            spec.set(row, j, v)
        row += 1
    return spec


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value
