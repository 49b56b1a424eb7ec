"""--protect: every computed sheet is protected without a password, so a formula can't be overtyped by
accident; input (yellow, unlocked) cells stay typable; sorting, filtering and formatting stay allowed.
Written by the zip writer (a sheetProtection element) and the live writer (Worksheet.Protect)."""
from __future__ import annotations

import shutil
import zipfile
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as etree

import openpyxl
import pytest

import fake_xlwings as fx
from libreoffice import recalculate
from xlreports.cli import main
from xlreports.excel.write.live import render_sheet
from xlreports.excel.write.live.page import PROTECT_OPTIONS
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.jobs.archive import ArchiveOptions, archive
from xlreports.layout.spec import INPUT, SheetSpec
from xlreports.samples import build_order_exports, build_sample

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
ALLOWED = {"formatCells", "formatColumns", "formatRows", "sort", "autoFilter"}  # "0": allowed when protected


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    """The sample appraised for 2026-10 with --protect, then archived with --protect."""
    path = tmp_path_factory.mktemp("protect") / "shop.xlsx"
    build_sample(path)
    assert main(["appraise", str(path), "--month", "2026-10", "--protect", "--no-backup"]) == 0
    archive(path, ArchiveOptions(orders=build_order_exports(tmp_path_factory.mktemp("orders")),
                                 today=date(2026, 11, 23), backup=False, protect=True))
    return path


def protection_elements(path: Path) -> dict[str, dict[str, str] | None]:
    """sheet name → the attributes of its sheetProtection element (None: not protected)."""
    with zipfile.ZipFile(path) as z:
        wb = etree.fromstring(z.read("xl/workbook.xml"))
        rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target").lstrip("/").removeprefix("xl/") for r in rels}
        rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        out = {}
        for s in wb.iterfind("m:sheets/m:sheet", NS):
            el = etree.fromstring(z.read("xl/" + targets[s.get(rid)])).find("m:sheetProtection", NS)
            out[s.get("name")] = None if el is None else dict(el.attrib)
    return out


def test_computed_sheets_carry_a_password_free_protection_allowing_sort_filter_format(book):
    found = protection_elements(book)
    protected = {name for name, attrs in found.items() if attrs is not None}
    assert {"考核汇总", "工资表", "考核数据", "考核历史", "客户档案", "会员分层", "客户分群", "关怀提醒",
            "会员等级历史", "导入报告"} <= protected
    assert any(name.startswith("考核表") for name in protected)
    # inputs and rules people add rows to, and the data they paste, stay open
    assert not protected & {"客服数据", "客服名册", "考核方案", "会员规则", "售后登记"}
    for name in protected:
        attrs = found[name]
        assert attrs["sheet"] == "1" and {k for k, v in attrs.items() if v == "0"} == ALLOWED
        assert not {"password", "hashValue", "algorithmName"} & set(attrs)


def test_openpyxl_reads_the_protection_and_input_cells_stay_unlocked(book):
    wb = openpyxl.load_workbook(book)
    summary, payroll = wb["考核汇总"], wb["工资表"]
    assert summary.protection.sheet and payroll.protection.sheet and not summary.protection.password
    assert not summary.protection.sort and not summary.protection.autoFilter and not summary.protection.formatColumns
    yellow = [c for row in payroll.iter_rows() for c in row if c.fill.fgColor.rgb in ("00FFF2CC", "FFFFF2CC")]
    assert yellow and all(not c.protection.locked for c in yellow)  # 奖金 is typed
    formulas = [c for row in summary.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert formulas and all(c.protection.locked for c in formulas)
    assert not wb["考核方案"].protection.sheet


def test_libreoffice_opens_and_keeps_the_protection(book, soffice, tmp_path):
    copy = tmp_path / "shop.xlsx"
    shutil.copyfile(book, copy)
    wb = openpyxl.load_workbook(recalculate(copy, tmp_path))
    assert wb["考核汇总"].protection.sheet and wb["工资表"].protection.sheet
    assert not wb["考核方案"].protection.sheet


def test_without_the_option_nothing_is_protected(tmp_path):
    path = build_sample(tmp_path / "shop.xlsx")
    appraise(path, AppraiseOptions(month="2026-10", backup=False))
    assert all(attrs is None for attrs in protection_elements(path).values())


def test_the_live_writer_protects_through_com_and_reports_elsewhere():
    spec = SheetSpec("考核汇总", protect=True)
    spec.set(1, 1, 5, formula="=2+3")
    spec.set(1, 2, None, style=INPUT, input_key="x")
    sheet = fx.Book()._sheets[0]
    assert render_sheet(sheet, spec, com=True).skipped == []
    assert sheet._protection == PROTECT_OPTIONS and "Password" not in sheet._protection
    other = fx.Book()._sheets[0]
    assert "保护工作表：仅 Windows" in render_sheet(other, spec, com=False).skipped
    assert other._protection is None
    plain = fx.Book()._sheets[0]
    render_sheet(plain, SheetSpec("工资表"), com=True)
    assert plain._protection is None


# Sheets people add rows to (rules, the after-sales log) and the roster stay open; every other tab we
# write is protected, whoever's layout made it (首页, 工资条, 趋势 … are covered once they exist).
OPEN_SHEETS = {"考核方案", "会员规则", "售后登记", "客服名册"}


def test_every_generated_sheet_is_protected_with_only_its_input_cells_open(book):
    from demo_books import generated

    found = protection_elements(book)
    wb = openpyxl.load_workbook(book)
    tabs = [t for t in generated(wb) if wb[t].sheet_state == "visible"]
    assert len(tabs) >= 20
    for title in tabs:
        ws = wb[title]
        if title in OPEN_SHEETS:
            assert found[title] is None, title
            continue
        attrs = found[title]
        assert attrs is not None and attrs["sheet"] == "1" and not {"password", "hashValue"} & set(attrs), title
        cells = [c for row in ws.iter_rows() for c in row]
        yellow = [c for c in cells if c.fill.fill_type == "solid" and c.fill.fgColor.rgb in ("00FFF2CC", "FFFFF2CC")]
        assert all(not c.protection.locked for c in yellow), (title, [c.coordinate for c in yellow
                                                                     if c.protection.locked][:5])
        formulas = [c for c in cells if isinstance(c.value, str) and c.value.startswith("=")]
        assert all(c.protection.locked for c in formulas), title
        # what is open is an input: yellow, or a cell of a typed column people fill in
        opened = [c for c in cells if not c.protection.locked and c.value is not None and c not in yellow]
        assert all(not (isinstance(c.value, str) and c.value.startswith("=")) for c in opened), title


def test_the_english_book_is_protected_alike(tmp_path):
    path = build_sample(tmp_path / "shop.xlsx")
    assert main(["appraise", str(path), "--month", "2026-10", "--lang", "en", "--protect", "--no-backup"]) == 0
    found = protection_elements(path)
    assert {"Summary", "Payroll", "Data", "考核历史"} <= {n for n, a in found.items() if a is not None}
    assert found["考核方案"] is None
