"""Scores: band scoring, adjustment scoring, supervisor's score, attendance deductions, count bonus.

Each function mirrors, branch for branch, the Excel formula that ``layout.formulas``
writes for the same KPI, so the sheet and the engine agree.

>>> from xlreports.rules.scheme_files import builtin_scheme
>>> a = builtin_scheme("A")
>>> band_score(a.kpi("询单转化率"), 0.75), band_score(a.kpi("响应时间"), 30.0), band_score(a.kpi("响应时间"), 30.01)
(100.0, 100.0, 80.0)
"""
from __future__ import annotations

from xlreports.model.scheme import Band, Kpi
from xlreports.engine.numbers import compare, steps
from xlreports.engine.records import AgentMonth


def ordered_bands(kpi: Kpi) -> list[Band]:
    """Bands in the order the IF chain tests them: best-first for 含下限 (≥), lowest-first for 含上限 (≤).

    The band whose tested bound is open (None) comes last: it is the chain's else.
    """
    if kpi.bound == "lower":
        return sorted(kpi.bands, key=lambda b: (b.lo is None, -(b.lo or 0)))
    return sorted(kpi.bands, key=lambda b: (b.hi is None, b.hi or 0))


def band_score(kpi: Kpi, value: float) -> float:
    """The score of the band the value falls in."""
    chain = ordered_bands(kpi)
    for band in chain[:-1]:
        if kpi.bound == "lower" and compare(value, ">=", band.lo):
            return band.score
        if kpi.bound == "upper" and compare(value, "<=", band.hi):
            return band.score
    return chain[-1].score


def adjust_score(kpi: Kpi, value: float, base: float | None = None) -> float:
    """Start at ``base`` (the KPI's 分值), apply the first rule that holds, clamp to [0, 分值 + 加分上限].

    >>> from xlreports.rules.scheme_files import builtin_scheme
    >>> adjust_score(builtin_scheme("B").kpi("销售额完成率"), 0.85)   # 3 full 5% steps below 100%
    27.0
    """
    base = kpi.max_score if base is None else base
    score = base
    for rule in kpi.rules:
        if compare(value, rule.op, rule.threshold):
            if rule.action == "add":
                score = base + rule.amount
            elif rule.action == "per_step":
                score = base + rule.amount * steps(abs(value - rule.threshold), rule.step or 1.0)
            else:
                score = rule.amount
            break
    return max(0.0, min(kpi.max_score + kpi.bonus_cap, score))


def count_bonus_score(kpi: Kpi, count: float) -> float:
    """Bonus points from a count (e.g. +1 per 5 经验条数), from 0, capped at 加分上限."""
    score = 0.0
    for rule in kpi.rules:
        if compare(count, rule.op, rule.threshold):
            per_step = rule.action == "per_step"
            score = rule.amount * steps(abs(count - rule.threshold), rule.step or 1.0) if per_step else rule.amount
            break
    return max(0.0, min(kpi.bonus_cap, score))


def attendance_deduction(kpi: Kpi, agent: AgentMonth) -> float:
    """Points off: Σ per-unit points × count (blank = 0)."""
    return sum(d.points * agent.number0(d.column) for d in kpi.deductions)


def manual_score(kpi: Kpi, agent: AgentMonth) -> float:
    """The supervisor's score, kept within [0, 分值]; blank is 0."""
    return max(0.0, min(kpi.max_score, agent.number0(kpi.input_field)))


def no_data_score(kpi: Kpi) -> float:
    return kpi.max_score if kpi.no_data == "full" else 0.0
