"""客户档案 for daily use (issue 11, item 4): 来源 is the channel from the export, 地址 does not repeat 省/市,
staff columns with fixed answers have drop-downs, which personal fields show is a 会员规则 setting
(sensitive ones off by default), and the printout is the key columns, landscape, one page wide.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from test_archive import HEADER, order, rows_of, run, set_cells, write_csv
from xlreports.model.profile_fields import CHOICES

SENSITIVE = ("民族", "价值观", "家庭状况", "工作状况")


def _with_channel(rows: list[list], channels: list[str | None]) -> list[list]:
    return [r + [c or ""] for r, c in zip(rows, channels)]


@pytest.fixture
def channel_export(tmp_path) -> Path:
    rows = [order(1, "tb_a", "100.00", created="2026-10-01 09:00:00", paid="2026-10-01 09:01:00"),
            order(2, "tb_a", "50.00", created="2026-10-09 09:00:00", paid="2026-10-09 09:01:00"),
            order(3, "tb_b", "80.00"),
            order(4, "tb_c", "30.00")]
    return write_csv(tmp_path / "ExportOrderList.csv", _with_channel(rows, ["手淘搜索", "直播间", None, "聚划算"]),
                     header=[*HEADER, "订单来源"])


def header(book: Path) -> list[str]:
    return [h for h in rows_of(book, "客户档案")[0] if h is not None]


def by_buyer(book: Path) -> dict[str, dict]:
    rows = rows_of(book, "客户档案")
    return {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}


def test_source_is_the_channel_of_the_first_order_and_blank_without_one(tmp_path, channel_export):
    book = tmp_path / "客户.xlsx"
    run(book, [channel_export], mask=False)
    rows = by_buyer(book)
    assert {b: r["来源"] for b, r in rows.items()} == {"tb_a": "手淘搜索", "tb_b": None, "tb_c": "聚划算"}
    # 地址 holds what follows 省 and 市, in full where unmasked
    assert {(r["省"], r["市"], r["地址"]) for r in rows.values()} == {("江苏省", "苏州市", "吴江区 松陵镇 梅石路1号")}


def test_sensitive_fields_are_off_by_default_and_on_by_setting(tmp_path, channel_export):
    book = tmp_path / "客户.xlsx"
    run(book, [channel_export])
    cols = header(book)
    assert not set(SENSITIVE) & set(cols)
    assert {"备注", "性别", "年龄段", "邮箱", "服装码数", "鞋码", "款号", "消费习惯", "对促销信息的接受情况"} <= set(cols)
    # the setting: 会员规则's 【客户档案字段】 section, 显示 是/否
    rules = rows_of(book, "会员规则")
    row_of = {r[0]: i for i, r in enumerate(rules, start=1) if r and r[0]}
    assert rules[row_of["民族"] - 1][1:3] == ("否", "敏感") and rules[row_of["性别"] - 1][1:3] == ("是", "基本")
    set_cells(book, "会员规则", {(row_of["民族"], 2): "是", (row_of["邮箱"], 2): "否"})
    run(book, [channel_export])
    cols = header(book)
    assert "民族" in cols and "邮箱" not in cols and "价值观" not in cols


def test_a_field_turned_off_keeps_its_column_while_it_holds_typed_values(tmp_path, channel_export):
    book = tmp_path / "客户.xlsx"
    run(book, [channel_export])
    cols = header(book)
    r = next(i for i, row in enumerate(rows_of(book, "客户档案"), start=1) if row[0] == "tb_b")
    set_cells(book, "客户档案", {(r, cols.index("消费习惯") + 1): "爱囤货"})
    rules = rows_of(book, "会员规则")
    row_of = {row[0]: i for i, row in enumerate(rules, start=1) if row and row[0]}
    set_cells(book, "会员规则", {(row_of["消费习惯"], 2): "否", (row_of["着装喜好"], 2): "否"})
    report = run(book, [channel_export])
    cols = header(book)
    assert "消费习惯" in cols and "着装喜好" not in cols  # typed data is never dropped; the empty one goes
    assert by_buyer(book)["tb_b"]["消费习惯"] == "爱囤货"
    assert any("消费习惯" in m and "已保留" in m for m in report.messages)


def test_bad_field_setting_is_a_located_error(tmp_path, channel_export):
    from xlreports.errors import InputErrors

    book = tmp_path / "客户.xlsx"
    run(book, [channel_export])
    rules = rows_of(book, "会员规则")
    r = next(i for i, row in enumerate(rules, start=1) if row and row[0] == "民族")
    set_cells(book, "会员规则", {(r, 2): "也许"})
    before = book.read_bytes()
    with pytest.raises(InputErrors) as e:
        run(book, [channel_export])
    assert str(e.value).startswith(f"会员规则!B{r}: 「显示」应为：是、否")
    assert book.read_bytes() == before


def test_drop_downs_and_print_setup_read_back_from_the_file(tmp_path, channel_export):
    book = tmp_path / "客户.xlsx"
    run(book, [channel_export])
    wb = openpyxl.load_workbook(book)
    ws = wb["客户档案"]
    cols = [c.value for c in ws[1]]
    lists = {}
    for dv in ws.data_validations.dataValidation:
        lists[str(dv.sqref)] = (dv.type, dv.formula1)
    n = ws.max_row
    for name, choices in CHOICES.items():
        letter = openpyxl.utils.get_column_letter(cols.index(name) + 1)
        assert lists[f"{letter}2:{letter}{n}"] == ("list", '"' + ",".join(choices) + '"'), name
    assert len(lists) == len(CHOICES)
    # printed: the key columns only, landscape, one page wide, the header row on every page
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_area == f"'客户档案'!$A$1:$L${n}"
    assert cols[:12] == ["买家会员名", "收货人", "电话", "省", "市", "地址", "来源", "会员等级", "首次购买", "最近购买",
                         "购买次数", "累计消费"]
    assert str(ws.print_title_rows) == "$1:$1"
