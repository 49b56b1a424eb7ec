"""The chat-KPI engine (issue 12, DOMAIN §12), one hand-worked example per rule with exact figures.

Times are written "DD HH:MM[:SS]" in October 2026 unless a test says otherwise; 小王 / 小李 are agent
accounts of the shop 店, buyers are b1, b2, …
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from xlreports.engine.chats import chat_kpis, sample_conversations
from xlreports.model.chats import ChatMessage, ChatOrder, ChatRules

WANG, LI = "店:小王", "店:小李"


def at(text: str, month: int = 10) -> datetime:
    """'03 09:00' or '03 09:00:05' → that time in 2026."""
    day, clock = text.split()
    parts = [int(p) for p in clock.split(":")] + [0]
    return datetime(2026, month, int(day), parts[0], parts[1], parts[2])


def buyer(when: str, who: str = "b1", agent: str = WANG, content: str = "在吗") -> ChatMessage:
    return ChatMessage(at(when), agent, who, True, content)


def agent(when: str, who: str = "b1", name: str = WANG, content: str = "您好", robot: bool = False) -> ChatMessage:
    return ChatMessage(at(when), name, who, False, content, robot)


def order(oid: str, who: str, created: str, paid: str | None = None, amount: float = 0.0,
          refund: float = 0.0, paid_month: int = 10) -> ChatOrder:
    return ChatOrder(oid, who, at(created), at(paid, paid_month) if paid else None, amount, refund)


def day_row(kpis, name: str, day: int, month: int = 10):
    [row] = [d for d in kpis.days if d.agent == name and d.day == date(2026, month, day)]
    return row


def credit(kpis, oid: str):
    [c] = [c for c in kpis.credits if c.order.order_id == oid]
    return c


# --- conversations, turns, response times ---------------------------------------------------------

def test_thirty_minutes_of_silence_split_a_conversation():
    # 09:00 buyer, 09:02 agent | 38 min silence | 09:40 buyer, 09:45 agent | exactly 30 min | 10:15 buyer, 10:16 agent
    msgs = [buyer("03 09:00"), agent("03 09:02"), buyer("03 09:40"), agent("03 09:45"),
            buyer("03 10:15"), agent("03 10:16")]
    kpis = chat_kpis(msgs, [], ChatRules())
    assert [(c.start, c.end) for c in kpis.conversations] == [(at("03 09:00"), at("03 09:02")),
                                                              (at("03 09:40"), at("03 10:16"))]
    assert [c.first_response for c in kpis.conversations] == [120.0, 300.0]
    row = day_row(kpis, WANG, 3)
    assert (row.conversations, row.received, row.replied, row.unreplied) == (2, 1, 1, 0)  # b1 once a day
    assert (row.first_response_total, row.first_response_count, row.first_response) == (420.0, 2, 210.0)
    assert (row.response_total, row.response_count) == (120.0 + 300.0 + 60.0, 3)
    longer = chat_kpis(msgs, [], ChatRules(session_gap_minutes=40))
    assert len(longer.conversations) == 1


def test_auto_replies_neither_answer_nor_end_a_wait():
    msgs = [buyer("03 10:00:00"),
            agent("03 10:00:01", content="亲，在的"),  # within 1 s of the buyer: auto
            agent("03 10:00:30", content="【自动回复】请稍等"),  # listed prefix
            agent("03 10:01:00", content="机器人为您服务", robot=True),  # robot account
            agent("03 10:03:00", content="您好，请问有什么可以帮您")]
    kpis = chat_kpis(msgs, [], ChatRules())
    [conv] = kpis.conversations
    assert conv.auto == (False, True, True, True, False)
    assert conv.first_response == 180.0
    row = day_row(kpis, WANG, 3)
    assert (row.agent_messages, row.buyer_messages, row.answer_ratio) == (1, 1, 1.0)
    assert (row.response_total, row.response_count, row.unanswered_turns) == (180.0, 1, 0)

    only_auto = chat_kpis(msgs[:4], [], ChatRules())  # nobody but the robot answered
    row = day_row(only_auto, WANG, 3)
    assert (row.received, row.replied, row.unreplied, row.inquiries) == (1, 0, 1, 0)
    assert (row.first_response_count, row.response_count, row.unanswered_turns) == (0, 0, 1)
    assert row.answer_ratio == 0.0


def test_a_turn_of_three_buyer_messages_is_timed_from_the_first():
    msgs = [buyer("03 11:00"), buyer("03 11:01"), buyer("03 11:02"), agent("03 11:05"),
            buyer("03 11:10"), agent("03 11:11"), agent("03 11:12"), buyer("03 11:20")]
    kpis = chat_kpis(msgs, [], ChatRules())
    [conv] = kpis.conversations
    assert [(t.start, t.buyer_messages, t.wait_seconds) for t in conv.turns] == [
        (at("03 11:00"), 3, 300.0), (at("03 11:10"), 1, 60.0), (at("03 11:20"), 1, None)]
    row = day_row(kpis, WANG, 3)
    assert (row.response_total, row.response_count, row.mean_response, row.unanswered_turns) == (360.0, 2, 180.0, 1)
    assert row.first_response == 300.0
    assert (row.agent_messages, row.buyer_messages, row.answer_ratio) == (3, 5, 0.6)


def test_buyer_messages_outside_service_hours_are_not_timed():
    msgs = [buyer("03 07:50", "b1"), agent("03 07:55", "b1"),  # before 08:00: not timed at all
            buyer("03 07:58", "b2"), buyer("03 08:01", "b2"), agent("03 08:04", "b2")]  # timed from 08:01
    kpis = chat_kpis(msgs, [], ChatRules())
    first, second = kpis.conversations
    assert (first.turns[0].timed, first.first_response) == (False, None)
    assert (second.turns[0].start, second.turns[0].wait_seconds, second.first_response) == (at("03 08:01"), 180.0, 180.0)
    row = day_row(kpis, WANG, 3)
    assert (row.received, row.replied) == (2, 2)  # counts ignore service hours
    assert (row.first_response_total, row.first_response_count) == (180.0, 1)
    assert (row.response_total, row.response_count, row.unanswered_turns) == (180.0, 1, 0)
    late = chat_kpis(msgs, [], ChatRules(service_start="07:00"))
    assert day_row(late, WANG, 3).first_response_total == 300.0 + 360.0  # 07:50→07:55, 07:58→08:04


def test_midnight_splits_a_conversation_into_two_days():
    msgs = [buyer("03 23:50"), agent("03 23:55"), buyer("04 00:05"), agent("04 00:06"),
            buyer("04 09:00"), agent("04 09:01")]
    kpis = chat_kpis(msgs, [], ChatRules())
    assert [c.day for c in kpis.conversations] == [date(2026, 10, 3), date(2026, 10, 4), date(2026, 10, 4)]
    d3, d4 = day_row(kpis, WANG, 3), day_row(kpis, WANG, 4)
    assert (d3.received, d3.first_response_total, d3.first_response_count) == (1, 300.0, 1)
    # 00:05 is outside 08:00–24:00: that conversation's first response is not timed; 09:00 → 60 s.
    assert (d4.conversations, d4.received, d4.first_response_total, d4.first_response_count) == (2, 1, 60.0, 1)
    month = kpis.months[(WANG, "2026-10")]
    assert (month.received, month.conversations) == (2, 3)

    joined = chat_kpis(msgs, [], ChatRules(split_at_midnight=False))
    assert [c.day for c in joined.conversations] == [date(2026, 10, 3), date(2026, 10, 4)]
    assert [t.wait_seconds for t in joined.conversations[0].turns] == [300.0, None]  # 00:05 untimed
    assert [t.timed for t in joined.conversations[0].turns] == [True, False]


def test_month_averages_come_from_all_conversations_not_from_daily_averages():
    msgs = [buyer("01 09:00", "b1"), agent("01 09:01", "b1")]  # day 1: one first response of 60 s
    for b in ("b2", "b3", "b4"):  # day 2: three first responses of 600 s
        msgs += [buyer("02 09:00", b), agent("02 09:10", b)]
    kpis = chat_kpis(msgs, [], ChatRules())
    assert (day_row(kpis, WANG, 1).first_response, day_row(kpis, WANG, 2).first_response) == (60.0, 600.0)
    month = kpis.months[(WANG, "2026-10")]
    assert (month.first_response_total, month.first_response_count) == (1860.0, 4)
    assert month.first_response == 465.0  # not (60 + 600) / 2 = 330
    assert month.mean_response == 465.0
    assert (month.day, month.received, month.replied) == (None, 4, 4)


def test_the_shops_own_buyer_accounts_are_ignored():
    msgs = [buyer("03 09:00", "店测试号"), agent("03 09:05", "店测试号"), buyer("03 09:00", "b1"),
            agent("03 09:01", "b1")]
    orders = [order("o1", "店测试号", "03 09:03", "03 09:04", 88.0)]
    kpis = chat_kpis(msgs, orders, ChatRules(shop_accounts=("店测试号",)))
    assert [c.buyer for c in kpis.conversations] == ["b1"]
    row = day_row(kpis, WANG, 3)
    assert (row.received, row.first_response_total, row.sales) == (1, 60.0, 0.0)
    assert kpis.credits == [] and kpis.silent_sales == {}


# --- 询单, attribution, credit rules, payments -------------------------------------------------------

def chat(who: str, day: str = "01", name: str = WANG) -> list[ChatMessage]:
    """A conversation 09:00–10:00 on that day: buyer asks, agent answers at 09:05, asks again at 09:30,
    answered at 09:35, and the agent's last message is at 10:00."""
    return [buyer(f"{day} 09:00", who, name), agent(f"{day} 09:05", who, name), buyer(f"{day} 09:30", who, name),
            agent(f"{day} 09:35", who, name), agent(f"{day} 10:00", who, name)]


