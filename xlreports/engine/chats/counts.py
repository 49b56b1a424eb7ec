"""Per agent per day counts from conversations (DOMAIN §12): 接待/回复/未回复人数, 首次/平均响应 as
totals and counts, 答问比's message counts and 询单人数. A buyer counts once per agent per day.

>>> from datetime import datetime
>>> from xlreports.model.chats import ChatMessage, ChatRules
>>> from xlreports.engine.chats.conversations import build_conversations
>>> t = lambda m: datetime(2026, 10, 3, 9, m)
>>> convs = build_conversations([ChatMessage(t(0), "店:小王", "b", True),
...                              ChatMessage(t(3), "店:小王", "b", False)], ChatRules())
>>> tally, inquiries = day_counts(convs, {})
>>> row = tally[("店:小王", t(0).date())]
>>> row["received"], row["replied"], row["first_response_total"], row["inquiries"]
(1, 1, 180.0, 1)
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from xlreports.model.chats import AgentDay, Conversation

#: The AgentDay fields that are summed (days → month).
SUMMED = tuple(f for f in AgentDay.__dataclass_fields__ if f not in ("agent", "day"))

Tally = dict[str, float]


def new_tally() -> Tally:
    """All summed fields at zero (sales a float, the rest ints)."""
    return {f: (0.0 if f in ("first_response_total", "response_total", "sales") else 0) for f in SUMMED}


def add_conversation(row: Tally, conv: Conversation) -> None:
    """Add one conversation's own figures (not the per-buyer ones) to its day's row."""
    row["conversations"] += 1
    for m, auto in zip(conv.messages, conv.auto):
        if m.from_buyer:
            row["buyer_messages"] += 1
        elif not auto:
            row["agent_messages"] += 1
    if conv.first_response is not None:
        row["first_response_total"] += conv.first_response
        row["first_response_count"] += 1
    for turn in conv.turns:
        if not turn.timed:
            continue
        if turn.wait_seconds is None:
            row["unanswered_turns"] += 1
        else:
            row["response_total"] += turn.wait_seconds
            row["response_count"] += 1


def buyer_day(convs: list[Conversation]) -> tuple[datetime | None, bool, bool]:
    """One buyer with one agent on one day: (first buyer message, replied, answered).

    Replied: a non-auto agent message came after the first buyer message (any conversation that
    day); answered: some conversation that day answered a buyer message (a turn with an answer)."""
    first: datetime | None = None
    replied = False
    for conv in convs:
        for m, auto in zip(conv.messages, conv.auto):
            if m.from_buyer:
                if first is None:
                    first = m.time
            elif first is not None and not auto:
                replied = True
                break
        if replied:
            break
    return first, replied, any(c.answered for c in convs)


def day_counts(conversations: Iterable[Conversation], first_orders: dict[tuple[str, date], datetime]
               ) -> tuple[dict[tuple[str, date], Tally], dict[tuple[str, str], list[tuple[date, datetime]]]]:
    """(agent, day) → tally, and the 询单 found: (agent, buyer) → [(day, last conversation end), …]
    in day order. ``first_orders`` is (buyer, day) → the buyer's first order created that day: a buyer
    whose first message that day came at or after it is 售中/售后, not 询单."""
    tally: dict[tuple[str, date], Tally] = defaultdict(new_tally)
    per_buyer: dict[tuple[str, date, str], list[Conversation]] = defaultdict(list)
    for conv in conversations:
        add_conversation(tally[(conv.agent, conv.day)], conv)
        per_buyer[(conv.agent, conv.day, conv.buyer)].append(conv)
    inquiries: dict[tuple[str, str], list[tuple[date, datetime]]] = defaultdict(list)
    for (agent, day, buyer), convs in sorted(per_buyer.items()):
        first, replied, answered = buyer_day(convs)
        if first is None:  # only agent messages (e.g. 催付): nobody received
            continue
        row = tally[(agent, day)]
        row["received"] += 1
        row["replied" if replied else "unreplied"] += 1
        ordered = first_orders.get((buyer, day))
        if answered and (ordered is None or first < ordered):
            row["inquiries"] += 1
            inquiries[(agent, buyer)].append((day, max(c.end for c in convs)))
    return tally, inquiries


__all__ = ["SUMMED", "Tally", "add_conversation", "buyer_day", "day_counts", "new_tally"]
