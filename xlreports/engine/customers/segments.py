"""客户价值: RFM scores and the eight 客户分群, over members (buyers with 购买次数 > 0).

R = 距今天数 (days since the last purchase; smaller is better), F = 购买次数, M = 累计消费.

Score (1–5) by quintile: with N members, score = 1 + ⌊5·w/N⌋, w being the number of members with a
strictly *worse* value (smaller F or M; larger R). Ties share the lower score (the score of the
first of them in the ranking), so equal values always score alike; 5 goes to the best fifth.

High (高) on a dimension = score strictly above the members' mean score on it; equal to or below
the mean is low (低).

>>> from datetime import date, datetime
>>> a = pl.DataFrame({"买家会员名": ["a", "b"], "购买次数": [3, 1], "累计消费": [900.0, 20.0],
...     "最近购买": [datetime(2026, 9, 30), datetime(2026, 1, 1)]})
>>> rfm(a, date(2026, 10, 1))["客户分群"].to_list()
['重要价值客户', '一般挽留客户']
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from xlreports.engine.customers.archive import days_before
from xlreports.model.orders import BUYER

SEGMENT = "客户分群"

# (R高, F高, M高) → segment, in the fixed order of the segment table
SEGMENT_RULES: list[tuple[str, tuple[bool, bool, bool]]] = [
    ("重要价值客户", (True, True, True)),
    ("重要发展客户", (True, False, True)),
    ("重要保持客户", (False, True, True)),
    ("重要挽留客户", (False, False, True)),
    ("一般价值客户", (True, True, False)),
    ("一般发展客户", (True, False, False)),
    ("一般保持客户", (False, True, False)),
    ("一般挽留客户", (False, False, False)),
]
SEGMENTS = [name for name, _ in SEGMENT_RULES]


@dataclass
class SegmentStat:
    """One row of the segment table; shares are of all scored members (None when there are none)."""

    name: str
    rule: str  # e.g. R高F低M高
    count: int
    share: float | None
    spend: float
    spend_share: float | None


def rule_text(flags: tuple[bool, bool, bool]) -> str:
    """(True, False, True) → R高F低M高."""
    return "".join(f"{d}{'高' if f else '低'}" for d, f in zip("RFM", flags))


def quintile_score(value: pl.Expr, higher_is_better: bool = True) -> pl.Expr:
    """1 + ⌊5·w/N⌋, w = members with a strictly worse value (see the module docstring).

    >>> pl.DataFrame({"v": list(range(1, 11))}).select(quintile_score(pl.col("v")))["v"].to_list()
    [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    """
    worse = value.rank("min", descending=not higher_is_better).cast(pl.Int64) - 1
    return (worse * 5 // pl.len().cast(pl.Int64) + 1).cast(pl.Int64)


def rfm(archive: pl.DataFrame, today: date | datetime) -> pl.DataFrame:
    """Members with 距今天数 (recomputed for ``today``), 购买次数, 累计消费, their scores R分/F分/M分,
    R高/F高/M高 (score above the mean score) and 客户分群. Sorted by segment order, then 累计消费."""
    members = archive.filter(pl.col("购买次数").fill_null(0) > 0).select(
        BUYER,
        days_before(today, "最近购买").alias("距今天数"),
        pl.col("购买次数"),
        pl.col("累计消费").fill_null(0.0),
    )
    scored = members.with_columns(
        quintile_score(pl.col("距今天数"), higher_is_better=False).alias("R分"),
        quintile_score(pl.col("购买次数")).alias("F分"),
        quintile_score(pl.col("累计消费")).alias("M分"),
    )
    scored = scored.with_columns(
        (pl.col(f"{d}分") > pl.col(f"{d}分").mean()).alias(f"{d}高") for d in "RFM"
    )
    segment = pl.lit(None, dtype=pl.String)
    for name, (r, f, m) in SEGMENT_RULES:
        segment = (
            pl.when((pl.col("R高") == r) & (pl.col("F高") == f) & (pl.col("M高") == m))
            .then(pl.lit(name))
            .otherwise(segment)
        )
    order = {name: i for i, name in enumerate(SEGMENTS)}
    scored = scored.with_columns(segment.alias(SEGMENT))
    return scored.sort(
        pl.col(SEGMENT).replace_strict(order, return_dtype=pl.Int32), pl.col("累计消费"), BUYER,
        descending=[False, True, False],
    )


def segment_table(scored: pl.DataFrame) -> list[SegmentStat]:
    """Count and 累计消费 per segment, in the fixed order (empty segments included).

    >>> s = pl.DataFrame({"客户分群": ["重要价值客户", "一般挽留客户", "一般挽留客户"], "累计消费": [900.0, 50.0, 50.0]})
    >>> [(t.name, t.count, t.spend_share) for t in segment_table(s)][::7]
    [('重要价值客户', 1, 0.9), ('一般挽留客户', 2, 0.1)]
    """
    per = scored.group_by(SEGMENT).agg(pl.len().alias("n"), pl.col("累计消费").fill_null(0.0).sum().alias("s"))
    by = {r[SEGMENT]: (r["n"], r["s"]) for r in per.iter_rows(named=True)}
    total_n = scored.height
    total_s = sum(s for _, s in by.values())
    out = []
    for name, flags in SEGMENT_RULES:
        n, s = by.get(name, (0, 0.0))
        s = round(s, 2)
        out.append(
            SegmentStat(name, rule_text(flags), n, n / total_n if total_n else None, s,
                        s / total_s if total_s else None)
        )
    return out