def test_orders_in_a_conversation_47_hours_after_it_and_49_hours_after_it():
    msgs = chat("b1") + chat("b2") + chat("b3")
    orders = [order("o1", "b1", "01 09:30", "01 09:31", 100.0),  # inside the conversation
              order("o2", "b2", "03 09:00", "03 09:10", 200.0),  # 47 h after it ended
              order("o3", "b3", "03 11:00", "03 11:05", 300.0)]  # 49 h after: outside 48 h
    kpis = chat_kpis(msgs, orders, ChatRules())
    assert [(c.agent, c.reason, c.hours_after) for c in kpis.credits] == [
        (WANG, "在会话中", None), (WANG, "会话结束后 47 小时", 47.0), (None, "静默", None)]
    d1, d3 = day_row(kpis, WANG, 1), day_row(kpis, WANG, 3)
    assert (d1.received, d1.inquiries) == (3, 3)
    assert (d1.final_paid, d1.same_day_paid, d1.next_day_paid) == (2, 1, 1)  # b1 and b2; b2 paid on day 3
    assert (d1.sales, d3.sales) == (100.0, 200.0)  # by pay day
    month = kpis.months[(WANG, "2026-10")]
    assert (month.inquiries, month.final_paid, month.sales) == (3, 2, 300.0)
    assert kpis.silent_sales == {"2026-10": 300.0}
    wider = chat_kpis(msgs, orders, ChatRules(lookback_hours=50))
    assert credit(wider, "o3").reason == "会话结束后 49 小时"


