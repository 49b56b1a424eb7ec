"""Consistency checks on a scheme: bands tile the number line, weights add to 100, names exist.

Every problem names the 考核方案 cell to fix.

>>> from xlreports.rules.scheme_files import builtin_scheme
>>> from xlreports.rules.scheme_rows import parse_scheme_rows, scheme_to_rows
>>> parsed = parse_scheme_rows(scheme_to_rows(builtin_scheme("A")))
>>> check_scheme(parsed.scheme, parsed.refs)
[]
"""
from __future__ import annotations

from collections.abc import Iterable

from xlreports.errors import Problem
from xlreports.a1 import addr
from xlreports.model.scheme import WEIGHTED_KINDS, Scheme
from xlreports.rules.scheme_rows import SchemeRefs

_EPS = 1e-9


def check_scheme(scheme: Scheme, refs: SchemeRefs, columns: Iterable[str] | None = None) -> list[Problem]:
    """All problems of a scheme; ``columns`` (the agent data's columns) enables the unknown-column check."""
    problems: list[Problem] = []

    def fail(pos, message, found=None):
        problems.append(Problem(refs.sheet, addr(*pos) if pos else None, message, found))

    known = set(columns) if columns is not None else None
    kpi_names = {k.name for k in scheme.kpis}
    for kpi in scheme.kpis:
        where = refs.kpis.get(kpi.name, {})
        if not kpi.name:
            fail(where.get("name"), "指标名称不能为空")
        metric_needed = kpi.kind in ("band", "adjust", "info")
        if metric_needed and kpi.metric.kind == "none":
            fail(where.get("metric.kind"), f"指标「{kpi.name}」需要计算方式（比值、列值、团队占比、环比增长、目标达成）")
        if kpi.metric.kind in ("ratio", "growth") and not (kpi.metric.numerator and kpi.metric.denominator):
            fail(where.get("metric.numerator"), f"指标「{kpi.name}」的计算方式需要分子列和分母列")
        if kpi.metric.kind in ("column", "share") and not kpi.metric.numerator:
            fail(where.get("metric.numerator"), f"指标「{kpi.name}」需要分子列")
        if kpi.metric.kind == "attainment" and not (kpi.metric.denominator or kpi.metric.target):
            fail(where.get("metric.target"), f"指标「{kpi.name}」需要分母列或目标值")
        if kpi.max_score <= 0 and kpi.kind != "info":
            fail(where.get("max_score"), f"指标「{kpi.name}」的分值应大于 0", kpi.max_score)
        if kpi.kind == "band":
            _check_bands(kpi, refs, fail)
        if kpi.kind in ("adjust", "count_bonus"):
            if not kpi.rules:
                fail(where.get("name"), f"指标「{kpi.name}」在【加减规则】中没有规则")
            for i, rule in enumerate(kpi.rules):
                if rule.action == "per_step" and not (rule.step and rule.step > 0):
                    fail(refs.rules[kpi.name][i].get("step"), "方式为「每满」时步长应大于 0", rule.step)
        if kpi.kind == "attendance" and not kpi.deductions:
            fail(where.get("name"), f"指标「{kpi.name}」在【扣分项】中没有扣分规则")
        if known is not None:
            for attr, column in (("metric.numerator", kpi.metric.numerator),
                                 ("metric.denominator", kpi.metric.denominator)):
                if column and column not in known and not (kpi.metric.rate_column in known):
                    fail(where.get(attr), f"数据中没有列「{column}」（指标「{kpi.name}」）")
            for i, d in enumerate(kpi.deductions):
                if d.column not in known:
                    fail(refs.deductions[kpi.name][i].get("column"), f"数据中没有列「{d.column}」", d.column)
    _check_weights(scheme, refs, fail)
    _check_pay(scheme, refs, fail, kpi_names)
    return problems


