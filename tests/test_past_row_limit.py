"""More buyers than a sheet holds (issue 11, item 5).

What each part proves:
- 1,200,000 distinct buyers (the one costly test, one run): the split at Excel's real row limit —
  客户档案 continues in 客户档案(2) with the same header and masking, 客户分群 and 会员等级历史
  likewise — and every row written is read back (all 1.2M buyers, each once).
- The same tables split at 10 rows a tab (``rows_per_sheet``, cheap): the rules that do not depend
  on the size — a note typed in a continuation tab survives a rebuild that keeps the split, the
  history gains no rows when no tier changes, and fewer tabs needed later merge them back and
  remove the extra ones. The split points themselves come from the same code for both sizes.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import polars as pl
import pytest

from xlreports.excel.read.source import WorkbookRows
from xlreports.jobs.archive import ArchiveOptions, archive
from xlreports.layout.sheet_parts import ROWS_PER_SHEET

TODAY = dt.date(2026, 11, 23)
N = 1_200_000


def write_orders(path: Path, n: int, first: int = 0) -> Path:
    """One paid order per buyer tb_0000000 …, as a Taobao CSV writes it (ids as ="…"), made by polars."""
    i = pl.col("i")
    pl.DataFrame({"i": pl.int_range(first, first + n, eager=True)}).select(
        pl.format('="{}"', (i + 3268000000000000000).cast(pl.String)).alias("订单编号"),
        pl.format("tb_{}", i.cast(pl.String).str.zfill(7)).alias("买家会员名"),
        ((i % 997) + 1).cast(pl.Float64).alias("买家实际支付金额"),
        pl.lit("交易成功").alias("订单状态"),
        pl.lit("王小鱼").alias("收货人姓名"),
        pl.lit("江苏省 苏州市 吴江区 松陵镇 梅石路1号").alias("收货地址"),
        pl.format("182{}", i.cast(pl.String).str.zfill(8)).alias("联系手机"),
        pl.lit("2026-10-05 12:30:45").alias("订单创建时间"),
        pl.lit("2026-10-05 12:31:02").alias("订单付款时间"),
    ).write_csv(path, quote_style="never")
    return path


def frames(book: Path, base: str, columns: list[str] | None = None) -> list[pl.DataFrame]:
    """The tabs ``base``, ``base(2)`` … as frames (only ``columns`` when given: the 1.2M tabs are read
    by the columns checked, as text, with every row)."""
    import fastexcel

    with WorkbookRows(book) as wb:
        names = [n for n in wb.names if n == base or re.fullmatch(re.escape(base) + r"\(\d+\)", n)]
        if columns is None:
            return [wb.frame(n) for n in names]
    reader = fastexcel.read_excel(str(book))
    return [reader.load_sheet_by_name(n, use_columns=columns, dtypes={c: "string" for c in columns}).to_polars()
            for n in names]


def header(book: Path, sheet: str) -> list[str]:
    import fastexcel

    return [c.name for c in fastexcel.read_excel(str(book)).load_sheet_by_name(sheet, n_rows=0).available_columns()]


def sheet_names(book: Path) -> list[str]:
    with WorkbookRows(book) as wb:
        return list(wb.names)


def type_in_part(book: Path, sheet: str, buyer: str, column: str, text: str) -> None:
    """What staff do in Excel, done on the file's XML (openpyxl would take minutes on a million rows):
    type ``text`` into the empty ``column`` cell of ``buyer``'s row on ``sheet``."""
    tmp = book.with_suffix(".typing.xlsx")
    with zipfile.ZipFile(book) as src:
        workbook = src.read("xl/workbook.xml").decode()
        rels = src.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="(\w+)"', workbook).group(1)
        part = "xl/" + re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels).group(1)
        xml = src.read(part).decode()
        header = re.search(r'<row r="1".*?</row>', xml).group(0)
        texts = re.findall(r'<c r="([A-Z]+)1"[^>]*>.*?<t[^>]*>([^<]*)</t>', header)
        letter = next(c for c, t in texts if t == column)
        row = re.search(rf'<row r="(\d+)"><c r="A\d+"[^>]*><is><t>{buyer}</t>', xml).group(1)
        empty = re.search(rf'<c r="{letter}{row}"( s="\d+")?/>', xml)
        xml = (xml[:empty.start()] + f'<c r="{letter}{row}"{empty.group(1) or ""} t="inlineStr"><is><t>{text}</t></is></c>'
               + xml[empty.end():])
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
            for item in src.infolist():
                dst.writestr(item, xml.encode() if item.filename == part else src.read(item.filename))
    tmp.replace(book)


