"""Reading input sheets: xlreports.excel.read.source (file → rows) and xlreports.excel.read.tables (rows → typed records)."""
from __future__ import annotations

import csv
import datetime as dt
import time

import pytest
import fake_xlwings as fx
from openpyxl import Workbook

from xlreports.errors import InputErrors, Problem, XlreportsError
from xlreports.excel.read import csv_text
from xlreports.excel.read.orders import OrderSource, read_orders
from xlreports.excel.read.live import XlwingsRows
from xlreports.excel.read.source import (RowsSource, SheetRows, WorkbookRows, read_sheet_rows, rows_from_worksheet,
                                        sheet_names)
from xlreports.excel.read.tables import coerce, read_agent_table, read_table
from xlreports.excel.read.values import parse_number


# ---------------------------------------------------------------- fixture files


def write_xlsx(path, sheets: dict[str, list[list[object]]], merges: dict[str, list[str]] | None = None):
    """A workbook with one sheet per item; ``merges`` lists merged ranges per sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # exports write ="123" as text, not as a formula
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def write_csv(path, rows, encoding, delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def problems_of(excinfo) -> list[tuple[str, str | None, str, object]]:
    return [(p.sheet, p.cell, p.message, p.found) for p in excinfo.value.problems]


# 赤兔 售前明细, newer layout: title, blank row, group row over leaf names, "→", a trailing space.
CHITU_ROWS = [
    ["客服绩效报表 2026-10-01~2026-10-31"],
    [],
    ["客服", "汇总", None, "询单->下单", "下单->付款", None, "工作量", "客单价", "满意率", "退款率"],
    [None, "接待人数", "询单人数 ", "人数", "询单→最终付款人数", "询单→最终付款转化率", "平均响应(s)", "客单价",
     "满意率", "退款率"],
    ["张三", 320, 100, 80, 75, "75.5 %", 28.4, "1,234.50", "98%", "1.2%"],
    ["李四", "210", " 90 ", "60", '="54"', 60, "31", 980, "97%", 0.02],
    [],
    ["王五", 150, 50, 30, 20, 0.4, "--", None, "", "-"],
    ["汇总值", 680, 240, 170, 149, "62%", 30, 1100, "97%", "1%"],
    ["平均值", 226, 80, 56, 49, "62%", 30, 1100, "97%", "1%"],
]
CHITU_MERGES = ["A1:J1", "A3:A4", "B3:C3", "E3:F3"]

# 生意参谋 服务→客服绩效: full-width "（" with half-width ")", summaries at the bottom.
SYCM_ROWS = [
    ["旺旺昵称", "询单人数", "询单最终付款人数", "询单最终付款转化率", "首次响应时长（秒)", "平均响应时长（秒)",
     "客户满意率", "旺旺回复率", "询单最终付款金额", "成功退款金额"],
    ["店小二:阿花", 120, 66, "55.00%", 12.5, 25.1, "99.10%", "100.00%", "8,850.00", "120.00"],
    ["店小二:阿草", 98, 50, "51.02%", 15, 30, "98.00%", "99.50%", "6,100.00", "0.00"],
    ["全店汇总值", 218, 116, "53.21%", 13.6, 27.3, "98.60%", "99.80%", "14,950.00", "120.00"],
    ["全店平均值", 109, 58, "53.21%", 13.6, 27.3, "98.60%", "99.80%", "7,475.00", "60.00"],
    ["同行同层优秀", 300, 200, "66.67%", 8, 15, "99.90%", "100.00%", "", ""],
    ["同行同层均值", 150, 80, "53.33%", 20, 35, "98.00%", "99.00%", "", ""],
]


def chitu_table(tmp_path):
    path = write_xlsx(tmp_path / "赤兔售前明细.xlsx", {"售前明细": CHITU_ROWS}, {"售前明细": CHITU_MERGES})
    return read_agent_table(read_sheet_rows(path))


# ---------------------------------------------------------------- real export layouts


def test_chitu_title_and_two_row_grouped_header(tmp_path):
    t = chitu_table(tmp_path)
    assert (t.sheet, t.header_row) == ("售前明细", 4)
    assert t.columns == {"客服": 1, "接待人数": 2, "询单人数": 3, "下单人数": 4, "最终付款人数": 5,
                         "询单转化率": 6, "平均响应时间": 7, "客服客单价": 8, "退款率": 10}
    assert t.headers["客服"] == "客服"  # taken from the group row above the empty leaf cell
    assert t.headers["询单人数"] == "询单人数 "  # as found, trailing space included
    assert t.headers["下单人数"] == "询单->下单人数"  # group label + leaf "人数"
    assert t.headers["询单转化率"] == "询单→最终付款转化率"
    assert t.extra_headers == ["满意率"]
    assert t.warnings == []


def test_chitu_values_blank_and_summary_rows(tmp_path):
    t = chitu_table(tmp_path)
    assert [r.row for r in t.records] == [5, 6, 8]  # row 7 blank, rows 9–10 汇总值/平均值
    assert t.records[0].values == {"客服": "张三", "接待人数": 320, "询单人数": 100, "下单人数": 80,
                                   "最终付款人数": 75, "询单转化率": 0.755, "平均响应时间": 28.4,
                                   "客服客单价": 1234.5, "退款率": 0.012}
    assert t.records[1].values == {"客服": "李四", "接待人数": 210, "询单人数": 90, "下单人数": 60,
                                   "最终付款人数": 54, "询单转化率": 0.6, "平均响应时间": 31,
                                   "客服客单价": 980, "退款率": 0.02}
    assert t.records[2].values == {"客服": "王五", "接待人数": 150, "询单人数": 50, "下单人数": 30,
                                   "最终付款人数": 20, "询单转化率": 0.4, "平均响应时间": None,
                                   "客服客单价": None, "退款率": None}
    assert t.records[0].cell("询单人数") == "C5"
    assert t.records[0].cols is t.columns
    assert t.for_month("2026-10") == t.records  # no 月份 column: every record
    assert t.months() == []


def test_sycm_fullwidth_paren_and_shop_summaries(tmp_path):
    path = write_xlsx(tmp_path / "自制报表-报表查看-客服绩效_20261001_20261031_全部.xlsx", {"客服绩效": SYCM_ROWS})
    t = read_agent_table(read_sheet_rows(path, "客服绩效"), required=["询单人数", "最终付款人数"])
    assert t.header_row == 1
    assert t.columns == {"客服": 1, "询单人数": 2, "最终付款人数": 3, "询单转化率": 4, "首次响应时间": 5,
                         "平均响应时间": 6, "回复率": 8, "客服销售额": 9}
    assert t.headers["首次响应时间"] == "首次响应时长（秒)"
    assert t.extra_headers == ["客户满意率", "成功退款金额"]
    assert [r.values["客服"] for r in t.records] == ["店小二:阿花", "店小二:阿草"]
    assert t.records[0].values == {"客服": "店小二:阿花", "询单人数": 120, "最终付款人数": 66, "询单转化率": 0.55,
                                   "首次响应时间": 12.5, "平均响应时间": 25.1, "回复率": 1.0, "客服销售额": 8850.0}
    assert t.records[1].values["询单转化率"] == 0.5102


def test_two_names_for_one_field_warns_and_keeps_first(tmp_path):
    # 京东咚咚 carries both 接待量 and 售前接待人数
    rows = SheetRows("咚咚", [["客服", "接待量", "售前接待人数"], ["jd_小美", 50, 40]])
    t = read_agent_table(rows)
    assert t.columns == {"客服": 1, "接待人数": 2}
    assert t.records[0].values == {"客服": "jd_小美", "接待人数": 50}
    assert t.warnings == [Problem("咚咚", "C1", "列「售前接待人数」与「接待量」都对应「接待人数」，只使用第一列",
                                  severity="warning")]


# ---------------------------------------------------------------- CSV


def test_gbk_csv_with_chinese_headers(tmp_path):
    path = write_csv(tmp_path / "十月客服.csv", [["客服昵称", "询单数", "询单->最终付款人数", "客服销售额"],
                                                 ["张三", "100", "75", "1,234.50"],
                                                 ["", "", "", ""],
                                                 ["李四", "90", "54", "￥980"]], "gbk")
    rows = read_sheet_rows(path)
    assert rows.sheet == "十月客服"
    assert rows.rows[1] == ["张三", "100", "75", "1,234.50"]  # CSV values stay strings
    t = read_agent_table(rows)
    assert [r.values for r in t.records] == [
        {"客服": "张三", "询单人数": 100, "最终付款人数": 75, "客服销售额": 1234.5},
        {"客服": "李四", "询单人数": 90, "最终付款人数": 54, "客服销售额": 980},
    ]
    assert [r.row for r in t.records] == [2, 4]
    assert sheet_names(path) == ["十月客服"]


def test_utf8_bom_csv_and_tab_separated_utf16(tmp_path):
    bom = write_csv(tmp_path / "bom.csv", [["客服", "月份", "询单人数"], ["张三", "2026/10", "12"]], "utf-8-sig")
    t = read_agent_table(read_sheet_rows(bom))
    assert t.columns == {"客服": 1, "月份": 2, "询单人数": 3}  # no "\ufeff客服"
    assert t.records[0].values == {"客服": "张三", "月份": "2026-10", "询单人数": 12}
    tab = write_csv(tmp_path / "qianniu.csv", [["客服", "询单人数"], ["张三", "12"]], "utf-16", delimiter="\t")
    assert read_sheet_rows(tab).rows == [["客服", "询单人数"], ["张三", "12"]]


# ---------------------------------------------------------------- one rows-source protocol


def test_file_and_live_workbooks_are_one_kind_of_rows_source(tmp_path):
    path = write_xlsx(tmp_path / "shop.xlsx", {"说明": [["x"]], "客服数据": [["客服", "询单人数"], ["张三", 12]],
                                               "订单报表": [["订单编号", "买家会员名"], ["1", 123]]})
    with WorkbookRows(path) as file, XlwingsRows(fx.book_from_openpyxl(path)) as live:
        for book in (file, live):
            assert isinstance(book, RowsSource)
            assert book.names == ["说明", "客服数据", "订单报表"] and book.find(" 客服数据 ") == "客服数据"
            assert book.rows("客服数据") == SheetRows("客服数据", [["客服", "询单人数"], ["张三", 12]])
            assert book.frame("订单报表").rows() == [("1", "123")]  # 买家会员名 read as text
            assert book.frame("没有") is None
            assert [(s.path.name, s.sheet) for s in book.order_sources()] == [("shop.xlsx", "订单报表")]
            with pytest.raises(InputErrors) as e:
                book.rows("十月")
            assert str(e.value) == "十月: 找不到工作表「十月」；工作簿中有：说明、客服数据、订单报表"


# ---------------------------------------------------------------- one CSV decoder, both readers

ORDER_TEXT = "订单编号{s}买家会员名{s}买家实付金额\n1{s}甲{s}{a}\n2{s}乙{s}7\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
@pytest.mark.parametrize("sep", [",", "\t"])
def test_one_csv_decoder_for_agent_tables_and_orders(tmp_path, encoding, sep):
    """The same bytes read the same by the table reader and the order reader: every encoding, both separators."""
    amount = '"1,234.50"' if sep == "," else "1,234.50"  # a tab file does not quote the comma
    text = ORDER_TEXT.format(s=sep, a=amount)
    if encoding.endswith("-bom"):
        codec = encoding[:-4]
        data = (b"\xff\xfe" if codec == "utf-16-le" else b"\xfe\xff") + text.encode(codec)
    else:
        data = text.encode(encoding)
    path = tmp_path / "ExportOrderList.csv"
    path.write_bytes(data)
    assert read_sheet_rows(path).rows == [["订单编号", "买家会员名", "买家实付金额"], ["1", "甲", "1,234.50"],
                                          ["2", "乙", "7"]]
    assert read_orders([OrderSource(path)]).orders.select("订单编号", "买家会员名", "买家实付金额").rows() == [
        ("1", "甲", 1234.5), ("2", "乙", 7.0)]


@pytest.mark.parametrize("text, known, expected", [
    ("客服,询单人数\n张三,12\n", None, ","),
    ("客服\t询单人数\n张三\t12\n", None, "\t"),
    ("淘宝订单导出\t\n导出时间：2026-10-31\n订单编号\t买家会员名\t实付金额\n", None, "\t"),  # title lines
    ("报表,十月\n订单编号\t买家会员名\t实付金额\n", None, "\t"),  # a comma in the title line
    ("订单编号\t金额\n1\t1,234.50\n", None, "\t"),  # tie on width: the first line decides
    ("客服\t金额\n甲\t1,234,567\n", {"客服", "金额"}.__contains__, "\t"),  # known headers first
    ('订单编号,商品标题\n1,"a\tb\tc\td"\n', None, ","),  # tabs inside a quoted field
    ("订单编号\n\t3268\n", None, ","),  # one column, an id written "\t3268": a tie is a comma
    ("", None, ","),
])
def test_separator_rule(text, known, expected):
    assert csv_text.separator(text, known) == expected


def test_csv_decoder_refuses_binary_and_keeps_big_files_in_chunks():
    with pytest.raises(csv_text.NotText):
        csv_text.decode(b"\x00\xff\x00\xfe binary")
    with pytest.raises(csv_text.NotText):
        csv_text.decode("客服\n".encode() + b"\x00" * 3)  # a NUL anywhere in a small file
    with pytest.raises(csv_text.NotText):
        csv_text.to_utf8(b"\xff\xfe\x00\xd8")  # a UTF-16 BOM, then a lone surrogate
    big = ("订单编号,买家会员名\n" + "1,张三\n" * 200_000).encode("gbk")
    utf8 = csv_text.to_utf8(big)
    assert utf8 == big.decode("gbk").encode()
    head = csv_text.head(utf8)
    assert len(head.encode()) <= csv_text.HEAD_BYTES and head.endswith("\n")


# ---------------------------------------------------------------- one parser of numbers written as text


@pytest.mark.parametrize("raw, expected", [
    ("1,234.50", (1234.5, False)), ("１，２３４．５", (1234.5, False)), ('="123"', (123, False)), ("'182", (182, False)),
    ("75%", (0.75, True)), ("75.5 ％", (0.755, True)), ("¥34.00", (34.0, False)), ("￥34", (34, False)),
    ("$5", (5, False)), ("34元", (34, False)), ("-¥3", (-3, False)), ("¥-3", (-3, False)), ("−3", (-3, False)),
    ("1 234", (1234, False)), ("1e3", (1000.0, False)), (".5", (0.5, False)), ("", (None, False)),
    ("null", (None, False)), ("—", (None, False)), ("#N/A", (None, False)), ("#DIV/0!", (None, False)),
])
def test_parse_number(raw, expected):
    value = parse_number(raw)
    assert value == expected and type(value[0]) is type(expected[0])


@pytest.mark.parametrize("raw", ["nan", "inf", "abc", "12元件", "三十四", "75%元", "1.2.3", "¥", "--5", "0x10"])
def test_parse_number_refuses(raw):
    with pytest.raises(ValueError, match="^应为数字$"):
        parse_number(raw)


def test_order_amounts_use_the_same_number_parser(tmp_path):
    """Amounts polars' cast rejects go through parse_number; percents and nan are no amounts."""
    values = ["¥34.00", "34元", "１２３４．５", "−5", "1 234", "#DIV/0!", "nan", "75%", "inf"]
    path = tmp_path / "o.csv"
    path.write_text("订单编号,买家实付金额\n" + "".join(f"{i},{v}\n" for i, v in enumerate(values)), encoding="utf-8")
    intake = read_orders([OrderSource(path)])
    assert intake.orders.select("订单编号", "买家实付金额").rows() == [
        ("0", 34.0), ("1", 34.0), ("2", 1234.5), ("3", -5.0), ("4", 1234.0), ("5", None)]
    assert [(p.cell, p.found) for p in intake.skipped] == [("B8", "nan"), ("B9", "75%"), ("B10", "inf")]


