"""What every KPI kind provides, and the pieces several kinds share.

A kind keeps side by side its score in Python (``score``), the Excel formula that computes the
same figure on the form (``formula``), the 标准 text the forms show (``standard``) and the checks
of its rules on the 考核方案 sheet (``check``). The flags say where its value comes from and
how its score counts toward the total.

>>> shown_number(0.75, "percent"), shown_number(30, "seconds"), shown_number(None, "number")
('75%', '30秒', '')
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Protocol

from xlreports.errors import Problem
from xlreports.model.scheme import Kpi
from xlreports.model.scheme_refs import SchemeRefs

FULL_MARKS = "得满分"  # the 无数据 choice that scores 分值 (see model.scheme.NO_DATA)


class Values(Protocol):
    """An agent's month values (``engine.records.AgentMonth``): a number by column, blank = None / 0."""

    def number(self, column: str | None) -> float | None: ...

    def number0(self, column: str | None) -> float: ...


@dataclass(frozen=True)
class Param:
    """A number a kind keeps per KPI in a section of its own (线性评分: 最佳值 → ``kpi.params['best']``)."""

    label: str
    attr: str


class KpiKind(ABC):
    """Base of the kinds. Subclasses set the flags and override what differs."""

    key = ""
    label = ""
    weighted = True  # its weight counts toward 100; weighted score = score × 权重 / 分值
    scored = True  # False: shown only (仅展示), no score
    uses_metric = False  # value from the KPI's metric (比值, 列值 …); else ``measure``
    typed = False  # value typed on the form, pre-filled from the 录入列
    typed_score = False  # the typed value is itself a score from 0 to 分值 (validated, warned when blank)
    deducts = False  # value = Σ 扣分项 counts × points, typed in the form's 考勤记录
    weight_text = "—"  # the form's 权重 cell when the kind is not weighted
    number_format: str | None = None  # the 数据 cell's format; None: by the KPI's 格式
    section: str | None = None  # title of the kind's own 考核方案 section (one row per KPI)
    params: tuple[Param, ...] = ()  # the numbers in that section

    def measure(self, kpi: Kpi, agent: Values) -> float | None:
        """The KPI's value for kinds that do not use a metric (typed scores, attendance)."""
        return None

    @abstractmethod
    def score(self, kpi: Kpi, value: float | None) -> float:
        """The score for a value (None: no data), as the ``formula`` computes it."""

    @abstractmethod
    def formula(self, kpi: Kpi, refs: SchemeRefs, value: str, max_cell: str) -> str | None:
        """The form's 得分 formula; ``value`` is its 数据 cell, ``max_cell`` its 分值 cell. None: no score."""

    @abstractmethod
    def standard(self, kpi: Kpi) -> str:
        """The 标准 column of the forms: the rule in words."""

    def check(self, kpi: Kpi, refs: SchemeRefs) -> list[Problem]:
        """Problems with this KPI's kind-specific rules, each naming the 考核方案 cell to fix."""
        return []

    def input_fields(self, kpi: Kpi) -> list[tuple[str, str | None]]:
        """(input label, data column that pre-fills it) of the cells typed on the form for this KPI."""
        return []

    def attendance_columns(self, kpi: Kpi) -> list[str]:
        """Attendance columns this KPI deducts for (any non-zero one loses the 全勤奖)."""
        return []


class MetricKind(KpiKind):
    """A kind scored from the KPI's metric value, with the 无数据 rule when there is none
    (档位评分, 加减评分, 线性评分): subclasses give the score and formula of a number."""

    uses_metric = True

    def score(self, kpi: Kpi, value: float | None) -> float:
        return no_data_score(kpi) if value is None else self.score_number(kpi, value)

    def formula(self, kpi: Kpi, refs: SchemeRefs, value: str, max_cell: str) -> str:
        expr = self.number_formula(kpi, refs, value, max_cell)
        return f"=IF(ISNUMBER({value}),{expr},{no_data_formula(kpi, refs, max_cell)})"

    @abstractmethod
    def score_number(self, kpi: Kpi, value: float) -> float:
        """The score of a value that is there."""

    @abstractmethod
    def number_formula(self, kpi: Kpi, refs: SchemeRefs, value: str, max_cell: str) -> str:
        """``score_number`` as a formula (no '='), used when the 数据 cell holds a number."""


def no_data_score(kpi: Kpi) -> float:
    """The score without data: 分值 (得满分) or 0 (得0分).

    >>> no_data_score(Kpi("x", "band", max_score=80, no_data="full")), no_data_score(Kpi("x", "band"))
    (80.0, 0.0)
    """
    return float(kpi.max_score) if kpi.no_data == "full" else 0.0


def no_data_formula(kpi: Kpi, refs: SchemeRefs, max_cell: str) -> str:
    """``no_data_score`` as a formula on the 无数据 cell, without '='."""
    return f"IF({refs.ref(refs.kpis[kpi.name]['no_data'])}={quote(FULL_MARKS)},{max_cell},0)"


def as_number(ref: str) -> str:
    """A cell's number, 0 when it holds text, nothing or TRUE/FALSE; no '='.

    Not N(): Gnumeric's N() of an empty cell is #NUM! and of the text "5" is 5, where
    Excel and LibreOffice give 0 for both; IF/ISNUMBER means the same in all three.

    >>> as_number("F9")
    'IF(ISNUMBER(F9),F9,0)'
    """
    return f"IF(ISNUMBER({ref}),{ref},0)"


def quote(text: str) -> str:
    """A string literal inside a formula.

    >>> quote('a"b')
    '"a""b"'
    """
    return '"' + text.replace('"', '""') + '"'


def shown_number(x: float | None, fmt: str) -> str:
    """A number as the 标准 text shows it, by the KPI's 格式 (percent, seconds, plain)."""
    if x is None:
        return ""
    if fmt == "percent":
        return f"{x * 100:g}%"
    if fmt == "seconds":
        return f"{x:g}秒"
    return f"{x:g}"
