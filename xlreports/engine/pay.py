"""Pay: 绩效工资, commission (flat or progressive, with a KPI gate), result bands, salary parts.

>>> from xlreports.rules.scheme_files import builtin_scheme
>>> a = builtin_scheme("A")
>>> performance_pay(a, 50.0, None, "初级")
375.0
>>> commission(a, 120000.0, 0.6)   # progressive: 50000×0.5% + 50000×0.8% + 20000×1%
850.0
"""
from __future__ import annotations

from datetime import date

from xlreports.model.scheme import ResultBand, Scheme
from xlreports.engine.numbers import compare, excel_round


def result_band(scheme: Scheme, total: float) -> ResultBand | None:
    """The band whose 总分下限 the total reaches (highest first; the open band catches the rest)."""
    ordered = sorted(scheme.result_bands, key=lambda b: (b.lo is None, -(b.lo or 0)))
    for band in ordered:
        if band.lo is None or total >= band.lo:
            return band
    return None


def performance_pay(scheme: Scheme, total: float, band: ResultBand | None, level: str) -> float:
    """按总分: pool × total / 100; 按档位: the level's 绩效基数 × the band's 绩效系数. Rounded to the cent."""
    if scheme.pay_mode == "pool":
        return excel_round(scheme.pay_pool * total / 100, 2)
    lv = scheme.level(level)
    base = lv.perf_base if lv else 0.0
    return excel_round(base * (band.multiplier if band else 0.0), 2)


def commission(scheme: Scheme, sales: float, gate_value: float | None) -> float:
    """Sales commission. No commission when the gate KPI has no data or is below the gate."""
    tiers = sorted(scheme.commission, key=lambda t: t.lo)
    if not tiers or sales <= 0:
        return 0.0
    if scheme.commission_gate_kpi and (gate_value is None
                                       or not compare(gate_value, ">=", scheme.commission_gate_value or 0)):
        return 0.0
    if scheme.commission_mode == "flat":
        rate = 0.0
        for tier in tiers:
            if sales >= tier.lo:
                rate = tier.rate
        return excel_round(sales * rate, 2)
    amount = 0.0
    for tier, nxt in zip(tiers, tiers[1:] + [None]):
        top = sales if nxt is None else min(sales, nxt.lo)
        amount += max(0.0, top - tier.lo) * tier.rate
    return excel_round(amount, 2)


def months_between(start: date, month: str) -> int:
    """Full months from ``start`` to the last day of ``month`` ("2026-10").

    >>> months_between(date(2026, 4, 15), "2026-10")
    6
    """
    year, mon = (int(x) for x in month.split("-"))
    months = (year * 12 + mon) - (start.year * 12 + start.month)
    return max(0, months)


TOP_LEVEL_ADVICE = "建议不变（已是最高级别）"


def level_room(scheme: Scheme, level: str) -> int | None:
    """How many levels lie above ``level`` (None: not a level of the scheme).

    >>> from xlreports.rules.scheme_files import builtin_scheme
    >>> [level_room(builtin_scheme("A"), lv) for lv in ("初级", "中级", "高级", "专家")]
    [2, 1, 0, None]
    """
    names = [lv.name for lv in scheme.levels]
    return len(names) - 1 - names.index(level) if level in names else None


def level_advice(scheme: Scheme, level: str, advice: str) -> str:
    """The result band's 调整建议 within the level ladder: at the top level no 升 at all, below it no
    升 N 级 beyond the levels above (``layout.formulas.advice_formula`` is the same, branch for branch).

    >>> from xlreports.rules.scheme_files import builtin_scheme
    >>> a = builtin_scheme("A")
    >>> [level_advice(a, lv, "建议升2级") for lv in ("初级", "中级", "高级")]
    ['建议升2级', '建议升1级', '建议不变（已是最高级别）']
    >>> level_advice(a, "高级", "建议降级,给予一定考察期"), level_advice(a, "专家", "建议升2级")
    ('建议降级,给予一定考察期', '建议升2级')
    """
    room = level_room(scheme, level)
    if "升" not in advice or room is None:
        return advice
    if room == 0:
        return TOP_LEVEL_ADVICE
    for steps in range(room + 1, len(scheme.levels)):
        advice = advice.replace(f"升{steps}级", f"升{room}级")
    return advice


def promotion_note(scheme: Scheme, level: str, hire_date: date | None, month: str, advice: str) -> str:
    """Whether tenure allows the move the result band advises (中级 after 6 months as 初级)."""
    if "升" not in advice:
        return ""
    names = [lv.name for lv in scheme.levels]
    if level not in names:
        return ""
    i = names.index(level)
    if i + 1 >= len(names):
        return "已是最高级别"
    nxt = scheme.levels[i + 1]
    if hire_date is None:
        return f"名册无入职日期，无法判断能否升{nxt.name}"
    months = months_between(hire_date, month)
    if months >= nxt.months_required:
        return f"可升{nxt.name}（任职 {months} 个月）"
    return f"任职 {months} 个月，未满 {nxt.months_required} 个月，暂不可升{nxt.name}"
