"""Generated formulas that someone typed over, found by identity and reported by cell.

Every figure of the forms, 工资表 and 考核汇总 is a formula defined by the scheme, and pay reads it:
a number typed over one (a 得分, a 绩效工资) would silently lose at the next recalculation what it
claims, and the next run rewrites the formula anyway. So the run rewrites it — the figure is the
scheme's — and says so, by cell, with the value found and the value written, and where the
adjustment belongs (the yellow input cells). Cells are matched by identity — (month, agent, field)
through the forms' labels and the tables' headers (:mod:`xlreports.layout.readback`), read the same
way from the sheets before the run and from the sheets about to be written — never by address:
inserted rows, moved columns and sorted tables do not confuse it.

>>> from xlreports.layout.spec import SheetSpec
>>> new = SheetSpec("工资表")
>>> for j, h in enumerate(["客服", "奖金", "应发合计"], start=1): _ = new.set(2, j, h)
>>> _ = new.set(1, 1, "店 客服工资表 2026-10"), new.set(3, 1, "小美"), new.set(3, 3, 4520.5, formula="=SUM(B3:B3)")
>>> old = OurSheets(payroll="工资表", rows={"工资表": [["店 客服工资表 2026-10"], [None, "客服", None, "奖金", "应发合计"],
...                                                [None, "小美", None, None, 5000]]}, formulas={"工资表": {}})
>>> print(*overtyped_figures(old, [new], Labels("zh"), "2026-10", ["小美"], []), sep="\\n")
工资表!E3: 「小美」的「应发合计」是按考核方案计算的公式，被改成了数值 5000；本次已恢复公式，重新计算为 4520.5（现在在 工资表!C3）。如需调整，请在黄色格子（主管评分、考勤记录、奖金）里填写
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from xlreports.a1 import addr, split_cell
from xlreports.errors import Problem
from xlreports.jobs.carry import OurSheets, shown
from xlreports.layout.labels import Labels
from xlreports.layout.readback import FoundInput, form_figures, is_form_sheet, table_figures
from xlreports.layout.spec import SheetSpec

RADAR_KEY = "指标得分率(%)"  # the small table under 考核汇总's charts (layout/summary._charts)
ADVICE = "如需调整，请在黄色格子（主管评分、考勤记录、奖金）里填写"


def spec_rows(spec: SheetSpec) -> list[list]:
    """A sheet spec's cell values as rows (``rows[0]`` is row 1), as a reader gives a written sheet.

    >>> s = SheetSpec("x"); _ = s.set(2, 3, 5, formula="=2+3")
    >>> spec_rows(s)
    [[None, None, None], [None, None, 5]]
    """
    width = spec.max_col  # a property over every cell: once
    rows: list[list] = [[None] * width for _ in range(spec.max_row)]
    for (r, c), cell in spec.cells.items():
        rows[r - 1][c - 1] = cell.value
    return rows


def _figures(kind: str, sheet: str, rows: list[list], labels: Labels, agents: Sequence[str],
             kpis: Sequence[str]) -> dict[str, FoundInput]:
    """``kind|month|agent|field`` → the figure cell, for one sheet of one kind (form, 工资表, 考核汇总)."""
    if kind == "form":
        found = form_figures(sheet, rows, labels, kpis)
    elif kind == "工资表":
        found = table_figures(sheet, rows, labels("客服"), {*agents, labels("合计")})
    else:
        found = table_figures(sheet, rows, labels("客服"), set(agents))
        month = next((f.month for f in found), None)
        found += table_figures(sheet, rows, labels(RADAR_KEY), set(kpis), month)
    return {f"{kind}|{f.key}": f for f in found}


def _kind(name: str, labels: Labels) -> str | None:
    if is_form_sheet(name, labels):
        return "form"
    return next((k for k in ("工资表", "考核汇总") if name == labels(k)), None)


def overtyped_figures(ours: OurSheets, sheets: Iterable[SheetSpec], labels: Labels, month: str,
                      agents: Sequence[str], kpis: Sequence[str]) -> list[Problem]:
    """A warning for each generated formula cell of ``month`` that holds a value in the workbook now
    (typed over, or cleared) and gets its formula back in ``sheets`` (the sheets about to be written)."""
    old: dict[str, FoundInput] = {}
    for name in [*ours.forms, ours.payroll, ours.summary]:
        kind = _kind(name, labels) if name is not None else None
        if kind is not None:
            held = {addr(r, c) for r, c in ours.formulas.get(name, {})}
            old.update((k, f) for k, f in _figures(kind, name, ours.rows[name], labels, agents, kpis).items()
                       if f.cell not in held)
    problems: list[Problem] = []
    for spec in sheets if old else ():  # the sheets about to be written: read only when a figure lost its formula
        kind = _kind(spec.name, labels)
        if kind is None:
            continue
        for key, new in _figures(kind, spec.name, spec_rows(spec), labels, agents, kpis).items():
            was = old.get(key)
            cell = spec.cells.get(split_cell(new.cell)) if was is not None else None
            if cell is None or new.month != month or not cell.formula:
                continue
            what = "被清空了" if was.value in (None, "") else f"被改成了数值 {shown(was.value)}"
            moved = "" if (was.sheet, was.cell) == (spec.name, new.cell) else f"（现在在 {spec.name}!{new.cell}）"
            field = new.field.replace("·", "」的「")
            problems.append(Problem(was.sheet, was.cell, f"「{new.agent}」的「{field}」是按考核方案计算的公式，{what}；"
                                    f"本次已恢复公式，重新计算为 {shown(cell.value)}{moved}。{ADVICE}",
                                    severity="warning"))
    return problems
