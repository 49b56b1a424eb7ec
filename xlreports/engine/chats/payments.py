"""Paid buyers and sales from the credits (DOMAIN §12): 最终/当日/次日付款人数 of each 询单,
客服销售额 by pay day (so by pay month), 静默销售额 per month, and the first order of each buyer
each day (which ends 询单 for that day).

>>> from datetime import datetime
>>> from xlreports.model.chats import ChatOrder
>>> first_orders([ChatOrder("1", "b", datetime(2026, 10, 3, 15)), ChatOrder("2", "b", datetime(2026, 10, 3, 9))])
{('b', datetime.date(2026, 10, 3)): datetime.datetime(2026, 10, 3, 9, 0)}
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from xlreports.model.chats import ChatOrder, ChatRules, OrderCredit

from xlreports.engine.chats.counts import Tally


def first_orders(orders: Iterable[ChatOrder]) -> dict[tuple[str, date], datetime]:
    """(buyer, day) → the buyer's earliest order created that day."""
    out: dict[tuple[str, date], datetime] = {}
    for o in orders:
        key = (o.buyer, o.created.date())
        if key not in out or o.created < out[key]:
            out[key] = o.created
    return out


def net(order: ChatOrder) -> float:
    """What a paid order counts for in sales: paid amount − refund (0 when never paid)."""
    return order.paid_amount - order.refund if order.paid is not None else 0.0


def add_sales(tally: dict[tuple[str, date], Tally], credits: Iterable[OrderCredit]) -> dict[str, float]:
    """Add each credited paid order's net amount to its agent's row on the pay day; return the
    静默销售额 per pay month ("YYYY-MM")."""
    silent: dict[str, float] = defaultdict(float)
    for c in credits:
        paid = c.order.paid
        if paid is None:
            continue
        if c.agent is None:
            silent[paid.strftime("%Y-%m")] += net(c.order)
        else:
            tally[(c.agent, paid.date())]["sales"] += net(c.order)
    return dict(sorted(silent.items()))


def inquiry_of(visits: list[tuple[date, datetime]], created: datetime, lookback: timedelta) -> date | None:
    """The 询单 day a credited order converts: the latest inquiry day on or before the order's day
    whose order came that same day or within the look-back window after that day's last conversation
    ended (one order converts one inquiry, so a buyer asking on two days is not counted twice).

    >>> d = lambda day, h: datetime(2026, 10, day, h)
    >>> inquiry_of([(d(1, 9).date(), d(1, 10))], d(3, 9), timedelta(hours=48))
    datetime.date(2026, 10, 1)
    >>> inquiry_of([(d(1, 9).date(), d(1, 10))], d(3, 11), timedelta(hours=48)) is None
    True
    """
    for day, last_end in reversed(visits):
        if day > created.date():
            continue
        if day == created.date() or created - last_end <= lookback:
            return day
        return None
    return None


def add_paid_buyers(tally: dict[tuple[str, date], Tally], credits: Iterable[OrderCredit],
                    inquiries: dict[tuple[str, str], list[tuple[date, datetime]]], rules: ChatRules) -> None:
    """最终付款人数 (paid by the end of the data), 当日付款 (paid the inquiry day) and 次日付款 (paid by
    the next day's end) per agent and inquiry day, each buyer once per agent and day."""
    lookback = timedelta(hours=rules.lookback_hours)
    flags: dict[tuple[str, date, str], list[bool]] = {}
    for c in credits:
        paid = c.order.paid
        if c.agent is None or paid is None:
            continue
        visits = inquiries.get((c.agent, c.order.buyer))
        day = inquiry_of(visits, c.order.created, lookback) if visits else None
        if day is None:
            continue
        seen = flags.setdefault((c.agent, day, c.order.buyer), [False, False])
        seen[0] = seen[0] or paid.date() == day
        seen[1] = seen[1] or paid.date() <= day + timedelta(days=1)
    for (agent, day, _buyer), (same, next_day) in flags.items():
        row = tally[(agent, day)]
        row["final_paid"] += 1
        row["same_day_paid"] += same
        row["next_day_paid"] += next_day


__all__ = ["add_paid_buyers", "add_sales", "first_orders", "inquiry_of", "net"]
