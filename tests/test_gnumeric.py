"""A second, independent spreadsheet program: Gnumeric opens what we write and computes what the engine computes.

LibreOffice is tested in test_appraise.py and test_libreoffice.py; Gnumeric reads the file on its
own terms (a cell without its reference was misplaced or dropped) and has its own function library
(its N() of an empty cell is #NUM!). Here:

* the harness (tests/gnumeric.py) really recalculates;
* every formula cell of the sample after three months, schemes A and B, forms as tabs and as one
  sheet, equals the engine's value once Gnumeric has recalculated a copy whose cached values were
  poisoned (so each value compared was computed by Gnumeric);
* every row and cell of every worksheet of the sample (appraisal and customer archive) carries its
  reference, and every value of every sheet reads back from Gnumeric's copy as openpyxl reads ours.
"""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from formula_check import POISON, assert_all_equal, poisoned
from gnumeric import available, recalculate
from sheet_refs import reference_problems, worksheet_parts
from xlreports.excel.write.xlsx.sheet import MIN_POLARS_ROWS
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.jobs.archive import ArchiveOptions, archive
from xlreports.samples import build_order_exports, build_sample

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl on files it did not write

MONTHS = ("2026-08", "2026-09", "2026-10")
ARCHIVE_TABS = ("会员规则", "客户档案", "会员分层", "客户分群", "关怀提醒", "售后登记", "会员等级历史", "导入报告")


@pytest.fixture(scope="session")
def ssconvert() -> str:
    return available()


# --------------------------------------------------------------------------- the harness


def test_recalculates_and_replaces_a_stale_cached_value(ssconvert, tmp_path):
    src = tmp_path / "stale.xlsx"
    book = xlsxwriter.Workbook(str(src))
    sheet = book.add_worksheet("计算")
    sheet.write("A1", 2)
    sheet.write("A2", 3)
    sheet.write_formula("A3", "=A1*A2", None, 999)
    sheet.write_formula("B1", '=IF(A1>=2,"高","低")', None, "旧")
    sheet.write_formula("C1", "=INDEX(A1:A2,MATCH(3,A1:A2,0))", None, 0)
    person = book.add_worksheet("考核表-张三")
    person.write_formula("A1", "='计算'!A3*2", None, 0)
    book.close()
    out = recalculate(src, tmp_path)
    assert out.name == "stale.gnumeric.xlsx" and recalculate(src, tmp_path).name == "stale.gnumeric-2.xlsx"
    wb = openpyxl.load_workbook(out, data_only=True)
    assert [wb["计算"][a].value for a in ("A3", "B1", "C1")] == [6, "高", 3]
    assert wb["考核表-张三"]["A1"].value == 12


def test_unloadable_or_missing_file_raises(ssconvert, tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 2000)  # a zip header, then nothing
    for name, error, message in (("bad.xlsx", RuntimeError, "did not produce"), ("gone.xlsx", FileNotFoundError, "")):
        with pytest.raises(error, match=message):
            recalculate(tmp_path / name, tmp_path / "out")
    assert not list((tmp_path / "out").glob("*"))  # nothing half-written left behind


# --------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """run(scheme, forms) → (path, report of 2026-10): the sample appraised for 2026-08..10."""
    src = build_sample(tmp_path_factory.mktemp("sample") / "shop_sample.xlsx")
    done: dict[tuple[str, str], tuple[Path, object]] = {}

    def run(scheme: str, forms: str):
        if (scheme, forms) not in done:
            path = tmp_path_factory.mktemp(f"gnm-{scheme}-{forms}") / "shop.xlsx"
            shutil.copyfile(src, path)
            reports = [appraise(path, AppraiseOptions(month=m, scheme=scheme, forms=forms, backup=False))
                       for m in MONTHS]
            done[(scheme, forms)] = (path, reports[-1])
        return done[(scheme, forms)]

    return run


@pytest.fixture(scope="module")
def demo_book(sample, tmp_path_factory) -> Path:
    """The demo workbook: the sample after three months (scheme A, tabs) and a customer archive."""
    path, _ = sample("A", "tabs")
    book = tmp_path_factory.mktemp("demo") / "shop.xlsx"
    shutil.copyfile(path, book)
    exports = build_order_exports(tmp_path_factory.mktemp("orders"))
    archive(book, ArchiveOptions(orders=exports, today=date(2026, 11, 23), backup=False))
    return book


@pytest.mark.parametrize("forms", ["tabs", "single"])
@pytest.mark.parametrize("scheme", ["A", "B"])
def test_every_formula_equals_the_engine_after_gnumeric_recalculates(sample, ssconvert, tmp_path, scheme, forms):
    path, report = sample(scheme, forms)
    copy, count = poisoned(path, tmp_path / "poisoned")
    out = recalculate(copy, tmp_path)
    compared = assert_all_equal(report.book, out, "Gnumeric")
    assert compared > 1000
    assert count == compared  # every formula was poisoned, so Gnumeric computed each value compared
    values = openpyxl.load_workbook(out, data_only=True)
    assert not [c.coordinate for ws in values.worksheets for row in ws.iter_rows() for c in row
                if c.value == float(POISON)]


def test_every_row_and_cell_of_every_worksheet_carries_its_reference(demo_book):
    parts = worksheet_parts(demo_book)
    assert len(parts) == 35  # + 首页, 工资条, 趋势 (issue 9), 关怀记录 (issue 11)
    total = 0
    for name, xml in parts.items():
        cells, problems = reference_problems(xml)
        assert not problems, f"{name}: {len(problems)} problems, first {problems[:5]}"
        total += cells
    assert total > 10_000
    # the archive's big tables went through the bulk (polars) path, where references were missing
    archive_rows = openpyxl.load_workbook(demo_book, read_only=True)["客户档案"].max_row
    assert archive_rows > MIN_POLARS_ROWS


def test_every_value_of_every_sheet_reads_back_the_same_from_gnumeric(demo_book, ssconvert, tmp_path):
    """Archive tabs included: Gnumeric keeps every cell where we put it (formulas: compared above)."""
    ours = openpyxl.load_workbook(demo_book)
    theirs = openpyxl.load_workbook(recalculate(demo_book, tmp_path))
    assert theirs.sheetnames == ours.sheetnames
    assert set(ARCHIVE_TABS) <= set(ours.sheetnames)
    counted = dict.fromkeys(ARCHIVE_TABS, 0)
    for ws in ours.worksheets:
        other = theirs[ws.title]
        for row in ws.iter_rows():
            for c in row:
                if c.value is None or c.data_type == "f":
                    continue
                assert other[c.coordinate].value == c.value, f"{ws.title}!{c.coordinate}"
                if ws.title in counted:
                    counted[ws.title] += 1
        assert other.max_row == ws.max_row and other.max_column == ws.max_column, ws.title
    assert counted["客户档案"] > 2000 and counted["客户分群"] > 1000 and counted["会员等级历史"] > 500
