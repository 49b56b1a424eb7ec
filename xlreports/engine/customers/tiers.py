"""会员等级: which tier each buyer holds, the tier table, the two tier analyses, the health figures
and the tier changes between two runs.

A member (会员) is a buyer with at least one counted purchase (see ``archive.counted_orders``).
"The last N days" is the N calendar days ending today (today included): 0 ≤ today − day < N.

>>> from xlreports.model.membership import default_rules
>>> spends = [float(s) for s in range(1, 1001)]
>>> thresholds_for_shares(spends, default_rules())
[991.0, 941.0, 791.0]
>>> shares_for_thresholds(spends, default_rules())
[0.113, 0.2, 0.289, 0.398]
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, NamedTuple

import polars as pl

from xlreports.engine.customers.archive import NET, counted_orders, days_before, keyed
from xlreports.model.orders import BUYER, PAID
from xlreports.model.membership import NON_MEMBER, UPDOWN, MembershipRules, default_rules

TIER = "会员等级"
TIER_SPEND = "计级消费"  # the spend the tier was judged on


@dataclass
class TierStat:
    """One row of the tier table. ``share`` and ``spend_share`` are of all members (None: no members);
    ``threshold`` None is 普通会员 (one successful trade)."""

    name: str
    threshold: float | None
    target_share: float
    count: int
    share: float | None
    spend: float
    spend_share: float | None


@dataclass
class HealthFigure:
    """One 会员健康 figure: its value (a fraction, None when there is nothing to divide by), the
    definition as the shop owner reads it, and the window in days it looks at."""

    name: str
    value: float | None
    definition: str
    window: int


class TierChange(NamedTuple):
    """One line of the tier history: direction is 升级, 降级, 入会, 退出 or 变更 (a tier name the
    rules no longer know)."""

    buyer: str
    old: str | None
    new: str | None
    direction: str


def _rank_expr(spend: pl.Expr, rules: MembershipRules) -> pl.Expr:
    """Index of the tier reached by ``spend`` (0 = highest), the spend taken to the cent."""
    cents = spend.fill_null(0.0).round(2, mode="half_away_from_zero")
    expr: pl.Expr = pl.lit(len(rules.tiers) - 1, dtype=pl.Int32)
    for i in range(len(rules.tiers) - 2, -1, -1):
        expr = pl.when(cents >= rules.tiers[i].min_spend).then(pl.lit(i, dtype=pl.Int32)).otherwise(expr)
    return expr


def period_spend(orders: pl.DataFrame, today: date | datetime, days: int) -> pl.DataFrame:
    """买家会员名 → net spend (to the cent) of the counted orders paid in the last ``days`` days."""
    ago = days_before(today, PAID)
    return (
        counted_orders(keyed(orders))
        .filter((ago >= 0) & (ago < days))
        .group_by(BUYER)
        .agg(pl.col(NET).sum().round(2, mode="half_away_from_zero").alias(TIER_SPEND))
    )


def assign_tiers(
    archive: pl.DataFrame,
    rules: MembershipRules,
    today: date | datetime,
    previous: dict[str, str] | None = None,
    *,
    orders: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The archive with two more columns: 计级消费 (the spend judged) and 会员等级.

    升级模式: 计级消费 = 累计消费; a buyer never falls below the tier in ``previous`` (the last run's
    tiers; names the rules do not know are ignored; a buyer keeps a previous tier even without a
    counted purchase now).
    升降级模式: 计级消费 = net spend of the last ``rules.period_days`` days (needs ``orders``); the tier
    may go down, ``previous`` is not used; a member without spend in the period is 普通会员.
    Spend ≥ a tier's threshold reaches it. Buyers without a counted purchase get no tier (blank,
    shown as 非会员).

    >>> from datetime import date
    >>> from xlreports.model.membership import default_rules
    >>> a = pl.DataFrame({"买家会员名": ["a", "b", "c"], "购买次数": [2, 1, 0], "累计消费": [888.0, 10.0, 0.0]})
    >>> assign_tiers(a, default_rules(), date(2026, 10, 1), {"b": "VIP"})["会员等级"].to_list()
    ['至尊VIP', 'VIP', None]
    """
    member = pl.col("购买次数").fill_null(0) > 0
    if rules.mode == UPDOWN:
        if orders is None:
            raise ValueError("升降级模式 needs the orders to count the period's spend")
        out = archive.drop(TIER_SPEND, strict=False).join(
            period_spend(orders, today, rules.period_days), on=BUYER, how="left", maintain_order="left"
        )
        out = out.with_columns(pl.when(member).then(pl.col(TIER_SPEND).fill_null(0.0)).alias(TIER_SPEND))
        rank = pl.when(member).then(_rank_expr(pl.col(TIER_SPEND), rules))
    else:
        out = archive.with_columns(pl.when(member).then(pl.col("累计消费")).alias(TIER_SPEND))
        rank = pl.when(member).then(_rank_expr(pl.col(TIER_SPEND), rules))
        index = {name: i for i, name in enumerate(rules.names)}
        known = {b: index[t] for b, t in (previous or {}).items() if t in index}
        if known:
            prev = pl.DataFrame(
                {BUYER: list(known), "_prev": list(known.values())},
                schema={BUYER: pl.String, "_prev": pl.Int32},
            )
            out = out.join(prev, on=BUYER, how="left", maintain_order="left")
            rank = pl.min_horizontal(rank, pl.col("_prev"))
    names = dict(enumerate(rules.names))
    out = out.with_columns(rank.replace_strict(names, default=None, return_dtype=pl.String).alias(TIER))
    return out.drop("_prev", strict=False)


