"""Privacy masking (保守客户信息，不得外泄): phone numbers and addresses in shared outputs.

One ordered table of anchored regex rules per kind of value, used both by the plain Python
functions (one value) and by the polars expressions (a whole column), so the two always agree.
The first rule that matches the trimmed value wins; a value no rule recognises is masked whole
("****"), except a phone value with fewer than 7 digits, which cannot be a number and stays.

>>> mask_phone("18212345678")
'182****5678'
>>> mask_phone("0512-12345678")
'0512-****5678'
>>> mask_address("江苏省 苏州市 吴江区 松陵镇 xx路1号")
'江苏省 苏州市 吴江区 ****'
"""
from __future__ import annotations

import re

import polars as pl

MASK = "****"
MIN_PHONE_DIGITS = 7  # fewer digits than a local landline number: not a phone, left as is

# (pattern, replacement) — Python replacement syntax; converted for polars by _rust().
PHONE_RULES: tuple[tuple[str, str], ...] = (
    # already masked, or fewer than 7 digits (cannot be a phone number): unchanged
    (r"(?s)^.*\*.*$", r"\g<0>"),
    (r"(?s)^\D*(?:\d\D*){0,%d}$" % (MIN_PHONE_DIGITS - 1), r"\g<0>"),
    # mobile, optionally +86 / 86, optionally split by spaces or dashes: 182 1234 5678
    (r"^(\+?86[ -]?)?(1\d{2})[ -]?\d{4}[ -]?(\d{4})(?:\.0+)?$", r"\g<1>\g<2>****\g<3>"),
    # landline with area code: 0512-12345678, (0512)1234567, 010 12345678
    (r"^(\(0\d{2,3}\)[ -]?|0\d{2,3}[ -])\d{3,4}(\d{4})$", r"\g<1>****\g<2>"),
    # other long digit strings: keep the first 3 and last 4
    (r"^(\d{3})\d{4,}(\d{4})(?:\.0+)?$", r"\g<1>****\g<2>"),  # (a float read from Excel: .0)
    # 7 to 10 digits (a local number without area code): keep the last 4
    (r"^\d{3,6}(\d{4})(?:\.0+)?$", r"****\g<1>"),
)

_NOT_STREET = r"[^\s\d区县路街道号镇乡村巷弄栋楼室]"  # characters an admin-unit name never contains
_PROVINCE = (r"(?:[^\s\d]{1,8}?(?:省|自治区|特别行政区)|(?:北京|天津|上海|重庆)市?|香港|澳门)")
_CITY = rf"(?:{_NOT_STREET}{{1,12}}?(?:市|自治州|盟)|{_NOT_STREET}{{1,8}}地区)"
_DISTRICT = rf"(?:{_NOT_STREET}{{1,10}}?(?:区|县|市|旗))"

ADDRESS_RULES: tuple[tuple[str, str], ...] = (
    # province [city] [district] then the rest: 江苏省 苏州市 吴江区 ****  /  北京市朝阳区 ****
    (rf"(?s)^({_PROVINCE}(?:\s*{_CITY})?(?:\s*{_DISTRICT})?)\s*(.+)$", rf"\g<1> {MASK}"),
    # no province: city [district] then the rest
    (rf"(?s)^({_CITY}(?:\s*{_DISTRICT})?)\s*(.+)$", rf"\g<1> {MASK}"),
    # district only
    (rf"(?s)^({_DISTRICT})\s*(.+)$", rf"\g<1> {MASK}"),
)

_COMPILED_PHONE = tuple((re.compile(p), r) for p, r in PHONE_RULES)
_COMPILED_ADDRESS = tuple((re.compile(p), r) for p, r in ADDRESS_RULES)


def _rust(replacement: str) -> str:
    r"""Python ``\g<1>`` → polars (Rust regex) ``${1}``."""
    return re.sub(r"\\g<(\d+)>", r"${\1}", replacement)


def _text(value: object) -> str | None:
    """The value as trimmed text; a float phone read from Excel (1.82e10) loses its ".0"."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def mask_phone(value: object) -> str | None:
    """Mask a phone number: mobiles keep the first 3 and last 4 digits, landlines keep the
    area code and the last 4; already-masked (contains "*") and short values come back unchanged.

    >>> mask_phone("+86 182 1234 5678")
    '+86 182****5678'
    >>> mask_phone("182****5678"), mask_phone("10086"), mask_phone(None)
    ('182****5678', '10086', None)
    """
    text = _text(value)
    if text is None:
        return None
    for pattern, replacement in _COMPILED_PHONE:
        if pattern.search(text):
            return pattern.sub(replacement, text, count=1)
    return MASK  # an odd format (two numbers, text around it): masked whole


def mask_address(value: object) -> str | None:
    """Keep province, city and district; mask the street part. Blank stays blank, an address
    without a recognisable district is masked whole.

    >>> mask_address("北京市朝阳区建国路88号")
    '北京市朝阳区 ****'
    >>> mask_address("广东省 东莞市 东城街道 xx路1号")
    '广东省 东莞市 ****'
    """
    text = _text(value)
    if not text:
        return text
    for pattern, replacement in _COMPILED_ADDRESS:
        if pattern.search(text):
            return pattern.sub(replacement, text, count=1)
    return MASK


def _column(col: str | pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(the column as trimmed text, the column itself) — the result keeps the input's name."""
    expr = pl.col(col) if isinstance(col, str) else col
    return expr.cast(pl.String).str.strip_chars(), expr


def _rules_expr(text: pl.Expr, rules: tuple[tuple[str, str], ...], fallback: pl.Expr) -> pl.Expr:
    chain = None
    for pattern, replacement in rules:
        hit, out = text.str.contains(pattern), text.str.replace(pattern, _rust(replacement))
        chain = pl.when(hit).then(out) if chain is None else chain.when(hit).then(out)
    return chain.otherwise(fallback)


def mask_phone_expr(col: str | pl.Expr) -> pl.Expr:
    """:func:`mask_phone` over a whole column, as a polars expression (same name as the column).

    >>> df = pl.DataFrame({"联系手机": ["18212345678", "0512-12345678", "10086", None]})
    >>> df.select(mask_phone_expr("联系手机"))["联系手机"].to_list()
    ['182****5678', '0512-****5678', '10086', None]
    """
    text, expr = _column(col)
    masked = _rules_expr(text, PHONE_RULES, pl.lit(MASK))
    return pl.when(text.is_null()).then(text).otherwise(masked).alias(_name(expr))


def mask_address_expr(col: str | pl.Expr) -> pl.Expr:
    """:func:`mask_address` over a whole column, as a polars expression (same name as the column).

    >>> df = pl.DataFrame({"收货地址": ["江苏省 苏州市 吴江区 松陵镇 xx路1号", "", None]})
    >>> df.select(mask_address_expr("收货地址"))["收货地址"].to_list()
    ['江苏省 苏州市 吴江区 ****', '', None]
    """
    text, expr = _column(col)
    masked = _rules_expr(text, ADDRESS_RULES, pl.lit(MASK))
    keep = text.is_null() | (text.str.len_chars() == 0)
    return pl.when(keep).then(text).otherwise(masked).alias(_name(expr))


def _name(expr: pl.Expr) -> str:
    return expr.meta.output_name(raise_if_undetermined=False) or "masked"
