"""Read what people typed back out of our own generated sheets, by labels and headers — the inverse
of :mod:`xlreports.layout.forms` and :mod:`xlreports.layout.payroll`.

Nothing is found by address: a form is found by its 客服 label (one per form, tab or single sheet)
with the month beside 考核月份, a field's row by its label in the 指标 column, and the value's column
by the form's header row (指标 | 详细描述 | 标准 | 分值 | 权重 | 数据 …); 工资表 by its header row and
the 客服 column. Inserted rows or columns, a sorted 工资表 and moved columns keep each value with its
agent and field. Pure functions over a sheet's rows of values (``rows[0]`` is Excel row 1).

>>> rows = [["客服人员绩效考核表"], ["店铺", None, "店", "考核月份", None, "2026-10"], ["客服", "小美"],
...         ["指标", "详细描述", "标准", "分值", "权重", "数据", "得分", "加权得分"],
...         ["工作任务", "", "", 10, "", 7], ["考核人员", "王主管", None, "考核时间", None, None]]
>>> [(f.key, f.cell) for f in form_inputs("考核表-小美", rows, Labels("zh"), {"工作任务": KPI, "考核人员": SIGN_OFF})]
[('2026-10|小美|工作任务', 'F5'), ('2026-10|小美|考核人员', 'B6')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from xlreports.a1 import addr
from xlreports.engine.tax import ADDITIONAL, DEDUCTIONS
from xlreports.layout import forms, payroll
from xlreports.layout.labels import Labels

KPI, ATTENDANCE, SIGN_OFF = "kpi", "attendance", "sign-off"
#: Sign-off fields of a form, typed by the supervisor or the agent (see forms._form).
SIGN_OFF_FIELDS = ("考核人员", "考核时间", "备注", "被考核人确认", "确认日期")
PAYROLL_INPUTS = ("奖金", *DEDUCTIONS, ADDITIONAL)
_INDICATOR, _DESCRIPTION, _STANDARD, _MAX, _WEIGHT, _DATA, _SCORE, _WEIGHTED = forms.COLUMNS
#: A KPI row's figure columns on a form; 总分 and 绩效工资 rows (label under 指标, figure under
#: 加权得分); 结果档位 / 调整建议 (label under 指标 / 分值, text under 详细描述 / 数据).
FORM_FIGURES = (_MAX, _WEIGHT, _DATA, _SCORE, _WEIGHTED)
FORM_TOTALS = ("总分", "绩效工资")
FORM_BESIDE = (("结果档位", _INDICATOR, _DESCRIPTION), ("调整建议", _MAX, _DATA))
_MONTH = re.compile(r"(\d{4}-\d{2})\s*$")
_MONTH_IN = re.compile(r"\d{4}-\d{2}")


@dataclass
class FoundInput:
    """One typed-into cell found on a sheet: its identity and where it is now."""

    month: str
    agent: str
    field: str
    value: Any
    sheet: str
    cell: str
    formula: str | None = None  # set by the reader when the cell holds a formula (its value: what it shows)

    @property
    def key(self) -> str:
        return f"{self.month}|{self.agent}|{self.field}"


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _next_value(row: list, col: int) -> Any:
    """The first non-empty cell right of ``col`` (a merged label's value)."""
    return next((v for v in row[col + 1:] if _text(v)), None)


def _cell(row: list, col: int | None) -> Any:
    return row[col] if col is not None and col < len(row) else None


def is_form_sheet(name: str, labels: Labels) -> bool:
    """Whether a sheet's name is a form's (考核表, or 考核表-<客服>).

    >>> is_form_sheet("考核表-小美", Labels("zh")), is_form_sheet("考核汇总", Labels("zh"))
    (True, False)
    """
    prefix = labels("考核表")
    return name == prefix or name.startswith(prefix + "-")


def _form_rows(rows: list[list], labels: Labels):
    """Each body row of each form on a sheet: (row number, row, texts, month, agent, header columns)."""
    agent_label, month_label = labels("客服"), labels("考核月份")
    heads = {labels(h): h for h in forms.COLUMNS}
    month = agent = None
    cols: dict[str, int] = {}
    for r, row in enumerate(rows, start=1):
        texts = [_text(v) for v in row]
        if agent_label in texts:  # the 客服 row of a new form: the header that follows belongs to it
            agent, cols = _text(_next_value(row, texts.index(agent_label))), {}
            continue
        if month_label in texts:
            found_month = _MONTH_IN.search(_text(_next_value(row, texts.index(month_label))))
            month = found_month.group(0) if found_month else None
            continue
        if labels(_INDICATOR) in texts and labels(_DATA) in texts:
            cols = {heads[t]: j for j, t in enumerate(texts) if t in heads}
            continue
        if agent and month and _INDICATOR in cols:
            yield r, row, texts, month, agent, cols


def form_inputs(sheet: str, rows: list[list], labels: Labels, fields: dict[str, str]) -> list[FoundInput]:
    """The input cells of every form on a sheet. ``fields``: field → KPI / ATTENDANCE / SIGN_OFF."""
    shown = {labels(f): f for f in fields}  # --lang en shows KPI names in English too
    for f, kind in fields.items():
        if kind == KPI:
            shown.setdefault(f, f)
    found: list[FoundInput] = []
    for r, row, texts, month, agent, cols in _form_rows(rows, labels):
        for j, t in enumerate(texts):
            field = shown.get(t)
            if field is None or fields[field] == SIGN_OFF and j not in (cols.get(_INDICATOR), cols.get(_MAX)):
                continue
            if fields[field] == KPI and j != cols[_INDICATOR]:
                continue
            target = {KPI: _DATA, ATTENDANCE: _STANDARD}.get(fields[field])
            if target is None:  # sign-off pairs: label under 指标 → value under 详细描述; under 分值 → 数据
                target = _DESCRIPTION if j == cols[_INDICATOR] else _DATA
            c = cols.get(target)
            if c is not None:
                found.append(FoundInput(month, agent, field, _cell(row, c), sheet, addr(r, c + 1)))
    return found


def form_figures(sheet: str, rows: list[list], labels: Labels, kpis) -> list[FoundInput]:
    """Every figure cell of the forms on a sheet, found as their inputs are: a KPI row's 分值, 权重,
    数据, 得分 and 加权得分 (field ``<指标>·<column>``), and 总分, 绩效工资 (under 加权得分), 结果档位
    and 调整建议 (beside their labels). Which of them hold formulas is the layout's business.

    >>> rows = [["客服", "小美"], ["考核月份", "2026-10"], ["指标", "详细描述", "标准", "分值", "权重", "数据", "得分", "加权得分"],
    ...         ["响应时间", "", "", 20, 20, 30, 20, 20], ["总分", None, None, None, None, None, None, 20]]
    >>> [(f.field, f.cell, f.value) for f in form_figures("考核表-小美", rows, Labels("zh"), ["响应时间"])][3:]
    [('响应时间·得分', 'G4', 20), ('响应时间·加权得分', 'H4', 20), ('总分', 'H5', 20)]
    """
    names = {labels(k): k for k in kpis} | {k: k for k in kpis}
    totals = {labels(t): t for t in FORM_TOTALS}
    beside = [(labels(field), field, at, target) for field, at, target in FORM_BESIDE]
    found: list[FoundInput] = []
    for r, row, texts, month, agent, cols in _form_rows(rows, labels):
        label = texts[cols[_INDICATOR]] if cols[_INDICATOR] < len(texts) else ""
        slots: list[tuple[str, int | None]] = []
        if label in names:
            slots = [(f"{names[label]}·{column}", cols.get(column)) for column in FORM_FIGURES]
        elif label in totals:
            slots = [(totals[label], cols.get(_WEIGHTED))]
        for shown, field, at, target in beside:
            c = cols.get(at)
            if c is not None and c < len(texts) and texts[c] == shown:
                slots.append((field, cols.get(target)))
        found += [FoundInput(month, agent, field, _cell(row, c), sheet, addr(r, c + 1))
                  for field, c in slots if c is not None]
    return found


def table_figures(sheet: str, rows: list[list], key_label: str, keys, month: str | None = None) -> list[FoundInput]:
    """Every cell of a one-row-per-agent table (工资表, 考核汇总 …) by (month, key, header): the table's
    header row holds ``key_label``; its rows are those whose key cell is one of ``keys`` (others, and
    blank rows, are passed over), wherever a sort or an inserted row put them; the month is taken
    from the title above the header (a text ending in 2026-10), else ``month``.

    >>> rows = [["店 客服工资表 2026-10"], [None, "客服", "级别", None, "绩效工资"], [None, "小美", "中级", None, 900],
    ...         [], [None, "合计", None, None, 900]]
    >>> [(f.key, f.cell) for f in table_figures("工资表", rows, "客服", {"小美", "合计"})]
    [('2026-10|小美|级别', 'C3'), ('2026-10|小美|绩效工资', 'E3'), ('2026-10|合计|级别', 'C5'), ('2026-10|合计|绩效工资', 'E5')]
    """
    found: list[FoundInput] = []
    key_col: int | None = None
    heads: dict[int, str] = {}
    for r, row in enumerate(rows, start=1):
        texts = [_text(v) for v in row]
        if key_col is None:
            if key_label in texts:
                key_col = texts.index(key_label)
                heads = {j: t for j, t in enumerate(texts) if t and j != key_col}
            else:
                month = next((m.group(1) for t in texts if (m := _MONTH.search(t))), month)
            continue
        key = texts[key_col] if key_col < len(texts) else ""
        if key in keys and month:
            found += [FoundInput(month, key, field, _cell(row, j), sheet, addr(r, j + 1)) for j, field in heads.items()]
    return found


def payroll_inputs(sheet: str, rows: list[list], labels: Labels, month: str | None) -> list[FoundInput]:
    """奖金 and the deductions typed in 工资表, by the 客服 column; the month from the title (else ``month``).

    >>> rows = [["店 客服工资表 2026-10"], ["客服", "级别", "奖金"], ["果果", "初级", None], ["小美", "中级", 300],
    ...         ["合计"], [], ["应发合计 = 底薪 + … + 奖金。"]]
    >>> [(f.key, f.value, f.cell) for f in payroll_inputs("工资表", rows, Labels("zh"), None)]
    [('2026-10|果果|奖金', None, 'C3'), ('2026-10|小美|奖金', 300, 'C4')]
    """
    agent_label, total = labels("客服"), labels("合计")
    wanted = {labels(f): f for f in PAYROLL_INPUTS}
    known = {labels(h) for h in payroll.COLUMNS}
    cols: dict[str, int] = {}
    found: list[FoundInput] = []
    for r, row in enumerate(rows, start=1):
        texts = [_text(v) for v in row]
        if not cols:
            if agent_label in texts and any(t in wanted for t in texts):
                cols = {t: j for j, t in enumerate(texts) if t in known}
            else:  # the title above the header: "<店铺> 客服工资表 2026-10"
                month = next((m.group(1) for t in texts if (m := _MONTH.search(t))), month)
            continue
        agent = _text(_cell(row, cols[agent_label]))
        if agent == total:  # the 合计 row ends the table (the note below it is no agent)
            break
        if not agent or not month:
            continue
        for label, field in wanted.items():
            if label in cols:
                found.append(FoundInput(month, agent, field, _cell(row, cols[label]), sheet,
                                        addr(r, cols[label] + 1)))
    return found
