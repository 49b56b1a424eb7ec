"""Raw string frames of order exports → the canonical order frame, and the rows skipped with why.

The cleaning half of :mod:`xlreports.excel.read.orders` (the reading half is
:mod:`xlreports.excel.read.order_files`). The quirks handled (see DOMAIN §8): ids written as
``="3268…"``, phones as ``'182********``, empty remarks as ``'null``, amounts as ``1,234.50`` or
``¥34.00``, 订单状态 with a half-width comma, dates as text in several formats or as Excel serials.
"""
from __future__ import annotations

import datetime as dt
import re

import polars as pl

from xlreports.excel.read.order_files import EXCEL_EPOCH_OFFSET, SERIAL_MAX, SERIAL_MIN, RawSheet, selected_columns
from xlreports.excel.read.values import blank_token_spellings, parse_number
from xlreports.model.orders import BUYER, ORDER_COLUMNS, ORDER_ID, PHONE, ROW_COL, SOURCE_COL, STATUS

REASON_NO_ID = "缺少订单编号"
REASON_NO_BUYER = "缺少买家会员名（无法归入任何客户档案）"
REASON_ID_SCIENTIFIC = "订单编号被 Excel 改成了科学计数法，无法还原（请用原始导出文件）"
_ID_LIKE = (ORDER_ID, PHONE, "物流单号", "买家支付宝账号")  # "123.0" from a numeric cell → "123"
_NULL_TOKENS = blank_token_spellings()  # matched exactly, cell by cell
# A cell needing any clean-up: outer spaces, ="…", a leading ', or a null token.
_XML_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"  # a workbook holding one opens nowhere
_NEEDS_CLEANING = r"^\s|\s$|^=\"|^'|^(?:" + "|".join(re.escape(t) for t in _NULL_TOKENS) + ")$"
DTYPES = {"text": pl.String, "number": pl.Float64, "datetime": pl.Datetime("us")}
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def reason_number(col: str) -> str:
    """The reason a row is skipped for a value that is no number.

    >>> reason_number("退款金额")
    '退款金额应为数字'
    """
    return f"{col}应为数字"


def reason_future(col: str) -> str:
    """The reason a row is skipped for a date after today (a typo such as 2099, or a wrong clock)."""
    return f"{col}晚于今天，不可能是已发生的订单"


def reason_datetime(col: str) -> str:
    """The reason a row is skipped for a value that is no date and time."""
    return f"{col}应为日期时间，如 2026-10-05 12:30:45"


# Every step is a polars operation over whole columns. To stay fast on a million rows, a costly
# step (a regex, a second date format) runs only where it is needed: a cheap pass first checks
# whether any cell of a column needs it, and date/number fallbacks only see the cells the fast
# parse rejected (usually none).


def _any_flags(df: pl.DataFrame, tests: dict[str, pl.Expr]) -> dict[str, bool]:
    if not tests:
        return {}
    row = df.select(e.any().alias(k) for k, e in tests.items()).row(0, named=True)
    return {k: bool(v) for k, v in row.items()}


