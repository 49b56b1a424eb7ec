"""Staff data kept exactly (issue 8, item 5): what people type into 客户档案 comes back from every
rebuild with the same value, the same type and (for dates) the same number format — whatever
the column's length or mix — and a duplicated buyer row or a renamed 买家会员名 header never
loses it silently.

The workbooks are real files: the archive job writes them, openpyxl types into them as staff
would in Excel, the job rebuilds them (twice), openpyxl reads them back.
"""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

import fake_xlwings as fx
from libreoffice import recalculate
from test_archive import order, write_xlsx
from xlreports.errors import InputErrors
from xlreports.excel.read.live import XlwingsRows
from xlreports.excel.read.source import WorkbookRows
from xlreports.jobs.archive import ArchiveOptions, archive

TODAY = dt.date(2026, 11, 23)
N_BUYERS = 1_200  # more than fastexcel's 1,000 sample rows


def buyer(i: int) -> str:
    return f"tb_{i:04d}"


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("staff-exports")
    rows = [order(i, buyer(i), f"{100 + i % 50}.00", created="2026-10-05 12:30:45", paid="2026-10-05 12:31:02")
            for i in range(N_BUYERS)]
    return write_xlsx(folder / "ExportOrderList202610.xlsx", rows)


def run(book: Path, export: Path):
    return archive(book, ArchiveOptions(orders=[export], today=TODAY, backup=False))


def typed_cells(book: Path) -> dict[tuple[str, str], tuple]:
    """(buyer, header) → (value, data_type, number_format of a date) of every non-empty staff cell."""
    ws = openpyxl.load_workbook(book)["客户档案"]
    header = [c.value for c in ws[1]]
    first_staff = header.index("备注")
    out = {}
    for row in ws.iter_rows(min_row=2):
        for j in range(first_staff, len(header)):
            cell = row[j] if j < len(row) else None
            if cell is not None and cell.value is not None:
                fmt = cell.number_format if cell.is_date else None
                out[(row[0].value, header[j])] = (cell.value, type(cell.value), cell.data_type, fmt)
    return out


def staff_typing(i: int) -> dict[str, object]:
    """What staff typed for buyer i (row i + 2 of the first archive)."""
    typed: dict[str, object] = {"鞋码": 38 if i < 1_000 else f"{38 + i % 3}.5码"}  # numbers first, text later
    if i % 7 == 0:
        typed["备注"] = "38"  # text that looks like a number stays text
    if i % 5 == 0:
        typed["年龄段"] = 30.5
    if i % 11 == 0:
        typed["生日"] = dt.datetime(1990, 1, 1) + dt.timedelta(days=i)
    if i % 13 == 0:
        typed["已加微信"] = i % 2 == 0
    if i % 17 == 0:
        typed["积分"] = 1_000_000 + i
    if i == 1_150:
        typed["积分"] = "未开通"  # a text after numbers in an added column
    return typed


def type_staff_data(book: Path) -> dict[tuple[str, str], tuple]:
    wb = openpyxl.load_workbook(book)
    ws = wb["客户档案"]
    header = [c.value for c in ws[1]]
    extra = {"生日": len(header) + 1, "已加微信": len(header) + 2, "积分": len(header) + 3}
    for name, col in extra.items():
        ws.cell(1, col, name)
    col = {h: j for j, h in enumerate(header, start=1)} | extra
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    expected = {}
    for i in range(N_BUYERS):
        for name, value in staff_typing(i).items():
            cell = ws.cell(rows[buyer(i)], col[name], value)
            if name == "生日":
                cell.number_format = "yyyy/m/d"
            kind = {str: "s", bool: "b"}.get(type(value), "d" if isinstance(value, dt.datetime) else "n")
            expected[(buyer(i), name)] = (value, type(value), kind, "yyyy/m/d" if name == "生日" else None)
    wb.save(book)
    return expected


def test_staff_columns_come_back_exactly_through_two_rebuilds(tmp_path, export):
    book = tmp_path / "客户.xlsx"
    run(book, export)
    expected = type_staff_data(book)
    assert typed_cells(book) == expected  # what openpyxl reads of what staff typed
    for _ in range(2):
        report = run(book, export)
        assert report.warnings == []
        assert typed_cells(book) == expected
    header = [c.value for c in openpyxl.load_workbook(book, read_only=True)["客户档案"][1]]
    assert header[-3:] == ["生日", "已加微信", "积分"]  # added columns after ours, in their order
    assert expected[(buyer(1_001), "鞋码")] == ("40.5码", str, "s", None)
    assert expected[(buyer(0), "鞋码")] == (38, int, "n", None)


