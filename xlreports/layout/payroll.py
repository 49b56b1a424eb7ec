"""工资表: 客服, 级别, 底薪 (级别工资), 岗位工资, 津贴, 绩效工资, 提成, 全勤奖, 额外奖金, 奖金, 应发合计,
then the deductions (事假扣款, 迟到扣款, 社保个人, 公积金个人, 其他扣款), with 计算个税 also 专项附加扣除
and 个税, and 实发工资, with a totals row, for finance.

Every amount is a formula over 考核方案 (wages, tiers), the forms (attendance) and
考核汇总 (绩效工资, rank, streaks); 奖金, the deductions and 专项附加扣除 are typed here. 个税 is
累计预扣法 (engine/tax.py): the year's earlier months as numbers from 考核历史, this month over the row.
"""
from __future__ import annotations

from xlreports import kinds
from xlreports.engine.numbers import excel_round
from xlreports.engine.tax import ADDITIONAL, BASIC_DEDUCTION, BRACKETS, DEDUCTIONS, SPECIAL, UNEARNED
from xlreports.kinds.base import as_number
from xlreports.layout import formulas as fx
from xlreports.layout.context import BookContext
from xlreports.layout.data_sheet import DataRefs
from xlreports.layout.forms import FormRefs
from xlreports.layout.lookup import TableRefs
from xlreports.a1 import addr, col_letter
from xlreports.layout.spec import BODY, FMT_MONEY, HEADER, INPUT, LABEL, NOTE, TITLE, PageSetup, SheetSpec
from xlreports.layout.summary import SummaryRefs

#: Every column the sheet may have (readback finds its header by these); ``columns`` gives one scheme's.
COLUMNS = ("客服", "级别", "底薪", "岗位工资", "津贴", "绩效工资", "提成", "全勤奖", "额外奖金", "奖金", "应发合计",
           *DEDUCTIONS, ADDITIONAL, "个税", "实发工资", "签字")
MONEY = ("底薪", "岗位工资", "津贴", "绩效工资", "提成", "全勤奖", "额外奖金", "奖金", "应发合计",
         *DEDUCTIONS, ADDITIONAL, "个税", "实发工资")
#: Amounts the scheme computes: hidden when zero for every agent (the typed ones stay, to be typed into;
#: 个税 stays when the scheme asks for it, a computed 0 is news to finance).
COMPUTED = ("底薪", "岗位工资", "津贴", "绩效工资", "提成", "全勤奖", "额外奖金")
SIGNERS = ("制表", "审核", "批准")
DATE_LINE = "年      月      日"
HEAD_ROW, FIRST = 2, 3


