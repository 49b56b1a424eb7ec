"""Excel formulas that compute what the engine computes, pointing at the 考核方案 cells.

Each builder mirrors one engine function branch for branch (``engine.metrics``,
``engine.pay``); a KPI's 得分 and 权重 formulas live with its kind (``xlreports.kinds``).
Only functions that Excel, WPS, LibreOffice 7.4 and Gnumeric 1.12 all compute alike are used:
IF, AND, ISNUMBER, MIN, MAX, INT, ROUND, ABS, SUM, RANK, INDEX, MATCH, IFERROR, TRIM (not N():
see ``kinds.base.as_number``).

>>> from xlreports.rules.scheme_files import builtin_scheme
>>> from xlreports.rules.scheme_rows import parse_scheme_rows, scheme_to_rows
>>> p = parse_scheme_rows(scheme_to_rows(builtin_scheme("A")))
>>> perf_pay_formula(p.scheme, p.refs, "H20", "G3").startswith("=ROUND('考核方案'!$B$")
True
"""
from __future__ import annotations

from xlreports.kinds.base import as_number, quote
from xlreports.model.scheme import Scheme
from xlreports.model.scheme_refs import SchemeRefs

NO_DATA_TEXT = "无数据"


def metric_formula(kind: str, num: str | None, den: str | None, *, total_range: str | None = None,
                   target: str | None = None, rate: str | None = None) -> str:
    """The KPI value from data cells (``engine.metrics.metric_value``). Arguments are cell references.

    >>> metric_formula("ratio", "E2", "D2")
    '=IF(IF(ISNUMBER(D2),D2,0)=0,"无数据",IF(ISNUMBER(E2),E2,0)/IF(ISNUMBER(D2),D2,0))'
    """
    nd = quote(NO_DATA_TEXT)
    if rate:
        return f"=IF(ISNUMBER({rate}),{rate},{nd})"
    if kind == "column":
        return f"=IF(ISNUMBER({num}),{num},{nd})"
    n = as_number(num)
    if kind == "attainment" and den is None:
        return f"=IF({as_number(target)}=0,{nd},{n}/{target})"
    d = as_number(den)
    if kind in ("ratio", "attainment"):
        return f"=IF({d}=0,{nd},{n}/{d})"
    if kind == "share":
        return f"=IF(SUM({total_range})=0,{nd},{n}/SUM({total_range}))"
    if kind == "growth":
        return f"=IF({d}=0,{nd},{n}/{d}-1)"
    raise ValueError(kind)


def band_pick(scheme: Scheme, refs: SchemeRefs, total: str, attr: str) -> str:
    """The result band's label / multiplier / advice for a total (``engine.pay.result_band``), no '='."""
    pairs = sorted(zip(scheme.result_bands, refs.result_bands), key=lambda p: (p[0].lo is None, -(p[0].lo or 0)))
    expr = refs.ref(pairs[-1][1][attr])
    for band, where in reversed(pairs[:-1]):
        expr = f"IF({total}>={refs.ref(where['lo'])},{refs.ref(where[attr])},{expr})"
    return expr


def advice_formula(scheme: Scheme, refs: SchemeRefs, total: str, level: str, top_text: str) -> str:
    """调整建议 within the level ladder (``engine.pay.level_advice``): the band's advice; at the top level
    ``top_text`` when it advises 升; below it 升 N 级 capped at the levels above. No '='.

    >>> from xlreports.rules.scheme_files import builtin_scheme
    >>> from xlreports.rules.scheme_rows import parse_scheme_rows, scheme_to_rows
    >>> p = parse_scheme_rows(scheme_to_rows(builtin_scheme("A")))
    >>> f = advice_formula(p.scheme, p.refs, "H20", "G3", "建议不变（已是最高级别）")
    >>> f.startswith('IF(ISNUMBER(FIND("升",IF(H20>=') and 'SUBSTITUTE(' in f
    True
    """
    advice = band_pick(scheme, refs, total, "advice")
    n = len(refs.levels)
    room = "-1"  # not a level of the scheme: the advice as it is
    for i, where in reversed(list(enumerate(refs.levels))):
        room = f"IF({level}={refs.ref(where['name'])},{n - 1 - i},{room})"
    capped = advice
    for r in range(n - 2, 0, -1):
        sub = advice
        for steps in range(r + 1, n):
            sub = f'SUBSTITUTE({sub},"升{steps}级","升{r}级")'
        capped = f"IF({room}={r},{sub},{capped})"
    return f'IF(ISNUMBER(FIND("升",{advice})),IF({room}=0,{quote(top_text)},{capped}),{advice})'


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
    s = as_number(sales)
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
