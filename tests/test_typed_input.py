"""Typed input by identity: what people do between runs, done by LibreOffice, keeps each typed value
with its agent and field (issue 8, item 2).

Each test types in a real spreadsheet program (tests/office_ops.py), saves as .xlsx, re-runs the
month and reads the result back by (month, agent, field) — never by the old address.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from office_ops import perform
from xlreports.cli import main
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.layout.spec import WorkbookSpec
from xlreports.a1 import addr

ROOT = Path(__file__).resolve().parents[1]
MAKE_SAMPLE = ROOT / "samples" / "make_sample.py"
AGENT, OTHER = "小美", "果果"

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def input_cell(book: WorkbookSpec, key: str) -> tuple[str, str, object]:
    """(sheet, address, value) of the one cell written for input ``key``."""
    found = [(s.name, addr(r, c), cell.value) for s in book.sheets for (r, c), cell in s.cells.items()
             if cell.input_key == key]
    assert len(found) == 1, key
    return found[0]


@pytest.fixture(scope="module")
def october(tmp_path_factory) -> Path:
    """The sample workbook after its 2026-10 run (earlier months appraised for the history)."""
    path = tmp_path_factory.mktemp("typed") / "shop.xlsx"
    subprocess.run([sys.executable, str(MAKE_SAMPLE), str(path)], check=True, capture_output=True, timeout=60)
    for month in ("2026-09", "2026-10"):
        appraise(path, AppraiseOptions(month=month, backup=False))
    return path


@pytest.fixture
def book(october, tmp_path) -> Path:
    target = tmp_path / "shop.xlsx"
    shutil.copyfile(october, target)
    return target


def rerun(path: Path, month: str = "2026-10"):
    return appraise(path, AppraiseOptions(month=month, backup=False))


def test_bonus_typed_in_payroll_follows_its_agent_after_a_sort(book, soffice, uno_python):
    first = rerun(book)
    sheet, cell, _ = input_cell(first.book, f"2026-10|{AGENT}|奖金")
    n = len(first.result.agents)
    perform(book, [{"op": "set", "sheet": sheet, "cell": cell, "value": 300},
                   {"op": "sort", "sheet": sheet, "range": f"A3:L{2 + n}", "by": 0, "descending": True}])
    report = rerun(book)
    assert report.result.agent(AGENT).bonus == 300
    assert report.result.agent(OTHER).bonus == 0
    assert input_cell(report.book, f"2026-10|{AGENT}|奖金")[2] == 300
    assert input_cell(report.book, f"2026-10|{OTHER}|奖金")[2] in (None, 0)


def test_score_typed_after_rows_inserted_on_a_form_stays_in_its_field(book, soffice, uno_python):
    before = rerun(book)
    sheet, cell, _ = input_cell(before.book, f"2026-10|{AGENT}|工作任务")
    row = int(cell[1:]) + 2  # two rows inserted above: the field is two rows lower now
    perform(book, [{"op": "insert_rows", "sheet": sheet, "at": 1, "count": 2},
                   {"op": "insert_cols", "sheet": sheet, "at": 1, "count": 1},
                   {"op": "set", "sheet": sheet, "cell": f"{chr(ord(cell[0]) + 1)}{row}", "value": 3}])
    report = rerun(book)
    kpis = report.result.agent(AGENT).kpis
    assert kpis["工作任务"].score == 3
    assert kpis["响应时间"].value == before.result.agent(AGENT).kpis["响应时间"].value
    assert input_cell(report.book, f"2026-10|{AGENT}|工作任务")[2] == 3


def test_typed_scores_survive_the_loss_of_the_bookkeeping_sheet(book, soffice, uno_python):
    before = rerun(book)
    typed = {"工作态度": 1, "迟到早退次数": 4, "考核人员": "王主管"}
    actions = [{"op": "set", "sheet": s, "cell": c, "value": typed[f]}
               for f in typed for s, c, _ in [input_cell(before.book, f"2026-10|{AGENT}|{f}")]]
    perform(book, actions + [{"op": "delete_sheet", "sheet": "_xlreports"}])
    report = rerun(book)
    for field, value in typed.items():
        assert input_cell(report.book, f"2026-10|{AGENT}|{field}")[2] == value, field
    assert report.result.agent(AGENT).kpis["工作态度"].score == 1
    # untouched pre-fills still follow the data, typed values of others are not invented
    assert input_cell(report.book, f"2026-10|{OTHER}|工作态度")[2] == \
        input_cell(before.book, f"2026-10|{OTHER}|工作态度")[2]
    assert "_xlreports" in openpyxl.load_workbook(book).sheetnames


def _rename_in_data(path: Path, month: str, old: str, new: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["客服数据"]
    cols = {c.value: c.column for row in ws.iter_rows(max_row=10) for c in row if c.value in ("客服", "月份")}
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, cols["客服"]).value == old and str(ws.cell(r, cols["月份"]).value) == month:
            ws.cell(r, cols["客服"]).value = new
    wb.save(path)


def test_an_agent_missing_from_one_run_keeps_her_typed_inputs_and_is_named(book, soffice, uno_python, capsys):
    before = rerun(book)
    typed = {"工作任务": 2, "备注": "十月请假两天"}
    perform(book, [{"op": "set", "sheet": s, "cell": c, "value": typed[f]}
                   for f in typed for s, c, _ in [input_cell(before.book, f"2026-10|{AGENT}|{f}")]])
    _rename_in_data(book, "2026-10", AGENT, "小媄")  # a typo in 客服数据
    assert main(["appraise", str(book), "--month", "2026-10", "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert f"客服「{AGENT}」不在 2026-10 的数据中" in out and "已保留为她填写的 2 项内容" in out
    _rename_in_data(book, "2026-10", "小媄", AGENT)  # fixed
    report = rerun(book)
    for field, value in typed.items():
        assert input_cell(report.book, f"2026-10|{AGENT}|{field}")[2] == value, field
    assert report.result.agent(AGENT).kpis["工作任务"].score == 2
