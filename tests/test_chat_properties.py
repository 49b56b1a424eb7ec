"""Properties of the chat-KPI engine over random chats and orders (hypothesis): counts add up,
input order never matters, every order is credited exactly once or silent, and sales add up."""
from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from xlreports.engine.chats import chat_kpis
from xlreports.model.chats import CREDIT_RULES, SILENT, ChatMessage, ChatOrder, ChatRules

START = datetime(2026, 10, 30, 6, 0)  # runs into November: month boundaries are crossed
AGENTS = ("店:小王", "店:小李", "店:小张")
BUYERS = ("b1", "b2", "b3", "店测试号")

messages = st.lists(st.builds(
    ChatMessage,
    time=st.integers(0, 3 * 86400).map(lambda s: START + timedelta(seconds=s)),
    agent=st.sampled_from(AGENTS),
    buyer=st.sampled_from(BUYERS),
    from_buyer=st.booleans(),
    content=st.sampled_from(("在吗", "【自动回复】您好", "")),
    robot=st.sampled_from((False, False, False, True)),
), max_size=60)


@st.composite
def orders(draw):
    out = []
    for i in range(draw(st.integers(0, 8))):
        created = START + timedelta(seconds=draw(st.integers(0, 4 * 86400)))
        paid = draw(st.none() | st.integers(0, 3 * 86400).map(lambda s, c=created: c + timedelta(seconds=s)))
        amount = float(draw(st.integers(0, 500)))
        refund = float(draw(st.integers(0, int(amount))))
        out.append(ChatOrder(f"o{i}", draw(st.sampled_from(BUYERS)), created, paid, amount, refund))
    return out


rules = st.builds(ChatRules, session_gap_minutes=st.sampled_from((5.0, 30.0, 120.0)),
                  split_at_midnight=st.booleans(), lookback_hours=st.sampled_from((1.0, 48.0)),
                  credit_rule=st.sampled_from(CREDIT_RULES), shop_accounts=st.just(("店测试号",)))


@settings(max_examples=150, deadline=None)
@given(messages, orders(), rules, st.randoms(use_true_random=False))
def test_figures_add_up_and_do_not_depend_on_input_order(msgs, ords, rule, rnd):
    kpis = chat_kpis(msgs, ords, rule)
    for row in kpis.days + list(kpis.months.values()):
        assert row.replied + row.unreplied == row.received
        assert row.same_day_paid <= row.next_day_paid <= row.final_paid <= row.inquiries <= row.replied
        assert row.first_response_count <= row.conversations
    for (agent, month), total in kpis.months.items():
        days = [d for d in kpis.days if d.agent == agent and d.day.strftime("%Y-%m") == month]
        assert total.received == sum(d.received for d in days)
        assert total.response_count == sum(d.response_count for d in days)
    assert all(c.buyer != "店测试号" for c in kpis.conversations)

    shuffled_m, shuffled_o = list(msgs), list(ords)
    rnd.shuffle(shuffled_m)
    rnd.shuffle(shuffled_o)
    assert chat_kpis(shuffled_m, shuffled_o, rule) == kpis
    assert chat_kpis(iter(msgs), iter(ords), rule) == kpis  # one pass over each input is enough


@settings(max_examples=150, deadline=None)
@given(messages, orders(), rules)
def test_every_order_is_credited_once_and_sales_add_up(msgs, ords, rule):
    kpis = chat_kpis(msgs, ords, rule)
    counted = [o for o in ords if o.buyer != "店测试号"]
    assert sorted(c.order.order_id for c in kpis.credits) == sorted(o.order_id for o in counted)
    for c in kpis.credits:
        assert (c.agent is None) == (c.reason == SILENT)
        assert c.agent is None or c.agent in (c.order_agent, c.pay_agent)
        assert c.hours_after is None or 0 < c.hours_after <= rule.lookback_hours
    sales = sum(m.sales for m in kpis.months.values()) + sum(kpis.silent_sales.values())
    assert sales == sum(o.paid_amount - o.refund for o in counted if o.paid is not None)
