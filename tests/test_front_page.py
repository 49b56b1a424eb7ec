"""首页, 考核汇总 results first in 排名 order, and the tabs' fixed order (issue 9, items 1-2).

Figures are checked against the engine's result (computed here from it, not copied from output),
the formulas recalculated by LibreOffice and Gnumeric, and the tab order read from workbook.xml on a
first run, a re-run, and after a user moved tabs and added a sheet of her own in LibreOffice.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from formula_check import assert_all_equal, poisoned
from xlreports.excel.write.plan import arranged, plan_tabs
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.layout.spec import WorkbookSpec
from xlreports.layout.summary import RESULT_COLUMNS
from xlreports.samples import build_sample

MONTHS = ("2026-08", "2026-09", "2026-10")
FRONT = ("首页", "考核汇总", "工资表", "工资条", "趋势")
INPUTS = ["客服数据", "考核数据", "考核方案", "考核历史", "客服名册"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The sample appraised for three months (scheme A): (path, {month: report})."""
    path = build_sample(tmp_path_factory.mktemp("front") / "shop.xlsx")
    reports = {m: appraise(path, AppraiseOptions(month=m, backup=False)) for m in MONTHS}
    return path, reports


def tabs(path: Path) -> tuple[list[str], int, list[str]]:
    """(tab names in order, activeTab, the tabs whose sheet view is selected), from the package."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
        names, selected = [], []
        for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", wb):
            name = re.search(r'name="([^"]*)"', m.group(0)).group(1)
            rid = re.search(r'r:id="([^"]*)"', m.group(0)).group(1)
            names.append(name)
            part = "xl/" + targets[rid].lstrip("/").removeprefix("xl/")
            view = re.search(rb"<(?:\w+:)?sheetView\b[^>]*>", z.read(part))
            if view and re.search(rb'tabSelected="(1|true)"', view.group(0)):
                selected.append(name)
        active = int(re.search(r'activeTab="(\d+)"', wb).group(1)) if "activeTab" in wb else 0
    return names, active, selected


def expected_order(names: list[str], user: dict[str, str] | None = None) -> list[str]:
    forms = [n for n in names if n.startswith("考核表-")]
    return [*FRONT, *forms, *INPUTS]


# --------------------------------------------------------------------------- the plan


def test_arranged_restores_our_order_and_keeps_the_users_tabs_by_their_neighbours():
    order = ["首页", "汇总", "表", "数据"]
    assert arranged(["汇总", "我的", "首页", "表", "数据"], [], order) == ["首页", "汇总", "我的", "表", "数据"]
    assert arranged(["封面", "数据"], ["首页", "汇总"], order) == ["首页", "汇总", "封面", "数据"]
    assert arranged(["甲", "乙"], ["首页"], order) == ["首页", "甲", "乙"]
    assert arranged(["数据", "乙", "甲", "汇总"], ["首页"], order) == ["首页", "汇总", "数据", "乙", "甲"]
    p = plan_tabs(["数据", "汇总", "我的"], ["汇总", "首页"], arrange=order, active="我的", activate="首页")
    assert p.order == ("首页", "汇总", "我的", "数据") and p.active == "首页" and p.active_index == 0
    # without arrange, nothing moves (the old behaviour every other job keeps)
    assert plan_tabs(["数据", "汇总"], ["汇总", "首页"]).order == ("数据", "汇总", "首页")


# --------------------------------------------------------------------------- the workbook


def test_tabs_stand_in_the_fixed_order_and_the_book_opens_on_the_front_page(demo):
    path, _ = demo
    names, active, selected = tabs(path)
    visible = [n for n in names if n != "_xlreports"]
    assert visible[:len(visible) - 1] == expected_order(names)
    assert visible[-1] == "说明"  # the sample's own sheet: after 客服名册, which it followed
    assert names[active] == "首页" and selected == ["首页"]


def _cells(spec) -> dict[str, tuple]:
    """Label in column A → (value of B, of C, of D) for 首页's overview rows."""
    return {cell.value: tuple(spec.cells.get((r, c)).value if (r, c) in spec.cells else None for c in (2, 3, 4))
            for (r, c), cell in spec.cells.items() if c == 1 and isinstance(cell.value, str)}


