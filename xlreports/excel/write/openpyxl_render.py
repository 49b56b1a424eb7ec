"""Render sheet specs into openpyxl workbooks (the file backend).

This is the only module, with its xlwings twin, that knows openpyxl. It turns
the plain data of :mod:`xlreports.layout.spec` into cells, styles, merges,
charts, conditional formats and print set-up.

>>> from xlreports.layout.spec import SheetSpec, WorkbookSpec, HEADER
>>> s = SheetSpec("考核汇总")
>>> _ = s.set(1, 1, "客服", style=HEADER)
>>> _ = s.set(2, 1, '=HYPERLINK("http://x","y")')   # buyer text stays text
>>> wb = new_workbook(WorkbookSpec([s]))
>>> wb["考核汇总"]["A2"].data_type
's'
"""
from __future__ import annotations

import math
import re
import gc
from contextlib import contextmanager
from datetime import datetime
from weakref import WeakKeyDictionary

import openpyxl
from openpyxl.cell.cell import Cell as XlCell, MergedCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, RadarChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.comments import Comment
from openpyxl.formatting.rule import ColorScaleRule, DataBarRule, FormulaRule
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles import Alignment, Border, Color, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.datavalidation import DataValidation as XlDataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

from xlreports.errors import XlreportsError
from xlreports.a1 import col_letter
from xlreports.layout.spec import (
    MAX_COL,
    MAX_ROW,
    check_table,
    Cell,
    Chart,
    ConditionalFormat,
    DataValidation,
    INPUT,
    PageSetup,
    SheetSpec,
    Style,
    TableBlock,
    WorkbookSpec,
)

__all__ = ["render_sheet", "apply_workbook_spec", "new_workbook", "check_sheet_name"]

CM_PER_INCH = 2.54
PAPER_SIZES = {"A4": 9, "A3": 8, "A5": 11, "LETTER": 1}
AUTHOR = "xlreports"

# Excel's own 3-colour scale: red (low) → yellow → green (high); ARGB, opaque as Excel writes.
SCALE_LOW, SCALE_MID, SCALE_HIGH = "FFF8696B", "FFFFEB84", "FF63BE7B"
DATA_BAR_COLOR = "FF638EC6"

# Text starting with these would turn into a formula if typed into Excel.
FORMULA_LEADS = ("=", "+", "-", "@")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Excel keeps a literal list validation under 256 characters; longer lists corrupt the file.
_MAX_LIST_CHARS = 255
_MAX_PROMPT_CHARS = 255


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
    _check_spec_names(spec)
    old_active = wb.active
    old_active_key = _key(old_active.title) if old_active is not None else None
    order = _plan_order(wb._sheets, spec, before)
    kept = {id(item) for item in order if not isinstance(item, str)}
    for ws in list(wb._sheets):
        if id(ws) not in kept:
            wb.remove(ws)
    created = {_key(s.name): wb.create_sheet(s.name) for s in spec.sheets}
    # openpyxl has no "insert existing sheet at"; its own move_sheet edits _sheets too.
    wb._sheets = [created[item] if isinstance(item, str) else item for item in order]
    with _no_gc():
        for sheet_spec in spec.sheets:
            render_sheet(created[_key(sheet_spec.name)], sheet_spec)
    _settle_active(wb, old_active, old_active_key, created, spec)


def _key(name: str) -> str:
    """Excel compares sheet names case-insensitively."""
    return name.casefold()


def _plan_order(sheets, spec: WorkbookSpec, before: str | None) -> list:
    """The final tab order: kept worksheets, and spec sheet keys (str) where new tabs go."""
    wanted = [_key(s.name) for s in spec.sheets]
    removed = {_key(n) for n in spec.remove} | set(wanted)
    before_key = _key(before) if before else None
    order: list = []
    placed: set[str] = set()
    insert_at = None
    for ws in sheets:
        k = _key(ws.title)
        if k == before_key:
            insert_at = len(order)
        if k in wanted and k not in placed:
            order.append(k)  # the new tab takes the old one's place
            placed.add(k)
        elif k not in removed:
            order.append(ws)
    rest = [k for k in wanted if k not in placed]
    if insert_at is None:
        insert_at = len(order)
    order[insert_at:insert_at] = rest
    return order


