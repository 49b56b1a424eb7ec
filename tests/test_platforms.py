"""JD 咚咚, 拼多多 and 抖店 飞鸽 exports read like the Taobao ones; durations and rates in every form;
a missing column's error names the column that may be it; two platforms in one sheet or in two sheets."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from xlreports.errors import InputErrors, Problem
from xlreports.excel.read.source import SheetRows, WorkbookRows, read_sheet_rows
from xlreports.excel.read.agent_columns import agent_sheets
from xlreports.excel.read.tables import read_agent_table
from xlreports.excel.read.values import parse_duration, parse_rate, read_rates
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.model.fields import PLATFORMS, canonical

from test_tables import write_xlsx

README = Path(__file__).resolve().parents[1] / "README.md"


# ---------------------------------------------------------------- the vocabulary and the README table


def test_every_platform_header_reads_as_its_field():
    for platform, header, field, _ in PLATFORMS:
        assert canonical(header) == field or (canonical(header) is None and field == header), (platform, header)


def test_readme_lists_the_platform_mapping():
    text = README.read_text(encoding="utf-8")
    for platform, header, field, note in PLATFORMS:
        assert f"| {platform} | {header} | {field} | {note} |" in text, header


# ---------------------------------------------------------------- 京东 咚咚 (xlsx)

JD_ROWS = [
    ["京东咚咚 客服绩效 2026-10-01 至 2026-10-31"],
    [],
    ["客服", "接待量", "首次平均响应时间", "平均响应时间", "30s应答率", "促成下单商品金额", "促成下单人数",
     "售前接待人数", "满意率"],
    ["jd店:小美", 420, "00:00:12", "00:01:30", "95.5%", "12,345.60", 88, 300, "99%"],
    ["jd店:阿强", "310", 18, "1分30秒", "98.00%", 9876, "61", 250, "97.5%"],
    ["合计", 730, 15, "1:30", "96%", "22,221.60", 149, 550, "98%"],
]


def test_jd_dongdong_layout(tmp_path):
    path = write_xlsx(tmp_path / "咚咚客服绩效.xlsx", {"客服数据": JD_ROWS})
    t = read_agent_table(read_sheet_rows(path), extra=["满意率"])
    assert t.header_row == 3
    assert t.columns == {"客服": 1, "接待人数": 2, "首次响应时间": 3, "平均响应时间": 4, "30秒应答率": 5,
                         "客服销售额": 6, "下单人数": 7, "满意率": 9}
    assert [r.values for r in t.records] == [
        {"客服": "jd店:小美", "接待人数": 420, "首次响应时间": 12, "平均响应时间": 90, "30秒应答率": 0.955,
         "客服销售额": 12345.6, "下单人数": 88, "满意率": 0.99},
        {"客服": "jd店:阿强", "接待人数": 310, "首次响应时间": 18, "平均响应时间": 90, "30秒应答率": 0.98,
         "客服销售额": 9876, "下单人数": 61, "满意率": 0.975},
    ]
    assert [r.platform for r in t.records] == ["京东 咚咚"] * 2
    assert t.sources == [("客服数据", 3, "京东 咚咚")]
    assert t.warnings == [Problem("客服数据", "H3", "列「售前接待人数」与「接待量」都对应「接待人数」，只使用第一列",
                                  severity="warning")]


# ---------------------------------------------------------------- 拼多多 (CSV in GBK)

PDD_ROWS = [
    ["拼多多 客服数据 2026年10月"],
    ["客服账号", "客服服务分", "咨询人数", "询单人数", "最终成团人数", "询单转化率", "客服销售额",
     "3分钟人工回复率(8-23点)", "30秒应答率(8-23点)", "平均人工响应时长"],
    ["拼店:阿花", "4.86", "520", "200", "130", "65.00%", "￥18,200.50", "99.00%", "88.5%", "1分30秒"],
    ["拼店:阿草", "4.7", "480", "160", "96", "60%", "15000", "97%", "80.00%", "45秒"],
    ["汇总", "", "1000", "360", "226", "62.78%", "33200.5", "98%", "84.3%", "68秒"],
]


def test_pdd_layout_from_gbk_csv(tmp_path):
    path = tmp_path / "拼多多客服数据.csv"
    with open(path, "w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(PDD_ROWS)
    with WorkbookRows(path) as wb:
        t = read_agent_table(wb.rows(wb.names[0]))
    assert t.header_row == 2
    assert t.headers["3分钟人工回复率"] == "3分钟人工回复率(8-23点)"
    assert [r.values for r in t.records] == [
        {"客服": "拼店:阿花", "咨询人数": 520, "询单人数": 200, "最终付款人数": 130, "询单转化率": 0.65,
         "客服销售额": 18200.5, "平均响应时间": 90, "客服服务分": 4.86, "3分钟人工回复率": 0.99, "30秒应答率": 0.885},
        {"客服": "拼店:阿草", "咨询人数": 480, "询单人数": 160, "最终付款人数": 96, "询单转化率": 0.6,
         "客服销售额": 15000, "平均响应时间": 45, "客服服务分": 4.7, "3分钟人工回复率": 0.97, "30秒应答率": 0.8},
    ]
    assert {r.platform for r in t.records} == {"拼多多"}
    assert t.warnings == []


# ---------------------------------------------------------------- 抖店 飞鸽 (xlsx, rates as percent points)

FEIGE_ROWS = [
    ["飞鸽客服数据", None, "导出时间 2026-11-01"],
    ["客服", "人工已接待人数", "人工会话量", "3分钟人工回复率(会话)", "询单人数", "下单人数", "支付人数", "平均响应时长"],
    ["抖店:小李", 300, 420, 99, 150, 90, 84, "1.5分钟"],
    ["抖店:小王", 260, 380, 97.5, 120, 70, 66, 28.5],
    ["平均", 280, 400, 98.25, 135, 80, 75, "59秒"],
]


def test_feige_layout_rates_in_points_and_minutes(tmp_path):
    path = write_xlsx(tmp_path / "飞鸽.xlsx", {"客服数据": FEIGE_ROWS})
    t = read_agent_table(read_sheet_rows(path))
    assert t.header_row == 2
    assert [r.values for r in t.records] == [
        {"客服": "抖店:小李", "接待人数": 300, "询单人数": 150, "下单人数": 90, "最终付款人数": 84,
         "平均响应时间": 90, "会话量": 420, "3分钟人工回复率": 0.99},
        {"客服": "抖店:小王", "接待人数": 260, "询单人数": 120, "下单人数": 70, "最终付款人数": 66,
         "平均响应时间": 28.5, "会话量": 380, "3分钟人工回复率": 0.975},
    ]
    assert {r.platform for r in t.records} == {"抖店 飞鸽"}


# ---------------------------------------------------------------- durations and rates


@pytest.mark.parametrize("raw, seconds", [
    (90, 90), (28.5, 28.5), ("90", 90), ("90秒", 90), ("90 秒", 90), ("90s", 90), ("90sec", 90),
    ("00:01:30", 90), ("0:01:30", 90), ("1:30", 90), ("01:30", 90), ("1:02:03", 3723), ("0:00:12.5", 12.5),
    ("1分30秒", 90), ("1分钟30秒", 90), ("1.5分钟", 90), ("1.5分", 90), ("2分", 120), ("1小时2分3秒", 3723),
    ("2m30s", 150), ("１分３０秒", 90), ("'00:01:30", 90), (dt.time(0, 1, 30), 90), (dt.timedelta(seconds=90), 90),
    ("", None), ("-", None), (None, None), ("0", 0), ("0.5秒", 0.5),
])
def test_durations(raw, seconds):
    value = parse_duration(raw)
    assert value == seconds and type(value) is type(seconds)


@pytest.mark.parametrize("raw", ["1:75", "abc", "50%", "1分钟30", "1:2:3:4", "秒", True, float("nan"), "1e999秒"])
def test_not_durations(raw):
    with pytest.raises(ValueError, match="时长|超出范围"):
        parse_duration(raw)


@pytest.mark.parametrize("cells, fractions, ambiguous", [
    ([0.99, "99%", "99.00%", 99], [0.99, 0.99, 0.99, 0.99], []),  # every form of 99%
    ([0.98, 1], [0.98, 1], []),  # fractions: 1 is 100%
    ([98, 1], [0.98, 0.01], []),  # points: 1 is 1%
    ([1], [1], [0]),  # nothing to judge by: 100%, flagged
    ([1, 0, 1], [1, 0, 1], [0, 2]),
    ([60, 0.4, 1], [0.6, 0.4, 1], [2]),  # mixed evidence: flagged
    (["1%", 1], [0.01, 1], [1]),  # a written % is no evidence for bare numbers
    (["100%", "1"], [1, 1], [1]),
    ([150, "150%"], [1.5, 1.5], []),  # over 100%: the agent-data check refuses it
    ([None, "", "-", 0.5], [None, None, None, 0.5], []),
])
def test_rate_columns(cells, fractions, ambiguous):
    column = read_rates(cells)
    assert column.values == pytest.approx(fractions) and column.ambiguous == ambiguous and column.errors == {}


def test_one_rate_alone_and_a_bad_cell():
    assert [parse_rate(v) for v in (0.99, "99%", "99.00%", 99, 1, None)] == [0.99, 0.99, 0.99, 0.99, 1, None]
    assert read_rates(["x", True]).errors == {0: "应为数字", 1: "应为数字"}


def test_ambiguous_one_in_a_table_is_a_warning_naming_the_cells():
    t = read_agent_table(SheetRows("客服数据", [["客服", "回复率"], ["甲", 1], ["乙", 1], ["丙", 0]]))
    assert [r.values["回复率"] for r in t.records] == [1, 1, 0]
    assert t.warnings == [Problem("客服数据", "B2", "「回复率」列 B2、B3 为 1，该列看不出 1 是 100% 还是 1%，"
                                                  "已按 100% 计算；如果是 1%，请写成 1%", severity="warning")]
    points = read_agent_table(SheetRows("客服数据", [["客服", "回复率"], ["甲", 99], ["乙", 1]]))
    assert [r.values["回复率"] for r in points.records] == [0.99, 0.01] and points.warnings == []


def test_a_bad_duration_is_located():
    with pytest.raises(InputErrors) as e:
        read_agent_table(SheetRows("客服数据", [["客服", "平均响应时间"], ["甲", "一分半"]]))
    assert [(p.sheet, p.cell, p.found) for p in e.value.problems] == [("客服数据", "B2", "一分半")]
    assert e.value.problems[0].message.startswith("应为时长")


# ---------------------------------------------------------------- errors that help

B_HEADER = ["客服", "月份", "客服销售额", "目标销售额", "上月销售额", "成交笔数", "访问量", "主推单品销售额",
            "主推单品目标", "退款笔数", "咨询量", "交易纠纷次数"]
B_ROWS = [["甲", "2026-10", 50000, 48000, 45000, 300, 20000, 9000, 10000, 2, 470, 0],
          ["乙", "2026-10", 42000, 45000, 44000, 260, 18000, 7000, 9000, 4, 380, 1]]


def test_missing_replies_points_at_the_consultations_column(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", {"客服数据": [B_HEADER, *B_ROWS]})
    with pytest.raises(InputErrors) as e:
        appraise(path, AppraiseOptions(scheme="B", month="2026-10"))
    assert [(p.sheet, p.cell, p.message) for p in e.value.problems] == [
        ("客服数据", "1", "找不到「应答数」；数据中有「咨询量」，如果它就是应答数，请把列名改为应答数或在考核方案中把分子列改为咨询量"
                          "（「考核方案」中的指标「咨询量」需要）")]


def test_either_remedy_works(tmp_path):
    renamed = [[("应答数" if h == "咨询量" else h) for h in B_HEADER], *B_ROWS]
    report = appraise(write_xlsx(tmp_path / "renamed.xlsx", {"客服数据": renamed}),
                      AppraiseOptions(scheme="B", month="2026-10"))
    assert report.result.agent("甲").kpis["咨询量"].value == pytest.approx(470 / 450)
    # the scheme names the column 咨询量 instead: the header 咨询量 (read as 咨询人数) fills it too
    t = read_agent_table(SheetRows("客服数据", [B_HEADER, *B_ROWS]), extra=["咨询量"])
    assert (t.records[0].values["咨询量"], t.records[0].values["咨询人数"], t.columns["咨询量"]) == (470, 470, 11)


def test_missing_paid_buyers_in_jd_data_suggests_the_ordered_column(tmp_path):
    rows = [["客服", "月份", "售前接待人数", "促成下单人数", "付款笔数", "拍下笔数", "落实客单价比", "30s应答率",
             "平均响应时间"], ["jd:小美", "2026-10", 200, 150, 140, 150, 1.1, "98%", "0:00:25"]]
    with pytest.raises(InputErrors) as e:
        appraise(write_xlsx(tmp_path / "jd.xlsx", {"客服数据": rows}), AppraiseOptions(month="2026-10"))
    assert {(p.sheet, p.cell) for p in e.value.problems} == {("客服数据", "1")}
    messages = sorted(p.message for p in e.value.problems)
    assert messages == sorted([
        "找不到「最终付款人数」或「询单转化率」；数据中有「促成下单人数」，如果它就是最终付款人数，请把列名改为最终付款人数"
        "或在考核方案中把分子列改为促成下单人数（「考核方案」中的指标「询单转化率」需要）",
        "找不到「询单人数」或「询单转化率」；数据中有「售前接待人数」，如果它就是询单人数，请把列名改为询单人数"
        "或在考核方案中把分母列改为售前接待人数（「考核方案」中的指标「询单转化率」需要）",
        "找不到「回复人数」或「回复率」；数据中有「30s应答率」，如果它就是回复率，请把列名改为回复率"
        "或在考核方案中把比率列改为30s应答率（「考核方案」中的指标「回复率」需要）"])


# ---------------------------------------------------------------- two platforms in one month

A_TMALL = [["旺旺昵称", "询单人数", "询单->最终付款人数", "支付率", "落实客单价比", "旺旺回复率", "平均响应时长（秒)"],
           ["天猫店:小美", 100, 78, "93%", 1.13, "99.5%", 25],
           ["天猫店:阿强", 80, 50, "90%", 1.07, "98%", 40],
           ["汇总值", 180, 128, "", "", "", ""]]
A_JD = [["京东咚咚 2026-10"],
        ["客服", "询单人数", "最终付款人数", "支付率", "落实客单价比", "回复率", "平均响应时间"],
        ["jd店:小美", 60, 40, 0.95, 1.2, 1, "00:00:50"],
        ["jd店:阿强", 50, 20, 0.8, 1.0, 0.96, "1分"]]


def test_two_exports_pasted_in_one_sheet():
    rows = [*A_TMALL, [], *A_JD]
    t = read_agent_table(SheetRows("客服数据", rows))
    assert [(r.sheet, r.row, r.platform, r.values["客服"]) for r in t.records] == [
        ("客服数据", 2, "淘宝/天猫", "天猫店:小美"), ("客服数据", 3, "淘宝/天猫", "天猫店:阿强"),
        ("客服数据", 8, "", "jd店:小美"), ("客服数据", 9, "", "jd店:阿强")]
    assert t.sources == [("客服数据", 1, "淘宝/天猫"), ("客服数据", 7, "")]
    jd = t.records[2]
    assert jd.values == {"客服": "jd店:小美", "询单人数": 60, "最终付款人数": 40, "平均响应时间": 50, "回复率": 1,
                         "支付率": 0.95, "落实客单价比": 1.2}
    assert jd.cell("平均响应时间") == "G8" and t.records[0].cell("平均响应时间") == "G2"
    assert t.records[1].values["平均响应时间"] == 40 and t.records[3].values["平均响应时间"] == 60


def test_two_sheets_make_one_appraisal(tmp_path):
    path = write_xlsx(tmp_path / "两平台.xlsx", {"说明": [["两个平台"]], "客服数据-天猫": A_TMALL, "客服数据-京东": A_JD})
    with WorkbookRows(path) as wb:
        assert agent_sheets(wb.names, "客服数据") == ["客服数据-天猫", "客服数据-京东"]
    report = appraise(path, AppraiseOptions(month="2026-10"))
    assert sorted(a.agent.name for a in report.result.agents) == ["jd店:小美", "jd店:阿强", "天猫店:小美", "天猫店:阿强"]
    assert "客服数据来自 2 张工作表：客服数据-天猫、客服数据-京东" in report.messages
    kpis = report.result.agent("jd店:小美").kpis
    assert kpis["询单转化率"].value == pytest.approx(40 / 60) and kpis["响应时间"].value == 50
    assert report.result.agent("天猫店:小美").kpis["回复率"].value == pytest.approx(0.995)


def test_a_sheet_missing_a_scheme_column_another_has_is_a_warning():
    jd = [["客服", "询单人数"], ["jd:甲", 5]]
    tm = [["客服", "询单人数", "好评数"], ["tm:甲", 6, 3]]
    t = read_agent_table([SheetRows("客服数据-京东", jd), SheetRows("客服数据-天猫", tm)], extra=["好评数"])
    assert [r.values for r in t.records] == [{"客服": "jd:甲", "询单人数": 5}, {"客服": "tm:甲", "询单人数": 6, "好评数": 3}]
    assert t.warnings == [Problem("客服数据-京东", "1", "这部分数据（京东 咚咚）没有「好评数」列，其中各行按无数据计算",
                                  severity="warning")]


def test_the_same_name_in_two_platforms_sheets_is_one_person_summed(tmp_path):
    """客服数据-京东 and 客服数据-天猫 both list 小美 for 2026-10 under the same plain name: not a duplicate
    but two exports of one person, summed before scoring (counts add, rates from the summed counts)."""
    import openpyxl

    from xlreports.jobs.appraise import AppraiseOptions, appraise

    header = ["客服", "月份", "接待人数", "回复人数", "询单人数", "最终付款人数", "客服客单价", "店铺客单价",
              "平均响应时间", "客服销售额", "拍下笔数", "付款笔数"]
    jd = [["小美", "2026-10", 100, 90, 80, 40, 150, 140, 20, 6000, 45, 40],
          ["阿杰", "2026-10", 50, 50, 40, 20, 120, 140, 30, 2400, 22, 20]]
    tm = [["小美", "2026-10", 100, 100, 20, 20, 150, 140, 40, 3000, 20, 20]]
    wb = openpyxl.Workbook()
    for title, rows in (("客服数据-京东", jd), ("客服数据-天猫", tm)):
        ws = wb.create_sheet(title)
        ws.append(header)
        for row in rows:
            ws.append(row)
    del wb["Sheet"]
    book = tmp_path / "两个平台.xlsx"
    wb.save(book)
    report = appraise(book, AppraiseOptions(month="2026-10", scheme="A"))
    agents = {a.agent.name: a.agent.values for a in report.result.agents}
    assert sorted(agents) == ["小美", "阿杰"]
    assert agents["小美"]["询单人数"] == 100 and agents["小美"]["最终付款人数"] == 60  # 80+20, 40+20
    assert agents["小美"]["接待人数"] == 200 and agents["小美"]["回复人数"] == 190
    assert agents["阿杰"]["询单人数"] == 40