# ---------------------------------------------------------------- headers


def test_header_normalisation_arrows_parens_spaces_case():
    rows = SheetRows("s", [["AGENT", "询单 → 最终付款人数", "平均响应时长（秒)", "Inquiries "],
                           ["张三", 3, 20, 4]])
    t = read_agent_table(rows)
    assert t.columns == {"客服": 1, "最终付款人数": 2, "平均响应时间": 3, "询单人数": 4}


def test_wanted_names_unknown_to_aliases_match_by_normalized_text():
    rows = SheetRows("订单", [["订单编号", "收货地址 ", "买家实际支付金额", "订单备注"],
                              ['="3268001"', "江苏省 苏州市 吴江区", "34.00", "'null"]])
    t = read_table(rows, wanted=["订单编号", "收货地址", "买家实际支付金额"], key="订单编号",
                   kinds={"订单编号": "text", "收货地址": "text"})
    assert t.columns == {"订单编号": 1, "收货地址": 2, "买家实际支付金额": 3}
    assert t.extra_headers == ["订单备注"]
    assert t.records[0].values == {"订单编号": "3268001", "收货地址": "江苏省 苏州市 吴江区", "买家实际支付金额": 34.0}


def test_wanted_subset_ignores_other_known_columns():
    rows = SheetRows("s", [["客服", "询单人数", "接待人数", "备注"], ["张三", 3, 9, "x"]])
    t = read_table(rows, wanted=["询单人数"])
    assert t.columns == {"客服": 1, "询单人数": 2}
    assert t.extra_headers == ["备注"]  # 接待人数 is known, so it is not "extra"
    assert t.records[0].values == {"客服": "张三", "询单人数": 3}


