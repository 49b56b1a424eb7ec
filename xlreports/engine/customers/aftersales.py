"""售后 rules applied to a case: how a 发错货 / 发少货 / 质量问题 case is handled, who pays the freight,
the follow-up deadline (登记时间 + the rules' hours) and whether it is overdue.

A case is a dict (a sheet row) or any object with the attributes 问题类型, 有照片, 可二次销售,
登记时间 and, once handled, 处理结果. The rules (:mod:`xlreports.model.aftersales`) are data; the
售后登记 sheet computes the same answers with formulas over the same rules block, branch for branch:

- 问题类型 and 登记时间 both blank: a blank row, every answer blank;
- 问题类型 blank: 处理方式 asks for it;
- otherwise the most specific rule matching (问题类型, 有照片, 可二次销售) gives 处理方式 and 运费承担;
  no rule: 处理方式 says so;
- 有照片 / 可二次销售 read as 是 when they hold one of 是 有 可以 能 y yes true 1 √ ✓ (any case, spaces
  around ignored; TRUE and the number 1 too), else 否;
- 跟进截止 = 登记时间 + hours when 登记时间 is a date/time (or an Excel serial number), else blank.

>>> from datetime import datetime
>>> d = decide({"问题类型": "发错货", "登记时间": datetime(2026, 10, 8, 9, 0)})
>>> d.处理方式, d.运费承担, d.跟进截止
('退货或换货', '卖家承担', datetime.datetime(2026, 10, 9, 9, 0))
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from xlreports.model.aftersales import (ASK_FOR_PHOTOS, BUYER, MISSING_ITEM, NO, QUALITY, REFUND_OR_RESEND,
                                        RETURN_OR_EXCHANGE, SELLER, WRONG_ITEM, YES, AfterSalesRules,
                                        default_aftersales_rules, rule_keys)

PROBLEM_TYPES = (WRONG_ITEM, MISSING_ITEM, QUALITY)
__all__ = ["ASK_FOR_PHOTOS", "BUYER", "REFUND_OR_RESEND", "RETURN_OR_EXCHANGE", "SELLER", "PROBLEM_TYPES",
           "CHOOSE_TYPE", "UNKNOWN_TYPE", "YES_WORDS", "Decision", "AfterSalesCase", "yes", "registered_at",
           "follow_up_deadline", "decide", "status", "overdue", "HANDLED", "OVERDUE", "OPEN"]

CHOOSE_TYPE = "请选择问题类型"
UNKNOWN_TYPE = "问题类型不在售后规则中：请从下拉列表选择"
HANDLED, OVERDUE, OPEN = "已处理", "已逾期", "待跟进"

#: what counts as 是 (compared case-insensitively, as Excel's MATCH does)
YES_WORDS = ("是", "有", "可以", "能", "y", "yes", "true", "1", "√", "✓")
_YES = {w.casefold() for w in YES_WORDS}
_EXCEL_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class Decision:
    """What to do with a case, who pays the freight, and by when it must be followed up."""

    处理方式: str
    运费承担: str
    跟进截止: datetime | None


@dataclass
class AfterSalesCase:
    """One 售后登记 row, for callers that prefer a typed case to a dict."""

    问题类型: str | None
    有照片: bool | str | None = None
    可二次销售: bool | str | None = None
    登记时间: datetime | None = None
    处理结果: str | None = None


def _field(case: object, name: str) -> object:
    return case.get(name) if isinstance(case, Mapping) else getattr(case, name, None)


def _text(value: object) -> str:
    """A cell as Excel's TRIM sees it: blank → "", TRUE → "true", 1.0 → "1", spaces around dropped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip(" ")


def yes(value: object) -> bool:
    """是/有/True/1/√ → True; 否/无/blank/anything else → False.

    >>> yes("是"), yes(True), yes("否"), yes(None), yes(" Y "), yes(1.0)
    (True, True, False, False, True, True)
    """
    return _text(value).casefold() in _YES


