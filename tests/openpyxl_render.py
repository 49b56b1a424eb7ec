"""The reference renderer of the tests: sheet specs into openpyxl workbooks.

Production writes through the zip-level writer (:mod:`xlreports.excel.write.xlsx`); this
renders the same specs through openpyxl, independently, so tests can compare the two
files. The decisions (tab order, active tab, sheet names, how a value becomes a cell,
print and colour constants) come from :mod:`xlreports.excel.write.plan`, as for every writer.

>>> from xlreports.layout.spec import SheetSpec, WorkbookSpec, HEADER
>>> s = SheetSpec("考核汇总")
>>> _ = s.set(1, 1, "客服", style=HEADER)
>>> _ = s.set(2, 1, '=HYPERLINK("http://x","y")')   # buyer text stays text
>>> wb = new_workbook(WorkbookSpec([s]))
>>> wb["考核汇总"]["A2"].data_type
's'
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from weakref import WeakKeyDictionary

import openpyxl
from openpyxl.cell.cell import Cell as XlCell, MergedCell
from openpyxl.chart import BarChart, LineChart, RadarChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.comments import Comment
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles import Alignment, Border, Color, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

from xlreports.errors import XlreportsError
from xlreports.a1 import col_letter
from xlreports.excel.write.plan import (
    AUTHOR, cell_value, check_sheet_name, check_sheet_names, margins, paper_size, plan_tabs, sheet_key,
    table_column_style,
)
from xlreports.excel.write.xlsx.sheet import conditional_rule, data_validation
from xlreports.layout.spec import (
    MAX_COL,
    MAX_ROW,
    check_table,
    Cell,
    Chart,
    PageSetup,
    SheetSpec,
    Style,
    WorkbookSpec,
    print_setup,
)

__all__ = ["render_sheet", "apply_workbook_spec", "new_workbook", "check_sheet_name", "table_column_style"]


# --------------------------------------------------------------------------- workbook


def new_workbook(spec: WorkbookSpec) -> openpyxl.Workbook:
    """A fresh workbook holding exactly the spec's sheets, in order.

    >>> from xlreports.layout.spec import SheetSpec, WorkbookSpec
    >>> wb = new_workbook(WorkbookSpec([SheetSpec("汇总"), SheetSpec("明细")]))
    >>> wb.sheetnames
    ['汇总', '明细']
    """
    wb = openpyxl.Workbook()
    if spec.sheets:
        # The default "Sheet" would otherwise stay behind as an empty first tab.
        wb.remove(wb.active)
    apply_workbook_spec(wb, spec)
    return wb


def apply_workbook_spec(wb, spec: WorkbookSpec, *, before: str | None = None) -> None:
    """Replace the spec's sheets in ``wb`` and render them; other sheets are left alone.

    Sheets named in ``spec.remove`` and existing sheets named like a spec sheet are
    removed (names compare case-insensitively, as in Excel). A spec sheet takes the
    place of the old sheet of the same name; new ones go before ``before`` when that
    sheet exists, else at the end. Re-running therefore replaces tabs instead of
    adding "汇总1", "汇总2". The tab that was active stays active (or its replacement).
    If rendering raises, ``wb`` is half-changed: don't save it (the file is untouched).

    >>> from xlreports.layout.spec import SheetSpec, WorkbookSpec
    >>> wb = openpyxl.Workbook(); wb.active.title = "客服数据"
    >>> apply_workbook_spec(wb, WorkbookSpec([SheetSpec("汇总")]), before="客服数据")
    >>> apply_workbook_spec(wb, WorkbookSpec([SheetSpec("汇总")]))
    >>> wb.sheetnames
    ['汇总', '客服数据']
    """
    check_sheet_names(s.name for s in spec.sheets)
    old_active = wb.active.title if wb.active is not None else None
    hidden = [ws.title for ws in wb._sheets if ws.sheet_state != "visible"]
    hidden += [s.name for s in spec.sheets if s.state != "visible"]
    tabs = plan_tabs(wb.sheetnames, [s.name for s in spec.sheets], remove=spec.remove,
                     hidden=hidden, active=old_active, before=before)
    kept = {ws.title: ws for ws in wb._sheets if ws.title in tabs.kept}
    for ws in list(wb._sheets):
        if ws.title not in kept:
            wb.remove(ws)
    created = {s.name: wb.create_sheet(s.name) for s in spec.sheets}
    # openpyxl has no "insert existing sheet at"; its own move_sheet edits _sheets too.
    wb._sheets = [created.get(name) or kept[name] for name in tabs.order]
    with _no_gc():
        for sheet_spec in spec.sheets:
            render_sheet(created[sheet_spec.name], sheet_spec)
    # Exactly one tab selected: two would open as a group in Excel, where typing edits both.
    wb.active = wb._sheets[tabs.active_index]
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == tabs.active


# --------------------------------------------------------------------------- sheet


def render_sheet(ws, spec: SheetSpec) -> None:
    """Fill an empty openpyxl worksheet from ``spec`` (and name it ``spec.name``).

    >>> from xlreports.layout.spec import SheetSpec, TITLE
    >>> s = SheetSpec("汇总"); s.merge(1, 1, 1, 4, "三月考核", style=TITLE)
    >>> ws = openpyxl.Workbook().active
    >>> render_sheet(ws, s)
    >>> ws.title, str(ws.merged_cells)
    ('汇总', 'A1:D1')
    """
    if ws.title != spec.name:
        _rename(ws, spec.name)
    with _no_gc():
        _render_into(ws, spec)


def _rename(ws, name: str) -> None:
    """Name ``ws``; openpyxl would quietly make a clashing name "汇总1", so refuse instead."""
    check_sheet_name(name)
    book = ws.parent
    if book is not None and any(sheet_key(other.title) == sheet_key(name)
                                for other in book._sheets if other is not ws):
        raise XlreportsError(f"工作簿中已有名为“{name}”的工作表")
    ws.title = name


@contextmanager
def _no_gc():
    """Pause the cyclic garbage collector while building cells.

    Each cell is a new object; with the collector on, its repeated passes over
    ~150,000 young cells take as long as building them (measured: 0.94 s → 0.44 s).
    Everything built here stays alive in the workbook, so those passes find no
    garbage; the collector simply runs later.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _render_into(ws, spec: SheetSpec) -> None:
    # Merges first: they turn covered cells into MergedCells, which then get their styles.
    for block in spec.merges:
        _merge(ws, *block)
    _write_cells(ws, spec.cells)
    _write_tables(ws, spec)
    _write_dimensions(ws, spec)
    _write_view(ws, spec)
    if print_setup(spec) is not None:
        _write_page_setup(ws, print_setup(spec))
    for row in spec.row_breaks:
        ws.row_breaks.append(Break(id=row))
    for chart in spec.charts:
        ws.add_chart(_build_chart(ws, chart), chart.anchor)
    for fmt in spec.conditional_formats:
        ws.conditional_formatting.add(fmt.range, conditional_rule(fmt))
    for validation in spec.validations:
        ws.add_data_validation(data_validation(validation))


