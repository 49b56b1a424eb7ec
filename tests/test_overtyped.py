"""A formula someone typed over is reported by cell, not silently restored; typed input survives rows and
columns inserted in 工资表 and a sort (issue 8, item 2).

The edits are made by LibreOffice through UNO (tests/office_ops.py) and saved as .xlsx, as a user
would; the month is then re-run through the command line, whose output must name each cell.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from office_ops import perform
from fake_xlwings import book_from_openpyxl
from test_typed_input import input_cell
from xlreports.a1 import addr, split_cell
from xlreports.cli import main
from xlreports.excel.read.formula_cells import read_formulas
from xlreports.excel.read.live import XlwingsRows
from xlreports.excel.read.source import WorkbookRows
from xlreports.jobs.appraise import AppraiseOptions, appraise, plan_appraisal
from xlreports.layout.spec import WorkbookSpec

ROOT = Path(__file__).resolve().parents[1]
MAKE_SAMPLE = ROOT / "samples" / "make_sample.py"
AGENT, OTHER, MONTH = "小美", "果果", "2026-10"
OVERTYPED = "是按考核方案计算的公式"

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def figure_cell(book: WorkbookSpec, sheet: str, row_label: str, header: str) -> tuple[str, object]:
    """(address, engine value) of the generated cell in the row labelled ``row_label`` (column A) under
    the header ``header`` of ``sheet`` in the sheets a run wrote."""
    spec = book.sheet(sheet)
    head = [(r, c) for (r, c), cell in spec.cells.items() if cell.value == header]
    row = [r for (r, c), cell in spec.cells.items() if c == 1 and cell.value == row_label]
    assert head and len(row) == 1, (sheet, row_label, header)
    col = head[0][1]
    cell = spec.cells[(row[0], col)]
    assert cell.formula, (sheet, row_label, header)
    return addr(row[0], col), cell.value


@pytest.fixture(scope="module")
def october(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("overtyped") / "shop.xlsx"
    subprocess.run([sys.executable, str(MAKE_SAMPLE), str(path)], check=True, capture_output=True, timeout=60)
    appraise(path, AppraiseOptions(month=MONTH, backup=False))
    return path


@pytest.fixture
def book(october, tmp_path) -> Path:
    target = tmp_path / "shop.xlsx"
    shutil.copyfile(october, target)
    return target


def run_cli(path: Path, capsys) -> str:
    assert main(["appraise", str(path), "--month", MONTH, "--no-backup"]) == 0
    return capsys.readouterr().out


def rerun(path: Path):
    return appraise(path, AppraiseOptions(month=MONTH, backup=False))


def test_numbers_typed_over_formulas_are_reported_by_cell_and_the_figures_rewritten(book, soffice, uno_python,
                                                                                     capsys):
    first = rerun(book)
    form = f"考核表-{AGENT}"
    score_cell, score = figure_cell(first.book, form, "响应时间", "得分")
    pay_cell, pay = figure_cell(first.book, "工资表", AGENT, "绩效工资")
    assert score != 7 and pay != 9999
    perform(book, [{"op": "set", "sheet": form, "cell": score_cell, "value": 7},
                   {"op": "set", "sheet": "工资表", "cell": pay_cell, "value": 9999}])
    assert read_formulas(book, form).get(split_cell(score_cell)) is None  # LibreOffice saved a number there

    out = run_cli(book, capsys)
    assert f"{form}!{score_cell}: 「{AGENT}」的「响应时间」的「得分」{OVERTYPED}，被改成了数值 7；" \
           f"本次已恢复公式，重新计算为 {score:g}。" in out
    assert f"工资表!{pay_cell}: 「{AGENT}」的「绩效工资」{OVERTYPED}，被改成了数值 9999；" \
           f"本次已恢复公式，重新计算为 {pay:g}。" in out
    assert out.count(OVERTYPED) == 2  # nothing else was typed over
    # the formulas are back, and LibreOffice recalculating them gets the engine's figures
    wb = openpyxl.load_workbook(book)
    assert str(wb[form][score_cell].value).startswith("=")
    assert str(wb["工资表"][pay_cell].value).startswith("=")
    got = perform(book, [{"op": "get", "sheet": form, "cell": score_cell},
                         {"op": "get", "sheet": "工资表", "cell": pay_cell}], out=book.with_name("lo.xlsx"))
    assert got == [pytest.approx(score), pytest.approx(pay)]
    report = rerun(book)
    assert report.result.agent(AGENT).kpis["响应时间"].score == score
    assert report.result.agent(AGENT).perf_pay == pay
    assert not [w for w in report.warnings if OVERTYPED in w.message]  # reported once, then restored


def test_payroll_inputs_follow_their_agents_after_rows_and_columns_are_inserted_and_the_sheet_sorted(
        book, soffice, uno_python):
    first = rerun(book)
    n = len(first.result.agents)
    typed = {AGENT: 300, OTHER: -150}  # a bonus, and a deduction typed as a negative 奖金
    cells = {a: input_cell(first.book, f"{MONTH}|{a}|奖金")[1] for a in typed}
    bonus_col = split_cell(cells[AGENT])[1]
    # a row above the header and a column before 奖金: 奖金 moves one right and one down
    moved = {a: addr(split_cell(c)[0] + 1, bonus_col + 1) for a, c in cells.items()}
    perform(book, [{"op": "insert_rows", "sheet": "工资表", "at": 1, "count": 1},
                   {"op": "insert_cols", "sheet": "工资表", "at": bonus_col, "count": 1},
                   *[{"op": "set", "sheet": "工资表", "cell": moved[a], "value": v} for a, v in typed.items()],
                   {"op": "sort", "sheet": "工资表", "range": f"A4:M{3 + n}", "by": 0, "descending": True}])
    sheet = openpyxl.load_workbook(book, data_only=True)["工资表"]
    rows = {sheet.cell(r, 1).value: r for r in range(4, 4 + n)}
    assert rows[AGENT] != split_cell(moved[AGENT])[0]  # the sort moved her row
    assert sheet.cell(rows[AGENT], bonus_col + 1).value == 300

    report = rerun(book)
    for agent, value in typed.items():
        assert report.result.agent(agent).bonus == value, agent
        assert input_cell(report.book, f"{MONTH}|{agent}|奖金")[2] == value, agent
    untouched = [r.agent.name for r in report.result.agents if r.agent.name not in typed]
    assert all(report.result.agent(a).bonus == 0 for a in untouched)
    assert report.result.agent(AGENT).gross == pytest.approx(first.result.agent(AGENT).gross + 300)
    assert not [w for w in report.warnings if OVERTYPED in w.message]  # moved formulas are still formulas


def test_a_formula_typed_into_an_input_cell_keeps_the_value_it_shows_and_is_noted(book, soffice, uno_python,
                                                                                  capsys):
    first = rerun(book)
    sheet, cell, _ = input_cell(first.book, f"{MONTH}|{AGENT}|奖金")
    perform(book, [{"op": "formula", "sheet": sheet, "cell": cell, "formula": "=100+50"}])
    out = run_cli(book, capsys)
    assert f"{sheet}!{cell}: 「{AGENT}」的「奖金」填的是公式 =100+50：本次按它显示的值 150 计算，并写回为数值 150" in out
    report = rerun(book)
    assert report.result.agent(AGENT).bonus == 150
    assert input_cell(report.book, f"{MONTH}|{AGENT}|奖金")[2] == 150
    assert openpyxl.load_workbook(book)[sheet][cell].value == 150  # a value now, not the formula
    assert not [w for w in report.warnings if "填的是公式" in w.message]


def test_the_live_reader_sees_formulas_and_a_typed_over_figure(october):
    """The add-in's path: an Excel book (the fake) read through XlwingsRows, planned without writing."""
    xl = book_from_openpyxl(october)
    with WorkbookRows(october) as wb:
        first = plan_appraisal(wb, AppraiseOptions(month=MONTH), shop=october.stem)
    cell, score = figure_cell(first.book, f"考核表-{AGENT}", "工作任务", "加权得分")
    sheet = next(s for s in xl.sheets if s.name == f"考核表-{AGENT}")
    rows = XlwingsRows(xl)
    assert split_cell(cell) in rows.formulas(sheet.name)
    sheet.range(cell).value = 3
    assert split_cell(cell) not in XlwingsRows(xl).formulas(sheet.name)
    report = plan_appraisal(XlwingsRows(xl), AppraiseOptions(month=MONTH), shop=october.stem)
    found = [str(w) for w in report.warnings if OVERTYPED in w.message]
    assert found == [f"考核表-{AGENT}!{cell}: 「{AGENT}」的「工作任务」的「加权得分」{OVERTYPED}，被改成了数值 3；"
                     f"本次已恢复公式，重新计算为 {score:g}。如需调整，请在黄色格子（主管评分、考勤记录、奖金）里填写"]


def test_formula_cells_are_found_in_sheet_xml_without_cell_references(tmp_path):
    """Rows and cells written without r= (some programs do) are placed by their order."""
    path = tmp_path / "a.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "工资表"
    ws["A1"], ws["B1"], ws["A2"], ws["C2"] = "客服", "=1+1", "小美", "=SUM(A1:B1)"
    wb.save(path)
    assert read_formulas(path, "工资表") == {(1, 2): "=1+1", (2, 3): "=SUM(A1:B1)"}
    bare = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bare, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                import re
                data = re.sub(rb'<(row|c) r="[A-Z0-9]+"', rb"<\1", data)
                assert b' r="' not in data.split(b"<sheetData>")[1]
            dst.writestr(item, data)
    # without r=, C2's place is the cell after A2: B2 (a writer leaving out r= writes every cell)
    assert read_formulas(bare, "工资表") == {(1, 2): "=1+1", (2, 2): "=SUM(A1:B1)"}
