"""The chat engine's account-months → 客服数据 rows: one per person and month, named as the appraisal reads them.

Accounts are summed to people through 客服名册's 账号 (the same :class:`AccountBook` the daily/accounts
roll-up uses). Averages are re-formed from the summed totals (首次响应 over all conversations, 平均响应
over all turns), never averaged from accounts' averages. Order counts come from the credited orders:
拍下笔数 created in the month, 付款笔数 paid in it, 退款笔数 of those with a refund, 成交笔数 of those
not wholly refunded; 店铺客单价 = the month's paid − refunded amount of all orders ÷ the buyers who paid.

>>> from datetime import datetime
>>> from xlreports.model.chats import AgentDay, ChatKpis, ChatOrder, OrderCredit
>>> o = ChatOrder("1", "tb_a", datetime(2026, 10, 2, 9), datetime(2026, 10, 2, 10), 100.0)
>>> k = ChatKpis(months={("店:小王", "2026-10"): AgentDay("店:小王", None, received=4, replied=3,
...              first_response_total=60, first_response_count=3, inquiries=2, final_paid=1, sales=100.0)},
...              credits=[OrderCredit(o, "店:小王", "在会话中")])
>>> rows, unmatched = person_rows(k, "2026-10", None)
>>> {c: rows[0][c] for c in ("客服", "接待人数", "首次响应时间", "付款笔数", "客服客单价", "店铺客单价")}
{'客服': '店:小王', '接待人数': 4, '首次响应时间': 20.0, '付款笔数': 1, '客服客单价': 100.0, '店铺客单价': 100.0}
"""
from __future__ import annotations

from dataclasses import fields

from xlreports.engine.rollup import AccountBook
from xlreports.model.chats import AgentDay, ChatKpis

SPOT_CHECK = ("应答时间抽查", "服务态度抽查")  # scheme B's 聊天记录抽查 inputs, fed from 聊天抽查
COLUMNS = ("客服", "月份", "会话量", "接待人数", "回复人数", "应答数", "询单人数", "最终付款人数", "客服销售额",
           "客服客单价", "店铺客单价", "首次响应时间", "平均响应时间", "拍下笔数", "付款笔数", "成交笔数", "退款笔数",
           *SPOT_CHECK)
_SUMMED = [f.name for f in fields(AgentDay) if f.name not in ("agent", "day")]


def person_of(account: str, book: AccountBook | None) -> str | None:
    """The person an account is (None: no one in 客服名册); without a roster every account is a person."""
    return account if book is None else book.person(account)


def person_rows(kpis: ChatKpis, month: str, book: AccountBook | None) -> tuple[list[dict], dict[str, int]]:
    """The month's rows (one per person, in name order) and the accounts no one has (account → conversations)."""
    totals: dict[str, dict[str, float]] = {}
    unmatched: dict[str, int] = {}
    for (account, m), day in kpis.months.items():
        if m != month:
            continue
        person = person_of(account, book)
        if person is None:
            unmatched[account] = unmatched.get(account, 0) + day.conversations
            continue
        t = totals.setdefault(person, dict.fromkeys(_SUMMED, 0))
        for name in _SUMMED:
            t[name] += getattr(day, name)
    counts = order_counts(kpis, month, book)
    shop = shop_average(kpis, month)
    rows = []
    for person in sorted(totals, key=str):
        t = totals[person]
        c = counts.get(person, {})
        sales = round(t["sales"], 2)
        rows.append({
            "客服": person, "月份": month, "会话量": t["conversations"], "接待人数": t["received"],
            "回复人数": t["replied"], "应答数": t["agent_messages"], "询单人数": t["inquiries"],
            "最终付款人数": t["final_paid"], "客服销售额": sales,
            "客服客单价": round(sales / t["final_paid"], 2) if t["final_paid"] else None,
            "店铺客单价": shop,
            "首次响应时间": _mean(t["first_response_total"], t["first_response_count"]),
            "平均响应时间": _mean(t["response_total"], t["response_count"]),
            **{k: c.get(k, 0) for k in ("拍下笔数", "付款笔数", "成交笔数", "退款笔数")},
        })
    return rows, unmatched


def _mean(total: float, count: int) -> float | None:
    return round(total / count, 2) if count else None


def order_counts(kpis: ChatKpis, month: str, book: AccountBook | None) -> dict[str, dict[str, int]]:
    """Per person: 拍下笔数 / 付款笔数 / 成交笔数 / 退款笔数 of the orders credited to her accounts."""
    out: dict[str, dict[str, int]] = {}
    for credit in kpis.credits:
        person = person_of(credit.agent, book) if credit.agent else None
        if person is None:
            continue
        o = credit.order
        c = out.setdefault(person, dict.fromkeys(("拍下笔数", "付款笔数", "成交笔数", "退款笔数"), 0))
        if o.created.strftime("%Y-%m") == month:
            c["拍下笔数"] += 1
        if o.paid is not None and o.paid.strftime("%Y-%m") == month:
            c["付款笔数"] += 1
            c["退款笔数"] += o.refund > 0
            c["成交笔数"] += o.refund < o.paid_amount
    return out


def shop_average(kpis: ChatKpis, month: str) -> float | None:
    """店铺客单价 of ``month``: paid − refunded amount of every order paid in it ÷ the buyers who paid."""
    amount, buyers = 0.0, set()
    for credit in kpis.credits:
        o = credit.order
        if o.paid is not None and o.paid.strftime("%Y-%m") == month:
            amount += o.paid_amount - o.refund
            buyers.add(o.buyer)
    return round(amount / len(buyers), 2) if buyers else None
