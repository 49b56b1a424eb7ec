"""Month-end pay (issue 9): 工资表 finished (zero columns hidden, 合计, 制表/审核/批准), 工资条 (a strip per
person, live from 工资表 by name, whole strips per printed page) and 趋势 (months × agents from 考核历史 with
line charts). Figures are checked against the engine; LibreOffice and Gnumeric recompute every formula."""
from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

import fake_xlwings as fx
from formula_check import assert_all_equal, poisoned
from xlreports.cli import main
from xlreports.engine.numbers import excel_round
from xlreports.excel.write.live import render_sheet
from xlreports.excel.write.xlsx.drawings import chart_xml
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.layout import labels
from xlreports.layout.payroll import COMPUTED, MONEY, amount
from xlreports.layout.payslips import fit_scale, strips_per_page
from xlreports.layout.spec import Chart, ChartSeries, WorkbookSpec
from xlreports.samples import build_sample

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

MONTHS = ("2026-08", "2026-09", "2026-10")
B_ZERO = ["岗位工资", "津贴", "提成", "全勤奖", "额外奖金"]  # scheme B's demo computes these as 0 for everyone


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """run(scheme) → (path, report of 2026-10): the demo appraised for its three months."""
    src = build_sample(tmp_path_factory.mktemp("src") / "shop_sample.xlsx")
    done = {}

    def run(scheme: str):
        if scheme not in done:
            path = tmp_path_factory.mktemp(f"month-end-{scheme}") / "shop.xlsx"
            shutil.copyfile(src, path)
            reports = [appraise(path, AppraiseOptions(month=m, scheme=scheme if m == MONTHS[0] else None,
                                                      backup=False)) for m in MONTHS]
            done[scheme] = (path, reports[-1])
        return done[scheme]

    return run


def headers(ws, row: int) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value}


# --------------------------------------------------------------------------- 工资表


@pytest.mark.parametrize("scheme, zero", [("B", B_ZERO), ("A", [])])
def test_payroll_hides_exactly_the_computed_columns_zero_for_everyone(demo, scheme, zero):
    path, report = demo(scheme)
    agents = report.result.agents
    assert [c for c in COMPUTED if all(amount(r, c) == 0 for r in agents)] == zero
    ws = openpyxl.load_workbook(path)["工资表"]
    head = headers(ws, 2)
    hidden = [h for h, j in head.items() if ws.column_dimensions[openpyxl.utils.get_column_letter(j)].hidden]
    assert hidden == zero
    # hidden, not removed: every column is still there, found by its header, with its formulas
    assert {"岗位工资", "津贴", "提成", "全勤奖", "额外奖金", "奖金", "事假扣款", "实发工资"} <= set(head)
    first = ws.cell(3, head["岗位工资"]).value
    assert isinstance(first, str) and first.startswith("=")


@pytest.mark.parametrize("scheme", ["A", "B"])
def test_the_total_row_sums_every_amount_of_the_engine(demo, scheme):
    path, report = demo(scheme)
    spec = report.book.sheet("工资表")
    agents = report.result.agents
    total_row = 3 + len(agents)
    cols = {spec.cells[(2, j)].value: j for j in range(1, spec.max_col + 1) if (2, j) in spec.cells}
    assert spec.cells[(total_row, 1)].value == "合计"
    for name in (m for m in MONEY if m in cols):
        cell = spec.cells[(total_row, cols[name])]
        assert cell.value == excel_round(sum(amount(r, name) for r in agents), 2), name
        letter = openpyxl.utils.get_column_letter(cols[name])
        assert cell.formula == f"=ROUND(SUM({letter}3:{letter}{total_row - 1}),2)"
    net = spec.cells[(total_row, cols["实发工资"])].value
    assert net == excel_round(sum(r.net for r in agents), 2) == {"B": 50160.0}.get(scheme, net)