def test_custom_aliases_without_key():
    roster = {"姓名": "姓名", "名字": "姓名", "入职日期": "入职日期"}
    rows = SheetRows("名单", [["名字", "入职日期"], ["张三", "2025年3月1日"], ["李四", 45658]])
    t = read_table(rows, key=None, kinds={"姓名": "text", "入职日期": "date"},
                   aliases=lambda h: roster.get(str(h).strip()))
    assert [r.values for r in t.records] == [{"姓名": "张三", "入职日期": dt.date(2025, 3, 1)},
                                             {"姓名": "李四", "入职日期": dt.date(2025, 1, 1)}]


def test_blank_row_under_header_is_not_a_leaf_row():
    rows = SheetRows("s", [["客服", "询单人数", "接待人数"], [], ["张三", 3, 9]])
    t = read_agent_table(rows)
    assert t.header_row == 1
    assert [r.row for r in t.records] == [3]


def test_single_cell_title_row_directly_above_header_is_not_a_group_row():
    rows = SheetRows("s", [["客服绩效报表", None, None], [None, "询单人数", "接待人数"], [None, 3, 9]])
    with pytest.raises(InputErrors) as e:
        read_agent_table(rows)
    assert problems_of(e) == [("s", "2", "缺少列「客服」（可用列名：客服、客服昵称、客服名称、客服账号、旺旺、旺旺昵称、姓名、agent、name）",
                               None)]


