"""The 会员规则: tiers by spend, the tier mode and the day windows of the health figures.

Tiers are listed highest first; the last one has no spend threshold: it is 普通会员, reached with
one successful trade.

>>> rules = default_rules()
>>> [t.name for t in rules.tiers]
['至尊VIP', 'VIP', '高级会员', '普通会员']
>>> tier_of(888.0, rules), tier_of(887.99, rules), tier_of(10.0, rules)
('至尊VIP', 'VIP', '普通会员')
"""
from __future__ import annotations

from dataclasses import dataclass, field

from xlreports.model.profile_fields import default_profile_fields

UPGRADE = "upgrade"  # 升级模式: a buyer's tier only goes up
UPDOWN = "updown"  # 升降级模式: recomputed each period on the period's spend, may go down
MODE_LABELS = {UPGRADE: "升级模式", UPDOWN: "升降级模式"}
NON_MEMBER = "非会员"  # shown for buyers without a counted purchase (their tier is null)


@dataclass
class Tier:
    """One 会员等级: its name, the lowest spend that reaches it (None = 普通会员: one successful
    trade) and the share of members it is meant to hold (0.01 = 1%)."""

    name: str
    min_spend: float | None
    target_share: float


def _default_tiers() -> list[Tier]:
    return [
        Tier("至尊VIP", 888.0, 0.01),
        Tier("VIP", 688.0, 0.05),
        Tier("高级会员", 399.0, 0.15),
        Tier("普通会员", None, 0.80),
    ]


@dataclass
class MembershipRules:
    """The shop's membership rules (one 会员规则 sheet).

    ``period_days``: 升降级模式 counts the spend of the last ``period_days`` days before today.
    ``new_window_days`` / ``active_window_days`` / ``churn_days``: windows of 会员新增率 and
    会员消费占比 / 会员活跃度 / 会员流失率. ``revisit_days``, ``revisit_cycle_factor`` and
    ``sign_days`` are read by the care reminders (客户回访, 签收提醒). ``revisit_near_days`` /
    ``revisit_far_days`` choose the 客户回访 wording by the real gap: under near days 近期, from far
    days on 久别 ("好久不见"), between them 一段时间 (see ``revisit_band``). ``profile_fields``: which
    personal fields 客户档案 shows (field → shown; :mod:`xlreports.model.profile_fields`).
    """

    tiers: list[Tier] = field(default_factory=_default_tiers)
    mode: str = UPGRADE
    period_days: int = 365
    new_window_days: int = 30
    active_window_days: int = 90
    churn_days: int = 180
    revisit_days: int = 90
    revisit_cycle_factor: float = 1.5
    sign_days: int = 3
    revisit_near_days: int = 30
    revisit_far_days: int = 90
    profile_fields: dict[str, bool] = field(default_factory=default_profile_fields)

    def __post_init__(self) -> None:
        validate(self)

    @property
    def names(self) -> list[str]:
        """Tier names, highest first."""
        return [t.name for t in self.tiers]

    @property
    def shown_fields(self) -> list[str]:
        """The personal fields 客户档案 shows, in order."""
        return [name for name, on in self.profile_fields.items() if on]

    @property
    def mode_label(self) -> str:
        """升级模式 / 升降级模式."""
        return MODE_LABELS[self.mode]


def validate(rules: MembershipRules) -> None:
    """Raise ValueError unless the tiers run highest first, thresholds strictly falling, and end
    with exactly one tier without threshold (普通会员); and the mode is known."""
    if rules.mode not in MODE_LABELS:
        raise ValueError(f"会员模式 must be one of {sorted(MODE_LABELS)}, not {rules.mode!r}")
    if not rules.tiers or rules.tiers[-1].min_spend is not None:
        raise ValueError("the last tier must have no spend threshold (普通会员: one successful trade)")
    spends = [t.min_spend for t in rules.tiers[:-1]]
    if any(s is None for s in spends):
        raise ValueError("only the last tier may lack a spend threshold")
    if any(a <= b for a, b in zip(spends, spends[1:])):  # type: ignore[operator]
        raise ValueError("tier thresholds must fall strictly from the highest tier down")
    if len(set(rules.names)) != len(rules.names):
        raise ValueError("tier names must be distinct")
    if not 0 < rules.revisit_near_days < rules.revisit_far_days:
        raise ValueError("回访话术 bands: 0 < near days < far days")


REVISIT_BANDS = ("近期", "一段时间", "久别")


def revisit_band(days: int | None, rules: MembershipRules) -> str:
    """The 客户回访 wording band of a gap of ``days`` since the last purchase.

    >>> r = default_rules()
    >>> revisit_band(10, r), revisit_band(30, r), revisit_band(89, r), revisit_band(90, r)
    ('近期', '一段时间', '一段时间', '久别')
    """
    n = days or 0
    return REVISIT_BANDS[0] if n < rules.revisit_near_days else (
        REVISIT_BANDS[1] if n < rules.revisit_far_days else REVISIT_BANDS[2])


def default_rules() -> MembershipRules:
    """至尊VIP ≥ 888 (1%), VIP ≥ 688 (5%), 高级会员 ≥ 399 (15%), 普通会员 (80%), 升级模式.

    >>> default_rules().tiers[0]
    Tier(name='至尊VIP', min_spend=888.0, target_share=0.01)
    """
    return MembershipRules()


def tier_of(spend: float, rules: MembershipRules) -> str:
    """The tier a member with this spend reaches (spend ≥ threshold; the spend is taken to the cent,
    so 887.999 counts as 888.00).

    >>> tier_of(399.0, default_rules()), tier_of(0.0, default_rules())
    ('高级会员', '普通会员')
    """
    cents = round(spend, 2)
    for t in rules.tiers:
        if t.min_spend is None or cents >= t.min_spend:
            return t.name
    return rules.tiers[-1].name  # pragma: no cover - validate() guarantees a base tier
