"""The streaming .xlsx writer (xlreports.excel.write.xlsx), checked by reading the files back.

Every sheet is written three ways — into a new workbook, into an .xlsx made by openpyxl
that already holds other sheets, names, styles and a formula, and into an .xlsm with a
VBA project — and read back with openpyxl (values, formats, merges, panes, widths),
as raw zip parts (what was not touched must be byte-identical), with fastexcel, and
with LibreOffice (prints to PDF, recalculates the formulas).
"""
from __future__ import annotations

import os
import re
import time
import zipfile
from datetime import date, datetime, time as dtime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName

from xlreports.errors import XlreportsError
from xlreports.layout.spec import (
    BODY,
    FMT_DATE,
    FMT_MONEY,
    FMT_PERCENT,
    FMT_SCORE,
    HEADER,
    INPUT,
    TITLE,
    Chart,
    ChartSeries,
    ConditionalFormat,
    DataValidation,
    PageSetup,
    SheetSpec,
    Style,
    TableBlock,
    WorkbookSpec,
)
from xlreports.excel.write.xlsx import save as xlsx_save
from openpyxl_render import new_workbook
from sheet_refs import reference_problems, worksheet_parts
from xlreports.excel.write.xlsx import write_sheets

pl = pytest.importorskip("polars")

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
HYPERLINK_TEXT = '=HYPERLINK("http://x","y")'
AGENTS = ["张三", "李四", "王五", "赵六", "钱七"]
TABLE_TOP = 3  # the archive table's header row
N_ARCHIVE = 300  # rows: above the writer's threshold, so the polars path is taken


# --------------------------------------------------------------------------- specs


def full_sheet() -> SheetSpec:
    """One sheet that uses every feature of SheetSpec (as tests/test_render.py's)."""
    s = SheetSpec("考核汇总")
    s.merge(1, 1, 1, 6, "三月客服考核汇总", style=TITLE)
    for col, label in enumerate(["客服", "得分", "转化率", "工资", "日期", "确认"], start=1):
        s.set(2, col, label, style=HEADER)
    for i, name in enumerate(AGENTS):
        row = 3 + i
        s.set(row, 1, name, style=BODY)
        s.set(row, 2, 60.0 + 8 * i, style=BODY.but(number_format=FMT_SCORE))
        s.set(row, 3, 0.01 * (i + 1), style=BODY.but(number_format=FMT_PERCENT))
        s.set(row, 4, 4000 + 250.5 * i, style=BODY.but(number_format=FMT_MONEY))
        s.set(row, 5, date(2024, 3, 1 + i), style=BODY.but(number_format=FMT_DATE))
        s.set(row, 6, None, style=INPUT, input_key=f"confirm:{name}")
    s.set(8, 1, "合计", style=BODY.but(bold=True))
    s.set(8, 2, 380.0, formula="=SUM(B3:B7)", style=BODY.but(number_format=FMT_SCORE))
    s.set(8, 3, "高", formula='=IF(B8>300,"高","低")')
    s.set(9, 1, HYPERLINK_TEXT)
    s.set(9, 2, "+1")
    s.set(9, 3, "-2")
    s.set(9, 4, "@x")
    s.set(9, 5, "#N/A")
    s.set(10, 1, True)
    s.set(10, 2, datetime(2024, 3, 5, 14, 30))
    s.set(10, 3, None, style=INPUT, comment="主管填写")
    s.set(10, 4, "备注", comment="买家昵称原样保留")
    s.set(10, 5, "a\x01b & <c>")
    s.col_widths = {1: 14.0, 2: 10.0, 6: 12.5}
    s.row_heights = {1: 30.0}
    s.freeze = "B3"
    s.tab_color = "4472C4"
    s.auto_filter = "A2:F7"
    s.page = PageSetup(orientation="landscape", header_left="某某旗舰店",
                       header_center="三月考核", header_right="&D",
                       print_title_rows="1:2", print_title_cols="A:A", print_area="A1:F10",
                       margins_cm=(2.0, 1.0, 2.54, 1.27))
    s.row_breaks = [5]
    s.charts.append(Chart("bar", "客服得分", "H2", 1, [ChartSeries("得分", 2, 3, 7)],
                          y_title="分", y_max=100))
    s.charts.append(Chart("radar", "能力雷达", "H20", 1,
                          [ChartSeries("得分", 2, 3, 7), ChartSeries("工资", 4, 3, 7)],
                          width_cm=12, height_cm=9))
    s.conditional_formats += [
        ConditionalFormat("B3:B7", "color_scale"),
        ConditionalFormat("C3:C7", "formula", formula="=$C3<0.03",
                          style=Style(fill="FFC7CE", color="9C0006", bold=True)),
        ConditionalFormat("D3:D7", "data_bar"),
    ]
    s.validations.append(DataValidation("F3:F7", ["确认", "有异议"], prompt="请确认本月得分"))
    return s


def archive_columns(n: int) -> dict:
    """Mixed columns as the customer archive has them, with the awkward values up front."""
    nick = [f"买家{i}" for i in range(n)]
    nick[:6] = [HYPERLINK_TEXT, "+86 138", " 前后空格 ", "a\x02b", "A&B <b>", ""]
    amount = [round(10.5 * i, 2) for i in range(n)]
    amount[:3] = [None, float("nan"), float("inf")]
    orders = [i % 7 for i in range(n)]
    orders[0] = None
    first = [date(2023, 1, 1) + timedelta(days=i % 400) for i in range(n)]
    first[1] = None
    last = [datetime(2024, 3, 1, 12, 30) + timedelta(minutes=i) for i in range(n)]
    vip = [i % 3 == 0 for i in range(n)]
    vip[2] = None
    return {"昵称": nick, "金额": amount, "订单数": orders, "首单日期": first,
            "末单时间": last, "会员": vip, "备注": [None] * n}


