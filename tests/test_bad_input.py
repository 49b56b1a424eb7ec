"""Bad input found by users: each case is a located error in Chinese with the workbook byte-identical,
or a warning the run prints — never a traceback, a silent change of pay or a file nobody can open.

Errors: anything that moves pay (a negative count, a rate above 100%, 付款 above 询单, a negative weight,
pay amount or 每次扣分, a band score above 分值, a level 【级别工资】 does not know). Warnings: what a shop
may legitimately have (付款笔数 above 拍下笔数), and an agent name cleaned so a workbook can hold it.
"""
from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import openpyxl
import pytest

from test_appraise import TINY_HEADER, TINY_VALUES, _refused, _tiny_book
from test_archive import order, report_lines, run, skipped_list, write_csv
from xlreports.cli import main
from xlreports.errors import InputErrors, XlreportsError
from xlreports.jobs.appraise import AppraiseOptions, appraise

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
V = TINY_VALUES
COL = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(TINY_HEADER)}


def _row(name="张三", **values):
    row = [name, "2026-10", *V]
    for header, value in values.items():
        row[TINY_HEADER.index(header)] = value
    return row


def _problems(err) -> list[tuple[str, str, str]]:
    return [(p.sheet, p.cell, p.message) for p in err.problems]


# ------------------------------------------------------------------ 客服数据


@pytest.mark.parametrize("header, value, message", [
    ("询单人数", -100, "「询单人数」不能为负数"),
    ("迟到早退次数", -3, "「迟到早退次数」不能为负数"),
    ("最终付款人数", 120, "「最终付款人数」不能大于「询单人数」（C2 为 100）"),
    ("询单人数", "205216,36", "应为数字（逗号只能作千位分隔符，如 1,234.50；小数点请用“.”）"),
    ("询单人数", "1e999", "应为数字（数值超出范围）"),
    ("询单人数", "nan", "应为数字"),
])
def test_agent_value_that_cannot_be_right_is_refused_with_its_cell(tmp_path, header, value, message):
    book = _tiny_book(tmp_path / "t.xlsx", [_row(**{header: value})])
    err = _refused(book)
    assert _problems(err) == [("客服数据", f"{COL[header]}2", message)]
    assert err.problems[0].found == value


def test_rate_above_100_percent_is_refused(tmp_path):
    book = _tiny_book(tmp_path / "t.xlsx", [["张三", "2026-10", "150%"]], header=["客服", "月份", "回复率"])
    assert _problems(_refused(book)) == [("客服数据", "C2", "「回复率」不能超过 100%")]


def test_thousands_separators_still_read(tmp_path):
    book = _tiny_book(tmp_path / "t.xlsx", [_row(询单人数="1,000.00", 最终付款人数="800", 接待人数="2，000")])
    report = appraise(book, AppraiseOptions(month="2026-10"))
    assert report.result.agents[0].agent.number("询单人数") == 1000
    assert report.result.agents[0].agent.number("接待人数") == 2000


def test_paid_orders_above_placed_orders_is_a_printed_warning(tmp_path, capsys):
    book = _tiny_book(tmp_path / "t.xlsx", [_row(付款笔数=120)])
    assert main(["appraise", str(book), "--month", "2026-10", "--no-backup"]) == 0
    out = capsys.readouterr().out
    assert "注意：客服数据!F2: 「付款笔数」不能大于「拍下笔数」（E2 为 100）（实际为 \"120\"）" in out


