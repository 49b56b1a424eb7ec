"""The 会员规则 sheet as a styled spec: the rows of ``rules.membership_rows`` with editable cells yellow.

>>> from xlreports.model.membership import default_rules
>>> spec = membership_sheet(default_rules())
>>> spec.name, spec.cells[(4, 1)].value
('会员规则', '【会员等级】')
"""
from __future__ import annotations

from xlreports.layout.scheme_sheet import rules_sheet_style
from xlreports.layout.spec import FMT_PERCENT, HEADER, DataValidation, INPUT, NOTE, PageSetup, SheetSpec, Style
from xlreports.model.membership import MembershipRules
from xlreports.rules.membership_rows import FIELDS_SECTION, SHEET_NAME, membership_rows
from xlreports.rules.sections import find_sections


def membership_sheet(rules: MembershipRules) -> SheetSpec:
    """The styled sheet: section titles, headers, yellow editable values."""
    rows = membership_rows(rules)
    spec = SheetSpec(SHEET_NAME, tab_color="C00000", page=PageSetup(header_center="会员规则"))
    starts = find_sections(rows)
    header_rows = {i + 2 for i in starts.values()}
    fields_top = starts.get(FIELDS_SECTION, len(rows))
    setting_rows = range(starts["设置"] + 3, fields_top + 1)
    tier_rows = range(starts["会员等级"] + 3, starts["设置"])
    field_rows = range(fields_top + 3, len(rows) + 1)

    def body_style(i: int, j: int) -> Style:
        if (i in setting_rows or i in field_rows) and j != 2:  # labels beside the typed 值 / 显示
            return HEADER.but(h_align="left", fill="F2F2F2") if j == 1 else NOTE.but(wrap=False)
        return INPUT.but(number_format=FMT_PERCENT) if i in tier_rows and j == 3 else INPUT

    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row, start=1):
            if value is None and not (i in tier_rows and j <= 3):
                continue
            spec.set(i, j, value, style=rules_sheet_style(i, j, value, header_rows) or body_style(i, j))
    if field_rows:
        spec.validations.append(DataValidation(f"B{field_rows[0]}:B{field_rows[-1]}", ["是", "否"], None))
    spec.col_widths.update({1: 18, 2: 16, 3: 12})
    return spec
