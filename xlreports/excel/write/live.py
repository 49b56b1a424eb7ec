"""Render sheet specs into a live Excel workbook through xlwings (the add-in backend).

The twin of the zip-level writer :mod:`xlreports.excel.write.xlsx`: the same :class:`~xlreports.layout.spec.WorkbookSpec`
becomes the same tabs, but in the workbook open in Excel, without saving, closing or copying it.
This module never imports xlwings itself: it drives whatever ``xw.Book`` it is given, so the
test suite runs it against ``tests/fake_xlwings.py``, an in-memory fake of exactly the API
subset listed in :data:`XLWINGS_API_USED` and :data:`XLWINGS_COM_USED`.

What is rendered, and how
-------------------------
Through xlwings' own (cross-platform: Windows and macOS) API:

- values: one ``range.value = 2-D list`` per band of consecutive non-empty rows (at most
  :data:`CHUNK_CELLS` cells a call); TableBlocks the same, header row plus data in row chunks.
  **Every str is written with a leading apostrophe** (``"'" + text``). Excel treats text typed
  or assigned to ``Range.Value`` like typing: ``=…`` becomes a formula, ``00123`` the number 123,
  ``2026-10`` a date, ``75%`` 0.75, and a leading ``'`` is eaten. The apostrophe makes Excel store
  the rest verbatim as text (the cell's "quote prefix", what openpyxl's renderer sets for text
  that looks like a formula); the cell's value reads back without it. The other option, number
  format ``@``, was rejected: it would replace the spec's number format and turn whatever people
  type into the cell later into text too. Text is cleaned of the control characters Excel cannot
  store, as in the file renderer; NaN/inf are left empty; time zones are dropped (wall time kept).
- formulas: ``range.formula = 2-D list`` per rectangle of formula cells (runs of adjacent formula
  cells on a row, merged down while consecutive rows have the same run), written after the values.
- number formats, font bold/italic/size/colour (``range.font``), fill (``range.color``), borders
  (``range.borders.set``), horizontal/vertical alignment and wrap (``range.horizontal_alignment``,
  ``vertical_alignment``, ``wrap_text``): grouped by *property value*, not per cell — all cells
  with number format 0.00% get one call per multi-area range of at most 255 address characters
  (``sheet.range("B2:B9,D2:F9")``). Only values that differ from a fresh sheet's defaults are set.
- merges: ``range.merge()`` on multi-area ranges (Excel merges each area), after the values, so
  no "only the upper-left value is kept" prompt can appear (covered cells are always empty).
- column widths and row heights: ``range.column_width`` / ``row_height`` per run of equal sizes.
- comments: ``range.add_note`` (Excel "notes", what openpyxl calls comments).
- conditional formats: ``conditional_formats.add_color_scale`` (red → yellow → green, 50th
  percentile midpoint), ``add_data_bar`` (from 0), ``add_custom`` (formula + fill/font). Excel
  takes a rule formula's relative references from the active cell, so the range's first cell is
  selected (``sheet.activate``, ``range.select``) before a formula rule is added.
- drop-down lists: ``data_validation.set_list``.
- charts: ``sheet.charts.add(anchor=…)``, ``set_source_data(plot_by="columns")``, ``chart_type``
  (``column_clustered`` / ``radar_markers``), ``set_x_axis_values``, ``title``, series names,
  legend, value-axis title and maximum.
- print area: ``sheet.page_setup.print_area``; hidden sheets: ``sheet.visible = False``.

Through ``.api`` (the native COM object model), **on Windows only** (``com=True``), because
xlwings has no wrapper for them; each one is guarded and, when it fails (no printer driver,
protected sheet …), skipped and reported instead of failing the run:

- print set-up: orientation, paper, fit to N pages wide, margins, header/footer, print titles,
  centring (``Sheet.api.PageSetup.*``, inside ``App.api.PrintCommunication = False``);
- manual page breaks (``Sheet.api.HPageBreaks.Add``); tab colour (``Sheet.api.Tab.Color``);
- "very hidden" sheets (``Sheet.api.Visible = 2``; elsewhere: hidden);
- auto-filter buttons (``Range.api.AutoFilter()``); unlocked input cells (``Range.api.Locked``);
- the input prompt and error text of drop-downs (``Range.api.Validation.*``);
- freeze panes (``App.api.ActiveWindow`` split + ``FreezePanes``): xlwings' ``sheet.freeze_panes``
  is implemented only by its remote engines, so elsewhere it is tried and, when not implemented,
  skipped.

On macOS the COM-only items above are skipped (AppleScript names differ and cannot be tested
here); :func:`apply_workbook_spec` returns the list of what was skipped so the add-in can say so.

Skipped everywhere, with the reason: the font face (a live workbook keeps its own default font,
which Excel picks for Chinese text; the file renderer names the theme font), a radar chart's
value-axis title (Excel radar charts have none), and the details of data bars and colour scales
beyond Excel's defaults (the data bar's maximum is Excel's "automatic", the file's "max").

Speed: the number of calls follows the number of distinct formats, merges and formula blocks,
not the number of cells: the 14-agent sample appraisal (22 tabs, ~7,900 cells) takes ~2,600
calls, and a 500-agent appraisal (one 12,500-row forms sheet, ~20,000 rows in all) stays under
2.5 calls per row and one ``range.value`` per 10 rows (tested on the fake). Screen updating is
off and calculation manual while rendering.

Reading the live book is :class:`xlreports.excel.read.live.XlwingsRows` (the same rows-source
protocol as files); ``XLWINGS_API_USED`` below lists what it uses too.
"""
from __future__ import annotations

