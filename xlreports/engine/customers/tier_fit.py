"""Do the shop's tier thresholds fit its buyers? The tier shares against the intended ones.

A tier is far off when its share of members is more than double its 目标占比 or less than half of it
(FAR_FACTOR). The job then says so on the console, in 导入报告 and on 会员分层, and offers analysis (a)'s
thresholds (``tiers.thresholds_for_shares``) as rows to copy into 会员规则 — never applied by itself.

>>> from xlreports.engine.customers.tiers import TierStat
>>> stats = [TierStat("至尊VIP", 888.0, 0.01, 59, 0.59, 0, None), TierStat("VIP", 688.0, 0.05, 6, 0.06, 0, None),
...          TierStat("普通会员", None, 0.80, 35, 0.35, 0, None)]
>>> [(m.name, m.share, m.target, m.suggested) for m in misfits(stats, [2300.0, 1500.0])]
[('至尊VIP', 0.59, 0.01, 2300.0), ('普通会员', 0.35, 0.8, None)]
>>> fit_message(misfits(stats, [2300.0, 1500.0])).split("，")[1]
'至尊VIP 占会员 59.0%（目标 1.0%）、普通会员 占会员 35.0%（目标 80.0%）'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from xlreports.engine.customers.tiers import TierStat

FAR_FACTOR = 2.0


@dataclass
class Misfit:
    """A tier whose share is far from its intended share; ``suggested``: analysis (a)'s threshold
    (None for the base tier, which has none)."""

    name: str
    share: float
    target: float
    suggested: float | None


def misfits(stats: Sequence[TierStat], suggested: Sequence[float | None]) -> list[Misfit]:
    """The tiers far from their intended shares (tiers with a 目标占比 of 0 or no members are skipped)."""
    out = []
    for i, s in enumerate(stats):
        if s.share is None or not s.target_share:
            continue
        if s.share > s.target_share * FAR_FACTOR or s.share < s.target_share / FAR_FACTOR:
            out.append(Misfit(s.name, s.share, s.target_share, suggested[i] if i < len(suggested) else None))
    return out


def fit_message(far: Sequence[Misfit]) -> str:
    """One sentence for the console and 导入报告 ("" when everything fits)."""
    if not far:
        return ""
    parts = "、".join(f"{m.name} 占会员 {m.share:.1%}（目标 {m.target:.1%}）" for m in far)
    return (f"按当前会员规则，{parts}，与目标占比相差一倍以上：会员规则可能不适合本店。"
            f"「会员分层」的【建议的会员规则】按目标占比给出了下限，确认后可抄入「会员规则」（不会自动修改）。")
