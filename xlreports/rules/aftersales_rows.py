"""The 【售后规则】 block ⇄ AfterSalesRules: a small table the 售后登记 sheet carries beside its cases.

The block sits anywhere on the sheet (the layout puts it right of the cases): its title cell
【售后规则】, a header row (问题类型, 有照片, 可二次销售, 处理方式, 运费承担, 规则键), one row per rule,
a blank row, then 跟进时限(小时) with its value. 规则键 is a formula the sheet computes; it is
not read back. Every unreadable value is an error naming its cell.

>>> from xlreports.model.aftersales import default_aftersales_rules
>>> rows = [[None, *r] for r in aftersales_block_rows(default_aftersales_rules())]
>>> find_block(rows)
(0, 1)
>>> parse_aftersales_rules(rows, "售后登记") == default_aftersales_rules()
True
"""
from __future__ import annotations

from typing import Any

from xlreports.a1 import addr
from xlreports.errors import InputErrors, Problem
from xlreports.model.aftersales import ANY, CONDITIONS, AfterSalesRule, AfterSalesRules, default_aftersales_rules

TITLE = "【售后规则】"
HEADERS = ("问题类型", "有照片", "可二次销售", "处理方式", "运费承担", "规则键")
KEY_COL = HEADERS.index("规则键")
HOURS_LABEL = "跟进时限(小时)"
NOTE = ("按问题类型、有照片、可二次销售查找处理方式与运费承担：两项都相符的规则优先，其次只看有照片、只看可二次销售，"
        "最后两项都是「任意」的规则。修改后，左侧各行立即按新规则计算。")


def aftersales_block_rows(rules: AfterSalesRules) -> list[list[Any]]:
    """The block's rows, from its title down (the 规则键 cells are left None: the layout fills formulas)."""
    rows: list[list[Any]] = [[TITLE], list(HEADERS)]
    rows += [[r.kind, r.photos, r.resaleable, r.handling, r.freight, None] for r in rules.rules]
    rows += [[], [HOURS_LABEL, rules.follow_up_hours], [NOTE]]
    return rows


def find_block(rows: list[list[Any]]) -> tuple[int, int] | None:
    """(row, column), 0-based, of the 【售后规则】 title cell; None when the sheet has no block."""
    for i, row in enumerate(rows[:50]):
        for j, value in enumerate(row):
            if isinstance(value, str) and value.strip() == TITLE:
                return i, j
    return None


def _cell(rows: list[list[Any]], i: int, j: int) -> Any:
    return rows[i][j] if i < len(rows) and j < len(rows[i]) else None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_aftersales_rules(rows: list[list[Any]], sheet: str) -> AfterSalesRules:
    """The rules of the block on a sheet's rows (defaults when it has none); InputErrors on bad values."""
    found = find_block(rows)
    if found is None:
        return default_aftersales_rules()
    top, left = found
    problems: list[Problem] = []
    header = [_text(_cell(rows, top + 1, left + k)) for k in range(len(HEADERS) - 1)]
    if header != list(HEADERS[:-1]):
        raise InputErrors([Problem(sheet, addr(top + 2, left + 1), "【售后规则】的表头应为："
                                   + "、".join(HEADERS[:-1]), "、".join(header))])
    rules: list[AfterSalesRule] = []
    i = top + 2
    while _text(_cell(rows, i, left)) or any(_text(_cell(rows, i, left + k)) for k in (1, 2, 3, 4)):
        kind, photos, resale, handling, freight = (_text(_cell(rows, i, left + k)) for k in range(5))
        where = lambda k: addr(i + 1, left + k + 1)  # noqa: E731 - the row's cell k
        if not kind:
            problems.append(Problem(sheet, where(0), "「问题类型」不能为空"))
        for k, value in ((1, photos), (2, resale)):
            if value and value not in CONDITIONS:
                problems.append(Problem(sheet, where(k), f"「{HEADERS[k]}」应为：" + "、".join(CONDITIONS), value))
        for k, value in ((3, handling), (4, freight)):
            if not value:
                problems.append(Problem(sheet, where(k), f"「{HEADERS[k]}」不能为空：每种情况都要写明怎么处理"))
        rules.append(AfterSalesRule(kind, photos or ANY, resale or ANY, handling, freight))
        i += 1
    hours = default_aftersales_rules().follow_up_hours
    for r in range(i, min(i + 4, len(rows))):
        if _text(_cell(rows, r, left)) == HOURS_LABEL:
            raw = _cell(rows, r, left + 1)
            if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw > 0:
                hours = float(raw)
            else:
                problems.append(Problem(sheet, addr(r + 1, left + 2), f"「{HOURS_LABEL}」应为大于 0 的数字", raw))
    if not rules:
        problems.append(Problem(sheet, addr(top + 3, left + 1), "【售后规则】至少需要一条规则"))
    if problems:
        raise InputErrors(problems)
    return AfterSalesRules(rules, hours)
