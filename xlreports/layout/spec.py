"""Sheet specs: plain data saying what goes in which cell and how the page prints.

Layouts build these; renderers (openpyxl for files, xlwings for live Excel)
turn them into sheets. Nothing here imports an Excel library.

Rows and columns are 1-based, as in Excel. A cell is either a literal
``value`` or a ``formula``; for a formula cell ``value`` holds what the engine
computed for it, so tests can prove that a spreadsheet program recalculating
the formula gets the same number.

>>> s = SheetSpec("考核汇总")
>>> _ = s.set(1, 1, "客服", style=HEADER)
>>> _ = s.set(2, 2, 89.0, formula="=SUM(C2:J2)")
>>> s.cells[(2, 2)].formula
'=SUM(C2:J2)'
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from xlreports.a1 import split_cell


@dataclass(frozen=True)
class Style:
    """An immutable cell style, shared by many cells (as openpyxl's own style objects).

    Colours are 6-digit hex RGB without '#'. ``border`` is "thin", "medium" or None.
    ``locked=False`` marks a cell people type into (sheet protection leaves it editable).
    """

    bold: bool = False
    italic: bool = False
    size: float | None = None
    color: str | None = None
    fill: str | None = None
    h_align: str | None = None  # "left" | "center" | "right"
    v_align: str | None = None  # "top" | "center" | "bottom"
    wrap: bool = False
    border: str | None = None
    number_format: str | None = None
    locked: bool = True

    def but(self, **changes: Any) -> "Style":
        """A copy with some attributes changed: ``BODY.but(bold=True)`` (memoised: layouts ask for
        the same few variants hundreds of thousands of times)."""
        return _derived(self, tuple(sorted(changes.items())))


@lru_cache(maxsize=4096)
def _derived(base: Style, changes: tuple[tuple[str, Any], ...]) -> Style:
    return replace(base, **dict(changes))


# Number formats used across layouts.
FMT_PERCENT = "0.00%"
FMT_MONEY = '"¥"#,##0.00'  # quoted: strict parsers (SheetJS) reject a bare ¥
FMT_SECONDS = '0.0"秒"'
FMT_SCORE = "0.00"
FMT_RATIO = "0.00"
FMT_DATE = "yyyy-mm-dd"
# Scores and counts with up to 2 decimals: General shows 100, 19.2, 0.5 alike everywhere, where "0.##"
# shows "100." in Excel, WPS and Gnumeric (LibreOffice hides the point).
FMT_NUMBER = "General"
FMT_DEDUCTED = '"扣"General"分"'
FMT_AMOUNT = "#,##0"  # whole amounts with thousands separators
FMT_AMOUNT_2 = "#,##0.00"  # amounts with cents: one format for the whole column

FONT_SIZE = 10.5
BODY = Style(size=FONT_SIZE, border="thin", v_align="center")
HEADER = BODY.but(bold=True, fill="D9E1F2", h_align="center", wrap=True)
TITLE = Style(bold=True, size=16, h_align="center", v_align="center")
LABEL = BODY.but(bold=True, fill="F2F2F2")
INPUT = BODY.but(fill="FFF2CC", locked=False)  # yellow: typed by people
NOTE = Style(size=9, italic=True, color="595959", wrap=True, v_align="top")


@dataclass
class Cell:
    """One cell. ``input_key`` marks a cell people type into: re-runs carry its value over."""

    value: Any = None
    formula: str | None = None
    style: Style | None = None
    input_key: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class ChartSeries:
    """A series: values in ``col`` rows ``first_row..last_row`` of the chart's own sheet."""

    title: str
    col: int
    first_row: int
    last_row: int


@dataclass
class Chart:
    """A native Excel chart. ``kind`` is "bar" (columns), "radar" or "line" (with markers).

    Categories are column ``category_col`` over the same rows as the series.
    ``anchor`` is the top-left cell ("L2"); sizes are in centimetres.
    """

    kind: str
    title: str
    anchor: str
    category_col: int
    series: list[ChartSeries]
    y_title: str | None = None
    width_cm: float = 16.0
    height_cm: float = 8.0
    y_max: float | None = None
    y_min: float | None = None  # None: the program's choice (0 for most charts)
    value_labels: bool = False  # each bar's value shown on it


@dataclass
class ConditionalFormat:
    """A conditional format on ``range`` ("H2:H20").

    kind "color_scale": red (low) → yellow → green (high); kind "formula": ``formula``
    (relative to the range's top-left cell) true → ``style`` fill/font; kind "data_bar".
    """

    range: str
    kind: str
    formula: str | None = None
    style: Style | None = None


@dataclass
class DataValidation:
    """A drop-down list on ``range`` with the given choices; or, with ``kind="decimal"``, a number from
    ``minimum`` to ``maximum`` (``choices`` empty). ``error`` is the message shown when typing is refused.

    >>> DataValidation("F9", [], "主管评分：0–10", kind="decimal", minimum=0, maximum=10).kind
    'decimal'
    """

    range: str
    choices: list[str]
    prompt: str | None = None
    kind: str = "list"  # "list" | "decimal"
    minimum: float | None = None
    maximum: float | None = None
    error: str | None = None
    error_title: str | None = None  # None: VALIDATION_ERROR_TITLE (error None: VALIDATION_ERROR_MESSAGE)


# What Excel says when someone types a value a validation refuses (--lang en translates them).
VALIDATION_ERROR_TITLE = "输入无效"
VALIDATION_ERROR_MESSAGE = "请从下拉列表中选择"
PAGE_FOOTER = "第 &P 页 / 共 &N 页"  # every printed sheet numbers its pages (--lang en translates it)
# Page widths in column-width units (a default 8.43 column is 64 px, 1.72 cm) that A4 holds at 100 %
# inside the default margins: 18.6 cm portrait, 27.3 cm landscape.
PORTRAIT_CHARS = 91
LANDSCAPE_CHARS = 134
PORTRAIT_SCALE = 0.7  # portrait while the sheet prints at 70 % or more one page wide (forms), else landscape
MIN_SCALE = 0.6  # fit to more pages wide rather than print below 60 % (10.5 pt type at 6.3 pt)
DEFAULT_COL_WIDTH = 8.43


@dataclass
class PageSetup:
    """Print set-up: A4, fit to pages wide, header and footer text.

    Header/footer strings use Excel codes: &P page, &N pages, &D date. ``None`` for
    orientation, fit_width or print_title_rows means "choose from the sheet"; ``fit_width=0`` (with
    ``fit_height=0``) prints at 100 % with page breaks where the program puts them
    (:func:`print_setup`); ``print_title_rows=""`` means no repeated rows.
    """

    orientation: str | None = None  # "portrait" | "landscape"; None: landscape when too wide for portrait
    paper: str = "A4"
    fit_width: int | None = None  # None: 1, or more when one page wide would print below MIN_SCALE; 0: at 100 %
    fit_height: int = 0  # 0: as many pages tall as needed
    header_center: str | None = None
    header_left: str | None = None
    header_right: str | None = None
    footer_center: str | None = PAGE_FOOTER
    print_title_rows: str | None = None  # "1:2"; None: the sheet's header row; "": none
    print_title_cols: str | None = None  # "A:A": repeated on every page across
    print_area: str | None = None  # "A1:K20"; None: everything
    margins_cm: tuple[float, float, float, float] = (1.5, 1.2, 1.5, 1.2)  # top, right, bottom, left
    center_horizontally: bool = True


@dataclass
class TableBlock:
    """A big rectangular table given by columns, for sheets of hundreds of thousands of rows.

    Renderers write it without a Cell object per value: the header row at ``top``, data
    below, column j at ``left + j``. Each entry of ``columns`` is a sequence (a list, or a
    polars Series, which the streaming writer formats in bulk). A str value is text, never
    a formula. ``styles[j]`` styles the data cells of column j; ``input_columns`` names the
    columns people type into (styled as inputs, carried over on re-runs by the job).
    """

    top: int
    left: int
    headers: list[str]
    columns: list[Any]
    styles: list[Style | None]
    header_style: Style | None = None
    input_columns: frozenset[str] = frozenset()

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    @property
    def last_row(self) -> int:
        return self.top + self.n_rows


MAX_ROW = 1_048_576  # Excel's sheet size
MAX_COL = 16_384


def check_table(spec: "SheetSpec", block: TableBlock) -> None:
    """A TableBlock that every renderer can write: matching column lengths, inside Excel's limits,
    not overlapping the sheet's cells. Raises ValueError (a layout bug) or XlreportsError (too big)."""
    from xlreports.errors import XlreportsError

    if len(block.headers) != len(block.columns):
        raise ValueError(f"table at row {block.top} of {spec.name!r}: "
                         f"{len(block.headers)} headers but {len(block.columns)} columns")
    lengths = {len(c) for c in block.columns}
    if len(lengths) > 1:
        raise ValueError(f"table at row {block.top} of {spec.name!r}: columns differ in length {sorted(lengths)}")
    right = block.left + len(block.headers) - 1
    if not (1 <= block.top and block.last_row <= MAX_ROW and 1 <= block.left and right <= MAX_COL):
        raise XlreportsError(f"工作表“{spec.name}”的表格超出 Excel 的范围（最多 {MAX_ROW:,} 行、{MAX_COL:,} 列）")
    for row, col in spec.cells:
        if block.top <= row <= block.last_row and block.left <= col <= right:
            raise ValueError(f"cell ({row}, {col}) of {spec.name!r} lies inside the table at row {block.top}")


@dataclass
class SheetSpec:
    """Everything a renderer needs to build one sheet."""

    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    col_widths: dict[int, float] = field(default_factory=dict)
    hidden_cols: set[int] = field(default_factory=set)  # hidden, not removed: lookups by header still work
    row_heights: dict[int, float] = field(default_factory=dict)
    freeze: str | None = None  # top-left cell of the scrolling pane, e.g. "B2"
    page: PageSetup | None = None
    row_breaks: list[int] = field(default_factory=list)  # page break after these rows
    charts: list[Chart] = field(default_factory=list)
    conditional_formats: list[ConditionalFormat] = field(default_factory=list)
    validations: list[DataValidation] = field(default_factory=list)
    state: str = "visible"  # "visible" | "hidden" | "veryHidden"
    tab_color: str | None = None
    auto_filter: str | None = None  # "A1:K20"
    tables: list[TableBlock] = field(default_factory=list)  # big tables, below/beside ``cells``
    # Sheet protection without a password: only unlocked (input) cells take typing; sorting,
    # filtering and formatting stay allowed (--protect).
    protect: bool = False

    def set(self, row: int, col: int, value: Any = None, *, formula: str | None = None,
            style: Style | None = None, input_key: str | None = None,
            comment: str | None = None) -> Cell:
        """Put a cell at (row, col) and return it."""
        cell = Cell(value, formula, style, input_key, comment)
        self.cells[(row, col)] = cell
        return cell

    def merge(self, r1: int, c1: int, r2: int, c2: int, value: Any = None,
              style: Style | None = None, formula: str | None = None) -> None:
        """Merge a block, put ``value`` in its top-left cell and ``style`` on every cell (for borders)."""
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    self.cells[(r, c)] = Cell(style=style)
        self.set(r1, c1, value, formula=formula, style=style)
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    @property
    def max_row(self) -> int:
        return max([r for r, _ in self.cells] + [t.last_row for t in self.tables], default=0)

    @property
    def max_col(self) -> int:
        return max([c for _, c in self.cells] + [t.left + len(t.headers) - 1 for t in self.tables], default=0)


@dataclass
class WorkbookSpec:
    """Sheets to write, in order, and earlier generated sheets to remove first."""

    sheets: list[SheetSpec] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    # Tabs an earlier version wrote before tabs were marked as ours (see excel/write/plan.owned_tabs),
    # and existing tabs to keep under a new name (init --replace keeps the old 考核方案 so).
    adopt: list[str] = field(default_factory=list)
    rename: dict[str, str] = field(default_factory=dict)
    # The tabs' order (names; the user's other tabs keep their places among them, see
    # excel/write/plan.arranged) and the tab the workbook opens on; None: as they are.
    order: list[str] | None = None
    active: str | None = None

    def sheet(self, name: str) -> SheetSpec:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)