# ---------------------------------------------------------------- coercion


@pytest.mark.parametrize("raw, expected", [
    (12, 12), (12.5, 12.5), ("1,234.50", 1234.5), (" 12 ", 12), ('="123"', 123), ("'182", 182),
    ("75%", 0.75), ("１２３．５", 123.5), ("-3", -3), ("", None), ("-", None), ("--", None), ("null", None),
    ("'null", None), ("N/A", None), ("/", None), (None, None), ("#DIV/0!", None),
])
def test_number_coercion(raw, expected):
    value = coerce(raw, "number")
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("raw, expected", [
    ("75%", 0.75), ("75.5 %", 0.755), (82.5, 0.825), ("82.5", 0.825), (0.6, 0.6), (1, 1), ("", None),
])
def test_rate_coercion(raw, expected):
    assert coerce(raw, "rate") == expected


@pytest.mark.parametrize("raw, expected", [
    (" 张三 ", "张三"), ('="3268"', "3268"), ("'182", "182"), (12.0, "12"), (12, "12"), (12.5, "12.5"),
    ("", None), ('=HYPERLINK("http://x","y")', '=HYPERLINK("http://x","y")'),
])
def test_text_coercion(raw, expected):
    assert coerce(raw, "text") == expected


@pytest.mark.parametrize("raw", ["2026-10", "2026/10", "2026.10", "2026年10月", "202610", 202610, "2026-10-05",
                                 dt.datetime(2026, 10, 17, 9, 30), dt.date(2026, 10, 31), 2026.1, "２０２６-１０"])
