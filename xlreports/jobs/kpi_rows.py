"""The chat engine's people-months → 客服数据 rows: one per person and month, named as the appraisal reads them.

Who a person is, what her month sums to and the order figures are the engine's
(:mod:`xlreports.engine.chats.people`); this module only names them as 客服数据's columns and rounds
averages to the cent/second shown.

>>> from datetime import datetime
>>> from xlreports.model.chats import AgentDay, ChatKpis, ChatOrder, OrderCredit
>>> o = ChatOrder("1", "tb_a", datetime(2026, 10, 2, 9), datetime(2026, 10, 2, 10), 100.0)
>>> k = ChatKpis(months={("店:小王", "2026-10"): AgentDay("店:小王", None, received=4, replied=3,
...              first_response_total=60, first_response_count=3, inquiries=2, final_paid=1, sales=100.0)},
...              credits=[OrderCredit(o, "店:小王", "在会话中")])
>>> rows, unmatched = person_rows(k, "2026-10", None)
>>> {c: rows[0][c] for c in ("客服", "接待人数", "首次响应时间", "付款笔数", "客服客单价", "店铺客单价")}
{'客服': '小王', '接待人数': 4, '首次响应时间': 20.0, '付款笔数': 1, '客服客单价': 100.0, '店铺客单价': 100.0}
"""
from __future__ import annotations

from xlreports.engine.chats.people import OrderCounts, order_counts, people_month, shop_average
from xlreports.engine.rollup import AccountBook
from xlreports.model.chats import ChatKpis

SPOT_CHECK = ("应答时间抽查", "服务态度抽查")  # scheme B's 聊天记录抽查 inputs, fed from 聊天抽查
COLUMNS = ("客服", "月份", "会话量", "接待人数", "回复人数", "应答数", "询单人数", "最终付款人数", "客服销售额",
           "客服客单价", "店铺客单价", "首次响应时间", "平均响应时间", "拍下笔数", "付款笔数", "成交笔数", "退款笔数",
           *SPOT_CHECK)


def person_rows(kpis: ChatKpis, month: str, book: AccountBook | None) -> tuple[list[dict], dict[str, int]]:
    """The month's rows (one per person, in name order) and the accounts no one has (account → conversations)."""
    month_of = people_month(kpis, month, book)
    counts = order_counts(kpis.credits, month, book)
    shop = _round(shop_average(kpis.credits, month))
    rows = []
    for person, t in month_of.people.items():
        c = counts.get(person, OrderCounts())
        sales = round(t.sales, 2)
        rows.append({
            "客服": person, "月份": month, "会话量": t.conversations, "接待人数": t.received,
            "回复人数": t.replied, "应答数": t.agent_messages, "询单人数": t.inquiries,
            "最终付款人数": t.final_paid, "客服销售额": sales,
            "客服客单价": round(sales / t.final_paid, 2) if t.final_paid else None,
            "店铺客单价": shop, "首次响应时间": _round(t.first_response), "平均响应时间": _round(t.mean_response),
            "拍下笔数": c.placed, "付款笔数": c.paid, "成交笔数": c.closed, "退款笔数": c.refunded,
        })
    return rows, month_of.unmatched


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)
