"""The 统计规则 sheet ⇄ ChatRules: how chat records become KPIs (DOMAIN §12's bracketed defaults).

Same section format as 考核方案 and 会员规则 (one 【设置】 section of 项目 | 值 | 说明 rows), written
with the defaults on the first ``xlreports kpi`` run, edited in Excel, read on every run.

>>> from xlreports.model.chats import ChatRules
>>> parse_chat_rules(chat_rules_rows(ChatRules())) == ChatRules()
True
>>> parse_chat_rules(chat_rules_rows(ChatRules(credit_rule="落实付款", auto_prefixes=("【自动】", "[机器人]")))).auto_prefixes
('【自动】', '[机器人]')
"""
from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from xlreports.errors import InputErrors
from xlreports.model.chats import CREDIT_RULES, ChatRules
from xlreports.rules.sections import SETTING_COLS, CellReader, Col, require_sections, setting_rows

SHEET_NAME = "统计规则"
SECTION = "设置"
YES_NO = {True: "是", False: "否"}
LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")
# (column, note); a tuple attribute is a list written "a、b"; a time is "HH:MM".
SETTINGS = (
    (Col("会话间隔(分钟)", "session_gap_minutes", "number", True), "同一买家与同一客服账号的消息，静默超过多少分钟即算新的会话"),
    (Col("零点拆分会话", "split_at_midnight", YES_NO, True), "是：跨零点的会话在零点拆成两天的两个会话"),
    (Col("服务开始时间", "service_start", "time", True), "只有这段时间内的买家消息计入响应时间（如 08:00）"),
    (Col("服务结束时间", "service_end", "time", True), "服务时间的结束（24:00 表示到午夜）"),
    (Col("自动回复前缀", "auto_prefixes", "list", False), "以这些文字开头的客服消息算自动回复（多个用顿号分隔）"),
    (Col("自动回复判定(秒)", "auto_within_seconds", "number", True), "买家消息后这么多秒内发出的客服消息算自动回复"),
    (Col("归因回溯(小时)", "lookback_hours", "number", True), "下单时不在会话中：最近一次会话结束后多少小时内下单，仍归该客服"),
    (Col("归因规则", "credit_rule", {r: r for r in CREDIT_RULES}, True),
     "下单优先：有下单客服归下单客服，否则归付款客服；落实下单 / 落实付款：只按下单 / 付款时的会话"),
    (Col("店铺自有账号", "shop_accounts", "list", False), "这些买家账号是店铺自己的（测试、内部），不计入（多个用顿号分隔）"),
    (Col("每人抽查会话数", "sample_per_agent", "int", True), "聊天抽查表为每位客服抽取的会话数"),
    (Col("抽查随机种子", "sample_seed", "int", True), "同一种子抽到同样的会话；换一个数字换一批"),
)
_TIME = re.compile(r"([01]?\d|2[0-4])[:：]([0-5]\d)")


def chat_rules_rows(rules: ChatRules) -> list[list[Any]]:
    """The sheet's rows (row 0 = Excel row 1)."""
    rows: list[list[Any]] = [["统计规则"], ["由聊天记录和订单计算客服数据（xlreports kpi）的规则。黄色的「值」可以修改，"
                                            "修改后重新运行 xlreports kpi。"], []]
    rows += [[f"【{SECTION}】"], [c.label for c in SETTING_COLS]]
    for col, note in SETTINGS:
        rows.append([col.label, _shown(col, getattr(rules, col.attr)), note])
    return rows


def value_rows(rows: list[list[Any]]) -> range:
    """0-based indexes of the rows whose 值 cell is an input (for the yellow fill)."""
    start = next(i for i, r in enumerate(rows) if r and r[0] == f"【{SECTION}】")
    return range(start + 2, start + 2 + len(SETTINGS))


def _shown(col: Col, value: Any) -> Any:
    if col.kind == "list":
        return "、".join(value)
    if isinstance(col.kind, dict):
        return col.kind[value]
    return value


def parse_chat_rules(rows: list[list[Any]], sheet: str = SHEET_NAME) -> ChatRules:
    """Read the sheet; every unreadable value is an error naming its cell. Missing rows keep their default."""
    reader = CellReader(sheet)
    starts = require_sections(rows, (SECTION,), reader, SHEET_NAME)
    settings: dict[str, Any] = {}
    cells: dict[str, Any] = {}
    for col, raw, pos in setting_rows(rows, starts[SECTION], SECTION, [c for c, _ in SETTINGS], reader):
        value = _read_value(reader, col, raw, pos)
        if value is not None:
            settings[col.attr], cells[col.attr] = value, pos
    if not reader.problems:
        start, end = settings.get("service_start", ChatRules.service_start), settings.get("service_end", ChatRules.service_end)
        if start >= end:
            reader.fail(cells.get("service_end") or cells.get("service_start"), f"服务结束时间应晚于开始时间 {start}", end)
    if reader.problems:
        raise InputErrors(reader.problems)
    known = {f.name for f in fields(ChatRules)}
    return ChatRules(**{k: v for k, v in settings.items() if k in known})


def _read_value(reader: CellReader, col: Col, raw: Any, pos) -> Any:
    if col.kind == "list":
        text = "" if raw is None else reader.convert(raw, Col(col.label, col.attr), pos) or ""
        return tuple(p for p in LIST_SEPARATORS.split(text) if p)
    if col.kind == "time":
        return _time(reader, col, raw, pos)
    value = reader.convert(raw, col, pos)
    if value is None:
        return None
    if col.kind in ("int", "number"):
        low = 1 if col.attr == "sample_per_agent" else 0
        if col.attr != "sample_seed" and value < low:
            reader.fail(pos, f"「{col.label}」应不小于 {low}", value)
            return None
    return value


def _time(reader: CellReader, col: Col, raw: Any, pos) -> str | None:
    """A time of day as "HH:MM" (a cell holding a time, 0.5 = 12:00, or text "8:00" / "24:00")."""
    import datetime as dt

    if isinstance(raw, dt.time):
        return f"{raw.hour:02d}:{raw.minute:02d}"
    if isinstance(raw, str):  # the section reader gives text: "0.375" is a time cell's fraction of a day
        try:
            raw = float(raw)
        except ValueError:
            pass
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 0 <= raw <= 1:
        minutes = round(raw * 1440)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    m = _TIME.fullmatch(str(raw).strip()) if raw is not None else None
    if not m or (m[1] == "24" and m[2] != "00"):
        reader.fail(pos, f"「{col.label}」应为时刻，如 08:00 或 24:00", raw)
        return None
    return f"{int(m[1]):02d}:{m[2]}"
