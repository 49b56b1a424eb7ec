"""A one-line progress bar on the terminal for long runs: the phase under way (读取订单, 计算, 排版,
写入), a bar of the phases done and the seconds so far.

Shown only when the stream is a terminal, only after ``SHOW_AFTER`` seconds (a quick run stays
silent), and wiped when the run ends, so the report printed after it stays clean. Hand-written:
the phases are few and coarse, and a library (tqdm, rich) would bring a dependency for one line.

>>> import io
>>> out = io.StringIO()  # not a terminal: nothing is ever written
>>> with PhaseProgress(out, ARCHIVE_PHASES) as p:
...     p.done("读取订单")
>>> out.getvalue()
''
"""
from __future__ import annotations

import threading
import time
from typing import IO, Sequence

SHOW_AFTER = 2.0  # seconds: runs shorter than this show nothing
REFRESH = 0.2
WIDTH = 24  # bar cells
# (phase, share of a typical run): a 1M-order run spends most of its time reading and writing
ARCHIVE_PHASES = (("读取订单", 0.45), ("读取工作簿", 0.05), ("计算", 0.2), ("排版", 0.05), ("写入", 0.25))
APPRAISE_PHASES = (("read", 0.4), ("engine", 0.2), ("layout", 0.1), ("write", 0.3))
LABELS = {"read": "读取数据", "engine": "计算", "layout": "排版", "write": "写入"}


def bar_line(phases: Sequence[tuple[str, float]], finished: int, seconds: float, spin: int = 0) -> str:
    """The line for ``finished`` phases done, ``seconds`` in.

    >>> bar_line(ARCHIVE_PHASES, 2, 3.04)
    '[████████████░░░░░░░░░░░░] 计算 | 3.0 秒'
    >>> bar_line(ARCHIVE_PHASES, 5, 7.0)
    '[████████████████████████] 完成 | 7.0 秒'
    """
    total = sum(w for _, w in phases) or 1.0
    filled = round(WIDTH * sum(w for _, w in phases[:finished]) / total)
    name = LABELS.get(phases[finished][0], phases[finished][0]) if finished < len(phases) else "完成"
    mark = "|/-\\"[spin % 4]
    return f"[{'█' * filled}{'░' * (WIDTH - filled)}] {name} {mark} {seconds:.1f} 秒"


class PhaseProgress:
    """The bar for one run; ``done(phase)`` when a phase ends (phases not listed are ignored).

    ``enabled`` False (``--quiet``) or a stream that is not a terminal: silent."""

    def __init__(self, stream: IO[str], phases: Sequence[tuple[str, float]], enabled: bool = True,
                 show_after: float | None = None):
        self.stream, self.phases = stream, list(phases)
        isatty = getattr(stream, "isatty", None)
        self.enabled = enabled and bool(isatty and isatty())
        self.show_after = SHOW_AFTER if show_after is None else show_after
        self.finished = 0
        self.start = time.perf_counter()
        self.shown = False
        self.spin = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "PhaseProgress":
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="xlreports-progress", daemon=True)
            self._thread.start()
        return self

    def done(self, phase: str) -> None:
        names = [p for p, _ in self.phases]
        if phase in names:
            with self._lock:
                self.finished = max(self.finished, names.index(phase) + 1)
            self._draw()

    def _run(self) -> None:
        while not self._stop.wait(REFRESH):
            self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        seconds = time.perf_counter() - self.start
        if seconds < self.show_after:
            return
        with self._lock:
            self.spin += 1
            self.stream.write("\r" + bar_line(self.phases, self.finished, seconds, self.spin))
            self.stream.flush()
            self.shown = True

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.shown:
            with self._lock:
                self.stream.write("\r" + " " * (WIDTH + 30) + "\r")  # wiped: the report follows on a clean line
                self.stream.flush()
