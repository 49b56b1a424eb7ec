"""Phase timings that jobs report, so the benchmarks read them instead of re-enacting the job.

>>> clock = PhaseClock()
>>> clock.tick("读取")
>>> list(clock.laps)
['读取']
"""
from __future__ import annotations

import time


class PhaseClock:
    """Seconds spent in each named phase since the previous tick."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def tick(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now