def test_month_coercion(raw):
    assert coerce(raw, "month") == "2026-10"


@pytest.mark.parametrize("raw", [dt.datetime(2026, 10, 5, 14, 2), dt.date(2026, 10, 5), 46300, "2026-10-05",
                                 "2026/10/5", "2026年10月5日", "2026-10-05 14:02:11", "20261005"])
def test_date_coercion(raw):
    assert coerce(raw, "date") == dt.date(2026, 10, 5)


@pytest.mark.parametrize("raw, kind, message", [
    ("abc", "number", "应为数字"), ("12元件", "number", "应为数字"), (True, "number", "应为数字"),
    ("nan", "number", "应为数字"), ("十月", "month", "应为月份，如 2026-10"), ("2026-13", "month", "应为月份，如 2026-10"),
    ("2026-02-30", "date", "应为日期，如 2026-10-05"), ("下周", "date", "应为日期，如 2026-10-05"),
])
def test_coercion_failures(raw, kind, message):
    with pytest.raises(ValueError) as e:
        coerce(raw, kind)
    assert str(e.value) == message


def test_numbers_as_text_in_a_workbook(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"客服数据": [["客服", "询单转化率", "客服销售额", "询单人数"],
                                                        ["张三", "75%", "1,234.50", '="123"']]})
    t = read_agent_table(read_sheet_rows(path))
    assert t.records[0].values == {"客服": "张三", "询单转化率": 0.75, "客服销售额": 1234.5, "询单人数": 123}


