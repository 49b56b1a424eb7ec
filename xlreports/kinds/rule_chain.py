"""The 【加减规则】 chain shared by 加减评分 and 计数加分: the first rule that holds applies.

A rule adds its 分值 to a base (加减), adds it per full 步长 away from the 阈值 (每满), or sets
the score (设为). ``apply`` is the engine; ``chain_formula`` the same IF chain in Excel.

>>> from xlreports.model.scheme import AdjustRule
>>> k = Kpi("x", "adjust", rules=[AdjustRule("<", 1.0, "per_step", -1.0, 0.05)])
>>> apply(k, 0.85, 30.0)
27.0
>>> rules_text(k)
'<1 每满0.05 -1分'
"""
from __future__ import annotations

from xlreports.engine.numbers import compare, steps
from xlreports.errors import Problem
from xlreports.kinds.base import KpiKind, shown_number
from xlreports.model.scheme import Kpi, OPS
from xlreports.model.scheme_refs import SchemeRefs


def apply(kpi: Kpi, value: float, base: float, otherwise: float | None = None) -> float:
    """The result of the first rule that holds for ``value`` (rules add to ``base``); ``otherwise`` (default
    ``base``) when none holds. Not clamped: each kind clamps to its own range."""
    for rule in kpi.rules:
        if compare(value, rule.op, rule.threshold):
            if rule.action == "add":
                return base + rule.amount
            if rule.action == "per_step":
                return base + rule.amount * steps(abs(value - rule.threshold), rule.step or 1.0)
            return rule.amount
    return base if otherwise is None else otherwise


def chain_formula(kpi: Kpi, refs: SchemeRefs, value: str, base: str, otherwise: str) -> str:
    """IF(rule1 holds, result1, IF(rule2 holds, result2, … otherwise)), pointing at the rules' cells; no '='."""
    expr = otherwise
    for rule, where in reversed(list(zip(kpi.rules, refs.rules.get(kpi.name, [])))):
        cond = f"{value}{rule.op}{refs.ref(where['threshold'])}"
        amount = refs.ref(where["amount"])
        if rule.action == "add":
            result = f"{base}+{amount}"
        elif rule.action == "per_step":
            t, step = refs.ref(where["threshold"]), refs.ref(where["step"])
            result = f"{base}+{amount}*INT(ROUND(ABS({value}-{t})/{step},9))"
        else:
            result = amount
        expr = f"IF({cond},{result},{expr})"
    return expr


def rules_text(kpi: Kpi) -> str:
    """The rules in words for the 标准 column."""
    f = kpi.fmt
    parts = []
    for r in kpi.rules:
        cond = f"{OPS[r.op]}{shown_number(r.threshold, f)}"
        if r.action == "add":
            parts.append(f"{cond} {r.amount:+g}分")
        elif r.action == "per_step":
            parts.append(f"{cond} 每满{shown_number(r.step, f)} {r.amount:+g}分")
        else:
            parts.append(f"{cond} 计{r.amount:g}分")
    return "；".join(parts)


def check_rules(kpi: Kpi, refs: SchemeRefs) -> list[Problem]:
    """At least one rule; 每满 needs a positive 步长."""
    if not kpi.rules:
        return [refs.problem(refs.kpis.get(kpi.name, {}).get("name"), f"指标「{kpi.name}」在【加减规则】中没有规则")]
    where = refs.rules.get(kpi.name, [])
    return [refs.problem(where[i].get("step") if i < len(where) else None, "方式为「每满」时步长应大于 0", rule.step)
            for i, rule in enumerate(kpi.rules) if rule.action == "per_step" and not (rule.step and rule.step > 0)]


class RuleChainKind(KpiKind):
    """A kind whose rules are the 【加减规则】 chain: its 标准 text and checks come from here."""

    def standard(self, kpi: Kpi) -> str:
        return rules_text(kpi)

    def check(self, kpi: Kpi, refs: SchemeRefs) -> list[Problem]:
        return check_rules(kpi, refs)
