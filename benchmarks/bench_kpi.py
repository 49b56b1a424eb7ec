"""Benchmark of ``xlreports kpi``: a month of a 20-agent shop (~300,000 messages, ~40,000 orders).

    python benchmarks/bench_kpi.py [--conversations 50000]

Writes the chats as a 聊天记录 .csv and the orders as a GBK export, then runs the whole job (read, compute,
lay out, write into a new workbook) in a child process and prints its wall time and peak memory.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from harness import cpu_line  # noqa: E402

CHILD = """
import json, sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
from harness import peak_mb
from xlreports.jobs.kpi import KpiOptions, kpi
t = time.perf_counter()
r = kpi({book!r}, KpiOptions(chats=[{chats!r}], orders=[{orders!r}], backup=False))
import resource
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"seconds": time.perf_counter() - t, "cpu": u.ru_utime + u.ru_stime, "peak_mb": peak_mb(), "messages": r.messages_read,
                  "orders": r.orders_read, "timings": r.timings}}))
"""


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--conversations", type=int, default=50000)
    args = p.parse_args()
    from xlreports.samples_chats import chat_month, write_chat_table, write_orders

    agents = tuple(f"客服{i:02d}" for i in range(20))
    msgs, orders = chat_month(conversations=args.conversations, agents=agents, order_rate=0.8)
    with tempfile.TemporaryDirectory() as tmp:
        chats, order_file = write_chat_table(Path(tmp) / "聊天记录.csv", msgs), write_orders(Path(tmp) / "订单.csv", orders)
        code = CHILD.format(root=str(HERE.parent), bench=str(HERE), book=str(Path(tmp) / "店铺.xlsx"),
                            chats=str(chats), orders=str(order_file))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        res = json.loads(out.stdout.strip().splitlines()[-1])
    print(cpu_line())
    print(f"kpi: {res['messages']:,} messages, {res['orders']:,} orders: {res['seconds']:.2f} s wall ({res['cpu']:.2f} s CPU incl. start-up), "
          f"peak {res['peak_mb']:.0f} MB; phases {json.dumps(res['timings'], ensure_ascii=False)}")


if __name__ == "__main__":
    main()
