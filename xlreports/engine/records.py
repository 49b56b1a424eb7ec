"""What the engine takes in and gives out: plain dataclasses, no I/O.

>>> a = AgentMonth("小美", "2026-10", {"询单人数": 400, "最终付款人数": 300})
>>> a.number("询单人数")
400.0
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from xlreports.model.scheme import ResultBand, Scheme


@dataclass
class AgentMonth:
    """One agent's month: every input value by canonical column (data, manual scores, attendance)."""

    name: str
    month: str
    values: dict[str, float | None] = field(default_factory=dict)
    level: str = ""
    post: str = ""
    hire_date: date | None = None
    staff_id: str = ""  # 工号 from 客服名册

    def number(self, column: str | None) -> float | None:
        """The column's value as a float; None when blank or absent."""
        if column is None:
            return None
        v = self.values.get(column)
        return None if v is None else float(v)

    def number0(self, column: str | None) -> float:
        """Blank counts as 0, as in Excel arithmetic."""
        return self.number(column) or 0.0


@dataclass
class HistoryRow:
    """One agent's kept result for a past month (the 考核历史 sheet)."""

    month: str
    agent: str
    total: float
    rank: int
    team_size: int
    perf_pay: float = 0.0
    band: str = ""
    scheme: str = ""
    # Pay as paid (None: the month recorded no pay): 收入 for 个税, 专项扣除, 专项附加扣除, 个税 withheld.
    income: float | None = None
    special: float = 0.0
    additional: float = 0.0
    tax: float = 0.0


@dataclass
class KpiScore:
    kpi: str
    value: float | None  # None: no data (zero denominator, blank column)
    score: float
    weighted: float
    detail: float | None = None  # attendance: points deducted


@dataclass
class AgentResult:
    agent: AgentMonth
    kpis: dict[str, KpiScore]
    total: float
    rank: int = 0
    is_last: bool = False
    perf_pay: float = 0.0
    band: ResultBand | None = None
    advice: str = ""  # the band's 调整建议 within the level ladder (engine.pay.level_advice)
    promotion: str = ""
    base_wage: float = 0.0
    post_wage: float = 0.0
    allowance: float = 0.0
    commission: float = 0.0
    attendance_bonus: float = 0.0
    streak_bonus: float = 0.0
    bonus: float = 0.0
    gross: float = 0.0
    deductions: dict[str, float] = field(default_factory=dict)  # typed on 工资表, by label (engine.tax)
    additional: float = 0.0  # 专项附加扣除
    income: float = 0.0  # 收入 for 个税: gross less the unearned deductions
    special: float = 0.0  # 专项扣除
    ytd: Any = None  # engine.tax.YearToDate: the year's earlier months
    tax: float = 0.0  # 个税
    net: float = 0.0  # 实发工资
    prior_runs: list[int] = field(default_factory=list)  # per streak rule: months in a row before this one
    flags: list[str] = field(default_factory=list)


@dataclass
class MonthResult:
    month: str
    scheme: Scheme
    agents: list[AgentResult]
    team_totals: dict[str, float] = field(default_factory=dict)

    def agent(self, name: str) -> AgentResult:
        return next(a for a in self.agents if a.agent.name == name)