def payroll_sheet(ctx: BookContext, data: DataRefs, forms: dict[str, FormRefs],
                  summary: SummaryRefs) -> SheetSpec:
    L, scheme, srefs = ctx.labels, ctx.scheme, ctx.refs
    spec = SheetSpec(L("工资表"), freeze=f"B{FIRST}", tab_color="FFC000",
                     page=PageSetup(orientation="landscape", header_left=ctx.shop,
                                    header_center=f"客服工资表 {ctx.month}", print_title_rows=f"{HEAD_ROW}:{HEAD_ROW}",
                                    margins_cm=(1.5, 1.0, 1.5, 1.0)))
    cols = payroll_columns(scheme)
    spec.hidden_cols = {cols[name] for name in zero_columns(ctx.result)}
    spec.merge(1, 1, 1, len(cols), f"{ctx.shop} {L('客服工资表')} {ctx.month}", style=TITLE)
    spec.row_heights[1] = 28
    for name, j in cols.items():
        spec.set(HEAD_ROW, j, L(name), style=HEADER)
        spec.col_widths[j] = 12 if name in MONEY else 10
    spec.col_widths[cols["签字"]] = 14
    money = BODY.but(number_format=FMT_MONEY)
    gate_kpi = scheme.commission_gate_kpi
    attendance_cols = [c for k in scheme.kpis for c in kinds.of(k).attendance_columns(k)]
    bonus_rules = [(i, rule) for i, rule in enumerate(scheme.streaks) if rule.outcome == "bonus"]
    agents = ctx.result.agents
    for i, r in enumerate(agents, start=FIRST):
        name, f = r.agent.name, forms[r.agent.name]
        level = addr(i, cols["级别"])
        spec.set(i, cols["客服"], name, style=BODY)
        spec.set(i, cols["级别"], r.agent.level or scheme.default_level, style=BODY)
        spec.set(i, cols["底薪"], r.base_wage, formula="=" + fx.level_pick(scheme, srefs, level, "wage"), style=money)
        spec.set(i, cols["岗位工资"], r.post_wage, formula=f"={srefs.ref(srefs.settings['post_wage'])}", style=money)
        spec.set(i, cols["津贴"], r.allowance, formula=f"={srefs.ref(srefs.settings['allowance'])}", style=money)
        spec.set(i, cols["绩效工资"], r.perf_pay, formula=f"={summary.lookup(name, '绩效工资')}", style=money)
        sales = data.lookup(name, scheme.commission_column) if scheme.commission_column in data.cols else "0"
        gate = f.ref(f.value[gate_kpi]) if gate_kpi in f.value else None
        spec.set(i, cols["提成"], r.commission, formula=fx.commission_formula(scheme, srefs, sales, gate), style=money)
        bonus_ref = srefs.ref(srefs.settings["attendance_bonus"])
        if attendance_cols:
            zero = ",".join(f"{as_number(f.ref(f.attendance[c]))}=0" for c in dict.fromkeys(attendance_cols))
            att = f"=IF(AND({zero}),{bonus_ref},0)"
        else:
            att = f"={bonus_ref}"
        spec.set(i, cols["全勤奖"], r.attendance_bonus, formula=att, style=money)
        if bonus_rules:
            terms = []
            for k, rule in bonus_rules:
                w = srefs.streaks[k]
                cond = {"below": f"{summary.lookup(name, '总分')}<{srefs.ref(w['threshold'])}"
                        if rule.threshold is not None else "FALSE",
                        "last": f"{summary.lookup(name, '总分')}=MIN({summary.column_range('总分')})",
                        "first": f"{summary.lookup(name, '排名')}=1"}[rule.kind]
                prior = summary.lookup(name, f"prior:{k}")
                terms.append(f"IF(AND({cond},{prior}+1>={srefs.ref(w['months'])}),{srefs.ref(w['amount'])},0)")
            spec.set(i, cols["额外奖金"], r.streak_bonus, formula="=" + "+".join(terms), style=money)
        else:
            spec.set(i, cols["额外奖金"], 0.0, style=money)
        key = ctx.input_key(name, "奖金")
        spec.set(i, cols["奖金"], ctx.inputs.get(key), style=INPUT.but(number_format=FMT_MONEY), input_key=key)
        first, last = col_letter(cols["底薪"]), col_letter(cols["奖金"])
        spec.set(i, cols["应发合计"], r.gross, formula=f"=ROUND(SUM({first}{i}:{last}{i}),2)",
                 style=money.but(bold=True))
        _net(spec, ctx, r, i, cols, money)
        spec.set(i, cols["签字"], None, style=BODY)
        spec.row_heights[i] = 22  # room to sign for one's pay
    total_row = FIRST + len(agents)
    spec.merge(total_row, 1, total_row, 2, L("合计"), style=LABEL.but(h_align="center"))
    for name in (m for m in MONEY if m in cols):
        c = col_letter(cols[name])
        value = excel_round(sum(amount(r, name) for r in agents), 2)
        spec.set(total_row, cols[name], value, formula=f"=ROUND(SUM({c}{FIRST}:{c}{total_row - 1}),2)",
                 style=money.but(bold=True, fill="F2F2F2"))
    spec.set(total_row, cols["签字"], None, style=LABEL)
    tax_note = ("个税按累计预扣法（年初至上月取自「考核历史」）；" if "个税" in cols else "")
    spec.merge(total_row + 1, 1, total_row + 1, len(cols),
               "应发合计 = 底薪(级别工资) + 岗位工资 + 津贴 + 绩效工资 + 提成 + 全勤奖 + 额外奖金 + 奖金；"
               f"实发工资 = 应发合计 − 扣款{' − 个税' if '个税' in cols else ''}。{tax_note}"
               "金额按「考核方案」计算；奖金和扣款（黄色）由主管填写；全员为 0 的计算列已隐藏。", style=NOTE)
    spec.row_heights[total_row + 1] = 30
    sign_block(spec, total_row + 3, [j for j in cols.values() if j not in spec.hidden_cols], L)
    return spec


def payroll_columns(scheme) -> dict[str, int]:
    """The scheme's 工资表 columns by name → column number (the header row is ``HEAD_ROW``)."""
    return {name: j for j, name in enumerate(columns(scheme.income_tax == "on"), start=1)}


def payroll_refs(result, sheet: str) -> TableRefs:
    """工资表 (named ``sheet``) as a table found by name: 工资条 reads each person's figures through it.

    >>> from types import SimpleNamespace as NS
    >>> t = payroll_refs(NS(scheme=NS(income_tax="off"), agents=[NS(agent=NS(name="小美"))]), "工资表")
    >>> print(t.lookup("小美", "实发工资"))
    INDEX('工资表'!$Q$3:$Q$3,MATCH("小美",'工资表'!$A$3:$A$3,0))
    """
    names = [r.agent.name for r in result.agents]
    return TableRefs(sheet, FIRST, FIRST + len(names) - 1, payroll_columns(result.scheme),
                     {n: i for i, n in enumerate(names, start=FIRST)})


def zero_columns(result) -> list[str]:
    """The computed amounts (``COMPUTED``) that are 0 for every agent: 工资表 hides them, 工资条 leaves them out.

    >>> from types import SimpleNamespace as NS
    >>> r = NS(base_wage=3000.0, post_wage=0.0, allowance=0.0, perf_pay=500.0, commission=0.0,
    ...        attendance_bonus=100.0, streak_bonus=0.0, deductions={})
    >>> zero_columns(NS(agents=[r]))
    ['岗位工资', '津贴', '提成', '额外奖金']
    """
    if not result.agents:
        return []
    return [c for c in COMPUTED if all(amount(r, c) == 0 for r in result.agents)]


