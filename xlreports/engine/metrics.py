"""KPI values from an agent's month: the closed set of metric kinds.

A zero or blank denominator is "no data" (None), never a crash and never a silent 0.

>>> from xlreports.model.scheme import Metric
>>> from xlreports.engine.records import AgentMonth
>>> a = AgentMonth("小美", "2026-10", {"询单人数": 400, "最终付款人数": 300})
>>> metric_value(Metric("ratio", "最终付款人数", "询单人数"), a, {})
0.75
>>> metric_value(Metric("ratio", "最终付款人数", "询单人数"), AgentMonth("x", "2026-10", {"询单人数": 0}), {}) is None
True
"""
from __future__ import annotations

from xlreports.model.scheme import Metric
from xlreports.engine.records import AgentMonth


def uses_rate_column(metric: Metric, available: set[str]) -> bool:
    """True when the counts are missing from the data but the export gave the rate itself."""
    return (metric.kind == "ratio" and metric.rate_column is not None and metric.rate_column in available
            and not all(c in available for c in metric.columns()))


def metric_value(metric: Metric, agent: AgentMonth, team_totals: dict[str, float],
                 available: set[str] | None = None) -> float | None:
    """The metric's value for one agent, or None when there is no data."""
    kind = metric.kind
    if available is not None and uses_rate_column(metric, available):
        return agent.number(metric.rate_column)
    if kind in ("ratio", "attainment"):
        if kind == "attainment" and not metric.denominator:
            den = metric.target or 0.0
        else:
            den = agent.number0(metric.denominator)
        return None if den == 0 else agent.number0(metric.numerator) / den
    if kind == "column":
        return agent.number(metric.numerator)
    if kind == "share":
        total = team_totals.get(metric.numerator or "", 0.0)
        return None if total == 0 else agent.number0(metric.numerator) / total
    if kind == "growth":
        prev = agent.number0(metric.denominator)
        return None if prev == 0 else agent.number0(metric.numerator) / prev - 1
    return None


def team_totals(agents: list[AgentMonth], columns: list[str]) -> dict[str, float]:
    """Sum of each column over the team (blank = 0), for share-of-team metrics."""
    return {c: sum(a.number0(c) for a in agents) for c in columns}
