"""People, not accounts (DOMAIN §11, §12): "店铺名:子账号" accounts summed to the person, and the month's
order figures (拍下/付款/成交/退款笔数, 店铺客单价) from the credited orders — hand-worked, exact figures.

The shop: 小美 works under 店A:小美 and 店B：小美 (full-width colon), 阿杰 under 店A:阿杰.
- b1 asks 店A:小美 on the 3rd 09:00:00, answered 09:01:00 (60 s); orders 09:05, pays 09:06, 100.00.
- b2 asks 店B：小美 on the 4th 10:00:00, answered 10:03:00 (180 s); orders 10:02 (inside), pays 10:10,
  200.00 of which 50.00 refunded.
- b3 asks 店A:阿杰 on the 5th 11:00:00, answered 11:00:30 (30 s); orders 12:00, pays 12:01, 80.00, wholly refunded.
- b4 asks 店A:阿杰 on 30 Sep 23:00, answered 23:02; orders 30 Sep 23:30, pays 1 Oct 08:00, 40.00.
- b9 orders on the 6th with no chat (静默), pays 60.00.
"""
from __future__ import annotations

from datetime import datetime

import openpyxl

from xlreports.engine.chats import chat_kpis
from xlreports.engine.chats.people import OrderCounts, order_counts, people_month, person_of, shop_average
from xlreports.engine.rollup import AccountBook
from xlreports.excel.read.source import WorkbookRows
from xlreports.jobs.kpi import KpiOptions, kpi
from xlreports.jobs.kpi_rows import COLUMNS
from xlreports.model.chats import ChatMessage, ChatOrder, ChatRules

MEI_A, MEI_B, JIE = "店A:小美", "店B：小美", "店A:阿杰"
CHATS = [  # (time, account, buyer, from buyer)
    ("2026-10-03 09:00:00", MEI_A, "b1", True), ("2026-10-03 09:01:00", MEI_A, "b1", False),
    ("2026-10-04 10:00:00", MEI_B, "b2", True), ("2026-10-04 10:03:00", MEI_B, "b2", False),
    ("2026-10-05 11:00:00", JIE, "b3", True), ("2026-10-05 11:00:30", JIE, "b3", False),
    ("2026-09-30 23:00:00", JIE, "b4", True), ("2026-09-30 23:02:00", JIE, "b4", False),
]
ORDERS = [  # id, buyer, created, paid, amount, refund
    ("o1", "b1", "2026-10-03 09:05:00", "2026-10-03 09:06:00", 100.0, 0.0),
    ("o2", "b2", "2026-10-04 10:02:00", "2026-10-04 10:10:00", 200.0, 50.0),
    ("o3", "b3", "2026-10-05 12:00:00", "2026-10-05 12:01:00", 80.0, 80.0),
    ("o4", "b4", "2026-09-30 23:30:00", "2026-10-01 08:00:00", 40.0, 0.0),
    ("o9", "b9", "2026-10-06 15:00:00", "2026-10-06 15:01:00", 60.0, 0.0),
]
# 店铺客单价 of October: (100 + 150 + 0 + 40 + 60) ÷ 5 buyers who paid
SHOP_AOV = 70.0