ARCHIVE_STYLES = [BODY, BODY.but(number_format=FMT_MONEY), BODY, BODY.but(number_format=FMT_DATE),
                  None, BODY, None]


def archive_sheet(n: int = N_ARCHIVE, *, as_lists: bool = False) -> SheetSpec:
    cols = archive_columns(n)
    if as_lists:
        columns = list(cols.values())
    else:
        columns = [pl.Series(name, values, strict=False) for name, values in cols.items()]
        columns[-1] = pl.Series("备注", [None] * n, dtype=pl.String)
    s = SheetSpec("客户档案", tab_color="70AD47")
    s.set(1, 1, "客户档案", style=TITLE)
    s.set(1, 9, n, formula=f"=COUNTA(A{TABLE_TOP + 1}:A{TABLE_TOP + n})")
    s.set(2, 9, None, formula=f"=SUM(C{TABLE_TOP + 1}:C{TABLE_TOP + n})")
    s.tables.append(TableBlock(TABLE_TOP, 1, list(cols), columns, ARCHIVE_STYLES,
                               header_style=HEADER, input_columns=frozenset({"备注"})))
    s.freeze = f"B{TABLE_TOP + 1}"
    s.col_widths = {1: 20.0}
    return s


def hidden_sheets() -> list[SheetSpec]:
    params = SheetSpec("参数", state="hidden")
    params.set(1, 1, "权重")
    secret = SheetSpec("内部", state="veryHidden")
    secret.set(1, 1, 1)
    return [params, secret]


