"""Excel formulas that compute what the engine computes, pointing at the 考核方案 cells.

Each builder mirrors one engine function branch for branch (``engine.scoring``,
``engine.metrics``, ``engine.pay``). Only functions that Excel, WPS and
LibreOffice 7.4 all know are used: IF, AND, ISNUMBER, N, MIN, MAX, INT, ROUND,
ABS, SUM, RANK, INDEX, MATCH, IFERROR, TRIM.

>>> from xlreports.rules.scheme_files import builtin_scheme
>>> from xlreports.rules.scheme_rows import parse_scheme_rows, scheme_to_rows
>>> p = parse_scheme_rows(scheme_to_rows(builtin_scheme("A")))
>>> f = score_formula(p.scheme.kpi("响应时间"), p.refs, "F9", "D9")
>>> f.startswith("=IF(ISNUMBER(F9),IF(F9<='考核方案'!$C$")   # 含上限: T ≤ 30 → 100, tested first
True
"""
from __future__ import annotations

from xlreports.engine.scoring import ordered_bands
from xlreports.model.scheme import Kpi, Scheme
from xlreports.rules.scheme_rows import SchemeRefs

NO_DATA_TEXT = "无数据"


def _q(text: str) -> str:
    """A string literal inside a formula."""
    return '"' + text.replace('"', '""') + '"'


def metric_formula(kind: str, num: str | None, den: str | None, *, total_range: str | None = None,
                   target: str | None = None, rate: str | None = None) -> str:
    """The KPI value from data cells (``engine.metrics.metric_value``). Arguments are cell references.

    >>> metric_formula("ratio", "E2", "D2")
    '=IF(N(D2)=0,"无数据",N(E2)/N(D2))'
    """
    nd = _q(NO_DATA_TEXT)
    if rate:
        return f"=IF(ISNUMBER({rate}),{rate},{nd})"
    if kind == "attainment" and den is None:
        return f"=IF(N({target})=0,{nd},N({num})/{target})"
    if kind in ("ratio", "attainment"):
        return f"=IF(N({den})=0,{nd},N({num})/N({den}))"
    if kind == "column":
        return f"=IF(ISNUMBER({num}),{num},{nd})"
    if kind == "share":
        return f"=IF(SUM({total_range})=0,{nd},N({num})/SUM({total_range}))"
    if kind == "growth":
        return f"=IF(N({den})=0,{nd},N({num})/N({den})-1)"
    raise ValueError(kind)


def _no_data(kpi: Kpi, refs: SchemeRefs, max_cell: str) -> str:
    return f"IF({refs.ref(refs.kpis[kpi.name]['no_data'])}={_q('得满分')},{max_cell},0)"


def _rule_result(rule_refs: dict, action: str, value: str, base: str, refs: SchemeRefs) -> str:
    amount = refs.ref(rule_refs["amount"])
    if action == "add":
        return f"{base}+{amount}"
    if action == "per_step":
        t, step = refs.ref(rule_refs["threshold"]), refs.ref(rule_refs["step"])
        return f"{base}+{amount}*INT(ROUND(ABS({value}-{t})/{step},9))"
    return amount


_OP = {">=": ">=", ">": ">", "<=": "<=", "<": "<"}


def _rule_chain(kpi: Kpi, refs: SchemeRefs, value: str, base: str, otherwise: str) -> str:
    """IF(rule1 holds, result1, IF(rule2 holds, result2, … otherwise)) — the first rule that holds wins."""
    expr = otherwise
    for rule, where in reversed(list(zip(kpi.rules, refs.rules.get(kpi.name, [])))):
        cond = f"{value}{_OP[rule.op]}{refs.ref(where['threshold'])}"
        expr = f"IF({cond},{_rule_result(where, rule.action, value, base, refs)},{expr})"
    return expr


def score_formula(kpi: Kpi, refs: SchemeRefs, value: str, max_cell: str, *, deduction: str | None = None) -> str:
    """The 得分 cell for one KPI row: ``value`` is its 数据 cell, ``max_cell`` its 分值 cell."""
    if kpi.kind == "band":
        positions = {id(b): w for b, w in zip(kpi.bands, refs.bands.get(kpi.name, []))}
        chain = ordered_bands(kpi)
        expr = refs.ref(positions[id(chain[-1])]["score"])
        side, op = ("lo", ">=") if kpi.bound == "lower" else ("hi", "<=")
        for band in reversed(chain[:-1]):
            where = positions[id(band)]
            expr = f"IF({value}{op}{refs.ref(where[side])},{refs.ref(where['score'])},{expr})"
        return f"=IF(ISNUMBER({value}),{expr},{_no_data(kpi, refs, max_cell)})"
    if kpi.kind == "adjust":
        cap = refs.ref(refs.kpis[kpi.name]["bonus_cap"])
        expr = _rule_chain(kpi, refs, value, max_cell, max_cell)
        return f"=IF(ISNUMBER({value}),MAX(0,MIN({max_cell}+{cap},{expr})),{_no_data(kpi, refs, max_cell)})"
    if kpi.kind == "manual":
        return f"=MAX(0,MIN({max_cell},N({value})))"
    if kpi.kind == "attendance":
        return f"=MAX(0,{max_cell}-{value})"
    if kpi.kind == "count_bonus":
        cap = refs.ref(refs.kpis[kpi.name]["bonus_cap"])
        return f"=MAX(0,MIN({cap},{_rule_chain(kpi, refs, f'N({value})', '0', '0')}))"
    raise ValueError(kpi.kind)


