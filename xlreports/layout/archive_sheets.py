"""Customer-archive tabs as sheet specs: 客户档案, 客户分群, 售后登记, 导入报告, 会员等级历史
(会员分层 is ``layout.tiers_sheet``, 关怀提醒 ``layout.care_sheet``).

客户档案 and the per-buyer part of 客户分群 can hold hundreds of thousands of rows,
so they are TableBlocks (columns, not cells); the small summary tabs are cells.
Staff columns (备注, the personal profile, columns staff added) are yellow inputs:
the archive job carries them over by 买家会员名 on every rebuild.
"""
from __future__ import annotations

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
from xlreports.layout.care_sheet import CARE_SHEET  # noqa: F401 - the customer tabs' names, all here
from xlreports.layout.tiers_sheet import TIER_HISTORY_SHEET, TIERS_SHEET  # noqa: F401
from xlreports.model.orders import BUYER

ARCHIVE_SHEET = "客户档案"
SEGMENTS_SHEET = "客户分群"
AFTERSALES_SHEET = "售后登记"
REPORT_SHEET = "导入报告"

# Computed by the engine on every rebuild, in sheet order.
COMPUTED = (BUYER, "收货人", "电话", "省", "市", "地址", "来源", "首次购买", "最近购买", "购买次数", "累计消费",
            "客单价", "平均回购周期(天)", "回购频次", "常购商品", "会员等级", "客户分群", "R分", "F分", "M分")
# Typed by staff; never overwritten.
STAFF = ("备注", "性别", "年龄段", "民族", "邮箱", "服装码数", "鞋码", "款号", "工作状况", "家庭状况", "性格", "消费习惯",
         "着装喜好", "娱乐爱好", "生活习惯", "喜欢的服务方式", "对促销信息的接受情况", "价值观")
_FORMATS = {"首次购买": FMT_DATE, "最近购买": FMT_DATE, "累计消费": FMT_MONEY, "客单价": FMT_MONEY,
            "购买次数": "0", "回购频次": "0", "平均回购周期(天)": "0.0", "R分": "0", "F分": "0", "M分": "0"}
_WIDTHS = {BUYER: 16, "收货人": 10, "电话": 14, "省": 8, "市": 9, "地址": 30, "来源": 12, "首次购买": 11,
           "最近购买": 11, "购买次数": 8, "累计消费": 12, "客单价": 10, "常购商品": 28, "备注": 24}
SECTION = Style(bold=True, size=12, color="1F4E78")


def archive_sheet(columns: dict[str, Sequence[Any]], staff_columns: list[str], n_rows: int,
                  staff_formats: dict[str, str | None] | None = None) -> SheetSpec:
    """客户档案: computed columns then staff columns; ``columns`` maps header → values (list or Series).

    Staff columns hold what was typed, each value with its own type (a list may mix text and
    numbers); ``staff_formats`` gives a column the number format its numbers and dates had."""
    headers = [h for h in COMPUTED if h in columns] + [h for h in staff_columns if h in columns]
    formats = staff_formats or {}
    styles = [(INPUT.but(number_format=formats[h]) if formats.get(h) else INPUT) if h in staff_columns
              else BODY.but(number_format=_FORMATS.get(h)) for h in headers]
    block = TableBlock(1, 1, headers, [columns[h] for h in headers], styles, HEADER,
                       frozenset(staff_columns))
    # A data sheet, not a form: printed three pages wide with the header row and buyer column repeated.
    spec = SheetSpec(ARCHIVE_SHEET, freeze="B2", tab_color="2E75B6", tables=[block],
                     page=PageSetup(orientation="landscape", header_center="客户档案", print_title_rows="1:1",
                                    print_title_cols="A:A", fit_width=3))
    for j, h in enumerate(headers, start=1):
        spec.col_widths[j] = _WIDTHS.get(h, 11 if h in COMPUTED else 12)
    spec.auto_filter = f"A1:{col_letter(len(headers))}{max(1, n_rows + 1)}"
    return spec


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
        top = max(end + 2, 22)
        headers = list(detail)
        styles = [BODY.but(number_format=_FORMATS.get(h, "0" if h in ("R分", "F分", "M分") else None)) for h in headers]
        spec.set(top - 1, 1, f"【每位会员的 R/F/M】（{n_detail} 人）", style=SECTION)
        spec.tables.append(TableBlock(top, 1, headers, [detail[h] for h in headers], styles, HEADER))
    return spec


AFTERSALES_INPUTS = ("登记时间", "订单编号", BUYER, "问题类型", "有照片", "可二次销售", "问题描述")
AFTERSALES_FILLED = ("处理方式", "运费承担", "跟进截止", "状态")
AFTERSALES_STAFF = ("处理结果", "处理人")
AFTERSALES_COLUMNS = AFTERSALES_INPUTS + AFTERSALES_FILLED + AFTERSALES_STAFF
AFTERSALES_BLANK_ROWS = 50


def aftersales_sheet(rows: list[list[Any]], overdue_rows: set[int], added: Sequence[str] = ()) -> SheetSpec:
    """售后登记: staff log cases; 处理方式, 运费承担, 跟进截止 (登记时间 + 24 h) and 状态 are filled by the rules;
    columns staff ``added`` follow ours (each row holds their values after ours)."""
    headers = [*AFTERSALES_COLUMNS, *added]
    spec = SheetSpec(AFTERSALES_SHEET, freeze="D3", tab_color="FFC000",
                     page=PageSetup(orientation="landscape", header_center="售后登记", print_title_rows="2:2"))
    spec.merge(1, 1, 1, 9, "售后登记：黄色列由客服填写，灰色列由规则生成（发错货/发少货/质量问题的处理方式与运费承担，24 小时内跟进）",
               style=NOTE.but(wrap=False))
    formats = {"登记时间": "yyyy-mm-dd hh:mm", "跟进截止": "yyyy-mm-dd hh:mm"}
    filled = BODY.but(fill="EDEDED")
    for j, h in enumerate(headers, start=1):
        spec.set(2, j, h, style=HEADER)
    total = len(rows) + AFTERSALES_BLANK_ROWS
    for i in range(total):
        row = list(rows[i]) if i < len(rows) else []
        row += [None] * (len(headers) - len(row))
        for j, (h, v) in enumerate(zip(headers, row), start=1):
            base = filled if h in AFTERSALES_FILLED else INPUT
            style = base.but(number_format=formats.get(h))
            if h == "状态" and i in overdue_rows:
                style = style.but(fill="FFC7CE", color="9C0006", bold=True)
            spec.set(i + 3, j, v, style=style)
    last = total + 2
    for col, choices in (("D", ["发错货", "发少货", "质量问题"]), ("E", ["是", "否"]), ("F", ["是", "否"])):
        spec.validations.append(DataValidation(f"{col}3:{col}{last}", choices, None))
    spec.col_widths.update({1: 16, 2: 20, 3: 14, 4: 10, 5: 8, 6: 10, 7: 24, 8: 24, 9: 10, 10: 16, 11: 10, 12: 20, 13: 9})
    spec.col_widths.update({j: 14 for j in range(len(AFTERSALES_COLUMNS) + 1, len(headers) + 1)})
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
