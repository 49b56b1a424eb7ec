"""One sheet spec onto one live sheet: the order of the steps.

Values first, then formulas, table values, merges (covered cells are empty by then, so Excel
never asks which value to keep), formats, notes, sizes, conditional formats, drop-downs, charts,
the view, and the print set-up.
"""
from __future__ import annotations

from xlreports.excel.write.live.cells import write_formulas, write_merges, write_table_values, write_values
from xlreports.excel.write.live.formats import (
    merged_validations, write_chart, write_conditional_format, write_dimensions, write_formats, write_notes,
    write_validation,
)
from xlreports.excel.write.live.page import write_page_setup, write_protection, write_view
from xlreports.excel.write.live.report import LiveRender, default_com
from xlreports.excel.write.plan import check_sheet_name
from xlreports.layout.spec import SheetSpec, check_table, print_setup

__all__ = ["render_sheet"]


def render_sheet(sheet, spec: SheetSpec, *, com: bool | None = None, report: LiveRender | None = None) -> LiveRender:
    """Fill an empty live sheet from ``spec`` (and name it ``spec.name``); returns what was skipped.

    ``com``: drive the Windows object model behind ``.api`` (default: on Windows).
    """
    com = default_com() if com is None else com
    report = report if report is not None else LiveRender()
    if sheet.name != spec.name:
        check_sheet_name(spec.name)
        sheet.name = spec.name
    for block in spec.tables:
        check_table(spec, block)
    write_values(sheet, spec.cells)
    write_formulas(sheet, spec.cells)
    for block in spec.tables:
        write_table_values(sheet, block)
    write_merges(sheet, spec.merges)
    write_formats(sheet, spec, com, report)
    write_notes(sheet, spec)
    write_dimensions(sheet, spec)
    for fmt in spec.conditional_formats:
        write_conditional_format(sheet, fmt, report)
    for validation in merged_validations(spec.validations):
        write_validation(sheet, validation, com, report)
    for chart in spec.charts:
        write_chart(sheet, chart)
    write_view(sheet, spec, com, report)
    if print_setup(spec) is not None:
        write_page_setup(sheet, spec, com, report)
    write_protection(sheet, spec, com, report)  # last: the steps above change the sheet
    report.sheets.append(spec.name)
    return report
