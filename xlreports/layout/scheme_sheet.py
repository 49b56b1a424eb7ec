"""The 考核方案 sheet as a styled spec: the rows of ``rules.scheme_rows.scheme_to_rows`` with editable cells yellow.

>>> from xlreports.rules.scheme_files import builtin_scheme
>>> spec = scheme_sheet(builtin_scheme("A"))
>>> spec.cells[(1, 1)].value
'考核方案：客服部客服指标绩效考核表'
"""
from __future__ import annotations

from xlreports import kinds
from xlreports.model.scheme import Scheme
from xlreports.rules.scheme_rows import SHEET_NAME, parse_scheme_rows, scheme_to_rows
from xlreports.layout.spec import FMT_PERCENT, HEADER, INPUT, NOTE, TITLE, PageSetup, SheetSpec, Style
from xlreports.layout.text_width import lines, row_height

SECTION_TITLE = Style(bold=True, size=12, color="1F4E78")
# One landscape A4 page wide at about 75 %: short codes in narrow columns (headers wrap), the KPI's
# 详细描述 and 说明 wrapped in the two wide ones.
_WIDTHS = [13, 11, 8, 13, 10, 11, 7, 9, 6, 6, 6, 7, 8, 7, 7, 28, 28]
_NOTE_SPAN = 8  # a 方案设置 note wraps across C:H


def scheme_sheet(scheme: Scheme, name: str = SHEET_NAME) -> SheetSpec:
    """Lay the scheme out for people to read and edit; labels/keys stay plain, values are yellow inputs."""
    rows = scheme_to_rows(scheme)
    parsed = parse_scheme_rows(rows, name)
    refs = parsed.refs
    spec = SheetSpec(name, tab_color="C00000", freeze="B4",
                     page=PageSetup(orientation="landscape", fit_width=1, header_center=f"考核方案：{scheme.name}"))
    header_rows = {r + 1 for r, _ in refs.sections.values()}
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row, start=1):
            if value is not None:
                spec.set(i, j, value, style=rules_sheet_style(i, j, value, header_rows) or INPUT)
    # Key / note columns of 方案设置 are labels, not inputs.
    for attr, (r, c) in refs.settings.items():
        spec.cells[(r, c - 1)].style = HEADER.but(h_align="left", fill="F2F2F2")
        if (r, c + 1) in spec.cells:
            spec.cells[(r, c + 1)].style = NOTE.but(wrap=False)
    _percent_formats(scheme, refs, spec)
    for j, width in enumerate(_WIDTHS, start=1):
        spec.col_widths[j] = width
    _wrap_notes(spec, rows, refs)
    return spec


def _wrap_notes(spec: SheetSpec, rows: list[list], refs) -> None:
    """Long text prints inside the page: the sheet's note and the 【说明】 lines across the sheet, a
    方案设置 note across C:H, a KPI's 详细描述 and 说明 wrapped in their columns; rows as tall as their lines."""
    last = len(_WIDTHS)
    across = sum(_WIDTHS) - 2
    notes_top = refs.sections.get("说明", (None, None))[0]
    long_rows = [2] + ([r for r in range(notes_top + 2, len(rows) + 1)] if notes_top else [])
    for r in long_rows:
        cell = spec.cells.get((r, 1))
        if cell is not None and isinstance(cell.value, str):
            style = (cell.style or NOTE).but(wrap=True, v_align="top", h_align="left")
            spec.merge(r, 1, r, last, cell.value, style=style)
            spec.row_heights[r] = row_height(lines(cell.value, across))
    note_width = sum(_WIDTHS[2:_NOTE_SPAN])
    for r, c in refs.settings.values():
        cell = spec.cells.get((r, c + 1))
        if cell is not None and isinstance(cell.value, str):
            spec.merge(r, c + 1, r, _NOTE_SPAN, cell.value, style=cell.style.but(wrap=True))
            spec.row_heights[r] = row_height(lines(cell.value, note_width))
    tall: dict[int, int] = {}
    for (r, c), cell in spec.cells.items():
        if c >= last - 1 and r > 2 and r not in spec.row_heights and isinstance(cell.value, str):
            cell.style = (cell.style or INPUT).but(wrap=True)
            tall[r] = max(tall.get(r, 1), lines(cell.value, _WIDTHS[c - 1]))
    spec.row_heights.update({r: row_height(n) for r, n in tall.items() if n > 1})


def rules_sheet_style(row: int, col: int, value, header_rows: set[int]) -> Style | None:
    """The style a rules sheet (考核方案, 会员规则) gives its title, note, section titles and headers;
    None for the cells below the headers, whose style the sheet decides (mostly yellow inputs).

    >>> rules_sheet_style(5, 1, "【指标】", {6}) is SECTION_TITLE, rules_sheet_style(6, 2, "权重", {6}) is HEADER
    (True, True)
    """
    if row == 1:
        return TITLE.but(h_align="left")
    if row == 2:
        return NOTE.but(wrap=False)
    if col == 1 and isinstance(value, str) and value.startswith("【"):
        return SECTION_TITLE
    if row in header_rows:
        return HEADER
    return None


def _percent_formats(scheme: Scheme, refs, spec: SheetSpec) -> None:
    """Show thresholds (and a kind's own numbers) of percentage KPIs and commission rates as percentages."""
    def fmt(pos, number_format):
        cell = spec.cells.get(pos)
        if cell is not None:
            cell.style = (cell.style or INPUT).but(number_format=number_format)

    for kpi in scheme.kpis:
        if kpi.fmt != "percent":
            continue
        for where in refs.bands.get(kpi.name, []):
            fmt(where["lo"], FMT_PERCENT)
            fmt(where["hi"], FMT_PERCENT)
        for where in refs.rules.get(kpi.name, []):
            fmt(where["threshold"], FMT_PERCENT)
            if "step" in where:
                fmt(where["step"], FMT_PERCENT)
        kind = kinds.find(kpi.kind)
        for param in kind.params if kind else ():
            fmt(refs.kpis[kpi.name].get(param.attr), FMT_PERCENT)
        if kpi.metric.target is not None and kpi.metric.kind != "attainment":
            fmt(refs.kpis[kpi.name]["metric.target"], FMT_PERCENT)
    for where in refs.commission:
        fmt(where["rate"], "0.00%")
    gate = scheme.commission_gate_kpi
    if gate and any(k.name == gate and k.fmt == "percent" for k in scheme.kpis):
        fmt(refs.settings["commission_gate_value"], FMT_PERCENT)