def _clean_strings(df: pl.DataFrame, selected: dict[str, list[int]]) -> pl.DataFrame:
    """Add "s:<canonical>": trimmed, ="…" unwrapped, leading ' dropped, null tokens → null.

    One fused expression per column (no intermediate columns kept), with the regex steps only in
    the columns where a cheap anchored test finds a cell that needs them.
    """
    raw_cols = sorted({f"c{c}" for cs in selected.values() for c in cs})
    id_cols = {f"c{col}" for c in _ID_LIKE for col in selected.get(c, ())}
    # one anchored test per column: does any cell need cleaning at all? (most columns: no, and stay as read)
    illegal = _any_flags(df, {c: pl.col(c).str.contains(_XML_ILLEGAL) for c in raw_cols})
    df = df.with_columns(pl.col(c).str.replace_all(_XML_ILLEGAL, "") for c in raw_cols if illegal[c])
    needs = _any_flags(df, {c: pl.col(c).str.contains(_NEEDS_CLEANING) for c in raw_cols})
    dirty = [c for c in raw_cols if needs[c]]
    flags = _any_flags(df, {
        **{f"eq:{c}": pl.col(c).str.contains(r'^\s*="') for c in dirty},
        **{f"ap:{c}": pl.col(c).str.contains(r"^\s*(=\")?'") for c in dirty},
        **{f"d0:{c}": pl.col(c).str.contains(r'\.0+["\s]*$') for c in id_cols},
    })

    def cleaned(c: str) -> pl.Expr:
        e = pl.col(c)
        if needs[c]:
            e = e.str.strip_chars()
            if flags[f"eq:{c}"]:
                e = e.str.replace(r'^="(?s:(.*))"$', "${1}")
            if flags[f"ap:{c}"] or flags[f"eq:{c}"]:
                e = e.str.strip_prefix("'").str.strip_chars()
        if flags.get(f"d0:{c}"):
            e = e.str.replace(r"^(\d+)\.0+$", "${1}")
        return e.replace(_NULL_TOKENS, None) if needs[c] else e

    out = []
    for canonical, cols in selected.items():
        parts = [cleaned(f"c{c}") for c in cols]
        out.append((parts[0] if len(parts) == 1 else pl.coalesce(*parts)).alias(f"s:{canonical}"))
    # keep the raw text only where a skipped row may quote it (ids, numbers, dates)
    quoted = {f"c{cols[0]}" for canonical, cols in selected.items()
              if canonical == ORDER_ID or ORDER_COLUMNS[canonical] != "text"}
    df = df.with_columns(out).drop(c for c in raw_cols if c not in quoted)
    if STATUS in selected:  # few distinct values: clean those, then map
        distinct = df.get_column(f"s:{STATUS}").drop_nulls().unique()
        tidy = distinct.str.replace_all(r"\s+", "").str.replace_all(",", "，", literal=True)
        df = df.with_columns(pl.col(f"s:{STATUS}").replace(distinct, tidy))
    return df


def _fill_failed(parsed: pl.Series, text: pl.Series, fallback) -> pl.Series:
    """Re-parse with ``fallback`` only the cells where ``parsed`` is null but ``text`` is not."""
    failed = parsed.is_null() & text.is_not_null()
    if not failed.any():
        return parsed
    idx = failed.arg_true()
    again = fallback(text.gather(idx))
    ok = again.is_not_null()
    if not ok.any():
        return parsed
    return parsed.scatter(idx.filter(ok), again.filter(ok))


def _number_fallback(text: pl.Series) -> pl.Series:
    """The numbers polars' cast rejected, by the one text-number parser (a percent is no amount)."""
    def number(value: str) -> float | None:
        try:
            parsed, percent = parse_number(value)
        except ValueError:
            return None
        return None if percent or parsed is None else float(parsed)

    return pl.Series(text.name, [number(v) for v in text.to_list()], dtype=pl.Float64)


def _datetime_fallback(text: pl.Series) -> pl.Series:
    """Slow path for the cells "%Y-%m-%d %H:%M:%S" did not parse: other formats, then Excel serials."""
    t = (text.str.replace_many(["年", "月", "/", "日", "T"], ["-", "-", "-", " ", " "])
         .str.replace_all(r"\s+", " ").str.strip_chars())
    out = pl.Series(text.name, [None] * len(t), dtype=pl.Datetime("us"))
    for fmt in (*_DATETIME_FORMATS, "%Y%m%d"):
        out = _fill_failed(out, t, lambda x, f=fmt: x.str.to_datetime(f, strict=False, time_unit="us"))

    def serial(x: pl.Series) -> pl.Series:
        days = x.cast(pl.Float64, strict=False)
        days = days.set(~days.is_between(SERIAL_MIN, SERIAL_MAX).fill_null(False), None)
        return ((days - EXCEL_EPOCH_OFFSET) * 86_400_000_000).round(0).cast(pl.Int64).cast(pl.Datetime("us"))

    return _fill_failed(out, t, serial)


