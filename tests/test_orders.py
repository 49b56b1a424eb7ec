"""Order-export intake (xlreports.excel.read.orders): layouts, encodings, quirky values, bad rows, merging."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from xlreports.errors import InputErrors, Problem, XlreportsError
from xlreports.excel.read.orders import (ORDER_ALIASES, ORDER_COLUMNS, OrderIntake, OrderSource, empty_orders,
                              find_order_sheets, read_orders)

# The full header of the common (old) Taobao layout, DOMAIN §8, trailing spaces included.
OLD_HEADER = ["订单编号", "买家会员名", "买家支付宝账号", "支付单号", "支付详情", "买家应付货款", "买家应付邮费",
              "买家支付积分", "总金额", "返点积分", "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言",
              "收货人姓名", "收货地址 ", "运送方式", "联系电话 ", "联系手机", "订单创建时间", "订单付款时间",
              "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注", "宝贝总数量", "店铺Id", "店铺名称",
              "订单关闭原因", "卖家服务费", "买家服务费", "发票抬头", "是否手机订单", "退款金额", "确认收货时间",
              "打款商家金额"]
# Column letters of that layout (for the cells of skipped rows).
COL = {h.strip(): openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(OLD_HEADER)}

NEW_HEADER = ["订单编号", "支付单号", "买家应付货款", "买家应付邮费", "总金额", "买家实付金额", "订单状态", "收货地址",
              "运送方式", "订单创建时间", "商品标题", "宝贝种类", "物流单号", "物流公司", "备注标签", "商家备注",
              "宝贝总数量", "开票信息", "手机订单", "商品属性SKU", "发货时间"]

ID1 = "3268123456789012345"  # 19 digits: must never pass through a float
ID2 = "3268123456789012346"
ID3 = "3268123456789012347"


def old_row(**values) -> list:
    """One old-layout row: plausible defaults, overridden by header (stripped) → value."""
    row = {
        "订单编号": f'="{ID1}"', "买家会员名": "tb_小鱼", "买家支付宝账号": "a***@163.com", "支付单号": "2026100522001",
        "支付详情": "", "买家应付货款": "34.00", "买家应付邮费": "0.00", "买家支付积分": "0", "总金额": "34.00",
        "返点积分": "0", "买家实际支付金额": "34.00", "买家实际支付积分": "0", "订单状态": "交易成功",
        "买家留言": "'null", "收货人姓名": "王小鱼", "收货地址": "江苏省 苏州市 吴江区 松陵镇 1号", "运送方式": "快递",
        "联系电话": "'null", "联系手机": "'182********", "订单创建时间": "2026-10-05 12:30:45",
        "订单付款时间": "2026-10-05 12:31:02", "宝贝标题": "夏季新款连衣裙", "宝贝种类": "1",
        "物流单号": "'YT1234567890", "物流公司": "圆通速递", "订单备注": "'null", "宝贝总数量": "1", "店铺Id": "12345",
        "店铺名称": "小鱼服饰", "订单关闭原因": "订单未关闭", "卖家服务费": "0", "买家服务费": "0", "发票抬头": "",
        "是否手机订单": "手机订单", "退款金额": "0.00", "确认收货时间": "2026-10-09 08:00:00", "打款商家金额": "34.00元",
    }
    unknown = set(values) - set(row)
    assert not unknown, unknown
    row.update(values)
    return [row[h.strip()] for h in OLD_HEADER]


def write_xlsx(path: Path, rows: list[list], sheet: str = "ExportOrderList", title_rows: list[list] = ()) -> Path:
    """A workbook whose strings stay strings (even ="…", which openpyxl would take for a formula)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate([*title_rows, *rows], start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            cell = ws.cell(r, c, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str, trailing_comma: bool = True) -> Path:
    """Rows written the way Taobao does: ="…" ids unquoted, other values quoted only when needed."""
    def cell(v) -> str:
        v = "" if v is None else str(v)
        if v.startswith('="'):
            return v
        if any(ch in v for ch in ',"\n'):
            return '"' + v.replace('"', '""') + '"'
        return v
    end = ",\n" if trailing_comma else "\n"
    path.write_bytes("".join(",".join(cell(v) for v in row) + end for row in rows).encode(encoding))
    return path


def records(intake: OrderIntake, *columns: str) -> list[tuple]:
    return intake.orders.select(columns).rows()


# ---------------------------------------------------------------- vocabulary


def test_order_columns_and_aliases():
    assert list(ORDER_COLUMNS) == [
        "订单编号", "买家会员名", "买家支付宝账号", "收货人姓名", "联系手机", "收货地址", "订单状态", "买家实付金额",
        "总金额", "买家应付邮费", "退款金额", "订单创建时间", "订单付款时间", "发货时间", "确认收货时间", "商品标题",
        "商品数量", "宝贝种类", "买家留言", "商家备注", "物流单号", "物流公司", "店铺名称", "订单关闭原因", "商品属性SKU",
        "订单来源"]  # issue 11: the channel, for 客户档案's 来源
    assert set(ORDER_COLUMNS.values()) == {"text", "number", "datetime"}
    assert ORDER_ALIASES["买家实际支付金额"] == "买家实付金额"
    assert ORDER_ALIASES["实付金额"] == "买家实付金额"
    assert ORDER_ALIASES["宝贝标题"] == "商品标题"
    assert ORDER_ALIASES["宝贝总数量"] == "商品数量"
    assert ORDER_ALIASES["订单备注"] == "商家备注"
    assert ORDER_ALIASES["备注标签"] == "商家备注"
    assert ORDER_ALIASES["联系电话"] == "联系手机"
    assert ORDER_ALIASES["商品属性sku"] == "商品属性SKU"
    assert "是否手机订单" not in ORDER_ALIASES and "店铺id" not in ORDER_ALIASES


# ---------------------------------------------------------------- old layout, .xlsx


def test_old_layout_xlsx_full_header_and_quirky_values(tmp_path):
    rows = [
        OLD_HEADER,
        old_row(),
        old_row(订单编号=f"'{ID2}", 买家会员名="tb_阿强", 买家实际支付金额="1,234.50", 总金额="¥1,240.00",
                买家应付邮费=5.0, 订单状态="买家已付款,等待卖家发货", 联系手机="", 联系电话="0512-66668888",
                订单创建时间=dt.datetime(2026, 10, 6, 9, 15, 0), 订单付款时间="2026/10/6 9:16", 确认收货时间="-",
                宝贝种类=2, 宝贝总数量="3", 订单备注="加急，周末发", 买家留言="NULL", 物流单号="null",
                退款金额=12.5),
        old_row(订单编号=ID3, 买家会员名="tb_小鱼", 买家实际支付金额=34.0, 订单状态=" 卖家已发货， 等待买家确认 ",
                订单创建时间="2026年10月7日 20:05", 订单付款时间=46300.5, 确认收货时间="2026-10-09",
                联系手机="13800000000", 宝贝总数量=1),
    ]
    path = write_xlsx(tmp_path / "ExportOrderList202610.xlsx", rows)
    intake = read_orders([OrderSource(path)])

    assert intake.rows_read == 3
    assert intake.duplicates_replaced == 0
    assert intake.skipped == [] and intake.skipped_by_reason == {}
    assert intake.has_buyer is True and intake.layouts == ["旧版"]
    assert records(intake, "订单编号", "买家会员名", "买家实付金额", "总金额", "买家应付邮费", "退款金额",
                   "商品数量", "宝贝种类") == [
        (ID1, "tb_小鱼", 34.0, 34.0, 0.0, 0.0, 1.0, 1.0),
        (ID2, "tb_阿强", 1234.5, 1240.0, 5.0, 12.5, 3.0, 2.0),
        (ID3, "tb_小鱼", 34.0, 34.0, 0.0, 0.0, 1.0, 1.0),
    ]
    assert records(intake, "订单状态", "联系手机", "收货地址", "商品标题", "商家备注", "买家留言", "物流单号") == [
        ("交易成功", "182********", "江苏省 苏州市 吴江区 松陵镇 1号", "夏季新款连衣裙", None, None, "YT1234567890"),
        ("买家已付款，等待卖家发货", "0512-66668888", "江苏省 苏州市 吴江区 松陵镇 1号", "夏季新款连衣裙",
         "加急，周末发", None, None),
        ("卖家已发货，等待买家确认", "13800000000", "江苏省 苏州市 吴江区 松陵镇 1号", "夏季新款连衣裙", None, None,
         "YT1234567890"),
    ]
    assert records(intake, "订单创建时间", "订单付款时间", "确认收货时间") == [
        (dt.datetime(2026, 10, 5, 12, 30, 45), dt.datetime(2026, 10, 5, 12, 31, 2), dt.datetime(2026, 10, 9, 8, 0)),
        (dt.datetime(2026, 10, 6, 9, 15), dt.datetime(2026, 10, 6, 9, 16), None),
        (dt.datetime(2026, 10, 7, 20, 5), dt.datetime(2026, 10, 5, 12, 0), dt.datetime(2026, 10, 9)),
    ]
    assert records(intake, "店铺名称", "订单关闭原因", "买家支付宝账号", "收货人姓名", "物流公司") == [
        ("小鱼服饰", "订单未关闭", "a***@163.com", "王小鱼", "圆通速递")] * 3
    assert records(intake, "_来源", "_行") == [("ExportOrderList202610.xlsx", 2), ("ExportOrderList202610.xlsx", 3),
                                               ("ExportOrderList202610.xlsx", 4)]
    # the old layout has no 发货时间 / 商品属性SKU: present, all null, right dtype
    assert intake.orders["发货时间"].null_count() == 3 and intake.orders["商品属性SKU"].null_count() == 3


def test_schema_is_complete_and_typed(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [["订单编号", "买家会员名"], ["1", "甲"]])
    orders = read_orders([OrderSource(path)]).orders
    expected = {"text": pl.String, "number": pl.Float64, "datetime": pl.Datetime("us")}
    assert orders.schema == pl.Schema({**{c: expected[k] for c, k in ORDER_COLUMNS.items()},
                                       "_来源": pl.String, "_行": pl.Int64})
    assert orders.row(0, named=True)["订单编号"] == "1" and orders["买家实付金额"].to_list() == [None]


def test_title_rows_above_header_blank_rows_and_offset_table(tmp_path):
    """Header below title rows, table starting in column B; rows keep their sheet numbers."""
    title = [["淘宝订单报表"], ["导出时间：2026-10-31", "", "共 3 笔"], []]
    rows = [[None, "订单编号", "买家会员名", "实付金额", "订单创建时间"],
            [None, ID1, "甲", "10", "2026-10-01 10:00:00"],
            [],
            [None, ID2, "乙", "20", "2026-10-02 10:00:00"],
            [None, "   ", "", None, "  "]]
    path = write_xlsx(tmp_path / "订单.xlsx", rows, title_rows=title)
    intake = read_orders([OrderSource(path)])
    assert records(intake, "订单编号", "买家实付金额", "_行") == [(ID1, 10.0, 5), (ID2, 20.0, 7)]
    assert intake.rows_read == 2 and intake.skipped == []


def test_header_below_ten_title_rows_is_not_found(tmp_path):
    path = write_xlsx(tmp_path / "orders.xlsx", [["订单编号", "买家会员名"], ["1", "甲"]],
                      title_rows=[[f"说明 {i}"] for i in range(11)])
    with pytest.raises(InputErrors) as e:
        read_orders([OrderSource(path)])
    assert str(e.value) == ("orders.xlsx: 找不到订单表头：前 11 行中没有「订单编号」列（请确认这是淘宝/天猫导出的订单报表）")


# ---------------------------------------------------------------- new layout


def test_new_layout_has_no_buyer(tmp_path):
    row = {"订单编号": ID1, "支付单号": "1", "买家应付货款": "59.00", "买家应付邮费": "0.00", "总金额": "59.00",
           "买家实付金额": "59.00", "订单状态": "交易成功", "收货地址": "浙江省 杭州市 **** ", "运送方式": "快递",
           "订单创建时间": "2026-10-05 12:30:45", "商品标题": "羊毛围巾", "宝贝种类": "1", "物流单号": "SF100",
           "物流公司": "顺丰速运", "备注标签": "红旗", "商家备注": "送小样", "宝贝总数量": "2", "开票信息": "",
           "手机订单": "是", "商品属性SKU": "颜色分类:灰色", "发货时间": "2026-10-06 09:00:00"}
    path = write_xlsx(tmp_path / "订单报表-新版.xlsx", [NEW_HEADER, [row[h] for h in NEW_HEADER]])
    intake = read_orders([OrderSource(path)])
    assert intake.has_buyer is False and intake.layouts == ["新版"]
    assert records(intake, "订单编号", "买家会员名", "买家实付金额", "商品标题", "商品数量", "商家备注", "商品属性SKU",
                   "发货时间", "收货地址", "联系手机") == [
        (ID1, None, 59.0, "羊毛围巾", 2.0, "送小样", "颜色分类:灰色", dt.datetime(2026, 10, 6, 9), "浙江省 杭州市 ****",
         None)]
    assert intake.orders.schema["买家会员名"] == pl.String


def test_remark_tag_used_only_without_seller_remark(tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [["订单编号", "备注标签"], ["1", "红旗"]])
    assert records(read_orders([OrderSource(path)]), "商家备注") == [("红旗",)]


def test_mixed_layouts_have_no_buyer(tmp_path):
    old = write_xlsx(tmp_path / "old.xlsx", [OLD_HEADER, old_row()])
    new = write_xlsx(tmp_path / "new.xlsx", [["订单编号", "买家实付金额"], [ID2, "5"]])
    intake = read_orders([OrderSource(old), OrderSource(new)])
    assert intake.layouts == ["旧版", "新版"] and intake.has_buyer is False
    assert records(intake, "订单编号", "买家会员名") == [(ID1, "tb_小鱼"), (ID2, None)]


# ---------------------------------------------------------------- CSV


def test_gbk_csv_old_layout(tmp_path):
    rows = [OLD_HEADER,
            old_row(),
            old_row(订单编号=f'="{ID2}"', 买家会员名="tb_阿强", 订单备注="'null", 买家实际支付金额="1,234.50",
                    订单状态="买家已付款,等待卖家发货", 收货地址="广东省 深圳市 南山区 科技园 2栋",
                    订单创建时间="2026/10/6 9:05")]
    path = write_csv(tmp_path / "ExportOrderList20261031.csv", rows, encoding="gbk")
    assert path.read_bytes().decode("gbk").startswith("订单编号,买家会员名")
    intake = read_orders([OrderSource(path)])
    assert intake.layouts == ["旧版"] and intake.rows_read == 2 and intake.skipped == []
    assert records(intake, "订单编号", "买家会员名", "买家实付金额", "订单状态", "商家备注", "买家留言", "联系手机",
                   "收货地址", "订单创建时间", "_来源", "_行") == [
        (ID1, "tb_小鱼", 34.0, "交易成功", None, None, "182********", "江苏省 苏州市 吴江区 松陵镇 1号",
         dt.datetime(2026, 10, 5, 12, 30, 45), "ExportOrderList20261031.csv", 2),
        (ID2, "tb_阿强", 1234.5, "买家已付款，等待卖家发货", None, None, "182********", "广东省 深圳市 南山区 科技园 2栋",
         dt.datetime(2026, 10, 6, 9, 5), "ExportOrderList20261031.csv", 3),
    ]


def test_utf8_bom_csv(tmp_path):
    rows = [["订单编号", "买家会员名", "买家实际支付金额", "订单创建时间", "宝贝标题 "],
            [f'="{ID1}"', "tb_甲", "¥88.00", "2026-10-05", "羊毛衫"]]
    path = write_csv(tmp_path / "orders.csv", rows, encoding="utf-8-sig", trailing_comma=False)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    intake = read_orders([OrderSource(path)])
    assert records(intake, "订单编号", "买家会员名", "买家实付金额", "订单创建时间", "商品标题") == [
        (ID1, "tb_甲", 88.0, dt.datetime(2026, 10, 5), "羊毛衫")]


def test_csv_title_lines_tabs_and_blank_lines(tmp_path):
    path = tmp_path / "订单导出.csv"
    path.write_text("淘宝订单导出\t\n导出时间：2026-10-31\n订单编号\t买家会员名\t实付金额\n"
                    f"{ID1}\t甲\t10\n\n'{ID2}\t乙\t20.50\n", encoding="gb18030")
    intake = read_orders([OrderSource(path)])
    assert records(intake, "订单编号", "买家会员名", "买家实付金额", "_行") == [(ID1, "甲", 10.0, 4), (ID2, "乙", 20.5, 6)]
    assert intake.rows_read == 2


def test_csv_rows_shorter_or_longer_than_header(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text('订单编号,买家会员名,实付金额,商家备注,订单状态\n1,甲,5\n2,乙,6,备注,交易成功,,\n3,丙,"",""," "\n',
                    encoding="utf-8")
    assert records(read_orders([OrderSource(path)]), "订单编号", "买家实付金额", "商家备注", "订单状态") == [
        ("1", 5.0, None, None), ("2", 6.0, "备注", "交易成功"), ("3", None, None, None)]


def test_dates_in_every_format(tmp_path):
    values = [("2026-10-05 12:30:45", dt.datetime(2026, 10, 5, 12, 30, 45)),
              ("2026/10/5 12:30", dt.datetime(2026, 10, 5, 12, 30)),
              ("2026-10-05", dt.datetime(2026, 10, 5)),
              ("2026年10月5日 12:30", dt.datetime(2026, 10, 5, 12, 30)),
              ("2026年10月5日", dt.datetime(2026, 10, 5)),
              ("46300.5", dt.datetime(2026, 10, 5, 12)),
              ("46300", dt.datetime(2026, 10, 5)),
              ("2026-10-05T12:30:45", dt.datetime(2026, 10, 5, 12, 30, 45)),
              ("2026-10-05 12:30:45.250", dt.datetime(2026, 10, 5, 12, 30, 45, 250000)),
              ("20261005", dt.datetime(2026, 10, 5))]
    rows = [["订单编号", "订单创建时间"]] + [[str(i), v] for i, (v, _) in enumerate(values)]
    path = write_csv(tmp_path / "dates.csv", rows, encoding="utf-8")
    intake = read_orders([OrderSource(path)])
    assert intake.skipped == []
    assert intake.orders["订单创建时间"].to_list() == [want for _, want in values]


def test_excel_typed_dates_and_numbers(tmp_path):
    rows = [["订单编号", "订单创建时间", "订单付款时间", "买家实际支付金额", "联系手机", "宝贝总数量"],
            [ID1, dt.datetime(2026, 10, 5, 12, 30, 45), dt.date(2026, 10, 6), 34.0, 18212345678, 2]]
    path = write_xlsx(tmp_path / "typed.xlsx", rows)
    assert records(read_orders([OrderSource(path)]), "订单创建时间", "订单付款时间", "买家实付金额", "联系手机",
                   "商品数量") == [
        (dt.datetime(2026, 10, 5, 12, 30, 45), dt.datetime(2026, 10, 6), 34.0, "18212345678", 2.0)]


def test_csv_id_written_as_number_with_decimal(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["订单编号", "联系手机", "总金额"], ["123456.0", "18212345678.0", "34.0"]],
                     encoding="utf-8")
    assert records(read_orders([OrderSource(path)]), "订单编号", "联系手机", "总金额") == [
        ("123456", "18212345678", 34.0)]


def test_nineteen_digit_id_survives_everywhere(tmp_path):
    xlsx = write_xlsx(tmp_path / "a.xlsx", [["订单编号"], [ID1], [f'="{ID2}"'], [f"'{ID3}"]])
    csv = write_csv(tmp_path / "b.csv", [["订单编号"], [f'="{ID1}"'], [ID2], [f"\t{ID3}"]], encoding="gbk")
    for path in (xlsx, csv):
        ids = read_orders([OrderSource(path)]).orders["订单编号"].to_list()
        assert ids == [ID1, ID2, ID3]


# ---------------------------------------------------------------- .xls (LibreOffice)


def test_xls_converted_by_libreoffice(tmp_path, soffice):
    import libreoffice

    rows = [OLD_HEADER, old_row(), old_row(订单编号=ID2, 买家会员名="tb_阿强", 买家实际支付金额="59.00",
                                            订单创建时间="2026/10/6 9:05")]
    src = write_xlsx(tmp_path / "ExportOrderList.xlsx", rows)
    xls = libreoffice._convert(src, tmp_path / "out", "xls:MS Excel 97", "xls", "")
    assert xls.suffix == ".xls" and xls.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    intake = read_orders([OrderSource(xls)])
    assert records(intake, "订单编号", "买家会员名", "买家实付金额", "订单创建时间", "联系手机", "_来源", "_行") == [
        (ID1, "tb_小鱼", 34.0, dt.datetime(2026, 10, 5, 12, 30, 45), "182********", "ExportOrderList.xls", 2),
        (ID2, "tb_阿强", 59.0, dt.datetime(2026, 10, 6, 9, 5), "182********", "ExportOrderList.xls", 3),
    ]


# ---------------------------------------------------------------- merging


def test_later_export_wins(tmp_path):
    first = write_csv(tmp_path / "ExportOrderList1001.csv", [
        OLD_HEADER,
        old_row(订单编号=f'="{ID1}"', 订单状态="买家已付款，等待卖家发货", 确认收货时间=""),
        old_row(订单编号=f'="{ID2}"', 买家会员名="tb_阿强")], encoding="gbk")
    second = write_csv(tmp_path / "ExportOrderList1010.csv", [
        OLD_HEADER,
        old_row(订单编号=f'="{ID3}"', 买家会员名="tb_新客"),
        old_row(订单编号=f'="{ID1}"', 订单状态="交易成功")], encoding="gbk")
    intake = read_orders([OrderSource(first), OrderSource(second)])
    assert intake.rows_read == 4
    assert intake.duplicates_replaced == 1
    assert records(intake, "订单编号", "订单状态", "确认收货时间", "_来源", "_行") == [
        (ID2, "交易成功", dt.datetime(2026, 10, 9, 8), "ExportOrderList1001.csv", 3),
        (ID3, "交易成功", dt.datetime(2026, 10, 9, 8), "ExportOrderList1010.csv", 2),
        (ID1, "交易成功", dt.datetime(2026, 10, 9, 8), "ExportOrderList1010.csv", 3),
    ]
    # the given order decides, not the file names
    intake = read_orders([OrderSource(second), OrderSource(first)])
    assert dict(records(intake, "订单编号", "订单状态"))[ID1] == "买家已付款，等待卖家发货"


# ---------------------------------------------------------------- skipped rows


def test_bad_rows_are_skipped_with_cell_and_reason(tmp_path):
    rows = [OLD_HEADER,
            old_row(),                                                   # row 2 good
            old_row(订单编号="", 买家会员名="tb_无号"),                      # row 3 no id
            old_row(订单编号=ID2, 买家实际支付金额="三十四"),                 # row 4 bad amount
            old_row(订单编号=ID3, 订单创建时间="昨天下午"),                   # row 5 bad date
            old_row(订单编号="'null", 订单创建时间="坏"),                    # row 6 no id (first reason wins)
            old_row(订单编号="3.26812345678901E+18"),                      # row 7 id mangled by Excel
            old_row(订单编号="3268000000000000009", 退款金额="12.5元"),      # row 8 good
            old_row(订单编号="3268000000000000010", 订单创建时间="2026-13-45 10:00:00"),  # row 9 bad date
            ]
    path = write_xlsx(tmp_path / "订单.xlsx", rows, sheet="订单报表")
    intake = read_orders([OrderSource(path, "订单报表")])
    label = "订单.xlsx:订单报表"
    date_reason = "订单创建时间应为日期时间，如 2026-10-05 12:30:45"
    assert intake.skipped == [
        Problem(label, f"{COL['订单编号']}3", "缺少订单编号", None, "warning"),
        Problem(label, f"{COL['买家实际支付金额']}4", "买家实付金额应为数字", "三十四", "warning"),
        Problem(label, f"{COL['订单创建时间']}5", date_reason, "昨天下午", "warning"),
        Problem(label, "A6", "缺少订单编号", None, "warning"),
        Problem(label, "A7", "订单编号被 Excel 改成了科学计数法，无法还原（请用原始导出文件）", "3.26812345678901E+18",
                "warning"),
        Problem(label, "T9", date_reason, "2026-13-45 10:00:00", "warning"),
    ]
    assert [p.cell for p in intake.skipped] == ["A3", "K4", "T5", "A6", "A7", "T9"]
    assert str(intake.skipped[1]) == '订单.xlsx:订单报表!K4: 买家实付金额应为数字（实际为 "三十四"）'
    assert intake.skipped_by_reason == {"缺少订单编号": 2, "买家实付金额应为数字": 1, date_reason: 2,
                                        "订单编号被 Excel 改成了科学计数法，无法还原（请用原始导出文件）": 1}
    assert intake.rows_read == 8
    assert records(intake, "订单编号", "退款金额", "_来源", "_行") == [
        (ID1, 0.0, label, 2), ("3268000000000000009", 12.5, label, 8)]


def test_bad_number_in_other_columns_is_reported_by_its_own_header(tmp_path):
    path = write_csv(tmp_path / "o.csv", [["订单编号", "宝贝总数量", "退款金额", "订单付款时间"],
                                          ["1", "两件", "0", ""], ["2", "1", "abc", ""], ["3", "1", "0", "明天"]],
                     encoding="utf-8")
    intake = read_orders([OrderSource(path)])
    assert [(p.cell, p.message, p.found) for p in intake.skipped] == [
        ("B2", "商品数量应为数字", "两件"), ("C3", "退款金额应为数字", "abc"),
        ("D4", "订单付款时间应为日期时间，如 2026-10-05 12:30:45", "明天")]
    assert intake.orders.height == 0 and intake.rows_read == 3


# ---------------------------------------------------------------- sheets and errors


def test_find_order_sheets(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    for name in ("订单报表", "客服数据", "ExportOrderList202610", "订单-十一月", "exportorderlist旧"):
        wb.create_sheet(name)["A1"] = "订单编号"
    path = tmp_path / "book.xlsx"
    wb.save(path)
    assert find_order_sheets(path) == [OrderSource(path, "订单报表"), OrderSource(path, "ExportOrderList202610"),
                                       OrderSource(path, "订单-十一月"), OrderSource(path, "exportorderlist旧")]


def test_sheet_by_name_and_missing_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    ws = wb.create_sheet("订单报表")
    ws.append(["订单编号", "买家会员名"])
    ws.append(["9", "甲"])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    intake = read_orders(find_order_sheets(path))
    assert records(intake, "订单编号", "_来源", "_行") == [("9", "book.xlsx:订单报表", 2)]
    with pytest.raises(InputErrors) as e:
        read_orders([OrderSource(path, "十月订单")])
    assert str(e.value) == "book.xlsx:十月订单: 找不到工作表「十月订单」；工作簿中有：说明、订单报表"
    with pytest.raises(InputErrors) as e:  # the first sheet is read when none is named
        read_orders([OrderSource(path)])
    assert "book.xlsx: 找不到订单表头" in str(e.value)


def test_not_a_workbook(tmp_path):
    txt = tmp_path / "orders.txt"
    txt.write_text("订单编号\n1\n", encoding="utf-8")
    with pytest.raises(XlreportsError) as e:
        read_orders([OrderSource(txt)])
    assert str(e.value) == "orders.txt 不是 Excel 工作簿（.xlsx/.xlsm/.xls）或 CSV 文件，无法读取订单"

    fake = tmp_path / "orders.xlsx"
    fake.write_text("这不是工作簿", encoding="utf-8")
    with pytest.raises(XlreportsError) as e:
        read_orders([OrderSource(fake)])
    assert str(e.value) == "orders.xlsx 不是 Excel 工作簿（.xlsx/.xlsm/.xls）或 CSV 文件，无法读取订单"

    binary = tmp_path / "orders.csv"
    binary.write_bytes(b"\x00\x01\x02\xff\xfe\x00" * 10)
    with pytest.raises(XlreportsError) as e:
        read_orders([OrderSource(binary)])
    assert str(e.value) == "orders.csv 不是 Excel 工作簿（.xlsx/.xlsm/.xls）或 CSV 文件，无法读取订单"

    import zipfile
    wrong_zip = tmp_path / "report.xlsx"
    with zipfile.ZipFile(wrong_zip, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(XlreportsError) as e:
        read_orders([OrderSource(wrong_zip)])
    assert str(e.value) == "report.xlsx 不是 Excel 工作簿（.xlsx/.xlsm/.xls）或 CSV 文件，无法读取订单"

    with pytest.raises(XlreportsError) as e:
        read_orders([OrderSource(tmp_path / "nowhere.xlsx")])
    assert "找不到订单文件" in str(e.value) and "nowhere.xlsx" in str(e.value)


def test_no_order_header(tmp_path):
    path = write_csv(tmp_path / "客服.csv", [["客服", "询单人数"], ["甲", "3"]], encoding="utf-8")
    with pytest.raises(InputErrors) as e:
        read_orders([OrderSource(path)])
    assert e.value.problems == [Problem("客服.csv", None, "找不到订单表头：前 11 行中没有「订单编号」列"
                                                        "（请确认这是淘宝/天猫导出的订单报表）")]


def test_header_only_and_no_sources(tmp_path):
    path = write_csv(tmp_path / "empty.csv", [OLD_HEADER], encoding="gbk")
    intake = read_orders([OrderSource(path)])
    assert intake.orders.height == 0 and intake.rows_read == 0 and intake.layouts == ["旧版"]
    assert list(intake.orders.columns) == [*ORDER_COLUMNS, "_来源", "_行"]
    xlsx = write_xlsx(tmp_path / "empty.xlsx", [NEW_HEADER])
    intake = read_orders([OrderSource(xlsx)])
    assert intake.orders.height == 0 and intake.rows_read == 0 and intake.layouts == ["新版"]
    assert intake.orders.schema == empty_orders().schema
    nothing = read_orders([])
    assert nothing.orders.height == 0 and nothing.has_buyer is False and nothing.layouts == []