def test_two_agents_talking_to_one_buyer():
    wang = [buyer("01 09:00", "b1", WANG), agent("01 09:01", "b1", WANG), agent("01 09:25", "b1", WANG)]
    li = [buyer("01 09:10", "b1", LI), agent("01 09:12", "b1", LI), buyer("01 09:30", "b1", LI)]
    msgs = wang + li + [agent("01 09:50", "b1", WANG)]
    orders = [order("o1", "b1", "01 09:20", "01 09:21", 80.0),  # spans both: 小王 ends later (09:50)
              order("o2", "b1", "01 09:40", "01 11:00", 60.0)]  # still inside 小王's conversation
    kpis = chat_kpis(msgs, orders, ChatRules())
    assert [(c.agent, c.reason) for c in kpis.credits] == [(WANG, "在会话中"), (WANG, "在会话中")]
    w_row, l_row = day_row(kpis, WANG, 1), day_row(kpis, LI, 1)
    assert (w_row.received, l_row.received) == (1, 1)  # each agent received the buyer
    assert (w_row.inquiries, l_row.inquiries) == (1, 1)
    assert (w_row.final_paid, l_row.final_paid) == (1, 0)
    assert (w_row.sales, l_row.sales) == (140.0, 0.0)
    assert (l_row.response_count, l_row.unanswered_turns) == (1, 1)  # 09:30 never answered

    after = [order("o3", "b1", "01 12:00", "01 12:05", 10.0)]  # both ended: the most recent end wins
    k2 = chat_kpis(wang + li, after, ChatRules())  # now 小王 ends 09:25, 小李 09:30
    assert (credit(k2, "o3").agent, credit(k2, "o3").reason) == (LI, "会话结束后 2.5 小时")