def test_formula_text_stays_data(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "客服数据"
    ws.append(["客服", "询单人数"])
    ws["A2"] = '=HYPERLINK("http://x","y")'
    ws["A2"].data_type = "s"  # text that looks like a formula, as an export may write it
    ws["B2"] = 3
    wb.save(tmp_path / "f.xlsx")
    t = read_agent_table(read_sheet_rows(tmp_path / "f.xlsx"))
    assert t.records[0].values == {"客服": '=HYPERLINK("http://x","y")', "询单人数": 3}


# ---------------------------------------------------------------- months


def month_rows():
    return SheetRows("历史", [["客服", "统计月份", "询单人数"],
                              ["张三", "2026-09", 10], ["张三", "2026年10月", 12], ["李四", dt.datetime(2026, 10, 1), 8]])


def test_same_agent_in_two_months_is_no_duplicate():
    t = read_agent_table(month_rows())
    assert t.months() == ["2026-09", "2026-10"]
    assert [(r.row, r.values["客服"]) for r in t.for_month("2026-10")] == [(3, "张三"), (4, "李四")]
    assert [r.row for r in t.for_month("2026/9")] == [2]


def test_unknown_month_names_the_month_column():
    t = read_agent_table(month_rows())
    with pytest.raises(InputErrors) as e:
        t.for_month("2026-11")
    assert problems_of(e) == [("历史", "B", "没有 2026-11 的数据；「统计月份」列中的月份有：2026-09、2026-10", None)]
    with pytest.raises(XlreportsError) as e:
        t.for_month("十一月")
    assert str(e.value) == "月份「十一月」应为月份，如 2026-10"


def test_blank_month_is_a_warning():
    t = read_agent_table(SheetRows("历史", [["客服", "月份"], ["张三", "2026-10"], ["李四", None]]))
    assert t.warnings == [Problem("历史", "B3", "缺少月份，此行不计入任何月份", severity="warning")]
    assert [r.values["客服"] for r in t.for_month("2026-10")] == ["张三"]


# ---------------------------------------------------------------- errors


def test_missing_required_column(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"客服数据": [["客服绩效报表"], [], ["客服", "接待人数", "销售"],
                                                        ["张三", 3, 5]]})
    with pytest.raises(InputErrors) as e:
        read_agent_table(read_sheet_rows(path), required=["询单人数", "接待人数", "好评数"], extra=["好评数"])
    assert problems_of(e) == [
        ("客服数据", "3", "缺少列「询单人数」（可用列名：询单人数、询单数、inquiries）", None),
        ("客服数据", "3", "缺少列「好评数」", None),
    ]


