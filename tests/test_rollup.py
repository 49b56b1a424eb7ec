"""Daily rows and several accounts rolled up to one row per person per month (issue 10 items 1–2).

Worked examples with exact figures: three agents × 31 days whose daily volumes differ so much that a
plain average of daily rates would land in another band; a rate-only export weighted by its base;
missing days stated; a person with two accounts in two shops; an unmatched account; the roster's
accounts in one cell and on several rows; and the month appraised from daily rows equal, cell for
cell after LibreOffice recalculated both, to the month appraised from the same rows summed by hand.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from xlreports.engine.rollup import AccountBook, DayRow, roll_up
from xlreports.errors import InputErrors
from xlreports.excel.read.source import SheetRows
from xlreports.excel.read.tables import read_agent_table
from xlreports.jobs.appraise import AppraiseOptions, appraise

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

DAILY_HEADER = ["日期", "客服", "询单人数", "最终付款人数", "拍下笔数", "付款笔数", "客服销售额", "客服客单价", "店铺客单价",
                "接待人数", "回复人数", "平均响应时间", "工作任务", "工作态度", "迟到早退次数", "请假天数"]
OCT = [dt.date(2026, 10, d) for d in range(1, 32)]


def _day(name, day, asked, paid, placed, received, replied, resp, task, attitude, late=0):
    """One day of one agent: 付款笔数 = 最终付款人数, 客服客单价 165 (销售额 = 165 × paid), 店铺客单价 150."""
    return [day, name, asked, paid, placed, paid, 165 * paid, 165, 150, received, replied, resp, task, attitude, late, 0]


def three_agents() -> list[list]:
    """甲: 30 quiet days at 40% and one 700-inquiry day at 90%; 乙: 31 even days; 丙: one 900-inquiry
    day at 45% and 30 quiet days at 90%, with a slow big day (60 s over 1,000 received)."""
    rows = []
    for d in OCT:
        big = d.day == 31
        rows.append(_day("甲", d, 700 if big else 10, 630 if big else 4, 660 if big else 5, 1000 if big else 20,
                         1000 if big else 20, 28, 8, 4, late=1 if d.day == 3 else 0))
        rows.append(_day("乙", d, 20, 13, 14, 40, 39, 25, 9, 5))
        first = d.day == 1
        rows.append(_day("丙", d, 900 if first else 10, 405 if first else 9, 500 if first else 10,
                         1000 if first else 20, 1000 if first else 19, 60 if first else 20, 7, 3))
    return rows


# The same data summed by hand: counts added; 客服客单价 = 销售额 ÷ 付款人数 = 165; 店铺客单价 150 every day;
# 平均响应时间 weighted by 接待人数: 甲 28, 乙 25, 丙 (1000×60 + 600×20) / 1600 = 45.
BY_HAND = {
    #     询单  付款  拍下  付款笔数 销售额       客单价 店铺  接待  回复  响应 任务 态度 迟到 请假
    "甲": [1000, 750, 810, 750, 165 * 750, 165, 150, 1600, 1600, 28, 8, 4, 1, 0],
    "乙": [620, 403, 434, 403, 165 * 403, 165, 150, 1240, 1209, 25, 9, 5, 0, 0],
    "丙": [1200, 675, 800, 675, 165 * 675, 165, 150, 1600, 1570, 45, 7, 3, 0, 0],
}


def _book(path: Path, header: list, rows: list[list], roster: list[list] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客服数据"
    ws.append(header)
    for row in rows:
        ws.append(row)
    if roster is not None:
        rs = wb.create_sheet("客服名册")
        for row in roster:
            rs.append(row)
    wb.save(path)
    return path


def _records(header, rows):
    return read_agent_table(SheetRows("客服数据", [header, *rows])).records


def _roll(header, rows, book=None):
    recs = _records(header, rows)
    cols = [c for c in recs[0].cols if c not in ("客服", "月份", "日期")]
    days = [DayRow(r.values["客服"], r.values["月份"], r.values["日期"], {c: r.values[c] for c in cols}) for r in recs]
    return roll_up(days, cols, book)


# ------------------------------------------------------------------ the roll-up itself


def test_three_agents_roll_up_to_the_exact_monthly_counts_and_rates():
    rolled = _roll(DAILY_HEADER, three_agents())
    by = {p.person: p for p in rolled.rows}
    assert [p.person for p in rolled.rows] == ["甲", "乙", "丙"]
    cols = DAILY_HEADER[2:]
    for name, hand in BY_HAND.items():
        assert [by[name].values[c] for c in cols] == hand, name
        assert len(by[name].days) == 31 and by[name].missing == []
    assert rolled.weights == {"客服客单价": "由月合计重算：「客服销售额」÷「最终付款人数」",
                              "店铺客单价": "按「最终付款人数」加权", "平均响应时间": "按「接待人数」加权",
                              "工作任务": "取最后填写的值", "工作态度": "取最后填写的值"}


def test_the_plain_average_of_daily_rates_would_score_other_bands(tmp_path):
    """询单转化率 (bands 75/65/50): 甲 750/1000 = 75% → 100, the daily average 41.6% → 0; 丙 675/1200 = 56.25%
    → 60, the average 88.5% → 100. 回复率: 丙 1570/1600 = 98.125% → 80, average 95.2% → 60. 平均响应时间:
    丙 45 s → 80, average 21.3 s → 100. 支付率: 甲 750/810 = 92.59% → 100, average 80.5% → 60."""
    daily = three_agents()
    avg = lambda name, num, den: sum(r[num] / r[den] for r in daily if r[1] == name) / 31  # noqa: E731
    assert round(avg("甲", 3, 2), 4) == 0.4161 and round(avg("丙", 3, 2), 4) == 0.8855
    assert round(avg("丙", 10, 9), 4) == 0.9516 and round(avg("甲", 5, 4), 4) == 0.805
    report = appraise(_book(tmp_path / "daily.xlsx", DAILY_HEADER, daily), AppraiseOptions(month="2026-10"))
    kpi = {a.agent.name: a.kpis for a in report.result.agents}
    assert kpi["甲"]["询单转化率"].value == 0.75 and kpi["甲"]["询单转化率"].score == 100
    assert kpi["丙"]["询单转化率"].value == 0.5625 and kpi["丙"]["询单转化率"].score == 60
    assert kpi["乙"]["询单转化率"].value == 0.65 and kpi["乙"]["询单转化率"].score == 80
    assert kpi["丙"]["回复率"].value == 0.98125 and kpi["丙"]["回复率"].score == 80
    assert kpi["丙"]["响应时间"].value == 45 and kpi["丙"]["响应时间"].score == 80
    assert kpi["甲"]["支付率"].value == 750 / 810 and kpi["甲"]["支付率"].score == 100
    assert {a.agent.name: a.total for a in report.result.agents} == {"甲": 93.0, "乙": 89.0, "丙": 69.0}


def test_a_rate_only_export_is_weighted_by_its_base():
    """询单转化率 without 最终付款人数: (10×0.40 + 90×0.80) / 100 = 0.76, not (0.40 + 0.80) / 2 = 0.60;
    回复率 without 回复人数 by 接待人数: (100×0.90 + 300×1.00) / 400 = 0.975."""
    header = ["日期", "客服", "询单人数", "询单转化率", "接待人数", "回复率"]
    rows = [["2026-10-01", "甲", 10, "40%", 100, 0.9], ["2026-10-02", "甲", 90, "80%", 300, "100%"]]
    rolled = _roll(header, rows)
    assert rolled.rows[0].values == {"询单人数": 100, "询单转化率": pytest.approx(0.76, abs=1e-15),
                                     "接待人数": 400, "回复率": 0.975}
    assert rolled.weights == {"询单转化率": "按「询单人数」加权", "回复率": "按「接待人数」加权"}


def test_a_rate_without_its_base_is_left_blank_never_averaged():
    rolled = _roll(["日期", "客服", "回复率"], [["2026-10-01", "甲", 0.9], ["2026-10-02", "甲", 1.0]])
    assert rolled.rows[0].values == {"回复率": None} and rolled.unrolled == ["回复率"]


def test_dates_in_every_form_and_daily_rows_are_not_duplicates():
    rows = [["2026-10-01", "甲", 1], [dt.datetime(2026, 10, 2), "甲", 2], [46298, "甲", 3], ["10月4日", "甲", 4],
            ["20261005", "甲", 5], ["2026/10/06", "甲", 6]]
    recs = _records(["日期", "客服", "询单人数"], rows)
    assert [r.values["日期"] for r in recs] == [dt.date(2026, 10, d) for d in range(1, 7)]
    assert {r.values["月份"] for r in recs} == {"2026-10"}
    with pytest.raises(InputErrors, match="客服「甲」重复（与第 2 行相同）"):
        _records(["日期", "客服", "询单人数"], [["2026-10-01", "甲", 1], ["2026-10-01", "甲", 2]])


def test_missing_days_are_stated_per_agent(tmp_path):
    """An agent with 20 of 31 days: a warning and the 考核数据 row say which days are missing."""
    rows = [r for r in three_agents() if r[1] != "乙" or r[0].day <= 20]
    report = appraise(_book(tmp_path / "gaps.xlsx", DAILY_HEADER, rows), AppraiseOptions(month="2026-10"))
    msgs = [p.message for p in report.warnings]
    assert "客服「乙」2026-10 只有 20/31 天的数据（缺 10月21日—10月31日），按这些天的合计考核" in msgs
    assert not any("「甲」" in m and "天的数据" in m for m in msgs)
    ws = openpyxl.load_workbook(tmp_path / "gaps.xlsx")["考核数据"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "乙")
    assert row[header.index("天数")] == "20/31" and row[header.index("缺少的日期")] == "10月21日—10月31日"
    assert row[header.index("询单人数")] == 400  # 20 days × 20
    notes = [r[0] for r in ws.iter_rows(min_row=6, values_only=True) if r[0]]
    assert "「平均响应时间」按「接待人数」加权" in notes
    assert ws.cell(1, header.index("平均响应时间") + 1).comment.text == "按日/按账号汇总：按「接待人数」加权"


# ------------------------------------------------------------------ accounts → people


ACCOUNT_HEADER = ["日期", "客服", "询单人数", "最终付款人数", "接待人数", "回复人数", "拍下笔数", "付款笔数", "客服客单价",
                  "店铺客单价", "平均响应时间"]


def _accounts_rows():
    """Scheme A's other inputs held constant: 拍下 = 询单, 付款笔数 = 付款人数, 客单价 165 / 150, 30 s."""
    return [[*r, r[2], r[3], 165, 150, 30] for r in _account_counts()]


