"""Customer archive and membership: pure computation over an orders frame (polars), no I/O.

- ``rules``: the 会员规则 (tiers, 升级/升降级模式, day windows).
- ``archive``: which orders count, and the 客户档案 (one row per 买家会员名).
- ``tiers``: 会员等级, the tier table, analyses (a)/(b), health figures, tier changes.
- ``segments``: RFM scores and the eight 客户分群.

>>> from xlreports.engine.customers import default_rules
>>> default_rules().mode_label
'升级模式'
"""
from __future__ import annotations

from xlreports.engine.customers.archive import ARCHIVE_COLUMNS, build_archive, counted_orders
from xlreports.model.membership import NON_MEMBER, MembershipRules, Tier, default_rules, tier_of
from xlreports.engine.customers.segments import SEGMENTS, SegmentStat, rfm, segment_table
from xlreports.engine.customers.tiers import (
    HealthFigure,
    TierChange,
    TierStat,
    assign_tiers,
    health,
    shares_for_thresholds,
    thresholds_for_shares,
    tier_changes,
    tier_table,
)

__all__ = [
    "ARCHIVE_COLUMNS", "NON_MEMBER", "SEGMENTS", "HealthFigure", "MembershipRules", "SegmentStat", "Tier",
    "TierChange", "TierStat", "assign_tiers", "build_archive", "counted_orders", "default_rules", "health",
    "rfm", "segment_table", "shares_for_thresholds", "thresholds_for_shares", "tier_changes", "tier_of",
    "tier_table",
]
