"""工资表 to 实发: 个税 by 累计预扣法 (engine/tax.py) on worked examples across a year, and the live
工资表 with 计算个税 on — typed deductions carried over, 考核历史 keeping the year to date, every formula
equal to the engine after LibreOffice and Gnumeric recalculate."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from xlreports.engine.records import HistoryRow
from xlreports.engine.tax import YearToDate, cumulative_tax, withhold, year_to_date
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.rules.scheme_files import builtin_scheme, scheme_to_dict
from xlreports.rules.scheme_rows import parse_scheme_rows, scheme_to_rows

from formula_check import assert_all_equal, poisoned

ROOT = Path(__file__).resolve().parents[1]
MONTHS = ("2026-08", "2026-09", "2026-10")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _year(gross: float, special: float, additional: float, months: range) -> list[float]:
    """Each month's 个税 for a person paid the same every month, going through 考核历史 rows."""
    history: list[HistoryRow] = []
    taxes = []
    for m in months:
        month = f"2026-{m:02d}"
        tax = withhold(year_to_date(history, "x", month), gross, special, additional)
        history.append(HistoryRow(month, "x", 0.0, 1, 1, income=gross, special=special, additional=additional, tax=tax))
        taxes.append(tax)
    return taxes


def test_the_table_and_its_quick_deductions():
    # at each bracket's top the two neighbouring formulas agree (the quick deductions are consistent)
    assert [cumulative_tax(t) for t in (36000, 144000, 300000, 420000, 660000, 960000)] == \
        [1080.0, 11880.0, 43080.0, 73080.0, 145080.0, 250080.0]
    assert cumulative_tax(1_000_000) == 1_000_000 * 0.45 - 181920


def test_10000_a_month_with_1000_social_insurance_and_2000_additional():
    # (10,000 − 5,000 − 1,000 − 2,000) = 2,000 a month: 24,000 by December, inside the 3% bracket all year
    assert _year(10000, 1000, 2000, range(1, 13)) == [60.0] * 12


def test_the_tax_bureau_example_across_a_year_with_both_bracket_changes():
    # 18,500 a month taxable: 37,000 in February (10%), 148,000 in August (20%)
    taxes = _year(30000, 4500, 2000, range(1, 13))
    assert taxes == [555.0, 625.0, 1850.0, 1850.0, 1850.0, 1850.0, 1850.0, 2250.0, 3700.0, 3700.0, 3700.0, 3700.0]
    assert sum(taxes) == cumulative_tax(18500 * 12) == 27480.0


def test_a_person_who_starts_in_july():
    # 15,000 a month, nothing else: the basic deduction counts July..December only (6 × 5,000);
    # 10,000 a month taxable crosses 36,000 in October: 40,000 × 10% − 2,520 − 900 = 580
    assert _year(15000, 0, 0, range(7, 13)) == [300.0, 300.0, 300.0, 580.0, 1000.0, 1000.0]


def test_below_the_threshold_pays_nothing_every_month():
    assert _year(5500, 600, 0, range(1, 13)) == [0.0] * 12
    assert _year(4800, 0, 0, range(1, 13)) == [0.0] * 12


def test_january_restarts_and_a_month_that_recorded_no_pay_is_not_counted():
    history = [HistoryRow("2025-12", "x", 0, 1, 1, income=30000.0, tax=2000.0),
               HistoryRow("2026-01", "x", 0, 1, 1),  # paid before 计算个税 was on: no pay recorded
               HistoryRow("2026-02", "y", 0, 1, 1, income=9000.0)]
    assert year_to_date(history, "x", "2026-03") == YearToDate()
    assert withhold(YearToDate(), 6000, 0, 0) == 30.0


def test_a_lower_month_later_in_the_year_withholds_nothing_rather_than_refunding():
    ytd = YearToDate(1, 30000.0, 0.0, 0.0, withhold(YearToDate(), 30000, 0, 0))
    assert ytd.tax == 750.0
    assert withhold(ytd, 0, 0, 0) == 0.0  # cumulative 20,000 → 600 < 750 already withheld


def test_the_setting_round_trips_and_is_absent_from_the_sheet_when_off():
    a = builtin_scheme("A")
    assert a.income_tax == "off" and not any(r and r[0] == "计算个税" for r in scheme_to_rows(a))
    a.income_tax = "on"
    rows = scheme_to_rows(a)
    assert [r[:2] for r in rows if r and r[0] == "计算个税"] == [["计算个税", "是"]]
    assert parse_scheme_rows(rows).scheme == a


# --------------------------------------------------------------------------- the workbook


TYPED = {"小美": {"社保个人": 1000, "公积金个人": 500, "专项附加扣除": 2000, "事假扣款": 100, "其他扣款": 50},
         "阿杰": {"社保个人": 300, "迟到扣款": 20}}
BONUS = {"小美": 20000}  # puts 小美 over 36,000 taxable in October


