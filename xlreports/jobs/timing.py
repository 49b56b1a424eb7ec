"""Phase timings that jobs report, so the benchmarks read them instead of re-enacting the job; and
the phase listeners a progress display subscribes to (``phase_listener``).

>>> clock = PhaseClock()
>>> seen = []
>>> with phase_listener(seen.append):
...     clock.tick("读取")
>>> list(clock.laps), seen
(['读取'], ['读取'])
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Callable, Iterator

_listeners: list[Callable[[str], None]] = []


@contextmanager
def phase_listener(listener: Callable[[str], None]) -> Iterator[None]:
    """Call ``listener(phase)`` each time any job's clock finishes a phase, inside the block."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


class PhaseClock:
    """Seconds spent in each named phase since the previous tick."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def tick(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self.last
        self.last = now
        for listener in list(_listeners):
            listener(name)
