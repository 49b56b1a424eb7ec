"""Accounts → people, and the month's order figures (DOMAIN §11, §12): what 客服数据 needs per person.

An agent works under "店铺名:子账号" accounts, one per shop. The appraisal is per person: with a
客服名册 its 账号 decide (:class:`~xlreports.engine.rollup.AccountBook`, the roll-up's rule); without
one the account belongs to the person named by its 子账号, so several shops' accounts of one 子账号
name are one person. A person's month is the sum of her accounts' months; averages are re-formed from
the summed totals (首次响应 over all conversations, 平均响应 over all turns).

Order figures come from the credited orders: 拍下笔数 created in the month, 付款笔数 paid in it,
退款笔数 of those with a refund, 成交笔数 of those not wholly refunded. 店铺客单价 is the shop's, not
the agent's: the month's paid − refunded amount of every order ÷ the buyers who paid.

>>> person_of("小美的衣橱:小美", None), person_of("小美的衣橱：小美", None), person_of("小美", None)
('小美', '小美', '小美')
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from xlreports.engine.chats.counts import SUMMED, new_tally
from xlreports.engine.rollup import AccountBook
from xlreports.model.chats import AgentDay, ChatKpis, OrderCredit

_SHOP_COLON = re.compile(r"\s*[:：]\s*")


def person_of(account: str, book: AccountBook | None) -> str | None:
    """The person an account belongs to: ``book``'s owner (None: no one in 客服名册); without a
    roster, the 子账号 after the shop name (the account itself when it has no shop part).

    >>> book = AccountBook(); _ = book.add("王美丽", "店B:小美")
    >>> person_of("店A: 小美", None), person_of("店B:小美", book), person_of("店A:小美", book)
    ('小美', '王美丽', None)
    """
    if book is not None:
        return book.person(account)
    name = account.strip()
    return _SHOP_COLON.split(name, maxsplit=1)[-1] or name


@dataclass(frozen=True)
class PeopleMonth:
    """One month per person: her accounts' summed figures (``agent`` = the person, ``day`` None), and
    the accounts no one has (account → its conversations), which are counted for no one."""
    people: dict[str, AgentDay]
    unmatched: dict[str, int]


def people_month(kpis: ChatKpis, month: str, book: AccountBook | None) -> PeopleMonth:
    """``month``'s account figures (``kpis.months``) summed per person, people in name order.

    >>> k = ChatKpis(months={("店A:小美", "2026-10"): AgentDay("店A:小美", None, received=3, response_total=90.0,
    ...                                                          response_count=2),
    ...                      ("店B:小美", "2026-10"): AgentDay("店B:小美", None, received=1, response_total=30.0,
    ...                                                          response_count=2)})
    >>> p = people_month(k, "2026-10", None).people["小美"]
    >>> p.received, p.mean_response
    (4, 30.0)
    """
    sums: dict[str, dict] = {}
    unmatched: dict[str, int] = {}
    for (account, m), day in kpis.months.items():
        if m != month:
            continue
        person = person_of(account, book)
        if person is None:
            unmatched[account] = unmatched.get(account, 0) + day.conversations
            continue
        row = sums.setdefault(person, new_tally())
        for f in SUMMED:
            row[f] += getattr(day, f)
    people = {p: AgentDay(p, None, **sums[p]) for p in sorted(sums, key=str)}
    return PeopleMonth(people, unmatched)


@dataclass(frozen=True)
class OrderCounts:
    """A person's orders of a month, among those credited to her accounts."""
    placed: int = 0  # 拍下笔数: created in the month
    paid: int = 0  # 付款笔数: paid in the month
    closed: int = 0  # 成交笔数: paid in the month and not wholly refunded
    refunded: int = 0  # 退款笔数: paid in the month, with a refund


def order_counts(credits: Iterable[OrderCredit], month: str, book: AccountBook | None) -> dict[str, OrderCounts]:
    """Per person: :class:`OrderCounts` of the orders credited to her accounts (静默 orders are no one's).

    >>> from datetime import datetime
    >>> from xlreports.model.chats import ChatOrder
    >>> o = ChatOrder("1", "b", datetime(2026, 9, 30, 23), datetime(2026, 10, 1, 8), 100.0, 100.0)
    >>> order_counts([OrderCredit(o, "店:小王", "在会话中")], "2026-10", None)
    {'小王': OrderCounts(placed=0, paid=1, closed=0, refunded=1)}
    """
    out: dict[str, list[int]] = {}
    for credit in credits:
        person = person_of(credit.agent, book) if credit.agent else None
        if person is None:
            continue
        o = credit.order
        c = out.setdefault(person, [0, 0, 0, 0])
        c[0] += o.created.strftime("%Y-%m") == month
        if o.paid is not None and o.paid.strftime("%Y-%m") == month:
            c[1] += 1
            c[2] += o.refund < o.paid_amount
            c[3] += o.refund > 0
    return {p: OrderCounts(*c) for p, c in out.items()}


def shop_average(credits: Iterable[OrderCredit], month: str) -> float | None:
    """店铺客单价 of ``month``: paid − refunded amount of every order paid in it (credited or 静默) ÷ the
    buyers who paid; None when no order was paid.

    >>> from datetime import datetime
    >>> from xlreports.model.chats import ChatOrder
    >>> paid = lambda oid, b, amount, refund=0.0: OrderCredit(
    ...     ChatOrder(oid, b, datetime(2026, 10, 2), datetime(2026, 10, 2), amount, refund), None, "静默")
    >>> shop_average([paid("1", "a", 100.0), paid("2", "a", 50.0, 20.0), paid("3", "b", 60.0)], "2026-10")
    95.0
    """
    amount, buyers = 0.0, set()
    for credit in credits:
        o = credit.order
        if o.paid is not None and o.paid.strftime("%Y-%m") == month:
            amount += o.paid_amount - o.refund
            buyers.add(o.buyer)
    return amount / len(buyers) if buyers else None


__all__ = ["OrderCounts", "PeopleMonth", "order_counts", "people_month", "person_of", "shop_average"]