import datetime as dt
import math
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from xlreports.errors import XlreportsError
from xlreports.a1 import col_letter
from xlreports.layout.spec import (
    check_table,
    INPUT,
    Cell,
    Chart,
    ConditionalFormat,
    DataValidation,
    PageSetup,
    SheetSpec,
    Style,
    TableBlock,
    WorkbookSpec,
)

__all__ = ["render_sheet", "apply_workbook_spec", "LiveRender", "XLWINGS_API_USED",
           "XLWINGS_COM_USED"]

#: Every part of xlwings' own API that xlreports uses (renderer, reader, add-in entry points and
#: cell functions), as "Class.attribute" of ``xlwings.main``. ``tests/fake_xlwings.py`` implements
#: exactly these and refuses anything else; a test checks each exists in the pinned xlwings.
XLWINGS_API_USED: tuple[str, ...] = (
    # the application: progress, messages, speed
    "App.status_bar", "App.alert", "App.screen_updating", "App.calculation", "App.api",
    # the workbook
    "Book.caller", "Book.name", "Book.sheets", "Book.app", "Book.names",
    "Names.__iter__", "Name.name", "Name.refers_to_range",
    "Sheets.__iter__", "Sheets.add", "Sheets.active",
    # a sheet
    "Sheet.name", "Sheet.book", "Sheet.range", "Sheet.used_range", "Sheet.delete", "Sheet.activate",
    "Sheet.visible", "Sheet.charts", "Sheet.page_setup", "Sheet.freeze_panes", "Sheet.api",
    "PageSetup.print_area", "FreezePanes.freeze_at",
    # ranges: values and formats
    "Range.value", "Range.options", "Range.formula", "Range.number_format", "Range.font", "Range.color",
    "Range.borders", "Range.horizontal_alignment", "Range.vertical_alignment", "Range.wrap_text",
    "Range.merge", "Range.column_width", "Range.row_height", "Range.add_note", "Range.last_cell",
    "Range.row", "Range.column", "Range.sheet", "Range.conditional_formats", "Range.data_validation",
    "Range.api", "Range.select",
    "Font.bold", "Font.italic", "Font.size", "Font.color",
    "Borders.set",
    "ConditionalFormats.add_color_scale", "ConditionalFormats.add_data_bar", "ConditionalFormats.add_custom",
    "DataValidation.set_list",
    # charts
    "Charts.add", "Chart.set_source_data", "Chart.chart_type", "Chart.set_x_axis_values", "Chart.title",
    "Chart.series", "Chart.legend", "Chart.value_axis",
    "ChartSeriesCollection.__getitem__", "ChartSeries.name", "ChartLegend.visible", "ChartLegend.position",
    "ChartAxis.title", "ChartAxis.maximum_scale",
)

#: The native object model reached through ``.api`` (Windows COM names), used only with ``com=True``.
#: A path ending in "()" is a method call.
XLWINGS_COM_USED: tuple[str, ...] = (
    "App.api.PrintCommunication",
    "App.api.ActiveWindow.FreezePanes", "App.api.ActiveWindow.ScrollRow", "App.api.ActiveWindow.ScrollColumn",
    "App.api.ActiveWindow.SplitRow", "App.api.ActiveWindow.SplitColumn",
    "App.api.GetOpenFilename()",
    "Sheet.api.Tab.Color", "Sheet.api.Visible", "Sheet.api.HPageBreaks.Add()",
    "Sheet.api.PageSetup.Orientation", "Sheet.api.PageSetup.PaperSize", "Sheet.api.PageSetup.Zoom",
    "Sheet.api.PageSetup.FitToPagesWide", "Sheet.api.PageSetup.FitToPagesTall",
    "Sheet.api.PageSetup.TopMargin", "Sheet.api.PageSetup.RightMargin", "Sheet.api.PageSetup.BottomMargin",
    "Sheet.api.PageSetup.LeftMargin", "Sheet.api.PageSetup.HeaderMargin", "Sheet.api.PageSetup.FooterMargin",
    "Sheet.api.PageSetup.LeftHeader", "Sheet.api.PageSetup.CenterHeader", "Sheet.api.PageSetup.RightHeader",
    "Sheet.api.PageSetup.CenterFooter", "Sheet.api.PageSetup.PrintTitleRows",
    "Sheet.api.PageSetup.PrintTitleColumns", "Sheet.api.PageSetup.CenterHorizontally",
    "Range.api.AutoFilter()", "Range.api.Locked",
    "Range.api.Validation.InputMessage", "Range.api.Validation.ShowInput", "Range.api.Validation.ErrorTitle",
    "Range.api.Validation.ErrorMessage", "Range.api.Validation.ShowError",
)

