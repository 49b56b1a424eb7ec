"""Typed scores in 客服数据 (issue 9, part 7): a supervisor score pre-filled in the data as "4分" is read as
the number, as on a form, with a warning naming the data cell ("３" and " 5 " are numbers already); the form shows the number
and the next run still takes a changed data value (the pre-fill is remembered as the number). Text that is
no score, and text in a numeric export column, stop the run with a located error, the file unchanged."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from xlreports.errors import InputErrors
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.samples import build_sample

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
MONTH = "2026-10"


def _typed(path: Path, typed: dict[tuple[str, str], object]) -> dict[tuple[str, str], str]:
    """Type ``typed`` ((agent, column) → value) into 客服数据's 2026-10 rows; returns their cells."""
    wb = openpyxl.load_workbook(path)
    ws = wb["客服数据"]
    head = {ws.cell(4, c).value: c for c in range(1, ws.max_column + 1)}
    cells = {}
    for (agent, column), value in typed.items():
        row = next(r for r in range(5, ws.max_row + 1)
                   if ws.cell(r, 1).value == agent and ws.cell(r, head["月份"]).value == MONTH)
        ws.cell(row, head[column]).value = value
        cells[(agent, column)] = ws.cell(row, head[column]).coordinate
    wb.save(path)
    return cells


def _form_score(path: Path, agent: str, kpi: str):
    ws = openpyxl.load_workbook(path)[f"考核表-{agent}"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == kpi)
    return ws.cell(row, 6).value


def test_typed_scores_in_the_data_read_as_numbers_with_a_warning_by_cell(tmp_path):
    book = build_sample(tmp_path / "shop.xlsx")
    cells = _typed(book, {("小美", "工作态度"): "4分", ("阿杰", "工作态度"): "３", ("糖糖", "工作态度"): " 5 ",
                          ("木子", "工作态度"): "3"})
    report = appraise(book, AppraiseOptions(month=MONTH, backup=False))
    assert {a: report.result.agent(a).kpis["工作态度"].score for a in ("小美", "阿杰", "糖糖", "木子")} == \
        {"小美": 4, "阿杰": 3, "糖糖": 5, "木子": 3}
    said = [str(w) for w in report.warnings if "读作" in w.message]
    # "３", " 5 " and "3" the reader reads as numbers, as in every number column (full-width digits and
    # spaces are how a number is typed, not a unit): only "4分" needed reading as a score
    assert said == [f"客服数据!{cells[('小美', '工作态度')]}: 「工作态度」填写的「4分」读作 4"]
    assert [_form_score(book, a, "工作态度") for a in ("小美", "阿杰", "糖糖")] == [4, 3, 5]
    _typed(book, {("小美", "工作态度"): 2})  # the data changes: the form was not typed on, so it follows
    again = appraise(book, AppraiseOptions(month=MONTH, backup=False))
    assert again.result.agent("小美").kpis["工作态度"].score == 2 and _form_score(book, "小美", "工作态度") == 2
    assert not [w for w in again.warnings if "读作" in w.message and "小美" in str(w)]


def test_typed_score_warning_in_english(tmp_path):
    book = build_sample(tmp_path / "shop.xlsx")
    cell = _typed(book, {("小美", "工作态度"): "4分"})[("小美", "工作态度")]
    report = appraise(book, AppraiseOptions(month=MONTH, lang="en", backup=False))
    front = openpyxl.load_workbook(book)["Overview"]
    shown = {front.cell(r, 1).value for r in range(1, front.max_row + 1)}
    assert f'客服数据!{cell}: Attitude: "4分" read as 4' in shown
    assert report.result.agent("小美").kpis["工作态度"].score == 4


@pytest.mark.parametrize("column, typed, message", [
    ("工作态度", "优", "「工作态度」应为分数（数字，如 8 或 8.5）"),  # no score in it
    ("询单人数", "9分", "应为数字"),  # a numeric export column stays strict
])
def test_text_that_is_no_number_stops_the_run_by_cell_and_writes_nothing(tmp_path, column, typed, message):
    book = build_sample(tmp_path / "shop.xlsx")
    cell = _typed(book, {("小美", column): typed})[("小美", column)]
    before = book.read_bytes()
    with pytest.raises(InputErrors) as e:
        appraise(book, AppraiseOptions(month=MONTH, backup=False))
    assert [(p.sheet, p.cell, p.found) for p in e.value.problems] == [("客服数据", cell, typed)]
    assert e.value.problems[0].message.startswith(message)
    assert book.read_bytes() == before
