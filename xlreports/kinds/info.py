"""仅展示 (info): the KPI's value is shown on the forms and the summary, never scored.

>>> k = Kpi("退款率", "info")
>>> KIND.score(k, 0.02), KIND.formula(k, None, "F9", "D9"), KIND.standard(k)
(0.0, None, '仅展示，不计分')
"""
from __future__ import annotations

from xlreports.kinds.base import KpiKind
from xlreports.model.scheme import Kpi
from xlreports.model.scheme_refs import SchemeRefs


class InfoKind(KpiKind):
    key, label = "info", "仅展示"
    weighted = False
    scored = False
    uses_metric = True

    def score(self, kpi: Kpi, value: float | None) -> float:
        return 0.0

    def formula(self, kpi: Kpi, refs: SchemeRefs, value: str, max_cell: str) -> None:
        return None  # the form's 得分 cell says 不计分

    def standard(self, kpi: Kpi) -> str:
        return "仅展示，不计分"


KIND = InfoKind()