CHUNK_CELLS = 60_000  # cells per range.value call: large enough to be few calls, small enough for COM
MAX_ADDRESS = 255  # Excel's Range("A1:B2,C3,…") accepts at most 255 characters
POINTS_PER_CM = 72 / 2.54
PAPER_SIZES = {"A4": 9, "A3": 8, "A5": 11, "LETTER": 1}  # XlPaperSize
XL_PORTRAIT, XL_LANDSCAPE = 1, 2
XL_SHEET_VERY_HIDDEN = 2
CHART_TYPES = {"bar": "column_clustered", "radar": "radar_markers"}
# Excel's own 3-colour scale and data bar colour (as the file renderer writes them).
SCALE_COLORS = ("#F8696B", "#FFEB84", "#63BE7B")
DATA_BAR_COLOR = "#638EC6"
VALIDATION_ERROR_TITLE = "输入无效"
VALIDATION_ERROR = "请从下拉列表中选择"
_FORMULA_LEADS = ("=", "+", "-", "@")


@dataclass
class LiveRender:
    """What :func:`apply_workbook_spec` did: the tabs written and the features it had to skip."""

    sheets: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "冻结窗格（考核汇总）: reason", deduplicated

    def skip(self, what: str) -> None:
        if what not in self.skipped:
            self.skipped.append(what)


def default_com() -> bool:
    """Whether ``.api`` is the Windows COM object model (the only one this module drives)."""
    return sys.platform.startswith("win")


# --------------------------------------------------------------------------- workbook


def apply_workbook_spec(book, spec: WorkbookSpec, *, before: str | None = None, com: bool | None = None,
                        progress: Callable[[str], None] | None = None) -> LiveRender:
    """Replace the spec's sheets in the live ``book`` and render them; other sheets are left alone.

    Same contract as the file renderer: sheets in ``spec.remove`` and sheets named like a spec
    sheet (case-insensitively) go; a spec sheet takes the old one's place in the tab order, new
    ones go before ``before`` (when it exists) or at the end; the user's active tab stays active.
    The old tabs are renamed aside first and deleted only after every new tab rendered: if
    rendering fails, the new tabs are deleted and the old ones renamed back, so the book is as
    it was, and the error is raised.
    """
    from xlreports.excel.write.plan import check_sheet_names

    check_sheet_names(s.name for s in spec.sheets)
    com = default_com() if com is None else com
    result = LiveRender()
    with _fast(book.app):
        existing = list(book.sheets)
        active_name = _safe(lambda: book.sheets.active.name)
        by_key = {_key(s.name): s for s in existing}
        old_names = {id(s): s.name for s in existing}
        taken = set(by_key) | {_key(s.name) for s in spec.sheets}
        aside: list = []  # old sheets renamed aside, deleted once every new tab rendered
        created: dict[str, Any] = {}
        try:
            # A spec sheet takes its namesake's place; the others go before ``before``, else at the end.
            for sheet_spec in spec.sheets:
                old = by_key.get(_key(sheet_spec.name))
                if old is not None:
                    old.name = _aside_name(taken)
                    aside.append(old)
                    created[_key(sheet_spec.name)] = book.sheets.add(sheet_spec.name, before=old)
            before_key = _key(before) if before else None
            anchor = created.get(before_key) or by_key.get(before_key) if before_key else None
            previous = None
            for sheet_spec in spec.sheets:
                if _key(sheet_spec.name) in created:
                    continue
                if anchor is not None:
                    new = book.sheets.add(sheet_spec.name, before=anchor)
                else:
                    new = book.sheets.add(sheet_spec.name, after=previous or list(book.sheets)[-1])
                created[_key(sheet_spec.name)] = previous = new
            for n, sheet_spec in enumerate(spec.sheets, 1):
                if progress:
                    progress(f"正在写入「{sheet_spec.name}」（{n}/{len(spec.sheets)}）")
                render_sheet(created[_key(sheet_spec.name)], sheet_spec, com=com, report=result)
        except BaseException:
            _roll_back(created, aside, old_names)
            raise
        removed = {_key(n) for n in spec.remove} - set(created)
        for sheet in aside + [s for s in existing if s not in aside and _key(s.name) in removed]:
            _delete(sheet)
        _settle_active(book, active_name, created, spec)
    result.sheets = [s.name for s in spec.sheets]
    return result


def _key(name: str) -> str:
    return name.casefold()