def test_payroll_signature_block_has_boxes_to_sign_not_a_footnote(demo):
    path, report = demo("B")
    spec = report.book.sheet("工资表")
    labels = {cell.value: (r, c) for (r, c), cell in spec.cells.items() if cell.value in ("制表", "审核", "批准")}
    assert set(labels) == {"制表", "审核", "批准"}
    rows = {r for r, _ in labels.values()}
    assert len(rows) == 1
    row = rows.pop()
    assert row > 3 + len(report.result.agents)  # below the 合计 row
    assert spec.row_heights[row] >= 36 and spec.row_heights[row + 1] >= 20
    for r, c in labels.values():
        style = spec.cells[(r, c)].style
        assert style.bold and not style.italic and style.border
        box = next(m for m in spec.merges if m[:2] == (row, c + 1))
        assert box[3] > box[1] and spec.cells[(row, c + 1)].value is None  # a blank box 2+ columns wide to sign in
        assert spec.cells[(r + 1, c)].value == "日期"
    ws = openpyxl.load_workbook(path)["工资表"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$2:$2"
    assert not any("制表：" in str(c.value or "") for row_ in ws.iter_rows() for c in row_)  # no footnote version


# --------------------------------------------------------------------------- 工资条


@pytest.mark.parametrize("scheme", ["A", "B"])
def test_one_strip_per_person_with_its_header_and_the_engine_figures(demo, scheme):
    path, report = demo(scheme)
    ws = openpyxl.load_workbook(path)["工资条"]
    agents = report.result.agents
    expected_cols = ["客服", "月份", "底薪", *([] if scheme == "B" else ["岗位工资", "津贴"]), "绩效工资",
                     *([] if scheme == "B" else ["提成", "全勤奖", "额外奖金"]), "奖金", "应发合计", "事假扣款",
                     "迟到扣款", "社保个人", "公积金个人", "其他扣款", "实发工资"]
    spec = report.book.sheet("工资条")
    for k, r in enumerate(agents):
        head = 3 + 3 * k
        assert [ws.cell(head, j).value for j in range(1, len(expected_cols) + 1)] == expected_cols
        assert ws.cell(head + 1, 1).value == r.agent.name and ws.cell(head + 1, 2).value == "2026-10"
        for j, col in enumerate(expected_cols[2:], start=3):
            cell = spec.cells[(head + 1, j)]
            assert cell.value == excel_round(amount(r, col), 2), (r.agent.name, col)
            # by name, never by row address
            assert f'MATCH("{r.agent.name}",' in cell.formula and re.search(r"'工资表'!\$[A-Z]+\$\d+[,)]",
                                                                           cell.formula) is None
        assert str(ws.cell(head + 2, 1).value).startswith("✂ - - -")  # the cut line
    assert ws.max_column == len(expected_cols)
    assert sum(1 for row in ws.iter_rows(values_only=True) if row[0] == "客服") == len(agents)


@pytest.mark.parametrize("scheme, per_page, breaks", [("B", 6, [20, 38]), ("A", 8, [26])])
def test_page_breaks_fall_between_whole_strips(demo, scheme, per_page, breaks):
    _, report = demo(scheme)
    spec = report.book.sheet("工资条")
    # B: 12 columns print at 100 %; A: 17 columns, 200 characters, shrink to about 78 %
    assert strips_per_page(28 + 15, scale=fit_scale(spec.col_widths.values())) == per_page
    n = len(report.result.agents)
    assert spec.row_breaks == [2 + 3 * per_page * p for p in range(1, math.ceil(n / per_page))] == breaks
    for brk in spec.row_breaks:  # each break follows a cut line, so the next page starts with a header
        assert spec.cells[(brk + 1, 1)].value == "客服" and str(spec.cells[(brk, 1)].value).startswith("✂")


@pytest.mark.parametrize("scheme, counts", [("B", [6, 6, 2]), ("A", [8, 6])])
def test_libreoffice_prints_whole_strips_several_to_a_page(demo, soffice, tmp_path, scheme, counts):
    from libreoffice import to_pdf

    path, report = demo(scheme)
    pdf = to_pdf(path, tmp_path)
    pages = _pdf_pages(pdf)
    slips = [p for p in pages if p.strip() and "工资条 2026-10" in p.strip().splitlines()[0]]
    # every strip is a header line and a figures line on the same page
    assert [p.count("实发工资") for p in slips] == counts
    names = [r.agent.name for r in report.result.agents]
    assert [sum(1 for n in names if re.search(rf"^\s*{re.escape(n)}\s+2026-10", p, re.M)) for p in slips] == counts


def _pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


# --------------------------------------------------------------------------- recalculation


def _month_end(report) -> WorkbookSpec:
    return WorkbookSpec([report.book.sheet(n) for n in ("工资表", "工资条", "趋势")])


def _formula_count(book: WorkbookSpec, sheet: str) -> int:
    return sum(1 for c in book.sheet(sheet).cells.values() if c.formula)


@pytest.mark.parametrize("scheme", ["A", "B"])
def test_payslips_and_totals_equal_the_engine_in_libreoffice(demo, soffice, tmp_path, scheme):
    from libreoffice import recalculate

    path, report = demo(scheme)
    copy, _ = poisoned(path, tmp_path / "poisoned")
    book = _month_end(report)
    assert assert_all_equal(book, recalculate(copy, tmp_path)) == _formula_count(book, "工资表") + \
        _formula_count(book, "工资条")
    strip_amounts = {"A": 15, "B": 10}[scheme]  # B leaves out its five zero columns
    assert _formula_count(book, "工资条") == strip_amounts * len(report.result.agents)


@pytest.mark.parametrize("scheme", ["A", "B"])
def test_payslips_and_totals_equal_the_engine_in_gnumeric(demo, tmp_path, scheme):
    from gnumeric import available, recalculate

    available()
    path, report = demo(scheme)
    copy, _ = poisoned(path, tmp_path / "poisoned")
    book = _month_end(report)
    assert assert_all_equal(book, recalculate(copy, tmp_path), "Gnumeric") > 14 * 10


def test_a_deduction_typed_in_the_payroll_reaches_the_strip_after_recalculation(demo, soffice, tmp_path):
    from libreoffice import recalculate

    path, report = demo("B")
    book = tmp_path / "typed.xlsx"
    shutil.copyfile(path, book)
    wb = openpyxl.load_workbook(book)
    ws = wb["工资表"]
    head = headers(ws, 2)
    row = next(r for r in range(3, 20) if ws.cell(r, 1).value == "阿杰")
    ws.cell(row, head["社保个人"]).value = 321.5
    wb.save(book)
    values = openpyxl.load_workbook(recalculate(book, tmp_path / "out"), data_only=True)["工资条"]
    strip = next(r for r in range(1, values.max_row + 1) if values.cell(r, 1).value == "阿杰")
    slip_head = headers(values, strip - 1)
    jie = report.result.agent("阿杰")
    assert values.cell(strip, slip_head["社保个人"]).value == 321.5
    assert values.cell(strip, slip_head["实发工资"]).value == excel_round(jie.net - 321.5, 2)


# --------------------------------------------------------------------------- 趋势


def test_trend_tables_show_three_months_of_every_agent_from_the_history(demo):
    path, report = demo("B")
    ws = openpyxl.load_workbook(path)["趋势"]
    history = {(row[0], row[1]): row for row in openpyxl.load_workbook(path)["考核历史"].iter_rows(min_row=2, values_only=True)}
    ranked = [r.agent.name for r in sorted(report.result.agents, key=lambda r: (r.rank, r.agent.name))]
    sections = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value in ("总分", "排名", "绩效工资")}
    assert list(sections) == ["总分", "排名", "绩效工资"]
    for figure, top in sections.items():
        head = [c.value for c in ws[top + 1]]
        assert head == ["月份", *ranked, {"总分": "团队平均", "排名": "人数", "绩效工资": "合计"}[figure]]
        months = [ws.cell(top + 2 + i, 1).value for i in range(3)]
        assert months == list(MONTHS) and ws.cell(top + 5, 1).value is None
        index = {"总分": 2, "排名": 3, "绩效工资": 5}[figure]
        for i, month in enumerate(MONTHS):
            row = [ws.cell(top + 2 + i, j).value for j in range(2, len(ranked) + 2)]
            assert row == [history[(month, a)][index] for a in ranked], (figure, month)
            team = ws.cell(top + 2 + i, len(ranked) + 2).value
            month_rows = [h for (m, _), h in history.items() if m == month]
            assert team == {"总分": excel_round(sum(h[2] for h in month_rows) / len(month_rows), 2),
                            "排名": len(month_rows),
                            "绩效工资": excel_round(sum(h[5] for h in month_rows), 2)}[figure]
    # October's 总分 row is the engine's; the team average of October: B demo
    october = [ws.cell(sections["总分"] + 4, j).value for j in range(2, len(ranked) + 2)]
    assert october == [report.result.agent(a).total for a in ranked]
    assert ws.cell(sections["总分"] + 4, len(ranked) + 2).value == 58.57


