"""A rebuild reads the old 客户档案's whole rows only when it needs them (xlreports.jobs.old_archive).

Each case runs the same rebuild twice: as the job does it, and with the whole-sheet read forced
(the way every rebuild read before), and compares every cell of every tab. Tiers typed by staff,
a staff column, buyers all present / one absent, and a key cell typed as a number are covered.
"""
from __future__ import annotations

import shutil

import openpyxl
import pytest

from test_archive import CSV_ROWS, find_row, order, rows_of, run, set_cells, write_csv
from xlreports.excel.read.source import WorkbookRows
from xlreports.jobs import archive as archive_job, old_archive


def all_cells(book) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(book)  # formulas as text, values as stored
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def frames_read(monkeypatch) -> list[str]:
    """The sheets read whole (WorkbookRows.frame) from now on."""
    seen: list[str] = []
    original = WorkbookRows.frame

    def spy(self, sheet, dtypes=None):
        seen.append(sheet)
        return original(self, sheet, dtypes)

    monkeypatch.setattr(WorkbookRows, "frame", spy)
    return seen


def twice(tmp_path, monkeypatch, book, orders) -> tuple[list[str], object]:
    """Rebuild a copy of ``book`` as the job does (sheets read whole: returned) and one with the
    scan's keys refused (every 客户档案 tab read whole, as before); the two must agree cell by cell."""
    forced = tmp_path / "forced.xlsx"
    shutil.copyfile(book, forced)
    seen = frames_read(monkeypatch)
    report = run(book, orders, backup=False)
    lazy_read = [s for s in seen if s.startswith("客户档案")]
    seen.clear()
    with monkeypatch.context() as m:
        refuse = lambda typed, non_member: old_archive.take_keys(typed, non_member) and None  # noqa: E731
        m.setattr(archive_job, "take_keys", refuse)  # the tier column still taken out of the scan
        forced_report = run(forced, orders, backup=False)
    assert [s for s in seen if s.startswith("客户档案")] == ["客户档案"]
    assert all_cells(book) == all_cells(forced)
    assert (report.kept_absent, report.buyers) == (forced_report.kept_absent, forced_report.buyers)
    return lazy_read, report


@pytest.fixture
def built(tmp_path):
    """A workbook after a first run, with staff input: a 备注, and a buyer's tier typed over."""
    export = write_csv(tmp_path / "ExportOrderList202610.csv", CSV_ROWS)
    book = tmp_path / "客户.xlsx"
    run(book, [export], backup=False)
    header = list(rows_of(book, "客户档案")[0])
    col = {h: i for i, h in enumerate(header, start=1)}
    top = find_row(book, "客户档案", 1, "tb_至尊")
    set_cells(book, "客户档案", {(top, col["备注"]): "生日送券", (top, col["会员等级"]): "VIP"})
    return book, export, col


def test_rebuild_with_every_buyer_present_reads_no_whole_sheet(tmp_path, monkeypatch, built):
    book, export, _ = built
    lazy_read, report = twice(tmp_path, monkeypatch, book, [export])
    assert lazy_read == [] and report.kept_absent == 0
    # the tier staff typed over (VIP) is the previous tier: 至尊VIP now is an upgrade in the history
    history = rows_of(book, "会员等级历史")
    assert any(r[1] == "tb_至尊" and r[2] == "VIP" and r[3] == "至尊VIP" for r in history)


def test_rebuild_with_a_buyer_missing_reads_the_rows_and_keeps_them(tmp_path, monkeypatch, built):
    book, _, _ = built
    later = write_csv(tmp_path / "ExportOrderList202611.csv", [r for r in CSV_ROWS if "tb_至尊" not in r])
    lazy_read, report = twice(tmp_path, monkeypatch, book, [later])
    assert lazy_read == ["客户档案"] and report.kept_absent >= 1
    rows = {r[0]: r for r in rows_of(book, "客户档案")[1:]}
    assert "tb_至尊" in rows


def test_a_key_typed_as_a_number_falls_back_to_the_whole_rows(tmp_path, monkeypatch, built):
    book, export, col = built
    extra = write_csv(tmp_path / "ExportOrderList202611.csv", [order(90, "12345", "10.00")])
    run(book, [export, extra], backup=False)
    row = find_row(book, "客户档案", 1, "12345")
    set_cells(book, "客户档案", {(row, 1): 12345})  # staff retyped the name: now a number cell
    lazy_read, _ = twice(tmp_path, monkeypatch, book, [export, extra])
    assert lazy_read == ["客户档案"]


def test_take_keys_refuses_what_it_cannot_vouch_for():
    from xlreports.excel.read.typed_cells import TypedColumns

    number_key = TypedColumns(["买家会员名", "会员等级"], {0: [(2, 7, None)], 1: [(2, "VIP", None)]})
    spaced_header = TypedColumns([" 买家会员名", "会员等级"], {0: [(2, "甲", None)]})
    number_tier = TypedColumns(["买家会员名", "会员等级"], {0: [(2, "甲", None)], 1: [(2, 1, None)]})
    later_wins = TypedColumns(["买家会员名", "会员等级"], {0: [(2, "甲", None), (3, "甲", None)],
                                                          1: [(2, "VIP", None), (3, "非会员", None)]})
    assert [old_archive.take_keys(t) for t in (number_key, spaced_header, number_tier)] == [None] * 3
    keys = old_archive.take_keys(later_wins)
    assert keys.tiers == {"甲": "VIP"}  # 非会员 rows leave a tier as the whole-sheet read did