def _merge(ws, r1: int, c1: int, r2: int, c2: int) -> None:
    """ws.merge_cells without its border fix-up, which costs ~0.2 ms a merge.

    The fix-up copies the top-left border to the block's edges; SheetSpec.merge
    already gives every covered cell its style, so it would only be overwritten.
    """
    block = MergedCellRange(ws, f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}")
    # MultiCellRange.add first tests containment against every earlier merge (quadratic: 12,000
    # merges on one forms sheet took over a minute); spec merges never overlap, so add directly.
    ws.merged_cells.ranges.add(block)
    cells = block.cells
    next(cells)  # the top-left cell keeps its value
    for row, col in cells:
        ws._cells[(row, col)] = MergedCell(ws, row, col)


def _write_cells(ws, cells: dict[tuple[int, int], Cell]) -> None:
    """Write values and styles; this is the hot path, so cells are built directly."""
    style_of = _style_cache(ws)
    sheet_cells = ws._cells
    for key, spec_cell in cells.items():
        row, col = key
        if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
            raise ValueError(f"cell ({row}, {col}) of {ws.title!r} is outside the sheet")
        style = style_of(spec_cell.style)
        existing = sheet_cells.get(key)
        if existing is not None and type(existing) is MergedCell:
            existing._style = style  # covered by a merge: only its border/fill shows
            continue
        cell = sheet_cells[key] = XlCell(ws, row, col, None, style)
        _put_value(cell, spec_cell)
        if spec_cell.comment:
            cell.comment = Comment(spec_cell.comment, AUTHOR)


