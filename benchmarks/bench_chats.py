#!/usr/bin/env python3
"""Speed and memory of the chat-KPI engine on a month of a busy shop (issue 12, Speed).

    python benchmarks/bench_chats.py [--agents 20] [--messages 300000] [--orders 40000]
                                     [--repeat 3] [--seed 12]

Target for the whole ``kpi`` run (read + engine + sheets): under 10 s and 1 GB on the 2-core
machine, so the engine alone should take a few seconds at most. This prints figures; it asserts
nothing and exits 0 whether the target is met or not.

How it measures:
  * The data is generated in this process before any timing (October 2026, service 08:00–24:00
    mostly): conversations of 2–16 messages (buyer and agent taking turns, replies after 5–300 s,
    one in ten agent messages an auto-reply, a few conversations past midnight or after a long
    silence), one buyer in three chatting again on another day, a second agent for one buyer in
    twenty, 40,000 orders of which ~75 % come from chatting buyers (in the conversation, hours or
    days after it, and paid then or later) and the rest from silent buyers, refunds on 5 %.
  * ``chat_kpis`` runs ``--repeat`` times on the same lists; wall = perf_counter around the call,
    CPU = user+sys of the call; then ``sample_conversations`` once.
  * Memory: the process's resident set after generating the data (gc collected) and its peak
    (ru_maxrss) after the runs; the difference is what the engine added on top of its input.
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import cpu_line, fmt_range, peak_mb  # noqa: E402

from xlreports.engine.chats import chat_kpis, sample_conversations  # noqa: E402
from xlreports.model.chats import ChatMessage, ChatOrder, ChatRules  # noqa: E402

MONTH_START = datetime(2026, 10, 1)
WORDS = ("在吗", "这个有货吗", "什么时候发货", "能便宜点吗", "好的", "尺码怎么选", "谢谢", "包邮吗")
REPLIES = ("亲，在的", "有货的亲", "48小时内发货", "已经是最低价了哦", "按平时尺码拍就可以", "包邮的亲")


def rss_mb() -> float:
    """The current resident set in MB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def conversation(rng: random.Random, agent: str, buyer: str, start: datetime, size: int) -> list[ChatMessage]:
    """One conversation: the buyer opens, then buyer and agent take turns (sometimes two buyer
    messages in a row), agents sometimes send an auto-reply within a second."""
    out, t, from_buyer = [], start, True
    for _ in range(size):
        if from_buyer:
            out.append(ChatMessage(t, agent, buyer, True, rng.choice(WORDS)))
            if rng.random() < 0.1:
                out.append(ChatMessage(t + timedelta(seconds=1), agent, buyer, False, "【自动回复】您好，稍等"))
            from_buyer = rng.random() < 0.25  # another buyer message before the answer
            t += timedelta(seconds=rng.randint(5, 120))
        else:
            out.append(ChatMessage(t, agent, buyer, False, rng.choice(REPLIES)))
            from_buyer = True
            t += timedelta(seconds=rng.randint(5, 300) if rng.random() < 0.97 else rng.randint(1800, 4000))
    return out


def make_data(agents: int, messages: int, orders: int, seed: int) -> tuple[list[ChatMessage], list[ChatOrder]]:
    """A month of chats and orders for a shop of ``agents`` accounts (see the module docstring)."""
    rng = random.Random(seed)
    names = [f"小美的衣橱:客服{i + 1:02d}" for i in range(agents)]
    msgs: list[ChatMessage] = []
    visits: list[tuple[str, datetime]] = []
    n = 0
    while len(msgs) < messages:
        n += 1
        buyer = f"tb_{rng.randrange(messages // 6):07d}"
        start = MONTH_START + timedelta(days=rng.randrange(31), seconds=rng.randint(7 * 3600, 86400 - 60))
        agent = rng.choice(names)
        msgs += conversation(rng, agent, buyer, start, rng.randint(2, 16))
        if rng.random() < 0.05:  # transferred to a second agent
            msgs += conversation(rng, rng.choice(names), buyer, start + timedelta(minutes=3), rng.randint(2, 6))
        visits.append((buyer, start))
    del msgs[messages:]
    out: list[ChatOrder] = []
    for i in range(orders):
        if rng.random() < 0.75:
            buyer, start = rng.choice(visits)
            created = start + timedelta(seconds=rng.choice((rng.randint(60, 1200), rng.randint(3600, 60 * 3600))))
        else:
            buyer = f"silent_{rng.randrange(orders):06d}"
            created = MONTH_START + timedelta(seconds=rng.randrange(31 * 86400))
        paid = created + timedelta(seconds=rng.choice((30, 300, 7200, 30 * 3600))) if rng.random() < 0.9 else None
        amount = round(rng.uniform(20, 600), 2) if paid else 0.0
        refund = round(amount * rng.choice((0.3, 1.0)), 2) if paid and rng.random() < 0.05 else 0.0
        out.append(ChatOrder(f"{2600000000000000 + i}", buyer, created, paid, amount, refund))
    rng.shuffle(msgs)  # exports are not sorted the way the engine needs
    return msgs, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", type=int, default=20)
    ap.add_argument("--messages", type=int, default=300_000)
    ap.add_argument("--orders", type=int, default=40_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args(argv)

    print(cpu_line())
    t0 = time.perf_counter()
    msgs, orders = make_data(args.agents, args.messages, args.orders, args.seed)
    gc.collect()
    print(f"data: {len(msgs):,} messages, {len(orders):,} orders, {args.agents} agents "
          f"(generated in {time.perf_counter() - t0:.1f} s); RSS with the data {rss_mb():.0f} MB")
    rules = ChatRules()
    walls, cpus = [], []
    kpis = None
    for _ in range(max(1, args.repeat)):
        kpis = None
        gc.collect()
        c0, w0 = time.process_time(), time.perf_counter()
        kpis = chat_kpis(msgs, orders, rules)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    w0 = time.perf_counter()
    picked = sample_conversations(kpis, rules)
    sample_wall = time.perf_counter() - w0
    silent = sum(1 for c in kpis.credits if c.agent is None)
    print(f"result: {len(kpis.conversations):,} conversations, {len(kpis.days):,} agent-days, "
          f"{len(kpis.credits):,} credits ({silent:,} 静默), {sum(len(v) for v in picked.values())} sampled")
    print(f"chat_kpis wall s (min/median of {len(walls)}): {fmt_range(walls)}; "
          f"CPU s median {statistics.median(cpus):.2f}")
    print(f"sample_conversations wall s: {sample_wall:.3f}")
    print(f"peak RSS (data + engine): {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
