"""工资表: 客服, 级别, 底薪 (级别工资), 岗位工资, 津贴, 绩效工资, 提成, 全勤奖, 额外奖金, 奖金, 应发合计,
with a totals row, for finance.

Every amount is a formula over 考核方案 (wages, tiers), the forms (attendance) and
考核汇总 (绩效工资, rank, streaks); 奖金 is typed here.
"""
from __future__ import annotations

from xlreports import kinds
from xlreports.engine.numbers import excel_round
from xlreports.kinds.base import as_number
from xlreports.layout import formulas as fx
from xlreports.layout.context import BookContext
from xlreports.layout.data_sheet import DataRefs
from xlreports.layout.forms import FormRefs
from xlreports.a1 import addr, col_letter
from xlreports.layout.spec import BODY, FMT_MONEY, HEADER, INPUT, LABEL, NOTE, TITLE, PageSetup, SheetSpec
from xlreports.layout.summary import SummaryRefs

COLUMNS = ("客服", "级别", "底薪", "岗位工资", "津贴", "绩效工资", "提成", "全勤奖", "额外奖金", "奖金", "应发合计",
           "签字")
MONEY = ("底薪", "岗位工资", "津贴", "绩效工资", "提成", "全勤奖", "额外奖金", "奖金", "应发合计")
HEAD_ROW, FIRST = 2, 3


def payroll_sheet(ctx: BookContext, data: DataRefs, forms: dict[str, FormRefs],
                  summary: SummaryRefs) -> SheetSpec:
    L, scheme, srefs = ctx.labels, ctx.scheme, ctx.refs
    spec = SheetSpec(L("工资表"), freeze=f"B{FIRST}", tab_color="FFC000",
                     page=PageSetup(orientation="landscape", header_left=ctx.shop,
                                    header_center=f"客服工资表 {ctx.month}", print_title_rows=f"{HEAD_ROW}:{HEAD_ROW}"))
    cols = {name: j for j, name in enumerate(COLUMNS, start=1)}
    spec.merge(1, 1, 1, len(COLUMNS), f"{ctx.shop} {L('客服工资表')} {ctx.month}", style=TITLE)
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
        spec.set(i, cols["签字"], None, style=BODY)
    total_row = FIRST + len(agents)
    spec.merge(total_row, 1, total_row, 2, L("合计"), style=LABEL.but(h_align="center"))
    for name in MONEY:
        c = col_letter(cols[name])
        value = excel_round(sum(_amount(r, name) for r in agents), 2)
        spec.set(total_row, cols[name], value, formula=f"=ROUND(SUM({c}{FIRST}:{c}{total_row - 1}),2)",
                 style=money.but(bold=True, fill="F2F2F2"))
    spec.set(total_row, cols["签字"], None, style=LABEL)
    spec.merge(total_row + 2, 1, total_row + 2, len(COLUMNS),
               "应发合计 = 底薪(级别工资) + 岗位工资 + 津贴 + 绩效工资 + 提成 + 全勤奖 + 额外奖金 + 奖金。"
               "金额按「考核方案」计算；奖金（黄色）由主管填写。      制表：            审核：            财务：",
               style=NOTE)
    spec.row_heights[total_row + 2] = 30
    return spec


def _amount(r, column: str) -> float:
    return {"底薪": r.base_wage, "岗位工资": r.post_wage, "津贴": r.allowance, "绩效工资": r.perf_pay,
            "提成": r.commission, "全勤奖": r.attendance_bonus, "额外奖金": r.streak_bonus, "奖金": r.bonus,
            "应发合计": r.gross}[column]
