"""Chat KPIs computed offline from chat records and orders (DOMAIN §12), pure Python, no I/O.

- ``conversations``: filters (shop's own buyers, auto-replies), the split at silences and midnight,
  turns and waits inside service hours.
- ``counts``: per agent per day 接待/回复/未回复, 首次/平均响应 totals and counts, 答问比, 询单.
- ``attribution``: who is credited with each order, and why.
- ``payments``: 最终/当日/次日付款人数, 客服销售额 by pay day, 静默销售额.
- ``sampling``: the seeded 聊天抽查 sample.

Month figures are the days' sums; averages are month totals ÷ month counts (over all the month's
conversations or turns), never an average of daily averages.

>>> from datetime import datetime
>>> from xlreports.model.chats import ChatMessage, ChatOrder, ChatRules
>>> t = lambda h, m: datetime(2026, 10, 3, h, m)
>>> kpis = chat_kpis([ChatMessage(t(9, 0), "店:小王", "b", True), ChatMessage(t(9, 2), "店:小王", "b", False)],
...                  [ChatOrder("o1", "b", t(9, 30), t(9, 31), 100.0)], ChatRules())
>>> m = kpis.months[("店:小王", "2026-10")]
>>> m.received, m.inquiries, m.final_paid, m.sales, m.first_response, kpis.credits[0].reason
(1, 1, 1, 100.0, 120.0, '会话结束后 0.4 小时')
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from xlreports.model.chats import CREDIT_RULES, AgentDay, ChatKpis, ChatMessage, ChatOrder, ChatRules

from xlreports.engine.chats.attribution import credit_orders
from xlreports.engine.chats.conversations import build_conversations
from xlreports.engine.chats.counts import SUMMED, Tally, day_counts, new_tally
from xlreports.engine.chats.payments import add_paid_buyers, add_sales, first_orders
from xlreports.engine.chats.sampling import sample_conversations


def month_totals(days: Iterable[AgentDay]) -> dict[tuple[str, str], AgentDay]:
    """(agent, "YYYY-MM") → the sum of that agent's days in the month (day None).

    >>> rows = [AgentDay("a", date(2026, 10, 1), received=2, response_total=10.0, response_count=1),
    ...         AgentDay("a", date(2026, 10, 2), received=1, response_total=50.0, response_count=4)]
    >>> m = month_totals(rows)[("a", "2026-10")]
    >>> m.received, m.mean_response
    (3, 12.0)
    """
    sums: dict[tuple[str, str], Tally] = {}
    for d in days:
        row = sums.setdefault((d.agent, d.day.strftime("%Y-%m")), new_tally())
        for f in SUMMED:
            row[f] += getattr(d, f)
    return {key: AgentDay(key[0], None, **row) for key, row in sorted(sums.items())}


def chat_kpis(messages: Iterable[ChatMessage], orders: Iterable[ChatOrder], rules: ChatRules) -> ChatKpis:
    """Per agent per day and per month figures, every order's credit and every conversation, by the
    rules of DOMAIN §12 with the 统计规则 settings in ``rules``. The result does not depend on the
    order of the input rows."""
    if rules.credit_rule not in CREDIT_RULES:
        raise ValueError(f"统计规则 计入规则 {rules.credit_rule!r} 不是 {' / '.join(CREDIT_RULES)}")
    ignored = set(rules.shop_accounts)
    orders = [o for o in orders if o.buyer not in ignored]
    conversations = build_conversations(messages, rules)
    tally, inquiries = day_counts(conversations, first_orders(orders))
    credits = credit_orders(orders, conversations, rules)
    silent = add_sales(tally, credits)
    add_paid_buyers(tally, credits, inquiries, rules)
    days = [AgentDay(agent, day, **row) for (agent, day), row in sorted(tally.items())]
    return ChatKpis(days=days, months=month_totals(days), credits=credits, conversations=conversations,
                    silent_sales=silent)


__all__ = ["chat_kpis", "month_totals", "sample_conversations"]
