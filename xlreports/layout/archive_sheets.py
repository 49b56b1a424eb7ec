"""Customer-archive tabs as sheet specs: 客户分群, 导入报告, 会员等级历史 (客户档案 is
``layout.customer_sheet``, 售后登记 ``layout.aftersales_sheet``, 会员分层 ``layout.tiers_sheet``,
关怀提醒 ``layout.care_sheet``).

The per-buyer part of 客户分群 and 会员等级历史 can hold hundreds of thousands of rows,
so they are TableBlocks (columns, not cells); the small summary tabs are cells.
"""
from __future__ import annotations

from typing import Any, Sequence

from xlreports.layout.spec import (
    BODY,
    FMT_MONEY,
    FMT_PERCENT,
    HEADER,
    NOTE,
    TITLE,
    Chart,
    ChartSeries,
    PageSetup,
    SheetSpec,
    Style,
    TableBlock,
)
from xlreports.layout.care_sheet import CARE_SHEET  # noqa: F401 - the customer tabs' names, all here
from xlreports.layout.tiers_sheet import TIER_HISTORY_SHEET, TIERS_SHEET  # noqa: F401
from xlreports.model.orders import BUYER
from xlreports.layout.aftersales_sheet import (AFTERSALES_COLUMNS, AFTERSALES_INPUTS, AFTERSALES_SHEET,  # noqa: F401
                                               aftersales_sheet)
from xlreports.layout.customer_sheet import ARCHIVE_SHEET, COMPUTED, FORMATS, STAFF, archive_sheets  # noqa: F401

SEGMENTS_SHEET = "客户分群"
REPORT_SHEET = "导入报告"

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
