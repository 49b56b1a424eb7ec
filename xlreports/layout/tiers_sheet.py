"""会员分层 as a sheet spec: the tier table, the warning when the thresholds do not fit the shop (with
analysis (a)'s thresholds as 会员规则 rows to copy), both analyses, the health figures and the changes.

Every share on the sheet has one denominator, stated in the title: the members (buyers with at least
one counted purchase), never all buyers. Counts carry thousands separators.

>>> view = TierView("升级模式", [["VIP", 688.0, 0.05, 1200, 0.6, 9.0, 0.5]], [["VIP", 0.05, 1500.0]],
...                 [["VIP", 688.0, 0.6]], [], [], "2026-11", 2000, [["VIP", 0.6, 0.05, 1500.0]])
>>> spec = tiers_sheet(view)
>>> spec.cells[(1, 1)].value
'会员分层（2026-11，升级模式；会员 2,000 人，占比均为占会员人数的比例）'
>>> spec.cells[(3, 1)].value.startswith("⚠ 当前会员规则不适合本店")
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlreports.layout.spec import (BODY, FMT_AMOUNT, FMT_MONEY, FMT_PERCENT, HEADER, INPUT, NOTE, TITLE, Chart,
                                   ChartSeries, PageSetup, SheetSpec, Style)
from xlreports.model.orders import BUYER

TIERS_SHEET = "会员分层"
TIER_HISTORY_SHEET = "会员等级历史"
RULES_SHEET = "会员规则"
SECTION = Style(bold=True, size=12, color="1F4E78")
WARNING = Style(bold=True, size=11, color="9C0006", fill="FFC7CE", wrap=True, v_align="center")
DEFINITION_CHARS_PER_LINE = 34  # CJK characters a line of the merged 定义 cell holds (size 9, D:H, 54 wide)


@dataclass
class TierView:
    """What 会员分层 shows (values from engine.customers.tiers and tier_fit)."""

    mode_label: str
    table: list[list[Any]]  # 等级, 下限, 目标占比, 人数, 实际占比, 消费额, 消费占比
    suggested: list[list[Any]]  # 等级, 目标占比, 按目标占比应设的下限 (analysis a)
    resulting: list[list[Any]]  # 等级, 当前下限, 当前下限下的占比 (analysis b)
    health: list[list[Any]]  # 指标, 数值, 定义, 统计窗口
    changes: list[list[Any]]  # 买家会员名, 上期等级, 本期等级, 变化
    period: str
    members: int
    misfits: list[list[Any]] = field(default_factory=list)  # 等级, 实际占比, 目标占比, 建议下限


def titled_table(spec: SheetSpec, top: int, title: str, headers: list[str], rows: list[list[Any]],
                 formats: list[str | None] | None = None, style: Style = BODY) -> int:
    """A titled table of cells at ``top`` (column formats by position); returns the next free row.

    >>> s = SheetSpec("x")
    >>> titled_table(s, 3, "【t】", ["a"], [[1], [2]])  # title 3, header 4, rows 5-6, a blank row 7
    8
    """
    spec.set(top, 1, title, style=SECTION)
    for j, h in enumerate(headers, start=1):
        spec.set(top + 1, j, h, style=HEADER)
    for i, row in enumerate(rows, start=top + 2):
        for j, v in enumerate(row, start=1):
            spec.set(i, j, v, style=style.but(number_format=formats[j - 1] if formats else None))
    return top + 2 + len(rows) + 1


def tiers_sheet(view: TierView) -> SheetSpec:
    """会员分层 (see the module docstring)."""
    spec = SheetSpec(TIERS_SHEET, tab_color="7030A0", page=PageSetup(orientation="landscape", header_center="会员分层"))
    spec.merge(1, 1, 1, 8, f"会员分层（{view.period}，{view.mode_label}；会员 {view.members:,} 人，占比均为占会员人数的比例）",
               style=TITLE.but(h_align="left", size=14))
    row = 3
    if view.misfits:
        row = _warning(spec, row, view)
    row = titled_table(spec, row, "【等级分布】", ["等级", "累计消费下限", "目标占比", "人数", "实际占比", "消费额", "消费占比"],
                       view.table, [None, FMT_MONEY, FMT_PERCENT, FMT_AMOUNT, FMT_PERCENT, FMT_MONEY, FMT_PERCENT])
    first = row - 1 - len(view.table)
    spec.charts.append(Chart("bar", "各等级人数", "J3", 1, [ChartSeries("人数", 4, first, first + len(view.table) - 1)],
                             y_title="人", width_cm=14, height_cm=7))
    row = titled_table(spec, row, "【分析一：保持目标占比，应设的下限】", ["等级", "目标占比", "应设下限"], view.suggested,
                       [None, FMT_PERCENT, FMT_MONEY])
    row = titled_table(spec, row, "【分析二：保持当前下限，实际占比】", ["等级", "当前下限", "实际占比"], view.resulting,
                       [None, FMT_MONEY, FMT_PERCENT])
    row = _health(spec, row, view.health)
    row = titled_table(spec, row, f"【本期等级变化】（{len(view.changes):,} 人，完整记录见「{TIER_HISTORY_SHEET}」）",
                       [BUYER, "上期等级", "本期等级", "变化"], view.changes[:200])
    spec.merge(row, 1, row, 8, "会员：至少有一笔计入消费的订单（已付款、未关闭）的买家；本表所有占比的分母都是会员人数。"
               "累计消费 = 实付金额 − 退款金额。分析一按会员累计消费从高到低排序，取各目标占比边界处买家的消费额为下限。",
               style=NOTE)
    spec.row_heights[row] = 30
    spec.col_widths.update({1: 16, 2: 14, 3: 11, 4: 10, 5: 10, 6: 14, 7: 10, 8: 10})
    return spec


def _warning(spec: SheetSpec, row: int, view: TierView) -> int:
    """The misfit warning, then analysis (a)'s thresholds shaped as 会员规则's 【会员等级】 rows (yellow:
    for the owner to copy; nothing here changes the rules)."""
    far = "、".join(f"{name} {share:.1%}（目标 {target:.1%}）" for name, share, target, _ in view.misfits)
    spec.merge(row, 1, row, 8, f"⚠ 当前会员规则不适合本店：{far}，与目标占比相差一倍以上。"
               f"下面是按目标占比算出的下限，确认后可把这几行抄入「{RULES_SHEET}」的【会员等级】（程序不会自动修改）。",
               style=WARNING)
    spec.row_heights[row] = 48
    thresholds = {r[0]: r[2] for r in view.suggested}  # the base tier has none: 一次成功交易
    rows = [[r[0], thresholds.get(r[0]), r[2]] for r in view.table]
    falling = [r[1] for r in rows if r[1] is not None]
    end = titled_table(spec, row + 1, f"【建议的会员规则】（格式同「{RULES_SHEET}」的【会员等级】）",
                       ["等级", "累计消费下限", "目标占比"], rows, [None, FMT_MONEY, FMT_PERCENT], style=INPUT)
    if any(a <= b for a, b in zip(falling, falling[1:])):
        spec.merge(end - 1, 1, end - 1, 8, "注意：消费额相同的买家较多，建议下限有相同的值；抄入前请把下限调成逐档降低。",
                   style=NOTE)
        end += 1
    return end


def _health(spec: SheetSpec, row: int, health: list[list[Any]]) -> int:
    spec.set(row, 1, "【会员健康度】", style=SECTION)
    for j, h in enumerate(["指标", "数值", "统计窗口"], start=1):
        spec.set(row + 1, j, h, style=HEADER)
    spec.merge(row + 1, 4, row + 1, 8, "定义", style=HEADER)
    for i, (name, value, definition, window) in enumerate(health, start=row + 2):
        spec.set(i, 1, name, style=BODY)
        spec.set(i, 2, value, style=BODY.but(number_format=FMT_PERCENT))
        spec.set(i, 3, window, style=BODY)
        spec.merge(i, 4, i, 8, definition, style=BODY.but(wrap=True, size=9, v_align="top"))
        lines = max(1, -(-len(str(definition or "")) // DEFINITION_CHARS_PER_LINE))
        spec.row_heights[i] = 13 * lines + 5
    return row + 3 + len(health)
