"""Formats, sizes, notes, conditional formats, drop-downs and charts of a live sheet.

Formats are grouped by *property value*, not per cell: all cells with number format 0.00% get
one call per multi-area range of at most 255 address characters (``sheet.range("B2:B9,D2:F9")``),
and only values that differ from a fresh sheet's defaults are set. The font face is not set: a
live workbook keeps its own default font, which Excel picks for Chinese text. Data bars and
colour scales use Excel's defaults beyond their colours (a data bar's maximum is "automatic");
a radar chart's value axis has no title in Excel.

>>> from xlreports.layout.spec import SheetSpec, Style
>>> s = SheetSpec("汇总"); _ = s.set(2, 2, 0.5, style=Style(bold=True)); _ = s.set(2, 3, 0.7, style=Style(bold=True))
>>> format_groups(s)
{('bold', True): [(2, 2, 2, 3)]}
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from xlreports.excel.write.live.cells import Rect, address, address_chunks, merge_across, rectangles
from xlreports.excel.write.live.report import LiveRender, why
from xlreports.excel.write.plan import (
    DATA_BAR_COLOR, MAX_PROMPT_CHARS, SCALE_HIGH, SCALE_LOW, SCALE_MID, VALIDATION_ERROR_MESSAGE,
    VALIDATION_ERROR_TITLE, cm_to_points, default_format, formula_text, list_validation_formula,
    table_column_style,
)
from xlreports.layout.spec import Chart, ConditionalFormat, DataValidation, SheetSpec, Style

__all__ = ["CHART_TYPES", "rgb", "style_properties", "format_groups", "write_formats", "write_notes",
           "runs", "write_dimensions", "write_conditional_format", "merged_validations", "write_validation", "write_chart"]

CHART_TYPES = {"bar": "column_clustered", "radar": "radar_markers", "line": "line_markers"}  # xlwings' names


def rgb(color: str) -> tuple[int, int, int]:
    """A spec or plan colour (RGB or ARGB hex) as the (r, g, b) xlwings takes.

    >>> rgb("C00000"), rgb("FF638EC6")
    ((192, 0, 0), (99, 142, 198))
    """
    h = color.lstrip("#")[-6:]
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def style_properties(style: Style) -> list[tuple[str, Any]]:
    """(property, value) pairs of a style that differ from a fresh sheet's defaults.

    >>> style_properties(Style(number_format="0.00%", size=11, fill="fff2cc", locked=False))
    [('number_format', '0.00%'), ('fill', 'FFF2CC'), ('unlocked', True)]
    """
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


def _implicit_format(value: Any, style: Style | None) -> str | None:
    """The plan's default format of a date/time value whose style names no number format."""
    return None if style is not None and style.number_format else default_format(value)


def format_groups(spec: SheetSpec) -> dict[tuple[str, Any], list[Rect]]:
    """Each (property, value) → the rectangles that carry it, over cells and TableBlocks."""
    props_of: dict[Style, list[tuple[str, Any]]] = {}
    cells_by: dict[tuple[str, Any], list[tuple[int, int]]] = defaultdict(list)
    for key, cell in spec.cells.items():
        if cell.style is not None:
            props = props_of.get(cell.style)
            if props is None:
                props = props_of[cell.style] = style_properties(cell.style)
            for prop in props:
                cells_by[prop].append(key)
        fmt = _implicit_format(cell.value, cell.style) if cell.formula is None else None
        if fmt is not None:  # dates without a format: shown as the file writer shows them
            cells_by[("number_format", fmt)].append(key)
    for block in spec.tables:
        for j, column in enumerate(block.columns):
            style = table_column_style(block, j)
            if style is not None and style.number_format:
                continue
            values = column.to_list() if hasattr(column, "to_list") else column
            for i, value in enumerate(values):
                fmt = _implicit_format(value, style)
                if fmt is not None:
                    cells_by[("number_format", fmt)].append((block.top + 1 + i, block.left + j))
    groups: dict[tuple[str, Any], list[Rect]] = {p: rectangles(c) for p, c in cells_by.items()}
    for block in spec.tables:
        right = block.left + len(block.headers) - 1
        if block.header_style is not None:
            for prop in style_properties(block.header_style):
                groups.setdefault(prop, []).append((block.top, block.left, block.top, right))
        if block.n_rows:
            for j in range(len(block.headers)):
                style = table_column_style(block, j)
                for prop in style_properties(style) if style is not None else ():
                    col = block.left + j
                    groups.setdefault(prop, []).append((block.top + 1, col, block.last_row, col))
    return {p: merge_across(rects) for p, rects in groups.items()}


