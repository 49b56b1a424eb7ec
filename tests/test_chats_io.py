"""Chat readers (table, 千牛 text), the 统计规则 sheet, and the kpi job feeding the appraisal."""
from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from xlreports.engine.chats import chat_kpis
from xlreports.errors import InputErrors
from xlreports.excel.read.chat_files import read_chats
from xlreports.excel.read.chat_table import read_chat_table
from xlreports.excel.read.qianniu_text import read_qianniu_text
from xlreports.excel.read.source import SheetRows, WorkbookRows
from xlreports.model.chats import ChatOrder, ChatRules
from xlreports.rules.chat_rules import chat_rules_rows, parse_chat_rules
from xlreports.samples_chats import build_chat_samples, chat_month, qianniu_text

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def _bare(msgs):
    return sorted((dataclasses.replace(m, where="") for m in msgs),
                  key=lambda m: (m.time, m.agent, m.buyer, m.from_buyer, m.content))


def test_table_aliases_sides_and_located_errors():
    rows = SheetRows("聊天记录", [["导出"], ["消息时间", "客服账号", "客户ID", "账号类型", "消息内容"],
                                ["2026-10-03 09:00:05", "店:小王", "tb_a", "买家", "在吗"],
                                [datetime(2026, 10, 3, 9, 0, 6), "店:小王", "tb_a", "机器人", "【自动回复】您好"],
                                ["2026/10/3 9:01", "店:小王", "tb_a", "客服", "在的"],
                                ["2026-10-03 09:02:00", "店:小王", "tb_a", "客服", "已读"],
                                [],
                                ["昨天", "店:小王", None, "路人", "x"]])
    read = read_chat_table(rows)
    assert [(m.from_buyer, m.robot, m.where) for m in read.messages] == [
        (True, False, "聊天记录!A3"), (False, True, "聊天记录!A4"), (False, False, "聊天记录!A5")]
    assert dict(read.skipped) == {"系统消息": 1, "空行": 1}
    assert [str(p) for p in read.problems] == [
        '聊天记录!A8: 应为时间，如 2026-10-03 09:00:05（实际为 "昨天"）',
        '聊天记录!D8: 应为 客服、买家、机器人（或 方向 0 = 客服发给买家、1 = 买家发给客服）（实际为 "路人"）',
        "聊天记录!C8: 缺少买家"]


def test_direction_column_and_missing_header():
    rows = SheetRows("s", [["发送时间", "子账号", "买家昵称", "方向"], ["2026-10-03 09:00:05", "店:a", 123, 1.0],
                           ["2026-10-03 09:00:09", "店:a", 123, 0]])
    assert [(m.buyer, m.from_buyer) for m in read_chat_table(rows).messages] == [("123", True), ("123", False)]
    bad = read_chat_table(SheetRows("s", [["时间", "内容"], ["x", "y"]]))
    assert not bad.messages and "找不到聊天记录的表头" in str(bad.problems[0])


def test_qianniu_four_forms_system_lines_and_transfer():
    text = "\n".join([
        "聊天记录导出",  # before the first message
        "[tb_a] 2026-10-03 09:00:05", "在吗", "有M码吗", "已读",
        "小美的衣橱：小王(2026-10-03 09:00:40):", "在的亲", "",
        "由 小美的衣橱:小王 转交给 小美的衣橱:小李",
        "tb_a 2026-10-03 09:05:00", "还在吗",
        "小美的衣橱:小李 --> tb_a 2026-10-03 09:05:30", "我来为您服务",
        "tb_a 撤回了一条消息", "当前用户来自 手机淘宝",
        "tb_b 2026-10-03 10:00:00", "你好"])
    read = read_qianniu_text(text, "c.txt", accounts={"阿杰"})
    got = [(m.agent, m.buyer, m.from_buyer, m.content, m.where) for m in read.messages]
    assert got == [("小美的衣橱：小王", "tb_a", True, "在吗\n有M码吗", "c.txt:2"),
                   ("小美的衣橱：小王", "tb_a", False, "在的亲", "c.txt:6"),
                   ("小美的衣橱:小李", "tb_a", True, "还在吗", "c.txt:10"),
                   ("小美的衣橱:小李", "tb_a", False, "我来为您服务", "c.txt:12"),
                   ("小美的衣橱:小李", "tb_b", True, "你好", "c.txt:16")]
    assert dict(read.skipped) == {"第一条消息之前的文字": 1, "系统消息": 4}
    assert not read.problems


def test_qianniu_roster_account_and_located_errors():
    read = read_qianniu_text("阿杰 2026-10-03 09:00:00\n你好\ntb_x 2026-10-03 09:00:09\n嗯\n", "a.txt", {"阿杰"})
    assert [(m.agent, m.buyer, m.from_buyer) for m in read.messages] == [("阿杰", "tb_x", False), ("阿杰", "tb_x", True)]
    bad = read_qianniu_text("tb_x 2026-13-03 09:00:00\n嗯\ntb_y 2026-10-03 09:00:00\n在吗\n", "b.txt")
    assert [str(p) for p in bad.problems] == [
        'b.txt:1: 时间无效，应为 2026-10-03 09:00:05 这样的年-月-日 时:分:秒（实际为 "2026-13-03 09:00:00"）',
        'b.txt:3: 无法确定这条消息的客服账号（文本中没有客服账号的消息；请用「发送方 --> 接收方 时间」的格式或表格导出）'
        '（实际为 "tb_y"）']


