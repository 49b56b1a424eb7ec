"""Streak rules over months: two months below 35 → 淘汰预警, last three months running → 淘汰预警,
first three months running → 额外奖金.

>>> from xlreports.model.scheme import StreakRule
>>> from xlreports.engine.records import HistoryRow
>>> h = [HistoryRow("2026-09", "阿杰", 30.0, 14, 14)]
>>> prior_run(StreakRule("below", 2, "warning", 35.0), "阿杰", "2026-10", h)
1
"""
from __future__ import annotations

from xlreports.model.scheme import StreakRule
from xlreports.engine.records import HistoryRow


def previous_month(month: str) -> str:
    """ "2026-01" → "2025-12"."""
    year, mon = (int(x) for x in month.split("-"))
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def holds(rule: StreakRule, total: float, rank: int, team_min: float) -> bool:
    """Whether the rule's condition holds for one month's result."""
    if rule.kind == "below":
        return total < (rule.threshold or 0.0)
    if rule.kind == "last":
        return total == team_min
    return rank == 1


def prior_run(rule: StreakRule, agent: str, month: str, history: list[HistoryRow]) -> int:
    """Months in a row, just before ``month``, in which the rule held for the agent (a gap breaks it)."""
    by_month: dict[str, list[HistoryRow]] = {}
    for row in history:
        by_month.setdefault(row.month, []).append(row)
    run, m = 0, previous_month(month)
    while m in by_month:
        mine = next((r for r in by_month[m] if r.agent == agent), None)
        if mine is None or not holds(rule, mine.total, mine.rank, min(r.total for r in by_month[m])):
            break
        run += 1
        m = previous_month(m)
    return run


def condition_text(rule: StreakRule) -> str:
    """低于35分 / 末位 / 第一."""
    if rule.kind == "below":
        return f"低于{rule.threshold or 0:g}分"
    return "末位" if rule.kind == "last" else "第一"


def streak_label(rule: StreakRule) -> str:
    """The flag text: 淘汰预警：连续2个月低于35分 …"""
    outcome = "淘汰预警" if rule.outcome == "warning" else "额外奖金"
    return f"{outcome}：连续{rule.months}个月{condition_text(rule)}"
