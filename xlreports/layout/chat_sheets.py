"""The sheets of ``xlreports kpi`` besides 聊天抽查: 统计规则 (the settings, yellow values), 客服数据-聊天 (one row
per person and month, read by ``xlreports appraise`` beside 客服数据), 聊天统计 (per account per day) and
归因明细 (every order, its credited agent and the reason).

>>> from xlreports.model.chats import ChatRules
>>> spec = chat_rules_sheet(ChatRules())
>>> spec.name, spec.cells[(6, 2)].value, spec.cells[(6, 2)].style.fill
('统计规则', 30.0, 'FFF2CC')
"""
from __future__ import annotations

from xlreports.a1 import col_letter
from xlreports.layout.chat_spotcheck import SpotRefs
from xlreports.layout.data_sheet import amount_format
from xlreports.layout.scheme_sheet import rules_sheet_style
from xlreports.layout.spec import (BODY, FMT_DATE, HEADER, INPUT, NOTE, TITLE, PageSetup, SheetSpec, TableBlock)
from xlreports.model.chats import AgentDay, ChatRules, OrderCredit
from xlreports.rules.chat_rules import SHEET_NAME as RULES_SHEET, chat_rules_rows, value_rows
from xlreports.rules.sections import find_sections

DATA_SHEET = "客服数据-聊天"
STATS_SHEET = "聊天统计"
CREDITS_SHEET = "归因明细"
SPOT_CHECK = {"应答时间抽查": "应答时间", "服务态度抽查": "服务态度"}
FMT_TIME = "yyyy-mm-dd hh:mm:ss"
FMT_SEC = "0.0"


def chat_rules_sheet(rules: ChatRules) -> SheetSpec:
    """The 统计规则 sheet: the rows of ``rules.chat_rules.chat_rules_rows``, the 值 column yellow."""
    rows = chat_rules_rows(rules)
    spec = SheetSpec(RULES_SHEET, tab_color="C00000", page=PageSetup(header_center="统计规则"))
    header_rows = {i + 2 for i in find_sections(rows).values()}
    inputs = {i + 1 for i in value_rows(rows)}
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row, start=1):
            style = rules_sheet_style(i, j, value, header_rows)
            if style is None:
                style = INPUT if j == 2 and i in inputs else (
                    HEADER.but(h_align="left", fill="F2F2F2") if j == 1 else NOTE.but(wrap=False))
            if value is not None or (j == 2 and i in inputs):
                spec.set(i, j, value, style=style)
    spec.col_widths.update({1: 18, 2: 16, 3: 70})
    return spec


def agent_data_sheet(rows: list[dict], columns: list[str], month: str, spot: SpotRefs | None,
                     notes: list[str]) -> SheetSpec:
    """客服数据-聊天: ``rows`` (earlier months' as kept, then ``month``'s) under ``columns``; ``month``'s
    spot-check columns are formulas averaging 聊天抽查's typed scores (cached: the scores known now)."""
    spec = SheetSpec(DATA_SHEET, freeze="B2", tab_color="70AD47",
                     page=PageSetup(orientation="landscape", header_center="客服数据（由聊天记录计算）"))
    cols = {name: j for j, name in enumerate(columns, start=1)}
    formats = {c: amount_format(r.get(c) for r in rows) if c in ("客服销售额", "客服客单价", "店铺客单价") else None
               for c in columns}
    for name, j in cols.items():
        spec.set(1, j, name, style=HEADER)
        spec.col_widths[j] = max(9, min(16, len(name) * 2 + 2))
    for i, r in enumerate(rows, start=2):
        for name, j in cols.items():
            formula = None
            if spot is not None and name in SPOT_CHECK and r.get("月份") == month:
                formula = spot.formula(r["客服"], SPOT_CHECK[name])
            spec.set(i, j, r.get(name), formula=formula, style=BODY.but(number_format=formats.get(name)))
    last = max(2, len(rows) + 1)
    spec.auto_filter = f"A1:{col_letter(len(columns))}{last}"
    spec.cells[(1, 1)].comment = "\n".join(notes)  # a note, not rows: the appraisal reads every row below the header
    return spec


STAT_COLUMNS = (("日期", None), ("账号", None), ("客服", None), ("会话量", "conversations"), ("接待人数", "received"),
                ("回复人数", "replied"), ("未回复人数", "unreplied"), ("首次响应(秒)", "first_response"),
                ("平均响应(秒)", "mean_response"), ("对话轮次", "response_count"), ("未回复轮次", "unanswered_turns"),
                ("答问比", "answer_ratio"), ("询单人数", "inquiries"), ("最终付款人数", "final_paid"),
                ("当日付款人数", "same_day_paid"), ("次日付款人数", "next_day_paid"), ("客服销售额", "sales"))