def _put_value(cell, spec_cell: Cell) -> None:
    """Formulas only from ``Cell.formula``; every str is text, whatever it starts with."""
    if spec_cell.formula is not None:
        formula = spec_cell.formula
        cell.value = formula if formula.startswith("=") else "=" + formula
        cell.data_type = "f"
        return
    _put_table_value(cell, spec_cell.value)


# --------------------------------------------------------------------------- tables


def _write_tables(ws, spec: SheetSpec) -> None:
    """Write each TableBlock: its header row, then its columns (lists or polars Series).

    No spec Cell per value: values go straight into openpyxl cells, with the same
    rules as ``_put_value`` (every str is text, quote-prefixed when it looks like a
    formula; NaN/inf left empty; time zones dropped keeping wall time).
    """
    if not spec.tables:
        return
    style_of = _style_cache(ws)
    sheet_cells = ws._cells
    for block in spec.tables:
        check_table(spec, block)
        header_style = style_of(block.header_style)
        for j, header in enumerate(block.headers):
            cell = sheet_cells[(block.top, block.left + j)] = XlCell(ws, block.top, block.left + j, None,
                                                                   header_style)
            _put_table_value(cell, header)
        for j, column in enumerate(block.columns):
            style = table_column_style(block, j)
            col = block.left + j
            values = column.to_list() if hasattr(column, "to_list") else column
            for i, value in enumerate(values):
                row = block.top + 1 + i
                cell = sheet_cells[(row, col)] = XlCell(ws, row, col, None, style_of(style))
                _put_table_value(cell, value)


def _put_table_value(cell, value) -> None:
    """As plan.cell_value says: every str is text (quote-prefixed when it looks like a formula)."""
    kind, value, _, quote = cell_value(value)
    if kind == "blank":
        return
    cell.value = value
    if kind == "text":
        # openpyxl would read "=HYPERLINK(..)" or "#N/A" as a formula / error: undo that.
        cell.data_type = "s"
        if quote:
            # As if typed with a leading ': stays text even when someone edits the cell.
            cell.quotePrefix = True


def _write_dimensions(ws, spec: SheetSpec) -> None:
    for col, width in spec.col_widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for col in spec.hidden_cols:
        ws.column_dimensions[get_column_letter(col)].hidden = True
    for row, height in spec.row_heights.items():
        ws.row_dimensions[row].height = height


def _write_view(ws, spec: SheetSpec) -> None:
    if spec.freeze:
        ws.freeze_panes = spec.freeze
    if spec.tab_color:
        ws.sheet_properties.tabColor = spec.tab_color
    if spec.auto_filter:
        ws.auto_filter.ref = spec.auto_filter
    ws.sheet_state = spec.state


# --------------------------------------------------------------------------- styles

# Per workbook, because a StyleArray holds indexes into that workbook's style tables.
_STYLE_CACHES: "WeakKeyDictionary[openpyxl.Workbook, dict[Style, object]]" = WeakKeyDictionary()


def _style_cache(ws):
    """A function Style → fresh StyleArray copy (None → None) for ``ws``'s workbook.

    Building Font/Fill/Border objects and hashing them into the workbook's tables
    costs ~20 µs; doing it once per Style instead of once per cell is what makes
    150,000 styled cells cheap.
    """
    cache = _STYLE_CACHES.setdefault(ws.parent, {})

    def style_array(style: Style | None):
        if style is None:
            return None
        array = cache.get(style)
        if array is None:
            array = cache[style] = _register_style(ws, style)
        # A copy per cell: openpyxl edits a cell's array in place when it is restyled.
        return StyleArray(array)

    return style_array


def _register_style(ws, style: Style):
    """Add ``style``'s parts to the workbook's style tables via a throwaway cell."""
    probe = XlCell(ws)
    probe.font = _font(style)
    probe.fill = _fill(style.fill)
    probe.border = _border(style.border)
    probe.alignment = Alignment(horizontal=style.h_align, vertical=style.v_align,
                                wrap_text=style.wrap or None)
    probe.protection = Protection(locked=style.locked)
    probe.number_format = style.number_format or "General"
    return probe._style


