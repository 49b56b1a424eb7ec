"""考核表: one form per agent, laid out like the paper 客服人员绩效考核表.

指标 | 详细描述 | 标准 | 分值 | 权重 | 数据 | 得分 | 加权得分, then 总分, 上月总分, 绩效工资, 结果档位,
the attendance record, the sign-off fields 考核人员 / 考核时间 / 备注 / 被考核人确认, and a signature
block (被考核人签字 / 考核人签字 / 部门经理审核, each with a date) with room to write by hand.
Yellow cells are typed by the supervisor or the agent; every other number is a
formula over 考核数据 and 考核方案. Rows are as tall as their wrapped text; the scheme's reading
notes stay on 考核方案 (the agent signs the rules, not our reading of them). Tabs mode gives each
agent a sheet (考核表-<客服>) printed on one A4 page; single mode stacks the forms on one sheet
with a page break after each.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from xlreports import kinds
from xlreports.engine.pay import TOP_LEVEL_ADVICE
from xlreports.engine.records import AgentResult
from xlreports.kinds.attendance import deduction_formula
from xlreports.model.scheme import Kpi
from xlreports.layout import formulas as fx
from xlreports.layout.context import BookContext, safe_sheet_name, value_format
from xlreports.layout.data_sheet import DataRefs
from xlreports.layout.text_fit import fitted_height
from xlreports.a1 import addr, sheet_ref
from xlreports.layout.spec import (
    BODY,
    FMT_DATE,
    FMT_MONEY,
    FMT_NUMBER,
    FMT_SCORE,
    HEADER,
    INPUT,
    LABEL,
    NOTE,
    TITLE,
    DataValidation,
    PageSetup,
    SheetSpec,
)

COLUMNS = ("指标", "详细描述", "标准", "分值", "权重", "数据", "得分", "加权得分")
WIDTHS = (13, 26, 26, 6, 6, 10, 7, 10)  # 104 units: one A4 page wide in portrait at about 88 %
CONFIRM_CHOICES = ["确认无误", "有异议"]
SIGNATURES = ("被考核人签字", "考核人签字", "部门经理审核")
SIGNATURE_HEIGHT = 34  # points: room for a handwritten name
DESCRIPTION_SIZE = 9  # 详细描述 and 标准 in 9 pt: scheme B's rules fit in three lines
Pos = tuple[int, int]


@dataclass
class FormRefs:
    """Cells of one agent's form that other sheets point at."""

    sheet: str
    value: dict[str, Pos] = field(default_factory=dict)
    score: dict[str, Pos] = field(default_factory=dict)
    weighted: dict[str, Pos] = field(default_factory=dict)
    max_score: dict[str, Pos] = field(default_factory=dict)
    attendance: dict[str, Pos] = field(default_factory=dict)
    total: Pos = (0, 0)
    perf_pay: Pos = (0, 0)
    band_label: Pos = (0, 0)
    advice: Pos = (0, 0)
    level: Pos = (0, 0)

    def ref(self, pos: Pos) -> str:
        return sheet_ref(self.sheet, *pos, absolute=True)


def standard_text(kpi: Kpi) -> str:
    """The 标准 column: the scheme's rule in words, as the KPI's kind words it.

    >>> from xlreports.rules.scheme_files import builtin_scheme
    >>> standard_text(builtin_scheme("A").kpi("询单转化率"))
    '≥75%→100；65%–75%→80；50%–65%→60；<50%→0'
    """
    return kinds.of(kpi).standard(kpi)


def form_sheets(ctx: BookContext, data: DataRefs) -> tuple[list[SheetSpec], dict[str, FormRefs]]:
    """All forms: one sheet per agent (tabs) or one sheet with page breaks (single)."""
    L = ctx.labels
    refs: dict[str, FormRefs] = {}
    sheets: list[SheetSpec] = []
    taken: set[str] = set()
    single = None
    if ctx.forms_mode == "single":
        single = _new_sheet(ctx, L("考核表"))
        sheets.append(single)
    row = 1
    for r in ctx.result.agents:
        if single is None:
            spec = _new_sheet(ctx, safe_sheet_name(f"{L('考核表')}-{r.agent.name}", taken))
            sheets.append(spec)
            refs[r.agent.name], _ = _form(ctx, spec, 1, r, data)
        else:
            refs[r.agent.name], last = _form(ctx, single, row, r, data)
            single.row_breaks.append(last)
            row = last + 2
    if single is not None and single.row_breaks:
        single.row_breaks.pop()  # no break after the last form
    return sheets, refs


