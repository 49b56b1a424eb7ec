"""主管评分 (manual): the supervisor types the score on the form, kept within [0, 分值]; blank is 0.

>>> k = Kpi("工作态度", "manual", max_score=5.0, input_column="工作态度")
>>> KIND.score(k, 4.5), KIND.score(k, 7), KIND.score(k, None), KIND.formula(k, None, "F9", "D9")
(4.5, 5.0, 0.0, '=MAX(0,MIN(D9,IF(ISNUMBER(F9),F9,0)))')
"""
from __future__ import annotations

from xlreports.kinds.base import KpiKind, Values, as_number
from xlreports.model.scheme import Kpi
from xlreports.model.scheme_refs import SchemeRefs


class ManualKind(KpiKind):
    key, label = "manual", "主管评分"
    typed = True
    typed_score = True
    number_format = "General"  # "0.##" shows "100." in Excel

    def measure(self, kpi: Kpi, agent: Values) -> float | None:
        return agent.number(kpi.input_field)

    def score(self, kpi: Kpi, value: float | None) -> float:
        return max(0.0, min(kpi.max_score, value or 0.0))

    def formula(self, kpi: Kpi, refs: SchemeRefs, value: str, max_cell: str) -> str:
        return f"=MAX(0,MIN({max_cell},{as_number(value)}))"

    def standard(self, kpi: Kpi) -> str:
        return f"主管评分 0–{kpi.max_score:g}"

    def input_fields(self, kpi: Kpi) -> list[tuple[str, str | None]]:
        return [(kpi.name, kpi.input_field)]


KIND = ManualKind()