def _csv_book(path: Path, names: list[str]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(TINY_HEADER)
        w.writerows(_row(n) for n in names)
    return path


def _opens(path: Path) -> None:
    openpyxl.load_workbook(path).close()
    with zipfile.ZipFile(path) as z:
        assert not any(ch in z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")
                       for ch in "\x01\x0b")


@pytest.mark.parametrize("raw, clean", [("张\x01三", "张三"), ("张\x0b三", "张三"), ("张\n三", "张 三"), ("张\t三", "张 三")])
def test_agent_name_with_control_character_is_cleaned_everywhere_with_a_warning(tmp_path, capsys, raw, clean):
    book = _csv_book(tmp_path / "t.csv", [raw, "李四"])
    assert main(["appraise", str(book), "--month", "2026-10"]) == 0
    out = capsys.readouterr().out
    assert f"注意：t!A2: 含有换行、制表符或控制字符，已按「{clean}」使用" in out  # a CSV is one sheet named after it
    result = tmp_path / "t.xlsx"
    _opens(result)
    wb = openpyxl.load_workbook(result)
    assert f"考核表-{clean}" in wb.sheetnames
    assert {r[0] for r in wb["工资表"].iter_rows(min_row=2, values_only=True)} >= {clean, "李四"}
    assert clean in {r[0] for r in wb["考核数据"].iter_rows(values_only=True)}


def test_two_names_equal_after_cleaning_are_a_duplicate(tmp_path):
    book = _csv_book(tmp_path / "t.csv", ["张\x01三", "张三"])
    with pytest.raises(InputErrors) as err:
        appraise(book, AppraiseOptions(month="2026-10"))
    assert ("t", "A3", "客服「张三」重复（与第 2 行相同）") in _problems(err.value)
    assert not (tmp_path / "t.xlsx").exists()


def test_names_equal_after_truncation_get_their_own_tabs(tmp_path):
    book = _csv_book(tmp_path / "t.csv", ["A" * 40 + "1", "a" * 40 + "2"])
    report = appraise(book, AppraiseOptions(month="2026-10"))
    forms = [s for s in report.sheets if s.startswith("考核表-")]
    assert forms == ["考核表-" + "A" * 27, "考核表-" + "a" * 24 + "(2)"]


def test_month_13_is_a_message(tmp_path, capsys):
    book = _tiny_book(tmp_path / "t.xlsx")
    before = book.read_bytes()
    assert main(["appraise", str(book), "--month", "2026-13"]) == 2
    assert "错误：月份「2026-13」的格式不对，应为 2026-10 这样的年-月" in capsys.readouterr().err
    assert book.read_bytes() == before


# ------------------------------------------------------------------ 考核方案 / 客服名册


def _appraised(tmp_path) -> Path:
    book = _tiny_book(tmp_path / "t.xlsx")
    appraise(book, AppraiseOptions(month="2026-10", backup=False))
    return book


def _section_cell(ws, section: str, first: object, header: str) -> tuple[int, int]:
    """(row, col) of ``header``'s cell in the first row of 【section】 whose column A is ``first``."""
    top = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == f"【{section}】")
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(top + 1, c).value == header)
    row = next(r for r in range(top + 2, ws.max_row + 1) if first is None or ws.cell(r, 1).value == first)
    return row, col


def _edit(book: Path, sheet: str, edits: list[tuple[str, object, str, object]]) -> list[str]:
    wb = openpyxl.load_workbook(book)
    cells = []
    for section, first, header, value in edits:
        r, c = _section_cell(wb[sheet], section, first, header)
        wb[sheet].cell(r, c).value = value
        cells.append(wb[sheet].cell(r, c).coordinate)
    wb.save(book)
    return cells


@pytest.mark.parametrize("edits, message", [
    ([("指标", "询单转化率", "权重", -10), ("指标", "支付率", "权重", 65)], "指标「询单转化率」的权重不能为负数"),
    ([("档位", "询单转化率", "得分", 150)], "「询单转化率」档位的得分应在 0 到分值 100 之间"),
    ([("扣分项", "考勤", "每次扣分", -2)], "「考勤」的每次扣分不能为负数（负数会加分，使考勤超过分值）"),
    ([("方案设置", "绩效工资总额", "值", -750)], "「绩效工资总额」不能为负数"),
    ([("级别工资", "初级", "级别工资", -1)], "【级别工资】中的数值不能为负数"),
    ([("档位", "询单转化率", "得分", "1e999")], "「得分」应为数字"),
])
def test_scheme_value_that_moves_pay_is_refused_with_its_cell(tmp_path, edits, message):
    book = _appraised(tmp_path)
    cells = _edit(book, "考核方案", edits)
    err = _refused(book)
    assert ("考核方案", cells[0], message) in _problems(err)


