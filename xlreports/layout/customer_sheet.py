"""客户档案 as sheet specs: one row per buyer, the key columns first (they print), the other computed
columns, then 备注 and the personal fields staff fill in (yellow; carried over by 买家会员名).
More buyers than a sheet holds continue in 客户档案(2), (3) … with the same header.

>>> specs = archive_sheets({"买家会员名": ["a", "b", "c"], "电话": ["1", "2", "3"], "备注": [None, "x", None]},
...                        ["备注"], 3, rows_per_sheet=2)
>>> [(s.name, s.tables[0].n_rows, s.page.print_area) for s in specs]
[('客户档案', 2, 'A1:B3'), ('客户档案(2)', 1, 'A1:B2')]
"""
from __future__ import annotations

from typing import Any, Sequence

from xlreports.a1 import col_letter
from xlreports.layout.sheet_parts import ROWS_PER_SHEET, part_name, part_ranges
from xlreports.layout.spec import BODY, FMT_DATE, FMT_MONEY, HEADER, INPUT, DataValidation, PageSetup, SheetSpec, TableBlock
from xlreports.model.orders import BUYER
from xlreports.model.profile_fields import CHOICES, NOTE_FIELD, PROFILE_FIELDS

ARCHIVE_SHEET = "客户档案"
# The columns a printed page shows (landscape, one page wide), in sheet order.
KEY_COLUMNS = (BUYER, "收货人", "电话", "省", "市", "地址", "来源", "会员等级", "首次购买", "最近购买", "购买次数",
               "累计消费")
# Computed by the engine on every rebuild, in sheet order.
COMPUTED = KEY_COLUMNS + ("客单价", "平均回购周期(天)", "回购频次", "常购商品", "客户分群", "R分", "F分", "M分")
# Typed by staff; never overwritten. Which personal fields show is 会员规则's 【客户档案字段】.
STAFF = (NOTE_FIELD, *(name for name, _, _ in PROFILE_FIELDS))
FORMATS = {"首次购买": FMT_DATE, "最近购买": FMT_DATE, "累计消费": FMT_MONEY, "客单价": FMT_MONEY,
           "购买次数": "0", "回购频次": "0", "平均回购周期(天)": "0.0", "R分": "0", "F分": "0", "M分": "0"}
_WIDTHS = {BUYER: 16, "收货人": 10, "电话": 14, "省": 8, "市": 9, "地址": 30, "来源": 10, "首次购买": 11,
           "最近购买": 11, "购买次数": 8, "累计消费": 12, "客单价": 10, "常购商品": 28, NOTE_FIELD: 24}


def archive_headers(columns: Sequence[str], staff_columns: Sequence[str]) -> list[str]:
    """Sheet order: the computed columns (key columns first), then the staff columns in their order.

    >>> archive_headers(["买家会员名", "R分", "电话", "性别", "备注"], ["备注", "性别"])
    ['买家会员名', '电话', 'R分', '备注', '性别']
    """
    have = set(columns)
    return [h for h in COMPUTED if h in have] + [h for h in staff_columns if h in have]


def archive_sheets(columns: dict[str, Sequence[Any]], staff_columns: list[str], n_rows: int,
                   staff_formats: dict[str, str | None] | None = None, *,
                   rows_per_sheet: int = ROWS_PER_SHEET) -> list[SheetSpec]:
    """客户档案 and its continuation tabs; ``columns`` maps header → values (list or Series).

    Staff columns hold what was typed, each value with its own type (a list may mix text and
    numbers); ``staff_formats`` gives a column the number format its numbers and dates had."""
    headers = archive_headers(list(columns), staff_columns)
    formats = staff_formats or {}
    styles = [(INPUT.but(number_format=formats[h]) if formats.get(h) else INPUT) if h in staff_columns
              else BODY.but(number_format=FORMATS.get(h)) for h in headers]
    printed = sum(1 for h in headers if h in KEY_COLUMNS) or len(headers)
    specs = []
    for k, (start, end) in enumerate(part_ranges(n_rows, rows_per_sheet), start=1):
        rows = end - start
        name = part_name(ARCHIVE_SHEET, k)
        block = TableBlock(1, 1, headers, [columns[h][start:end] for h in headers], styles, HEADER,
                           frozenset(staff_columns))
        # A data sheet: the key columns print landscape, one page wide, header row repeated.
        spec = SheetSpec(name, freeze="B2", tab_color="2E75B6", tables=[block],
                         page=PageSetup(orientation="landscape", header_center=name, print_title_rows="1:1",
                                        print_area=f"A1:{col_letter(printed)}{rows + 1}", fit_width=1))
        for j, h in enumerate(headers, start=1):
            spec.col_widths[j] = _WIDTHS.get(h, 11 if h in COMPUTED else 12)
        spec.auto_filter = f"A1:{col_letter(len(headers))}{max(1, rows + 1)}"
        if rows:
            for j, h in enumerate(headers, start=1):
                if h in staff_columns and h in CHOICES:
                    spec.validations.append(DataValidation(f"{col_letter(j)}2:{col_letter(j)}{rows + 1}",
                                                           list(CHOICES[h]), h))
        specs.append(spec)
    return specs
