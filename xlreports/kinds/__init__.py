"""KPI kinds: one module each, registered here. Everything else asks this registry, never tests kind strings.

Each kind (``kinds.base.KpiKind``) holds side by side its score (engine), its Excel formula, its
标准 text and its checks. Adding a kind: a module with ``KIND = …`` and one line in ``KINDS``.

>>> get("linear").label, LABELS["band"]
('线性评分', '档位评分')
>>> [k.key for k in KINDS.values() if k.weighted]
['band', 'adjust', 'manual', 'attendance', 'linear']
"""
from __future__ import annotations

from xlreports.errors import XlreportsError
from xlreports.kinds import adjust, attendance, band, count_bonus, info, linear, manual
from xlreports.kinds.base import KpiKind
from xlreports.model.scheme import Kpi, Scheme
from xlreports.model.scheme_refs import SchemeRefs

# Key → kind, in the order the 考核方案 sheet lists the choices of 类型.
KINDS: dict[str, KpiKind] = {k.key: k for k in (
    band.KIND, adjust.KIND, manual.KIND, attendance.KIND, count_bonus.KIND, info.KIND, linear.KIND)}
LABELS: dict[str, str] = {key: k.label for key, k in KINDS.items()}  # key → the sheet's Chinese label


def find(key: str) -> KpiKind | None:
    """The kind with this key, or None."""
    return KINDS.get(key)


def get(key: str) -> KpiKind:
    """The kind with this key; an unknown key is an error that lists the known labels.

    >>> get("adjust").weight_text, get("count_bonus").weight_text
    ('—', '加分')
    """
    kind = KINDS.get(key)
    if kind is None:
        raise XlreportsError(f"未知的指标类型「{key}」（可用：{'、'.join(LABELS.values())}）")
    return kind


def of(kpi: Kpi) -> KpiKind:
    """The kind of a KPI."""
    return get(kpi.kind)


def weighted(scheme: Scheme) -> list[Kpi]:
    """The KPIs whose weights add up to 100 (bonus and shown-only KPIs excluded)."""
    return [k for k in scheme.kpis if (kind := find(k.kind)) is not None and kind.weighted]


def effective_weight(scheme: Scheme, kpi: Kpi) -> float:
    """The weight used in scoring: given directly, or from multiples (倍数加权法); 0 for unweighted kinds.

    >>> s = Scheme("X", "x", kpis=[Kpi("a", "manual", multiple=1), Kpi("b", "manual", multiple=4)])
    >>> effective_weight(s, s.kpis[1])
    80.0
    """
    kind = find(kpi.kind)
    if kind is None or not kind.weighted:
        return 0.0
    if kpi.weight is not None:
        return float(kpi.weight)
    total = sum(k.multiple or 0 for k in weighted(scheme) if k.weight is None)
    return (kpi.multiple or 0) / total * 100 if total else 0.0


def weight_formula(scheme: Scheme, kpi: Kpi, refs: SchemeRefs) -> str:
    """The 权重 cell (``effective_weight``): the weight itself, or multiple / Σ multiples × 100.

    >>> s = Scheme("X", "x", kpis=[Kpi("a", "manual", multiple=1), Kpi("b", "manual", multiple=4)])
    >>> refs = SchemeRefs(kpis={"a": {"multiple": (10, 10)}, "b": {"multiple": (11, 10)}})
    >>> weight_formula(s, s.kpis[1], refs)
    "='考核方案'!$J$11/SUM('考核方案'!$J$10,'考核方案'!$J$11)*100"
    """
    where = refs.kpis[kpi.name]
    if kpi.weight is not None:
        return f"={refs.ref(where['weight'])}"
    multiples = [refs.ref(refs.kpis[k.name]["multiple"]) for k in weighted(scheme) if k.weight is None]
    return f"={refs.ref(where['multiple'])}/SUM({','.join(multiples)})*100"


def with_section() -> list[KpiKind]:
    """Kinds that keep numbers of their own in a 考核方案 section (线性评分: 最佳值, 最差值)."""
    return [k for k in KINDS.values() if k.section]
