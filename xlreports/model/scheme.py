"""The scheme (考核方案) model: rules as data.

A scheme says how each KPI's value is computed (a closed set of metric
kinds, so every one can be written as an Excel formula too), how it is
scored, how the total turns into pay, and which streaks raise a flag.
Nothing here evaluates user text: every field is a number, a column name
or a choice from a fixed list.

>>> band = Band(lo=0.75, hi=None, score=100)
>>> band.contains(0.75, "lower")
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Closed sets, with the Chinese labels the 考核方案 sheet shows (KPI kinds: ``xlreports.kinds``).
METRIC_KINDS = {"ratio": "比值", "column": "列值", "share": "团队占比", "growth": "环比增长",
                "attainment": "目标达成", "none": "无"}
BOUNDS = {"lower": "含下限", "upper": "含上限"}
NO_DATA = {"zero": "得0分", "full": "得满分"}
FORMATS = {"percent": "百分比", "seconds": "秒", "ratio": "倍数", "number": "数值", "money": "金额"}
OPS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
ACTIONS = {"add": "加减", "per_step": "每满", "set": "设为"}
PAY_MODES = {"pool": "按总分", "band": "按档位"}
COMMISSION_MODES = {"flat": "全额", "progressive": "超额累进"}
TAX_MODES = {"off": "否", "on": "是"}  # 计算个税
STREAK_KINDS = {"below": "低于", "last": "末位", "first": "第一"}
STREAK_OUTCOMES = {"warning": "淘汰预警", "bonus": "额外奖金"}


@dataclass
class Metric:
    """How a KPI's value comes from an agent's month data.

    ratio: numerator / denominator (or the export's ready-made ``rate_column``);
    column: the value of ``numerator``; share: numerator / team total of it;
    growth: numerator / denominator − 1 (denominator = last month's column);
    attainment: numerator / (denominator column, or the constant ``target``).
    """

    kind: str = "none"
    numerator: str | None = None
    denominator: str | None = None
    rate_column: str | None = None
    target: float | None = None

    def columns(self) -> list[str]:
        """The input columns this metric reads (rate column excluded)."""
        return [c for c in (self.numerator, self.denominator) if c]


@dataclass
class Band:
    """A score band. ``lo``/``hi`` None mean unbounded; ``bound`` decides which side is inclusive."""

    lo: float | None
    hi: float | None
    score: float

    def contains(self, value: float, bound: str) -> bool:
        if bound == "lower":  # [lo, hi)
            return (self.lo is None or value >= self.lo) and (self.hi is None or value < self.hi)
        return (self.lo is None or value > self.lo) and (self.hi is None or value <= self.hi)  # (lo, hi]


@dataclass
class AdjustRule:
    """When ``value op threshold``: add ``amount``, add ``amount`` per full ``step`` away
    from the threshold, or set the score to ``amount``. The first rule that holds applies."""

    op: str
    threshold: float
    action: str
    amount: float
    step: float | None = None


@dataclass
class Deduction:
    """Attendance: ``points`` off per unit in ``column`` (per late arrival, per day of leave)."""

    column: str
    points: float


@dataclass
class Kpi:
    """One row of 【指标】. ``kind`` is a key of ``xlreports.kinds.KINDS`` (band, adjust, linear …)."""

    name: str
    kind: str
    metric: Metric = field(default_factory=Metric)
    weight: float | None = None
    multiple: float | None = None  # 倍数加权法: weight = multiple / Σ multiples × 100
    max_score: float = 100.0  # 分值: the top of the scoring scale
    bound: str = "lower"
    bonus_cap: float = 0.0  # points allowed above max_score (adjust, count_bonus)
    no_data: str = "zero"
    fmt: str = "number"
    description: str = ""
    note: str = ""
    input_column: str | None = None  # manual / count_bonus: data column that pre-fills the form
    bands: list[Band] = field(default_factory=list)
    rules: list[AdjustRule] = field(default_factory=list)
    deductions: list[Deduction] = field(default_factory=list)
    params: dict[str, float] = field(default_factory=dict)  # a kind's own numbers (线性评分: best, worst)

    @property
    def input_field(self) -> str:
        """Where a typed score or count lives in the agent's values: the 录入列, else the KPI's name."""
        return self.input_column or self.name


@dataclass
class Level:
    """An agent level (初级/中级/高级) with its 级别工资, the 绩效基数 used by band pay,
    and the months at the level below required before moving up to it."""

    name: str
    wage: float
    perf_base: float = 0.0
    months_required: int = 0


@dataclass
class CommissionTier:
    lo: float
    rate: float


@dataclass
class ResultBand:
    """A result band (考核结果的运用) on the total: totals ≥ lo fall in it (highest lo first)."""

    lo: float | None
    label: str
    multiplier: float
    advice: str


@dataclass
class StreakRule:
    """kind "below": total < threshold; "last": lowest total; "first": rank 1 —
    for ``months`` months in a row → ``outcome`` (淘汰预警 / 额外奖金 with ``amount``)."""

    kind: str
    months: int
    outcome: str
    threshold: float | None = None
    amount: float = 0.0


@dataclass
class Scheme:
    code: str
    name: str
    effective_from: str = ""
    shop: str = ""
    pay_mode: str = "pool"
    pay_pool: float = 750.0
    default_level: str = "初级"
    post_wage: float = 0.0  # 岗位工资
    allowance: float = 0.0  # 津贴
    attendance_bonus: float = 0.0  # 全勤奖
    commission_mode: str = "progressive"
    commission_column: str = "客服销售额"
    commission_gate_kpi: str | None = None
    commission_gate_value: float | None = None
    income_tax: str = "off"  # 计算个税 (TAX_MODES): 个税 by 累计预扣法 on 工资表
    kpis: list[Kpi] = field(default_factory=list)
    levels: list[Level] = field(default_factory=list)
    commission: list[CommissionTier] = field(default_factory=list)
    result_bands: list[ResultBand] = field(default_factory=list)
    streaks: list[StreakRule] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def kpi(self, name: str) -> Kpi:
        for k in self.kpis:
            if k.name == name:
                return k
        raise KeyError(name)

    def level(self, name: str) -> Level | None:
        return next((lv for lv in self.levels if lv.name == name), None)

    def input_columns(self) -> list[str]:
        """Every data column the scheme reads, in first-use order."""
        cols: list[str] = []
        for k in self.kpis:
            for c in [*k.metric.columns(), k.metric.rate_column, k.input_column,
                      *(d.column for d in k.deductions)]:
                if c and c not in cols:
                    cols.append(c)
        if self.commission and self.commission_column not in cols:
            cols.append(self.commission_column)
        return cols