def _check_bands(kpi, refs: SchemeRefs, fail) -> None:
    where = refs.bands.get(kpi.name, [])
    if not kpi.bands:
        fail(refs.kpis[kpi.name].get("name"), f"指标「{kpi.name}」在【档位】中没有档位")
        return
    order = sorted(range(len(kpi.bands)), key=lambda i: (kpi.bands[i].lo is not None, kpi.bands[i].lo or 0))
    first, last = kpi.bands[order[0]], kpi.bands[order[-1]]
    if first.lo is not None:
        fail(where[order[0]].get("lo"), f"「{kpi.name}」最低一档的下限应留空（低于 {first.lo} 的数值没有得分）",
             first.lo)
    if last.hi is not None:
        fail(where[order[-1]].get("hi"), f"「{kpi.name}」最高一档的上限应留空（高于 {last.hi} 的数值没有得分）",
             last.hi)
    for a, b in zip(order, order[1:]):
        hi, lo = kpi.bands[a].hi, kpi.bands[b].lo
        if hi is None or lo is None:
            fail(where[a].get("hi"), f"「{kpi.name}」档位重叠：只有最高一档的上限可以留空")
        elif hi > lo + _EPS:
            fail(where[b].get("lo"), f"「{kpi.name}」档位重叠：下限 {lo} 小于相邻一档的上限 {hi}（相邻两档的上限与下限应相同）", lo)
        elif hi < lo - _EPS:
            fail(where[b].get("lo"), f"「{kpi.name}」档位有空隙：{hi} 到 {lo} 之间没有得分（相邻两档的上限与下限应相同）", lo)


def _check_weights(scheme: Scheme, refs: SchemeRefs, fail) -> None:
    weighted = [k for k in scheme.kpis if k.kind in WEIGHTED_KINDS]
    given = [k for k in weighted if k.weight is not None]
    if given and len(given) != len(weighted):
        missing = next(k for k in weighted if k.weight is None)
        fail(refs.kpis[missing.name].get("weight"), "要么所有指标都填权重，要么都填倍数（倍数加权法）")
        return
    for k in weighted:
        if k.weight is None and not (k.multiple and k.multiple > 0):
            fail(refs.kpis[k.name].get("multiple"), f"「{k.name}」的倍数应大于 0", k.multiple)
            return
    total = sum(scheme.effective_weight(k) for k in weighted)
    if weighted and abs(total - 100) > 1e-6:
        pos = refs.kpis[weighted[-1].name].get("weight")
        fail(pos, f"权重合计应为 100，实际为 {round(total, 4):g}")


def _check_pay(scheme: Scheme, refs: SchemeRefs, fail, kpi_names: set[str]) -> None:
    if scheme.default_level and scheme.levels and scheme.level(scheme.default_level) is None:
        fail(refs.settings.get("default_level"), "默认级别不在【级别工资】中", scheme.default_level)
    if not scheme.levels:
        fail(refs.sections.get("级别工资"), "【级别工资】至少需要一个级别")
    if scheme.commission_gate_kpi and scheme.commission_gate_kpi not in kpi_names:
        fail(refs.settings.get("commission_gate_kpi"), "提成门槛指标不在【指标】中", scheme.commission_gate_kpi)
    if scheme.commission_gate_kpi and scheme.commission_gate_value is None:
        fail(refs.settings.get("commission_gate_value"), "设了提成门槛指标时需要填门槛值")
    los = [t.lo for t in scheme.commission]
    if los and los != sorted(los):
        fail(refs.commission[0].get("lo"), "【提成档位】的销售额下限应从小到大排列")
    if los and los[0] != 0:
        fail(refs.commission[0].get("lo"), "【提成档位】第一档的销售额下限应为 0", los[0])
    bands = scheme.result_bands
    if bands:
        if sum(1 for b in bands if b.lo is None) != 1:
            fail(refs.sections.get("结果档位"), "【结果档位】需要恰好一档的总分下限留空（最低档）")
        los = [b.lo for b in bands if b.lo is not None]
        if len(set(los)) != len(los):
            fail(refs.sections.get("结果档位"), "【结果档位】的总分下限有重复")
    for i, rule in enumerate(scheme.streaks):
        if rule.kind == "below" and rule.threshold is None:
            fail(refs.streaks[i].get("threshold"), "规则「低于」需要阈值（如 35）")
        if rule.months < 1:
            fail(refs.streaks[i].get("months"), "连续月数应至少为 1", rule.months)
