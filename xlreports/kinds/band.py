"""档位评分 (band): the score of the band the KPI's value falls in.

The IF chain tests the bands best-first for 含下限 (value ≥ 下限) and lowest-first for 含上限
(value ≤ 上限); the band whose tested bound is open comes last, as the chain's else.

>>> from xlreports.rules.scheme_files import builtin_scheme
>>> a = builtin_scheme("A")
>>> KIND.score(a.kpi("询单转化率"), 0.75), KIND.score(a.kpi("响应时间"), 30.0), KIND.score(a.kpi("响应时间"), 30.01)
(100.0, 100.0, 80.0)
>>> KIND.standard(a.kpi("询单转化率"))
'≥75%→100；65%–75%→80；50%–65%→60；<50%→0'
"""
from __future__ import annotations

from xlreports.engine.numbers import compare
from xlreports.errors import Problem
from xlreports.kinds.base import MetricKind, shown_number
from xlreports.model.scheme import Band, Kpi
from xlreports.model.scheme_refs import SchemeRefs

_EPS = 1e-9


def ordered_bands(kpi: Kpi) -> list[Band]:
    """Bands in the order the IF chain tests them: best-first for 含下限 (≥), lowest-first for 含上限 (≤).

    >>> k = Kpi("x", "band", bands=[Band(None, 0.5, 0), Band(0.5, None, 100)])
    >>> [b.score for b in ordered_bands(k)]
    [100, 0]
    """
    if kpi.bound == "lower":
        return sorted(kpi.bands, key=lambda b: (b.lo is None, -(b.lo or 0)))
    return sorted(kpi.bands, key=lambda b: (b.hi is None, b.hi or 0))


class BandKind(MetricKind):
    key, label = "band", "档位评分"

    def score_number(self, kpi: Kpi, value: float) -> float:
        chain = ordered_bands(kpi)
        for band in chain[:-1]:
            if kpi.bound == "lower" and compare(value, ">=", band.lo):
                return band.score
            if kpi.bound == "upper" and compare(value, "<=", band.hi):
                return band.score
        return chain[-1].score

    def number_formula(self, kpi: Kpi, refs: SchemeRefs, value: str, max_cell: str) -> str:
        positions = {id(b): w for b, w in zip(kpi.bands, refs.bands.get(kpi.name, []))}
        chain = ordered_bands(kpi)
        expr = refs.ref(positions[id(chain[-1])]["score"])
        side, op = ("lo", ">=") if kpi.bound == "lower" else ("hi", "<=")
        for band in reversed(chain[:-1]):
            where = positions[id(band)]
            expr = f"IF({value}{op}{refs.ref(where[side])},{refs.ref(where['score'])},{expr})"
        return expr

    def standard(self, kpi: Kpi) -> str:
        f = kpi.fmt
        parts = []
        for b in ordered_bands(kpi):
            if b.lo is None:
                parts.append(f"{'≤' if kpi.bound == 'upper' else '<'}{shown_number(b.hi, f)}→{b.score:g}")
            elif b.hi is None:
                parts.append(f"{'>' if kpi.bound == 'upper' else '≥'}{shown_number(b.lo, f)}→{b.score:g}")
            else:
                parts.append(f"{shown_number(b.lo, f)}–{shown_number(b.hi, f)}→{b.score:g}")
        return "；".join(parts)

    def check(self, kpi: Kpi, refs: SchemeRefs) -> list[Problem]:
        """The bands tile the number line: lowest 下限 and highest 上限 open, neighbours meet."""
        where = refs.bands.get(kpi.name, [])
        if not kpi.bands:
            return [refs.problem(refs.kpis.get(kpi.name, {}).get("name"), f"指标「{kpi.name}」在【档位】中没有档位")]
        problems = []

        def at(i: int, attr: str):
            return where[i].get(attr) if i < len(where) else None

        for i, b in enumerate(kpi.bands):  # a band above 分值 lifts the total past 100 (117.5), one below 0 takes pay away
            if not 0 <= b.score <= kpi.max_score:
                problems.append(refs.problem(at(i, "score"), f"「{kpi.name}」档位的得分应在 0 到分值 {kpi.max_score:g} 之间",
                                             b.score))
        order = sorted(range(len(kpi.bands)), key=lambda i: (kpi.bands[i].lo is not None, kpi.bands[i].lo or 0))
        first, last = kpi.bands[order[0]], kpi.bands[order[-1]]
        if first.lo is not None:
            problems.append(refs.problem(at(order[0], "lo"), f"「{kpi.name}」最低一档的下限应留空（低于 {first.lo} 的数值没有得分）",
                                         first.lo))
        if last.hi is not None:
            problems.append(refs.problem(at(order[-1], "hi"), f"「{kpi.name}」最高一档的上限应留空（高于 {last.hi} 的数值没有得分）",
                                         last.hi))
        for a, b in zip(order, order[1:]):
            hi, lo = kpi.bands[a].hi, kpi.bands[b].lo
            if hi is None or lo is None:
                problems.append(refs.problem(at(a, "hi"), f"「{kpi.name}」档位重叠：只有最高一档的上限可以留空"))
            elif hi > lo + _EPS:
                problems.append(refs.problem(at(b, "lo"), f"「{kpi.name}」档位重叠：下限 {lo} 小于相邻一档的上限 {hi}"
                                                          "（相邻两档的上限与下限应相同）", lo))
            elif hi < lo - _EPS:
                problems.append(refs.problem(at(b, "lo"), f"「{kpi.name}」档位有空隙：{hi} 到 {lo} 之间没有得分"
                                                          "（相邻两档的上限与下限应相同）", lo))
        return problems


KIND = BandKind()