def registered_at(case: object) -> datetime | None:
    """登记时间 as a datetime: a date/time; a bare date at 00:00; an Excel serial number; ISO-like
    text (2026/10/08 09:30); else None.

    >>> registered_at({"登记时间": "2026/10/08 09:30"}), registered_at({"登记时间": 46303.5})
    (datetime.datetime(2026, 10, 8, 9, 30), datetime.datetime(2026, 10, 8, 12, 0))
    """
    value = _field(case, "登记时间")
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 2958466:
        return _EXCEL_EPOCH + timedelta(days=float(value))
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip().replace("/", "-"))
        except ValueError:
            return None
    return None


def follow_up_deadline(case: object, rules: AfterSalesRules | None = None) -> datetime | None:
    """登记时间 + the rules' follow-up hours (24 by default); None without a usable 登记时间.

    >>> follow_up_deadline({"登记时间": date(2026, 10, 8)})
    datetime.datetime(2026, 10, 9, 0, 0)
    """
    start = registered_at(case)
    hours = (rules or default_aftersales_rules()).follow_up_hours
    return None if start is None else start + timedelta(hours=hours)


def _blank_row(case: object) -> bool:
    return not _text(_field(case, "问题类型")) and _field(case, "登记时间") in (None, "")


def decide(case: object, rules: AfterSalesRules | None = None) -> Decision:
    """The handling rule for a case (see the module's list).

    >>> decide({"问题类型": "质量问题", "有照片": "否", "可二次销售": "是"}).运费承担
    '买家承担'
    >>> decide({"问题类型": "质量问题", "有照片": "否", "可二次销售": "否"}).处理方式
    '请买家补拍照片后按质量问题处理（退货或换货）'
    >>> decide({"问题类型": "破损", "登记时间": date(2026, 10, 8)}).处理方式
    '问题类型不在售后规则中：请从下拉列表选择'
    """
    rules = rules or default_aftersales_rules()
    if _blank_row(case):
        return Decision("", "", None)
    deadline = follow_up_deadline(case, rules)
    kind = _text(_field(case, "问题类型"))
    if not kind:
        return Decision(CHOOSE_TYPE, "", deadline)
    photos = YES if yes(_field(case, "有照片")) else NO
    resale = YES if yes(_field(case, "可二次销售")) else NO
    by_key: dict[str, tuple[str, str]] = {}
    for r in rules.rules:
        by_key.setdefault(r.key.casefold(), (r.handling, r.freight))
    for key in rule_keys(kind, photos, resale):
        if key.casefold() in by_key:
            handling, freight = by_key[key.casefold()]
            return Decision(handling, freight, deadline)
    return Decision(UNKNOWN_TYPE, "", deadline)


def status(case: object, now: datetime, rules: AfterSalesRules | None = None) -> str:
    """已处理 (处理结果 filled), 已逾期 (deadline strictly passed), 待跟进; "" for a blank row.

    >>> c = {"问题类型": "发少货", "登记时间": datetime(2026, 10, 8, 9, 0)}
    >>> status(c, datetime(2026, 10, 9, 9, 0)), status(c, datetime(2026, 10, 9, 9, 1))
    ('待跟进', '已逾期')
    """
    if _blank_row(case):
        return ""
    if _text(_field(case, "处理结果")):
        return HANDLED
    deadline = follow_up_deadline(case, rules)
    return OVERDUE if deadline is not None and now > deadline else OPEN


def overdue(case: object, now: datetime, rules: AfterSalesRules | None = None) -> bool:
    """True when the follow-up deadline has passed (strictly) and 处理结果 is still blank.

    >>> c = {"问题类型": "发少货", "登记时间": datetime(2026, 10, 8, 9, 0)}
    >>> overdue(c, datetime(2026, 10, 9, 9, 0)), overdue(c, datetime(2026, 10, 9, 9, 1))
    (False, True)
    """
    return status(case, now, rules) == OVERDUE
