"""A table of chat messages (a sheet 聊天记录, an .xlsx or .csv export) → :class:`ChatMessage` rows.

One row per message; the header is found by aliases (DOMAIN §12): 时间/发送时间, 客服/客服账号/子账号/
发送账号, 买家/买家昵称/客户名/客户ID, the side as 发送方 (客服 / 买家), 方向 (0 = agent → buyer,
1 = buyer → agent) or 账号类型 (客服 / 买家 / 机器人), and 内容. A row that cannot be read is a located
error (sheet!cell, what was expected); blank rows and system notices are skipped and counted.

>>> from xlreports.excel.read.source import SheetRows
>>> read = read_chat_table(SheetRows("聊天记录", [["发送时间", "子账号", "买家昵称", "方向", "内容"],
...     ["2026-10-03 09:00:05", "小美的衣橱:小王", "tb_abc", 1, "在吗"],
...     ["2026-10-03 09:00:40", "小美的衣橱:小王", "tb_abc", 0, "在的亲"], [], ]))
>>> [(m.time.strftime("%H:%M:%S"), m.from_buyer, m.where) for m in read.messages]
[('09:00:05', True, '聊天记录!A2'), ('09:00:40', False, '聊天记录!A3')]
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from xlreports.a1 import col_letter
from xlreports.errors import Problem
from xlreports.excel.read.source import SheetRows
from xlreports.model.cells import safe_text
from xlreports.model.chats import ChatMessage
from xlreports.model.fields import normalize_header

SHEET_NAME = "聊天记录"
MAX_PROBLEMS = 100  # a broken export lists this many rows, then a count
HEADER_SCAN = 20
COLUMNS: dict[str, tuple[str, ...]] = {
    "时间": ("时间", "发送时间", "消息时间", "聊天时间", "time"),
    "客服": ("客服", "客服账号", "子账号", "发送账号", "客服昵称", "旺旺子账号", "agent"),
    "买家": ("买家", "买家昵称", "客户名", "客户ID", "买家账号", "买家旺旺", "客户", "buyer"),
    "发送方": ("发送方", "方向", "账号类型", "发送者类型", "消息方向", "sender"),
    "内容": ("内容", "消息内容", "聊天内容", "content"),
}
REQUIRED = ("时间", "客服", "买家", "发送方")
_ALIAS = {normalize_header(a): name for name, aliases in COLUMNS.items() for a in aliases}
# side word → (from_buyer, robot)
SIDES = {"客服": (False, False), "卖家": (False, False), "商家": (False, False), "seller": (False, False),
         "agent": (False, False), "0": (False, False), "买家": (True, False), "客户": (True, False),
         "顾客": (True, False), "buyer": (True, False), "1": (True, False), "机器人": (False, True),
         "自动回复": (False, True), "robot": (False, True)}
SIDE_WORDS = "客服、买家、机器人（或 方向 0 = 客服发给买家、1 = 买家发给客服）"
# System notices, not messages (DOMAIN §12).
SYSTEM = re.compile(r"^\s*(?:由\s*\S.*转交给\s*\S.*|.*撤回了一条消息\s*|当前用户来自.*|已读|未读)\s*$")
_TIME = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?")
_EXCEL_EPOCH = datetime(1899, 12, 30)


@dataclass
class ChatRead:
    """What a chat reader found: the messages, the errors (located), what was skipped (reason → count)."""
    messages: list[ChatMessage] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    extra_problems: int = 0  # errors beyond MAX_PROBLEMS, counted only

    def fail(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.extra_problems += 1

    def add(self, other: "ChatRead") -> None:
        self.messages += other.messages
        for p in other.problems:
            self.fail(p)
        self.extra_problems += other.extra_problems
        self.skipped.update(other.skipped)


def parse_time(value: object) -> datetime | None:
    """A message time from a cell: a datetime, an Excel serial number, or text "2026-10-03 09:00:05"
    (also 2026/10/3 9:00, 2026年10月3日 9:00:05); None when it is none of these.

    >>> parse_time("2026/10/3 9:00"), parse_time(46298.5), parse_time("昨天")
    (datetime.datetime(2026, 10, 3, 9, 0), datetime.datetime(2026, 10, 3, 12, 0), None)
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if not 1 <= value < 2958466:  # 1900-01-01 … 9999-12-31
            return None
        return _EXCEL_EPOCH + timedelta(seconds=round(float(value) * 86400))
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    m = _TIME.fullmatch(text)
    if not m:
        return None
    try:
        return datetime(*(int(g or 0) for g in m.groups()))
    except ValueError:
        return None


