"""线性评分 (linear): 分值 × (value − 最差值) / (最佳值 − 最差值), kept within [0, 分值].

Either direction works: 最佳值 above 最差值 (a rate, higher is better) or below it (a response
time: 最佳 30 秒, 最差 120 秒). The two numbers live in the 考核方案 section 【线性评分】
(指标 | 最佳值 | 最差值), one row per linear KPI, and the formula points at them. Like the other
kinds the score itself is not rounded; the form's 总分 is ROUND(…, 2).

>>> k = Kpi("响应时间", "linear", fmt="seconds", params={"best": 30.0, "worst": 120.0})
>>> [KIND.score(k, v) for v in (20, 30, 52.5, 75, 120, 200)]
[100.0, 100.0, 75.0, 50.0, 0.0, 0.0]
>>> KIND.score(k, None), KIND.standard(k)
(0.0, '≤30秒→100；≥120秒→0；之间按比例')
"""
from __future__ import annotations

from xlreports.engine.numbers import approx_equal
from xlreports.errors import Problem
from xlreports.kinds.base import MetricKind, Param, shown_number
from xlreports.model.scheme import Kpi
from xlreports.model.scheme_refs import SchemeRefs

BEST, WORST = Param("最佳值", "best"), Param("最差值", "worst")


class LinearKind(MetricKind):
    key, label = "linear", "线性评分"
    section = "线性评分"
    params = (BEST, WORST)

    def score_number(self, kpi: Kpi, value: float) -> float:
        best, worst = kpi.params["best"], kpi.params["worst"]
        return max(0.0, min(kpi.max_score, kpi.max_score * (value - worst) / (best - worst)))

    def number_formula(self, kpi: Kpi, refs: SchemeRefs, value: str, max_cell: str) -> str:
        where = refs.kpis[kpi.name]
        best, worst = refs.ref(where["best"]), refs.ref(where["worst"])
        return f"MAX(0,MIN({max_cell},{max_cell}*({value}-{worst})/({best}-{worst})))"

    def standard(self, kpi: Kpi) -> str:
        best, worst = kpi.params.get("best"), kpi.params.get("worst")
        if best is None or worst is None:
            return "线性评分"
        at_best, at_worst = ("≤", "≥") if best < worst else ("≥", "≤")
        return (f"{at_best}{shown_number(best, kpi.fmt)}→{kpi.max_score:g}；"
                f"{at_worst}{shown_number(worst, kpi.fmt)}→0；之间按比例")

    def check(self, kpi: Kpi, refs: SchemeRefs) -> list[Problem]:
        """Both numbers given (a row in 【线性评分】) and different."""
        where = refs.kpis.get(kpi.name, {})
        missing = [p for p in self.params if kpi.params.get(p.attr) is None]
        if missing:
            if all(p.attr not in where for p in missing):
                return [refs.problem(where.get("kind"), f"指标「{kpi.name}」是线性评分：请在【线性评分】中填写它的"
                                                        "最佳值和最差值（表头：指标 | 最佳值 | 最差值）")]
            return [refs.problem(where.get(p.attr), f"「{p.label}」不能为空（指标「{kpi.name}」）") for p in missing]
        best, worst = kpi.params["best"], kpi.params["worst"]
        if approx_equal(best, worst):
            return [refs.problem(where.get("worst"), f"「{kpi.name}」的最佳值与最差值相同，无法按比例评分", worst)]
        return []


KIND = LinearKind()