@pytest.mark.slow
def test_a_million_and_more_buyers_continue_in_a_second_sheet(tmp_path):
    orders = write_orders(tmp_path / "ExportOrderList.csv", N)
    book = tmp_path / "客户.xlsx"
    opts = ArchiveOptions(orders=[orders], today=TODAY, backup=False)
    report = archive(book, opts)
    assert report.buyers == N
    assert any("客户档案分为 2 张工作表" in m for m in report.messages)
    names = sheet_names(book)
    for base in ("客户档案", "客户分群", "会员等级历史"):
        assert f"{base}(2)" in names and f"{base}(3)" not in names
    parts = frames(book, "客户档案", ["买家会员名", "电话", "地址"])
    assert [p.height for p in parts] == [ROWS_PER_SHEET, N - ROWS_PER_SHEET]
    assert header(book, "客户档案") == header(book, "客户档案(2)")  # the same header
    buyers = pl.concat([p.select("买家会员名") for p in parts])["买家会员名"]
    assert buyers.sort().to_list() == [f"tb_{i:07d}" for i in range(N)]  # every buyer, once
    for p in parts:  # masked in every part
        assert p["电话"].str.contains(r"^182\*\*\*\*\d{4}$").all() and (p["地址"] == "吴江区 ****").all()
    # the first tab holds its summary and chart above the member table (header in row 22), the rest continue
    assert [p.height for p in frames(book, "客户分群(2)", ["买家会员名"])] == [N - (ROWS_PER_SHEET - 21)] == [151_446]
    assert header(book, "客户分群(2)")[:3] == ["买家会员名", "距今天数", "购买次数"]
    history = frames(book, "会员等级历史", ["买家会员名"])
    assert sum(p.height for p in history) == N  # every first assignment, across both tabs


def test_a_note_in_a_continuation_tab_survives_a_rebuild_that_keeps_the_split(tmp_path):
    orders = write_orders(tmp_path / "ExportOrderList.csv", 25)
    book = tmp_path / "客户.xlsx"
    opts = ArchiveOptions(orders=[orders], today=TODAY, backup=False, rows_per_sheet=10)
    archive(book, opts)
    second = frames(book, "客户档案")[1]["买家会员名"][4]
    type_in_part(book, "客户档案(2)", second, "备注", "只在第二张表上的备注")
    report = archive(book, opts)
    assert report.kept_absent == 0
    parts = frames(book, "客户档案")
    assert [p.height for p in parts] == [10, 10, 5]
    notes = pl.concat([p.select("买家会员名", "备注") for p in parts]).filter(pl.col("备注").is_not_null())
    assert notes.rows() == [(second, "只在第二张表上的备注")]
    assert pl.concat([p.select("买家会员名") for p in parts])["买家会员名"].sort().to_list() == \
        [f"tb_{i:07d}" for i in range(25)]
    assert sum(p.height for p in frames(book, "会员等级历史")) == 25  # no tier changed: nothing added


def test_small_tables_split_and_fewer_buyers_drop_the_extra_tabs(tmp_path):
    orders = write_orders(tmp_path / "ExportOrderList.csv", 25)
    book = tmp_path / "客户.xlsx"
    report = archive(book, ArchiveOptions(orders=[orders], today=TODAY, backup=False, rows_per_sheet=10))
    names = sheet_names(book)
    assert [n for n in names if n.startswith("客户档案")] == ["客户档案", "客户档案(2)", "客户档案(3)"]
    assert [p.height for p in frames(book, "客户档案")] == [10, 10, 5]
    assert [p.height for p in frames(book, "会员等级历史")] == [10, 10, 5]
    assert "客户分群(2)" in names  # the first 客户分群 tab holds its summary and no member rows here
    assert any("客户档案分为 3 张工作表" in m for m in report.messages)
    # a typed note in part 3 is carried; with more room the tabs merge back into one and (2), (3) go
    shutil.copy(book, tmp_path / "before.xlsx")
    last = frames(book, "客户档案")[2]["买家会员名"][0]
    type_in_part(book, "客户档案(3)", last, "备注", "第三张")
    archive(book, ArchiveOptions(orders=[orders], today=TODAY, backup=False))
    names = sheet_names(book)
    assert not [n for n in names if re.search(r"\(\d+\)$", n)]
    (one,) = frames(book, "客户档案")
    assert one.height == 25 and one.filter(pl.col("买家会员名") == last)["备注"].to_list() == ["第三张"]
