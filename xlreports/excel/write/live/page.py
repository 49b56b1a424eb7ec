"""A live sheet's print set-up, view and visibility: mostly the Windows COM object model.

xlwings has no wrapper for these, so they go through ``.api`` **on Windows only** (``com=True``):
print set-up (orientation, paper, fit to N pages wide, margins, header/footer, print titles,
centring, inside ``App.api.PrintCommunication = False``), manual page breaks, the tab colour,
"very hidden" sheets, auto-filter buttons and freeze panes (``App.api.ActiveWindow``; xlwings'
``sheet.freeze_panes`` is implemented only by its remote engines, so elsewhere it is tried and,
when not implemented, skipped). Each is guarded: when it fails (no printer driver, protected
sheet …) it is skipped and reported instead of failing the run. Elsewhere (macOS) they are
skipped and reported. The print area and plain hidden sheets have xlwings wrappers: set everywhere.
"""
from __future__ import annotations

from xlreports.a1 import absolute, split_cell
from xlreports.excel.write.live.formats import rgb
from xlreports.excel.write.live.report import LiveRender, safe, why
from xlreports.excel.write.plan import POINTS_PER_INCH, margins, paper_size
from xlreports.layout.spec import PageSetup, SheetSpec, print_setup

__all__ = ["write_view", "write_page_setup", "write_protection", "PROTECT_OPTIONS"]

# Worksheet.Protect's named arguments for --protect: no password, unlocked (input) cells typable,
# sorting, filtering and formatting allowed (the zip writer's sheetProtection says the same).
PROTECT_OPTIONS = {"DrawingObjects": True, "Contents": True, "Scenarios": True, "AllowFormattingCells": True,
                   "AllowFormattingColumns": True, "AllowFormattingRows": True, "AllowSorting": True,
                   "AllowFiltering": True}

XL_PORTRAIT, XL_LANDSCAPE = 1, 2  # XlPageOrientation
XL_SHEET_VERY_HIDDEN = 2  # XlSheetVisibility


def write_view(sheet, spec: SheetSpec, com: bool, report: LiveRender) -> None:
    """Tab colour, auto-filter buttons, freeze panes, then hidden / very hidden (last: a hidden
    sheet cannot be activated to freeze its panes)."""
    if spec.tab_color:
        if com:
            try:
                r, g, b = rgb(spec.tab_color)
                sheet.api.Tab.Color = r + g * 256 + b * 65536  # COM colours are BGR
            except Exception as e:
                report.skip(f"工作表标签颜色（{spec.name}）：{why(e)}")
        else:
            report.skip("工作表标签颜色：仅 Windows")
    if spec.auto_filter:
        if com:
            try:
                sheet.range(spec.auto_filter).api.AutoFilter()
            except Exception as e:
                report.skip(f"筛选按钮（{spec.name}）：{why(e)}")
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
                report.skip(f"深度隐藏（{spec.name}，改为普通隐藏）：{why(e)}")
        sheet.visible = False
    elif spec.state == "hidden":
        sheet.visible = False


def _freeze(sheet, spec: SheetSpec, com: bool, report: LiveRender) -> None:
    row, col = split_cell(spec.freeze)
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
        except Exception as e:
            report.skip(f"冻结窗格（{spec.name}）：{why(e)}")
        return
    try:
        sheet.freeze_panes.freeze_at(spec.freeze)
    except Exception:  # NotImplementedError on the desktop engines of xlwings
        report.skip("冻结窗格：仅 Windows")


def write_page_setup(sheet, spec: SheetSpec, com: bool, report: LiveRender) -> None:
    """The print area everywhere; paper, orientation, fit, margins, header/footer, print titles,
    centring and page breaks through COM."""
    page: PageSetup = print_setup(spec)
    paper = paper_size(page.paper)
    if page.print_area:
        sheet.page_setup.print_area = page.print_area
    if not com:
        report.skip("打印设置（纸张、方向、缩放、页边距、页眉页脚、打印标题、分页）：仅 Windows")
        return
    app = sheet.book.app
    try:
        safe(lambda: setattr(app.api, "PrintCommunication", False))
        try:
            _com_page_setup(sheet.api.PageSetup, page, paper)
        finally:
            safe(lambda: setattr(app.api, "PrintCommunication", True))
    except Exception as e:
        report.skip(f"打印设置（{spec.name}）：{why(e)}")
    for row in spec.row_breaks:
        try:
            sheet.api.HPageBreaks.Add(sheet.range((row + 1, 1)).api)  # the break goes above this cell
        except Exception as e:
            report.skip(f"分页符（{spec.name}）：{why(e)}")
            break


def _com_page_setup(setup, page: PageSetup, paper: int) -> None:
    setup.Orientation = XL_LANDSCAPE if page.orientation == "landscape" else XL_PORTRAIT
    setup.PaperSize = paper
    if not (page.fit_width or page.fit_height):  # at 100 %
        setup.Zoom = 100
    else:
        setup.Zoom = False  # without this Excel ignores FitToPages*
        setup.FitToPagesWide = page.fit_width
        setup.FitToPagesTall = page.fit_height if page.fit_height else False
    m = margins(page.margins_cm)  # inches; the object model wants points
    setup.TopMargin, setup.RightMargin = m.top * POINTS_PER_INCH, m.right * POINTS_PER_INCH
    setup.BottomMargin, setup.LeftMargin = m.bottom * POINTS_PER_INCH, m.left * POINTS_PER_INCH
    setup.HeaderMargin = m.header * POINTS_PER_INCH
    setup.FooterMargin = m.footer * POINTS_PER_INCH
    for attr, text in (("LeftHeader", page.header_left), ("CenterHeader", page.header_center),
                       ("RightHeader", page.header_right), ("CenterFooter", page.footer_center)):
        if text:
            setattr(setup, attr, text)
    if page.print_title_rows:
        setup.PrintTitleRows = absolute(page.print_title_rows)
    if page.print_title_cols:
        setup.PrintTitleColumns = absolute(page.print_title_cols)
    setup.CenterHorizontally = bool(page.center_horizontally)


def write_protection(sheet, spec: SheetSpec, com: bool, report: LiveRender) -> None:
    """Protect the sheet without a password when ``spec.protect`` (Windows only; skipped and
    reported elsewhere or when Excel refuses)."""
    if not spec.protect:
        return
    if not com:
        report.skip("保护工作表：仅 Windows")
        return
    try:
        sheet.api.Protect(**PROTECT_OPTIONS)
    except Exception as e:
        report.skip(f"保护工作表（{spec.name}）：{why(e)}")
