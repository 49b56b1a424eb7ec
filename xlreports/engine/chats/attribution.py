"""Who is credited with an order (DOMAIN §12 Attribution): the agent whose conversation with the
buyer spans the moment (the one ending latest), else the one whose conversation ended most recently
within the look-back window, else nobody (静默). Done at the order's creation (落实下单) and at its
payment (落实付款); the credit rule picks between them.

>>> from datetime import datetime
>>> from xlreports.model.chats import ChatMessage, ChatOrder, ChatRules
>>> from xlreports.engine.chats.conversations import build_conversations
>>> convs = build_conversations([ChatMessage(datetime(2026, 10, 1, 9), "店:小王", "b", True),
...                              ChatMessage(datetime(2026, 10, 1, 10), "店:小王", "b", False)], ChatRules())
>>> c = credit_order(ChatOrder("1", "b", datetime(2026, 10, 2, 22)), by_buyer(convs), ChatRules())
>>> c.agent, c.reason
('店:小王', '会话结束后 36 小时')
"""
from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from xlreports.model.chats import IN_CONVERSATION, SILENT, ChatOrder, ChatRules, Conversation, OrderCredit

#: buyer → (conversation starts in order, the conversations in the same order)
BuyerIndex = dict[str, tuple[list[datetime], list[Conversation]]]


def by_buyer(conversations: Iterable[Conversation]) -> BuyerIndex:
    """Each buyer's conversations (all agents) ordered by start, for attribution."""
    grouped: dict[str, list[Conversation]] = defaultdict(list)
    for conv in conversations:
        grouped[conv.buyer].append(conv)
    out: BuyerIndex = {}
    for buyer, convs in grouped.items():
        convs.sort(key=lambda c: (c.start, c.end, c.agent))
        out[buyer] = ([c.start for c in convs], convs)
    return out


def attribute(index: BuyerIndex, buyer: str, when: datetime, lookback: timedelta
              ) -> tuple[str, float | None] | None:
    """(agent, hours since that conversation ended — None when it spans ``when``) or None (静默).

    Among the buyer's conversations started by ``when`` and ended no earlier than the window's
    start, the one ending latest wins: a conversation spanning ``when`` always ends later than one
    that ended before it. Ties go to the later start, then the agent name (so input order never
    matters)."""
    starts, convs = index.get(buyer, ((), ()))
    best: Conversation | None = None
    for conv in convs[: bisect_right(starts, when)]:
        if when - conv.end <= lookback and (
                best is None or (conv.end, conv.start, conv.agent) > (best.end, best.start, best.agent)):
            best = conv
    if best is None:
        return None
    return best.agent, (None if best.end >= when else (when - best.end).total_seconds() / 3600)


def reason_text(hours: float | None) -> str:
    """在会话中, or 会话结束后 N 小时 with N cut (not rounded) to one decimal, so a figure shown never
    exceeds the window it was inside; under 6 minutes (0.1 h) in whole minutes, so a quick order never
    reads "0 小时".

    >>> reason_text(None), reason_text(47.0), reason_text(47.99), reason_text(0.05), reason_text(0.001)
    ('在会话中', '会话结束后 47 小时', '会话结束后 47.9 小时', '会话结束后 3 分钟', '会话结束后不到 1 分钟')
    """
    if hours is None:
        return IN_CONVERSATION
    if hours < 0.1:
        minutes = math.floor(hours * 60 + 1e-9)
        return f"会话结束后 {minutes} 分钟" if minutes else "会话结束后不到 1 分钟"
    cut = math.floor(hours * 10 + 1e-9) / 10
    return f"会话结束后 {cut:g} 小时"


def credit_order(order: ChatOrder, index: BuyerIndex, rules: ChatRules) -> OrderCredit:
    """One order's credit under ``rules.credit_rule`` (下单优先: the 下单 agent if any, else the 付款
    agent; 落实下单 / 落实付款: strictly that one), with the reason for the moment that decided it."""
    lookback = timedelta(hours=rules.lookback_hours)
    at_order = attribute(index, order.buyer, order.created, lookback)
    at_pay = attribute(index, order.buyer, order.paid, lookback) if order.paid is not None else None
    if rules.credit_rule == "落实下单":
        chosen = at_order
    elif rules.credit_rule == "落实付款":
        chosen = at_pay
    elif rules.credit_rule == "下单优先":
        chosen = at_order or at_pay
    else:
        raise ValueError(f"统计规则 计入规则 {rules.credit_rule!r} 不是 下单优先 / 落实下单 / 落实付款")
    return OrderCredit(
        order,
        chosen[0] if chosen else None,
        reason_text(chosen[1]) if chosen else SILENT,
        order_agent=at_order[0] if at_order else None,
        pay_agent=at_pay[0] if at_pay else None,
        hours_after=chosen[1] if chosen else None,
    )


def credit_orders(orders: Iterable[ChatOrder], conversations: Iterable[Conversation], rules: ChatRules
                  ) -> list[OrderCredit]:
    """Every order's credit, ordered by creation time and order number; orders of the shop's own
    buyer accounts are left out, like their chats."""
    index = by_buyer(conversations)
    ignored = set(rules.shop_accounts)
    kept = sorted((o for o in orders if o.buyer not in ignored), key=lambda o: (o.created, o.order_id))
    return [credit_order(o, index, rules) for o in kept]


__all__ = ["BuyerIndex", "attribute", "by_buyer", "credit_order", "credit_orders", "reason_text"]