def _t(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S")


def _kpis():
    msgs = [ChatMessage(_t(t), a, b, fb, "在吗" if fb else "在的") for t, a, b, fb in CHATS]
    orders = [ChatOrder(i, b, _t(c), _t(p), amount, refund) for i, b, c, p, amount, refund in ORDERS]
    return chat_kpis(msgs, orders, ChatRules())


def _roster() -> AccountBook:
    book = AccountBook()
    for person, account in (("小美", "店A:小美"), ("王美丽", "店B:小美"), ("阿杰", "阿杰")):
        book.add(person, account)
    return book


def test_without_a_roster_an_account_is_its_sub_account_and_shops_sum():
    assert [person_of(a, None) for a in (MEI_A, MEI_B, JIE, " 店C ： 小美 ", "Sunny")] == ["小美", "小美", "阿杰", "小美", "Sunny"]
    month = people_month(_kpis(), "2026-10", None)
    assert list(month.people) == ["小美", "阿杰"] and month.unmatched == {}
    mei = month.people["小美"]
    assert (mei.conversations, mei.received, mei.replied, mei.inquiries, mei.final_paid, mei.sales) == (2, 2, 2, 2, 2, 250.0)
    # re-formed from the summed totals: (60 + 180) ÷ 2, not an average of the accounts' averages
    assert (mei.first_response_total, mei.first_response_count, mei.first_response) == (240.0, 2, 120.0)
    jie = month.people["阿杰"]  # b4's September chat is September's; o4 is paid (and counted) in October
    assert (jie.conversations, jie.received, jie.first_response, jie.sales) == (1, 1, 30.0, 40.0)


def test_a_roster_decides_whose_account_it_is():
    month = people_month(_kpis(), "2026-10", _roster())
    assert list(month.people) == ["小美", "王美丽", "阿杰"]
    assert (month.people["小美"].sales, month.people["小美"].first_response) == (100.0, 60.0)
    assert (month.people["王美丽"].sales, month.people["王美丽"].first_response) == (150.0, 180.0)
    book = AccountBook()
    book.add("小美", "店A:小美")
    assert people_month(_kpis(), "2026-10", book).unmatched == {MEI_B: 1, JIE: 1}


def test_order_counts_of_the_credited_orders():
    credits = _kpis().credits
    assert {c.order.order_id: c.agent for c in credits} == {"o1": MEI_A, "o2": MEI_B, "o3": JIE, "o4": JIE, "o9": None}
    assert order_counts(credits, "2026-10", None) == {
        "小美": OrderCounts(placed=2, paid=2, closed=2, refunded=1),  # o2's partial refund: 成交 and 退款
        "阿杰": OrderCounts(placed=1, paid=2, closed=1, refunded=1),  # o4 placed in Sep, paid in Oct; o3 wholly refunded
    }
    assert order_counts(credits, "2026-09", None) == {"小美": OrderCounts(), "阿杰": OrderCounts(placed=1)}
    assert order_counts(credits, "2026-10", _roster())["王美丽"] == OrderCounts(1, 1, 1, 1)
    assert shop_average(credits, "2026-10") == SHOP_AOV
    assert shop_average(credits, "2026-09") is None


def _files(tmp_path):
    chats = tmp_path / "chats.csv"
    chats.write_text("时间,客服,买家,发送方,内容\n" + "".join(
        f"{t},{a},{b},{'买家' if fb else '客服'},{'在吗' if fb else '在的'}\n" for t, a, b, fb in CHATS), encoding="utf-8")
    orders = tmp_path / "orders.csv"
    orders.write_text("订单编号,买家会员名,订单创建时间,订单付款时间,买家实际支付金额,退款金额,订单状态\n" + "".join(
        f"{i},{b},{c},{p},{amount},{refund},交易成功\n" for i, b, c, p, amount, refund in ORDERS), encoding="utf-8")
    return chats, orders


def _rows(book):
    with WorkbookRows(book) as wb:
        data = wb.rows("客服数据-聊天").rows
        credits = wb.rows("归因明细").rows
    header = data[0]
    rows = {r[0]: dict(zip(header, r)) for r in data[1:] if r and r[1] == "2026-10"}
    person = {r[0]: r[credits[0].index("客服")] for r in credits[1:]}
    return rows, person


def test_kpi_job_without_a_roster_writes_one_row_per_person(tmp_path):
    chats, orders = _files(tmp_path)
    book = tmp_path / "店铺.xlsx"
    report = kpi(book, KpiOptions(chats=[chats], orders=[orders], month="2026-10", backup=False))
    assert [r["客服"] for r in report.rows] == ["小美", "阿杰"]
    rows, person = _rows(book)
    assert {c: rows["小美"][c] for c in COLUMNS[2:17]} == {
        "会话量": 2, "接待人数": 2, "回复人数": 2, "应答数": 2, "询单人数": 2, "最终付款人数": 2, "客服销售额": 250,
        "客服客单价": 125, "店铺客单价": SHOP_AOV, "首次响应时间": 120, "平均响应时间": 120,
        "拍下笔数": 2, "付款笔数": 2, "成交笔数": 2, "退款笔数": 1}
    assert {c: rows["阿杰"][c] for c in ("会话量", "客服销售额", "客服客单价", "首次响应时间", "拍下笔数", "付款笔数",
                                       "成交笔数", "退款笔数")} == {
        "会话量": 1, "客服销售额": 40, "客服客单价": 40, "首次响应时间": 30, "拍下笔数": 1, "付款笔数": 2, "成交笔数": 1,
        "退款笔数": 1}
    assert person == {"o1": "小美", "o2": "小美", "o3": "阿杰", "o4": "阿杰", "o9": None}
    assert any("静默销售额 60.00" in m for m in report.messages)


def test_kpi_job_with_a_roster_maps_accounts_to_its_people(tmp_path):
    chats, orders = _files(tmp_path)
    book = tmp_path / "店铺.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客服名册"
    for row in (["客服", "账号"], ["小美", "店A:小美"], ["王美丽", "店B:小美"], ["阿杰", None]):
        ws.append(row)
    wb.save(book)
    kpi(book, KpiOptions(chats=[chats], orders=[orders], month="2026-10", backup=False))
    rows, person = _rows(book)
    assert sorted(rows) == ["小美", "王美丽", "阿杰"]
    assert [(rows[p]["客服销售额"], rows[p]["首次响应时间"], rows[p]["退款笔数"]) for p in ("小美", "王美丽")] == [
        (100, 60, 0), (150, 180, 1)]
    assert person == {"o1": "小美", "o2": "王美丽", "o3": "阿杰", "o4": "阿杰", "o9": None}