def _new_sheet(ctx: BookContext, name: str) -> SheetSpec:
    # A form tab prints on one A4 page; the single sheet one form a page (its breaks), one page wide.
    tall = 1 if ctx.forms_mode != "single" else 0
    spec = SheetSpec(name, tab_color="4472C4", page=PageSetup(
        orientation="portrait", fit_width=1, fit_height=tall,
        header_left=ctx.shop, header_center="客服人员绩效考核表", header_right=f"考核月份：{ctx.month}"))
    for j, w in enumerate(WIDTHS, start=1):
        spec.col_widths[j] = w
    return spec


def _form(ctx: BookContext, spec: SheetSpec, top: int, r: AgentResult, data: DataRefs) -> tuple[FormRefs, int]:
    """Lay out one agent's form from row ``top``; returns its cell references and its last row."""
    L = ctx.labels
    scheme, srefs = ctx.scheme, ctx.refs
    name = r.agent.name
    f = FormRefs(spec.name)
    spec.merge(top, 1, top, 8, L("客服人员绩效考核表"), style=TITLE)
    spec.row_heights[top] = 30
    level = r.agent.level or scheme.default_level
    _pair(spec, top + 1, [(L("店铺"), ctx.shop, 1, 2, 3), (L("考核月份"), ctx.month, 4, 6, 8)])
    spec.set(top + 2, 1, L("客服"), style=LABEL)
    spec.merge(top + 2, 2, top + 2, 3, name, style=BODY)
    spec.set(top + 2, 4, L("岗位"), style=LABEL)
    spec.set(top + 2, 5, r.agent.post or "", style=BODY)
    spec.set(top + 2, 6, L("级别"), style=LABEL)
    spec.merge(top + 2, 7, top + 2, 8, level, style=BODY)
    f.level = (top + 2, 7)
    head = top + 3
    if _shows_roster(ctx):
        _pair(spec, head, [(L("工号"), r.agent.staff_id, 1, 2, 3), (L("入职日期"), r.agent.hire_date, 4, 6, 8)])
        spec.cells[(head, 6)].style = BODY.but(number_format=FMT_DATE, h_align="left")
        head += 1
    for j, label in enumerate(COLUMNS, start=1):
        spec.set(head, j, L(label), style=HEADER)
    spec.row_heights[head] = fitted_height([(L(c), w, 10.5) for c, w in zip(COLUMNS, WIDTHS)])

    row = head + 1
    att_rows: dict[str, int] = {}
    kpi_rows: dict[str, int] = {}
    for kpi in scheme.kpis:
        kpi_rows[kpi.name] = row
        row += 1
    total_row = row
    last_row_, perf_row, band_row = row + 1, row + 2, row + 3
    att_top = row + 5
    for kpi in scheme.kpis:
        for column in kinds.of(kpi).attendance_columns(kpi):
            if column not in att_rows:
                att_rows[column] = att_top + len(att_rows)
    for column, arow in att_rows.items():
        f.attendance[column] = (arow, 3)

    for kpi in scheme.kpis:
        _kpi_row(ctx, spec, kpi_rows[kpi.name], kpi, r, data, f)

    first, last = head + 1, total_row - 1
    spec.merge(total_row, 1, total_row, 7, L("总分"), style=LABEL.but(h_align="right"))
    spec.set(total_row, 8, r.total, formula=f"=ROUND(SUM(H{first}:H{last}),2)",
             style=BODY.but(bold=True, number_format=FMT_SCORE))
    f.total = (total_row, 8)
    total = addr(total_row, 8)
    spec.merge(last_row_, 1, last_row_, 7, L("上月总分"), style=LABEL.but(h_align="right"))
    spec.set(last_row_, 8, ctx.previous[name].total if name in ctx.previous else None, style=BODY.but(number_format=FMT_SCORE))
    spec.merge(perf_row, 1, perf_row, 7, L("绩效工资"), style=LABEL.but(h_align="right"))
    spec.set(perf_row, 8, r.perf_pay, formula=fx.perf_pay_formula(scheme, srefs, total, addr(*f.level)),
             style=BODY.but(bold=True, number_format=FMT_MONEY))
    f.perf_pay = (perf_row, 8)
    spec.set(band_row, 1, L("结果档位"), style=LABEL)
    has_bands = bool(scheme.result_bands)
    spec.merge(band_row, 2, band_row, 3, r.band.label if r.band else "",
               formula="=" + fx.band_pick(scheme, srefs, total, "label") if has_bands else None, style=BODY)
    spec.merge(band_row, 4, band_row, 5, L("调整建议"), style=LABEL)
    spec.merge(band_row, 6, band_row, 8, shown_advice(ctx, r), style=BODY.but(wrap=True), formula="=" + fx.advice_formula(
        scheme, srefs, total, addr(*f.level), L(TOP_LEVEL_ADVICE)) if has_bands else None)
    f.band_label, f.advice = (band_row, 2), (band_row, 6)

    # Attendance record: typed by the supervisor, read by the 考勤 row and by 全勤奖.
    if att_rows:
        spec.merge(att_top - 1, 1, att_top - 1, 8, L("考勤记录"), style=LABEL.but(h_align="left"))
    for column, arow in att_rows.items():
        spec.merge(arow, 1, arow, 2, L(column), style=LABEL)
        key = ctx.input_key(name, column)
        spec.set(arow, 3, ctx.inputs.get(key), style=INPUT, input_key=key)
        points = next(d.points for k in scheme.kpis if column in kinds.of(k).attendance_columns(k)
                      for d in k.deductions if d.column == column)
        spec.merge(arow, 4, arow, 8, f"每次扣 {points:g} 分", style=BODY)

    sign = (max(att_rows.values()) + 2) if att_rows else band_row + 2
    _input_pair(ctx, spec, sign, name, [("考核人员", 1, 2, 3), ("考核时间", 4, 6, 8)])
    spec.set(sign + 1, 1, L("备注"), style=LABEL)
    key = ctx.input_key(name, "备注")
    spec.merge(sign + 1, 2, sign + 1, 8, ctx.inputs.get(key), style=INPUT.but(wrap=True))
    spec.cells[(sign + 1, 2)].input_key = key
    spec.row_heights[sign + 1] = 36
    _input_pair(ctx, spec, sign + 2, name, [("被考核人确认", 1, 2, 3), ("确认日期", 4, 6, 8)])
    spec.validations.append(DataValidation(addr(sign + 2, 2), CONFIRM_CHOICES, "请选择：确认无误 / 有异议"))
    end = _signatures(ctx, spec, sign + 4)
    note = "黄色单元格由主管或本人填写；其余数字为公式，随「考核数据」「考核方案」自动重算。"
    spec.merge(end + 1, 1, end + 1, 8, note, style=NOTE)
    spec.row_heights[end + 1] = fitted_height([(note, sum(WIDTHS), 9)], minimum=16)
    return f, end + 1


