"""The appraisal pipeline end to end: workbook in, live sheets out, checked against LibreOffice.

``appraise`` writes every number twice: as a formula in the workbook and as the engine's
value in ``report.book``. These tests open the written files (openpyxl, the zip itself,
and LibreOffice recalculating every formula) and demand that the two agree, that edits
made in Excel survive a re-run, that the sheets keep the columns other people rely on,
and that bad input leaves the user's file exactly as it was.
"""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from xlreports.jobs.appraise import AppraiseOptions, AppraiseReport, appraise
from xlreports.errors import InputErrors, XlreportsError
from xlreports.layout.spec import SheetSpec, WorkbookSpec

from formula_check import assert_all_equal, poisoned

ROOT = Path(__file__).resolve().parents[1]
MAKE_SAMPLE = ROOT / "samples" / "make_sample.py"
MONTHS = ("2026-08", "2026-09", "2026-10")
BEST, WORST = "小美", "阿磊"  # samples/make_sample.py's story
N_AGENTS = 14

TINY_HEADER = ["客服", "月份", "询单人数", "最终付款人数", "拍下笔数", "付款笔数", "客服客单价", "店铺客单价", "接待人数",
               "回复人数", "平均响应时间", "工作任务", "工作态度", "迟到早退次数", "请假天数"]
# 询单转化率 80% → 100 × 35%; 支付率 90% → 80 × 20%; 客单价比 1.10 → 80 × 10%; 回复率 99.5% → 100 × 5%;
# 响应 28 s → 100 × 5%; 工作任务 8; 工作态度 5; 考勤 10 − 2×1 − 1×1 = 7  ⇒  35+16+8+5+5+8+5+7 = 89
TINY_VALUES = [100, 80, 100, 90, 110, 100, 200, 199, 28, 8, 5, 1, 1]
HYPERLINK_NAME = '=HYPERLINK("http://x","y")'

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl on LibreOffice's extensions


# --------------------------------------------------------------------------- helpers


def _recalculate(path: Path, outdir: Path) -> Path:
    """LibreOffice's values for every formula of ``path`` (cached values poisoned first)."""
    from libreoffice import recalculate

    copy, _ = poisoned(path, outdir / "poisoned")
    return recalculate(copy, outdir)


def _input_cell(book: WorkbookSpec, key: str) -> tuple[str, int, int, object]:
    """(sheet, row, col, value) of the cell whose input_key is ``key``."""
    found = [(s.name, r, c, cell.value) for s in book.sheets for (r, c), cell in s.cells.items()
             if cell.input_key == key]
    assert len(found) == 1, f"{len(found)} cells with input_key {key!r}"
    return found[0]


def _formula_cells(book: WorkbookSpec) -> dict[tuple[str, int, int], str]:
    return {(s.name, r, c): cell.formula for s in book.sheets for (r, c), cell in s.cells.items() if cell.formula}


def _find_label(spec, label: str, col: int = 1) -> int:
    """Row of the first cell in column ``col`` of a sheet spec holding ``label``."""
    rows = [r for (r, c), cell in spec.cells.items() if c == col and cell.value == label]
    assert rows, f"no {label!r} in column {col} of {spec.name}"
    return min(rows)


def _header(ws, row: int) -> dict[str, int]:
    return {str(c.value).strip(): c.column for c in ws[row] if c.value is not None}


def _scan(ws, text: str, max_row: int | None = None) -> tuple[int, int]:
    """(row, col) of the first cell whose value is ``text``."""
    for row in ws.iter_rows(max_row=max_row):
        for c in row:
            if isinstance(c.value, str) and c.value.strip() == text:
                return c.row, c.column
    raise AssertionError(f"{text!r} not found on {ws.title}")


