"""关怀提醒 (today's work queue) and 关怀记录 (what was done on earlier days) as sheet specs.

关怀提醒, top to bottom: the title (date, how many items, how many overdue); 今日完成 X / Y, a live
COUNTIF over 处理结果 that moves as staff type; one cell per scene (场景 完成/条数, live too); the
priority order in words; then the table, one row per item, 处理人 / 处理结果 and the columns staff
added in yellow. The job reads the sheet back by its headers (header row within the first five rows).

>>> spec = care_sheet([], "2026-11-23", 0, [])
>>> spec.cells[(2, 2)].formula
'=COUNTIF(N5:N5,"?*")&" / "&0'
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from xlreports.a1 import col_letter
from xlreports.layout.spec import (BODY, FMT_DATE, FMT_MONEY, HEADER, INPUT, NOTE, TITLE, ConditionalFormat,
                                   DataValidation, PageSetup, SheetSpec, Style, TableBlock)
from xlreports.model.orders import BUYER

CARE_SHEET = "关怀提醒"
CARE_LOG_SHEET = "关怀记录"
CARE_COLUMNS = ("提醒时间", "逾期", "场景", "会员等级", "客户分群", BUYER, "收货人", "订单编号", "商品", "金额",
                "上次联系", "话术", "处理人", "处理结果")
CARE_INPUTS = ("处理人", "处理结果")
RESULTS = ["已联系", "已付款", "无回应", "不再联系"]
HEADER_ROW = 4  # the table's header; rows 1-3 are the title, 今日完成 and the per-scene counts
CARE_ROW_HEIGHTS_UP_TO = 2000  # fitted row heights for the wrapped messages of a day's usual list
LOG_COLUMNS = ("完成日期", "提醒时间", "场景", BUYER, "收货人", "订单编号", "处理人", "处理结果")
FMT_DATETIME = "yyyy-mm-dd hh:mm"
_WIDTHS = {"提醒时间": 16, "逾期": 9, "场景": 14, "会员等级": 9, "客户分群": 12, BUYER: 14, "收货人": 9,
           "订单编号": 20, "商品": 22, "金额": 10, "上次联系": 11, "话术": 56, "处理人": 9, "处理结果": 12}
OVERDUE = Style(color="9C0006", bold=True)


def overdue_text(days: int) -> str | None:
    """The 逾期 cell: blank when due today.

    >>> overdue_text(0), overdue_text(3)
    (None, '逾期 3 天')
    """
    return f"逾期 {days} 天" if days > 0 else None


def care_sheet(rows: list[list[Any]], today: str, overdue: int, handlers: Sequence[str],
               added: Sequence[str] = (), note: str = "") -> SheetSpec:
    """关怀提醒: ``rows`` hold the CARE_COLUMNS values then the ``added`` columns', in queue order;
    ``overdue`` of them are overdue; ``handlers`` (客服名册's names) fill the 处理人 drop-down
    (none: free text); ``note`` states the priority order."""
    headers = [*CARE_COLUMNS, *added]
    col = {h: j for j, h in enumerate(headers, start=1)}
    first, last = HEADER_ROW + 1, HEADER_ROW + max(1, len(rows))
    spec = SheetSpec(CARE_SHEET, freeze=f"D{first}", tab_color="FF0000",
                     page=PageSetup(orientation="landscape", header_center=f"关怀提醒 {today}",
                                    print_title_rows=f"{HEADER_ROW}:{HEADER_ROW}"))
    spec.merge(1, 1, 1, 8, f"关怀提醒 {today}（共 {len(rows):,} 条，其中逾期 {overdue:,} 条）",
               style=TITLE.but(h_align="left"))
    result = _range(col["处理结果"], first, last)
    spec.set(2, 1, "今日完成", style=HEADER)
    spec.set(2, 2, f"0 / {len(rows)}", formula=f'=COUNTIF({result},"?*")&" / "&{len(rows)}',
             style=BODY.but(bold=True, size=12, h_align="center"))
    spec.merge(2, 3, 2, 12, note, style=NOTE.but(wrap=False))
    scene_col = _range(col["场景"], first, last)
    scenes = _scene_counts(rows)
    span = 2 if 2 * len(scenes) <= len(headers) else 1  # two columns a scene when they fit: names are long
    for k, (scene, n) in enumerate(scenes):
        quoted = scene.replace('"', '""')  # a carried row's 场景 is text from the sheet: data, never code
        j = 1 + k * span
        spec.merge(3, j, 3, j + span - 1, f"{scene} 0/{n}", style=BODY.but(fill="F2F2F2", h_align="center"),
                   formula=f'="{quoted} "&COUNTIFS({scene_col},"{quoted}",{result},"?*")&"/"&{n}')
    formats = {"提醒时间": FMT_DATETIME, "金额": FMT_MONEY, "上次联系": FMT_DATE}
    styles = [INPUT if h in CARE_INPUTS or h in added else
              BODY.but(number_format=formats.get(h), wrap=h == "话术") for h in headers]
    columns = [[row[j] if j < len(row) else None for row in rows] for j in range(len(headers))]
    spec.tables.append(TableBlock(HEADER_ROW, 1, headers, columns, styles, HEADER,
                                  frozenset((*CARE_INPUTS, *added))))
    spec.conditional_formats.append(ConditionalFormat(_range(col["逾期"], first, last), "formula",
                                                      f'LEN({col_letter(col["逾期"])}{first})>0', OVERDUE))
    if len(rows) <= CARE_ROW_HEIGHTS_UP_TO:
        at = CARE_COLUMNS.index("话术")
        for i, row in enumerate(rows, start=first):
            spec.row_heights[i] = 14 * max(1, -(-len(str(row[at] or "")) // 30)) + 4  # ~30 CJK a line at width 56
    spec.col_widths.update({j: _WIDTHS.get(h, 14) for h, j in col.items()})
    if rows:
        spec.auto_filter = f"A{HEADER_ROW}:{col_letter(len(headers))}{last}"
        spec.validations.append(DataValidation(_range(col["处理结果"], first, last), RESULTS, "处理结果"))
        if handlers:
            spec.validations.append(DataValidation(_range(col["处理人"], first, last), list(handlers),
                                                   "处理人（客服名册）"))
    return spec


def _range(j: int, first: int, last: int) -> str:
    letter = col_letter(j)
    return f"{letter}{first}:{letter}{last}"


def _scene_counts(rows: list[list[Any]]) -> list[tuple[str, int]]:
    at = CARE_COLUMNS.index("场景")
    counts = Counter(str(r[at]) for r in rows if r[at])
    return list(dict.fromkeys((str(r[at]), counts[str(r[at])]) for r in rows if r[at]))


def care_log_sheet(columns: dict[str, Sequence[Any]], added: Sequence[str] = ()) -> SheetSpec:
    """关怀记录: items done on earlier days (完成日期 = the day of the list they were done on), oldest first;
    the columns staff added to 关怀提醒 come along."""
    headers = [*LOG_COLUMNS, *added]
    formats = {"完成日期": FMT_DATE, "提醒时间": FMT_DATETIME}
    styles = [BODY.but(number_format=formats.get(h)) for h in headers]
    spec = SheetSpec(CARE_LOG_SHEET, freeze="A2", tab_color="FF9999",
                     tables=[TableBlock(1, 1, headers, [columns.get(h, []) for h in headers], styles, HEADER)])
    spec.col_widths.update({j: _WIDTHS.get(h, 12) for j, h in enumerate(headers, start=1)})
    return spec
