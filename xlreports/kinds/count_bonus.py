"""计数加分 (count bonus): points from a count typed on the form (e.g. +1 per 5 经验条数), from 0,
capped at 加分上限, added on top of the weighted total.

>>> from xlreports.model.scheme import AdjustRule
>>> k = Kpi("经验加分", "count_bonus", input_column="经验条数", bonus_cap=2.0,
...         rules=[AdjustRule(">=", 0.0, "per_step", 1.0, 5.0)])
>>> [KIND.score(k, n) for n in (4, 5, 12, 30)]
[0.0, 1.0, 2.0, 2.0]
"""
from __future__ import annotations

from xlreports.kinds.base import Values, as_number
from xlreports.kinds.rule_chain import RuleChainKind, apply, chain_formula
from xlreports.model.scheme import Kpi
from xlreports.model.scheme_refs import SchemeRefs


class CountBonusKind(RuleChainKind):
    key, label = "count_bonus", "计数加分"
    weighted = False
    typed = True
    weight_text = "加分"
    number_format = "General"  # "0.##" shows "100." in Excel

    def measure(self, kpi: Kpi, agent: Values) -> float | None:
        return agent.number0(kpi.input_field)

    def score(self, kpi: Kpi, value: float | None) -> float:
        return max(0.0, min(kpi.bonus_cap, apply(kpi, value or 0.0, 0.0)))

    def formula(self, kpi: Kpi, refs: SchemeRefs, value: str, max_cell: str) -> str:
        cap = refs.ref(refs.kpis[kpi.name]["bonus_cap"])
        return f"=MAX(0,MIN({cap},{chain_formula(kpi, refs, as_number(value), '0', '0')}))"

    def input_fields(self, kpi: Kpi) -> list[tuple[str, str | None]]:
        return [(kpi.name, kpi.input_field)]


KIND = CountBonusKind()