def _account_counts():
    return [["2026-10-01", "店铺A:小美", 100, 80, 200, 198], ["2026-10-01", "店铺B：小美", 50, 20, 100, 90],
            ["2026-10-02", "店铺A:小美", 30, 30, 60, 60],
            ["2026-10-01", "店铺A:jie", 10, 5, 20, 20], ["2026-10-01", "店铺B:jie2", 10, 6, 20, 19],
            ["2026-10-02", "jie3", 20, 10, 40, 40], ["2026-10-01", "店铺C:路人", 99, 99, 99, 99],
            ["2026-10-02", "店铺C:路人", 1, 1, 1, 1]]


ROSTER = [["客服", "账号", "级别"], ["小美", "小美", None], ["阿杰", "店铺A:jie、店铺B：jie2", None], ["阿杰", "jie3", None]]


def test_a_person_with_two_accounts_in_two_shops_is_one_appraisal(tmp_path):
    """小美 = 店铺A:小美 + 店铺B：小美 (full-width colon) matched by the roster's "小美": 询单 180, 付款 130;
    阿杰's accounts from one cell (、) and a second row: 询单 40, 付款 21; 店铺C:路人 is no one's."""
    path = _book(tmp_path / "acc.xlsx", ACCOUNT_HEADER, _accounts_rows(), ROSTER)
    report = appraise(path, AppraiseOptions(month="2026-10", scheme=None))
    agents = {a.agent.name: a.agent.values for a in report.result.agents}
    assert sorted(agents) == ["小美", "阿杰"]
    assert {k: agents["小美"][k] for k in ACCOUNT_HEADER[2:6]} == {"询单人数": 180, "最终付款人数": 130,
                                                                "接待人数": 360, "回复人数": 348}
    assert {k: agents["阿杰"][k] for k in ACCOUNT_HEADER[2:6]} == {"询单人数": 40, "最终付款人数": 21,
                                                                "接待人数": 80, "回复人数": 79}
    assert report.result.agent("小美").kpis["询单转化率"].value == 130 / 180
    unmatched = [p for p in report.warnings if "路人" in p.message]
    assert [str(p) for p in unmatched] == [
        "客服数据!B8、B9: 账号「店铺C:路人」不在「客服名册」的账号中，未计入任何人的考核（请在名册的「账号」列中补上）"]
    ws = openpyxl.load_workbook(path)["考核数据"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, max_row=3, values_only=True)}
    assert rows["小美"][header.index("账号")] == "店铺A:小美、店铺B：小美"
    assert rows["阿杰"][header.index("账号")] == "店铺A:jie、店铺B:jie2、jie3"
    assert rows["小美"][header.index("天数")] == "2/31"
    notes = [r[0] for r in ws.iter_rows(min_row=4, values_only=True) if r[0]]
    assert "未匹配「客服名册」账号、未计入考核的账号：店铺C:路人" in notes
    assert "路人" not in {ws.title for ws in openpyxl.load_workbook(path).worksheets}