def _spend_column(frame: pl.DataFrame) -> str:
    return TIER_SPEND if TIER_SPEND in frame.columns else "累计消费"


def tier_table(archive_with_tier: pl.DataFrame, rules: MembershipRules) -> list[TierStat]:
    """Count and spend per tier, highest first. Share = the tier's members / all members;
    spend = the tier's 计级消费 (累计消费 when absent), spend share = of all members' spend.

    >>> from xlreports.model.membership import default_rules
    >>> a = pl.DataFrame({"会员等级": ["VIP", "普通会员", "普通会员", "普通会员", None, "非会员"],
    ...     "累计消费": [700.0, 100.0, 100.0, 100.0, 0.0, 0.0]})
    >>> [(s.name, s.count, s.share, s.spend) for s in tier_table(a, default_rules())][1:]
    [('VIP', 1, 0.25, 700.0), ('高级会员', 0, 0.0, 0.0), ('普通会员', 3, 0.75, 300.0)]
    """
    spend_col = _spend_column(archive_with_tier)
    # one denominator everywhere: members (a tier other than 非会员), never all buyers
    members = archive_with_tier.filter(pl.col(TIER).is_not_null() & (pl.col(TIER) != NON_MEMBER))
    per = members.group_by(TIER).agg(pl.len().alias("n"), pl.col(spend_col).fill_null(0.0).sum().alias("s"))
    by_tier = {r[TIER]: (r["n"], r["s"]) for r in per.iter_rows(named=True)}
    total_n = members.height
    total_s = sum(s for _, s in by_tier.values())
    stats = []
    for t in rules.tiers:
        n, s = by_tier.get(t.name, (0, 0.0))
        s = round(s, 2)
        stats.append(
            TierStat(
                t.name, t.min_spend, t.target_share, n,
                n / total_n if total_n else None, s, s / total_s if total_s else None,
            )
        )
    return stats


def _sorted_spends(spends: Iterable[float] | pl.Series) -> pl.Series:
    s = spends if isinstance(spends, pl.Series) else pl.Series(list(spends), dtype=pl.Float64)
    return s.cast(pl.Float64).drop_nulls().round(2, mode="half_away_from_zero").sort(descending=True)


def thresholds_for_shares(spends: Iterable[float] | pl.Series, rules: MembershipRules) -> list[float | None]:
    """Analysis (a): keep the intended shares, find the thresholds that give them.

    ``spends`` are the members' spends (one per member). Ranked highest first, tier k's threshold is
    the lowest spend among the top ceil(S_k × N) members, S_k being the cumulative target share of
    tier k and the tiers above it (1%, 1+5%, 1+5+15%), N the number of members. With ties at the
    boundary the tier then holds more than its share. One value per tier with a threshold; None when
    there are no members.

    >>> from xlreports.model.membership import default_rules
    >>> thresholds_for_shares([50.0, 900.0, 400.0, 700.0], default_rules())  # ceil(0.04)=1, ceil(0.24)=1, ceil(0.84)=1
    [900.0, 900.0, 900.0]
    """
    ranked = _sorted_spends(spends)
    n = ranked.len()
    out: list[float | None] = []
    cumulative = 0.0
    for t in rules.tiers[:-1]:
        cumulative += t.target_share
        if n == 0:
            out.append(None)
            continue
        top = min(n, max(1, math.ceil(round(cumulative * n, 9))))
        out.append(float(ranked[top - 1]))
    return out


def shares_for_thresholds(spends: Iterable[float] | pl.Series, rules: MembershipRules) -> list[float | None]:
    """Analysis (b): keep the thresholds, report the share of members each tier then holds (spend to
    the cent ≥ threshold; the lowest tier takes the rest). One value per tier; None without members.

    >>> from xlreports.model.membership import default_rules
    >>> shares_for_thresholds([50.0, 900.0, 400.0, 700.0], default_rules())
    [0.25, 0.25, 0.25, 0.25]
    """
    ranked = _sorted_spends(spends)
    n = ranked.len()
    if n == 0:
        return [None] * len(rules.tiers)
    ranks = ranked.to_frame("s").select(_rank_expr(pl.col("s"), rules).alias("r"))["r"]
    counts = ranks.value_counts()
    by_rank = dict(zip(counts["r"].to_list(), counts["count"].to_list()))
    return [by_rank.get(i, 0) / n for i in range(len(rules.tiers))]


