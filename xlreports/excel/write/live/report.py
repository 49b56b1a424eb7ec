"""What a live render did and had to skip, and the helpers for calls that may fail in Excel.

>>> r = LiveRender(); r.skip("冻结窗格：仅 Windows"); r.skip("冻结窗格：仅 Windows"); r.skipped
['冻结窗格：仅 Windows']
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["LiveRender", "default_com", "safe", "why"]


@dataclass
class LiveRender:
    """What :func:`~xlreports.excel.write.live.book.apply_workbook_spec` did: the tabs written
    and the features it had to skip ("冻结窗格（考核汇总）: reason", each once)."""

    sheets: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def skip(self, what: str) -> None:
        """Note a skipped feature (once)."""
        if what not in self.skipped:
            self.skipped.append(what)


def default_com() -> bool:
    """Whether ``.api`` is the Windows COM object model (the only one the live writer drives).

    >>> default_com() == sys.platform.startswith("win")
    True
    """
    return sys.platform.startswith("win")


def safe(fn: Callable[[], Any], default: Any = None) -> Any:
    """``fn()``, or ``default`` when Excel refuses (used only where a refusal changes nothing).

    >>> safe(lambda: 1 / 0, "n/a")
    'n/a'
    """
    try:
        return fn()
    except Exception:
        return default


def why(e: Exception) -> str:
    """The first line of an error, short enough for a message box.

    >>> why(ValueError("no printer\\ndetails")), why(KeyError())
    ('no printer', 'KeyError')
    """
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:120]