@pytest.mark.parametrize("section, header", [("指标", "指标"), ("指标", "分值"), ("档位", "得分"), ("方案设置", "值")])
def test_cleared_scheme_header_is_a_located_error(tmp_path, section, header):
    book = _appraised(tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["考核方案"]
    r, c = _section_cell(ws, section, None, header)
    ws.cell(r - 1, c).value = None
    wb.save(book)
    err = _refused(book)
    assert _problems(err)[0] == ("考核方案", ws.cell(r - 1, c).coordinate, f"【{section}】缺少列「{header}」（第 {r - 1} 行是表头）")


def test_roster_level_that_does_not_exist_is_refused(tmp_path):
    book = _appraised(tmp_path)
    wb = openpyxl.load_workbook(book)
    ws = wb["客服名册"]
    col = next(c for c in range(1, ws.max_column + 1) if ws.cell(1, c).value == "级别")
    ws.cell(2, col).value = "特级"
    wb.save(book)
    err = _refused(book)
    assert [(p.sheet, p.cell) for p in err.problems] == [("客服名册", f"{ws.cell(2, col).column_letter}2")]
    assert err.problems[0].message.startswith("级别「特级」不在考核方案的【级别工资】中")


# ------------------------------------------------------------------ 会员规则


def test_cleared_membership_header_is_a_located_error():
    from xlreports.model.membership import default_rules
    from xlreports.rules.membership_rows import membership_rows, parse_membership_rows

    rows = membership_rows(default_rules())
    header = next(i for i, r in enumerate(rows) if r and r[0] == "等级")
    rows[header][0] = None
    with pytest.raises(InputErrors) as err:
        parse_membership_rows(rows)
    assert _problems(err.value) == [("会员规则", f"A{header + 1}", f"【会员等级】缺少列「等级」（第 {header + 1} 行是表头）")]


def test_negative_membership_threshold_and_zero_window_are_refused():
    from xlreports.model.membership import default_rules
    from xlreports.rules.membership_rows import membership_rows, parse_membership_rows

    rows = membership_rows(default_rules())
    tier = next(i for i, r in enumerate(rows) if r and r[0] == "VIP")
    window = next(i for i, r in enumerate(rows) if r and r[0] == "签收天数")
    rows[tier][1], rows[window][1] = -688, 0
    with pytest.raises(InputErrors) as err:
        parse_membership_rows(rows)
    assert ("会员规则", f"B{tier + 1}", "累计消费下限不能为负数") in _problems(err.value)
    assert ("会员规则", f"B{window + 1}", "「签收天数」应大于 0") in _problems(err.value)


# ------------------------------------------------------------------ orders


def test_order_without_buyer_and_order_in_2099_are_skipped_into_the_report(tmp_path):
    orders = write_csv(tmp_path / "ExportOrderList.csv", [
        order(1, "tb_甲", "100.00"), order(2, "", "50.00"),
        order(3, "tb_乙", "80.00", created="2099-01-01 10:00:00", paid="2099-01-01 10:01:00"),
        order(4, "tb_丙", "205216,36")])
    book = tmp_path / "店.xlsx"
    report = run(book, [orders])
    assert report.skipped == 3
    skipped = skipped_list(book)
    assert [(s[1], s[2]) for s in skipped] == [
        ("B3", "缺少买家会员名（无法归入任何客户档案）"),
        ("N4", "订单创建时间晚于今天，不可能是已发生的订单"),
        ("G5", "买家实付金额应为数字")]
    assert report_lines(book)  # the report is there, with its counts
