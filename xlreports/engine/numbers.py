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


_REL_EPS = 2.0 ** -48  # LibreOffice's rtl::math::approxEqual (≈ 15 significant digits, as Excel)


def approx_equal(a: float, b: float) -> bool:
    """Equal as a spreadsheet compares: Excel and LibreOffice treat numbers that differ only in the
    last bits as equal (118.72/106 = 1.1199999999999999 is 1.12 to them, and to the shop owner).

    >>> approx_equal(118.72 / 106, 1.12), approx_equal(1.1199, 1.12)
    (True, False)
    """
    return a == b or abs(a - b) < max(abs(a), abs(b)) * _REL_EPS


def compare(value: float, op: str, threshold: float) -> bool:
    """``value op threshold`` for the four comparison operators of the scheme, with the spreadsheet's
    notion of equality (so a band edge reached by a division still counts as reached)."""
    equal = approx_equal(value, threshold)
    if op == ">=":
        return equal or value > threshold
    if op == ">":
        return not equal and value > threshold
    if op == "<=":
        return equal or value < threshold
    if op == "<":
        return not equal and value < threshold
    raise ValueError(op)