def _settle_active(wb, old_active, old_active_key, created: dict, spec: WorkbookSpec) -> None:
    """Keep the user's active tab (or its replacement); exactly one tab is selected.

    Two selected tabs would open as a group in Excel, where typing edits both.
    """
    target = None
    if old_active is not None and old_active in wb._sheets:
        target = old_active
    elif old_active_key in created:
        target = created[old_active_key]
    candidates = [created[_key(s.name)] for s in spec.sheets] + list(wb._sheets)
    if target is None or target.sheet_state != "visible":
        target = next((ws for ws in candidates if ws.sheet_state == "visible"), None)
    if target is None:
        raise XlreportsError("工作簿中至少要有一个可见的工作表")
    wb.active = target
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws is target


def check_sheet_name(name: str) -> None:
    """Raise XlreportsError when Excel would refuse ``name`` as a sheet name.

    >>> check_sheet_name("考核表-张三")
    >>> check_sheet_name("a/b")
    Traceback (most recent call last):
    ...
    xlreports.errors.XlreportsError: 工作表名称“a/b”无效：不能为空、最多 31 个字符、不能含 [ ] : * ? / \\、不能以单引号开头或结尾、不能叫 History
    """
    if (not name or len(name) > 31 or _BAD_SHEET_CHARS.search(name)
            or name.startswith("'") or name.endswith("'") or _key(name) == "history"):
        raise XlreportsError(
            f"工作表名称“{name}”无效：不能为空、最多 31 个字符、"
            "不能含 [ ] : * ? / \\、不能以单引号开头或结尾、不能叫 History")


def _check_spec_names(spec: WorkbookSpec) -> None:
    seen: set[str] = set()
    for sheet_spec in spec.sheets:
        check_sheet_name(sheet_spec.name)
        if _key(sheet_spec.name) in seen:
            raise XlreportsError(f"工作表名称“{sheet_spec.name}”重复")
        seen.add(_key(sheet_spec.name))


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
    if book is not None and any(_key(other.title) == _key(name)
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
    if spec.page is not None:
        _write_page_setup(ws, spec.page)
    for row in spec.row_breaks:
        ws.row_breaks.append(Break(id=row))
    for chart in spec.charts:
        ws.add_chart(_build_chart(ws, chart), chart.anchor)
    for fmt in spec.conditional_formats:
        ws.conditional_formatting.add(fmt.range, _conditional_rule(fmt))
    for validation in spec.validations:
        ws.add_data_validation(_data_validation(validation))


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
    value = spec_cell.value
    if value is None:
        return
    if isinstance(value, str):
        cell.value = _clean_text(value)
        # openpyxl would read "=HYPERLINK(..)" or "#N/A" as a formula / error: undo that.
        cell.data_type = "s"
        if value.startswith(FORMULA_LEADS):
            # As if typed with a leading ': stays text even when someone edits the cell.
            cell.quotePrefix = True
    elif isinstance(value, float) and not math.isfinite(value):
        return  # Excel has no NaN/inf; "nan" in the XML makes the file unreadable
    elif isinstance(value, datetime) and value.tzinfo is not None:
        cell.value = value.replace(tzinfo=None)  # Excel has no time zones; keep wall time
    else:
        cell.value = value


def _clean_text(text: str) -> str:
    """Drop control characters Excel can't store (they arrive in pasted buyer notes)."""
    if ILLEGAL_CHARACTERS_RE.search(text):
        return ILLEGAL_CHARACTERS_RE.sub("", text)
    return text


# --------------------------------------------------------------------------- tables


def table_column_style(block: TableBlock, j: int) -> Style | None:
    """The data style of column ``j``: ``styles[j]``, or INPUT for an unstyled input column."""
    style = block.styles[j] if j < len(block.styles) else None
    if style is None and block.headers[j] in block.input_columns:
        return INPUT
    return style


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
    if value is None:
        return
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str):
        cell.value = _clean_text(value)
        cell.data_type = "s"
        if value.startswith(FORMULA_LEADS):
            cell.quotePrefix = True
    elif isinstance(value, float) and not math.isfinite(value):
        return
    elif isinstance(value, datetime) and value.tzinfo is not None:
        cell.value = value.replace(tzinfo=None)
    else:
        cell.value = value


