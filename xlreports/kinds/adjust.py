"""加减评分 (adjust): start at 分值, apply the first 【加减规则】 that holds, keep within [0, 分值 + 加分上限].

>>> from xlreports.rules.scheme_files import builtin_scheme
>>> KIND.score(builtin_scheme("B").kpi("销售额完成率"), 0.85)   # 3 full 5% steps below 100%
27.0
"""
from __future__ import annotations

from xlreports.kinds.base import MetricKind
from xlreports.kinds.rule_chain import RuleChainKind, apply, chain_formula
from xlreports.model.scheme import Kpi
from xlreports.model.scheme_refs import SchemeRefs


class AdjustKind(MetricKind, RuleChainKind):
    key, label = "adjust", "加减评分"

    def score_number(self, kpi: Kpi, value: float) -> float:
        return max(0.0, min(kpi.max_score + kpi.bonus_cap, apply(kpi, value, kpi.max_score)))

    def number_formula(self, kpi: Kpi, refs: SchemeRefs, value: str, max_cell: str) -> str:
        cap = refs.ref(refs.kpis[kpi.name]["bonus_cap"])
        return f"MAX(0,MIN({max_cell}+{cap},{chain_formula(kpi, refs, value, max_cell, max_cell)}))"


KIND = AdjustKind()
