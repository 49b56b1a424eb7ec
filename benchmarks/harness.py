"""What both benchmarks share: peak memory of this process, the machine line, min/median figures,
and the error of a measured child process."""
from __future__ import annotations

import os
import platform
import statistics
import sys


def peak_mb() -> float:
    """Peak RSS of this process in MB (Linux reports KB, macOS bytes)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def cpu_line() -> str:
    """'machine: x86_64 Linux …, nproc 2 (cpu_count 2), Python 3.11.7'."""
    cpus = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cpus
    return (f"machine: {platform.machine()} {platform.system()} {platform.release()}, nproc {usable} "
            f"(cpu_count {cpus}), Python {platform.python_version()}")


def fmt_range(values: list[float], fmt: str = "{:.2f}") -> str:
    """'min/median'."""
    return f"{fmt.format(min(values))}/{fmt.format(statistics.median(values))}"


class ChildFailed(RuntimeError):
    """A measured child process that exited non-zero (or timed out: code 'timeout')."""

    def __init__(self, mode: str, code, stderr: str):
        super().__init__(f"{mode} child {'timed out' if code == 'timeout' else f'exited with {code}'}")
        self.mode, self.code, self.stderr = mode, code, stderr
