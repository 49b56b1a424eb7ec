"""The 会员规则 sheet as a styled spec: the rows of ``rules.membership_rows`` with editable cells yellow.

>>> from xlreports.model.membership import default_rules
>>> spec = membership_sheet(default_rules())
>>> spec.name, spec.cells[(4, 1)].value
('会员规则', '【会员等级】')
"""
from __future__ import annotations

from xlreports.layout.spec import FMT_PERCENT, HEADER, INPUT, NOTE, TITLE, PageSetup, SheetSpec, Style
from xlreports.model.membership import MembershipRules
from xlreports.rules.membership_rows import SHEET_NAME, membership_rows
from xlreports.rules.scheme_rows import find_sections

SECTION_TITLE = Style(bold=True, size=12, color="1F4E78")


def membership_sheet(rules: MembershipRules) -> SheetSpec:
    """The styled sheet: section titles, headers, yellow editable values."""
    rows = membership_rows(rules)
    spec = SheetSpec(SHEET_NAME, tab_color="C00000", page=PageSetup(header_center="会员规则"))
    starts = find_sections(rows)
    header_rows = {i + 2 for i in starts.values()}
    setting_rows = range(starts["设置"] + 3, len(rows) + 1)
    tier_rows = range(starts["会员等级"] + 3, starts["设置"])
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row, start=1):
            if value is None and not (i in tier_rows and j <= 3):
                continue
            if i == 1:
                style = TITLE.but(h_align="left")
            elif i == 2:
                style = NOTE.but(wrap=False)
            elif j == 1 and isinstance(value, str) and value.startswith("【"):
                style = SECTION_TITLE
            elif i in header_rows:
                style = HEADER
            elif i in setting_rows and j != 2:
                style = HEADER.but(h_align="left", fill="F2F2F2") if j == 1 else NOTE.but(wrap=False)
            elif i in tier_rows and j == 3:
                style = INPUT.but(number_format=FMT_PERCENT)
            else:
                style = INPUT
            spec.set(i, j, value, style=style)
    spec.col_widths.update({1: 18, 2: 16, 3: 12})
    return spec