def test_without_a_roster_each_account_is_a_person(tmp_path):
    path = _book(tmp_path / "none.xlsx", ACCOUNT_HEADER, _accounts_rows())
    report = appraise(path, AppraiseOptions(month="2026-10"))
    assert [a.agent.name for a in report.result.agents] == ["店铺A:小美", "店铺B：小美", "店铺A:jie", "店铺B:jie2",
                                                            "jie3", "店铺C:路人"]
    assert report.result.agent("店铺A:小美").agent.values["询单人数"] == 130


def test_account_matching_rules():
    book = AccountBook()
    assert book.add("小美", "小美") is None and book.add("阿杰", "店铺B:小美") is None
    assert book.person("店铺A:小美") == "小美"  # the part after the colon
    assert book.person("店铺B：小美") == "阿杰"  # the full name first, full-width colon alike
    assert book.person("店铺B:小美2") is None and book.person("小") is None


def test_an_account_given_to_two_people_is_a_located_error(tmp_path):
    roster = [["客服", "账号"], ["小美", "店铺A:mei"], ["阿杰", "店铺A：mei"]]
    with pytest.raises(InputErrors, match="客服名册!B3: 账号「店铺A：mei」同时属于「小美」和「阿杰」"):
        appraise(_book(tmp_path / "two.xlsx", ACCOUNT_HEADER, _accounts_rows(), roster),
                 AppraiseOptions(month="2026-10"))