def test_trend_line_charts_one_line_per_agent_months_along_the_bottom(demo):
    path, report = demo("B")
    n = len(report.result.agents)
    with zipfile.ZipFile(path) as z:
        charts = [z.read(name).decode() for name in z.namelist() if name.startswith("xl/charts/chart")]
    lines = [c for c in charts if "<c:lineChart>" in c]
    assert len(lines) == 2
    for xml in lines:
        assert xml.count("<c:ser>") == n and xml.count('<c:symbol val="circle"/>') == n
        assert "'趋势'!$A$" in xml and '<c:dispBlanksAs val="gap"/>' in xml
    assert {re.search(r'<c:min val="([\d.]+)"/>', c).group(1) for c in lines} == {"30", "300"}  # lowest 44, 400
    ws = openpyxl.load_workbook(path)["趋势"]
    assert ws.page_setup.orientation == "landscape" and len(ws.row_breaks.brk) == 2


def test_a_line_chart_part_and_its_live_rendering():
    chart = Chart("line", "总分", "A8", 1, [ChartSeries("小美", 2, 3, 5), ChartSeries("阿杰", 3, 3, 5)], y_min=30)
    xml = chart_xml(chart, "趋势")
    assert re.search(r'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/><c:ser>', xml)
    assert "<c:smooth val=\"0\"/></c:ser>" in xml and "<c:legend>" in xml
    assert '<c:scaling><c:orientation val="minMax"/><c:min val="30"/></c:scaling>' in xml
    from xlreports.layout.spec import SheetSpec

    spec = SheetSpec("趋势")
    for r, (m, a, b) in enumerate((("2026-08", 60, 70), ("2026-09", 65, None), ("2026-10", 70, 68)), start=3):
        spec.set(r, 1, m), spec.set(r, 2, a), spec.set(r, 3, b)
    spec.charts.append(chart)
    spec.hidden_cols = {4}
    spec.col_widths[4] = 12
    book = fx.Book("t.xlsx", sheets=("趋势",))
    render_sheet(book._sheet("趋势"), spec)
    live = book._sheet("趋势")._charts[0]
    assert live._type == "line_markers" and [s._name for s in live._series] == ["小美", "阿杰"]
    assert live._value_axis._minimum == 30 and live._categories == "A3:A5"
    assert book._sheet("趋势")._col_widths[4] == 0  # hidden the way Excel hides a column


