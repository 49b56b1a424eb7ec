"""千牛's copied chat text (.txt) → :class:`ChatMessage` rows.

A header line per message holds the sender and "YYYY-MM-DD HH:MM:SS", in one of four forms::

    小美的衣橱:小王 2026-10-03 09:00:40        sender time
    [tb_abc] 2026-10-03 09:00:05              [sender] time
    tb_abc(2026-10-03 09:00:05):              sender(time):
    小美的衣橱:小王 --> tb_abc 2026-10-03 09:01:10   A --> B time

and the content is on the lines below it. A sender is the shop side when it looks like
"店铺名:子账号" (half- or full-width colon) or is one of 客服名册's 账号; anyone else is the buyer. Without
"A --> B", a message's other party is the one of the conversation around it: the latest buyer (or
agent) in the text, else the first that comes after it; "由 A 转交给 B" hands the buyer to B.
System lines ("由 … 转交给 …", "… 撤回了一条消息", "当前用户来自 …", 已读/未读) are no messages.

>>> text = "[tb_abc] 2026-10-03 09:00:05\\n在吗\\n已读\\n小美的衣橱:小王 2026-10-03 09:00:40\\n在的亲\\n"
>>> read = read_qianniu_text(text, "chat.txt")
>>> [(m.agent, m.buyer, m.from_buyer, m.content, m.where) for m in read.messages]
[('小美的衣橱:小王', 'tb_abc', True, '在吗', 'chat.txt:1'), ('小美的衣橱:小王', 'tb_abc', False, '在的亲', 'chat.txt:4')]
>>> dict(read.skipped)
{'系统消息': 1}
"""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Iterable

from xlreports.errors import Problem, XlreportsError
from xlreports.excel.read import csv_text
from xlreports.excel.read.chat_table import SYSTEM, ChatRead
from xlreports.excel.read.source import read_bytes
from xlreports.model.cells import safe_text
from xlreports.model.chats import ChatMessage

_T = r"(?P<t>\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}:\d{2})"
HEADERS = (
    re.compile(rf"^(?P<a>\S.*?)\s*-->\s*(?P<b>\S.*?)\s+{_T}\s*$"),
    re.compile(rf"^\[(?P<a>[^\]]+)\]\s*{_T}\s*$"),
    re.compile(rf"^(?P<a>\S.*?)\s*[(（]{_T}[)）]\s*[:：]?\s*$"),
    re.compile(rf"^(?P<a>\S.*?)\s+{_T}\s*$"),
)
_TRANSFER = re.compile(r"^\s*由\s*(?P<a>\S.*?)\s*转交给\s*(?P<b>\S.*?)\s*$")
_LOOKS_TIMED = re.compile(r"\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}:\d{2}\s*[)）]?\s*[:：]?\s*$")
_COLON = re.compile(r"\S[:：]\S")


def is_shop_side(name: str, accounts: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether a sender is the shop's: "店铺名:子账号" (either colon) or one of 客服名册's 账号.

    >>> is_shop_side("小美的衣橱：小王"), is_shop_side("tb_abc"), is_shop_side("小李", {"小李"})
    (True, False, True)
    """
    return bool(_COLON.search(name)) or name in accounts


def read_qianniu_file(path, accounts: Iterable[str] = ()) -> ChatRead:
    """A copied-text file (UTF-8, GBK or UTF-16), read as :func:`read_qianniu_text`."""
    path = Path(path)
    try:
        text = csv_text.decode(read_bytes(path))
    except csv_text.NotText:
        raise XlreportsError(f"{path.name} 不是文本文件（千牛聊天记录应为复制粘贴保存的 .txt）") from None
    return read_qianniu_text(text, path.name, accounts)


class _Message:
    __slots__ = ("line", "sender", "other", "time", "lines")

    def __init__(self, line: int, sender: str, other: str | None, time: datetime):
        self.line, self.sender, self.other, self.time = line, sender, other, time
        self.lines: list[str] = []


def read_qianniu_text(text: str, name: str, accounts: Iterable[str] = ()) -> ChatRead:
    """The messages of one copied text (``name`` names lines in problems: "chat.txt:12")."""
    accounts = frozenset(accounts)
    out = ChatRead()
    found: list[_Message] = []
    transfers: list[tuple[int, str]] = []  # (index of the next message, agent it goes to)
    current: _Message | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = safe_text(raw).rstrip()
        header = _header(line)
        if header is not None:
            sender, other, stamp = header
            try:
                time = datetime.strptime(re.sub(r"\s+", " ", stamp), "%Y-%m-%d %H:%M:%S")
            except ValueError:
                out.fail(Problem(f"{name}:{n}", None, "时间无效，应为 2026-10-03 09:00:05 这样的年-月-日 时:分:秒", stamp))
                current = None
                continue
            current = _Message(n, sender, other, time)
            found.append(current)
            continue
        if SYSTEM.match(line):
            out.skipped["系统消息"] += 1
            m = _TRANSFER.match(line)
            if m:
                transfers.append((len(found), m["b"]))
            continue
        if current is None:
            if line.strip():
                out.skipped["第一条消息之前的文字"] += 1
            continue
        current.lines.append(line)
    _resolve(found, transfers, accounts, name, out)
    return out


def _header(line: str) -> tuple[str, str | None, str] | None:
    if not _LOOKS_TIMED.search(line):
        return None
    for pattern in HEADERS:
        m = pattern.match(line)
        if m:
            other = m.groupdict().get("b")
            return m["a"].strip(), other.strip() if other else None, m["t"]
    return None


def _resolve(found: list[_Message], transfers: list[tuple[int, str]], accounts, name: str, out: ChatRead) -> None:
    """Give each message its agent and buyer: named on its line ("A --> B"), else the conversation's."""
    shop = [is_shop_side(m.sender, accounts) for m in found]
    agent_of: list[str | None] = [None] * len(found)
    buyer_of: list[str | None] = [None] * len(found)
    for i, m in enumerate(found):
        if m.other is not None:
            agent_of[i], buyer_of[i] = (m.sender, m.other) if shop[i] else (m.other, m.sender)
        elif shop[i]:
            agent_of[i] = m.sender
        else:
            buyer_of[i] = m.sender
    handed = dict(transfers)
    _fill(agent_of, handed)
    _fill(buyer_of, {})
    for i, m in enumerate(found):
        if agent_of[i] is None or buyer_of[i] is None:
            what = "客服账号" if agent_of[i] is None else "买家"
            out.fail(Problem(f"{name}:{m.line}", None, f"无法确定这条消息的{what}（文本中没有{what}的消息；"
                                         "请用「发送方 --> 接收方 时间」的格式或表格导出）", m.sender))
            continue
        content = "\n".join(m.lines).strip()
        out.messages.append(ChatMessage(m.time, agent_of[i], buyer_of[i], not shop[i], content, False,
                                        f"{name}:{m.line}"))


def _fill(names: list[str | None], handed: dict[int, str]) -> None:
    """Each gap takes the latest name before it (a hand-over from its index on), else the first after it."""
    last = None
    for i, value in enumerate(names):
        if i in handed:
            last = handed[i]
        if value is not None:
            last = value
        elif last is not None:
            names[i] = last
    first = next((v for v in names if v is not None), None)
    for i, value in enumerate(names):
        if value is not None:
            break
        names[i] = first