def chat_stats_sheet(days: list[AgentDay], person: dict[str, str | None], rules: ChatRules) -> SheetSpec:
    """聊天统计: one row per account per day (``person``: account → person, None = not in 客服名册)."""
    days = sorted(days, key=lambda d: (d.day, d.agent))
    columns: dict[str, list] = {h: [] for h, _ in STAT_COLUMNS}
    for d in days:
        for h, attr in STAT_COLUMNS:
            if h == "日期":
                value = d.day
            elif h == "账号":
                value = d.agent
            elif h == "客服":
                value = person.get(d.agent) or "（未在客服名册）"
            else:
                value = getattr(d, attr)
                value = round(value, 2) if isinstance(value, float) else value
            columns[h].append(value)
    headers = [h for h, _ in STAT_COLUMNS]
    fmt = {"日期": FMT_DATE, "首次响应(秒)": FMT_SEC, "平均响应(秒)": FMT_SEC, "答问比": "0.00", "客服销售额": "#,##0.00"}
    styles = [BODY.but(number_format=fmt.get(h)) for h in headers]
    top = 4
    spec = SheetSpec(STATS_SHEET, freeze=f"D{top + 1}", tab_color="5B9BD5",
                     tables=[TableBlock(top, 1, headers, [columns[h] for h in headers], styles, HEADER)],
                     page=PageSetup(orientation="landscape", header_center="聊天统计", print_title_rows=f"{top}:{top}"))
    spec.set(1, 1, "聊天统计（按账号按日）", style=TITLE.but(h_align="left"))
    spec.set(2, 1, rules_text(rules), style=NOTE.but(wrap=False))
    spec.col_widths.update({1: 11, 2: 20, 3: 10})
    spec.auto_filter = f"A{top}:{col_letter(len(headers))}{top + max(1, len(days))}"
    return spec


def rules_text(rules: ChatRules) -> str:
    """The settings the figures were computed with, in one line (stated on the output, DOMAIN §12).

    >>> rules_text(ChatRules()).startswith("统计规则：会话间隔 30 分钟，零点拆分；服务时间 08:00–24:00")
    True
    """
    return (f"统计规则：会话间隔 {rules.session_gap_minutes:g} 分钟，{'零点拆分' if rules.split_at_midnight else '零点不拆分'}；"
            f"服务时间 {rules.service_start}–{rules.service_end}；自动回复：前缀 {'、'.join(rules.auto_prefixes) or '无'}"
            f"、买家消息后 {rules.auto_within_seconds:g} 秒内、机器人账号；归因回溯 {rules.lookback_hours:g} 小时，"
            f"{rules.credit_rule}。修改见「{RULES_SHEET}」。")


CREDIT_COLUMNS = ("订单编号", "买家", "下单时间", "付款时间", "实付金额", "退款金额", "订单状态", "归属账号", "客服",
                  "原因", "下单时会话", "付款时会话")


def credits_sheet(credits: list[OrderCredit], person: dict[str, str | None]) -> SheetSpec:
    """归因明细: every order with the account credited, the person, and why (在会话中 / 会话结束后 N 小时 / 静默)."""
    credits = sorted(credits, key=lambda c: (c.order.created, c.order.order_id))
    o = [c.order for c in credits]
    columns = [[x.order_id for x in o], [x.buyer for x in o], [x.created for x in o], [x.paid for x in o],
               [x.paid_amount for x in o], [x.refund for x in o], [x.status for x in o],
               [c.agent or "" for c in credits],
               [(person.get(c.agent) or "（未在客服名册）") if c.agent else "" for c in credits],
               [c.reason for c in credits], [c.order_agent or "" for c in credits], [c.pay_agent or "" for c in credits]]
    fmt = {"下单时间": FMT_TIME, "付款时间": FMT_TIME, "实付金额": "#,##0.00", "退款金额": "#,##0.00"}
    styles = [BODY.but(number_format=fmt.get(h)) for h in CREDIT_COLUMNS]
    spec = SheetSpec(CREDITS_SHEET, freeze="B2", tab_color="5B9BD5",
                     tables=[TableBlock(1, 1, list(CREDIT_COLUMNS), columns, styles, HEADER)],
                     page=PageSetup(orientation="landscape", header_center="归因明细", print_title_rows="1:1"))
    spec.col_widths.update({1: 22, 2: 14, 3: 19, 4: 19, 5: 11, 6: 11, 7: 14, 8: 20, 9: 10, 10: 18, 11: 20, 12: 20})
    spec.auto_filter = f"A1:{col_letter(len(CREDIT_COLUMNS))}{max(2, len(credits) + 1)}"
    return spec