# --------------------------------------------------------------------------- protection, English


def test_protect_covers_payslips_and_trend_and_keeps_payroll_inputs_typable(tmp_path):
    path = tmp_path / "shop.xlsx"
    build_sample(path)
    assert main(["appraise", str(path), "--month", "2026-10", "--protect", "--no-backup"]) == 0
    wb = openpyxl.load_workbook(path)
    for name in ("工资条", "趋势", "工资表"):
        assert wb[name].protection.sheet, name
    for name in ("工资条", "趋势"):
        assert not [c.coordinate for row in wb[name].iter_rows() for c in row if c.protection.locked is False]
    ws = wb["工资表"]
    head = headers(ws, 2)
    typed = {h for h, j in head.items() if ws.cell(3, j).protection.locked is False}
    assert typed == {"奖金", "事假扣款", "迟到扣款", "社保个人", "公积金个人", "其他扣款"}


def test_english_sheet_names_and_signature_labels(tmp_path, monkeypatch):
    # this tree's labels (an editable install may serve another checkout's templates folder)
    table = json.loads((Path(__file__).resolve().parents[1] / "templates" / "labels" / "en.json").read_text("utf-8"))
    monkeypatch.setattr(labels, "_table", lambda lang: {} if lang == "zh" else table)
    path = tmp_path / "shop.xlsx"
    build_sample(path)
    report = appraise(path, AppraiseOptions(month="2026-10", lang="en", backup=False))
    names = report.sheets
    assert names.index("Payslips") == names.index("Payroll") + 1 and names.index("Trend") == names.index("Payslips") + 1
    spec = report.book.sheet("Payroll")
    assert {"Prepared by", "Checked by", "Approved by"} <= {c.value for c in spec.cells.values()}
    slips = report.book.sheet("Payslips")
    assert slips.cells[(3, 1)].value == "Agent" and "'Payroll'!" in slips.cells[(4, 3)].formula