def shown_advice(ctx: BookContext, r: AgentResult) -> str:
    """The 调整建议 a form shows (its formula's value): the engine's, the top-level text in the book's language."""
    return ctx.labels(r.advice) if r.advice == TOP_LEVEL_ADVICE else r.advice


def _shows_roster(ctx: BookContext) -> bool:
    """The 工号 / 入职日期 row: when 客服名册 gives them for anyone (else it would be blank on every form)."""
    return any(a.agent.staff_id or a.agent.hire_date for a in ctx.result.agents)


def _signatures(ctx: BookContext, spec: SheetSpec, row: int) -> int:
    """被考核人签字 / 考核人签字 / 部门经理审核, each with a date: tall rows to sign by hand (unlocked, so a
    protected sheet still takes a typed date). Returns the last row."""
    L = ctx.labels
    blank = BODY.but(locked=False)
    for i, label in enumerate(SIGNATURES):
        r = row + i
        spec.merge(r, 1, r, 1, L(label), style=LABEL.but(wrap=True))
        spec.merge(r, 2, r, 3, None, style=blank)
        spec.merge(r, 4, r, 5, L("日期"), style=LABEL)
        spec.merge(r, 6, r, 8, None, style=blank)
        spec.row_heights[r] = SIGNATURE_HEIGHT
    return row + len(SIGNATURES) - 1


def _pair(spec: SheetSpec, row: int, items) -> None:
    for label, value, lc, vc1, vc2 in items:
        spec.merge(row, lc, row, vc1 - 1, label, style=LABEL)
        spec.merge(row, vc1, row, vc2, value, style=BODY)


def _input_pair(ctx: BookContext, spec: SheetSpec, row: int, agent: str, items) -> None:
    for label, lc, vc1, vc2 in items:
        key = ctx.input_key(agent, label)
        spec.merge(row, lc, row, vc1 - 1, ctx.labels(label), style=LABEL)
        spec.merge(row, vc1, row, vc2, ctx.inputs.get(key), style=INPUT)
        spec.cells[(row, vc1)].input_key = key