def _font(style: Style) -> Font:
    # The theme's minor font: Excel picks its East-Asian face (等线/宋体) for Chinese text.
    color = style.color or Color(theme=1)
    return Font(name="Calibri", family=2, scheme="minor", sz=style.size or 11,
                b=style.bold, i=style.italic, color=color)


def _fill(color: str | None) -> PatternFill:
    if not color:
        return PatternFill()
    return PatternFill(fill_type="solid", start_color=color, end_color=color)


def _border(kind: str | None) -> Border:
    if not kind:
        return Border()
    side = Side(style=kind)
    return Border(left=side, right=side, top=side, bottom=side)


# --------------------------------------------------------------------------- print


def _write_page_setup(ws, page: PageSetup) -> None:
    """A4, fit to N pages wide, margins in cm, header/footer, print titles."""
    setup = ws.page_setup
    setup.paperSize = paper_size(page.paper)
    setup.orientation = page.orientation
    setup.fitToWidth = page.fit_width
    setup.fitToHeight = page.fit_height  # 0: as many pages tall as needed
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    # Without fitToPage Excel ignores fitToWidth/fitToHeight and prints at 100 %.
    ws.sheet_properties.pageSetUpPr.fitToPage = bool(page.fit_width or page.fit_height)
    ws.page_margins = _margins(page.margins_cm)
    _write_header_footer(ws, page)
    if page.print_title_rows:
        ws.print_title_rows = page.print_title_rows
    if page.print_title_cols:
        ws.print_title_cols = page.print_title_cols
    if page.print_area:
        ws.print_area = page.print_area
    ws.print_options.horizontalCentered = page.center_horizontally


def _margins(margins_cm: tuple[float, float, float, float]) -> PageMargins:
    m = margins(margins_cm)
    return PageMargins(left=m.left, right=m.right, top=m.top, bottom=m.bottom, header=m.header, footer=m.footer)


def _write_header_footer(ws, page: PageSetup) -> None:
    parts = (
        (ws.oddHeader.left, page.header_left),
        (ws.oddHeader.center, page.header_center),
        (ws.oddHeader.right, page.header_right),
        (ws.oddFooter.center, page.footer_center),
    )
    for part, text in parts:
        if text:
            part.text = text


# --------------------------------------------------------------------------- charts


def _build_chart(ws, spec: Chart):
    """A bar (column), radar or line chart over the chart's own sheet."""
    chart = _new_chart(spec.kind)
    chart.title = spec.title
    chart.width = spec.width_cm
    chart.height = spec.height_cm
    for series in spec.series:
        chart.series.append(_series(ws, spec.category_col, series))
    if spec.y_title:
        chart.y_axis.title = spec.y_title
    if spec.y_max is not None:
        chart.y_axis.scaling.max = spec.y_max
    if spec.y_min is not None:
        chart.y_axis.scaling.min = spec.y_min
    # openpyxl >= 3.1 writes <c:delete val="1"/> by default, which hides axis labels.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if len(spec.series) == 1:
        chart.legend = None  # one series: the title already says what it is
    else:
        chart.legend.position = "b"
    return chart


def _new_chart(kind: str):
    if kind == "bar":
        chart = BarChart()
        chart.type = "col"
        chart.grouping = "clustered"
        chart.x_axis.axPos = "b"  # columns: categories along the bottom (openpyxl says "l")
        return chart
    if kind == "radar":
        chart = RadarChart()
        chart.type = "marker"
        return chart
    if kind == "line":
        return LineChart()
    raise ValueError(f"unknown chart kind {kind!r}; expected 'bar', 'radar' or 'line'")


def _series(ws, category_col: int, spec):
    values = Reference(ws, min_col=spec.col, min_row=spec.first_row, max_row=spec.last_row)
    categories = Reference(ws, min_col=category_col, min_row=spec.first_row,
                           max_row=spec.last_row)
    series = Series(values, title=spec.title)
    # Categories are names (客服, 指标): a string reference, not openpyxl's default numRef.
    series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
    return series