def _section(ws, title: str) -> tuple[dict[str, int], list[int]]:
    """A 考核方案 section: its header (label → column) and its data rows (up to the first blank row)."""
    top, _ = _scan(ws, f"【{title}】")
    header = _header(ws, top + 1)
    rows = []
    r = top + 2
    while r <= ws.max_row and any(c.value not in (None, "") for c in ws[r]):
        rows.append(r)
        r += 1
    return header, rows


def _data_cell(ws, agent: str, month: str, column: str) -> tuple[int, int]:
    """(row, col) of ``column`` for ``agent`` in ``month`` on the sample's 客服数据 (found by scanning)."""
    _, agent_col = _scan(ws, "客服", max_row=10)
    header_row, col = _scan(ws, column, max_row=10)
    _, month_col = _scan(ws, "月份", max_row=10)
    for r in range(header_row + 1, ws.max_row + 1):
        if ws.cell(r, agent_col).value == agent and str(ws.cell(r, month_col).value) == month:
            return r, col
    raise AssertionError(f"no row for {agent} {month}")


def _tiny_book(path: Path, rows: list[list] | None = None, header: list[str] | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客服数据"
    if header is None:
        header = TINY_HEADER
    if header:
        ws.append(header)
    for row in rows if rows is not None else [["张三", "2026-10", *TINY_VALUES]]:
        ws.append(row)
    wb.save(path)
    return path


def _listing(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


@dataclass
class Run:
    """The sample after appraising 2026-08, 2026-09 and 2026-10 in order."""

    path: Path
    reports: list[AppraiseReport]
    _recalculated: Path | None = field(default=None, repr=False)
    poisoned: int = 0  # formula cells whose cached value was replaced before recalculating

    @property
    def october(self) -> AppraiseReport:
        return self.reports[-1]

    def recalculated(self) -> Path:
        if self._recalculated is None:
            from libreoffice import recalculate

            folder = self.path.parent / "recalc"
            copy, self.poisoned = poisoned(self.path, folder / "poisoned")
            self._recalculated = recalculate(copy, folder)
        return self._recalculated

    def copy_to(self, folder: Path, name: str = "shop.xlsx") -> Path:
        target = folder / name
        shutil.copyfile(self.path, target)
        return target


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def sample_src(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "shop_sample.xlsx"
    subprocess.run([sys.executable, str(MAKE_SAMPLE), str(out)], check=True, capture_output=True, timeout=60)
    return out


@pytest.fixture
def sample(sample_src, tmp_path) -> Path:
    target = tmp_path / "shop.xlsx"
    shutil.copyfile(sample_src, target)
    return target


@pytest.fixture(scope="module")
def three_months(sample_src, tmp_path_factory):
    """run(scheme, forms) → the sample appraised for 2026-08..10 (built once per module and combination)."""
    cache: dict[tuple[str, str], Run] = {}

    def run(scheme: str = "A", forms: str = "tabs") -> Run:
        if (scheme, forms) not in cache:
            folder = tmp_path_factory.mktemp(f"run-{scheme}-{forms}")
            path = folder / "shop.xlsx"
            shutil.copyfile(sample_src, path)
            reports = [appraise(path, AppraiseOptions(month=m, scheme=scheme, forms=forms)) for m in MONTHS]
            cache[(scheme, forms)] = Run(path, reports)
        return cache[(scheme, forms)]

    return run


# --------------------------------------------------------------------------- 1. LibreOffice equality


@pytest.mark.parametrize("forms", ["tabs", "single"])
@pytest.mark.parametrize("scheme", ["A", "B"])
def test_every_formula_equals_the_engine_after_libreoffice_recalculates(three_months, soffice, scheme, forms):
    run = three_months(scheme, forms)
    report = run.october
    assert [r.result.month for r in run.reports] == list(MONTHS)
    assert report.output == run.path
    # history built up: August has no streak yet, October has some
    assert not any(a.flags for a in run.reports[0].result.agents)
    assert any(a.flags for a in report.result.agents)
    compared = assert_all_equal(report.book, run.recalculated())
    assert compared > 500
    assert run.poisoned == compared  # every value compared was computed by LibreOffice


def test_streak_flags_and_bonus_after_three_months(three_months, soffice):
    run = three_months("A", "tabs")
    wb = openpyxl.load_workbook(run.recalculated(), data_only=True)
    summary = wb["考核汇总"]
    head = _header(summary, 2)
    rows = {summary.cell(r, head["客服"]).value: r for r in range(3, 3 + N_AGENTS)}
    assert set(rows) == {a.agent.name for a in run.october.result.agents}
    worst_warning = summary.cell(rows[WORST], head["预警"]).value
    best_warning = summary.cell(rows[BEST], head["预警"]).value
    assert "淘汰预警" in worst_warning
    assert "额外奖金" in best_warning and "淘汰预警" not in best_warning
    assert summary.cell(rows[BEST], head["排名"]).value == 1
    assert summary.cell(rows[WORST], head["排名"]).value == N_AGENTS
    others = [summary.cell(r, head["预警"]).value for name, r in rows.items() if name not in (BEST, WORST)]
    assert all(v in (None, "") for v in others)

    payroll = wb["工资表"]
    phead = _header(payroll, 2)
    prow = {payroll.cell(r, 1).value: r for r in range(3, 3 + N_AGENTS)}
    assert payroll.cell(prow[BEST], phead["额外奖金"]).value == 200
    assert all(payroll.cell(r, phead["额外奖金"]).value == 0 for n, r in prow.items() if n != BEST)
    # September: only two months of history, no bonus yet
    assert run.reports[1].result.agent(BEST).streak_bonus == 0
    assert run.october.result.agent(BEST).streak_bonus == 200


# --------------------------------------------------------------------------- 2. live edit


def _edit_conversion_threshold(ws, *, also_upper: bool) -> tuple[str, str | None]:
    """On 考核方案: 询单转化率's band with 下限 0.75 → 0.85 (and the band below's 上限 0.75 → 0.85)."""
    head, rows = _section(ws, "档位")
    lo_cell = hi_cell = None
    for r in rows:
        if ws.cell(r, head["指标"]).value != "询单转化率":
            continue
        if ws.cell(r, head["下限"]).value == 0.75:
            lo_cell = ws.cell(r, head["下限"])
        if ws.cell(r, head["上限"]).value == 0.75:
            hi_cell = ws.cell(r, head["上限"])
    assert lo_cell is not None and hi_cell is not None
    lo_cell.value = 0.85
    if also_upper:
        hi_cell.value = 0.85
    return lo_cell.coordinate, hi_cell.coordinate if also_upper else None


def test_live_edit_of_scheme_and_form_recalculates_like_a_rerun(three_months, soffice, tmp_path):
    run = three_months("A", "tabs")
    r1 = run.october
    # an agent the threshold change does not touch, whose 工作态度 we retype
    agent = "阿杰"
    assert r1.result.agent(agent).kpis["询单转化率"].value < 0.65
    key = f"2026-10|{agent}|工作态度"
    sheet, row, col, old = _input_cell(r1.book, key)
    assert sheet == f"考核表-{agent}" and old == r1.result.agent(agent).kpis["工作态度"].score
    new = 2 if old != 2 else 4

    wb = openpyxl.load_workbook(run.path)
    _edit_conversion_threshold(wb["考核方案"], also_upper=True)
    wb[sheet].cell(row, col).value = new
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)

    recalculated = _recalculate(edited, tmp_path / "recalc")
    r2 = appraise(edited, AppraiseOptions(month="2026-10"))
    # Same layout, same formulas — but 考核汇总 is written in 排名 order (issue 9), and the edit moves
    # ranks: its rows are compared by agent below, every other sheet cell by cell; 首页's 变化 column
    # subtracts last month's figures, numbers from 考核历史 that the re-run recomputes with the edited scheme.
    def kept_in_place(book):
        sheets = [s for s in book.sheets if s.name not in ("考核汇总", "首页")]
        front = book.sheet("首页")
        return WorkbookSpec([*sheets, SheetSpec("首页", {k: c for k, c in front.cells.items() if k[1] != 4})])
    assert _formula_cells(kept_in_place(r2.book)) == _formula_cells(kept_in_place(r1.book))
    assert assert_all_equal(kept_in_place(r2.book), recalculated) > 500
    live = openpyxl.load_workbook(recalculated, data_only=True)["考核汇总"]
    heads = [c.value for c in live[2]]
    by_agent = {row[0]: dict(zip(heads, row)) for row in live.iter_rows(min_row=3, values_only=True)
                if row[0] in {a.agent.name for a in r2.result.agents}}
    for a in r2.result.agents:
        assert by_agent[a.agent.name]["总分"] == pytest.approx(a.total, abs=1e-9)
        assert by_agent[a.agent.name]["排名"] == a.rank
        assert by_agent[a.agent.name]["绩效工资"] == pytest.approx(a.perf_pay, abs=1e-9)

    # 工作态度: weight 5 of a 5-point score, so each point typed is one point of the total
    expected_total = round(r1.result.agent(agent).total + (new - old) * 5 / 5, 2)
    assert r2.result.agent(agent).kpis["工作态度"].score == new
    assert r2.result.agent(agent).total == pytest.approx(expected_total, abs=1e-9)
    assert r2.result.agent(agent).total != r1.result.agent(agent).total

    between = [a.agent.name for a in r1.result.agents if 0.75 <= a.kpis["询单转化率"].value < 0.85]
    assert "客服-小雨" in between  # exactly on the old edge
    for name in between:
        assert r1.result.agent(name).kpis["询单转化率"].score == 100
        assert r2.result.agent(name).kpis["询单转化率"].score == 80
        assert r2.result.agent(name).total == pytest.approx(r1.result.agent(name).total - 20 * 35 / 100, abs=1e-9)
    above = [a.agent.name for a in r1.result.agents if a.kpis["询单转化率"].value >= 0.85]
    for name in above:
        assert r2.result.agent(name).kpis["询单转化率"].score == 100


def test_scheme_edit_that_leaves_a_gap_is_refused_with_its_cell(three_months, tmp_path):
    """Raising only 下限 leaves 0.75–0.85 unscored: the re-run names the cell and writes nothing."""
    wb = openpyxl.load_workbook(three_months("A", "tabs").path)
    lo, _ = _edit_conversion_threshold(wb["考核方案"], also_upper=False)
    edited = tmp_path / "gap.xlsx"
    wb.save(edited)
    before, listing = edited.read_bytes(), _listing(tmp_path)
    with pytest.raises(InputErrors) as err:
        appraise(edited, AppraiseOptions(month="2026-10"))
    assert [(p.sheet, p.cell) for p in err.value.problems] == [("考核方案", lo)]
    assert "空隙" in err.value.problems[0].message
    assert edited.read_bytes() == before and _listing(tmp_path) == listing


# --------------------------------------------------------------------------- 3. re-runs


def test_rerun_is_idempotent_and_carries_typed_inputs_over(three_months, tmp_path):
    book = three_months("A", "tabs").copy_to(tmp_path)
    first = appraise(book, AppraiseOptions(month="2026-10"))
    names_first = openpyxl.load_workbook(book).sheetnames
    second = appraise(book, AppraiseOptions(month="2026-10"))
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == names_first and first.sheets == second.sheets
    assert len(set(n.lower() for n in wb.sheetnames)) == len(wb.sheetnames)
    assert not [n for n in wb.sheetnames if re.fullmatch(r"(考核方案|考核汇总|工资表|考核数据|考核历史|客服名册)\d+", n)]
    assert "考核表-小美" in wb.sheetnames and "考核表-小美1" not in wb.sheetnames

    history = wb["考核历史"]
    hhead = _header(history, 1)
    pairs = Counter((history.cell(r, hhead["月份"]).value, history.cell(r, hhead["客服"]).value)
                    for r in range(2, history.max_row + 1) if history.cell(r, hhead["客服"]).value)
    assert set(pairs.values()) == {1}
    assert len(pairs) == N_AGENTS * len(MONTHS)
    assert {m for m, _ in pairs} == set(MONTHS)

    # type on 大伟's form
    typed_agent, data_agent = "大伟", "七七"
    data = wb["客服数据"]
    oct_attitude = data.cell(*_data_cell(data, typed_agent, "2026-10", "工作态度")).value
    sep_attitude = data.cell(*_data_cell(data, typed_agent, "2026-09", "工作态度")).value
    typed = {"工作态度": next(v for v in (1, 2, 3) if v not in (oct_attitude, sep_attitude)),
             "考核人员": "王主管", "被考核人确认": "确认无误"}
    where = {}
    for label, value in typed.items():
        sheet, row, col, _ = _input_cell(second.book, f"2026-10|{typed_agent}|{label}")
        where[label] = (sheet, row, col)
        wb[sheet].cell(row, col).value = value
    # and change a pre-filled, untouched value in the data: 七七's 工作任务
    r, c = _data_cell(data, data_agent, "2026-10", "工作任务")
    old_task = data.cell(r, c).value
    new_task = 3 if old_task != 3 else 4
    data.cell(r, c).value = new_task
    wb.save(book)

    third = appraise(book, AppraiseOptions(month="2026-10"))
    wb = openpyxl.load_workbook(book)
    for label, value in typed.items():
        sheet, row, col = where[label]
        assert wb[sheet].cell(row, col).value == value, label
        assert _input_cell(third.book, f"2026-10|{typed_agent}|{label}")[3] == value
    assert third.result.agent(typed_agent).kpis["工作态度"].score == typed["工作态度"]
    assert second.result.agent(typed_agent).kpis["工作态度"].score == oct_attitude != typed["工作态度"]
    sheet, row, col, shown = _input_cell(third.book, f"2026-10|{data_agent}|工作任务")
    assert shown == new_task and wb[sheet].cell(row, col).value == new_task
    assert third.result.agent(data_agent).kpis["工作任务"].score == new_task
    # 大伟's untouched 工作任务 still comes from the data
    assert third.result.agent(typed_agent).kpis["工作任务"].score == \
        data.cell(*_data_cell(data, typed_agent, "2026-10", "工作任务")).value

    # September after October: October's typed score stays in October
    september = appraise(book, AppraiseOptions(month="2026-09"))
    assert september.result.agent(typed_agent).kpis["工作态度"].score == sep_attitude
    sheet, row, col, shown = _input_cell(september.book, f"2026-09|{typed_agent}|工作态度")
    assert shown == sep_attitude
    assert openpyxl.load_workbook(book)[sheet].cell(row, col).value == sep_attitude
    assert _input_cell(september.book, f"2026-09|{typed_agent}|考核人员")[3] in (None, "")
    # … and comes back when October is run again
    october = appraise(book, AppraiseOptions(month="2026-10"))
    assert october.result.agent(typed_agent).kpis["工作态度"].score == typed["工作态度"]
    assert _input_cell(october.book, f"2026-10|{typed_agent}|考核人员")[3] == "王主管"


# --------------------------------------------------------------------------- 4. sheets and columns


def test_summary_and_payroll_columns(three_months):
    run = three_months("A", "tabs")
    wb = openpyxl.load_workbook(run.path)
    scheme = run.october.result.scheme
    summary = list(_header(wb["考核汇总"], 2))
    # a typed score (主管评分) is its own value: one column, its 得分 (issue 9)
    from xlreports import kinds
    shown = [k.name if not (kinds.of(k).typed and kinds.of(k).scored) else k.name + "得分" for k in scheme.kpis]
    for label in ("客服", "总分", "排名", "绩效工资", "结果档位", "调整建议", "预警", *shown):
        assert label in summary, label

    payroll = wb["工资表"]
    head = _header(payroll, 2)
    for label in ("客服", "底薪", "岗位工资", "津贴", "绩效工资", "提成", "全勤奖", "奖金", "应发合计"):
        assert label in head, label
    agents = [payroll.cell(r, head["客服"]).value for r in range(3, 3 + N_AGENTS)]
    assert sorted(agents) == sorted(a.agent.name for a in run.october.result.agents)
    total_row = 3 + N_AGENTS
    assert payroll.cell(total_row, 1).value == "合计"
    c = openpyxl.utils.get_column_letter(head["应发合计"])
    assert payroll.cell(total_row, head["应发合计"]).value == f"=ROUND(SUM({c}3:{c}{total_row - 1}),2)"

    assert all(f"考核表-{name}" in wb.sheetnames for name in agents)
    assert "考核表" not in wb.sheetnames


def test_single_form_sheet_has_page_breaks(three_months):
    run = three_months("A", "single")
    wb = openpyxl.load_workbook(run.path)
    assert "考核表" in wb.sheetnames
    assert not [n for n in wb.sheetnames if n.startswith("考核表-")]
    breaks = [b.id for b in wb["考核表"].row_breaks.brk]
    assert len(breaks) == N_AGENTS - 1 and breaks == sorted(breaks)
    names = {wb["考核表"].cell(r, 2).value for r in range(1, wb["考核表"].max_row + 1)}
    assert {a.agent.name for a in run.october.result.agents} <= names


def test_english_labels(sample):
    report = appraise(sample, AppraiseOptions(month="2026-10", lang="en"))
    wb = openpyxl.load_workbook(sample)
    assert {"Summary", "Payroll", f"Scorecard-{BEST}"} <= set(wb.sheetnames)
    assert not {"考核汇总", "工资表", f"考核表-{BEST}"} & set(wb.sheetnames)
    assert report.sheets[:4] == ["Overview", "考核方案", "Summary", "Payroll"]
    summary = list(_header(wb["Summary"], 2))
    for label in ("Agent", "Total score", "Rank", "Performance pay", "Result band", "Level advice", "Warnings"):
        assert label in summary, label
    payroll = wb["Payroll"]
    head = list(_header(payroll, 2))
    for label in ("Agent", "Base wage", "Post wage", "Allowance", "Performance pay", "Commission",
                  "Attendance bonus", "Bonus", "Gross pay"):
        assert label in head, label
    assert payroll.cell(3 + N_AGENTS, 1).value == "Total"


# --------------------------------------------------------------------------- 5. worked example


def test_worked_example_through_the_workbook(tmp_path, soffice):
    book = _tiny_book(tmp_path / "tiny.xlsx")
    report = appraise(book, AppraiseOptions(month="2026-10"))
    assert any("客服名册" in m and "已新建" in m for m in report.messages)
    assert any("考核方案" in m for m in report.messages)
    wb = openpyxl.load_workbook(book)
    assert "客服名册" in wb.sheetnames
    assert [c.value for c in wb["客服名册"][2]][:1] == ["张三"]

    form = report.book.sheet("考核表-张三")
    total_row, pay_row = _find_label(form, "总分"), _find_label(form, "绩效工资")
    recalculated = _recalculate(book, tmp_path / "recalc")
    values = openpyxl.load_workbook(recalculated, data_only=True)
    assert values["考核表-张三"].cell(total_row, 8).value == 89
    assert values["考核表-张三"].cell(pay_row, 8).value == 667.5
    payroll = values["工资表"]
    head = _header(payroll, 2)
    assert payroll.cell(3, head["客服"]).value == "张三"
    assert payroll.cell(3, head["全勤奖"]).value == 0
    assert report.result.agent("张三").total == 89
    assert_all_equal(report.book, recalculated)


# --------------------------------------------------------------------------- 6. safety


def _xlsm_book(folder: Path) -> tuple[Path, bytes]:
    import xlsxwriter

    vba = folder / "vbaProject.bin"
    vba.write_bytes(os.urandom(4096))
    path = folder / "book.xlsm"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客服数据")
    ws.write_row(0, 0, TINY_HEADER)
    for i, name in enumerate(["张三", HYPERLINK_NAME], start=1):
        ws.write_string(i, 0, name)  # a string, even though it looks like a formula
        ws.write_string(i, 1, "2026-10")
        ws.write_row(i, 2, TINY_VALUES)
    wb.define_name("底线", "=客服数据!$C$2")
    wb.add_vba_project(str(vba))
    wb.close()
    return path, vba.read_bytes()


def _formulas_in_zip(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [html.unescape(f) for name in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name)
                for f in re.findall(r"<f(?:\s[^>]*)?>(.*?)</f>", z.read(name).decode("utf-8"), re.S)]


def test_macro_workbook_and_formula_like_names_survive(tmp_path):
    book, vba = _xlsm_book(tmp_path)
    original = book.read_bytes()
    names_before = {n: d.attr_text for n, d in openpyxl.load_workbook(book, keep_vba=True).defined_names.items()}
    assert names_before == {"底线": "客服数据!$C$2"}

    report = appraise(book, AppraiseOptions(month="2026-10"))
    assert report.output == book and report.output.suffix == ".xlsm"
    with zipfile.ZipFile(book) as z:
        assert z.read("xl/vbaProject.bin") == vba
        assert "macroEnabled" in z.read("[Content_Types].xml").decode()
    wb = openpyxl.load_workbook(book, keep_vba=True)
    assert {n: d.attr_text for n, d in wb.defined_names.items()} == names_before

    # the formula-looking agent name is text everywhere
    summary = wb["考核汇总"]
    cell = next(c for c in summary["A"] if c.value == HYPERLINK_NAME)
    assert cell.data_type == "s"
    form = wb[next(s for s in report.sheets if s.startswith("考核表-") and "HYPERLINK" in s)]
    assert form["B3"].value == HYPERLINK_NAME and form["B3"].data_type == "s"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value == HYPERLINK_NAME:
                    assert c.data_type == "s", f"{ws.title}!{c.coordinate}"
    formulas = _formulas_in_zip(book)
    assert formulas  # the check below looks at real formulas
    for f in formulas:
        # the agent's form sheet is named after it; quoted sheet names are references, not calls,
        # and lookups name the agent in a string literal ("…", quotes doubled), text, not a call
        unquoted = re.sub(r'"(?:[^"]|"")*"', "", re.sub(r"'(?:[^']|'')*'!", "", f))
        if unquoted == "HYPERLINK(,)" and f.startswith('HYPERLINK("#'):
            continue  # 首页's 目录: a link to a tab, both arguments text literals (issue 9)
        assert "HYPERLINK" not in unquoted.upper(), f

    assert report.backup is not None and report.backup.parent == book.parent
    assert report.backup.suffix == ".xlsm" and report.backup.read_bytes() == original


def test_formula_like_agent_name_recalculates(tmp_path, soffice):
    book, _ = _xlsm_book(tmp_path)
    report = appraise(book, AppraiseOptions(month="2026-10"))
    recalculated = _recalculate(book, tmp_path / "recalc")
    assert assert_all_equal(report.book, recalculated) > 100
    values = openpyxl.load_workbook(recalculated, data_only=True)
    row = next(c.row for c in values["考核汇总"]["A"] if c.value == HYPERLINK_NAME)
    head = _header(values["考核汇总"], 2)
    assert values["考核汇总"].cell(row, head["总分"]).value == report.result.agent(HYPERLINK_NAME).total


# --------------------------------------------------------------------------- 7. bad input


def _refused(book: Path, month: str = "2026-10", error=InputErrors, **opts):
    """Run appraise expecting ``error``; the file is byte-identical and nothing new appears beside it."""
    before, listing = book.read_bytes(), _listing(book.parent)
    with pytest.raises(error) as err:
        appraise(book, AppraiseOptions(month=month, **opts))
    assert book.read_bytes() == before
    assert _listing(book.parent) == listing  # no backup, no temporary file
    return err.value


def test_missing_required_column(sample):
    wb = openpyxl.load_workbook(sample)
    ws = wb["客服数据"]
    header_row, col = _scan(ws, "询单人数", max_row=10)
    for r in range(header_row, ws.max_row + 1):  # header and data; the group row above stays
        ws.cell(r, col).value = None
    wb.save(sample)
    err = _refused(sample)
    assert [(p.sheet, p.cell) for p in err.problems] == [("客服数据", str(header_row))]
    assert "询单人数" in err.problems[0].message


def test_text_in_a_numeric_cell(tmp_path):
    book = _tiny_book(tmp_path / "t.xlsx", [["张三", "2026-10", *TINY_VALUES],
                                            ["李四", "2026-10", "abc", *TINY_VALUES[1:]]])
    err = _refused(book)
    assert [(p.sheet, p.cell, p.found) for p in err.problems] == [("客服数据", "C3", "abc")]


def test_duplicate_agent_in_one_month(tmp_path):
    book = _tiny_book(tmp_path / "t.xlsx", [["张三", "2026-10", *TINY_VALUES],
                                            ["李四", "2026-10", *TINY_VALUES],
                                            ["张三", "2026-10", *TINY_VALUES]])
    err = _refused(book)
    assert [(p.sheet, p.cell) for p in err.problems] == [("客服数据", "A4")]
    assert "张三" in err.problems[0].message and "2" in err.problems[0].message


def test_same_agent_in_two_months_is_fine(tmp_path):
    book = _tiny_book(tmp_path / "t.xlsx", [["张三", "2026-09", *TINY_VALUES], ["张三", "2026-10", *TINY_VALUES]])
    assert appraise(book, AppraiseOptions(month="2026-10")).result.agent("张三").total == 89


def test_empty_data_sheet(tmp_path):
    book = _tiny_book(tmp_path / "t.xlsx", rows=[], header=[])
    err = _refused(book)
    assert [p.sheet for p in err.problems] == ["客服数据"]


def test_unknown_month_lists_the_months_present(sample):
    err = _refused(sample, month="2030-01")
    assert isinstance(err, XlreportsError)
    text = str(err)
    assert "客服数据" in text and "2030-01" in text
    assert all(m in text for m in MONTHS)


def test_file_that_is_not_a_workbook(tmp_path):
    book = tmp_path / "random.xlsx"
    book.write_bytes(os.urandom(4096))
    err = _refused(book, error=XlreportsError)
    assert "random.xlsx" in str(err)


def test_weights_not_adding_to_100(tmp_path):
    book = _tiny_book(tmp_path / "t.xlsx")
    appraise(book, AppraiseOptions(month="2026-10", backup=False))  # writes 考核方案
    wb = openpyxl.load_workbook(book)
    ws = wb["考核方案"]
    head, rows = _section(ws, "指标")
    row = next(r for r in rows if ws.cell(r, head["指标"]).value == "询单转化率")
    assert ws.cell(row, head["权重"]).value == 35
    ws.cell(row, head["权重"]).value = 30
    wb.save(book)
    err = _refused(book)
    weight_cells = {ws.cell(r, head["权重"]).coordinate for r in rows}
    assert len(err.problems) == 1
    problem = err.problems[0]
    assert problem.sheet == "考核方案" and problem.cell in weight_cells
    assert "95" in problem.message
