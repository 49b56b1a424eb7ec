"""The subset of xlwings that xlreports drives, written down once.

The live writer (:mod:`xlreports.excel.write.live`), the live reader
(:mod:`xlreports.excel.read.live`), the add-in entry points and the cell functions use only
these attributes. ``tests/fake_xlwings.py`` implements exactly them and refuses anything else,
and a test checks that each one exists in the pinned xlwings. Nothing here imports xlwings.

>>> "Range.value" in XLWINGS_API_USED, "Sheet.api.Tab.Color" in XLWINGS_COM_USED
(True, True)
"""
from __future__ import annotations

__all__ = ["XLWINGS_API_USED", "XLWINGS_COM_USED"]

#: Every part of xlwings' own API that xlreports uses (renderer, reader, add-in entry points and
#: cell functions), as "Class.attribute" of ``xlwings.main``. ``tests/fake_xlwings.py`` implements
#: exactly these and refuses anything else; a test checks each exists in the pinned xlwings.
XLWINGS_API_USED: tuple[str, ...] = (
    # the application: progress, messages, speed
    "App.status_bar", "App.alert", "App.screen_updating", "App.calculation", "App.api",
    # the workbook
    "Book.caller", "Book.name", "Book.sheets", "Book.app", "Book.names",
    "Names.__iter__", "Names.add", "Name.name", "Name.refers_to_range", "Name.refers_to", "Name.api",
    "Sheets.__iter__", "Sheets.add", "Sheets.active",
    # a sheet
    "Sheet.name", "Sheet.move", "Sheet.book", "Sheet.range", "Sheet.used_range", "Sheet.delete", "Sheet.activate",
    "Sheet.visible", "Sheet.names", "Sheet.charts", "Sheet.page_setup", "Sheet.freeze_panes", "Sheet.api",
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
    "DataValidation.set_list", "DataValidation.set_decimal",
    # charts
    "Charts.add", "Chart.set_source_data", "Chart.chart_type", "Chart.set_x_axis_values", "Chart.title",
    "Chart.series", "Chart.legend", "Chart.value_axis",
    "ChartSeriesCollection.__getitem__", "ChartSeries.name", "ChartLegend.visible", "ChartLegend.position",
    "ChartAxis.title", "ChartAxis.maximum_scale", "ChartAxis.minimum_scale",
)

#: The native object model reached through ``.api`` (Windows COM names), used only with ``com=True``.
#: A path ending in "()" is a method call.
XLWINGS_COM_USED: tuple[str, ...] = (
    "App.api.PrintCommunication",
    "App.api.ActiveWindow.FreezePanes", "App.api.ActiveWindow.ScrollRow", "App.api.ActiveWindow.ScrollColumn",
    "App.api.ActiveWindow.SplitRow", "App.api.ActiveWindow.SplitColumn",
    "App.api.GetOpenFilename()",
    "Name.api.Visible",
    "Sheet.api.Tab.Color", "Sheet.api.Visible", "Sheet.api.HPageBreaks.Add()", "Sheet.api.Protect()",
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