@pytest.fixture(scope="module")
def taxed(tmp_path_factory):
    """The sample, scheme A with 计算个税 是, appraised 2026-08..10; each month the deductions typed into
    工资表 and the month re-run (as HR does), so 考核历史 carries the year to date."""
    folder = tmp_path_factory.mktemp("tax")
    book = folder / "shop.xlsx"
    subprocess.run([sys.executable, str(ROOT / "samples" / "make_sample.py"), str(book)], check=True,
                   capture_output=True, timeout=60)
    scheme = scheme_to_dict(builtin_scheme("A"))
    scheme["income_tax"] = "on"
    scheme_file = folder / "a_tax.json"
    scheme_file.write_text(json.dumps(scheme, ensure_ascii=False), encoding="utf-8")
    reports = []
    for m in MONTHS:
        first = appraise(book, AppraiseOptions(month=m, scheme=str(scheme_file), backup=False))
        wb = openpyxl.load_workbook(book)
        ws = wb["工资表"]
        head = {c.value: c.column for c in ws[2] if c.value}
        rows = {ws.cell(r, head["客服"]).value: r for r in range(3, ws.max_row + 1)}
        for agent, fields in TYPED.items():
            for label, value in {**fields, **({"奖金": BONUS[agent]} if agent in BONUS else {})}.items():
                ws.cell(rows[agent], head[label]).value = value
        wb.save(book)
        assert first.result.agent("小美").tax >= 0
        reports.append(appraise(book, AppraiseOptions(month=m, scheme=str(scheme_file), backup=False)))
    return book, reports


def test_payroll_columns_and_figures_with_tax_on(taxed):
    book, reports = taxed
    wb = openpyxl.load_workbook(book)
    ws = wb["工资表"]
    heads = [c.value for c in ws[2]]
    assert heads[10:] == ["应发合计", "事假扣款", "迟到扣款", "社保个人", "公积金个人", "其他扣款", "专项附加扣除", "个税",
                          "实发工资", "签字"]
    # 小美's three months through the engine by hand: the year to date is Aug (+ Sep) as 考核历史 kept them
    ytd = YearToDate()
    for report in reports:
        r = report.result.agent("小美")
        income = round(r.gross - 100, 2)
        assert (r.income, r.special, r.additional) == (income, 1500.0, 2000.0)
        assert r.ytd == ytd
        assert r.tax == withhold(ytd, income, 1500, 2000) > 0
        assert r.net == round(r.gross - 1650 - r.tax, 2)
        ytd = ytd.add(income, 1500.0, 2000.0, r.tax)
    taxes = [rep.result.agent("小美").tax for rep in reports]
    assert taxes[2] > taxes[1] * 2  # October crosses 36,000 cumulative: 10%
    jie = reports[-1].result.agent("阿杰")
    assert jie.tax == 0.0 and jie.net == round(jie.gross - 320, 2)
    history = wb["考核历史"]
    hhead = [c.value for c in history[1]]
    assert hhead[8:12] == ["计税收入", "专项扣除", "专项附加扣除", "个税"]
    kept = {(row[0], row[1]): row[8:12] for row in history.iter_rows(min_row=2, values_only=True)}
    aug = reports[0].result.agent("小美")
    assert kept[("2026-08", "小美")] == (aug.income, 1500, 2000, aug.tax)
    # the 个税 cell is a formula; the deductions are typed values carried over
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "小美")
    assert str(ws.cell(row, heads.index("个税") + 1).value).startswith("=MAX(0,ROUND(MAX(")
    assert ws.cell(row, heads.index("社保个人") + 1).value == 1000


def test_tax_and_net_formulas_equal_the_engine_in_libreoffice(taxed, soffice, tmp_path):
    from libreoffice import recalculate

    book, reports = taxed
    copy, count = poisoned(book, tmp_path / "poisoned")
    compared = assert_all_equal(reports[-1].book, recalculate(copy, tmp_path))
    assert compared == count > 500


def test_tax_and_net_formulas_equal_the_engine_in_gnumeric(taxed, tmp_path):
    from gnumeric import available, recalculate

    available()
    book, reports = taxed
    copy, count = poisoned(book, tmp_path / "poisoned")
    compared = assert_all_equal(reports[-1].book, recalculate(copy, tmp_path), "Gnumeric")
    assert compared == count > 500


def test_with_tax_off_the_payroll_has_deductions_and_net_only(taxed, tmp_path):
    book = tmp_path / "off.xlsx"
    subprocess.run([sys.executable, str(ROOT / "samples" / "make_sample.py"), str(book)], check=True,
                   capture_output=True, timeout=60)
    report = appraise(book, AppraiseOptions(month="2026-10", backup=False))
    ws = openpyxl.load_workbook(book)["工资表"]
    assert [c.value for c in ws[2]][11:] == ["事假扣款", "迟到扣款", "社保个人", "公积金个人", "其他扣款", "实发工资", "签字"]
    assert all(r.net == r.gross and r.tax == 0 for r in report.result.agents)
    assert [c.value for c in openpyxl.load_workbook(book)["考核历史"][1]] == \
        ["月份", "客服", "总分", "排名", "人数", "绩效工资", "结果档位", "方案"]
    shutil.rmtree(tmp_path, ignore_errors=True)
