"""Consistency checks on a scheme: metrics, each kind's own rules (``kinds``), weights add to 100, names exist.

Every problem names the 考核方案 cell to fix.

>>> from xlreports.rules.scheme_files import builtin_scheme
>>> from xlreports.rules.scheme_rows import parse_scheme_rows, scheme_to_rows
>>> parsed = parse_scheme_rows(scheme_to_rows(builtin_scheme("A")))
>>> check_scheme(parsed.scheme, parsed.refs)
[]
"""
from __future__ import annotations

from collections.abc import Iterable

from xlreports import kinds
from xlreports.errors import Problem
from xlreports.model.scheme import Scheme
from xlreports.model.scheme_refs import SchemeRefs


def check_scheme(scheme: Scheme, refs: SchemeRefs, columns: Iterable[str] | None = None) -> list[Problem]:
    """All problems of a scheme; ``columns`` (the agent data's columns) enables the unknown-column check."""
    problems: list[Problem] = []

    def fail(pos, message, found=None):
        problems.append(refs.problem(pos, message, found))

    known = set(columns) if columns is not None else None
    kpi_names = {k.name for k in scheme.kpis}
    for kpi in scheme.kpis:
        where = refs.kpis.get(kpi.name, {})
        if not kpi.name:
            fail(where.get("name"), "指标名称不能为空")
        kind = kinds.find(kpi.kind)
        if kind is None:
            fail(where.get("kind"), "「类型」应为：" + "、".join(kinds.LABELS.values()), kpi.kind)
            continue
        if kind.uses_metric and kpi.metric.kind == "none":
            fail(where.get("metric.kind"), f"指标「{kpi.name}」需要计算方式（比值、列值、团队占比、环比增长、目标达成）")
        if kpi.metric.kind in ("ratio", "growth") and not (kpi.metric.numerator and kpi.metric.denominator):
            fail(where.get("metric.numerator"), f"指标「{kpi.name}」的计算方式需要分子列和分母列")
        if kpi.metric.kind in ("column", "share") and not kpi.metric.numerator:
            fail(where.get("metric.numerator"), f"指标「{kpi.name}」需要分子列")
        if kpi.metric.kind == "attainment" and not (kpi.metric.denominator or kpi.metric.target):
            fail(where.get("metric.target"), f"指标「{kpi.name}」需要分母列或目标值")
        for attr in ("weight", "multiple", "bonus_cap"):
            if (getattr(kpi, attr) or 0) < 0:
                label = {"weight": "权重", "multiple": "倍数", "bonus_cap": "加分上限"}[attr]
                fail(where.get(attr), f"指标「{kpi.name}」的{label}不能为负数", getattr(kpi, attr))
        if kpi.max_score <= 0 and kind.scored:
            fail(where.get("max_score"), f"指标「{kpi.name}」的分值应大于 0", kpi.max_score)
        problems += kind.check(kpi, refs)
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


def _check_weights(scheme: Scheme, refs: SchemeRefs, fail) -> None:
    weighted = kinds.weighted(scheme)
    given = [k for k in weighted if k.weight is not None]
    if given and len(given) != len(weighted):
        missing = next(k for k in weighted if k.weight is None)
        fail(refs.kpis[missing.name].get("weight"), "要么所有指标都填权重，要么都填倍数（倍数加权法）")
        return
    if any((k.weight or 0) < 0 or (k.multiple or 0) < 0 for k in weighted):
        return  # each negative one is reported; a sum of 100 made with them means nothing
    for k in weighted:
        if k.weight is None and not (k.multiple and k.multiple > 0):
            fail(refs.kpis[k.name].get("multiple"), f"「{k.name}」的倍数应大于 0", k.multiple)
            return
    total = sum(kinds.effective_weight(scheme, k) for k in weighted)
    if weighted and abs(total - 100) > 1e-6:
        pos = refs.kpis[weighted[-1].name].get("weight")
        fail(pos, f"权重合计应为 100，实际为 {round(total, 4):g}")


# Pay figures that cannot be below 0: 设置 attribute → its label.
_PAY_SETTINGS = {"pay_pool": "绩效工资总额", "post_wage": "岗位工资", "allowance": "津贴", "attendance_bonus": "全勤奖"}


def _check_pay_signs(scheme: Scheme, refs: SchemeRefs, fail) -> None:
    """Every amount pay is made of is 0 or more: a negative one takes pay away without anyone noticing."""
    for attr, label in _PAY_SETTINGS.items():
        if (getattr(scheme, attr) or 0) < 0:
            fail(refs.settings.get(attr), f"「{label}」不能为负数", getattr(scheme, attr))
    tables = (("级别工资", scheme.levels, refs.levels, ("wage", "perf_base", "months_required")),
              ("提成档位", scheme.commission, refs.commission, ("lo", "rate")),
              ("结果档位", scheme.result_bands, refs.result_bands, ("multiplier",)),
              ("连续规则", scheme.streaks, refs.streaks, ("amount",)))
    for title, rows, where, attrs in tables:
        for i, row in enumerate(rows):
            for attr in attrs:
                value = getattr(row, attr)
                if value is not None and value < 0:
                    pos = where[i].get(attr) if i < len(where) else refs.sections.get(title)
                    fail(pos, f"【{title}】中的数值不能为负数", value)


def _check_pay(scheme: Scheme, refs: SchemeRefs, fail, kpi_names: set[str]) -> None:
    _check_pay_signs(scheme, refs, fail)
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