def _safe(fn: Callable[[], Any], default: Any = None) -> Any:
    try:
        return fn()
    except Exception:
        return default


class _fast:
    """Screen updating off and manual calculation while rendering; the user's settings restored."""

    def __init__(self, app):
        self.app = app
        self.saved: dict[str, Any] = {}

    def __enter__(self):
        for attr, value in (("screen_updating", False), ("calculation", "manual")):
            try:
                self.saved[attr] = getattr(self.app, attr)
                setattr(self.app, attr, value)
            except Exception:  # e.g. calculation while a cell is being edited
                self.saved.pop(attr, None)
        return self

    def __exit__(self, *exc):
        for attr, value in reversed(list(self.saved.items())):
            _safe(lambda a=attr, v=value: setattr(self.app, a, v))
        return False


def _aside_name(taken: set[str]) -> str:
    """A free temporary name for an old tab that is being replaced."""
    n = 1
    while _key(f"~xlr-old-{n}") in taken:
        n += 1
    taken.add(_key(f"~xlr-old-{n}"))
    return f"~xlr-old-{n}"


def _roll_back(created: dict, aside: list, old_names: dict) -> None:
    for sheet in created.values():
        _safe(lambda s=sheet: _delete(s))
    for sheet in aside:
        _safe(lambda s=sheet: setattr(s, "name", old_names[id(s)]))


def _delete(sheet) -> None:
    if not sheet.visible:
        sheet.visible = True  # a (very) hidden sheet cannot always be deleted as it is
    sheet.delete()


def _settle_active(book, active_name: str | None, created: dict, spec: WorkbookSpec) -> None:
    """Keep the user's active tab (or its replacement) active; adding sheets activated the new ones."""
    sheets = {_key(s.name): s for s in book.sheets}
    target = sheets.get(_key(active_name)) if active_name else None
    if target is None:
        for s in spec.sheets:
            if s.state == "visible":
                target = created[_key(s.name)]
                break
    if target is not None:
        _safe(target.activate)


# --------------------------------------------------------------------------- sheet


def render_sheet(sheet, spec: SheetSpec, *, com: bool | None = None, report: LiveRender | None = None) -> LiveRender:
    """Fill an empty live sheet from ``spec`` (and name it ``spec.name``); returns what was skipped."""
    from xlreports.excel.write.plan import check_sheet_name

    com = default_com() if com is None else com
    report = report if report is not None else LiveRender()
    if sheet.name != spec.name:
        check_sheet_name(spec.name)
        sheet.name = spec.name
    for block in spec.tables:
        check_table(spec, block)
    _write_values(sheet, spec.cells)
    _write_formulas(sheet, spec.cells)
    for block in spec.tables:
        _write_table_values(sheet, block)
    _write_merges(sheet, spec.merges)
    _write_formats(sheet, spec, com, report)
    for (row, col), cell in spec.cells.items():
        if cell.comment:
            sheet.range((row, col)).add_note(cell.comment)
    _write_dimensions(sheet, spec)
    for fmt in spec.conditional_formats:
        _conditional_format(sheet, fmt, report)
    for validation in spec.validations:
        _validation(sheet, validation, com, report)
    for chart in spec.charts:
        _chart(sheet, spec, chart)
    _write_view(sheet, spec, com, report)
    if spec.page is not None:
        _page_setup(sheet, spec, com, report)
    report.sheets.append(spec.name)
    return report


# --------------------------------------------------------------------------- values


