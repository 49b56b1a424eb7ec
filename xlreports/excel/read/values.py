"""Cell text as exports write it: Excel's text protections, blank tokens, numbers written as text.

The one parser of numbers written as text, shared by the table reader (agent data, one value at
a time) and the order reader (whole columns: only the cells polars' plain cast rejects come here);
the parsers of durations (seconds, "1:30", "1分30秒") and of rate columns (0.99, "99%", 99) built on it.

>>> parse_number("1,234.50"), parse_number('="123"'), parse_number("75%"), parse_number("１２３．５")
((1234.5, False), (123, False), (0.75, True), (123.5, False))
>>> parse_number("￥-34元"), parse_number("N/A")
((-34, False), (None, False))
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
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


# ---------------------------------------------------------------- typed scores

NOT_A_SCORE = "应为分数（数字，如 8 或 8.5）"
_SCORE_UNIT = re.compile(r"(分|points?|pts?)$", re.I)


def parse_score(value: object) -> int | float | None:
    """A score as people type it on a form: a number, or text such as "9分", "９", " 9 ", "8.5 分" (None: blank).
    A percent or anything else raises ValueError(NOT_A_SCORE).

    >>> [parse_score(v) for v in ("9分", "９", " 9 ", "8.5 分", 7, None, "", "１０分")]
    [9, 9, 9, 8.5, 7, None, None, 10]
    """
    if isinstance(value, str):
        text = _SPACE.sub("", folded(value))
        if text.lower() in BLANK_TOKENS:
            return None
        text = _SCORE_UNIT.sub("", text)
        try:
            number, percent = parse_number(text) if text else (None, True)
        except ValueError:
            raise ValueError(NOT_A_SCORE) from None
        if percent or number is None:
            raise ValueError(NOT_A_SCORE)
        return number
    try:
        return number_cell(value)[0]
    except ValueError:
        raise ValueError(NOT_A_SCORE) from None


# ---------------------------------------------------------------- durations

NOT_A_DURATION = "应为时长（秒），如 90、1:30、00:01:30、1分30秒 或 1.5分钟"
_CLOCK = re.compile(r"(\d+):([0-5]?\d)(?::([0-5]?\d))?(\.\d+)?")  # m:ss or h:mm:ss, optional fraction
_UNITS = re.compile(r"(?:(\d+(?:\.\d+)?)(?:小时|时|h|hr|hrs|hours?))?"
                    r"(?:(\d+(?:\.\d+)?)(?:分钟|分|min|mins|minutes?|m))?"
                    r"(?:(\d+(?:\.\d+)?)(?:秒钟|秒|s|sec|secs|seconds?))?")


def _whole(seconds: Decimal) -> int | float:
    return int(seconds) if seconds == seconds.to_integral_value() else float(seconds)


def parse_duration(value: object) -> int | float | None:
    """Seconds of a duration however an export writes it; None when blank; ValueError (Chinese) otherwise.

    A number is seconds. Text: a number of seconds ("90", "90秒", "90s"), units ("1分30秒",
    "1.5分钟", "1小时2分", "2m30s"), a clock ("1:30" is minutes:seconds — response times are
    seconds to minutes —, "00:01:30" hours:minutes:seconds). A time or timedelta cell (Excel's own
    time format, where a typed 1:30 means 1 h 30 min) is its length.

    >>> [parse_duration(v) for v in (90, "00:01:30", "1:30", "1分30秒", "90秒", "1.5分钟", " ", "2m30s")]
    [90, 90, 90, 90, 90, 90, None, 150]
    >>> parse_duration(dt.time(0, 1, 30)), parse_duration("1:02:03.5")
    (90, 3723.5)
    """
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return _checked(Decimal(str(value.total_seconds())))
    if isinstance(value, dt.time):
        return _checked(Decimal(value.hour * 3600 + value.minute * 60 + value.second) + Decimal(value.microsecond) / 10**6)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(NOT_A_DURATION)
    if not isinstance(value, str):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(NOT_A_DURATION)
        return _checked(Decimal(str(value)))
    s = _SPACE.sub("", folded(value)).lower()
    if s in BLANK_TOKENS:
        return None
    clock = _CLOCK.fullmatch(s)
    if clock:
        a, b, c, frac = clock.groups()
        parts = [int(a), int(b)] + ([int(c)] if c is not None else [])
        seconds = sum(Decimal(p) * 60 ** (len(parts) - 1 - i) for i, p in enumerate(parts))
        return _checked(seconds + Decimal(frac or "0"))
    units = _UNITS.fullmatch(s)
    if units and any(units.groups()):
        h, m, sec = (Decimal(g or "0") for g in units.groups())
        return _checked(h * 3600 + m * 60 + sec)
    try:
        number, percent = parse_number(s)
    except ValueError:
        raise ValueError(NOT_A_DURATION) from None
    if percent:
        raise ValueError(NOT_A_DURATION)
    return None if number is None else _checked(Decimal(str(number)))


def _checked(seconds: Decimal) -> int | float:
    if not seconds.is_finite() or abs(seconds) > MAX_NUMBER:
        raise ValueError(TOO_LARGE)
    return _whole(seconds)


# ---------------------------------------------------------------- rates

RATE_RULE = ("比率的读法：写了 % 的按百分数（99% 即 0.99）；不带 % 的数，大于 1 的是百分点（99 即 99%），小于 1 的是小数"
             "（0.99 即 99%）；恰好是 1 的看同一列：其余不带 % 的数都大于 1 时是 1%，都小于 1 时是 100%，"
             "看不出时按 100% 计算并提示")
AMBIGUOUS_ONE = "看不出 1 是 100% 还是 1%，已按 100% 计算；如果是 1%，请写成 1%"


@dataclass
class RateColumn:
    """One rate column read by :func:`read_rates`: the fractions, which cells could not be read, and which
    bare 1s were read as 100% without evidence from the column (``ambiguous``)."""

    values: list[float | None]
    errors: dict[int, str]  # index → message
    ambiguous: list[int]  # indexes


def read_rates(cells: list[object]) -> RateColumn:
    """A rate column's cells as fractions (``RATE_RULE``).

    A number written with % is that percent; a bare number above 1 is percent points (99 → 0.99), below 1 a
    fraction (0.4 → 0.4). A bare 1 is the only one that can be either: 1% when the column's other bare numbers
    are all above 1 (a column in points), 100% when they are all below 1; with no such evidence, or mixed
    evidence, 100% and listed in ``ambiguous`` for the reader to warn about.

    >>> read_rates(["99%", 0.98, 1]).values, read_rates([99, "97.5", 1]).values, read_rates([60, 0.4]).values
    ([0.99, 0.98, 1], [0.99, 0.975, 0.01], [0.6, 0.4])
    >>> c = read_rates([1, None, "x", 0, "1%"]); (c.values, c.errors, c.ambiguous)
    ([1, None, None, 0, 0.01], {2: '应为数字'}, [0])
    """
    parsed: list[tuple[int | float | None, bool]] = []
    errors: dict[int, str] = {}
    for i, cell in enumerate(cells):
        try:
            parsed.append(number_cell(cell))
        except ValueError as e:
            errors[i] = str(e)
            parsed.append((None, False))
    bare = [abs(n) for n, percent in parsed if n is not None and not percent and n not in (0, 1, -1)]
    points = bool(bare) and all(n > 1 for n in bare)
    fractions = bool(bare) and all(n < 1 for n in bare)
    values: list[float | None] = []
    ambiguous: list[int] = []
    for i, (n, percent) in enumerate(parsed):
        if n is None or percent or abs(n) < 1 or (abs(n) == 1 and not points):
            values.append(n)
            if n is not None and not percent and abs(n) == 1 and not fractions:
                ambiguous.append(i)
        else:
            values.append(float(Decimal(str(n)) / 100))
    return RateColumn(values, errors, ambiguous)


def parse_rate(value: object) -> int | float | None:
    """One rate on its own (no column to judge by): "99%" and 0.99 are 0.99; a bare number above 1 is percent
    points (99 → 0.99); 1 is 100%.

    >>> parse_rate("99.00%"), parse_rate(99), parse_rate(0.99), parse_rate(1), parse_rate("")
    (0.99, 0.99, 0.99, 1, None)
    """
    return read_rates([value]).values[0] if not isinstance(value, str) or not is_blank(value) else None


def number_cell(value: object) -> tuple[int | float | None, bool]:
    """(number, written as percent) of a cell: a number as is, text through :func:`parse_number`.

    >>> number_cell(12.5), number_cell("99%"), number_cell(None)
    ((12.5, False), (0.99, True), (None, False))
    """
    if value is None:
        return None, False
    if isinstance(value, str):
        return parse_number(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(NOT_A_NUMBER)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(NOT_A_NUMBER)
    if abs(value) > MAX_NUMBER:
        raise ValueError(TOO_LARGE)
    return value, False
