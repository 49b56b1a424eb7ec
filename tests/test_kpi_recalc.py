"""客服数据-聊天's spot-check averages (SUMPRODUCT over 聊天抽查's typed scores) recalculated by Gnumeric and by
LibreOffice equal the engine's figures: every formula cell of kpi's sheets, from caches poisoned first."""
from __future__ import annotations

import openpyxl
import pytest

import gnumeric
import libreoffice
from formula_check import assert_all_equal, poisoned
from xlreports.excel.read.source import WorkbookRows
from xlreports.jobs.kpi import KpiOptions, kpi, plan_kpi
from xlreports.jobs.kpi_rows import COLUMNS
from xlreports.layout.spec import WorkbookSpec
from xlreports.samples_chats import build_chat_samples

SCORES = {"小美": ([8, 9], [10]), "阿杰": ([7, "好"], [6, 5])}  # person → (应答时间, 服务态度); text is no score
EXPECTED = {"小美": (8.5, 10), "阿杰": (7, 5.5), "Sunny": (None, None)}


@pytest.fixture(scope="module")
def scored_book(tmp_path_factory):
    """A kpi book whose 聊天抽查 holds typed scores, re-run so the cached averages are the engine's; its spec."""
    tmp = tmp_path_factory.mktemp("kpi-recalc")
    files = build_chat_samples(tmp / "chats")
    book = tmp / "店铺.xlsx"
    opts = KpiOptions(chats=[files["table"]], orders=[files["orders"]], backup=False)
    kpi(book, opts)
    wb = openpyxl.load_workbook(book)
    ws = wb["聊天抽查"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "客服")
    cols = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1)}
    for person, (answer, manner) in SCORES.items():
        rows = [r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 1).value == person]
        for r, v in zip(rows, answer):
            ws.cell(r, cols["应答时间"], v)
        for r, v in zip(rows, manner):
            ws.cell(r, cols["服务态度"], v)
    wb.save(book)
    kpi(book, opts)
    with WorkbookRows(book) as rows:
        _, sheets = plan_kpi(rows, opts)
    return book, WorkbookSpec(sheets)


def _averages(path) -> dict[str, tuple]:
    ws = openpyxl.load_workbook(path, data_only=True)["客服数据-聊天"]
    a, m = COLUMNS.index("应答时间抽查") + 1, COLUMNS.index("服务态度抽查") + 1
    return {ws.cell(r, 1).value: tuple(ws.cell(r, c).value if ws.cell(r, c).value != "" else None for c in (a, m))
            for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value in EXPECTED}


def test_engine_caches_the_typed_scores_averages(scored_book):
    book, spec = scored_book
    assert _averages(book) == EXPECTED
    formulas = [c.formula for s in spec.sheets if s.name == "客服数据-聊天" for c in s.cells.values() if c.formula]
    assert len(formulas) >= 2 * len(EXPECTED) and all("SUMPRODUCT" in f for f in formulas)


@pytest.mark.parametrize("program", ["Gnumeric", "LibreOffice"])
def test_spot_check_averages_recalculated_equal_the_engine(scored_book, tmp_path, program):
    book, spec = scored_book
    if program == "Gnumeric":
        gnumeric.available()
        recalc = gnumeric.recalculate
    else:
        if libreoffice.soffice_path() is None:
            pytest.skip("LibreOffice (soffice) not found")
        recalc = libreoffice.recalculate
    copy, count = poisoned(book, tmp_path / "poisoned")  # the cells with a number cached (a blank caches no <v>)
    formulas = [c for s in spec.sheets for c in s.cells.values() if c.formula]
    assert count == sum(isinstance(c.value, (int, float)) for c in formulas) == 4
    out = recalc(copy, tmp_path / "out")
    assert assert_all_equal(spec, out, program) == len(formulas)
    assert _averages(out) == EXPECTED