def test_text_in_numeric_cell_names_the_cell(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"客服数据": [["客服绩效"], [], ["月份", "客服", "接待人数", "询单人数"],
                                                        ["2026-10", "张三", 30, 10], ["2026-10", "李四", 20, 8],
                                                        ["2026-10", "王五", 25, 9], ["2026-10", "赵六", 25, "十二"]]})
    with pytest.raises(InputErrors) as e:
        read_agent_table(read_sheet_rows(path))
    assert problems_of(e) == [("客服数据", "D7", "应为数字", "十二")]
    assert str(e.value) == '客服数据!D7: 应为数字（实际为 "十二"）'


def test_duplicate_agent_and_missing_name_all_reported_at_once():
    rows = SheetRows("客服数据", [["客服", "询单人数"], ["甲", 1], ["乙", 2], ["丙", 3], ["张三", 4], ["乙", 5],
                                  ["张三", "x"], [None, 7]])
    with pytest.raises(InputErrors) as e:
        read_agent_table(rows)
    assert problems_of(e) == [
        ("客服数据", "A6", "客服「乙」重复（与第 3 行相同）", None),
        ("客服数据", "B7", "应为数字", "x"),
        ("客服数据", "A7", "客服「张三」重复（与第 5 行相同）", None),
        ("客服数据", "A8", "缺少客服名称", None),
    ]


def test_duplicate_agent_in_same_month():
    rows = SheetRows("历史", [["客服", "月份"], ["张三", "2026-09"], ["张三", "2026-10"], ["张三", "2026/10"]])
    with pytest.raises(InputErrors) as e:
        read_agent_table(rows)
    assert problems_of(e) == [("历史", "A4", "客服「张三」重复（与第 3 行相同）", None)]


@pytest.mark.parametrize("rows", [[], [[], [None, ""]], [["客服", "询单人数"]], [["客服", "询单人数"], [], ["汇总值", 3]],
                                  [["随便写点什么"], ["张三", 3]]])
def test_no_data_rows(rows):
    with pytest.raises(InputErrors) as e:
        read_agent_table(SheetRows("空表", rows))
    assert problems_of(e) == [("空表", None, "没有数据行（未找到表头或表头下没有数据）", None)]


def test_empty_workbook_sheet(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"空表": []})
    assert read_sheet_rows(path) == SheetRows("空表", [])
    with pytest.raises(InputErrors) as e:
        read_agent_table(read_sheet_rows(path))
    assert problems_of(e) == [("空表", None, "没有数据行（未找到表头或表头下没有数据）", None)]