def excel_value(value: Any) -> Any:
    """A spec value as written to Excel: every str quote-prefixed (stays text), NaN/inf → empty.

    >>> excel_value("=cmd|' /C calc'!A0"), excel_value("0012"), excel_value(float("nan")), excel_value(3)
    ("'=cmd|' /C calc'!A0", "'0012", None, 3)
    """
    if value is None:
        return None
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str):
        from xlreports.excel.write.plan import clean_text as _clean_text

        return "'" + _clean_text(value) if value else None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _bands(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Runs of consecutive row numbers: [1, 2, 3, 7] → [(1, 3), (7, 7)]."""
    out: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


def _write_values(sheet, cells: dict[tuple[int, int], Cell]) -> None:
    """One ``range.value`` per band of consecutive rows holding literal values (chunked)."""
    literal = {key: excel_value(c.value) for key, c in cells.items() if c.formula is None}
    literal = {key: v for key, v in literal.items() if v is not None}
    if not literal:
        return
    by_row: dict[int, dict[int, Any]] = defaultdict(dict)
    for (r, c), v in literal.items():
        by_row[r][c] = v
    for r1, r2 in _bands(by_row):
        c1 = min(min(by_row[r]) for r in range(r1, r2 + 1))
        c2 = max(max(by_row[r]) for r in range(r1, r2 + 1))
        width = c2 - c1 + 1
        step = max(1, CHUNK_CELLS // width)
        for top in range(r1, r2 + 1, step):
            bottom = min(r2, top + step - 1)
            grid = [[by_row[r].get(c) for c in range(c1, c2 + 1)] for r in range(top, bottom + 1)]
            sheet.range((top, c1), (bottom, c2)).value = grid


def rectangles(cells: Iterable[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cover a set of cells with rectangles (r1, c1, r2, c2): runs on each row, merged downwards
    while the next row has the same run.

    >>> rectangles([(1, 1), (1, 2), (2, 1), (2, 2), (3, 2), (5, 5)])
    [(1, 1, 2, 2), (3, 2, 3, 2), (5, 5, 5, 5)]
    """
    by_row: dict[int, list[int]] = defaultdict(list)
    for r, c in cells:
        by_row[r].append(c)
    done: list[tuple[int, int, int, int]] = []
    open_: dict[tuple[int, int], list[int]] = {}
    for r in sorted(by_row):
        runs = [(a, b) for a, b in _bands(by_row[r])]
        still: dict[tuple[int, int], list[int]] = {}
        for run in runs:
            span = open_.pop(run, None)
            if span is not None and span[1] == r - 1:
                span[1] = r
                still[run] = span
            else:
                if span is not None:
                    done.append((span[0], run[0], span[1], run[1]))
                still[run] = [r, r]
        done += [(r1, c1, r2, c2) for (c1, c2), (r1, r2) in open_.items()]
        open_ = still
    done += [(r1, c1, r2, c2) for (c1, c2), (r1, r2) in open_.items()]
    return sorted(done)


def _write_formulas(sheet, cells: dict[tuple[int, int], Cell]) -> None:
    formulas = {key: (c.formula if c.formula.startswith("=") else "=" + c.formula)
                for key, c in cells.items() if c.formula is not None}
    for r1, c1, r2, c2 in rectangles(formulas):
        grid = [[formulas[(r, c)] for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        sheet.range((r1, c1), (r2, c2)).formula = grid


def _column_values(column) -> list[Any]:
    """A table column as written to Excel (polars columns by dtype, without a call per value)."""
    dtype = getattr(column, "dtype", None)
    if dtype is not None and hasattr(column, "to_list"):
        import polars as pl

        if dtype.is_integer():
            return column.to_list()
        if dtype.is_float():
            return column.fill_nan(None).to_list() if not column.is_infinite().any() else \
                [excel_value(v) for v in column.to_list()]
        if dtype == pl.String:
            from xlreports.excel.write.plan import clean_text as _clean_text

            return [None if not v else "'" + _clean_text(v) for v in column.to_list()]
    values = column.to_list() if hasattr(column, "to_list") else list(column)
    return [excel_value(v) for v in values]


def _write_table_values(sheet, block: TableBlock) -> None:
    right = block.left + len(block.headers) - 1
    sheet.range((block.top, block.left), (block.top, right)).value = [[excel_value(h) for h in block.headers]]
    if not block.n_rows:
        return
    columns = [_column_values(c) for c in block.columns]
    step = max(1, CHUNK_CELLS // max(1, len(columns)))
    for start in range(0, block.n_rows, step):
        stop = min(block.n_rows, start + step)
        grid = [list(row) for row in zip(*(col[start:stop] for col in columns))]
        top = block.top + 1 + start
        sheet.range((top, block.left), (top + stop - start - 1, right)).value = grid


# --------------------------------------------------------------------------- merges and formats


def _address(r1: int, c1: int, r2: int, c2: int) -> str:
    first = f"{col_letter(c1)}{r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{col_letter(c2)}{r2}"


def address_chunks(rects: Sequence[tuple[int, int, int, int]], limit: int = MAX_ADDRESS) -> list[str]:
    """Multi-area addresses ("A1:B2,D4") of at most ``limit`` characters covering ``rects``.

    >>> address_chunks([(1, 1, 2, 2), (4, 4, 4, 4)])
    ['A1:B2,D4']
    """
    chunks: list[str] = []
    current = ""
    for rect in rects:
        part = _address(*rect)
        if current and len(current) + 1 + len(part) > limit:
            chunks.append(current)
            current = part
        else:
            current = f"{current},{part}" if current else part
    if current:
        chunks.append(current)
    return chunks


def _write_merges(sheet, merges: list[tuple[int, int, int, int]]) -> None:
    for address in address_chunks(sorted(merges)):
        sheet.range(address).merge()


def _merge_across(rects: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Join rectangles side by side with the same rows (a table's equally formatted columns)."""
    out: list[tuple[int, int, int, int]] = []
    for r1, c1, r2, c2 in sorted(rects, key=lambda t: (t[0], t[2], t[1])):
        if out and out[-1][0] == r1 and out[-1][2] == r2 and out[-1][3] == c1 - 1:
            out[-1] = (r1, out[-1][1], r2, c2)
        else:
            out.append((r1, c1, r2, c2))
    return sorted(out)


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")[-6:]
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _style_properties(style: Style) -> list[tuple[str, Any]]:
    """(property, value) pairs that differ from a fresh sheet's defaults."""
    props: list[tuple[str, Any]] = []
    if style.number_format and style.number_format != "General":
        props.append(("number_format", style.number_format))
    if style.bold:
        props.append(("bold", True))
    if style.italic:
        props.append(("italic", True))
    if style.size is not None and style.size != 11:
        props.append(("size", style.size))
    if style.color:
        props.append(("font_color", style.color.upper()))
    if style.fill:
        props.append(("fill", style.fill.upper()))
    if style.border:
        props.append(("border", style.border))
    if style.h_align:
        props.append(("h_align", style.h_align))
    if style.v_align:
        props.append(("v_align", style.v_align))
    if style.wrap:
        props.append(("wrap", True))
    if not style.locked:
        props.append(("unlocked", True))
    return props


def _table_column_style(block: TableBlock, j: int) -> Style | None:
    style = block.styles[j] if j < len(block.styles) else None
    if style is None and block.headers[j] in block.input_columns:
        return INPUT
    return style


def _implicit_date_format(value: Any, style: Style | None) -> str | None:
    """The format a date gets when its style names none: Excel would pick a locale-dependent date
    format, openpyxl ``yyyy-mm-dd`` (date) / ``yyyy-mm-dd h:mm:ss`` (datetime); use openpyxl's."""
    if style is not None and style.number_format:
        return None
    if isinstance(value, dt.datetime):
        return "yyyy-mm-dd h:mm:ss"
    if isinstance(value, dt.date):
        return "yyyy-mm-dd"
    return None


def format_groups(spec: SheetSpec) -> dict[tuple[str, Any], list[tuple[int, int, int, int]]]:
    """Each (property, value) → the rectangles that carry it, over cells and TableBlocks."""
    props_of: dict[Style, list[tuple[str, Any]]] = {}
    cells_by: dict[tuple[str, Any], list[tuple[int, int]]] = defaultdict(list)
    for key, cell in spec.cells.items():
        if cell.style is None:
            continue
        props = props_of.get(cell.style)
        if props is None:
            props = props_of[cell.style] = _style_properties(cell.style)
        for prop in props:
            cells_by[prop].append(key)
    for key, cell in spec.cells.items():  # dates without a format: shown as the file renderer shows them
        fmt = _implicit_date_format(cell.value, cell.style)
        if fmt is not None and cell.formula is None:
            cells_by[("number_format", fmt)].append(key)
    for block in spec.tables:
        for j, column in enumerate(block.columns):
            style = _table_column_style(block, j)
            if style is not None and style.number_format:
                continue
            values = column.to_list() if hasattr(column, "to_list") else column
            for i, value in enumerate(values):
                fmt = _implicit_date_format(value, style)
                if fmt is not None:
                    cells_by[("number_format", fmt)].append((block.top + 1 + i, block.left + j))
    groups: dict[tuple[str, Any], list[tuple[int, int, int, int]]] = {p: rectangles(c) for p, c in cells_by.items()}
    for block in spec.tables:
        right = block.left + len(block.headers) - 1
        if block.header_style is not None:
            for prop in _style_properties(block.header_style):
                groups.setdefault(prop, []).append((block.top, block.left, block.top, right))
        if block.n_rows:
            for j in range(len(block.headers)):
                style = _table_column_style(block, j)
                if style is None:
                    continue
                for prop in _style_properties(style):
                    col = block.left + j
                    groups.setdefault(prop, []).append((block.top + 1, col, block.last_row, col))
    return {p: _merge_across(rects) for p, rects in groups.items()}


def _write_formats(sheet, spec: SheetSpec, com: bool, report: LiveRender) -> None:
    for (prop, value), rects in sorted(format_groups(spec).items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        if prop == "unlocked":
            if not com:
                report.skip("未锁定的输入单元格（保护工作表时黄色格仍可编辑）：仅 Windows")
                continue
            try:
                for address in address_chunks(rects):
                    sheet.range(address).api.Locked = False
            except Exception as e:
                report.skip(f"未锁定的输入单元格（{spec.name}）：{_why(e)}")
            continue
        for address in address_chunks(rects):
            _set_property(sheet.range(address), prop, value)


def _set_property(rng, prop: str, value: Any) -> None:
    if prop == "number_format":
        rng.number_format = value
    elif prop == "bold":
        rng.font.bold = True
    elif prop == "italic":
        rng.font.italic = True
    elif prop == "size":
        rng.font.size = value
    elif prop == "font_color":
        rng.font.color = _rgb(value)
    elif prop == "fill":
        rng.color = _rgb(value)
    elif prop == "border":
        rng.borders.set("all", line_style="continuous", weight=value)
    elif prop == "h_align":
        rng.horizontal_alignment = value
    elif prop == "v_align":
        rng.vertical_alignment = value
    elif prop == "wrap":
        rng.wrap_text = True
    else:  # pragma: no cover - _style_properties knows no other
        raise ValueError(prop)


def _runs(sizes: dict[int, float]) -> list[tuple[int, int, float]]:
    """Runs of consecutive indexes with the same size: {1: 9, 2: 9, 4: 12} → [(1, 2, 9), (4, 4, 12)]."""
    out: list[tuple[int, int, float]] = []
    for i in sorted(sizes):
        if out and out[-1][1] == i - 1 and out[-1][2] == sizes[i]:
            out[-1] = (out[-1][0], i, sizes[i])
        else:
            out.append((i, i, sizes[i]))
    return out


def _write_dimensions(sheet, spec: SheetSpec) -> None:
    for c1, c2, width in _runs(spec.col_widths):
        sheet.range((1, c1), (1, c2)).column_width = width
    for r1, r2, height in _runs(spec.row_heights):
        sheet.range((r1, 1), (r2, 1)).row_height = height


# --------------------------------------------------------------------------- rules and charts


def _conditional_format(sheet, fmt: ConditionalFormat, report: LiveRender) -> None:
    rng = sheet.range(fmt.range)
    if fmt.kind == "formula":
        # Excel reads the relative references of a rule's formula from the *active cell*, not from
        # the range: make the range's top-left cell the active one first (as the spec intends).
        try:
            sheet.activate()
            sheet.range((rng.row, rng.column)).select()
        except Exception as e:
            report.skip(f"条件格式（{sheet.name} {fmt.range}）：无法选中 {fmt.range} 的首个单元格（{_why(e)}）")
            return
    formats = rng.conditional_formats
    if fmt.kind == "color_scale":
        formats.add_color_scale(list(SCALE_COLORS))
    elif fmt.kind == "data_bar":
        formats.add_data_bar(DATA_BAR_COLOR, minimum=0, threshold_type="number", show_value=True)
    elif fmt.kind == "formula":
        if not fmt.formula:
            raise ValueError(f"conditional format on {fmt.range} needs a formula")
        style = fmt.style or Style()
        formula = fmt.formula if fmt.formula.startswith("=") else "=" + fmt.formula
        formats.add_custom(formula, fill_color=_rgb(style.fill) if style.fill else None,
                           font_color=_rgb(style.color) if style.color else None,
                           font_bold=True if style.bold else None, font_italic=True if style.italic else None)
    else:
        raise ValueError(f"unknown conditional format kind {fmt.kind!r}")


def _validation(sheet, validation: DataValidation, com: bool, report: LiveRender) -> None:
    from xlreports.excel.write.plan import MAX_LIST_CHARS as _MAX_LIST_CHARS

    for choice in validation.choices:
        if "," in choice:
            raise XlreportsError(f"下拉选项“{choice}”不能包含英文逗号")
    if len(",".join(validation.choices)) > _MAX_LIST_CHARS:
        raise XlreportsError(f"{validation.range} 的下拉选项合计超过 {_MAX_LIST_CHARS} 个字符，Excel 无法保存")
    rng = sheet.range(validation.range)
    rng.data_validation.set_list(list(validation.choices))
    if not com:
        report.skip("下拉列表的输入提示和出错提示：仅 Windows")
        return
    try:
        api = rng.api.Validation
        if validation.prompt:
            api.InputMessage = validation.prompt[:255]
            api.ShowInput = True
        api.ErrorTitle = VALIDATION_ERROR_TITLE
        api.ErrorMessage = VALIDATION_ERROR
        api.ShowError = True
    except Exception as e:
        report.skip(f"下拉列表的输入提示（{sheet.name}）：{_why(e)}")


def _chart(sheet, spec: SheetSpec, chart: Chart) -> None:
    chart_type = CHART_TYPES.get(chart.kind)
    if chart_type is None:
        raise ValueError(f"unknown chart kind {chart.kind!r}; expected 'bar' or 'radar'")
    obj = sheet.charts.add(anchor=sheet.range(chart.anchor), width=chart.width_cm * POINTS_PER_CM,
                           height=chart.height_cm * POINTS_PER_CM)
    values = [(s.first_row, s.col, s.last_row, s.col) for s in chart.series]
    obj.set_source_data(sheet.range(",".join(_address(*r) for r in values)), plot_by="columns")
    obj.chart_type = chart_type
    first = chart.series[0] if chart.series else None
    if first is not None:
        obj.set_x_axis_values(sheet.range(_address(first.first_row, chart.category_col,
                                                    first.last_row, chart.category_col)))
    obj.title = chart.title
    for i, series in enumerate(chart.series):
        obj.series[i].name = series.title
    if len(chart.series) == 1:
        obj.legend.visible = False  # one series: the title already says what it is
    else:
        obj.legend.position = "bottom"
    if chart.kind == "bar":  # a radar chart's value axis has no title in Excel
        if chart.y_title:
            obj.value_axis.title = chart.y_title
    if chart.y_max is not None:
        obj.value_axis.maximum_scale = chart.y_max


# --------------------------------------------------------------------------- view and print


def _why(e: Exception) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    return text[:120]


def _write_view(sheet, spec: SheetSpec, com: bool, report: LiveRender) -> None:
    if spec.tab_color:
        if com:
            try:
                r, g, b = _rgb(spec.tab_color)
                sheet.api.Tab.Color = r + g * 256 + b * 65536  # COM colours are BGR
            except Exception as e:
                report.skip(f"工作表标签颜色（{spec.name}）：{_why(e)}")
        else:
            report.skip("工作表标签颜色：仅 Windows")
    if spec.auto_filter:
        if com:
            try:
                sheet.range(spec.auto_filter).api.AutoFilter()
            except Exception as e:
                report.skip(f"筛选按钮（{spec.name}）：{_why(e)}")
        else:
            report.skip("筛选按钮：仅 Windows")
    if spec.freeze:
        _freeze(sheet, spec, com, report)
    if spec.state == "veryHidden":
        if com:
            try:
                sheet.api.Visible = XL_SHEET_VERY_HIDDEN
                return
            except Exception as e:
                report.skip(f"深度隐藏（{spec.name}，改为普通隐藏）：{_why(e)}")
        sheet.visible = False
    elif spec.state == "hidden":
        sheet.visible = False


def _freeze(sheet, spec: SheetSpec, com: bool, report: LiveRender) -> None:
    from openpyxl.utils.cell import coordinate_from_string, column_index_from_string

    letters, row = coordinate_from_string(spec.freeze)
    col = column_index_from_string(letters)
    if com:
        try:
            sheet.activate()
            window = sheet.book.app.api.ActiveWindow
            window.FreezePanes = False
            window.ScrollRow = 1
            window.ScrollColumn = 1
            window.SplitRow = row - 1
            window.SplitColumn = col - 1
            window.FreezePanes = True
            return
        except Exception as e:
            report.skip(f"冻结窗格（{spec.name}）：{_why(e)}")
            return
    try:
        sheet.freeze_panes.freeze_at(spec.freeze)
    except Exception:  # NotImplementedError on the desktop engines of xlwings
        report.skip("冻结窗格：仅 Windows")


def _page_setup(sheet, spec: SheetSpec, com: bool, report: LiveRender) -> None:
    page: PageSetup = spec.page
    paper = PAPER_SIZES.get(page.paper.upper())
    if paper is None:
        raise ValueError(f"unknown paper size {page.paper!r}; known: {sorted(PAPER_SIZES)}")
    if page.print_area:
        sheet.page_setup.print_area = page.print_area
    if not com:
        report.skip("打印设置（纸张、方向、缩放、页边距、页眉页脚、打印标题、分页）：仅 Windows")
        return
    app = sheet.book.app
    try:
        _safe(lambda: setattr(app.api, "PrintCommunication", False))
        try:
            setup = sheet.api.PageSetup
            setup.Orientation = XL_LANDSCAPE if page.orientation == "landscape" else XL_PORTRAIT
            setup.PaperSize = paper
            setup.Zoom = False  # without this Excel ignores FitToPages*
            setup.FitToPagesWide = page.fit_width
            setup.FitToPagesTall = page.fit_height if page.fit_height else False
            top, right, bottom, left = (m * POINTS_PER_CM for m in page.margins_cm)
            setup.TopMargin, setup.RightMargin, setup.BottomMargin, setup.LeftMargin = top, right, bottom, left
            setup.HeaderMargin = min(0.8 * POINTS_PER_CM, top / 2)
            setup.FooterMargin = min(0.8 * POINTS_PER_CM, bottom / 2)
            for attr, text in (("LeftHeader", page.header_left), ("CenterHeader", page.header_center),
                               ("RightHeader", page.header_right), ("CenterFooter", page.footer_center)):
                if text:
                    setattr(setup, attr, text)
            if page.print_title_rows:
                setup.PrintTitleRows = _absolute_lines(page.print_title_rows)
            if page.print_title_cols:
                setup.PrintTitleColumns = _absolute_lines(page.print_title_cols)
            setup.CenterHorizontally = bool(page.center_horizontally)
        finally:
            _safe(lambda: setattr(app.api, "PrintCommunication", True))
    except Exception as e:
        report.skip(f"打印设置（{spec.name}）：{_why(e)}")
    for row in spec.row_breaks:
        try:
            sheet.api.HPageBreaks.Add(sheet.range((row + 1, 1)).api)  # the break goes above this cell
        except Exception as e:
            report.skip(f"分页符（{spec.name}）：{_why(e)}")
            break


def _absolute_lines(ref: str) -> str:
    """"1:2" → "$1:$2", "A:A" → "$A:$A" (PageSetup wants absolute references)."""
    return ":".join("$" + part.lstrip("$") for part in ref.split(":"))
