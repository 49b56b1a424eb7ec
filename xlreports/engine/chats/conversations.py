"""Messages → conversations (DOMAIN §12 Filters and Conversations): drop the shop's own buyer
accounts, mark auto-replies, split each buyer–agent stream at silences and midnight, and cut each
conversation into 对话轮次 with their waits inside service hours.

>>> from datetime import datetime
>>> from xlreports.model.chats import ChatMessage, ChatRules
>>> t = lambda h, m, s=0: datetime(2026, 10, 3, h, m, s)
>>> msgs = [ChatMessage(t(9, 0), "店:小王", "b", True), ChatMessage(t(9, 0, 1), "店:小王", "b", False),
...         ChatMessage(t(9, 2), "店:小王", "b", False)]
>>> [c] = build_conversations(msgs, ChatRules())
>>> c.auto, c.first_response, len(c.turns)
((False, True, False), 120.0, 1)
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from xlreports.model.chats import ChatMessage, ChatRules, Conversation, Turn


def message_key(m: ChatMessage) -> tuple:
    """Sort key within one stream: time, then the buyer's message before an agent's of the same
    second, then the rest of the row so that equal times sort the same whatever the input order."""
    return (m.time, not m.from_buyer, m.content, m.robot, m.where)


def clock(text: str) -> float:
    """Seconds after midnight of "HH:MM" ("24:00" is the day's end).

    >>> clock("08:30"), clock("24:00")
    (30600.0, 86400.0)
    """
    hours, _, minutes = text.strip().partition(":")
    return int(hours) * 3600.0 + int(minutes or 0) * 60.0


def in_service_hours(when: datetime, start: float, end: float) -> bool:
    """Whether a message falls in service hours [start, end) (seconds after midnight; start > end
    means hours across midnight).

    >>> in_service_hours(datetime(2026, 10, 3, 7, 59), clock("08:00"), clock("24:00"))
    False
    """
    t = when.hour * 3600 + when.minute * 60 + when.second + when.microsecond / 1e6
    return start <= t < end if start <= end else (t >= start or t < end)


def is_auto(m: ChatMessage, last_buyer: datetime | None, rules: ChatRules) -> bool:
    """An agent message that is an auto-reply: robot account, a listed content prefix, or sent
    within ``auto_within_seconds`` of the buyer's latest message.

    >>> is_auto(ChatMessage(datetime(2026, 10, 3), "店:小王", "b", False, "【自动回复】您好"), None, ChatRules())
    True
    """
    if m.robot or (rules.auto_prefixes and m.content.lstrip().startswith(tuple(rules.auto_prefixes))):
        return True
    return last_buyer is not None and (m.time - last_buyer).total_seconds() <= rules.auto_within_seconds


def streams(messages: Iterable[ChatMessage], rules: ChatRules) -> dict[tuple[str, str], list[ChatMessage]]:
    """(agent, buyer) → that pair's messages in time order; the shop's own buyer accounts are dropped."""
    ignored = set(rules.shop_accounts)
    out: dict[tuple[str, str], list[ChatMessage]] = defaultdict(list)
    for m in messages:
        if m.buyer not in ignored:
            out[(m.agent, m.buyer)].append(m)
    for stream in out.values():
        stream.sort(key=message_key)
    return out


def split_stream(stream: list[ChatMessage], rules: ChatRules) -> list[list[ChatMessage]]:
    """Cut one time-ordered stream after ``session_gap_minutes`` of silence (more than the gap; a
    gap of exactly the setting keeps the conversation) and, if set, where the date changes."""
    gap = timedelta(minutes=rules.session_gap_minutes)
    parts: list[list[ChatMessage]] = []
    current: list[ChatMessage] = []
    for m in stream:
        if current:
            last = current[-1].time
            if m.time - last > gap or (rules.split_at_midnight and m.time.date() != last.date()):
                parts.append(current)
                current = []
        current.append(m)
    if current:
        parts.append(current)
    return parts


def conversation(part: list[ChatMessage], rules: ChatRules, hours: tuple[float, float]) -> Conversation:
    """One conversation with its auto-reply marks, turns and first response.

    A turn is a run of buyer messages up to the next non-auto agent message (auto-replies neither
    answer nor end it). It is timed from its first buyer message inside service hours; a run with
    none inside is not timed. 首次响应 is the first turn's wait, when that turn is timed."""
    auto: list[bool] = []
    turns: list[Turn] = []
    last_buyer: datetime | None = None
    run_first: datetime | None = None  # first buyer message of the open run
    run_timed: datetime | None = None  # first buyer message of the run inside service hours
    run_count = 0
    for m in part:
        if m.from_buyer:
            auto.append(False)
            last_buyer = m.time
            if run_count == 0:
                run_first = m.time
            run_count += 1
            if run_timed is None and in_service_hours(m.time, *hours):
                run_timed = m.time
            continue
        flag = is_auto(m, last_buyer, rules)
        auto.append(flag)
        if flag or run_count == 0:
            continue
        start = run_timed or run_first
        wait = (m.time - run_timed).total_seconds() if run_timed else None
        turns.append(Turn(start, run_count, wait, run_timed is not None, m.time))
        run_first, run_timed, run_count = None, None, 0
    if run_count:
        turns.append(Turn(run_timed or run_first, run_count, None, run_timed is not None, None))
    first = turns[0].wait_seconds if turns and turns[0].timed else None
    return Conversation(part[0].agent, part[0].buyer, part[0].time, part[-1].time, tuple(part),
                        tuple(turns), first, tuple(auto))


def build_conversations(messages: Iterable[ChatMessage], rules: ChatRules) -> list[Conversation]:
    """Every conversation, ordered by agent, start and buyer."""
    hours = (clock(rules.service_start), clock(rules.service_end))
    out = [conversation(part, rules, hours)
           for stream in streams(messages, rules).values() for part in split_stream(stream, rules)]
    out.sort(key=lambda c: (c.agent, c.start, c.buyer))
    return out


__all__ = ["build_conversations", "clock", "conversation", "in_service_hours", "is_auto", "message_key",
           "split_stream", "streams"]