def test_table_and_text_give_identical_messages_and_figures(tmp_path):
    files = build_chat_samples(tmp_path)
    table = read_chats([files["table"]])
    text = read_chats([files["text"]])
    assert not table.problems and not text.problems
    assert len(table.messages) > 3000
    assert _bare(table.messages) == _bare(text.messages)
    orders = [ChatOrder("1", "tb_two_agents", datetime(2026, 10, 12, 15, 3), datetime(2026, 10, 12, 15, 6), 99.0)]
    a, b = chat_kpis(table.messages, orders, ChatRules()), chat_kpis(text.messages, orders, ChatRules())
    assert a.months == b.months and [c.agent for c in a.credits] == [c.agent for c in b.credits]
    assert text.skipped["系统消息"] > 0


def test_chat_rules_round_trip_edits_and_errors():
    rules = ChatRules(session_gap_minutes=20, split_at_midnight=False, service_start="09:00", service_end="23:00",
                      auto_prefixes=("【自动回复】", "[机器人]"), lookback_hours=24, credit_rule="落实付款",
                      shop_accounts=("tb_shop",), sample_per_agent=3, sample_seed=9)
    assert parse_chat_rules(chat_rules_rows(rules)) == rules
    rows = chat_rules_rows(ChatRules())
    rows[7][1] = 0.375  # a time cell LibreOffice made of "09:00"
    assert parse_chat_rules(rows).service_start == "09:00"
    rows[5][1], rows[8][1], rows[14][1] = -5, "25:00", 0
    with pytest.raises(InputErrors) as e:
        parse_chat_rules(rows)
    assert [str(p) for p in e.value.problems] == [
        '统计规则!B6: 「会话间隔(分钟)」应不小于 0（实际为 "-5.0"）',
        '统计规则!B9: 「服务结束时间」应为时刻，如 08:00 或 24:00（实际为 "25:00"）',
        '统计规则!B15: 「每人抽查会话数」应不小于 1（实际为 "0"）']


cells = st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 10**6), st.floats(allow_nan=True),
                  st.datetimes(), st.sampled_from(["买家", "客服", "机器人", "0", "1", "2026-10-03 09:00:05", "已读"]))


@FUZZ
@given(st.lists(st.lists(cells, max_size=6), max_size=12))
def test_fuzz_table_reader(body):
    read = read_chat_table(SheetRows("聊天记录", [["时间", "客服", "买家", "发送方", "内容"], *body]))
    assert len(read.messages) + len(read.problems) + sum(read.skipped.values()) >= 0
    for p in read.problems:
        assert p.sheet == "聊天记录" and p.cell and p.cell[0].isalpha() and str(p)
    for m in read.messages:
        assert isinstance(m.time, datetime) and m.agent and m.buyer


lines = st.one_of(st.text(max_size=30), st.sampled_from([
    "[tb_a] 2026-10-03 09:00:05", "店:小王 2026-10-03 09:00:09", "tb_b(2026-10-03 09:00:05):", "店:a --> tb_c 2026-10-03 09:01:00",
    "由 店:a 转交给 店:b", "已读", "tb 2026-02-30 09:00:00", "x 撤回了一条消息", "\x01\x0b"]))


@FUZZ
@given(st.lists(lines, max_size=20))
def test_fuzz_qianniu_reader(body):
    read = read_qianniu_text("\n".join(body), "f.txt")
    for p in read.problems:
        assert p.sheet.startswith("f.txt:") and p.sheet[6:].isdigit() and str(p)
    for m in read.messages:
        assert m.agent and m.buyer and m.where.startswith("f.txt:")
        assert "\x01" not in m.content and "\x0b" not in m.content


def test_sample_month_has_every_case():
    msgs, orders = chat_month()
    kpis = chat_kpis(msgs, [ChatOrder(o["订单编号"], o["买家会员名"], datetime.fromisoformat(o["订单创建时间"]),
                                      datetime.fromisoformat(o["订单付款时间"]) if o["订单付款时间"] else None,
                                      float(o["买家实际支付金额"]), float(o["退款金额"])) for o in orders], ChatRules())
    by_id = {c.order.order_id: c for c in kpis.credits}
    assert by_id["900000000001"].agent == "小美的衣橱:阿杰"  # two agents: the one whose conversation spans the order
    assert by_id["900000000002"].reason == "静默" and by_id["900000000003"].reason == "静默"  # no chat; 60 h later
    assert by_id["900000000004"].agent == "小美的衣橱:小美"
    midnight = [c for c in kpis.conversations if c.buyer == "tb_midnight"]
    assert [c.start.day for c in midnight] == [10, 11]
    after = kpis.months[("小美的衣橱:小鹿", "2026-10")]
    assert (after.received, after.inquiries) == (1, 0)  # 售后 after the order: not 询单
    assert "\n" in qianniu_text(msgs)
