"""考核数据: the month's cleaned inputs, one row per agent — the cells every form formula reads.

Values, not formulas: they come from the 客服数据 sheet (whatever export it was)
after header mapping and number coercion, so formulas never meet "1,234.50"
text or title rows. Correct the data in 客服数据 and re-run.

When daily rows or several accounts were rolled up to a person's month (engine/rollup.py), the
sheet also shows which accounts and how many days made each row, the days missing, how every
rolled-up rate was formed (a comment on its header and a note below the table) and the accounts
that matched no one in 客服名册.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from xlreports.engine.rollup import Rollup
from xlreports.model.fields import field_kind
from xlreports.layout.context import BookContext
from xlreports.layout.lookup import TableRefs
from xlreports.a1 import col_letter
from xlreports.layout.spec import (BODY, FMT_AMOUNT, FMT_AMOUNT_2, FMT_PERCENT, FMT_SECONDS, HEADER, NOTE, PageSetup,
                                   SheetSpec)

FIRST_ROW = 2
FIXED = ("客服", "月份", "岗位", "级别")


@dataclass
class DataRefs(TableRefs):
    """考核数据's columns; formulas find an agent's values by name (``lookup``), never by row."""


def amount_format(values) -> str:
    """One format for a whole column: cents when any value has a fraction, else whole numbers
    (a column mixing "58,742.2" and "205,216.36" reads badly).

    >>> amount_format([58742.2, 205216.36, None]), amount_format([12, 3.0, "x"])
    ('#,##0.00', '#,##0')
    """
    fractional = any(isinstance(v, float) and not v.is_integer() for v in values)
    return FMT_AMOUNT_2 if fractional else FMT_AMOUNT


MONEY = re.compile(r"(销售额|客单价|金额|单品目标)$")  # 客服销售额, 目标销售额, 店铺客单价, 主推单品目标 …


def column_format(name: str, values) -> str:
    """The one format of a 考核数据 column: money with cents always (150 shows "150.00" beside
    "171.12"), rates as percentages, seconds with one decimal, counts whole (cents only when a
    count column holds fractions).

    >>> [column_format(n, [150, 58742.2]) for n in ("店铺客单价", "询单转化率", "平均响应时间", "询单人数")]
    ['#,##0.00', '0.00%', '0.0"秒"', '#,##0.00']
    >>> column_format("询单人数", [1399, 574])
    '#,##0'
    """
    kind = field_kind(name)
    if kind == "rate":
        return FMT_PERCENT
    if kind == "duration":
        return FMT_SECONDS
    if MONEY.search(name):
        return FMT_AMOUNT_2
    return amount_format(values)


def data_sheet(ctx: BookContext, rollup: Rollup | None = None) -> tuple[SheetSpec, DataRefs]:
    """The 考核数据 sheet and the positions of its cells (with how ``rollup`` made each row, if it merged any)."""
    L = ctx.labels
    spec = SheetSpec(L("考核数据"), freeze="B2", tab_color="808080",
                     page=PageSetup(orientation="landscape", header_center=f"{ctx.shop} {ctx.month} 考核数据"))
    columns = list(FIXED) + ctx.data_columns
    cols = {name: j for j, name in enumerate(columns, start=1)}
    for name, j in cols.items():
        spec.set(1, j, L(name), style=HEADER)
        spec.col_widths[j] = max(9, min(16, len(name) * 2 + 2))
    formats = {name: column_format(name, [r.agent.values.get(name) for r in ctx.result.agents])
               for name in cols if name not in FIXED}
    rows: dict[str, int] = {}
    for i, r in enumerate(ctx.result.agents, start=FIRST_ROW):
        agent = r.agent
        rows[agent.name] = i
        fixed = {"客服": agent.name, "月份": agent.month, "岗位": agent.post,
                 "级别": agent.level or ctx.scheme.default_level}
        for name, j in cols.items():
            value = fixed[name] if name in fixed else agent.values.get(name)
            spec.set(i, j, value, style=BODY.but(number_format=formats.get(name)))
    last = FIRST_ROW + len(ctx.result.agents) - 1
    if rollup is not None:
        _rollup_parts(spec, ctx, rollup, cols, rows, max(last, FIRST_ROW))
    spec.auto_filter = f"A1:{col_letter(len(columns))}{max(last, FIRST_ROW)}"
    return spec, DataRefs(spec.name, FIRST_ROW, last, cols, rows)


def _rollup_parts(spec: SheetSpec, ctx: BookContext, rollup: Rollup, cols: dict[str, int], rows: dict[str, int],
                  last: int) -> None:
    """Accounts, days and missing days beside each row; the roll-up rules and unmatched accounts below."""
    mine = {pm.person: pm for pm in rollup.rows if pm.month == ctx.month and pm.person in rows}
    extra: list[str] = []
    if any(pm.accounts != [pm.person] for pm in mine.values()):
        extra.append("账号")
    if rollup.daily:
        extra += ["天数", "缺少的日期"]
    j0 = len(cols) + 1
    for k, name in enumerate(extra):
        spec.set(1, j0 + k, name, style=HEADER)
        spec.col_widths[j0 + k] = 12 if name == "天数" else 24
    for person, pm in mine.items():
        shown = {"账号": "、".join(pm.accounts), "天数": f"{len(pm.days)}/{pm.days_in_month}",
                 "缺少的日期": days_text(pm.missing)}
        for k, name in enumerate(extra):
            spec.set(rows[person], j0 + k, shown[name], style=BODY)
    for name, how in rollup.weights.items():
        if name in cols:
            spec.cells[(1, cols[name])].comment = f"按日/按账号汇总：{how}"
    lines = []
    if rollup.weights:
        lines.append("按日/按账号汇总为月数据：计数相加；比率由合计重算或按基数加权，不做日比率的简单平均。")
        lines += [f"「{name}」{how}" for name, how in rollup.weights.items()]
    if rollup.unmatched:
        lines.append(f"未匹配「客服名册」账号、未计入考核的账号：{'、'.join(rollup.unmatched)}")
    for k, line in enumerate(lines):
        spec.set(last + 2 + k, 1, line, style=NOTE.but(wrap=False))


def days_text(days) -> str:
    """Days as short text, runs joined: 10月5日、10月9日—10月12日.

    >>> import datetime as dt
    >>> days_text([dt.date(2026, 10, 5), *(dt.date(2026, 10, d) for d in range(9, 13))])
    '10月5日、10月9日—10月12日'
    """
    runs: list[list] = []
    for d in days:
        if runs and (d - runs[-1][-1]).days == 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    label = lambda d: f"{d.month}月{d.day}日"  # noqa: E731
    return "、".join(label(r[0]) if len(r) == 1 else f"{label(r[0])}—{label(r[-1])}" for r in runs)
