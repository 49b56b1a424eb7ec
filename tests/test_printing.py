"""Every generated sheet prints (issue 9, part 9): A4, an orientation, page numbers in the footer, its
header row repeated on every page, fit to pages wide at a legible scale — checked generically on
every tab xlreports wrote in the demo books (scheme A with the archive, B, --lang en), so sheets
other layouts add are covered; and 考核方案 prints readable (one landscape page wide, notes wrapped)."""
from __future__ import annotations

import openpyxl
import pytest

from demo_books import demo_books, generated  # noqa: F401  (a session fixture)
from xlreports.layout.spec import (HEADER, LANDSCAPE_CHARS, MIN_SCALE, PORTRAIT_CHARS, SheetSpec, print_setup)
from xlreports.layout.text_width import lines

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

A4 = 9


def header_rows(ws) -> list[int]:
    """Rows styled as column headers (bold on a fill, two or more non-empty cells)."""
    counts: dict[int, int] = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value not in (None, "") and c.font.b and c.fill.fill_type == "solid":
                counts[c.row] = counts.get(c.row, 0) + 1
    return sorted(r for r, n in counts.items() if n >= 2)


def printed_width(ws) -> float:
    """Sum of the column widths up to the last used (or printed) column, in width units."""
    last = ws.max_column
    return sum((ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width or 8.43)
               if ws.column_dimensions[openpyxl.utils.get_column_letter(c)].customWidth else 8.43
               for c in range(1, last + 1))


@pytest.fixture(scope="module")
def books(demo_books):
    return {name: openpyxl.load_workbook(path) for name, path in demo_books.items()}


def test_every_generated_sheet_prints_on_a4_with_page_numbers_and_an_orientation(books):
    seen = 0
    for name, wb in books.items():
        for title in generated(wb):
            ws = wb[title]
            if ws.sheet_state != "visible":
                continue
            seen += 1
            setup = ws.page_setup
            where = f"{name}:{title}"
            assert int(setup.paperSize) == A4, where
            assert setup.orientation in ("portrait", "landscape"), where
            assert "&P" in (ws.oddFooter.center.text or ""), where
            if not ws.sheet_properties.pageSetUpPr.fitToPage:  # printed at 100 % (考核汇总: results on page 1)
                assert setup.scale in (None, 100) and ws.print_area, where
                continue
            assert int(setup.fitToWidth) >= 1, where
            # legible: one page wide only when the columns print at MIN_SCALE or more
            chars = PORTRAIT_CHARS if setup.orientation == "portrait" else LANDSCAPE_CHARS
            scale = chars * int(setup.fitToWidth) / printed_width(ws)
            assert scale >= MIN_SCALE - 0.05 or ws.print_area, (where, round(scale, 2))
    assert seen >= 3 * 14  # the forms alone


def test_a_sheet_with_one_header_row_repeats_it_on_every_page(books):
    checked = []
    for name, wb in books.items():
        for title in generated(wb):
            ws = wb[title]
            heads = header_rows(ws)
            if ws.sheet_state != "visible" or ws.row_breaks.brk or len(heads) != 1 or heads[0] > 6:
                continue
            assert ws.print_title_rows and f"${heads[0]}:${heads[0]}" in ws.print_title_rows, (name, title)
            checked.append(title)
    # the sheets the issue names, and the tables of both jobs
    assert {"考核历史", "会员等级历史", "考核数据", "客户档案", "关怀提醒", "Data"} <= set(checked)
    for wb in books.values():  # tables under a title row set their own (a 合计 row is bold on a fill too)
        for title in ("考核汇总", "工资表", "Summary", "Payroll"):
            if title in wb.sheetnames:
                assert wb[title].print_title_rows == "$2:$2", title


def test_the_sheets_without_page_setup_before_now_have_one(books):
    wb = books["A"]
    for title, orientation in (("考核历史", "portrait"), ("会员等级历史", "portrait"), ("导入报告", "landscape")):
        ws = wb[title]
        assert (int(ws.page_setup.paperSize), ws.page_setup.orientation) == (A4, orientation), title
        assert ws.oddHeader.center.text == title and ws.oddFooter.center.text == "第 &P 页 / 共 &N 页"
    assert wb["考核历史"].print_title_rows == "$1:$1" and wb["会员等级历史"].print_title_rows == "$1:$1"


def test_the_scheme_prints_one_landscape_page_wide_with_its_notes_wrapped(books):
    ws = books["A"]["考核方案"]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.fitToWidth) == 1
    scale = LANDSCAPE_CHARS / printed_width(ws)
    assert 0.7 <= scale <= 1, scale  # was 0.58 (17 columns, 229 units)
    # the KPI table's 详细描述 and 说明 columns wrap, and a row is as tall as its longest text
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 16).value == "详细描述")
    assert ws.cell(head, 17).value == "说明"
    for r in range(head + 1, ws.max_row + 1):
        if not ws.cell(r, 1).value:
            break
        for c in (16, 17):
            text = ws.cell(r, c).value
            if text:
                assert ws.cell(r, c).alignment.wrap_text, (r, c)
                n = lines(text, ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width)
                assert n == 1 or ws.row_dimensions[r].height >= 14 * n, (r, c, text)
    # 【说明】 lines span the sheet and wrap
    notes = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "【说明】")
    spans = {str(m) for m in ws.merged_cells.ranges}
    for r in range(notes + 2, ws.max_row + 1):
        if ws.cell(r, 1).value:
            assert f"A{r}:Q{r}" in spans and ws.cell(r, 1).alignment.wrap_text, r


def test_print_setup_chooses_from_the_sheet():
    narrow = SheetSpec("窄", col_widths={1: 12, 2: 12})
    narrow.set(1, 1, "客服", style=HEADER)
    narrow.set(1, 2, "总分", style=HEADER)
    p = print_setup(narrow)
    assert (p.paper, p.orientation, p.fit_width, p.print_title_rows, p.header_center) == ("A4", "portrait", 1, "1:1", "窄")
    wide = SheetSpec("宽", col_widths={c: 12 for c in range(1, 41)})  # 480 units: 3 landscape pages at >= 60 %
    wide.set(2, 40, "x")
    p = print_setup(wide)
    assert (p.orientation, p.fit_width, p.print_title_rows) == ("landscape", 3, "")
    paged = SheetSpec("条", row_breaks=[5])
    paged.set(1, 1, "客服", style=HEADER)
    paged.set(1, 2, "实发", style=HEADER)
    assert print_setup(paged).print_title_rows == ""  # laid out page by page: its strips carry their own headers
    assert print_setup(SheetSpec("_xlreports", state="veryHidden")) is None
