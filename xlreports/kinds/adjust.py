"""加减评分 (adjust): start at 分值, apply the first 【加减规则】 that holds, keep within [0, 分值 + 加分上限].

>>> from xlreports.rules.scheme_files import builtin_scheme
>>> KIND.score(builtin_scheme("B").kpi("销售额完成率"), 0.85)   # 3 full 5% steps below 100%
27.0
"""
from __future__ import annotations

from xlreports.errors import Problem
from xlreports.kinds.base import KpiKind, no_data_formula, no_data_score
from xlreports.kinds.rule_chain import apply, chain_formula, check_rules, rules_text
from xlreports.model.scheme import Kpi
from xlreports.model.scheme_refs import SchemeRefs


class AdjustKind(KpiKind):
    key, label = "adjust", "加减评分"
    uses_metric = True

    def score(self, kpi: Kpi, value: float | None) -> float:
        if value is None:
            return no_data_score(kpi)
        return max(0.0, min(kpi.max_score + kpi.bonus_cap, apply(kpi, value, kpi.max_score)))

    def formula(self, kpi: Kpi, refs: SchemeRefs, value: str, max_cell: str) -> str:
        cap = refs.ref(refs.kpis[kpi.name]["bonus_cap"])
        expr = chain_formula(kpi, refs, value, max_cell, max_cell)
        return f"=IF(ISNUMBER({value}),MAX(0,MIN({max_cell}+{cap},{expr})),{no_data_formula(kpi, refs, max_cell)})"

    def standard(self, kpi: Kpi) -> str:
        return rules_text(kpi)

    def check(self, kpi: Kpi, refs: SchemeRefs) -> list[Problem]:
        return check_rules(kpi, refs)


KIND = AdjustKind()