def header_row(spec: SheetSpec) -> int | None:
    """The row of column headers to repeat on every printed page: the first table's header row, else
    the one row near the top styled as a header (bold on a fill, in two or more cells); None when there
    is none, or several (sectioned sheets such as 考核方案), or the sheet is laid out page by page
    (manual page breaks: forms, payslips).

    >>> s = SheetSpec("x")
    >>> _ = s.set(1, 1, "标题", style=TITLE); _ = s.set(2, 1, "客服", style=HEADER); _ = s.set(2, 2, "总分", style=HEADER)
    >>> header_row(s)
    2
    """
    if spec.row_breaks:
        return None
    if spec.tables:
        return min(t.top for t in spec.tables)
    counts: dict[int, int] = {}
    for (row, _), cell in spec.cells.items():
        st = cell.style
        if st is not None and st.bold and st.fill and cell.value not in (None, ""):
            counts[row] = counts.get(row, 0) + 1
    rows = sorted(r for r, n in counts.items() if n >= 2)
    return rows[0] if len(rows) == 1 and rows[0] <= 6 else None


def content_width(spec: SheetSpec) -> float:
    """The printed width of the sheet's columns (up to its last used column), in character units.

    >>> s = SheetSpec("x", col_widths={1: 20}); _ = s.set(1, 3, 1)
    >>> round(content_width(s), 2)
    36.86
    """
    area = spec.page.print_area if spec.page is not None and spec.page.print_area else None
    last = spec.max_col
    if area:
        last = split_cell(area.split(",")[0].split(":")[-1])[1]
    return sum(spec.col_widths.get(c, DEFAULT_COL_WIDTH) for c in range(1, last + 1))


