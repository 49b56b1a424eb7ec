"""The 售后规则: how each kind of after-sales case is handled and who pays the freight, and the
follow-up time every case has.

A rule matches a case by 问题类型 and, where it says so, by 有照片 / 可二次销售 (是 or 否; 任意 = either).
The most specific rule wins: exact on both, then on 有照片 only, then on 可二次销售 only, then
neither; among equal rules the upper one. The 售后登记 sheet's formulas look rules up in the same
order (:func:`rule_keys`), so Excel and the engine agree for every case.

>>> rules = default_aftersales_rules()
>>> [r.kind for r in rules.rules][:3], rules.follow_up_hours
(['发错货', '发少货', '质量问题'], 24.0)
>>> rule_keys("质量问题", "否", "是")
['质量问题|否|是', '质量问题|否|任意', '质量问题|任意|是', '质量问题|任意|任意']
"""
from __future__ import annotations

from dataclasses import dataclass, field

ANY = "任意"
YES, NO = "是", "否"
CONDITIONS = (YES, NO, ANY)

WRONG_ITEM, MISSING_ITEM, QUALITY = "发错货", "发少货", "质量问题"

RETURN_OR_EXCHANGE = "退货或换货"
REFUND_OR_RESEND = "退还差价或补发"
ASK_FOR_PHOTOS = "请买家补拍照片后按质量问题处理（退货或换货）"
SELLER, BUYER = "卖家承担", "买家承担"
SELLER_AFTER_PHOTOS = "补拍照片后卖家承担"


@dataclass(frozen=True)
class AfterSalesRule:
    """One row of 【售后规则】: the case it matches and what to do.

    >>> AfterSalesRule("发错货", ANY, ANY, RETURN_OR_EXCHANGE, SELLER).key
    '发错货|任意|任意'
    """

    kind: str
    photos: str  # 是 / 否 / 任意
    resaleable: str  # 是 / 否 / 任意
    handling: str
    freight: str

    @property
    def key(self) -> str:
        """问题类型|有照片|可二次销售, as the sheet's key column computes it."""
        return f"{self.kind}|{self.photos}|{self.resaleable}"


def _default_rules() -> list[AfterSalesRule]:
    return [
        AfterSalesRule(WRONG_ITEM, ANY, ANY, RETURN_OR_EXCHANGE, SELLER),
        AfterSalesRule(MISSING_ITEM, ANY, ANY, REFUND_OR_RESEND, SELLER),
        AfterSalesRule(QUALITY, YES, ANY, RETURN_OR_EXCHANGE, SELLER),
        AfterSalesRule(QUALITY, NO, YES, RETURN_OR_EXCHANGE, BUYER),
        AfterSalesRule(QUALITY, NO, NO, ASK_FOR_PHOTOS, SELLER_AFTER_PHOTOS),
    ]


@dataclass
class AfterSalesRules:
    """The rules, top to bottom, and the hours within which every case is followed up."""

    rules: list[AfterSalesRule] = field(default_factory=_default_rules)
    follow_up_hours: float = 24.0

    @property
    def kinds(self) -> list[str]:
        """The 问题类型 the rules know, in order, each once (the sheet's drop-down)."""
        return list(dict.fromkeys(r.kind for r in self.rules))


def default_aftersales_rules() -> AfterSalesRules:
    """发错货 → 退货或换货, 卖家承担; 发少货 → 退还差价或补发, 卖家承担; 质量问题 with photos → 退货或换货,
    卖家承担; without photos → 退货或换货, 买家承担 when resaleable, else ask for photos; 24 hours.

    >>> default_aftersales_rules().rules[-1].handling
    '请买家补拍照片后按质量问题处理（退货或换货）'
    """
    return AfterSalesRules()


def rule_keys(kind: str, photos: str, resaleable: str) -> list[str]:
    """The keys to try for a case, most specific first (``photos``/``resaleable`` are 是 or 否)."""
    return [f"{kind}|{photos}|{resaleable}", f"{kind}|{photos}|{ANY}", f"{kind}|{ANY}|{resaleable}",
            f"{kind}|{ANY}|{ANY}"]