def _fraction(part: int | float, whole: int | float) -> float | None:
    return part / whole if whole else None


def health(
    archive_with_tier: pl.DataFrame, orders: pl.DataFrame, rules: MembershipRules, today: date | datetime
) -> list[HealthFigure]:
    """会员新增率, 会员消费占比, 会员活跃度, 会员流失率 as of ``today`` (definitions in the figures).

    Members are the archive's buyers with 购买次数 > 0. In 会员消费占比 an order is a member's when
    the buyer already had a counted purchase paid before it (his first purchase makes him a member,
    so it is not member spend).
    """
    members = archive_with_tier.filter(pl.col("购买次数").fill_null(0) > 0)
    n = members.height
    new_w, act_w, churn = rules.new_window_days, rules.active_window_days, rules.churn_days
    first_ago = members.select(days_before(today, "首次购买")).to_series()
    last_ago = members.select(days_before(today, "最近购买")).to_series()
    new = int(((first_ago >= 0) & (first_ago < new_w)).sum())
    active = int(((last_ago >= 0) & (last_ago < act_w)).sum())
    churned = int((last_ago > churn).sum())

    counted = counted_orders(keyed(orders))
    counted = counted.with_columns(pl.col(PAID).min().over(BUYER).alias("_first"))
    ago = days_before(today, PAID)
    window = counted.filter((ago >= 0) & (ago < new_w))
    total = float(window[NET].sum())
    by_members = float(window.filter(pl.col(PAID) > pl.col("_first"))[NET].sum())

    member_text = "会员：至少有一笔已付款、未关闭订单的买家。"
    return [
        HealthFigure(
            "会员新增率", _fraction(new, n),
            f"近{new_w}天（含今天）第一次购物的会员人数 ÷ 目前的会员总人数。{member_text}", new_w,
        ),
        HealthFigure(
            "会员消费占比", _fraction(round(by_members, 2), round(total, 2)),
            f"近{new_w}天（含今天）付款的有效订单实付金额（扣除退款）中，老会员花的钱所占的比例。"
            "老会员：这笔订单之前已经有过一笔有效购物的买家（第一次购物不算会员消费）。"
            "有效订单：已付款，且不是交易关闭或等待买家付款。",
            new_w,
        ),
        HealthFigure(
            "会员活跃度", _fraction(active, n),
            f"近{act_w}天（含今天）有过购物的会员人数 ÷ 会员总人数。{member_text}", act_w,
        ),
        HealthFigure(
            "会员流失率", _fraction(churned, n),
            f"最近一次购物距今超过{churn}天的会员人数 ÷ 会员总人数。{member_text}", churn,
        ),
    ]


def tier_changes(
    previous: dict[str, str],
    current: pl.DataFrame | dict[str, str | None],
    rules: MembershipRules | None = None,
) -> list[TierChange]:
    """Buyers whose tier differs from ``previous`` (buyer → tier of the last run), in the order of
    ``current`` (a frame with 买家会员名 and 会员等级, or a dict). Buyers absent from ``current`` are
    not reported (no evidence of a change); a buyer present without a tier after having one is 退出.

    >>> tier_changes({"a": "VIP", "b": "普通会员", "c": "VIP"}, {"a": "至尊VIP", "b": "普通会员", "c": "高级会员", "d": "普通会员"})
    [TierChange(buyer='a', old='VIP', new='至尊VIP', direction='升级'), TierChange(buyer='c', old='VIP', new='高级会员', direction='降级'), TierChange(buyer='d', old=None, new='普通会员', direction='入会')]
    """
    rank = {name: i for i, name in enumerate((rules or default_rules()).names)}
    if isinstance(current, dict):
        current = pl.DataFrame(
            {BUYER: list(current), TIER: list(current.values())}, schema={BUYER: pl.String, TIER: pl.String}
        )
    prev = pl.DataFrame(
        {BUYER: list(previous), "_old": list(previous.values())}, schema={BUYER: pl.String, "_old": pl.String}
    )
    changed = (
        current.select(BUYER, TIER)
        .join(prev, on=BUYER, how="left", maintain_order="left")
        .filter(pl.col(TIER).ne_missing(pl.col("_old")))
    )
    out = []
    for buyer, new, old in changed.select(BUYER, TIER, "_old").iter_rows():
        if old is None:
            direction = "入会"
        elif new is None:
            direction = "退出"
        elif old not in rank or new not in rank:
            direction = "变更"
        else:
            direction = "升级" if rank[new] < rank[old] else "降级"
        out.append(TierChange(buyer, old, new, direction))
    return out