def _kpi_row(ctx: BookContext, spec: SheetSpec, row: int, kpi: Kpi, r: AgentResult, data: DataRefs,
             f: FormRefs) -> None:
    scheme, srefs = ctx.scheme, ctx.refs
    where = srefs.kpis[kpi.name]
    s = r.kpis[kpi.name]
    name = r.agent.name
    standard = standard_text(kpi)
    spec.set(row, 1, kpi.name, style=BODY.but(bold=True, wrap=True))
    spec.set(row, 2, kpi.description, style=BODY.but(wrap=True, size=DESCRIPTION_SIZE))
    spec.set(row, 3, standard, style=BODY.but(wrap=True, size=DESCRIPTION_SIZE))
    spec.row_heights[row] = fitted_height([(kpi.name, WIDTHS[0], 10.5), (kpi.description, WIDTHS[1], DESCRIPTION_SIZE),
                                           (standard, WIDTHS[2], DESCRIPTION_SIZE)])
    max_cell, value_cell, score_cell = addr(row, 4), addr(row, 6), addr(row, 7)
    f.max_score[kpi.name], f.value[kpi.name], f.score[kpi.name] = (row, 4), (row, 6), (row, 7)
    spec.set(row, 4, kpi.max_score, formula=f"={srefs.ref(where['max_score'])}", style=BODY)
    kind = kinds.of(kpi)
    if kind.weighted:
        spec.set(row, 5, kinds.effective_weight(scheme, kpi), formula=kinds.weight_formula(scheme, kpi, srefs),
                 style=BODY.but(number_format=FMT_NUMBER))
    else:
        spec.set(row, 5, kind.weight_text, style=BODY.but(h_align="center"))

    value_style = BODY.but(number_format=value_format(kpi), h_align="right")
    if kind.uses_metric:
        spec.set(row, 6, "无数据" if s.value is None else s.value, formula=_metric(ctx, kpi, name, data),
                 style=value_style)
    elif kind.deducts:
        cells = [addr(*f.attendance[d.column]) for d in kpi.deductions]
        spec.set(row, 6, s.detail, formula=deduction_formula(kpi, srefs, cells), style=value_style)
    else:  # typed on the form (主管评分, 计数加分)
        key = ctx.input_key(name, kpi.name)
        spec.set(row, 6, ctx.inputs.get(key), style=INPUT.but(number_format=value_format(kpi), h_align="right"),
                 input_key=key)
        if kind.typed_score:
            spec.validations.append(score_validation(ctx, kpi, value_cell))

    if not kind.scored:
        spec.set(row, 7, "不计分", style=BODY.but(h_align="center", color="808080"))
        spec.set(row, 8, None, style=BODY)
        return
    spec.set(row, 7, s.score, formula=kind.formula(kpi, srefs, value_cell, max_cell),
             style=BODY.but(number_format=FMT_NUMBER))
    weighted = f"={score_cell}*{addr(row, 5)}/{max_cell}" if kind.weighted else f"={score_cell}"
    spec.set(row, 8, s.weighted, formula=weighted, style=BODY.but(number_format=FMT_SCORE))
    f.weighted[kpi.name] = (row, 8)


def score_validation(ctx: BookContext, kpi: Kpi, cell: str) -> DataValidation:
    """A typed score cell takes a number from 0 to the KPI's 分值, with a prompt and a Chinese error.

    >>> from xlreports.layout.labels import Labels
    >>> class C: labels = Labels("zh")
    >>> v = score_validation(C(), Kpi("工作态度", "manual", max_score=5.0), "F14")
    >>> (v.kind, v.minimum, v.maximum, v.prompt, v.error)
    ('decimal', 0, 5.0, '主管评分：0 到 5 分', '「工作态度」应为 0 到 5 之间的数字（分值 5 分）')
    """
    L = ctx.labels
    return DataValidation(cell, [], L("主管评分：0 到 {max} 分").format(max=f"{kpi.max_score:g}"), kind="decimal",
                          minimum=0, maximum=kpi.max_score,
                          error=L("「{kpi}」应为 0 到 {max} 之间的数字（分值 {max} 分）").format(
                              kpi=L(kpi.name), max=f"{kpi.max_score:g}"))


def _metric(ctx: BookContext, kpi: Kpi, agent: str, data: DataRefs) -> str:
    m = kpi.metric
    if kpi.name in ctx.rate_columns:
        return fx.metric_formula(m.kind, None, None, rate=data.lookup(agent, ctx.rate_columns[kpi.name]))
    num = data.lookup(agent, m.numerator) if m.numerator else None
    den = data.lookup(agent, m.denominator) if m.denominator else None
    target = ctx.refs.ref(ctx.refs.kpis[kpi.name]["metric.target"]) if m.target is not None else None
    total_range = data.column_range(m.numerator) if m.kind == "share" else None
    return fx.metric_formula(m.kind, num, den, total_range=total_range, target=target)