def _typed(df: pl.DataFrame, selected: dict[str, list[int]]) -> pl.DataFrame:
    """Add the canonical columns with their dtypes (absent ones all null)."""
    fast = []
    for canonical, kind in ORDER_COLUMNS.items():
        s = pl.col(f"s:{canonical}")
        if canonical not in selected:
            fast.append(pl.lit(None, DTYPES[kind]).alias(canonical))
        elif kind == "text":
            fast.append(s.alias(canonical))
        elif kind == "number":
            number = s.cast(pl.Float64, strict=False)  # also takes "nan", "inf": those go to the fallback
            fast.append(pl.when(number.is_finite()).then(number).alias(canonical))
        else:
            fast.append(s.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us").alias(canonical))
    df = df.with_columns(fast)
    fixed = []
    for canonical, kind in ORDER_COLUMNS.items():
        if canonical in selected and kind != "text":
            fallback = _number_fallback if kind == "number" else _datetime_fallback
            fixed.append(_fill_failed(df.get_column(canonical), df.get_column(f"s:{canonical}"), fallback))
    return df.with_columns(fixed) if fixed else df


def clean(label: str, raw: RawSheet) -> tuple[pl.DataFrame, list[tuple], int, bool]:
    """(good rows in the canonical shape, bad rows as (row, reason, column, found), non-blank rows, has buyer).

    >>> from xlreports.excel.read.order_files import Header
    >>> raw = RawSheet(pl.DataFrame({"c0": ['="31"', "3.2E+18"], "c1": ["1,234.50", "-"]}),
    ...                Header(0, {"订单编号": [0], "买家实付金额": [1]}), 2)
    >>> good, bad, rows, buyer = clean("o.csv", raw)
    >>> good.select("订单编号", "买家实付金额", "_行").rows(), bad, rows, buyer
    ([('31', 1234.5, 2)], [(3, '订单编号被 Excel 改成了科学计数法，无法还原（请用原始导出文件）', 0, '3.2E+18')], 2, False)
    """
    selected = selected_columns(raw.header)
    df = raw.frame.with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + raw.first_row).alias(ROW_COL))
    df = _clean_strings(df, selected)
    df = df.filter(~pl.all_horizontal(pl.col(f"s:{c}").is_null() for c in selected))  # blank rows
    rows = df.height
    df = _typed(df, selected)

    # checks, in order; a skipped row is reported once, for the first check it fails
    key_col = selected[ORDER_ID][0]
    key = pl.col(f"s:{ORDER_ID}")
    checks: list[tuple[pl.Expr, str, int, str | None]] = [  # mask, reason, column, raw column
        (key.is_null(), REASON_NO_ID, key_col, None),
        (key.str.contains("E+", literal=True) | key.str.contains("e+", literal=True), REASON_ID_SCIENTIFIC,
         key_col, f"c{key_col}"),
    ]
    for canonical, kind in ORDER_COLUMNS.items():
        if canonical in selected and kind != "text":
            reason = reason_number(canonical) if kind == "number" else reason_datetime(canonical)
            col = selected[canonical][0]
            checks.append((pl.col(f"s:{canonical}").is_not_null() & pl.col(canonical).is_null(), reason, col,
                           f"c{col}"))
    if BUYER in selected:  # the engine keys every customer tab by buyer: without one the order would vanish unreported
        checks.append((pl.col(BUYER).is_null() | (pl.col(BUYER).str.strip_chars() == ""), REASON_NO_BUYER,
                       selected[BUYER][0], None))
    future = dt.datetime.now() + dt.timedelta(days=1)  # a day's grace for time zones
    for canonical, kind in ORDER_COLUMNS.items():
        if canonical in selected and kind == "datetime":
            col = selected[canonical][0]
            checks.append((pl.col(canonical) > future, reason_future(canonical), col, f"c{col}"))
    first = pl.when(checks[0][0]).then(pl.lit(0, pl.Int32))
    for i, (mask, *_) in enumerate(checks[1:], start=1):
        first = first.when(mask).then(pl.lit(i, pl.Int32))
    df = df.with_columns(first.alias("_check"))

    good = df.filter(pl.col("_check").is_null()).select(
        *ORDER_COLUMNS, pl.lit(label, pl.String).alias(SOURCE_COL), ROW_COL)
    # the few bad rows: which check, and the value as found in the file
    found = pl.lit(None, pl.String)
    for i, (_, _, _, raw_col) in enumerate(checks):
        if raw_col:
            found = pl.when(pl.col("_check") == i).then(pl.col(raw_col)).otherwise(found)
    bad = [(row, checks[i][1], checks[i][2], value) for row, i, value in
           df.filter(pl.col("_check").is_not_null()).select(ROW_COL, "_check", found.alias("_found")).iter_rows()]
    return good, bad, rows, BUYER in selected

