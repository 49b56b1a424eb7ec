"""聊天抽查: a seeded sample of each agent's conversations for the supervisor to score.

>>> from datetime import datetime
>>> from xlreports.model.chats import ChatKpis, ChatMessage, ChatRules
>>> from xlreports.engine.chats.conversations import build_conversations
>>> msgs = [ChatMessage(datetime(2026, 10, d, 9), "店:小王", "b", True) for d in range(1, 9)]
>>> kpis = ChatKpis(conversations=build_conversations(msgs, ChatRules()))
>>> picked = sample_conversations(kpis, ChatRules(sample_per_agent=3))
>>> [c.day.day for c in picked["店:小王"]] == [c.day.day for c in sample_conversations(kpis, ChatRules(sample_per_agent=3))["店:小王"]]
True
"""
from __future__ import annotations

import random
from collections import defaultdict

from xlreports.model.chats import ChatKpis, ChatRules, Conversation


def sample_conversations(kpis: ChatKpis, rules: ChatRules) -> dict[str, list[Conversation]]:
    """agent → up to ``rules.sample_per_agent`` of its conversations with a buyer message, in time
    order. Each agent draws from its own generator seeded by (``rules.sample_seed``, agent), so one
    agent's sample does not change when another agent's chats do, and the same data and seed always
    give the same sample."""
    pool: dict[str, list[Conversation]] = defaultdict(list)
    for conv in kpis.conversations:
        if any(m.from_buyer for m in conv.messages):
            pool[conv.agent].append(conv)
    out: dict[str, list[Conversation]] = {}
    for agent in sorted(pool):
        convs = sorted(pool[agent], key=lambda c: (c.start, c.buyer, c.end))
        rng = random.Random(f"{rules.sample_seed}:{agent}")
        picked = rng.sample(range(len(convs)), min(max(rules.sample_per_agent, 0), len(convs)))
        out[agent] = [convs[i] for i in sorted(picked)]
    return out


__all__ = ["sample_conversations"]