def deduction_formula(kpi: Kpi, refs: SchemeRefs, count_cells: list[str]) -> str:
    """Attendance points off: Σ 每次扣分 × count."""
    terms = [f"{refs.ref(w['points'])}*N({c})" for w, c in zip(refs.deductions[kpi.name], count_cells)]
    return "=" + "+".join(terms)


def weight_formula(scheme: Scheme, kpi: Kpi, refs: SchemeRefs) -> str:
    """The 权重 cell: the weight itself, or multiple / Σ multiples × 100 (倍数加权法)."""
    where = refs.kpis[kpi.name]
    if kpi.weight is not None:
        return f"={refs.ref(where['weight'])}"
    multiples = [refs.ref(refs.kpis[k.name]["multiple"]) for k in scheme.kpis
                 if k.kind in ("band", "adjust", "manual", "attendance") and k.weight is None]
    return f"={refs.ref(where['multiple'])}/SUM({','.join(multiples)})*100"


def band_pick(scheme: Scheme, refs: SchemeRefs, total: str, attr: str) -> str:
    """The result band's label / multiplier / advice for a total (``engine.pay.result_band``), no '='."""
    pairs = sorted(zip(scheme.result_bands, refs.result_bands), key=lambda p: (p[0].lo is None, -(p[0].lo or 0)))
    expr = refs.ref(pairs[-1][1][attr])
    for band, where in reversed(pairs[:-1]):
        expr = f"IF({total}>={refs.ref(where['lo'])},{refs.ref(where[attr])},{expr})"
    return expr


def level_pick(scheme: Scheme, refs: SchemeRefs, level: str, attr: str) -> str:
    """A level's 级别工资 / 绩效基数 by name; 0 when the level is not in the table. No '='."""
    names = [refs.ref(w["name"]) for w in refs.levels]
    values = [refs.ref(w[attr]) for w in refs.levels]
    expr = "0"
    for name, value in reversed(list(zip(names, values))):
        expr = f"IF({level}={name},{value},{expr})"
    return expr


def perf_pay_formula(scheme: Scheme, refs: SchemeRefs, total: str, level: str) -> str:
    """绩效工资 (``engine.pay.performance_pay``)."""
    if scheme.pay_mode == "pool":
        return f"=ROUND({refs.ref(refs.settings['pay_pool'])}*{total}/100,2)"
    return f"=ROUND({level_pick(scheme, refs, level, 'perf_base')}*{band_pick(scheme, refs, total, 'multiplier')},2)"


def commission_formula(scheme: Scheme, refs: SchemeRefs, sales: str, gate_value: str | None) -> str:
    """销售额提成 (``engine.pay.commission``): flat or progressive tiers, optional KPI gate."""
    pairs = sorted(zip(scheme.commission, refs.commission), key=lambda p: p[0].lo)
    if not pairs:
        return "=0"
    lo = [refs.ref(w["lo"]) for _, w in pairs]
    rate = [refs.ref(w["rate"]) for _, w in pairs]
    s = f"N({sales})"
    if scheme.commission_mode == "flat":
        pick = "0"
        for lo_i, rate_i in zip(lo, rate):
            pick = f"IF({s}>={lo_i},{rate_i},{pick})"
        amount = f"{s}*{pick}"
    else:
        parts = []
        for i, (lo_i, rate_i) in enumerate(zip(lo, rate)):
            top = s if i + 1 == len(lo) else f"MIN({s},{lo[i + 1]})"
            parts.append(f"MAX(0,{top}-{lo_i})*{rate_i}")
        amount = "+".join(parts)
    expr = f"ROUND({amount},2)"
    if scheme.commission_gate_kpi and gate_value:
        gate = refs.ref(refs.settings["commission_gate_value"])
        expr = f"IF(ISNUMBER({gate_value}),IF({gate_value}>={gate},{expr},0),0)"
    return "=" + expr