def _write_dimensions(ws, spec: SheetSpec) -> None:
    for col, width in spec.col_widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
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
    paper = PAPER_SIZES.get(page.paper.upper())
    if paper is None:
        raise ValueError(f"unknown paper size {page.paper!r}; known: {sorted(PAPER_SIZES)}")
    setup.paperSize = paper
    setup.orientation = page.orientation
    setup.fitToWidth = page.fit_width
    setup.fitToHeight = page.fit_height  # 0: as many pages tall as needed
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties()
    # Without fitToPage Excel ignores fitToWidth/fitToHeight and prints at 100 %.
    ws.sheet_properties.pageSetUpPr.fitToPage = True
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
    top, right, bottom, left = margins_cm
    # Header/footer sit halfway into the margin so they never overlap the body.
    return PageMargins(top=top / CM_PER_INCH, right=right / CM_PER_INCH,
                       bottom=bottom / CM_PER_INCH, left=left / CM_PER_INCH,
                       header=min(0.8, top / 2) / CM_PER_INCH,
                       footer=min(0.8, bottom / 2) / CM_PER_INCH)


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
    """A bar (column) or radar chart over the chart's own sheet."""
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
    raise ValueError(f"unknown chart kind {kind!r}; expected 'bar' or 'radar'")


def _series(ws, category_col: int, spec):
    values = Reference(ws, min_col=spec.col, min_row=spec.first_row, max_row=spec.last_row)
    categories = Reference(ws, min_col=category_col, min_row=spec.first_row,
                           max_row=spec.last_row)
    series = Series(values, title=spec.title)
    # Categories are names (客服, 指标): a string reference, not openpyxl's default numRef.
    series.cat = AxDataSource(strRef=StrRef(f=str(categories)))
    return series


# --------------------------------------------------------------------------- rules


def _conditional_rule(spec: ConditionalFormat):
    if spec.kind == "color_scale":
        return ColorScaleRule(start_type="min", start_color=SCALE_LOW,
                              mid_type="percentile", mid_value=50, mid_color=SCALE_MID,
                              end_type="max", end_color=SCALE_HIGH)
    if spec.kind == "formula":
        if not spec.formula:
            raise ValueError(f"conditional format on {spec.range} needs a formula")
        style = spec.style or Style()
        return FormulaRule(formula=[spec.formula.lstrip("=")],
                           fill=_fill(style.fill) if style.fill else None,
                           font=_rule_font(style))
    if spec.kind == "data_bar":
        return DataBarRule(start_type="num", start_value=0, end_type="max",
                           color=DATA_BAR_COLOR, showValue=True)
    raise ValueError(f"unknown conditional format kind {spec.kind!r}")


def _rule_font(style: Style) -> Font | None:
    """Only what the style changes, so the rule doesn't reset the cell's own font."""
    if not (style.bold or style.italic or style.color):
        return None
    return Font(b=style.bold or None, i=style.italic or None, color=style.color)


def _data_validation(spec: DataValidation) -> XlDataValidation:
    """A drop-down with a literal list: '"优秀,良好,合格"'."""
    for choice in spec.choices:
        if "," in choice:
            raise XlreportsError(f"下拉选项“{choice}”不能包含英文逗号")
    listed = ",".join(choice.replace('"', '""') for choice in spec.choices)
    if len(listed) > _MAX_LIST_CHARS:
        raise XlreportsError(
            f"{spec.range} 的下拉选项合计超过 {_MAX_LIST_CHARS} 个字符，Excel 无法保存")
    validation = XlDataValidation(
        type="list", formula1=f'"{listed}"', allow_blank=True,
        showInputMessage=True, showErrorMessage=True,
        errorTitle="输入无效", error="请从下拉列表中选择")
    if spec.prompt:
        validation.prompt = spec.prompt[:_MAX_PROMPT_CHARS]
    validation.add(spec.range)
    return validation