def test_libreoffice_opens_the_rebuilt_archive(tmp_path, export, soffice):
    book = tmp_path / "客户.xlsx"
    run(book, export)
    expected = type_staff_data(book)
    run(book, export)
    again = recalculate(book, tmp_path / "lo")
    ws = openpyxl.load_workbook(again, data_only=True)["客户档案"]
    header = [c.value for c in ws[1]]
    got = {(row[0], header[j]): row[j] for row in ws.iter_rows(min_row=2, values_only=True)
           for j in range(header.index("备注"), len(header)) if j < len(row) and row[j] is not None}
    assert got == {k: v[0] for k, v in expected.items()}


def test_duplicate_buyer_row_is_merged_reported_and_nothing_lost(tmp_path, export):
    book = tmp_path / "客户.xlsx"
    run(book, export)
    wb = openpyxl.load_workbook(book)
    ws = wb["客户档案"]
    header = [c.value for c in ws[1]]
    col = {h: j for j, h in enumerate(header, start=1)}
    last = ws.max_row
    name = ws.cell(2, 1).value
    ws.cell(2, col["鞋码"], 38)
    ws.cell(2, col["备注"], "老客户")
    dup = last + 1  # the same buyer again (pasted twice), with more and different data
    ws.cell(dup, 1, name)
    ws.cell(dup, col["鞋码"], 39)
    ws.cell(dup, col["性别"], "女")
    wb.save(book)
    report = run(book, export)
    assert [(p.sheet, p.cell) for p in report.warnings] == [("客户档案", f"A{dup}")]
    assert any(m.startswith(f"客户档案!A{dup}: 买家「{name}」重复（第 2 行已有）") for m in report.messages)
    rows = [r for r in openpyxl.load_workbook(book)["客户档案"].iter_rows(values_only=True) if r[0] == name]
    assert len(rows) == 1
    got = dict(zip(header, rows[0]))
    assert (got["鞋码"], got["性别"]) == (38, "女")
    assert got["备注"] == f"老客户；重复行 客户档案!A{dup}：鞋码=39"
    listed = [r for r in openpyxl.load_workbook(book)["导入报告"].iter_rows(values_only=True)
              if r and r[0] == "客户档案"]
    assert [r[1] for r in listed] == [f"A{dup}"]


@pytest.mark.parametrize("renamed", ["会员名", "买家ID", None])
def test_renamed_key_header_stops_and_writes_nothing(tmp_path, export, renamed):
    book = tmp_path / "客户.xlsx"
    run(book, export)
    wb = openpyxl.load_workbook(book)
    ws = wb["客户档案"]
    ws["A1"] = renamed
    ws.cell(2, [c.value for c in ws[1]].index("备注") + 1, "会丢吗")
    wb.save(book)
    before = book.read_bytes()
    with pytest.raises(InputErrors) as e:
        run(book, export)
    assert str(e.value).startswith("客户档案!A1: 找不到「买家会员名」列")
    assert book.read_bytes() == before


def test_typed_columns_of_a_file_written_without_cell_references(tmp_path, export):
    """The archive the job wrote (table cells after the first of a row have no r=) reads by position."""
    book = tmp_path / "客户.xlsx"
    run(book, export)
    with WorkbookRows(book) as wb:
        got = wb.typed_columns("客户档案", lambda header: [0, header.index("购买次数"), header.index("首次购买")])
    assert got.header[0] == "买家会员名"
    first = sorted(got.columns)
    names = [r[0] for r in openpyxl.load_workbook(book, read_only=True)["客户档案"].iter_rows(min_row=2, values_only=True)]
    assert [v for _, v, _ in got.columns[first[0]]] == names
    assert got.columns[first[1]][0] == (2, dt.datetime(2026, 10, 5, 12, 31, 2), "yyyy-mm-dd")  # a date-time shown as a date
    assert got.columns[first[2]][0] == (2, 1, "0")  # 购买次数: a whole number, format "0"


def test_live_reader_gives_the_same_types():
    book = fx.Book("店.xlsx", sheets=("客户档案",))
    sh = book._sheet("客户档案")
    sh.range((1, 1), (5, 3)).value = [["买家会员名", "鞋码", "生日"],
                                      ["a", 38, dt.datetime(1990, 1, 5)],
                                      ["b", "'38.5码", None],
                                      ["c", 38.5, dt.datetime(1990, 2, 5, 10, 30)],
                                      ["d", "'38", None]]
    got = XlwingsRows(book).typed_columns("客户档案", lambda header: [0, 1, 2])
    assert got.columns[1] == [(2, 38, None), (3, "38.5码", None), (4, 38.5, None), (5, "38", None)]
    assert got.columns[2] == [(2, dt.date(1990, 1, 5), "m/d/yyyy"), (4, dt.datetime(1990, 2, 5, 10, 30), "m/d/yyyy")]