def write_formats(sheet, spec: SheetSpec, com: bool, report: LiveRender) -> None:
    """Set every format group; unlocked input cells need COM (``Range.api.Locked``)."""
    for (prop, value), rects in sorted(format_groups(spec).items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        if prop == "unlocked":
            if not com:
                report.skip("未锁定的输入单元格（保护工作表时黄色格仍可编辑）：仅 Windows")
                continue
            try:
                for chunk in address_chunks(rects):
                    sheet.range(chunk).api.Locked = False
            except Exception as e:
                report.skip(f"未锁定的输入单元格（{spec.name}）：{why(e)}")
            continue
        for chunk in address_chunks(rects):
            _set_property(sheet.range(chunk), prop, value)


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
        rng.font.color = rgb(value)
    elif prop == "fill":
        rng.color = rgb(value)
    elif prop == "border":
        rng.borders.set("all", line_style="continuous", weight=value)
    elif prop == "h_align":
        rng.horizontal_alignment = value
    elif prop == "v_align":
        rng.vertical_alignment = value
    elif prop == "wrap":
        rng.wrap_text = True
    else:  # pragma: no cover - style_properties knows no other
        raise ValueError(prop)


def write_notes(sheet, spec: SheetSpec) -> None:
    """Cell comments as Excel "notes" (what openpyxl calls comments)."""
    for (row, col), cell in spec.cells.items():
        if cell.comment:
            sheet.range((row, col)).add_note(cell.comment)


def runs(sizes: dict[int, float]) -> list[tuple[int, int, float]]:
    """Runs of consecutive indexes with the same size.

    >>> runs({1: 9, 2: 9, 4: 12})
    [(1, 2, 9), (4, 4, 12)]
    """
    out: list[tuple[int, int, float]] = []
    for i in sorted(sizes):
        if out and out[-1][1] == i - 1 and out[-1][2] == sizes[i]:
            out[-1] = (out[-1][0], i, sizes[i])
        else:
            out.append((i, i, sizes[i]))
    return out


def write_dimensions(sheet, spec: SheetSpec) -> None:
    """Column widths (0: hidden) and row heights, one call per run of equal sizes."""
    for c1, c2, width in runs(spec.col_widths):
        sheet.range((1, c1), (1, c2)).column_width = width
    for c1, c2, _ in runs(dict.fromkeys(spec.hidden_cols, 0)):  # width 0 is how Excel hides a column
        sheet.range((1, c1), (1, c2)).column_width = 0
    for r1, r2, height in runs(spec.row_heights):
        sheet.range((r1, 1), (r2, 1)).row_height = height


def write_conditional_format(sheet, fmt: ConditionalFormat, report: LiveRender) -> None:
    """A colour scale, a data bar (from 0) or a formula rule (fill/font) on ``fmt.range``."""
    rng = sheet.range(fmt.range)
    if fmt.kind == "formula":
        # Excel reads the relative references of a rule's formula from the *active cell*, not from
        # the range: make the range's top-left cell the active one first (as the spec intends).
        try:
            sheet.activate()
            sheet.range((rng.row, rng.column)).select()
        except Exception as e:
            report.skip(f"条件格式（{sheet.name} {fmt.range}）：无法选中 {fmt.range} 的首个单元格（{why(e)}）")
            return
    formats = rng.conditional_formats
    if fmt.kind == "color_scale":
        formats.add_color_scale([rgb(SCALE_LOW), rgb(SCALE_MID), rgb(SCALE_HIGH)])
    elif fmt.kind == "data_bar":
        formats.add_data_bar(rgb(DATA_BAR_COLOR), minimum=0, threshold_type="number", show_value=True)
    elif fmt.kind == "formula":
        if not fmt.formula:
            raise ValueError(f"conditional format on {fmt.range} needs a formula")
        style = fmt.style or Style()
        formats.add_custom(formula_text(fmt.formula), fill_color=rgb(style.fill) if style.fill else None,
                           font_color=rgb(style.color) if style.color else None,
                           font_bold=True if style.bold else None, font_italic=True if style.italic else None)
    else:
        raise ValueError(f"unknown conditional format kind {fmt.kind!r}")


def merged_validations(validations: list[DataValidation], limit: int = MAX_PROMPT_CHARS) -> list[DataValidation]:
    """Validations that differ only in their range, as one per multi-area range of at most ``limit``
    characters: a sheet of 500 forms sets its score rules in a few calls, not a thousand.

    >>> vs = [DataValidation(c, [], kind="decimal", maximum=10) for c in ("F9", "F30", "F51")]
    >>> [v.range for v in merged_validations(vs + [DataValidation("F10", [], kind="decimal", maximum=5)], 7)]
    ['F9,F30', 'F51', 'F10']
    """
    groups: dict[tuple, list[str]] = {}
    for v in validations:
        key = (tuple(v.choices), v.prompt, v.kind, v.minimum, v.maximum, v.error, v.error_title)
        groups.setdefault(key, []).append(v.range)
    out: list[DataValidation] = []
    for (choices, prompt, kind, lo, hi, error, title), ranges in groups.items():
        chunk = ""
        for rng in ranges:
            if chunk and len(chunk) + 1 + len(rng) > limit:
                out.append(DataValidation(chunk, list(choices), prompt, kind, lo, hi, error, title))
                chunk = ""
            chunk = f"{chunk},{rng}" if chunk else rng
        out.append(DataValidation(chunk, list(choices), prompt, kind, lo, hi, error, title))
    return out


def write_validation(sheet, validation: DataValidation, com: bool, report: LiveRender) -> None:
    """A drop-down list or a decimal range; its input prompt and error text need COM (``Range.api.Validation``)."""
    rng = sheet.range(validation.range)
    if validation.kind == "decimal":
        rng.data_validation.set_decimal("between", validation.minimum or 0, validation.maximum or 0)
    else:
        list_validation_formula(validation.choices, validation.range)  # refuses what Excel cannot store
        rng.data_validation.set_list(list(validation.choices))
    if not com:
        report.skip("下拉列表的输入提示和出错提示：仅 Windows")
        return
    try:
        api = rng.api.Validation
        if validation.prompt:
            api.InputMessage = validation.prompt[:MAX_PROMPT_CHARS]
            api.ShowInput = True
        api.ErrorTitle = validation.error_title or VALIDATION_ERROR_TITLE
        api.ErrorMessage = (validation.error or VALIDATION_ERROR_MESSAGE)[:MAX_PROMPT_CHARS]
        api.ShowError = True
    except Exception as e:
        report.skip(f"下拉列表的输入提示（{sheet.name}）：{why(e)}")


def write_chart(sheet, chart: Chart) -> None:
    """A clustered column, radar or line (with markers) chart anchored at ``chart.anchor``, series by columns."""
    chart_type = CHART_TYPES.get(chart.kind)
    if chart_type is None:
        raise ValueError(f"unknown chart kind {chart.kind!r}; expected one of {', '.join(CHART_TYPES)}")
    obj = sheet.charts.add(anchor=sheet.range(chart.anchor), width=cm_to_points(chart.width_cm),
                           height=cm_to_points(chart.height_cm))
    values = [(s.first_row, s.col, s.last_row, s.col) for s in chart.series]
    obj.set_source_data(sheet.range(",".join(address(*r) for r in values)), plot_by="columns")
    obj.chart_type = chart_type
    first = chart.series[0] if chart.series else None
    if first is not None:
        obj.set_x_axis_values(sheet.range(address(first.first_row, chart.category_col,
                                                  first.last_row, chart.category_col)))
    obj.title = chart.title
    for i, series in enumerate(chart.series):
        obj.series[i].name = series.title
    if len(chart.series) == 1:
        obj.legend.visible = False  # one series: the title already says what it is
    else:
        obj.legend.position = "bottom"
    if chart.kind != "radar" and chart.y_title:  # a radar chart's value axis has no title in Excel
        obj.value_axis.title = chart.y_title
    if chart.y_max is not None:
        obj.value_axis.maximum_scale = chart.y_max
    if chart.y_min is not None:
        obj.value_axis.minimum_scale = chart.y_min