def test_front_page_figures_are_the_engines(demo):
    _, reports = demo
    oct_, sep = reports["2026-10"], reports["2026-09"]
    front = oct_.book.sheet("首页")
    rows = _cells(front)
    totals = [a.total for a in oct_.result.agents]
    before = [a.total for a in sep.result.agents]
    assert rows["人数"] == (len(totals), len(before), len(totals) - len(before))
    assert rows["平均总分"][0] == pytest.approx(sum(totals) / len(totals), abs=1e-12)
    assert rows["平均总分"][1] == pytest.approx(sum(before) / len(before), abs=1e-12)
    assert rows["平均总分"][2] == pytest.approx(sum(totals) / len(totals) - sum(before) / len(before), abs=1e-9)
    assert rows["最高总分"][0] == max(totals) and rows["最低总分"][0] == min(totals)
    paid = sum(a.agent.values["最终付款人数"] for a in oct_.result.agents)
    asked = sum(a.agent.values["询单人数"] for a in oct_.result.agents)
    assert rows["询单转化率"][0] == pytest.approx(paid / asked, abs=1e-12)
    sales = sum(a.agent.values["客服销售额"] for a in oct_.result.agents)
    assert rows["销售额"][0] == pytest.approx(sales, abs=1e-6)
    sep_sales = sum(a.agent.values["客服销售额"] for a in sep.result.agents)
    assert rows["销售额"][1] == pytest.approx(sep_sales, abs=1e-6)
    bands = Counter(a.band.label for a in oct_.result.agents)
    for band in oct_.result.scheme.result_bands:
        assert rows[band.label][0] == bands.get(band.label, 0)
    ranked = sorted(oct_.result.agents, key=lambda a: a.rank)
    names = [cell.value for (r, c), cell in sorted(front.cells.items()) if c == 2 and cell.formula
             and "MATCH(" in cell.formula and "'考核汇总'!$A$" in cell.formula]
    assert names == [a.agent.name for a in ranked[:3]] + [a.agent.name for a in ranked[::-1][:3]]
    # August has no last month: "—"
    aug = _cells(reports["2026-08"].book.sheet("首页"))
    assert aug["平均总分"][1:] == ("—", "—") and aug["销售额"][1:] == ("—", "—")


def test_front_page_lists_every_tab_with_a_link_and_the_source(demo):
    path, reports = demo
    front = reports["2026-10"].book.sheet("首页")
    links = [c.value for c in front.cells.values() if c.formula and c.formula.startswith("=HYPERLINK(")]
    names, _, _ = tabs(path)
    assert links == [n for n in names if n != "_xlreports"]
    text = " ".join(str(c.value) for c in front.cells.values() if isinstance(c.value, str))
    assert "shop.xlsx「客服数据」" in text and "生成时间" in text


def test_summary_results_first_in_rank_order_with_last_month(demo):
    path, reports = demo
    oct_, sep = reports["2026-10"], reports["2026-09"]
    ws = openpyxl.load_workbook(path)["考核汇总"]
    heads = [c.value for c in ws[2]]
    assert tuple(heads[:len(RESULT_COLUMNS)]) == RESULT_COLUMNS
    assert "工作任务得分" in heads and "工作任务" not in heads  # a typed score: shown once
    agents = {a.agent.name: a for a in oct_.result.agents}
    names = [ws.cell(r, 1).value for r in range(3, 3 + len(agents))]
    assert names == [a.agent.name for a in sorted(oct_.result.agents, key=lambda a: a.rank)]
    spec = oct_.book.sheet("考核汇总")
    col = {h: j for j, h in enumerate(heads, start=1)}
    payroll = openpyxl.load_workbook(path, data_only=True)["工资表"]
    at = [c.value for c in payroll[2]].index("应发合计") + 1
    gross = {payroll.cell(r, 1).value: payroll.cell(r, at).value for r in range(3, 3 + len(agents))}
    for r, name in enumerate(names, start=3):
        was = sep.result.agent(name)
        assert spec.cells[(r, col["上月总分"])].value == was.total
        assert spec.cells[(r, col["排名变化"])].value == was.rank - agents[name].rank
        assert spec.cells[(r, col["应发合计"])].value == agents[name].gross == pytest.approx(gross[name])
        assert f'MATCH("{name}",' in spec.cells[(r, col["应发合计"])].formula  # by name, not row
    assert reports["2026-08"].book.sheet("考核汇总").cells[(3, col["上月总分"])].value == "—"