def test_mixed_column_costs_only_its_own_cells(tmp_path):
    """A list mixing types is written cell by cell, each with its own type; the table stays on the fast path."""
    from xlreports.excel.write import FileWriter
    from xlreports.layout.spec import SheetSpec, TableBlock, WorkbookSpec

    n = 200
    mixed = [38 if i < 150 else ("38.5码" if i % 2 else 38.5) for i in range(n)]
    spec = SheetSpec("表", tables=[TableBlock(1, 1, ["编号", "鞋码"], [list(range(n)), mixed], [None, None])])
    out = tmp_path / "t.xlsx"
    FileWriter(None, out, backup=False).write(WorkbookSpec([spec]))
    ws = openpyxl.load_workbook(out)["表"]
    assert [(c.value, c.data_type) for c in ws["B"][1:]] == [(v, "s" if isinstance(v, str) else "n") for v in mixed]
    assert type(ws["B2"].value) is int and type(ws["B152"].value) is float
    shutil.rmtree(tmp_path / "none", ignore_errors=True)


def _add_column(book: Path, sheet: str, header_row: int, header: str, values: dict[int, object]) -> int:
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    col = max(j for j, c in enumerate(ws[header_row], start=1) if c.value is not None) + 1
    ws.cell(header_row, col, header)
    for r, v in values.items():
        ws.cell(r, col, v)
    wb.save(book)
    return col


def _column(book: Path, sheet: str, header_row: int, header: str, key: int) -> dict:
    ws = openpyxl.load_workbook(book)[sheet]
    heads = [c.value for c in ws[header_row]]
    j = heads.index(header)
    return {row[key - 1].value: (row[j].value, row[j].data_type) for row in ws.iter_rows(min_row=header_row + 1)
            if j < len(row) and row[j].value is not None}


def test_columns_added_to_aftersales_and_care_survive_rebuilds(tmp_path, export):
    book = tmp_path / "客户.xlsx"
    run(book, export)
    wb = openpyxl.load_workbook(book)
    ws = wb["售后登记"]
    for j, v in enumerate([dt.datetime(2026, 11, 22, 10, 0), "3268000000000000001", buyer(1), "发错货", "是", "是",
                           "发成了黑色"], start=1):
        ws.cell(3, j, v)
    wb.save(book)
    _add_column(book, "售后登记", 2, "快递单号", {3: 1234567890123, 4: "无订单的备忘"})
    wb = openpyxl.load_workbook(book)
    ws = wb["关怀提醒"]  # header in row 4 (rows 1-3: title, 今日完成, per-scene counts), changed on purpose
    first = ws.max_row + 1
    care_rows = {first: buyer(2), first + 1: buyer(3)}
    for r, name in care_rows.items():  # earlier reminders still open: they stay in the queue (逾期)
        ws.cell(r, 1, "2026-11-20 09:00")
        ws.cell(r, 3, "回购提醒")
        ws.cell(r, 6, name)
    ws.cell(first, 13, "小美")  # 处理人; the second row holds only the added column
    wb.save(book)
    _add_column(book, "关怀提醒", 4, "回访次数", {first: 2, first + 1: "未接"})
    for _ in range(2):
        run(book, export)
        cases = _column(book, "售后登记", 2, "快递单号", 3)
        assert cases == {buyer(1): (1234567890123, "n"), None: ("无订单的备忘", "s")}
        headers = [c.value for c in openpyxl.load_workbook(book)["售后登记"][2]]
        while headers[-1] is None:  # the 【售后规则】 block right of the cases starts below the header row
            headers.pop()
        assert headers[-1] == "快递单号" and headers.index("快递单号") == 13
        care = _column(book, "关怀提醒", 4, "回访次数", 6)
        assert care == {care_rows[first]: (2, "n"), care_rows[first + 1]: ("未接", "s")}


def test_columns_added_to_history_survive_by_month_and_agent(tmp_path):
    from xlreports.jobs.appraise import AppraiseOptions, appraise
    from xlreports.samples import build_sample

    book = build_sample(tmp_path / "shop.xlsx")
    appraise(book, AppraiseOptions(month="2026-09"))
    appraise(book, AppraiseOptions(month="2026-10"))
    ws = openpyxl.load_workbook(book)["考核历史"]
    rows = {(r[0].value, r[1].value): r[0].row for r in ws.iter_rows(min_row=2)}
    (m1, a1), (m2, a2) = sorted(rows)[0], sorted(rows)[-1]
    _add_column(book, "考核历史", 1, "面谈记录", {rows[(m1, a1)]: "已面谈", rows[(m2, a2)]: 3})
    _add_column(book, "考核历史", 1, "复核日期", {rows[(m2, a2)]: dt.datetime(2026, 11, 3)})
    for month in ("2026-10", "2026-09"):  # a re-run of the last month, then of an earlier one
        appraise(book, AppraiseOptions(month=month))
        ws = openpyxl.load_workbook(book)["考核历史"]
        header = [c.value for c in ws[1]]
        assert header[8:] == ["面谈记录", "复核日期"]
        got = {(r[0], r[1]): r[8:] for r in ws.iter_rows(min_row=2, values_only=True) if any(r[8:])}
        assert got == {(m1, a1): ("已面谈", None), (m2, a2): (3, dt.datetime(2026, 11, 3))}
