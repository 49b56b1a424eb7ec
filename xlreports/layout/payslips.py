"""工资条: one strip per person to cut out and hand over — its own header row, the figures, a cut line.

Every figure is live from 工资表, found by the person's name (``INDEX/MATCH``, layout/lookup.py), so a
sorted 工资表 or a deduction typed there shows on the strip without a re-run. The strip carries the
工资表 columns a person needs (not 级别, 专项附加扣除 or 签字) and leaves out the computed columns
工资表 hides (zero for everyone). Strips never straddle a page: a manual page break every
``strips_per_page`` strips, counted at the scale fit-to-width will print at (estimated from below).

>>> strip_rows = HEAD_HEIGHT + VALUE_HEIGHT + CUT_HEIGHT
>>> strips_per_page(0, printable=3 * strip_rows)
3
"""
from __future__ import annotations

from xlreports.engine.numbers import excel_round
from xlreports.engine.tax import DEDUCTIONS
from xlreports.layout.context import BookContext
from xlreports.layout.payroll import amount, columns, payroll_refs, zero_columns
from xlreports.layout.spec import BODY, FMT_MONEY, HEADER, NOTE, TITLE, PageSetup, SheetSpec, Style

#: 工资表 columns a strip shows, in 工资表's order (those the scheme has and does not hide).
STRIP_MONEY = ("底薪", "岗位工资", "津贴", "绩效工资", "提成", "全勤奖", "额外奖金", "奖金", "应发合计",
               *DEDUCTIONS, "个税", "实发工资")
TITLE_ROW, FIRST = 1, 3  # the first strip's header row; a blank row between title and strips
HEAD_HEIGHT, VALUE_HEIGHT, CUT_HEIGHT, TITLE_HEIGHT = 30, 24, 16, 28
STRIP_ROWS = 3  # header, figures, cut line
# Landscape A4 less margins (1.5 cm top and bottom, header and footer inside them), in points, with room
# to spare for a program whose row heights come out a little taller.
PRINTABLE_HEIGHT_PT = (21.0 - 3.0) / 2.54 * 72 * 0.95
PRINTABLE_WIDTH_PT = (29.7 - 2.0) / 2.54 * 72
# A column character taken narrow (Excel's is 5.25–6 pt with its padding): the table is never thought
# wider than it prints, so the fit-to-width scale is never thought smaller, nor more strips to fit.
CHAR_PT = 5.0
CUT = Style(size=8, color="808080", h_align="left", v_align="center")


def strips_per_page(first_page_extra: float, printable: float = PRINTABLE_HEIGHT_PT, scale: float = 1.0) -> int:
    """How many strips fit on a page printed at ``scale``, the first page also holding ``first_page_extra``
    points of title (every page is given the same count, so the breaks fall at the same strips).

    >>> strips_per_page(0), strips_per_page(43.0), strips_per_page(43.0, scale=0.785)
    (6, 6, 8)
    """
    strip = HEAD_HEIGHT + VALUE_HEIGHT + CUT_HEIGHT
    return max(1, int((printable / scale - first_page_extra) // strip))


def fit_scale(widths) -> float:
    """The scale fit-to-one-page-wide prints at, for columns ``widths`` (in characters), at most 1.

    >>> fit_scale([10] * 2 + [12] * 10), round(fit_scale([10] * 2 + [12] * 15), 3)
    (1.0, 0.785)
    """
    return min(1.0, PRINTABLE_WIDTH_PT / (sum(widths) * CHAR_PT))


def strip_columns(ctx: BookContext) -> list[str]:
    """The strip's columns: 客服, 月份, then the 工资表 amounts shown (zero-for-everyone ones left out)."""
    hidden = set(zero_columns(ctx.result))
    have = set(columns(ctx.scheme.income_tax == "on"))
    return ["客服", "月份", *(c for c in STRIP_MONEY if c in have and c not in hidden)]


def payslip_sheet(ctx: BookContext, payroll_sheet: str) -> SheetSpec:
    """工资条 for the month's agents, in 工资表's order, reading 工资表 (named ``payroll_sheet``)."""
    L = ctx.labels
    names = strip_columns(ctx)
    width = len(names)
    spec = SheetSpec(L("工资条"), tab_color="FFC000",
                     page=PageSetup(orientation="landscape", header_left=ctx.shop,
                                    header_center=f"{L('工资条')} {ctx.month}", margins_cm=(1.5, 1.0, 1.5, 1.0)))
    spec.merge(TITLE_ROW, 1, TITLE_ROW, width, f"{ctx.shop} {L('工资条')} {ctx.month}", style=TITLE)
    spec.row_heights[TITLE_ROW] = TITLE_HEIGHT
    for j, name in enumerate(names, start=1):
        spec.col_widths[j] = 12 if name in STRIP_MONEY else 10
    refs = payroll_refs(ctx.result, payroll_sheet)
    money = BODY.but(number_format=FMT_MONEY, h_align="center")
    per_page = strips_per_page(TITLE_HEIGHT + 15, scale=fit_scale(spec.col_widths.values()))  # + title, blank row
    # Dashes as wide as the strip (8 pt "- " is about 0.7 of a column character): longer text would widen
    # the printed area in LibreOffice, and shrink the page.
    cut = "✂ " + "- " * int(0.7 * sum(spec.col_widths.values()))
    row = FIRST
    for k, r in enumerate(ctx.result.agents):
        if k and k % per_page == 0:
            spec.row_breaks.append(row - 1)  # the break goes after the previous strip's cut line
        name = r.agent.name
        for j, col in enumerate(names, start=1):
            spec.set(row, j, L(col), style=HEADER)
            if col == "客服":
                spec.set(row + 1, j, name, style=BODY.but(h_align="center", bold=True))
            elif col == "月份":
                spec.set(row + 1, j, ctx.month, style=BODY.but(h_align="center"))
            else:
                bold = col in ("应发合计", "实发工资")
                spec.set(row + 1, j, excel_round(amount(r, col), 2), formula=f"=ROUND({refs.lookup(name, col)},2)",
                         style=money.but(bold=True) if bold else money)
        spec.merge(row + 2, 1, row + 2, width, cut, style=CUT)
        spec.row_heights.update({row: HEAD_HEIGHT, row + 1: VALUE_HEIGHT, row + 2: CUT_HEIGHT})
        row += STRIP_ROWS
    spec.merge(row, 1, row, width, L("工资条的每个数字都取自「工资表」（按姓名查找）；在工资表中改动后这里随之更新。"),
               style=NOTE.but(wrap=False))
    return spec
