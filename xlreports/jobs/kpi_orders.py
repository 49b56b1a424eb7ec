"""Order exports → :class:`ChatOrder` rows for attribution, through the one order intake (excel/read/orders).

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "ExportOrderList.csv").write_text("订单编号,买家会员名,订单创建时间,订单付款时间,买家实际支付金额,退款金额,订单状态\\n"
...     "1,tb_a,2026-10-03 10:00:00,2026-10-03 10:05:00,99.5,0,交易成功\\n", encoding="utf-8")
>>> orders, warnings = chat_orders([d], None)
>>> orders[0].buyer, orders[0].paid_amount, orders[0].paid.minute
('tb_a', 99.5, 5)
"""
from __future__ import annotations

from xlreports.errors import Problem, XlreportsError
from xlreports.excel.read.export_paths import order_sources
from xlreports.excel.read.orders import read_orders
from xlreports.model.chats import ChatOrder
from xlreports.model.orders import BUYER, CREATED, ORDER_ID, PAID, PAID_AMOUNT, REFUND, STATUS

WARNINGS_SHOWN = 20


def chat_orders(paths, wb) -> tuple[list[ChatOrder], list[Problem]]:
    """The orders of the exports (and of ``wb``'s pasted 订单… sheets), and the skipped rows as warnings."""
    sources = order_sources(paths, wb)
    intake = read_orders(sources)
    if not intake.has_buyer:
        raise XlreportsError(f"订单导出中没有「{BUYER}」列，无法把订单与聊天的买家对应。请导出含{BUYER}的订单报表。")
    frame = intake.orders.select(ORDER_ID, BUYER, CREATED, PAID, PAID_AMOUNT, REFUND, STATUS)
    frame = frame.filter(frame[CREATED].is_not_null() & frame[BUYER].is_not_null())
    orders = [ChatOrder(oid, buyer, created, paid, amount or 0.0, refund or 0.0, status or "")
              for oid, buyer, created, paid, amount, refund, status in frame.iter_rows()]
    return orders, intake.skipped[:WARNINGS_SHOWN]