# ---------------------------------------------------------------- sources


def test_sheet_names_and_missing_sheet(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", {"A": [["x"]], "B": [["y"]], "C": [["z"]]})
    assert sheet_names(path) == ["A", "B", "C"]
    assert read_sheet_rows(path, "B") == SheetRows("B", [["y"]])
    assert read_sheet_rows(path).sheet == "A"
    with pytest.raises(InputErrors) as e:
        read_sheet_rows(path, "十月")
    assert problems_of(e) == [("十月", None, "找不到工作表「十月」；工作簿中有：A、B、C", None)]


def test_missing_file(tmp_path):
    path = tmp_path / "nope.xlsx"
    with pytest.raises(XlreportsError) as e:
        read_sheet_rows(path)
    assert str(e.value) == f"找不到文件：{path}"


@pytest.mark.parametrize("name, content", [("随机.xlsx", b"\x00\x01garbage bytes\xff"),
                                           ("坏压缩.xlsx", b"PK\x03\x04 not really a zip"),
                                           ("说明.txt", "客服,询单人数\n".encode()),
                                           ("报告.docx", b"PK\x03\x04"),
                                           ("乱码.csv", b"\x00\xff\x00\xfe binary")])
def test_not_a_workbook(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(XlreportsError) as e:
        read_sheet_rows(path)
    assert type(e.value) is XlreportsError
    assert str(e.value) == f"{name} 不是 Excel 工作簿（.xlsx/.xlsm）或 CSV 文件"


def test_old_xls_says_save_as_xlsx(tmp_path):
    path = tmp_path / "旧报表.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(XlreportsError) as e:
        read_sheet_rows(path)
    assert str(e.value) == "旧报表.xls 是旧版 Excel 文件（.xls），请在 Excel 中“另存为” .xlsx 格式后再试"


def test_trailing_empty_cells_and_rows_are_trimmed(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "s"
    ws["A1"], ws["B1"] = "客服", "询单人数"
    ws["A2"], ws["B2"] = "张三", 3
    ws["F9"].number_format = "0.00"  # a formatted but empty cell far away
    ws["D5"] = "  "
    wb.save(tmp_path / "t.xlsx")
    assert read_sheet_rows(tmp_path / "t.xlsx").rows == [["客服", "询单人数"], ["张三", 3]]
    assert rows_from_worksheet(ws).rows == [["客服", "询单人数"], ["张三", 3]]


def test_large_sheet_is_fast(tmp_path):
    header = ["客服", "月份", "接待人数", "询单人数", "最终付款人数", "拍下笔数", "付款笔数", "客服销售额", "询单转化率"]
    rows = [header] + [[f"客服{i:03d}", "2026-10", 300, 100, 60, 70, 65, "12,345.60", "60%"] for i in range(600)]
    path = write_xlsx(tmp_path / "big.xlsx", {"客服数据": rows})
    start = time.perf_counter()
    t = read_agent_table(read_sheet_rows(path))
    assert time.perf_counter() - start < 2.0
    assert len(t.records) == 600
    assert t.records[-1].values["客服销售额"] == 12345.6
    assert t.records[-1].cell("询单转化率") == "I601"


def test_names_that_differ_only_in_case_are_a_warning_naming_both_rows():
    """MATCH and sheet names ignore case: "Amy" and "amy" are read as two agents, with a warning."""
    from xlreports.excel.read.source import SheetRows
    from xlreports.excel.read.tables import read_agent_table

    t = read_agent_table(SheetRows("客服数据", [["客服", "询单人数"], ["Amy", 10], ["amy", 20], ["Bo", 5]]))
    assert [r.values["客服"] for r in t.records] == ["Amy", "amy", "Bo"]
    assert [(w.cell, w.severity) for w in t.warnings if "大小写" in w.message] == [("A3", "warning")]
    assert "第 2 行的「Amy」" in next(w.message for w in t.warnings if "大小写" in w.message)
