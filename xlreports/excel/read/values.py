"""Cell text as exports write it: Excel's text protections, blank tokens, numbers written as text.

The one parser of numbers written as text, shared by the table reader (agent data, one value at
a time) and the order reader (whole columns: only the cells polars' plain cast rejects come here).

>>> parse_number("1,234.50"), parse_number('="123"'), parse_number("75%"), parse_number("１２３．５")
((1234.5, False), (123, False), (0.75, True), (123.5, False))
>>> parse_number("￥-34元"), parse_number("N/A")
((-34, False), (None, False))
"""
from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from xlreports.model.cells import MAX_NUMBER

# Text that means "no value" in exports and hand-kept sheets (compared lower-cased, after unwrapping).
BLANK_TOKENS = frozenset({"", "-", "--", "—", "/", "null", "n/a", "#n/a", "#div/0!"})
NOT_A_NUMBER = "应为数字"
NOT_THOUSANDS = "应为数字（逗号只能作千位分隔符，如 1,234.50；小数点请用“.”）"
TOO_LARGE = "应为数字（数值超出范围）"

# A comma is read as a thousands separator only where it is one: 1–3 digits, then groups of exactly 3.
_GROUPED = re.compile(r"[+-]?[¥$]?[+-]?\d{1,3}(,\d{3})+(\.\d*)?(%|元)?")

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_SPACE = re.compile(r"\s+")
_FORMULA_TEXT = re.compile(r'="(.*)"', re.S)


def unwrap(text: str) -> str:
    """Strip Excel's text protections: ="3268" → 3268, '182 → 182 (and outer spaces).

    >>> unwrap(' ="32""68" '), unwrap("'182")
    ('32"68', '182')
    """
    s = text.strip()
    m = _FORMULA_TEXT.fullmatch(s)
    if m:
        s = m.group(1).replace('""', '"')
    elif s.startswith("'"):
        s = s[1:]
    return s.strip()


def folded(text: str) -> str:
    """Text unwrapped and NFKC-folded (full-width digits, ％, ， and ￥ become ASCII / ¥).

    >>> folded("'１２％")
    '12%'
    """
    return unicodedata.normalize("NFKC", unwrap(text)).strip()


def is_blank(text: str) -> bool:
    """Whether text written in a cell means "no value" ("", "-", "null", "N/A", "#DIV/0!" …).

    >>> is_blank(" NULL "), is_blank("0")
    (True, False)
    """
    return text.strip().lower() in BLANK_TOKENS


def blank_token_spellings() -> list[str]:
    """The blank tokens as they are written (lower, upper and title case), for exact matching of whole columns.

    >>> "N/A" in blank_token_spellings() and "Null" in blank_token_spellings()
    True
    """
    return sorted({v for t in BLANK_TOKENS for v in (t, t.upper(), t.title())})


def parse_number(text: str) -> tuple[int | float | None, bool]:
    """(number, written as percent) of a number written as text; (None, False) for a blank token.

    Accepted: thousands separators (``1,234.50``, full-width ``，``), spaces, full-width digits,
    Excel's text protections (``="123"``, ``'182``), a leading currency sign (``¥``, ``￥``, ``$``),
    a trailing ``元``, a trailing ``%`` (75% → 0.75), the minus sign ``−``. Integers stay int.
    Anything else (``nan``, ``12元件``, ``三十四``) raises ValueError("应为数字").

    >>> parse_number("-3"), parse_number(" 1 234 "), parse_number("75.5 %")
    ((-3, False), (1234, False), (0.755, True))
    """
    s = folded(text)
    if s.lower() in BLANK_TOKENS:
        return None, False
    s = _SPACE.sub("", s.replace("−", "-"))
    if "," in s:
        if not _GROUPED.fullmatch(s):  # "205216,36" is a decimal comma, or a typo: never 20,521,636
            raise ValueError(NOT_THOUSANDS)
        s = s.replace(",", "")
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    sign = ""
    if s[:1] in ("+", "-"):
        sign, s = s[0], s[1:]
    if s[:1] in ("¥", "$"):
        s = s[1:]
        if not sign and s[:1] in ("+", "-"):  # ¥-34
            sign, s = s[0], s[1:]
    if s.endswith("元") and not percent:
        s = s[:-1]
    s = sign + s
    if not _NUMBER.fullmatch(s):
        raise ValueError(NOT_A_NUMBER)
    try:
        number = float(Decimal(s) / 100) if percent else (int(s) if _INTEGER.fullmatch(s) else float(Decimal(s)))
    except (InvalidOperation, OverflowError):
        raise ValueError(TOO_LARGE) from None
    if isinstance(number, float) and not math.isfinite(number) or abs(number) > MAX_NUMBER:
        raise ValueError(TOO_LARGE)  # "1e999" is no figure anyone typed for an agent or an order
    return number, percent