def side_of(value: object) -> tuple[bool, bool] | None:
    """(from_buyer, robot) for a 发送方 / 方向 / 账号类型 cell; None when it is none of the words.

    >>> side_of("买家"), side_of(0), side_of(" 机器人 "), side_of("x")
    ((True, False), (False, False), (False, True), None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return SIDES.get(normalize_header(str(value)))


def _find_header(rows: list[list[object]]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(rows[:HEADER_SCAN]):
        cols: dict[str, int] = {}
        for j, cell in enumerate(row):
            name = _ALIAS.get(normalize_header(cell)) if isinstance(cell, str) else None
            if name and name not in cols:
                cols[name] = j
        if all(c in cols for c in REQUIRED):
            return i, cols
    return None


def is_chat_table(rows: SheetRows) -> bool:
    """Whether a sheet's first rows hold a chat header (时间, 客服, 买家, 发送方 by any alias)."""
    return _find_header(rows.rows) is not None


def read_chat_table(rows: SheetRows, where: str | None = None) -> ChatRead:
    """The messages of one sheet (``where``: how cells are named, default the sheet's name).

    Every row that cannot be read is a problem naming its cell; nothing is raised here, so the
    job reports the problems of every source at once."""
    label = where or rows.sheet
    out = ChatRead()
    found = _find_header(rows.rows)
    if found is None:
        out.fail(Problem(label, None, "找不到聊天记录的表头：需要「时间」「客服」「买家」「发送方」四列"
                                      "（也可写作 发送时间、子账号、买家昵称、方向 或 账号类型）"))
        return out
    head, cols = found
    t, a, b, s = (cols[c] for c in REQUIRED)
    c = cols.get("内容")
    width = max(cols.values()) + 1
    names: dict[object, str] = {}  # a few hundred accounts and buyers repeat over 100,000s of rows
    sides: dict[object, tuple[bool, bool] | None] = {}
    for i in range(head + 1, len(rows.rows)):
        row = rows.rows[i]
        if len(row) < width:
            row = row + [None] * (width - len(row))
        if not row[t] and all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            out.skipped["空行"] += 1
            continue
        content = "" if c is None or row[c] is None else safe_text(str(row[c])).strip()
        if content and SYSTEM.match(content):
            out.skipped["系统消息"] += 1
            continue
        n = i + 1
        time = parse_time(row[t])
        key = row[s]
        side = sides[key] if key in sides else sides.setdefault(key, side_of(key))
        agent = names[row[a]] if row[a] in names else names.setdefault(row[a], _name(row[a]))
        buyer = names[row[b]] if row[b] in names else names.setdefault(row[b], _name(row[b]))
        bad = False
        if time is None:
            out.fail(Problem(label, f"{col_letter(t + 1)}{n}", "应为时间，如 2026-10-03 09:00:05", _shown(row[t])))
            bad = True
        if side is None:
            out.fail(Problem(label, f"{col_letter(s + 1)}{n}", f"应为 {SIDE_WORDS}", _shown(row[s])))
            bad = True
        for col, value, what in ((a, agent, "客服账号"), (b, buyer, "买家")):
            if not value:
                out.fail(Problem(label, f"{col_letter(col + 1)}{n}", f"缺少{what}"))
                bad = True
        if not bad:
            out.messages.append(ChatMessage(time, agent, buyer, side[0], content, side[1], f"{label}!A{n}"))
    return out


def _name(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return safe_text(str(value), one_line=True)


def _shown(value: object) -> object:
    return safe_text(str(value), one_line=True)[:40] if value is not None else ""
