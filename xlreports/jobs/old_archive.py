"""The old 客户档案's computed rows, read only when this run needs them.

A rebuild needs two things from the computed columns of the 客户档案 tabs: each buyer's last
会员等级 (for 会员等级历史 and the tier changes), and the whole rows of buyers that this run's
exports no longer mention (they keep their rows). The first comes with the scan of the staff
columns that runs anyway (:mod:`xlreports.excel.read.typed_cells`); the second needs the whole
sheet (fastexcel: seconds and hundreds of MB at a million rows) and is usually empty — a rebuild
from the same or newer exports mentions every buyer again. So the whole sheet is read only when
a buyer on it is missing from this run, or when a key or tier cell is anything but plain text
(then the rows are read as before, and nothing is decided from the scan).

>>> from xlreports.excel.read.typed_cells import TypedColumns
>>> typed = TypedColumns(["买家会员名", "会员等级", "备注"],
...                      {0: [(2, "甲", None), (3, "乙", None)], 1: [(2, "VIP", None)], 2: [(3, "x", None)]})
>>> keys = take_keys(typed)
>>> sorted(keys.buyers), keys.tiers, sorted(typed.columns)
(['乙', '甲'], {'甲': 'VIP'}, [0, 2])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlreports.model.orders import BUYER

TIER = "会员等级"


@dataclass
class Keys:
    """The buyers (as the cells hold them) and their last 会员等级 (not 非会员) of a 客户档案 tab."""

    buyers: set[str] = field(default_factory=set)
    tiers: dict[str, str] = field(default_factory=dict)


def pick_with_tier(pick):
    """``pick`` (the staff columns to scan) and the 会员等级 column, so one scan serves both.

    >>> pick_with_tier(lambda header: [0, 2])(["买家会员名", "会员等级", "备注"])
    [0, 2, 1]
    """
    def both(header: list[object]) -> list[int]:
        chosen = list(pick(header))
        tier = _tier_column(header)
        return chosen + ([tier] if tier is not None and tier not in chosen else [])
    return both


def _tier_column(header: list[object]) -> int | None:
    return next((j for j, h in enumerate(header) if h == TIER), None)


def take_keys(typed, non_member: str = "非会员") -> Keys | None:
    """The tab's buyers and tiers from its scanned cells; the 会员等级 column is taken out of ``typed``
    (it is computed, not staff input). None when the scan cannot stand in for the rows as the
    whole-sheet reader gives them: a key header spelled otherwise than exactly 买家会员名, a key or
    tier cell that is not text."""
    header = typed.header
    tier_col = _tier_column(header)
    tier_cells = typed.columns.pop(tier_col, []) if tier_col is not None else []
    key = next((j for j, h in enumerate(header) if h == BUYER), None)
    if key is None or key not in typed.columns:
        return None
    out = Keys()
    by_row: dict[int, str] = {}
    for row, value, _ in typed.columns[key]:
        if not isinstance(value, str):
            return None
        by_row[row] = value
        out.buyers.add(value)
    for row, value, _ in tier_cells:
        if not isinstance(value, str):
            return None
        buyer = by_row.get(row)
        if buyer is not None and value != non_member:
            out.tiers[buyer] = value
    return out


def merge_keys(first: Keys | None, more: Keys) -> Keys:
    """Keys of several tabs in order (a later tab's tier wins, as in one table read top to bottom)."""
    if first is None:
        return more
    first.buyers |= more.buyers
    first.tiers.update(more.tiers)
    return first


def all_present(keys: Keys | None, buyers: Any) -> bool:
    """Whether every buyer of the old tabs is among ``buyers`` (a polars Series of this run's).

    >>> import polars as pl
    >>> all_present(Keys({"甲"}), pl.Series(["甲", "乙"])), all_present(Keys({"丙"}), pl.Series(["甲"]))
    (True, False)
    """
    return keys is not None and keys.buyers <= set(buyers.to_list())