def test_credit_rules_order_first_versus_payment():
    msgs = chat("b1", "01", WANG) + [agent("02 14:00", "b1", LI, "亲，还没付款哦"), buyer("02 14:05", "b1", LI),
                                     agent("02 14:10", "b1", LI)]
    orders = [order("o1", "b1", "01 09:30", "02 14:08", 50.0),  # ordered with 小王, paid while 小李 chased
              order("o2", "b2", "02 10:00", "02 14:30", 20.0)]  # b2 never chatted: no 下单 agent
    msgs += [buyer("02 14:20", "b2", LI), agent("02 14:25", "b2", LI), agent("02 14:40", "b2", LI)]
    by_rule = {rule: chat_kpis(msgs, orders, ChatRules(credit_rule=rule)) for rule in ("下单优先", "落实下单", "落实付款")}
    c = credit(by_rule["下单优先"], "o1")
    assert (c.agent, c.reason, c.order_agent, c.pay_agent) == (WANG, "在会话中", WANG, LI)
    assert credit(by_rule["落实下单"], "o1").agent == WANG
    assert (credit(by_rule["落实付款"], "o1").agent, credit(by_rule["落实付款"], "o1").reason) == (LI, "在会话中")
    assert credit(by_rule["下单优先"], "o2").agent == LI  # falls back to the 付款 agent
    assert credit(by_rule["落实下单"], "o2").reason == "静默"
    months = {rule: {a: k.months[(a, "2026-10")].sales for a in (WANG, LI)} for rule, k in by_rule.items()}
    assert months == {"下单优先": {WANG: 50.0, LI: 20.0}, "落实下单": {WANG: 50.0, LI: 0.0},
                      "落实付款": {WANG: 0.0, LI: 70.0}}
    assert by_rule["落实下单"].silent_sales == {"2026-10": 20.0}
    # 小李 received b1 on day 2 after b1's order on day 1: a new day, so 询单 that day (b2 ordered before asking: not)
    assert day_row(by_rule["落实付款"], LI, 2).inquiries == 1
    with pytest.raises(ValueError, match="计入规则"):
        chat_kpis(msgs, orders, ChatRules(credit_rule="平分"))


def test_a_buyer_who_chats_after_ordering_is_not_an_inquiry():
    msgs = [buyer("05 10:00", "b1", content="什么时候发货"), agent("05 10:02", "b1"),
            buyer("05 10:00", "b2"), agent("05 10:02", "b2")]
    orders = [order("o1", "b1", "05 09:00", "05 09:01", 30.0),  # b1 ordered before chatting
              order("o2", "b2", "05 10:01", "05 10:03", 40.0)]  # b2 asked first: 询单, converted
    kpis = chat_kpis(msgs, orders, ChatRules())
    row = day_row(kpis, WANG, 5)
    assert (row.received, row.replied, row.inquiries, row.final_paid, row.same_day_paid) == (2, 2, 1, 1, 1)
    assert credit(kpis, "o1").reason == "静默"  # no conversation before it, paid before the chat too
    assert (credit(kpis, "o2").agent, row.sales) == (WANG, 40.0)


def test_refunds_are_netted_and_sales_go_to_the_pay_month():
    msgs = chat("b1", "31") + chat("b2", "31")
    orders = [order("o1", "b1", "31 09:30", "31 09:40", 200.0, refund=50.0),
              order("o2", "b2", "31 09:30", "01 08:00", 120.0, paid_month=11),  # paid in November
              order("o3", "b3", "31 12:00", "31 12:01", 99.0, refund=99.0),  # silent, fully refunded
              order("o4", "b4", "31 12:00", None, 0.0)]  # never paid
    kpis = chat_kpis(msgs, orders, ChatRules())
    assert kpis.months[(WANG, "2026-10")].sales == 150.0
    assert kpis.months[(WANG, "2026-11")].sales == 120.0
    oct31 = day_row(kpis, WANG, 31)
    assert (oct31.final_paid, oct31.same_day_paid, oct31.next_day_paid) == (2, 1, 2)
    assert kpis.silent_sales == {"2026-10": 0.0}
    assert [c.reason for c in kpis.credits] == ["在会话中", "在会话中", "静默", "静默"]


def test_conversations_are_sampled_per_agent_with_a_seed():
    msgs = []
    for d in range(1, 21):
        msgs += chat(f"b{d}", f"{d:02d}", WANG)
    msgs += chat("c1", "01", LI) + chat("c2", "02", LI) + [agent("03 09:00", "c3", LI)]  # c3: no buyer message
    kpis = chat_kpis(msgs, [], ChatRules())
    rules = ChatRules(sample_per_agent=5, sample_seed=7)
    picked = sample_conversations(kpis, rules)
    assert sorted(picked) == [LI, WANG]
    assert [c.buyer for c in picked[LI]] == ["c1", "c2"]  # fewer than 5: all with a buyer message
    assert len(picked[WANG]) == 5 and picked[WANG] == sorted(picked[WANG], key=lambda c: c.start)
    assert sample_conversations(kpis, rules) == picked
    others = {tuple(c.buyer for c in sample_conversations(kpis, replace(rules, sample_seed=s))[WANG])
              for s in range(1, 6)}
    assert len(others) > 1  # the seed matters
    only_wang = chat_kpis([m for m in msgs if m.agent == WANG], [], ChatRules())
    assert sample_conversations(only_wang, rules)[WANG] == picked[WANG]  # another agent's chats don't move it