def sign_block(spec: SheetSpec, row: int, visible: list[int], L) -> None:
    """制表 / 审核 / 批准 side by side under a table, each a label and a box to sign in, then a date line.

    ``visible``: the table's shown columns, shared out in three; a box spans hidden columns between.
    """
    share = max(2, len(visible) // len(SIGNERS))
    spec.row_heights[row], spec.row_heights[row + 1] = 40, 24
    for k, who in enumerate(SIGNERS):
        group = visible[k * share:(k + 1) * share] if k < len(SIGNERS) - 1 else visible[k * share:]
        if len(group) < 2:
            break
        label, first, last = group[0], group[1], group[-1]
        spec.set(row, label, L(who), style=LABEL.but(h_align="center"))
        spec.merge(row, first, row, last, None, style=BODY)
        spec.set(row + 1, label, L("日期"), style=LABEL.but(h_align="center"))
        spec.merge(row + 1, first, row + 1, last, L(DATE_LINE), style=BODY.but(h_align="right"))


def columns(income_tax: bool) -> tuple[str, ...]:
    """The sheet's columns: 专项附加扣除 and 个税 only when the scheme computes 个税.

    >>> columns(False)[10:]
    ('应发合计', '事假扣款', '迟到扣款', '社保个人', '公积金个人', '其他扣款', '实发工资', '签字')
    """
    return tuple(c for c in COLUMNS if income_tax or c not in (ADDITIONAL, "个税"))


def tax_formula(ytd, row: int, cols: dict[str, int]) -> str:
    """个税 by 累计预扣法 on ``row``: the year's earlier months (``ytd``, engine.tax.YearToDate) as numbers,
    this month's 收入, 专项扣除 and 专项附加扣除 from the row's cells; equal to ``engine.tax.withhold``.

    >>> from xlreports.engine.tax import YearToDate
    >>> f = tax_formula(YearToDate(1, 9000.0, 1000.0, 0.0, 60.0), 3, {c: j for j, c in enumerate(columns(True), 1)})
    >>> f.split("*0.03")[0], f[-20:]
    ('=MAX(0,ROUND(MAX((9000+ROUND(K3-L3-M3,2)-10000-(1000+ROUND(N3+O3,2))-(0+Q3))', '*0.45-181920)-60,2))')
    """
    at = {name: f"{col_letter(cols[name])}{row}" for name in (*DEDUCTIONS, ADDITIONAL, "应发合计")}
    income = "-".join([at["应发合计"], *(at[f] for f in UNEARNED)])
    taxable = (f"({_num(ytd.income)}+ROUND({income},2)-{_num(BASIC_DEDUCTION * (ytd.months + 1))}"
               f"-({_num(ytd.special)}+ROUND({'+'.join(at[f] for f in SPECIAL)},2))"
               f"-({_num(ytd.additional)}+{at[ADDITIONAL]}))")
    table = ",".join(f"{taxable}*{_num(rate)}" + (f"-{_num(quick)}" if quick else "") for _, rate, quick in BRACKETS)
    return f"=MAX(0,ROUND(MAX({table})-{_num(ytd.tax)},2))"


def _net(spec: SheetSpec, ctx: BookContext, r, i: int, cols: dict[str, int], money) -> None:
    """The typed deductions (and 专项附加扣除), 个税 and 实发工资 of one agent's row."""
    typed = [*DEDUCTIONS, *([ADDITIONAL] if ADDITIONAL in cols else [])]
    for field in typed:
        key = ctx.input_key(r.agent.name, field)
        spec.set(i, cols[field], ctx.inputs.get(key), style=INPUT.but(number_format=FMT_MONEY), input_key=key)
    gross = f"{col_letter(cols['应发合计'])}{i}"
    first, last = col_letter(cols[DEDUCTIONS[0]]), col_letter(cols[DEDUCTIONS[-1]])
    tax = ""
    if "个税" in cols:
        spec.set(i, cols["个税"], r.tax, formula=tax_formula(r.ytd, i, cols), style=money)
        tax = f"-{col_letter(cols['个税'])}{i}"
    spec.set(i, cols["实发工资"], r.net, formula=f"=ROUND({gross}-SUM({first}{i}:{last}{i}){tax},2)",
             style=money.but(bold=True))


def _num(x: float) -> str:
    """A number as a formula literal: 5000.0 → 5000, 0.03 → 0.03."""
    return repr(float(x)).removesuffix(".0")


def amount(r, column: str) -> float:
    """One agent's (an engine AgentResult) amount in a 工资表 column (0.0 for a blank typed one)."""
    return getattr(r, _FIELDS[column]) if column in _FIELDS else r.deductions.get(column, 0.0)


_FIELDS = {"底薪": "base_wage", "岗位工资": "post_wage", "津贴": "allowance", "绩效工资": "perf_pay",
           "提成": "commission", "全勤奖": "attendance_bonus", "额外奖金": "streak_bonus", "奖金": "bonus",
           "应发合计": "gross", ADDITIONAL: "additional", "个税": "tax", "实发工资": "net"}