def print_setup(spec: SheetSpec) -> PageSetup | None:
    """The page set-up writers apply: the spec's own, with what it leaves open chosen from the sheet —
    every visible sheet prints on A4 with page numbers; portrait unless that shrinks it below
    PORTRAIT_SCALE; fit to as many pages
    wide as keep the type at MIN_SCALE or more; its header row repeated. Hidden sheets: None.

    >>> s = SheetSpec("历史", col_widths={c: 12 for c in range(1, 14)})
    >>> _ = s.set(1, 1, "月份", style=HEADER); _ = s.set(1, 13, "客服", style=HEADER)
    >>> p = print_setup(s)
    >>> p.paper, p.orientation, p.fit_width, p.print_title_rows, p.footer_center
    ('A4', 'landscape', 1, '1:1', '第 &P 页 / 共 &N 页')
    """
    if spec.state != "visible":
        return spec.page
    page = replace(spec.page) if spec.page is not None else PageSetup(header_center=spec.name)
    width = content_width(spec)
    if page.orientation is None:
        page.orientation = "portrait" if width * PORTRAIT_SCALE <= PORTRAIT_CHARS else "landscape"
    if page.fit_width is None:
        chars = PORTRAIT_CHARS if page.orientation == "portrait" else LANDSCAPE_CHARS
        page.fit_width = max(1, -(-int(width) // int(chars / MIN_SCALE)))
    if page.print_title_rows is None:
        row = header_row(spec)
        page.print_title_rows = f"{row}:{row}" if row else ""
    return page

