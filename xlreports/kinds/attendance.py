"""考勤扣分 (attendance): 分值 minus Σ 每次扣分 × count (迟到早退次数, 请假天数 …), at least 0.

The counts are typed in the form's 考勤记录; the 数据 cell shows the points deducted.

>>> from xlreports.model.scheme import Deduction
>>> k = Kpi("考勤", "attendance", max_score=10.0,
...         deductions=[Deduction("迟到早退次数", 2.0), Deduction("请假天数", 1.0)])
>>> KIND.score(k, 3.0), KIND.score(k, 12.0), KIND.standard(k)
(7.0, 0.0, '迟到早退次数 每次−2分；请假天数 每次−1分')
"""
from __future__ import annotations

from xlreports.errors import Problem
from xlreports.kinds.base import KpiKind, Values, as_number
from xlreports.model.scheme import Kpi
from xlreports.model.scheme_refs import SchemeRefs


class AttendanceKind(KpiKind):
    key, label = "attendance", "考勤扣分"
    deducts = True
    number_format = '"扣"General"分"'  # "0.##" shows "扣0.分" in Excel

    def measure(self, kpi: Kpi, agent: Values) -> float | None:
        """Points off: Σ per-unit points × count (blank = 0)."""
        return sum(d.points * agent.number0(d.column) for d in kpi.deductions)

    def score(self, kpi: Kpi, value: float | None) -> float:
        return max(0.0, kpi.max_score - (value or 0.0))

    def formula(self, kpi: Kpi, refs: SchemeRefs, value: str, max_cell: str) -> str:
        return f"=MAX(0,{max_cell}-{value})"

    def standard(self, kpi: Kpi) -> str:
        return "；".join(f"{d.column} 每次−{d.points:g}分" for d in kpi.deductions)

    def check(self, kpi: Kpi, refs: SchemeRefs) -> list[Problem]:
        """At least one 扣分项, none negative (a negative 每次扣分 adds points: 考勤 14 of 10)."""
        if not kpi.deductions:
            return [refs.problem(refs.kpis.get(kpi.name, {}).get("name"), f"指标「{kpi.name}」在【扣分项】中没有扣分规则")]
        where = refs.deductions.get(kpi.name, [])
        return [refs.problem(where[i].get("points") if i < len(where) else None,
                             f"「{kpi.name}」的每次扣分不能为负数（负数会加分，使考勤超过分值）", d.points)
                for i, d in enumerate(kpi.deductions) if d.points < 0]

    def input_fields(self, kpi: Kpi) -> list[tuple[str, str | None]]:
        return [(d.column, d.column) for d in kpi.deductions]

    def attendance_columns(self, kpi: Kpi) -> list[str]:
        return [d.column for d in kpi.deductions]


def deduction_formula(kpi: Kpi, refs: SchemeRefs, count_cells: list[str]) -> str:
    """The 数据 cell: Σ 每次扣分 × count, one count cell per 扣分项 (``AttendanceKind.measure``)."""
    terms = [f"{refs.ref(w['points'])}*{as_number(c)}" for w, c in zip(refs.deductions[kpi.name], count_cells)]
    return "=" + "+".join(terms)


KIND = AttendanceKind()
