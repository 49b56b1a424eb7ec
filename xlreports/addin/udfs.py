"""Cell functions for Excel (xlwings UDFs): the workbook's own rules, callable from any cell.

=====================  ============================================================================
``=XLR_SCORE(值, 指标)``  the score of KPI 指标 for 值 by the workbook's 考核方案 (档位评分, 加减评分
                       or 线性评分; a blank 值 scores as the KPI's 无数据 rule). Percentages as Excel
                       stores them: 0.75 (shown 75%) or the text "75%"; seconds as numbers (30 = 30 秒).
``=XLR_PAY(总分[, 级别])`` 绩效工资 by the 考核方案: 按总分 → 绩效工资总额 × 总分 / 100, to the cent
                       (750 × 89 / 100 = 667.5); 按档位 → the level's 绩效基数 × the result band's 系数.
``=XLR_TIER(累计消费)``    the membership tier by the workbook's 会员规则 (default rules without that
                       sheet): 888 → 至尊VIP; blank → 非会员.
``=XLR_MASK(电话)``       the phone number masked as in the archive: 18212345678 → 182****5678.
=====================  ============================================================================

Each one is a thin wrapper over a plain function (:func:`score`, :func:`pay`, :func:`tier`,
:func:`mask`) that takes the parsed rules, so the numbers come from the engine itself and are
tested without Excel. The wrappers read the rules from the calling cell's workbook (xlwings'
reserved ``caller`` argument) and cache the parsed rules per workbook name and a fingerprint:
the rules sheet's values are read at most once a second per workbook, and parsed again only
when their hash changes. A problem is returned as text starting with ``#`` (``#考核方案!C12:
应为数字``), never a traceback in the cell.

Excel recalculates a formula when its arguments change, not when 考核方案 changes: after editing
the rules press Ctrl+Alt+F9 (recalculate everything). xlwings UDFs run on Windows only.
"""
from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from typing import Any, Callable

from xlreports.model.membership import NON_MEMBER, MembershipRules, default_rules, tier_of
from xlreports.engine.pay import performance_pay, result_band
from xlreports import kinds
from xlreports.errors import InputErrors, XlreportsError, raise_if_errors
from xlreports.model.scheme import Scheme
from xlreports.excel.read.tables import coerce

try:  # the plain functions work without xlwings; Excel needs it for the decorated ones
    import xlwings as xw
except ImportError:  # pragma: no cover - xlwings is installed with the "excel" extra
    xw = None

__all__ = ["score", "pay", "tier", "mask", "XLR_SCORE", "XLR_PAY", "XLR_TIER", "XLR_MASK", "clear_cache"]

CACHE_SECONDS = 1.0  # within a recalculation burst the rules sheet is not read again
CACHE_SIZE = 16


# --------------------------------------------------------------------------- plain functions


def _number(value: Any, what: str) -> float | None:
    try:
        number = coerce(value, "number")
    except ValueError:
        raise XlreportsError(f"{what}“{value}”不是数字") from None
    return None if number is None else float(number)


def _by_value() -> list[kinds.KpiKind]:
    """Kinds whose score follows from the KPI's value alone (档位评分, 加减评分, 线性评分)."""
    return [k for k in kinds.KINDS.values() if k.uses_metric and k.scored]


def score(value: Any, kpi: str, scheme: Scheme) -> float:
    """The score of ``kpi`` for ``value`` by ``scheme``: any kind scored from the value alone
    (档位评分, 加减评分, 线性评分).

    >>> from xlreports.rules.scheme_files import builtin_scheme
    >>> a = builtin_scheme("A")
    >>> score(0.75, "询单转化率", a), score("74.99%", "询单转化率", a), score(30.01, "响应时间", a)
    (100.0, 80.0, 80.0)
    """
    name = str(kpi or "").strip()
    usable = _by_value()
    try:
        k = scheme.kpi(name)
    except KeyError:
        names = "、".join(x.name for x in scheme.kpis if kinds.find(x.kind) in usable)
        raise XlreportsError(f"考核方案中没有指标「{name}」（可用：{names}）") from None
    kind = kinds.find(k.kind)
    if kind not in usable:
        labels = [u.label for u in usable]
        shown = kind.label if kind else k.kind
        raise XlreportsError(f"指标「{name}」是{shown}，不是{'、'.join(labels[:-1])}或{labels[-1]}")
    return kind.score(k, _number(value, "值"))


def pay(total: Any, scheme: Scheme, level: str | None = None) -> float:
    """绩效工资 for ``total``: pool × total / 100 (按总分) or the level's base × band multiplier (按档位).

    >>> from xlreports.rules.scheme_files import builtin_scheme
    >>> pay(89, builtin_scheme("A"))
    667.5
    """
    number = _number(total, "总分")
    if number is None:
        raise XlreportsError("总分为空")
    lv = str(level).strip() if level not in (None, "") else scheme.default_level
    if scheme.pay_mode != "pool" and scheme.level(lv) is None:
        raise XlreportsError(f"考核方案中没有级别「{lv}」（可用：{'、'.join(x.name for x in scheme.levels)}）")
    return performance_pay(scheme, number, result_band(scheme, number), lv)