def test_summary_prints_results_on_page_one_then_the_charts(demo):
    path, reports = demo
    spec = reports["2026-10"].book.sheet("考核汇总")
    area = spec.page.print_area.split(",")
    assert area[0].startswith("A1:I") and spec.page.fit_width == 0 and spec.page.orientation == "landscape"
    last_printed = int(re.sub(r"\D", "", area[0].split(":")[1]))
    for chart in spec.charts:
        assert int(re.sub(r"\D", "", chart.anchor)) < last_printed
    assert spec.row_breaks and spec.row_breaks[0] < min(int(re.sub(r"\D", "", c.anchor)) for c in spec.charts)
    bar = next(c for c in spec.charts if c.kind == "bar")
    values = [spec.cells[(r, bar.series[0].col)].value for r in range(bar.series[0].first_row, bar.series[0].last_row + 1)]
    assert values == sorted(values, reverse=True) and bar.value_labels
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert any("<c:barChart>" in c and '<c:showVal val="1"/>' in c for c in charts)


def test_front_page_and_summary_recalculate_equal_in_libreoffice_and_gnumeric(demo, soffice, tmp_path):
    from gnumeric import available, recalculate as gnumeric_recalculate
    from libreoffice import recalculate

    path, reports = demo
    book = WorkbookSpec([reports["2026-10"].book.sheet("首页"), reports["2026-10"].book.sheet("考核汇总")])
    copy, _ = poisoned(path, tmp_path / "poisoned")
    assert assert_all_equal(book, recalculate(copy, tmp_path / "lo")) > 250
    available()  # skips without Gnumeric, fails in CI
    assert assert_all_equal(book, gnumeric_recalculate(copy, tmp_path / "gnm"), "Gnumeric") > 250


def test_rerun_restores_the_order_after_tabs_were_moved_and_a_sheet_added(demo, uno_python, tmp_path):
    from office_ops import perform

    path, _ = demo
    book = tmp_path / "moved.xlsx"
    shutil.copyfile(path, book)
    names, _, _ = tabs(book)
    perform(book, [{"op": "move_sheet", "sheet": "首页", "at": len(names)},
                   {"op": "move_sheet", "sheet": "考核数据", "at": 0},
                   {"op": "insert_sheet", "sheet": "我的笔记", "at": 2},   # after 考核汇总 (首页 moved away)
                   {"op": "insert_sheet", "sheet": "封面", "at": 0}])
    moved, _, _ = tabs(book)
    assert moved[0] == "封面" and moved[1] == "考核数据" and moved[-1] == "首页"
    appraise(book, AppraiseOptions(month="2026-10", backup=False))
    after, active, selected = tabs(book)
    visible = [n for n in after if n != "_xlreports"]
    order = expected_order(after)
    # 我的笔记 stays after 考核汇总 (it followed it); 封面 stood before every tab of ours: it stays before
    # the first one that followed it (考核数据, now back among the inputs); 说明 stays after 客服名册.
    want = [*order[:2], "我的笔记", *order[2:]]
    want.insert(want.index("考核数据"), "封面")
    assert visible == [*want, "说明"]
    assert after[active] == "首页" and selected == ["首页"]
    again = tmp_path / "again.xlsx"
    shutil.copyfile(book, again)
    appraise(again, AppraiseOptions(month="2026-10", backup=False))
    assert tabs(again)[0] == after  # a re-run keeps it


def test_warnings_of_the_run_are_on_the_front_page(tmp_path):
    path = build_sample(tmp_path / "shop.xlsx")
    wb = openpyxl.load_workbook(path)
    roster = wb["客服名册"]
    gone = roster.cell(2, 1).value
    roster.delete_rows(2)
    wb.save(path)
    report = appraise(path, AppraiseOptions(month="2026-10", backup=False))
    assert any(gone in w.message for w in report.warnings)
    text = [c.value for c in report.book.sheet("首页").cells.values() if isinstance(c.value, str)]
    for w in report.warnings:
        assert str(w) in text
    assert f"提醒 ({len(report.warnings)})" in text


def test_english_front_page(tmp_path):
    path = build_sample(tmp_path / "shop.xlsx")
    report = appraise(path, AppraiseOptions(month="2026-10", lang="en", forms="single", backup=False))
    names, active, _ = tabs(path)
    assert names[:3] == ["Overview", "Summary", "Payroll"] and names[active] == "Overview"
    assert names.index("Scorecard") < names.index("客服数据") < names.index("Data")
    labels = {c.value for c in report.book.sheet("Overview").cells.values() if isinstance(c.value, str)}
    assert {"Average score", "Head count by result band", "Best three", "Contents"} <= labels
