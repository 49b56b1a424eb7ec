"""Arithmetic that matches Excel's, so the engine and the sheet agree to the cent.

>>> excel_round(2.675, 2)
2.68
>>> excel_round(-0.5, 0)
-1.0
>>> steps(0.15, 0.05)
3
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def excel_round(value: float, digits: int = 2) -> float:
    """Excel's ROUND: half away from zero on the number as Excel shows it (15 significant digits)."""
    shown = Decimal(f"{value:.15g}")
    return float(shown.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def steps(distance: float, step: float) -> int:
    """Full steps in a distance: INT(ROUND(distance/step, 9)) — the ROUND keeps 0.15/0.05 at 3, not 2.999…"""
    return math.floor(round(distance / step, 9))


def compare(value: float, op: str, threshold: float) -> bool:
    """``value op threshold`` for the four comparison operators of the scheme."""
    if op == ">=":
        return value >= threshold
    if op == ">":
        return value > threshold
    if op == "<=":
        return value <= threshold
    if op == "<":
        return value < threshold
    raise ValueError(op)