def tier(spend: Any, rules: MembershipRules | None = None) -> str:
    """The tier reached with this 累计消费 (blank: 非会员).

    >>> tier(888), tier(887.99), tier(None)
    ('至尊VIP', 'VIP', '非会员')
    """
    number = _number(spend, "累计消费")
    if number is None:
        return NON_MEMBER
    return tier_of(number, rules or default_rules())


def mask(phone: Any) -> str:
    """The phone number masked (a number typed without quotes counts as its digits).

    >>> mask("18212345678"), mask(18212345678.0), mask(None)
    ('182****5678', '182****5678', '')
    """
    from xlreports.engine.customers.privacy import mask_phone

    if isinstance(phone, float) and phone.is_integer():
        phone = str(int(phone))
    elif isinstance(phone, int) and not isinstance(phone, bool):
        phone = str(phone)
    return mask_phone(phone) or ""


# --------------------------------------------------------------------------- rules of a live workbook


_cache: "OrderedDict[tuple, Any]" = OrderedDict()
_recent: dict[tuple, tuple[float, Any]] = {}


def clear_cache() -> None:
    _cache.clear()
    _recent.clear()


def _fingerprint(rows: list[list[Any]]) -> str:
    return hashlib.sha1(repr(rows).encode("utf-8", "surrogatepass")).hexdigest()


def _cached_rules(book, sheet_name: str, parse: Callable[[list[list[Any]], str], Any], default: Callable[[], Any]):
    """Parsed rules of ``sheet_name`` in ``book``: cached per workbook name + hash of the sheet's values."""
    from xlreports.excel.read.live import XlwingsRows

    book_name = book.name
    key = (book_name, sheet_name)
    hit = _recent.get(key)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    reader = XlwingsRows(book)
    name = reader.find(sheet_name)
    if name is None:
        rows, digest = None, "absent"
    else:
        rows = reader.rows(name).rows
        digest = _fingerprint(rows)
    full_key = (book_name, sheet_name, digest)
    rules = _cache.get(full_key)
    if rules is None:
        rules = default() if rows is None else parse(rows, name)
        _cache[full_key] = rules
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(full_key)
    _recent[key] = (time.monotonic(), rules)
    return rules


def _parse_scheme(rows: list[list[Any]], sheet: str) -> Scheme:
    from xlreports.rules.scheme_rows import parse_scheme_rows
    from xlreports.rules.scheme_check import check_scheme

    parsed = parse_scheme_rows(rows, sheet)
    raise_if_errors(check_scheme(parsed.scheme, parsed.refs))
    return parsed.scheme


def scheme_of(book) -> Scheme:
    """The workbook's 考核方案 (built-in scheme A when it has none, as 计算考核 would write)."""
    from xlreports.rules.scheme_files import builtin_scheme
    from xlreports.rules.scheme_rows import SHEET_NAME

    return _cached_rules(book, SHEET_NAME, _parse_scheme, lambda: builtin_scheme("A"))


def rules_of(book) -> MembershipRules:
    """The workbook's 会员规则 (the default rules when it has none)."""
    from xlreports.rules.membership_rows import SHEET_NAME, parse_membership_rows

    return _cached_rules(book, SHEET_NAME, parse_membership_rows, default_rules)


def _cell_result(fn: Callable[[], Any]) -> Any:
    """Run a cell function: problems come back as "#…" text in the cell, never a traceback."""
    try:
        return fn()
    except InputErrors as e:
        first = e.problems[0] if e.problems else e
        more = f"（另有 {len(e.problems) - 1} 个问题）" if len(e.problems) > 1 else ""
        return f"#{first}{more}"
    except XlreportsError as e:
        return f"#{e}"
    except Exception as e:  # a bug: still only a short text in the cell
        return f"#xlreports 内部错误：{type(e).__name__}"


# --------------------------------------------------------------------------- the cell functions


def XLR_SCORE(value, kpi, caller):
    """指标得分：按本工作簿「考核方案」中该指标的档位或加减规则，返回 值 对应的得分。"""
    return _cell_result(lambda: score(value, kpi, scheme_of(caller.sheet.book)))


def XLR_PAY(total, level=None, caller=None):
    """绩效工资：按本工作簿「考核方案」，按总分时 = 绩效工资总额 × 总分 / 100（保留两位小数）。"""
    return _cell_result(lambda: pay(total, scheme_of(caller.sheet.book), level))


def XLR_TIER(spend, caller):
    """会员等级：按本工作簿「会员规则」（没有该表时用默认规则），返回 累计消费 对应的等级。"""
    return _cell_result(lambda: tier(spend, rules_of(caller.sheet.book)))


def XLR_MASK(phone):
    """电话脱敏：手机号保留前 3 位和后 4 位，如 182****5678。"""
    return _cell_result(lambda: mask(phone))


if xw is not None:  # on Windows this registers them for xlwings' "Import Functions"; elsewhere a no-op
    XLR_SCORE = xw.func(category="xlreports")(XLR_SCORE)
    XLR_PAY = xw.func(category="xlreports")(XLR_PAY)
    XLR_TIER = xw.func(category="xlreports")(XLR_TIER)
    XLR_MASK = xw.func(category="xlreports")(XLR_MASK)