def test_a_monthly_sheet_with_accounts_sums_them_and_keeps_typed_inputs_by_person(tmp_path):
    """No 日期: one row per account per month; 小美's two accounts are one person and her form is keyed 小美."""
    header = ["客服", "月份", *ACCOUNT_HEADER[2:]]
    rows = [["店铺A:小美", "2026-10", 100, 80, 200, 190, 100, 80, 165, 150, 30],
            ["店铺B:小美", "2026-10", 50, 40, 100, 100, 50, 40, 165, 150, 30],
            ["阿杰", "2026-10", 10, 5, 20, 20, 10, 5, 165, 150, 30]]
    path = _book(tmp_path / "m.xlsx", header, rows, [["客服", "账号"], ["小美", "店铺A:小美\n店铺B:小美"], ["阿杰", None]])
    report = appraise(path, AppraiseOptions(month="2026-10"))
    assert report.result.agent("小美").agent.values["询单人数"] == 150
    assert "天数" not in [c.value for c in openpyxl.load_workbook(path)["考核数据"][1]]
    again = appraise(path, AppraiseOptions(month="2026-10"))  # the re-run reads back inputs keyed by person
    assert again.result.agent("小美").total == report.result.agent("小美").total
    assert any(k.startswith("2026-10|小美|") for k in _manifest_keys(path))


def _manifest_keys(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)["_xlreports"]
    return [str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "|" in c.value]


# ------------------------------------------------------------------ daily == summed by hand, in LibreOffice


def _values(path: Path) -> dict[str, dict[tuple[int, int], object]]:
    wb = openpyxl.load_workbook(path, data_only=True)
    return {ws.title: {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in wb.worksheets}


def test_daily_data_appraises_cell_for_cell_like_the_month_summed_by_hand(tmp_path, soffice):
    from formula_check import assert_all_equal
    from libreoffice import recalculate

    daily_rows = three_agents()
    for r in daily_rows:  # dates as people paste them: text, Excel serials, 10月N日
        d = r[0]
        r[0] = {0: d.isoformat(), 1: (d - dt.date(1899, 12, 30)).days, 2: f"{d.month}月{d.day}日"}[d.day % 3]
    (tmp_path / "daily").mkdir()
    (tmp_path / "hand").mkdir()
    daily = _book(tmp_path / "daily" / "shop.xlsx", DAILY_HEADER, daily_rows)
    hand = _book(tmp_path / "hand" / "shop.xlsx", ["客服", "月份", *DAILY_HEADER[2:]],
                 [[n, "2026-10", *v] for n, v in BY_HAND.items()])
    reports = {}
    for path in (daily, hand):
        reports[path] = appraise(path, AppraiseOptions(month="2026-10"))
    got = {}
    for path, report in reports.items():
        out = recalculate(path, path.parent / "recalc")
        assert assert_all_equal(report.book, out) > 200
        got[path] = _values(out)
    a, b = got[daily], got[hand]
    data_cols = len([c for (r, c) in b["考核数据"] if r == 1])
    a["考核数据"] = {(r, c): v for (r, c), v in a["考核数据"].items() if c <= data_cols and r <= 4}
    skip = {"客服数据"}  # the inputs differ on purpose: 93 daily rows against 3 summed ones
    for sheet in b:
        if sheet in skip:
            continue
        diff = {k: (a[sheet].get(k), v) for k, v in b[sheet].items() if a[sheet].get(k) != v}
        diff.update({k: (v, None) for k, v in a[sheet].items() if k not in b[sheet]})
        assert not diff, f"{sheet}: {sorted(diff.items())[:10]}"
    assert set(a) == set(b)
