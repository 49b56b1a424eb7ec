"""The openpyxl reference renderer (tests/openpyxl_render.py), checked by reading the files back.

Every assertion reads the saved .xlsx (with openpyxl or as raw XML in the zip),
so what is tested is what Excel will open, not what is in memory.
"""
from __future__ import annotations

import math
import os
import re
import shutil
import stat
import subprocess
import uuid
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

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
    WorkbookSpec,
)
from openpyxl_render import (
    apply_workbook_spec,
    check_sheet_name,
    new_workbook,
    render_sheet,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HYPERLINK_TEXT = '=HYPERLINK("http://x","y")'
AGENTS = ["张三", "李四", "王五", "赵六", "钱七"]


# --------------------------------------------------------------------------- fixtures


def full_sheet() -> SheetSpec:
    """One sheet that uses every feature the renderer knows."""
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
    # Buyer/agent text that looks like a formula must stay text.
    s.set(9, 1, HYPERLINK_TEXT)
    s.set(9, 2, "+1")
    s.set(9, 3, "-2")
    s.set(9, 4, "@x")
    s.set(9, 5, "#N/A")
    s.set(10, 1, True)
    s.set(10, 2, datetime(2024, 3, 5, 14, 30))
    s.set(10, 3, None, style=INPUT, comment="主管填写")
    s.set(10, 4, "备注", comment="买家昵称原样保留")
    s.col_widths = {1: 14.0, 2: 10.0, 6: 12.5}
    s.row_heights = {1: 30.0}
    s.freeze = "B3"
    s.tab_color = "4472C4"
    s.auto_filter = "A2:F7"
    s.page = PageSetup(orientation="landscape", header_left="某某旗舰店",
                       header_center="三月考核", header_right="&D",
                       print_title_rows="1:2", margins_cm=(2.0, 1.0, 2.54, 1.27))
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


def hidden_sheets() -> list[SheetSpec]:
    params = SheetSpec("参数", state="hidden")
    params.set(1, 1, "权重")
    secret = SheetSpec("内部", state="veryHidden")
    secret.set(1, 1, 1)
    return [params, secret]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("render") / "考核.xlsx"
    new_workbook(WorkbookSpec([full_sheet(), *hidden_sheets()])).save(path)
    return path


@pytest.fixture(scope="module")
def ws(rendered):
    return openpyxl.load_workbook(rendered)["考核汇总"]


def sheet_xml(path: Path, index: int = 1) -> ElementTree.Element:
    with zipfile.ZipFile(path) as archive:
        return ElementTree.fromstring(archive.read(f"xl/worksheets/sheet{index}.xml"))


def zip_text(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(member).decode("utf-8")


# --------------------------------------------------------------------------- cells


def test_text_that_looks_like_a_formula_stays_text(rendered, ws):
    assert ws["A9"].value == HYPERLINK_TEXT
    assert ws["A9"].data_type == "s"
    for ref, text in [("B9", "+1"), ("C9", "-2"), ("D9", "@x"), ("E9", "#N/A")]:
        assert (ws[ref].value, ws[ref].data_type) == (text, "s")
    # Quote-prefixed, so it stays text even after someone edits the cell in Excel.
    assert [ws[ref].quotePrefix for ref in ("A9", "B9", "C9", "D9", "E9", "A3")] == \
        [True, True, True, True, False, False]
    root = sheet_xml(rendered)
    formulas = [f.text for f in root.iter(f"{{{MAIN}}}f")]
    assert formulas == ["SUM(B3:B7)"]  # the only formula is the real one
    a9 = next(c for c in root.iter(f"{{{MAIN}}}c") if c.get("r") == "A9")
    assert a9.get("t") == "inlineStr"
    assert a9.find(f"{{{MAIN}}}f") is None


def test_formula_cell_is_a_formula(ws):
    assert ws["B8"].value == "=SUM(B3:B7)"
    assert ws["B8"].data_type == "f"
    assert ws["B8"].number_format == FMT_SCORE


def test_values_keep_their_types(ws):
    assert ws["A3"].value == "张三"
    assert ws["B3"].value == 60.0 and ws["B3"].data_type == "n"
    assert ws["E3"].value == datetime(2024, 3, 1) and ws["E3"].is_date
    assert ws["A10"].value is True and ws["A10"].data_type == "b"
    assert ws["B10"].value == datetime(2024, 3, 5, 14, 30) and ws["B10"].is_date


def test_number_formats(ws):
    assert ws["B4"].number_format == FMT_SCORE
    assert ws["C4"].number_format == FMT_PERCENT
    assert ws["D4"].number_format == FMT_MONEY
    assert ws["E4"].number_format == FMT_DATE
    assert ws["A4"].number_format == "General"


def test_styles(ws):
    title = ws["A1"]
    assert (title.font.b, title.font.sz) == (True, 16)
    assert (title.alignment.horizontal, title.alignment.vertical) == ("center", "center")
    header = ws["B2"]
    assert header.font.b and header.alignment.wrap_text
    assert header.fill.fill_type == "solid" and header.fill.fgColor.rgb == "00D9E1F2"
    assert header.border.left.style == "thin" and header.border.bottom.style == "thin"
    assert ws["A3"].font.sz == 10.5 and ws["A3"].font.b is False


def test_input_cells_are_unlocked_and_styled_even_when_empty(ws):
    for ref in ("F3", "F7", "C10"):
        cell = ws[ref]
        assert cell.value is None
        assert cell.protection.locked is False
        assert cell.fill.fgColor.rgb == "00FFF2CC"
    assert ws["B3"].protection.locked is True


def test_comments(ws):
    assert ws["C10"].comment.text == "主管填写"
    assert ws["C10"].comment.author == "xlreports"
    assert ws["D10"].comment.text == "买家昵称原样保留"


def test_merge_styles_every_covered_cell(rendered, ws):
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:F1"]
    assert ws["A1"].value == "三月客服考核汇总"
    # openpyxl's reader rebuilds covered cells without their style, so look at the XML:
    # every cell of the block carries the block's style (that is what draws its borders).
    row1 = {c.get("r"): c for c in sheet_xml(rendered).iter(f"{{{MAIN}}}c") if c.get("r").endswith("1")
            and c.get("r")[:-1].isalpha() and len(c.get("r")) == 2}
    assert sorted(row1) == ["A1", "B1", "C1", "D1", "E1", "F1"]
    assert {c.get("s") for c in row1.values()} == {row1["A1"].get("s")} != {None}


# --------------------------------------------------------------------------- sheet


def test_layout_and_view(ws):
    assert ws.column_dimensions["A"].width == 14.0
    assert ws.column_dimensions["F"].width == 12.5
    assert ws.row_dimensions[1].height == 30.0
    assert ws.freeze_panes == "B3"
    assert ws.sheet_properties.tabColor.rgb == "004472C4"
    assert ws.auto_filter.ref == "A2:F7"
    assert ws.sheet_state == "visible"


def test_sheet_states(rendered):
    wb = openpyxl.load_workbook(rendered)
    assert wb.sheetnames == ["考核汇总", "参数", "内部"]
    assert [w.sheet_state for w in wb.worksheets] == ["visible", "hidden", "veryHidden"]
    assert wb.active.title == "考核汇总"


def test_page_setup(rendered, ws):
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
    assert ws.print_options.horizontalCentered is True
    assert [b.id for b in ws.row_breaks.brk] == [5]
    assert ws.row_breaks.brk[0].man is True
    xml = zip_text(rendered, "xl/worksheets/sheet1.xml")
    assert re.search(r'<pageSetup[^>]*paperSize="9"', xml)
    assert re.search(r'<pageSetup[^>]*fitToHeight="0"', xml)
    # Print titles are a workbook defined name Excel looks for by this exact name.
    workbook_xml = zip_text(rendered, "xl/workbook.xml")
    assert "_xlnm.Print_Titles" in workbook_xml and "$1:$2" in workbook_xml


CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"


def chart_parts(path: Path) -> list[ElementTree.Element]:
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        assert names == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
        return [ElementTree.fromstring(archive.read(n)) for n in names]


def find(root, path: str):
    return root.find(path.replace("c:", f"{{{CHART}}}"))


def findall(root, path: str):
    return root.findall(path.replace("c:", f"{{{CHART}}}"))


def text_of(root) -> str:
    return "".join(root.itertext())


def test_bar_chart_in_zip(rendered):
    bar, _ = chart_parts(rendered)
    plot = find(bar, "c:chart/c:plotArea")
    assert find(plot, "c:barChart/c:barDir").get("val") == "col"
    assert "客服得分" in text_of(find(bar, "c:chart/c:title"))
    (series,) = findall(plot, "c:barChart/c:ser")
    assert find(series, "c:tx/c:v").text == "得分"
    assert find(series, "c:val/c:numRef/c:f").text == "'考核汇总'!$B$3:$B$7"
    assert find(series, "c:cat/c:strRef/c:f").text == "'考核汇总'!$A$3:$A$7"
    # Axes are shown: openpyxl >= 3.1 hides them unless delete is false.
    assert [find(ax, "c:delete").get("val") for ax in (find(plot, "c:catAx"), find(plot, "c:valAx"))] == ["0", "0"]
    assert find(plot, "c:valAx/c:scaling/c:max").get("val") == "100"
    assert text_of(find(plot, "c:valAx/c:title")) == "分"
    assert find(bar, "c:chart/c:legend") is None  # one series: no legend


def test_radar_chart_in_zip(rendered):
    _, radar = chart_parts(rendered)
    plot = find(radar, "c:chart/c:plotArea")
    assert find(plot, "c:radarChart/c:radarStyle").get("val") == "marker"
    series = findall(plot, "c:radarChart/c:ser")
    assert [find(s, "c:tx/c:v").text for s in series] == ["得分", "工资"]
    assert find(series[1], "c:val/c:numRef/c:f").text == "'考核汇总'!$D$3:$D$7"
    assert "能力雷达" in text_of(find(radar, "c:chart/c:title"))
    assert find(radar, "c:chart/c:legend/c:legendPos").get("val") == "b"


def test_chart_anchor_and_size(rendered):
    with zipfile.ZipFile(rendered) as archive:
        drawing = ElementTree.fromstring(archive.read("xl/drawings/drawing1.xml"))
    anchors = drawing.findall(f"{{{DRAWING}}}oneCellAnchor")
    placed = [(int(a.find(f"{{{DRAWING}}}from/{{{DRAWING}}}col").text),
               int(a.find(f"{{{DRAWING}}}from/{{{DRAWING}}}row").text),
               a.find(f"{{{DRAWING}}}ext").get("cx"), a.find(f"{{{DRAWING}}}ext").get("cy"))
              for a in anchors]
    emu_per_cm = 360000
    assert placed == [(7, 1, str(16 * emu_per_cm), str(8 * emu_per_cm)),     # H2
                      (7, 19, str(12 * emu_per_cm), str(9 * emu_per_cm))]    # H20


def test_charts_read_back(ws):
    bar, radar = ws._charts
    assert type(bar).__name__ == "BarChart" and type(radar).__name__ == "RadarChart"
    assert bar.y_axis.scaling.max == 100


def test_conditional_formats(ws):
    rules = {str(cf.sqref): cf.rules for cf in ws.conditional_formatting}
    assert set(rules) == {"B3:B7", "C3:C7", "D3:D7"}
    scale = rules["B3:B7"][0]
    assert scale.type == "colorScale"
    assert [c.rgb for c in scale.colorScale.color] == ["FFF8696B", "FFFFEB84", "FF63BE7B"]
    assert [v.type for v in scale.colorScale.cfvo] == ["min", "percentile", "max"]
    formula = rules["C3:C7"][0]
    assert formula.type == "expression" and formula.formula == ["$C3<0.03"]
    assert formula.dxf.fill.bgColor.rgb == "00FFC7CE"
    assert formula.dxf.font.color.rgb == "009C0006" and formula.dxf.font.b is True
    bar = rules["D3:D7"][0]
    assert bar.type == "dataBar" and bar.dataBar.color.rgb == "FF638EC6"


def test_data_validation(ws):
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"确认,有异议"'
    assert str(validation.sqref) == "F3:F7"
    assert validation.prompt == "请确认本月得分"
    assert validation.showInputMessage is True
    assert validation.showErrorMessage is True
    assert validation.showDropDown in (None, False)  # True would *hide* the arrow


# --------------------------------------------------------------------------- edge values


def test_values_excel_cannot_hold_are_made_safe():
    s = SheetSpec("边界")
    s.set(1, 1, float("nan"), style=BODY)
    s.set(1, 2, math.inf)
    s.set(1, 3, datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc))
    s.set(1, 4, "昵称\x00\x07结尾")
    s.set(1, 5, "=1+1", formula="A1+1")  # formula without "=" still a formula
    ws = new_workbook(WorkbookSpec([s]))["边界"]
    assert ws["A1"].value is None and ws["A1"].border.left.style == "thin"
    assert ws["B1"].value is None
    assert ws["C1"].value == datetime(2024, 3, 1, 8, 0)
    assert ws["D1"].value == "昵称结尾"
    assert ws["E1"].value == "=A1+1" and ws["E1"].data_type == "f"


def test_style_objects_are_shared_but_cells_restyle_independently():
    s = SheetSpec("样式")
    for row in range(1, 4):
        s.set(row, 1, row, style=BODY)
    wb = new_workbook(WorkbookSpec([s]))
    ws = wb["样式"]
    assert ws["A1"]._style == ws["A2"]._style and ws["A1"]._style is not ws["A2"]._style
    ws["A1"].font = openpyxl.styles.Font(b=True)
    assert ws["A2"].font.b is False


@pytest.mark.parametrize("name", ["", "a" * 32, "a/b", "x[1]", "'引号'", "History", "问?"])
def test_bad_sheet_names_are_refused_in_chinese(name):
    with pytest.raises(XlreportsError, match="工作表名称"):
        check_sheet_name(name)
    with pytest.raises(XlreportsError):
        new_workbook(WorkbookSpec([SheetSpec(name)]))


def test_duplicate_sheet_names_are_refused():
    with pytest.raises(XlreportsError, match="重复"):
        new_workbook(WorkbookSpec([SheetSpec("汇总"), SheetSpec("汇总")]))


def test_bad_validation_lists_are_refused():
    s = SheetSpec("校验")
    s.validations.append(DataValidation("A1", ["a,b"]))
    with pytest.raises(XlreportsError, match="逗号"):
        new_workbook(WorkbookSpec([s]))
    s.validations[:] = [DataValidation("A1", ["选项" * 30] * 5)]
    with pytest.raises(XlreportsError, match="255"):
        new_workbook(WorkbookSpec([s]))


def test_all_hidden_is_refused():
    with pytest.raises(XlreportsError, match="可见"):
        new_workbook(WorkbookSpec([SheetSpec("参数", state="hidden")]))


def test_render_sheet_names_the_sheet_but_never_renames_silently():
    wb = openpyxl.Workbook()
    render_sheet(wb.active, SheetSpec("汇总"))
    assert wb.active.title == "汇总"
    with pytest.raises(XlreportsError, match="已有"):
        render_sheet(wb.create_sheet("明细"), SheetSpec("汇总"))


# --------------------------------------------------------------------------- apply into a workbook


def user_workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.active.title = "客服数据"
    wb["客服数据"]["A1"] = "原始数据"
    for name in ("考核方案", "考核表-张三", "考核汇总", "说明"):
        wb.create_sheet(name)["A1"] = f"旧{name}"
    wb.active = wb["说明"]
    return wb


def spec_with(*names: str, remove=()) -> WorkbookSpec:
    sheets = []
    for name in names:
        s = SheetSpec(name)
        s.set(1, 1, f"新{name}")
        sheets.append(s)
    return WorkbookSpec(sheets, remove=list(remove))


def test_replaced_sheets_keep_their_place_and_new_ones_go_before():
    wb = user_workbook()
    apply_workbook_spec(wb, spec_with("考核汇总", "考核表-李四", "工资表"),
                        before="说明")
    assert wb.sheetnames == ["客服数据", "考核方案", "考核表-张三", "考核汇总",
                             "考核表-李四", "工资表", "说明"]
    assert wb["考核汇总"]["A1"].value == "新考核汇总"
    assert wb["客服数据"]["A1"].value == "原始数据"


def test_rerun_is_idempotent_and_removes_stale_tabs():
    wb = user_workbook()
    spec = spec_with("考核表-李四", "考核汇总", remove=["考核表-张三"])
    apply_workbook_spec(wb, spec)
    first = list(wb.sheetnames)
    apply_workbook_spec(wb, spec)
    assert wb.sheetnames == first == ["客服数据", "考核方案", "考核汇总", "说明", "考核表-李四"]


def test_replacement_is_case_insensitive_like_excel():
    wb = openpyxl.Workbook()
    wb.active.title = "Summary"
    wb.create_sheet("Data")
    apply_workbook_spec(wb, spec_with("SUMMARY"))
    assert wb.sheetnames == ["SUMMARY", "Data"]


def test_before_a_removed_sheet_uses_its_place():
    wb = user_workbook()
    apply_workbook_spec(wb, spec_with("新表"), before="考核表-张三")
    assert wb.sheetnames.index("新表") == 2


def test_active_tab_is_kept_and_only_one_is_selected():
    wb = user_workbook()
    apply_workbook_spec(wb, spec_with("考核汇总", "工资表"))
    assert wb.active.title == "说明"
    assert [w.title for w in wb.worksheets if w.sheet_view.tabSelected] == ["说明"]
    wb.active = wb["考核汇总"]
    apply_workbook_spec(wb, spec_with("考核汇总"))
    assert wb.active.title == "考核汇总"  # the replacement of the active tab stays active
    assert [w.title for w in wb.worksheets if w.sheet_view.tabSelected] == ["考核汇总"]


# --------------------------------------------------------------------------- LibreOffice


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_prints_the_rendered_sheet_to_pdf(rendered, tmp_path):
    out = tmp_path / "pdf"
    profile = tmp_path / f"lo-profile-{uuid.uuid4().hex}"
    source = tmp_path / "kaohe.xlsx"  # ASCII name: older soffice builds mangle others
    shutil.copy(rendered, source)
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180)
    pdf = out / "kaohe.pdf"
    assert pdf.exists() and pdf.stat().st_size > 0
    head = pdf.read_bytes()
    assert head.startswith(b"%PDF")
    # A4 landscape is 842 x 595 points.
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+841\.\d+\s+595\.\d+", head) or \
        re.search(rb"/MediaBox\s*\[\s*0\s+0\s+842\s+595", head)