# --------------------------------------------------------------------------- helpers


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def names_in(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → part name, from workbook.xml and its relationships."""
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sheet in book.iter(f"{{{MAIN}}}sheet"):
        target = targets[sheet.get(f"{{{REL_NS}}}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return out


def sheet_xml(path: Path, name: str) -> ElementTree.Element:
    return ElementTree.fromstring(member(path, sheet_parts(path)[name]))


def defined_names(path: Path) -> list[tuple[str, str | None, str]]:
    book = ElementTree.fromstring(member(path, "xl/workbook.xml"))
    return [(n.get("name"), n.get("localSheetId"), n.text) for n in book.iter(f"{{{MAIN}}}definedName")]


def canon(el) -> tuple:
    return (el.tag, tuple(sorted(el.attrib.items())), tuple(canon(c) for c in el))


def selected_tabs(path: Path) -> list[str]:
    return [name for name in sheet_parts(path)
            if any(v.get("tabSelected") == "1" for v in sheet_xml(path, name).iter(f"{{{MAIN}}}sheetView"))]


@pytest.fixture
def existing(tmp_path) -> Path:
    """A shop workbook saved by openpyxl: data with styles and a formula, an old 考核汇总, notes."""
    wb = openpyxl.Workbook()
    data = wb.active
    data.title = "客服数据"
    data.append(["客服", "销售额", "提成"])
    data.append(["张三", 12345.5, None])
    data["C2"] = "=B2*0.05"
    data["A1"].font = Font(bold=True, color="FF0000")
    data["A1"].fill = PatternFill("solid", fgColor="FFFF00")
    data["B2"].number_format = "#,##0.00"
    old = wb.create_sheet("考核汇总")
    old["A1"] = "旧汇总"
    old.print_title_rows = "1:1"
    notes = wb.create_sheet("备注")
    notes["A1"] = "说明"
    notes.print_title_rows = "1:1"
    wb.defined_names["提成比例"] = DefinedName("提成比例", attr_text="客服数据!$B$2")
    path = tmp_path / "店铺.xlsx"
    wb.save(path)
    add_calc_chain(path)
    return path


def add_calc_chain(path: Path) -> None:
    """Give the workbook an xl/calcChain.xml, as Excel writes one."""
    with zipfile.ZipFile(path) as src:
        members = [(item, src.read(item.filename)) for item in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item, data in members:
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", (
                    f'<Relationship Id="rIdCalc" Type="{REL_NS}/calcChain" '
                    'Target="calcChain.xml"/></Relationships>').encode())
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", (
                    '<Override PartName="/xl/calcChain.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>').encode())
            dst.writestr(item, data)
        dst.writestr("xl/calcChain.xml", f'<calcChain xmlns="{MAIN}"><c r="C2" i="1"/></calcChain>')


@pytest.fixture(scope="module")
def vba_bin(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("vba") / "vbaProject.bin"
    path.write_bytes(os.urandom(4096))
    return path


@pytest.fixture
def xlsm(tmp_path, vba_bin) -> Path:
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "店铺考核.xlsm"
    book = xlsxwriter.Workbook(str(path))
    data = book.add_worksheet("客服数据")
    data.write_row(0, 0, ["客服", "销售额"])
    data.write_row(1, 0, ["张三", 12345.5])
    book.add_worksheet("考核汇总").write(0, 0, "旧汇总")
    book.define_name("提成比例", "=客服数据!$B$2")
    book.add_vba_project(str(vba_bin))
    book.close()
    return path


@pytest.fixture(scope="module")
def new_book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("stream") / "考核.xlsx"
    assert write_sheets(None, path, [full_sheet(), archive_sheet(), *hidden_sheets()]) is None
    return path


@pytest.fixture(scope="module")
def wb(new_book):
    return openpyxl.load_workbook(new_book)


@pytest.fixture(scope="module")
def ws(wb):
    return wb["考核汇总"]


# --------------------------------------------------------------------------- (a) a new workbook


def test_new_workbook_sheets_states_and_one_selected_tab(new_book, wb):
    assert wb.sheetnames == ["考核汇总", "客户档案", "参数", "内部"]
    assert [w.sheet_state for w in wb.worksheets] == ["visible", "visible", "hidden", "veryHidden"]
    assert wb.active.title == "考核汇总"
    assert selected_tabs(new_book) == ["考核汇总"]
    assert b'fullCalcOnLoad="1"' in member(new_book, "xl/workbook.xml")
    assert "xl/calcChain.xml" not in names_in(new_book)


def test_values_keep_their_types(ws):
    assert ws["A1"].value == "三月客服考核汇总"
    assert ws["A3"].value == "张三"
    assert ws["B3"].value == 60.0 and ws["B3"].data_type == "n"
    assert ws["D4"].value == 4250.5
    assert ws["E3"].value == datetime(2024, 3, 1) and ws["E3"].is_date
    assert ws["A10"].value is True and ws["A10"].data_type == "b"
    assert ws["B10"].value == datetime(2024, 3, 5, 14, 30) and ws["B10"].is_date
    assert ws["B10"].number_format == "yyyy-mm-dd h:mm:ss"  # a date in an unstyled cell
    assert ws["E10"].value == "ab & <c>"  # control character dropped, the rest escaped


def test_text_that_looks_like_a_formula_stays_text(new_book, ws):
    assert (ws["A9"].value, ws["A9"].data_type) == (HYPERLINK_TEXT, "s")
    for ref, text in [("B9", "+1"), ("C9", "-2"), ("D9", "@x"), ("E9", "#N/A")]:
        assert (ws[ref].value, ws[ref].data_type) == (text, "s")
    assert [ws[ref].quotePrefix for ref in ("A9", "B9", "C9", "D9", "E9", "A3")] == \
        [True, True, True, True, False, False]
    root = sheet_xml(new_book, "考核汇总")
    assert [f.text for f in root.iter(f"{{{MAIN}}}f")] == ["SUM(B3:B7)", 'IF(B8>300,"高","低")']
    a9 = next(c for c in root.iter(f"{{{MAIN}}}c") if c.get("r") == "A9")
    assert a9.get("t") == "inlineStr" and a9.find(f"{{{MAIN}}}f") is None
    assert not list(root.iter(f"{{{MAIN}}}f"))[0].text.startswith("=")


def test_formulas_carry_cached_values(new_book):
    assert openpyxl.load_workbook(new_book)["考核汇总"]["B8"].value == "=SUM(B3:B7)"
    cached = openpyxl.load_workbook(new_book, data_only=True)["考核汇总"]
    assert cached["B8"].value == 380.0
    assert cached["C8"].value == "高"
    b8 = next(c for c in sheet_xml(new_book, "考核汇总").iter(f"{{{MAIN}}}c") if c.get("r") == "C8")
    assert b8.get("t") == "str"


def test_cached_argument_overrides_the_engine_values(tmp_path):
    s = SheetSpec("一")
    s.set(1, 1, 1.0, formula="=1")
    s.set(2, 1, None, formula="=A1*2")
    path = tmp_path / "c.xlsx"
    write_sheets(None, path, [s], cached={"一": {"A2": 2.0}})
    cached = openpyxl.load_workbook(path, data_only=True)["一"]
    assert (cached["A1"].value, cached["A2"].value) == (1.0, 2.0)


def test_number_formats_and_styles(ws):
    assert ws["B4"].number_format == FMT_SCORE
    assert ws["C4"].number_format == FMT_PERCENT
    assert ws["D4"].number_format == FMT_MONEY
    assert ws["E4"].number_format == FMT_DATE
    assert ws["A4"].number_format == "General"
    title = ws["A1"]
    assert (title.font.b, title.font.sz) == (True, 16)
    assert (title.alignment.horizontal, title.alignment.vertical) == ("center", "center")
    header = ws["B2"]
    assert header.font.b and header.alignment.wrap_text
    assert header.fill.fill_type == "solid" and header.fill.fgColor.rgb == "00D9E1F2"
    assert header.border.left.style == "thin" and header.border.bottom.style == "thin"
    assert ws["A3"].font.sz == 10.5 and ws["A3"].font.b is False
    assert ws["A3"].font.name == "Calibri" and ws["A3"].font.scheme == "minor"
    for ref in ("F3", "F7", "C10"):
        assert ws[ref].value is None
        assert ws[ref].protection.locked is False
        assert ws[ref].fill.fgColor.rgb == "00FFF2CC"
    assert ws["B3"].protection.locked is True


def test_comments(ws):
    assert ws["C10"].comment.text == "主管填写"
    assert ws["C10"].comment.author == "xlreports"
    assert ws["D10"].comment.text == "买家昵称原样保留"


def test_merges_layout_and_view(new_book, ws):
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:F1"]
    row1 = [c for c in sheet_xml(new_book, "考核汇总").iter(f"{{{MAIN}}}c") if re.fullmatch(r"[A-F]1", c.get("r"))]
    assert [c.get("r") for c in row1] == ["A1", "B1", "C1", "D1", "E1", "F1"]
    assert len({c.get("s") for c in row1}) == 1 and row1[0].get("s") is not None
    assert ws.column_dimensions["A"].width == 14.0
    assert ws.column_dimensions["B"].width == 10.0
    assert ws.column_dimensions["F"].width == 12.5
    assert ws.row_dimensions[1].height == 30.0
    assert ws.freeze_panes == "B3"
    assert ws.sheet_properties.tabColor.rgb == "004472C4"
    assert ws.auto_filter.ref == "A2:F7"
    assert ws.dimensions == "A1:F10"


def test_page_setup(new_book, ws):
    setup = ws.page_setup
    assert int(setup.paperSize) == 9
    assert setup.orientation == "landscape"
    assert (int(setup.fitToWidth), int(setup.fitToHeight)) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    margins = ws.page_margins
    assert margins.top == pytest.approx(2.0 / 2.54)
    assert margins.right == pytest.approx(1.0 / 2.54)
    assert margins.bottom == pytest.approx(1.0)
    assert margins.left == pytest.approx(0.5)
    assert margins.header < margins.top and margins.footer < margins.bottom
    assert ws.oddHeader.left.text == "某某旗舰店"
    assert ws.oddHeader.center.text == "三月考核"
    assert ws.oddHeader.right.text == "&D"
    assert ws.oddFooter.center.text == "第 &P 页 / 共 &N 页"
    assert ws.print_title_rows == "$1:$2"
    assert ws.print_title_cols == "$A:$A"
    assert ws.print_area == "'考核汇总'!$A$1:$F$10"
    assert ws.print_options.horizontalCentered is True
    assert [b.id for b in ws.row_breaks.brk] == [5]
    assert ws.row_breaks.brk[0].man is True
    assert ("_xlnm.Print_Titles", "0", "'考核汇总'!$A:$A,'考核汇总'!$1:$2") in defined_names(new_book)


def chart_parts(path: Path) -> list[ElementTree.Element]:
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        assert names == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
        return [ElementTree.fromstring(archive.read(n)) for n in names]


def find(root, path: str):
    return root.find(path.replace("c:", f"{{{CHART}}}"))


def test_charts(new_book, ws):
    bar, radar = chart_parts(new_book)
    plot = find(bar, "c:chart/c:plotArea")
    assert find(plot, "c:barChart/c:barDir").get("val") == "col"
    assert "客服得分" in "".join(find(bar, "c:chart/c:title").itertext())
    series = find(plot, "c:barChart/c:ser")
    assert find(series, "c:tx/c:v").text == "得分"
    assert find(series, "c:val/c:numRef/c:f").text == "'考核汇总'!$B$3:$B$7"
    assert find(series, "c:cat/c:strRef/c:f").text == "'考核汇总'!$A$3:$A$7"
    assert find(plot, "c:valAx/c:scaling/c:max").get("val") == "100"
    assert find(bar, "c:chart/c:legend") is None
    plot = find(radar, "c:chart/c:plotArea")
    assert find(plot, "c:radarChart/c:radarStyle").get("val") == "marker"
    names = [find(s, "c:tx/c:v").text for s in plot.iter(f"{{{CHART}}}ser")]
    assert names == ["得分", "工资"]
    drawing = ElementTree.fromstring(member(new_book, "xl/drawings/drawing1.xml"))
    anchors = drawing.findall(f"{{{DRAWING}}}oneCellAnchor")
    placed = [(int(a.find(f"{{{DRAWING}}}from/{{{DRAWING}}}col").text),
               int(a.find(f"{{{DRAWING}}}from/{{{DRAWING}}}row").text),
               a.find(f"{{{DRAWING}}}ext").get("cx")) for a in anchors]
    assert placed == [(7, 1, str(16 * 360000)), (7, 19, str(12 * 360000))]
    bar_chart, radar_chart = ws._charts
    assert type(bar_chart).__name__ == "BarChart" and type(radar_chart).__name__ == "RadarChart"
    types = member(new_book, "[Content_Types].xml").decode()
    assert '/xl/charts/chart2.xml" ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"' in types


def test_conditional_formats_and_validation(ws):
    rules = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    assert set(rules) == {"B3:B7", "C3:C7", "D3:D7"}
    scale = rules["B3:B7"][0]
    assert scale.type == "colorScale"
    assert [c.rgb for c in scale.colorScale.color] == ["FFF8696B", "FFFFEB84", "FF63BE7B"]
    formula = rules["C3:C7"][0]
    assert formula.type == "expression" and formula.formula == ["$C3<0.03"]
    assert formula.dxf.fill.bgColor.rgb == "00FFC7CE"
    assert formula.dxf.font.color.rgb == "009C0006" and formula.dxf.font.b is True
    assert rules["D3:D7"][0].dataBar.color.rgb == "FF638EC6"
    assert sorted(r[0].priority for r in rules.values()) == [1, 2, 3]
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == '"确认,有异议"'
    assert str(validation.sqref) == "F3:F7" and validation.prompt == "请确认本月得分"


# --------------------------------------------------------------------------- tables


def expected_archive(n: int) -> list[tuple]:
    cols = archive_columns(n)
    rows = []
    for values in zip(*cols.values()):
        nick, amount, orders, first, last, vip, note = values
        nick = {"a\x02b": "ab", "": None}.get(nick, nick)
        if isinstance(amount, float) and amount != amount or amount == float("inf"):
            amount = None
        first = datetime.combine(first, dtime()) if first else None
        rows.append((nick, amount, orders, first, last, vip, note))
    return rows


@pytest.mark.parametrize("as_lists", [False, True], ids=["polars", "lists"])
def test_table_block_reads_back_exactly(tmp_path, as_lists):
    path = tmp_path / "档案.xlsx"
    write_sheets(None, path, [archive_sheet(as_lists=as_lists)])
    ws = openpyxl.load_workbook(path)["客户档案"]
    header = [c.value for c in ws[TABLE_TOP]][:7]
    assert header == list(archive_columns(10))
    assert ws.cell(TABLE_TOP, 1).font.b and ws.cell(TABLE_TOP, 1).fill.fgColor.rgb == "00D9E1F2"
    got = [tuple(c.value for c in row[:7]) for row in ws.iter_rows(min_row=TABLE_TOP + 1)]
    assert got == expected_archive(N_ARCHIVE)
    first = TABLE_TOP + 1
    assert ws.cell(first, 1).quotePrefix and ws.cell(first + 1, 1).quotePrefix
    assert not ws.cell(first + 6, 1).quotePrefix
    assert ws.cell(first + 2, 1).value == " 前后空格 "
    assert ws.cell(first + 5, 2).number_format == FMT_MONEY
    assert ws.cell(first + 5, 4).number_format == FMT_DATE
    assert ws.cell(first + 5, 5).number_format == "yyyy-mm-dd h:mm:ss"  # unstyled datetime column
    note = ws.cell(first + 5, 7)  # unstyled input column: styled as an input
    assert note.protection.locked is False and note.fill.fgColor.rgb == "00FFF2CC"
    assert ws.freeze_panes == f"B{first}"
    assert ws.max_row == TABLE_TOP + N_ARCHIVE
    root = sheet_xml(path, "客户档案")
    assert [f.text for f in root.iter(f"{{{MAIN}}}f")] == [
        f"COUNTA(A{first}:A{TABLE_TOP + N_ARCHIVE})", f"SUM(C{first}:C{TABLE_TOP + N_ARCHIVE})"]
    rows = root.findall(f"{{{MAIN}}}sheetData/{{{MAIN}}}row")
    assert [int(r.get("r")) for r in rows] == [1, 2, *range(TABLE_TOP, TABLE_TOP + N_ARCHIVE + 1)]


def look(cell) -> tuple:
    """What a cell's style shows (openpyxl's style proxies don't compare equal)."""
    return (cell.number_format, cell.quotePrefix, cell.protection.locked, cell.font.b, cell.font.sz,
            cell.font.name, cell.fill.fill_type, cell.fill.fgColor.rgb, cell.border.left.style,
            cell.alignment.horizontal, cell.alignment.vertical, cell.alignment.wrap_text)


def test_both_renderers_write_tables_alike(tmp_path):
    """openpyxl_render renders TableBlocks too, to the same values, types and formats."""
    stream_path, openpyxl_path = tmp_path / "stream.xlsx", tmp_path / "openpyxl.xlsx"
    write_sheets(None, stream_path, [archive_sheet(80)])
    new_workbook(WorkbookSpec([archive_sheet(80)])).save(openpyxl_path)
    a = openpyxl.load_workbook(stream_path)["客户档案"]
    b = openpyxl.load_workbook(openpyxl_path)["客户档案"]
    seen = 0
    for row_a, row_b in zip(a.iter_rows(min_row=TABLE_TOP), b.iter_rows(min_row=TABLE_TOP)):
        for x, y in zip(row_a[:7], row_b[:7]):
            assert (x.value, *look(x)) == (y.value, *look(y))
            if x.value is not None:  # an empty text is no cell here, an empty inline string there
                assert x.data_type == y.data_type
            seen += 1
    assert seen == 81 * 7


def test_polars_types_map_to_excel(tmp_path):
    n = 200
    tz = timezone(timedelta(hours=8))
    columns = [
        pl.Series([datetime(2024, 3, 1, 9, 0, tzinfo=tz)] * n).dt.convert_time_zone("Asia/Shanghai"),
        pl.Series(["甲", "乙"] * (n // 2), dtype=pl.Categorical),
        pl.Series([Decimal("1.25")] * n),
        pl.Series([dtime(6, 0)] * n),
        pl.Series([timedelta(hours=36)] * n),
        pl.Series([date(1900, 2, 1)] * n),
        pl.Series([None] * n),
        pl.Series(list(range(n)), dtype=pl.Int16),
    ]
    s = SheetSpec("类型")
    s.tables.append(TableBlock(1, 2, list("ABCDEFGH"), columns, [None] * 8))
    path = tmp_path / "t.xlsx"
    write_sheets(None, path, [s])
    ws = openpyxl.load_workbook(path)["类型"]
    row = [c.value for c in ws[2]][1:9]
    assert row[:6] == [datetime(2024, 3, 1, 9, 0), "甲", 1.25, dtime(6, 0), timedelta(hours=36),
                       datetime(1900, 2, 1)]
    assert row[6] is None and row[7] == 0
    assert ws["B2"].number_format == "yyyy-mm-dd h:mm:ss"
    assert ws.cell(n + 1, 9).value == n - 1
    assert next(c for c in sheet_xml(path, "类型").iter(f"{{{MAIN}}}c")).get("r") == "B1"


@pytest.mark.parametrize("as_lists", [False, True], ids=["polars", "lists"])
def test_long_text_and_time_zones(tmp_path, as_lists):
    """Text is cut at Excel's 32,767 characters; aware datetimes keep their wall time."""
    n = 100
    tz = timezone(timedelta(hours=8))
    text = ["长" * 40_000] + ["短"] * (n - 1)
    when = [datetime(2024, 3, 1, 9, 0, tzinfo=tz)] * n
    columns = [text, when] if as_lists else [pl.Series(text), pl.Series(when).dt.convert_time_zone("Asia/Shanghai")]
    s = SheetSpec("长")
    s.tables.append(TableBlock(1, 1, ["备注", "时间"], columns, [None, None]))
    s.tables.append(TableBlock(1, 5, [], [], []))  # an empty table is nothing
    path = tmp_path / "l.xlsx"
    write_sheets(None, path, [s])
    ws = openpyxl.load_workbook(path)["长"]
    assert len(ws["A2"].value) == 32_767 and ws["A3"].value == "短"
    assert ws["B2"].value == datetime(2024, 3, 1, 9, 0)
    assert ws.max_column == 2


def test_tables_next_to_each_other_and_to_cells(tmp_path):
    n = 150
    s = SheetSpec("并排")
    s.tables.append(TableBlock(2, 1, ["甲"], [pl.Series(range(n))], [None]))
    s.tables.append(TableBlock(2, 4, ["乙", "丙"], [pl.Series([f"x{i}" for i in range(n + 50)]),
                                                  pl.Series([1.5] * (n + 50))], [BODY, None]))
    s.set(60, 3, "旁注")  # a cell in a row of both tables, between them
    s.row_heights[70] = 25.0
    path = tmp_path / "p.xlsx"
    write_sheets(None, path, [s])
    ws = openpyxl.load_workbook(path)["并排"]
    assert [ws.cell(60, c).value for c in range(1, 7)] == [57, None, "旁注", "x57", 1.5, None]
    assert [ws.cell(70, c).value for c in (1, 4)] == [67, "x67"] and ws.row_dimensions[70].height == 25.0
    assert [ws.cell(n + 2, c).value for c in (1, 4)] == [n - 1, f"x{n - 1}"]
    assert [ws.cell(n + 3, c).value for c in (1, 4)] == [None, f"x{n}"]
    assert ws.max_row == 2 + n + 50
    with pytest.raises(ValueError, match="inside the table"):
        s.set(10, 5, "压在表上")
        write_sheets(None, tmp_path / "bad.xlsx", [s])


@pytest.mark.parametrize("as_lists", [False, True], ids=["polars", "lists"])
def test_every_row_and_cell_carries_its_reference(tmp_path, as_lists):
    """Both table paths, side-by-side tables, cells between them, blanks: each <row> and <c> says where it is."""
    n = 150
    archive = archive_sheet(as_lists=as_lists)
    side = SheetSpec("并排")
    first = [None if i % 4 == 0 else i for i in range(n)]
    second = [f"x{i}" if i % 3 else "" for i in range(n + 50)]
    side.tables.append(TableBlock(2, 1, ["甲"], [first if as_lists else pl.Series(first)], [BODY]))
    side.tables.append(TableBlock(2, 27, ["乙", "丙"], [second if as_lists else pl.Series(second),
                                                    [True, None] * ((n + 50) // 2)], [None, BODY]))
    side.set(60, 3, "旁注")
    side.row_heights[70] = 25.0
    path = tmp_path / "refs.xlsx"
    write_sheets(None, path, [archive, side, full_sheet()])
    counts = {}
    for part, xml in worksheet_parts(path).items():
        counts[part], problems = reference_problems(xml)
        assert not problems, f"{part}: {problems[:5]}"
    assert counts["xl/worksheets/sheet1.xml"] == 3 + 7 * (N_ARCHIVE + 1)  # blank cells too
    assert counts["xl/worksheets/sheet2.xml"] == 3 + n + 2 * (n + 50) + 1  # headers, 甲, 乙 and 丙, 旁注
    cells = {c.get("r") for c in sheet_xml(path, "并排").iter(f"{{{MAIN}}}c")}
    assert {"A3", "AA3", "AB3", "C60", "AB201"} <= cells


# --------------------------------------------------------------------------- (b) an existing workbook


def test_existing_workbook_keeps_other_sheets_byte_for_byte(existing):
    original = existing.read_bytes()
    before = sheet_parts(existing)
    styles_before = ElementTree.fromstring(member(existing, "xl/styles.xml"))
    backup = write_sheets(existing, existing, [full_sheet(), archive_sheet()])

    assert backup is not None and backup.read_bytes() == original
    assert re.fullmatch(r"店铺\.bak-\d{8}-\d{6}\.xlsx", backup.name)
    after = sheet_parts(existing)
    assert list(after) == ["客服数据", "考核汇总", "备注", "客户档案"]  # replaced in place, new at the end
    for name in ("客服数据", "备注"):
        assert after[name] == before[name]
        assert member(existing, after[name]) == member(backup, before[name])
    assert len([n for n in names_in(existing) if n.startswith("xl/worksheets/sheet")]) == 4
    # Styles were appended, never renumbered: the other sheets' s="n" still mean the same.
    styles_after = ElementTree.fromstring(member(existing, "xl/styles.xml"))
    for section in ("fonts", "fills", "borders", "cellXfs", "numFmts"):
        old = list(styles_before.find(f"{{{MAIN}}}{section}"))
        new = list(styles_after.find(f"{{{MAIN}}}{section}"))
        assert [canon(e) for e in new[:len(old)]] == [canon(e) for e in old]
        assert int(styles_after.find(f"{{{MAIN}}}{section}").get("count")) == len(new)

    wb = openpyxl.load_workbook(existing)
    data = wb["客服数据"]
    assert data["A1"].font.b and data["A1"].font.color.rgb == "00FF0000"
    assert data["A1"].fill.fgColor.rgb == "00FFFF00"
    assert data["B2"].number_format == "#,##0.00" and data["B2"].value == 12345.5
    assert data["C2"].value == "=B2*0.05"
    assert wb["考核汇总"]["A1"].value == "三月客服考核汇总"
    assert wb["客户档案"].cell(TABLE_TOP + 7, 1).value == "买家6"
    # The user's active tab stays active; none of ours is selected as well (that would group
    # tabs). openpyxl, which saved the source, marks no tab selected at all.
    assert wb.active.title == "客服数据" and selected_tabs(existing) == []
    # Names: the global one kept; 考核汇总's old print titles replaced by ours, 备注's kept; 客户档案 (no page
    # set-up of its own) repeats its table's header row (layout.spec.print_setup).
    assert wb.defined_names["提成比例"].attr_text == "客服数据!$B$2"
    names = defined_names(existing)
    assert [n for n in names if n[0] == "_xlnm.Print_Titles"] == [
        ("_xlnm.Print_Titles", "2", "'备注'!$1:$1"),
        ("_xlnm.Print_Titles", "1", "'考核汇总'!$A:$A,'考核汇总'!$1:$2"),
        ("_xlnm.Print_Titles", "3", f"'客户档案'!${TABLE_TOP}:${TABLE_TOP}")]
    # calcChain is dropped (part, relationship, content type) so Excel rebuilds it.
    assert "xl/calcChain.xml" not in names_in(existing)
    assert b"calcChain" not in member(existing, "xl/_rels/workbook.xml.rels")
    assert b"calcChain" not in member(existing, "[Content_Types].xml")
    # openpyxl's app.xml lists no sheets: nothing there to keep in step.
    assert member(existing, "docProps/app.xml") == member(backup, "docProps/app.xml")


def test_rerun_is_idempotent(existing):
    write_sheets(existing, existing, [full_sheet(), archive_sheet()], backup=False)
    first = {n: member(existing, n) for n in names_in(existing)}
    write_sheets(existing, existing, [full_sheet(), archive_sheet()], backup=False)
    second = {n: member(existing, n) for n in names_in(existing)}
    assert sorted(first) == sorted(second)  # no new parts, no duplicated tabs
    assert second["xl/styles.xml"] == first["xl/styles.xml"]  # styles found again, not re-added
    assert second["xl/workbook.xml"] == first["xl/workbook.xml"]
    assert openpyxl.load_workbook(existing).sheetnames == ["客服数据", "考核汇总", "备注", "客户档案"]
    assert sorted(p.name for p in existing.parent.iterdir()) == ["店铺.xlsx"]  # no temp files


def test_removing_sheets_reindexes_names(existing):
    write_sheets(existing, existing, [full_sheet()], backup=False)
    removed_part = sheet_parts(existing)["客服数据"]
    write_sheets(existing, existing, [], remove=["客服数据", "没有这张表"], backup=False)
    wb = openpyxl.load_workbook(existing)
    assert wb.sheetnames == ["考核汇总", "备注"]
    assert removed_part not in names_in(existing)
    names = defined_names(existing)
    assert ("_xlnm.Print_Titles", "1", "'备注'!$1:$1") in names
    assert ("_xlnm.Print_Titles", "0", "'考核汇总'!$A:$A,'考核汇总'!$1:$2") in names
    assert ("提成比例", None, "#REF!$B$2") in names  # as Excel does when a sheet is deleted
    assert wb["备注"].print_title_rows == "$1:$1"
    assert wb.active.title == "考核汇总"  # the active tab was removed: the first visible one
    assert selected_tabs(existing) == []  # untouched sheets are not edited to mark it
    app = member(existing, "docProps/app.xml").decode()
    assert "客服数据" not in re.sub(r"<HeadingPairs>.*?</HeadingPairs>", "", app)


def test_replacement_is_case_insensitive_and_keeps_the_sheet_id(existing):
    book = ElementTree.fromstring(member(existing, "xl/workbook.xml"))
    old_id = next(s.get("sheetId") for s in book.iter(f"{{{MAIN}}}sheet") if s.get("name") == "备注")
    spec = SheetSpec("备注".upper())
    spec.set(1, 1, "新说明")
    write_sheets(existing, existing, [spec], backup=False)
    book = ElementTree.fromstring(member(existing, "xl/workbook.xml"))
    assert [(s.get("name"), s.get("sheetId")) for s in book.iter(f"{{{MAIN}}}sheet")][2] == ("备注", old_id)
    assert openpyxl.load_workbook(existing)["备注"]["A1"].value == "新说明"


# --------------------------------------------------------------------------- (c) a macro workbook


def test_xlsm_keeps_vba_and_names(xlsm, vba_bin):
    original = xlsm.read_bytes()
    backup = write_sheets(xlsm, xlsm, [full_sheet(), archive_sheet()])
    assert member(xlsm, "xl/vbaProject.bin") == vba_bin.read_bytes()
    assert backup.read_bytes() == original
    types = member(xlsm, "[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert b'fullCalcOnLoad="1"' in member(xlsm, "xl/workbook.xml")
    again = openpyxl.load_workbook(xlsm, keep_vba=True)
    assert again.sheetnames == ["客服数据", "考核汇总", "客户档案"]
    assert again["客服数据"]["B2"].value == 12345.5
    assert again["考核汇总"]["A1"].value == "三月客服考核汇总"
    assert again.defined_names["提成比例"].attr_text == "客服数据!$B$2"
    again.vba_archive.close()
    # docProps/app.xml (written by xlsxwriter) lists the new tabs; named ranges stay as they were.
    app = ElementTree.fromstring(member(xlsm, "docProps/app.xml"))
    vt = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
    ep = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
    pairs = [v[0].text for v in app.find(f"{ep}HeadingPairs/{vt}vector")]
    titles = [t.text for t in app.find(f"{ep}TitlesOfParts/{vt}vector")]
    assert pairs == ["Worksheets", "3", "Named Ranges", "1"]
    assert titles == ["客服数据", "考核汇总", "客户档案", "提成比例"]
    assert app.find(f"{ep}TitlesOfParts/{vt}vector").get("size") == "4"
    with pytest.raises(XlreportsError, match="含有宏"):
        write_sheets(xlsm, xlsm.with_suffix(".xlsx"), [full_sheet()])


# --------------------------------------------------------------------------- errors and safety


def test_not_a_workbook_is_a_chinese_error(tmp_path):
    fake = tmp_path / "客服数据.xlsx"
    fake.write_text("客服,销售额\n", encoding="utf-8")
    with pytest.raises(XlreportsError, match="不是 Excel 工作簿"):
        write_sheets(fake, tmp_path / "out.xlsx", [full_sheet()])
    with pytest.raises(XlreportsError, match="不是 Excel 工作簿"):
        write_sheets(tmp_path / "a.csv", tmp_path / "out.xlsx", [full_sheet()])
    with pytest.raises(XlreportsError, match="工作表名称"):
        write_sheets(None, tmp_path / "out.xlsx", [SheetSpec("a/b")])
    with pytest.raises(XlreportsError, match="可见"):
        write_sheets(None, tmp_path / "out.xlsx", [SheetSpec("藏", state="hidden")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["客服数据.xlsx"]


def test_locked_target_is_a_chinese_error_and_nothing_changes(existing, monkeypatch):
    original = existing.read_bytes()

    def locked(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(xlsx_save.os, "replace", locked)
    with pytest.raises(XlreportsError, match="正在 Excel 中打开"):
        write_sheets(existing, existing, [full_sheet()])
    assert existing.read_bytes() == original
    assert sorted(p.name for p in existing.parent.iterdir()) == ["店铺.xlsx"]  # no temp, no backup


def test_edits_made_meanwhile_are_not_overwritten(existing, monkeypatch):
    real_flush = xlsx_save._flush_to_disk

    def user_saves_meanwhile(path):
        real_flush(path)
        existing.write_bytes(existing.read_bytes())  # Excel saves the workbook meanwhile
        os.utime(existing, ns=(1, 1))

    monkeypatch.setattr(xlsx_save, "_flush_to_disk", user_saves_meanwhile)
    edited = existing.read_bytes()
    with pytest.raises(XlreportsError, match="被修改"):
        write_sheets(existing, existing, [full_sheet()])
    assert existing.read_bytes() == edited


# --------------------------------------------------------------------------- LibreOffice and size


@pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")  # LibreOffice's x14 ext
def test_libreoffice_prints_and_recalculates(existing, tmp_path, soffice):
    from libreoffice import recalculate, to_pdf

    write_sheets(existing, existing, [full_sheet(), archive_sheet()], backup=False)
    source = tmp_path / "kaohe.xlsx"  # ASCII name: older soffice builds mangle others
    source.write_bytes(existing.read_bytes())
    pdf = to_pdf(source, tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    recalculated = openpyxl.load_workbook(recalculate(source, tmp_path / "recalc"), data_only=True)
    summary = recalculated["考核汇总"]
    assert summary["B8"].value == pytest.approx(380.0)
    assert summary["C8"].value == "高"
    archive = recalculated["客户档案"]
    assert archive["I1"].value == N_ARCHIVE - 1  # COUNTA skips the one empty nickname
    assert archive["I2"].value == sum(i % 7 for i in range(1, N_ARCHIVE))
    assert archive.cell(TABLE_TOP + 1, 1).value == HYPERLINK_TEXT  # still text after a round trip
    assert recalculated["客服数据"]["C2"].value == pytest.approx(12345.5 * 0.05)


def test_two_hundred_thousand_rows(tmp_path):
    fastexcel = pytest.importorskip("fastexcel")
    n, kinds = 200_000, 25
    columns, headers, styles = [], [], []
    for j in range(kinds):
        k = j % 5
        if k == 0:
            col = pl.Series([f"买家昵称{i % 9973}" for i in range(n)])
        elif k == 1:
            col = pl.Series(range(n), dtype=pl.Float64) * 1.25
        elif k == 2:
            col = pl.Series(range(n), dtype=pl.Int64) % 97
        elif k == 3:
            col = (pl.Series(range(n), dtype=pl.Int32) % 3000).cast(pl.Date)
        else:
            col = pl.Series([None if i % 10 == 0 else i / 7 for i in range(n)], dtype=pl.Float64)
        columns.append(col)
        headers.append(f"列{j + 1}")
        styles.append(BODY.but(number_format=FMT_DATE) if k == 3 else BODY)
    s = SheetSpec("客户档案")
    s.tables.append(TableBlock(1, 1, headers, columns, styles, header_style=HEADER))
    path = tmp_path / "big.xlsx"
    started = time.perf_counter()
    write_sheets(None, path, [s])
    took = time.perf_counter() - started
    size = path.stat().st_size
    print(f"\n{n:,} rows x {kinds} columns: {took:.2f} s, {n / took:,.0f} rows/s, {size / 1e6:.1f} MB")
    sheet = fastexcel.read_excel(path).load_sheet("客户档案")
    assert (sheet.height, sheet.width) == (n, kinds)
    last = sheet.to_polars().row(n - 1)
    assert last[:3] == (f"买家昵称{(n - 1) % 9973}", (n - 1) * 1.25, float((n - 1) % 97))
