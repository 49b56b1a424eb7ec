"""售后 rules: how a 发错货 / 发少货 / 质量问题 case is handled, who pays the freight, and the
24-hour follow-up deadline every case has.

A case is a dict (a sheet row) or any object with the attributes 问题类型, 有照片, 可二次销售,
登记时间 and, once handled, 处理结果. 有照片 / 可二次销售 take 是/否, 有/无, True/False, 1/0;
blank counts as 否.

>>> from datetime import datetime
>>> d = decide({"问题类型": "发错货", "登记时间": datetime(2026, 10, 8, 9, 0)})
>>> d.处理方式, d.运费承担, d.跟进截止
('退货或换货', '卖家承担', datetime.datetime(2026, 10, 9, 9, 0))
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

FOLLOW_UP = timedelta(hours=24)  # 每24小时处理跟进一次

WRONG_ITEM, MISSING_ITEM, QUALITY = "发错货", "发少货", "质量问题"
PROBLEM_TYPES = (WRONG_ITEM, MISSING_ITEM, QUALITY)

RETURN_OR_EXCHANGE = "退货或换货"
REFUND_OR_RESEND = "退还差价或补发"
REFUSED = "不予退换（请买家补充照片）"
CHOOSE_TYPE = "请选择问题类型：" + " / ".join(PROBLEM_TYPES)
SELLER, BUYER, NOBODY = "卖家承担", "买家承担", "不涉及"

_YES = {"是", "有", "y", "yes", "true", "1", "√", "✓", "可以", "能"}


@dataclass(frozen=True)
class Decision:
    """What to do with a case, who pays the freight, and by when it must be followed up."""

    处理方式: str
    运费承担: str
    跟进截止: datetime | None


@dataclass
class AfterSalesCase:
    """One 售后登记 row, for callers that prefer a typed case to a dict."""

    问题类型: str
    有照片: bool | str | None = None
    可二次销售: bool | str | None = None
    登记时间: datetime | None = None
    处理结果: str | None = None


def _field(case: object, name: str) -> object:
    return case.get(name) if isinstance(case, Mapping) else getattr(case, name, None)


def yes(value: object) -> bool:
    """是/有/True/1/√ → True; 否/无/blank/anything else → False.

    >>> yes("是"), yes(True), yes("否"), yes(None), yes(" Y ")
    (True, True, False, False, True)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value == 1
    return str(value or "").strip().lower() in _YES


def registered_at(case: object) -> datetime | None:
    """登记时间 as a datetime (a bare date is taken at 00:00; ISO text is parsed; else None).

    >>> registered_at({"登记时间": "2026/10/08 09:30"})
    datetime.datetime(2026, 10, 8, 9, 30)
    """
    value = _field(case, "登记时间")
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip().replace("/", "-"))
        except ValueError:
            return None
    return None


def follow_up_deadline(case: object) -> datetime | None:
    """登记时间 + 24 h (None without a usable 登记时间).

    >>> follow_up_deadline({"登记时间": date(2026, 10, 8)})
    datetime.datetime(2026, 10, 9, 0, 0)
    """
    start = registered_at(case)
    return None if start is None else start + FOLLOW_UP


def decide(case: object) -> Decision:
    """The handling rule for a case:

    - 发错货 → 退货或换货, 卖家承担运费;
    - 发少货 → 退还差价或补发, 卖家承担;
    - 质量问题 with photos → 退货或换货, 卖家承担;
    - 质量问题 without photos → 退货或换货 with 买家承担运费 when the goods can be sold again,
      else 不予退换（请买家补充照片） (运费: 不涉及);
    - any other 问题类型 → 处理方式 asks to choose one of the three (运费: 不涉及).

    >>> decide({"问题类型": "质量问题", "有照片": "否", "可二次销售": "是"}).运费承担
    '买家承担'
    >>> decide({"问题类型": "破损"}).处理方式
    '请选择问题类型：发错货 / 发少货 / 质量问题'
    """
    kind = str(_field(case, "问题类型") or "").strip()
    deadline = follow_up_deadline(case)
    if kind == WRONG_ITEM:
        return Decision(RETURN_OR_EXCHANGE, SELLER, deadline)
    if kind == MISSING_ITEM:
        return Decision(REFUND_OR_RESEND, SELLER, deadline)
    if kind == QUALITY:
        if yes(_field(case, "有照片")):
            return Decision(RETURN_OR_EXCHANGE, SELLER, deadline)
        if yes(_field(case, "可二次销售")):
            return Decision(RETURN_OR_EXCHANGE, BUYER, deadline)
        return Decision(REFUSED, NOBODY, deadline)
    return Decision(CHOOSE_TYPE, NOBODY, deadline)


def overdue(case: object, now: datetime) -> bool:
    """True when the follow-up deadline has passed (strictly) and 处理结果 is still blank.

    >>> from datetime import datetime
    >>> c = {"问题类型": "发少货", "登记时间": datetime(2026, 10, 8, 9, 0)}
    >>> overdue(c, datetime(2026, 10, 9, 9, 0)), overdue(c, datetime(2026, 10, 9, 9, 1))
    (False, True)
    """
    deadline = follow_up_deadline(case)
    handled = str(_field(case, "处理结果") or "").strip()
    return deadline is not None and now > deadline and not handled
