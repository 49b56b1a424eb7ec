"""Customer-archive tabs as sheet specs: 客户档案, 会员分层, 客户分群, 关怀提醒, 售后登记, 导入报告.

客户档案 and the per-buyer part of 客户分群 can hold hundreds of thousands of rows,
so they are TableBlocks (columns, not cells); the small summary tabs are cells.
Staff columns (备注, the personal profile, columns staff added) are yellow inputs:
the archive job carries them over by 买家会员名 on every rebuild.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from xlreports.a1 import col_letter
from xlreports.layout.spec import (
    BODY,
    FMT_DATE,
    FMT_MONEY,
    FMT_PERCENT,
    HEADER,
    INPUT,
    NOTE,
    TITLE,
    Chart,
    ChartSeries,
    DataValidation,
    PageSetup,
    SheetSpec,
    Style,
    TableBlock,
)
from xlreports.model.orders import BUYER
from xlreports.layout.aftersales_sheet import (AFTERSALES_COLUMNS, AFTERSALES_INPUTS, AFTERSALES_SHEET,  # noqa: F401
                                               aftersales_sheet)
from xlreports.layout.customer_sheet import ARCHIVE_SHEET, COMPUTED, FORMATS, STAFF, archive_sheets  # noqa: F401

TIERS_SHEET = "会员分层"
SEGMENTS_SHEET = "客户分群"
CARE_SHEET = "关怀提醒"
REPORT_SHEET = "导入报告"
TIER_HISTORY_SHEET = "会员等级历史"

SECTION = Style(bold=True, size=12, color="1F4E78")
DETAIL_TOP = 22  # 客户分群: first row of the per-buyer table (below the summary and its chart)


def _table(spec: SheetSpec, top: int, title: str, headers: list[str], rows: list[list[Any]],
           formats: list[str | None] | None = None) -> int:
    """A small titled table of cells; returns the next free row."""
    spec.set(top, 1, title, style=SECTION)
    for j, h in enumerate(headers, start=1):
        spec.set(top + 1, j, h, style=HEADER)
    for i, row in enumerate(rows, start=top + 2):
        for j, v in enumerate(row, start=1):
            fmt = formats[j - 1] if formats else None
            spec.set(i, j, v, style=BODY.but(number_format=fmt))
    return top + 2 + len(rows) + 1


@dataclass
class TierView:
    """What 会员分层 shows (values from engine.customers.tiers)."""

    mode_label: str
    table: list[list[Any]]  # 等级, 下限, 目标占比, 人数, 实际占比, 消费额, 消费占比
    suggested: list[list[Any]]  # 等级, 目标占比, 按目标占比应设的下限 (analysis a)
    resulting: list[list[Any]]  # 等级, 当前下限, 当前下限下的占比 (analysis b)
    health: list[list[Any]]  # 指标, 数值, 定义, 统计窗口
    changes: list[list[Any]]  # 买家会员名, 上期等级, 本期等级, 变化
    period: str
    members: int


def tiers_sheet(view: TierView) -> SheetSpec:
    spec = SheetSpec(TIERS_SHEET, tab_color="7030A0", page=PageSetup(header_center="会员分层"))
    spec.merge(1, 1, 1, 7, f"会员分层（{view.period}，{view.mode_label}，会员 {view.members} 人）", style=TITLE.but(h_align="left"))
    row = _table(spec, 3, "【等级分布】", ["等级", "累计消费下限", "目标占比", "人数", "实际占比", "消费额", "消费占比"],
                 view.table, [None, FMT_MONEY, FMT_PERCENT, "0", FMT_PERCENT, FMT_MONEY, FMT_PERCENT])
    first, last = 5, 4 + len(view.table)
    spec.charts.append(Chart("bar", "各等级人数", "I3", 1, [ChartSeries("人数", 4, first, last)], y_title="人",
                             width_cm=14, height_cm=7))
    row = _table(spec, row, "【分析一：保持目标占比，应设的下限】", ["等级", "目标占比", "应设下限"], view.suggested,
                 [None, FMT_PERCENT, FMT_MONEY])
    row = _table(spec, row, "【分析二：保持当前下限，实际占比】", ["等级", "当前下限", "实际占比"], view.resulting,
                 [None, FMT_MONEY, FMT_PERCENT])
    spec.set(row, 1, "【会员健康度】", style=SECTION)
    for j, h in enumerate(["指标", "数值", "统计窗口"], start=1):
        spec.set(row + 1, j, h, style=HEADER)
    spec.merge(row + 1, 4, row + 1, 7, "定义", style=HEADER)
    for i, (name, value, definition, window) in enumerate(view.health, start=row + 2):
        spec.set(i, 1, name, style=BODY)
        spec.set(i, 2, value, style=BODY.but(number_format=FMT_PERCENT))
        spec.set(i, 3, window, style=BODY)
        spec.merge(i, 4, i, 7, definition, style=BODY.but(wrap=True, size=9))
        spec.row_heights[i] = 30
    row += 3 + len(view.health)
    row = _table(spec, row, f"【本期等级变化】（{len(view.changes)} 人，完整记录见「{TIER_HISTORY_SHEET}」）",
                 [BUYER, "上期等级", "本期等级", "变化"], view.changes[:200])
    spec.merge(row, 1, row, 7, "会员：至少有一笔计入消费的订单（已付款、未关闭）的买家。累计消费 = 实付金额 − 退款金额。"
               "分析一按会员累计消费从高到低排序，取各目标占比边界处买家的消费额为下限。", style=NOTE)
    spec.row_heights[row] = 30
    spec.col_widths.update({1: 16, 2: 14, 3: 11, 4: 10, 5: 10, 6: 14, 7: 10})
    spec.page.orientation = "landscape"
    return spec


SEGMENT_HINTS = {"重要价值客户": "R高 F高 M高：重点维护，专属优惠", "重要发展客户": "R高 F低 M高：提高购买频次",
                 "重要保持客户": "R低 F高 M高：近期未购买，主动联系", "重要挽留客户": "R低 F低 M高：流失风险高，重点挽回",
                 "一般价值客户": "R高 F高 M低：提高客单价", "一般发展客户": "R高 F低 M低：新客培育",
                 "一般保持客户": "R低 F高 M低：唤醒", "一般挽留客户": "R低 F低 M低：低成本触达"}


def segments_sheet(table: list[list[Any]], detail: dict[str, Sequence[Any]] | None, n_detail: int,
                   note: str) -> SheetSpec:
    """客户分群: the eight segments (人数, 占比, 消费额, 消费占比) with a chart, then per-buyer R/F/M scores."""
    spec = SheetSpec(SEGMENTS_SHEET, tab_color="00B050", page=PageSetup(orientation="landscape", header_center="客户分群"))
    spec.merge(1, 1, 1, 7, "客户分群（RFM）", style=TITLE.but(h_align="left"))
    rows = [[r[0], SEGMENT_HINTS.get(r[0], ""), *r[1:]] for r in table]
    end = _table(spec, 3, "【八类客户】", ["客户分群", "特征与建议", "人数", "占比", "消费额", "消费占比"], rows,
                 [None, None, "0", FMT_PERCENT, FMT_MONEY, FMT_PERCENT])
    spec.charts.append(Chart("bar", "各分群人数", "I3", 1, [ChartSeries("人数", 3, 5, 4 + len(rows))], y_title="人",
                             width_cm=16, height_cm=8))
    spec.merge(end, 1, end, 7, note, style=NOTE)
    spec.row_heights[end] = 42
    spec.col_widths.update({1: 16, 2: 34, 3: 10, 4: 10, 5: 14, 6: 10, 7: 10, 8: 10})
    if detail:
        top = max(end + 2, DETAIL_TOP)
        headers = list(detail)
        styles = [BODY.but(number_format=FORMATS.get(h, "0" if h in ("R分", "F分", "M分") else None)) for h in headers]
        spec.set(top - 1, 1, f"【每位会员的 R/F/M】（{n_detail} 人）", style=SECTION)
        spec.tables.append(TableBlock(top, 1, headers, [detail[h] for h in headers], styles, HEADER))
    return spec


CARE_COLUMNS = ("提醒时间", "场景", BUYER, "收货人", "订单编号", "商品", "金额", "话术", "处理人", "处理结果")
CARE_INPUTS = ("处理人", "处理结果")


CARE_ROW_HEIGHTS_UP_TO = 2000  # fitted row heights for the wrapped messages of a day's usual list


def care_sheet(rows: list[list[Any]], today: str, added: Sequence[str] = ()) -> SheetSpec:
    """关怀提醒: today's reminders with ready messages; 处理人 / 处理结果 are typed by staff, and so are
    the columns staff ``added`` (after ours; each row holds their values after ours).

    A table block: a big shop on a busy day has tens of thousands of reminders.
    """
    headers = [*CARE_COLUMNS, *added]
    spec = SheetSpec(CARE_SHEET, freeze="C3", tab_color="FF0000",
                     page=PageSetup(orientation="landscape", header_center=f"关怀提醒 {today}", print_title_rows="2:2"))
    spec.merge(1, 1, 1, 8, f"关怀提醒（{today}，{len(rows)} 条）", style=TITLE.but(h_align="left"))
    formats = {"提醒时间": "yyyy-mm-dd hh:mm", "金额": FMT_MONEY}
    styles = [INPUT if h in CARE_INPUTS or h in added else BODY.but(number_format=formats.get(h), wrap=h == "话术")
              for h in headers]
    columns = [[row[j] if j < len(row) else None for row in rows] for j in range(len(headers))]
    spec.tables.append(TableBlock(2, 1, headers, columns, styles, HEADER, frozenset((*CARE_INPUTS, *added))))
    if len(rows) <= CARE_ROW_HEIGHTS_UP_TO:
        for i, row in enumerate(rows, start=3):
            message = str(row[CARE_COLUMNS.index("话术")] or "")
            spec.row_heights[i] = 14 * max(1, -(-len(message) // 28)) + 4  # ~28 CJK characters a line at width 60
    spec.col_widths.update({1: 16, 2: 14, 3: 14, 4: 9, 5: 20, 6: 24, 7: 10, 8: 60, 9: 9, 10: 16})
    spec.col_widths.update({j: 14 for j in range(len(CARE_COLUMNS) + 1, len(headers) + 1)})
    if rows:
        spec.auto_filter = f"A2:{col_letter(len(headers))}{len(rows) + 2}"
        spec.validations.append(DataValidation(f"J3:J{len(rows) + 2}", ["已联系", "已付款", "无回应", "不再联系"],
                                               "处理结果"))
    return spec


def report_sheet(lines: list[tuple[str, Any]], problems: list[list[Any]]) -> SheetSpec:
    """导入报告: what was read, merged, skipped (with sheet, cell and reason), kept and masked."""
    spec = SheetSpec(REPORT_SHEET, tab_color="808080")
    spec.set(1, 1, "导入报告", style=TITLE.but(h_align="left"))
    for i, (label, value) in enumerate(lines, start=3):
        spec.set(i, 1, label, style=HEADER.but(h_align="left", fill="F2F2F2"))
        spec.set(i, 2, value, style=BODY)
    top = len(lines) + 4
    _table(spec, top, f"【跳过的行】（列出前 {len(problems)} 条）", ["工作表/文件", "单元格", "原因", "内容"], problems)
    spec.col_widths.update({1: 30, 2: 40, 3: 40, 4: 30})
    return spec


TIER_HISTORY_COLUMNS = ("期间", BUYER, "上期等级", "本期等级", "累计消费")


def tier_history_sheet(columns: dict[str, Sequence[Any]]) -> SheetSpec:
    """会员等级历史: one row per tier change (the first assignment included), oldest first."""
    headers = list(TIER_HISTORY_COLUMNS)
    styles = [BODY, BODY, BODY, BODY, BODY.but(number_format=FMT_MONEY)]
    spec = SheetSpec(TIER_HISTORY_SHEET, freeze="A2", tab_color="7030A0",
                     tables=[TableBlock(1, 1, headers, [columns[h] for h in headers], styles, HEADER)])
    spec.col_widths.update({1: 10, 2: 16, 3: 10, 4: 10, 5: 12})
    return spec
