"""Figures by identity, not position: sorting a generated table in a spreadsheet program changes no figure.

The sample is appraised for three months (schemes A and B, forms on tabs or on one sheet); then
LibreOffice, through UNO (tests/office_ops.py), sorts every generated table — 考核汇总, 工资表,
考核数据, 考核历史 and the 客服名册 — by several columns, ascending and descending, recalculates
and saves. Every formula cell the run wrote must still hold the engine's figure, found by the
agent's name where the table was sorted: 总分, 排名, 绩效工资, every 工资表 column, every form.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from office_ops import perform
from xlreports.a1 import addr, col_letter
from xlreports.jobs.appraise import AppraiseOptions, AppraiseReport, appraise
from xlreports.layout.spec import WorkbookSpec

ROOT = Path(__file__).resolve().parents[1]
MAKE_SAMPLE = ROOT / "samples" / "make_sample.py"
MONTHS = ("2026-08", "2026-09", "2026-10")
PAY_COLUMNS = {"底薪": "base_wage", "岗位工资": "post_wage", "津贴": "allowance", "绩效工资": "perf_pay",
               "提成": "commission", "全勤奖": "attendance_bonus", "额外奖金": "streak_bonus", "奖金": "bonus",
               "应发合计": "gross"}
TINY_HEADER = ["客服", "月份", "询单人数", "最终付款人数", "拍下笔数", "付款笔数", "客服客单价", "店铺客单价", "接待人数",
               "回复人数", "平均响应时间", "工作任务", "工作态度", "迟到早退次数", "请假天数"]

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl on LibreOffice's extensions


@dataclass(frozen=True)
class Table:
    """A generated table on a sheet: header row, body rows (one per agent or history line), width."""

    sheet: str
    header: int
    first: int
    last: int
    width: int

    @property
    def body(self) -> str:
        return f"A{self.first}:{col_letter(self.width)}{self.last}"

    def column(self, header: str, ws) -> int:
        """0-based index (as the sort wants it) of the column whose header is ``header``."""
        for c in range(1, self.width + 1):
            if ws.cell(self.header, c).value == header:
                return c - 1
        raise AssertionError(f"no column {header!r} on {self.sheet}")


def _table(ws, header: int, key_header: str = "客服") -> Table:
    """The table whose header row is ``header``: body rows down to the first blank or 合计 in column A."""
    width = max(c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value not in (None, ""))
    assert key_header in [ws.cell(header, c).value for c in range(1, width + 1)], (ws.title, header)
    last = header
    while ws.cell(last + 1, 1).value not in (None, "", "合计"):
        last += 1
    assert last > header + 1, f"no body under row {header} of {ws.title}"
    return Table(ws.title, header, header + 1, last, width)


def _tables(path: Path) -> dict[str, Table]:
    wb = openpyxl.load_workbook(path)
    return {"考核汇总": _table(wb["考核汇总"], 2), "工资表": _table(wb["工资表"], 2), "考核数据": _table(wb["考核数据"], 1),
            "考核历史": _table(wb["考核历史"], 1), "客服名册": _table(wb["客服名册"], 1)}


def _sorts(path: Path, order: str) -> list[dict]:
    """Sort every table by several columns in turn (the last sort of each sets its final order)."""
    wb = openpyxl.load_workbook(path)
    t = _tables(path)
    desc = order == "descending"
    # 考核汇总 is written in 排名 order (issue 9): its last sort is by 客服, so that it reorders the rows
    plan = [("考核汇总", "排名", not desc), ("考核汇总", "绩效工资", not desc), ("考核汇总", "总分", desc),
            ("考核汇总", "客服", desc),
            ("工资表", "应发合计", desc), ("工资表", "客服", desc),
            ("考核数据", "月份", desc), ("考核数据", "客服", desc),
            ("考核历史", "总分", desc), ("考核历史", "客服", desc), ("考核历史", "月份", not desc),
            ("客服名册", "客服", desc)]
    return [{"op": "sort", "sheet": t[s].sheet, "range": t[s].body, "by": t[s].column(h, wb[s]), "descending": d}
            for s, h, d in plan]


@pytest.fixture(scope="module")
def sample_src(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "shop_sample.xlsx"
    subprocess.run([sys.executable, str(MAKE_SAMPLE), str(out)], check=True, capture_output=True, timeout=60)
    return out


@pytest.fixture(scope="module")
def appraised(sample_src, tmp_path_factory):
    """run(scheme, forms) → (workbook after 2026-08..10, October's report), built once per combination."""
    cache: dict[tuple[str, str], tuple[Path, AppraiseReport]] = {}

    def run(scheme: str, forms: str) -> tuple[Path, AppraiseReport]:
        if (scheme, forms) not in cache:
            path = tmp_path_factory.mktemp(f"id-{scheme}-{forms}") / "shop.xlsx"
            shutil.copyfile(sample_src, path)
            reports = [appraise(path, AppraiseOptions(month=m, scheme=scheme, forms=forms)) for m in MONTHS]
            cache[(scheme, forms)] = (path, reports[-1])
        return cache[(scheme, forms)]

    return run


def _equal(expected, got) -> bool:
    """Engine value vs. recalculated cell: numbers within 1e-9, text exactly, None/"" ≡ empty."""
    if expected in (None, "") and got in (None, ""):
        return True
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return abs(expected - got) <= 1e-9
    return type(expected) is type(got) and expected == got


def _row_moves(spec, ws, table: Table) -> dict[int, int]:
    """Where each body row of a sorted table went: spec row → sheet row, matched by the agent in column A."""
    now = {ws.cell(r, 1).value: r for r in range(table.first, table.last + 1)}
    return {r: now[spec.cells[(r, 1)].value] for r in range(table.first, table.last + 1)}


def _mismatches(book: WorkbookSpec, saved: Path, tables: dict[str, Table]) -> tuple[int, list[str]]:
    """Every formula cell of ``book`` against the saved file, rows of sorted tables found by agent."""
    wb = openpyxl.load_workbook(saved, data_only=True)
    compared, bad = 0, []
    for spec in book.sheets:
        ws = wb[spec.name]
        moves = _row_moves(spec, ws, tables[spec.name]) if spec.name in ("考核汇总", "工资表") else {}
        for (r, c), cell in sorted(spec.cells.items()):
            if cell.formula is None:
                continue
            compared += 1
            got = ws.cell(moves.get(r, r), c).value
            if not _equal(cell.value, got):
                bad.append(f"{spec.name}!{addr(r, c)} ({spec.cells.get((r, 1)) and spec.cells[(r, 1)].value}): "
                           f"engine {cell.value!r}, LibreOffice {got!r}   {cell.formula[:120]}")
    return compared, bad


def _by_agent(ws, table: Table) -> dict[str, dict[str, object]]:
    head = [ws.cell(table.header, c).value for c in range(1, table.width + 1)]
    return {ws.cell(r, 1).value: dict(zip(head, (ws.cell(r, c).value for c in range(1, table.width + 1))))
            for r in range(table.first, table.last + 1)}


@pytest.mark.parametrize("scheme,forms,order", [("A", "tabs", "ascending"), ("A", "single", "descending"),
                                                ("B", "tabs", "descending"), ("B", "single", "ascending")])
def test_sorting_every_generated_table_changes_no_figure(appraised, uno_python, soffice, tmp_path,
                                                         scheme, forms, order):
    src, report = appraised(scheme, forms)
    path = tmp_path / "sorted.xlsx"
    shutil.copyfile(src, path)
    tables = _tables(path)
    before = _by_agent(openpyxl.load_workbook(path)["考核汇总"], tables["考核汇总"])
    perform(path, _sorts(path, order))

    wb = openpyxl.load_workbook(path, data_only=True)
    summary = _by_agent(wb["考核汇总"], tables["考核汇总"])
    assert list(summary) != list(before), "the sort did not reorder 考核汇总"
    payroll = _by_agent(wb["工资表"], tables["工资表"])
    agents = report.result.agents
    assert set(summary) == set(payroll) == {r.agent.name for r in agents}
    wrong = []
    for r in agents:
        name = r.agent.name
        for label, want in (("总分", r.total), ("排名", r.rank), ("绩效工资", r.perf_pay)):
            if not _equal(want, summary[name][label]):
                wrong.append(f"考核汇总 {name} {label}: engine {want}, LibreOffice {summary[name][label]}")
        for label, attr in PAY_COLUMNS.items():
            want = getattr(r, attr) or None if label == "奖金" else getattr(r, attr)
            if not _equal(want, payroll[name][label]):
                wrong.append(f"工资表 {name} {label}: engine {want}, LibreOffice {payroll[name][label]}")
    assert not wrong, f"{len(wrong)} figures changed by sorting:\n" + "\n".join(wrong)

    compared, bad = _mismatches(report.book, path, tables)
    assert compared > 500
    assert not bad, f"{len(bad)} of {compared} formula cells differ after sorting:\n" + "\n".join(bad[:40])


@pytest.mark.parametrize("descending", [True, False])
def test_sorting_summary_by_total_keeps_every_agents_pay(appraised, uno_python, soffice, tmp_path, descending):
    """The case users found: 考核汇总 sorted by 总分, then 工资表's 绩效工资 (found by name) read back."""
    src, report = appraised("A", "tabs")
    path = tmp_path / "sorted.xlsx"
    shutil.copyfile(src, path)
    tables = _tables(path)
    t = tables["考核汇总"]
    by = t.column("总分", openpyxl.load_workbook(path)["考核汇总"])
    perform(path, [{"op": "sort", "sheet": "考核汇总", "range": t.body, "by": by, "descending": descending}])
    payroll = _by_agent(openpyxl.load_workbook(path, data_only=True)["工资表"], tables["工资表"])
    changed = sorted(r.agent.name for r in report.result.agents if not _equal(r.perf_pay, payroll[r.agent.name]["绩效工资"]))
    assert not changed, f"{len(changed)} of {len(report.result.agents)} agents' 绩效工资 changed: {changed}"


def _recalculated_tiny(tmp_path: Path, rows: list[tuple[str, int, int]]) -> tuple[AppraiseReport, int, list[str]]:
    """Appraise a 客服数据 of (客服, 询单人数, 最终付款人数) rows, recalculate in LibreOffice, compare every formula."""
    from libreoffice import recalculate

    path = tmp_path / "tiny.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客服数据"
    ws.append(TINY_HEADER)
    for name, asked, paid in rows:
        ws.append([name, "2026-10", asked, paid, 100, 90, 110, 100, 200, 199, 28, 8, 5, 1, 1])
    wb.save(path)
    report = appraise(path, AppraiseOptions(month="2026-10"))
    out = recalculate(path, tmp_path / "recalc")
    book = openpyxl.load_workbook(out)
    tables = {"考核汇总": _table(book["考核汇总"], 2), "工资表": _table(book["工资表"], 2)}
    return report, *_mismatches(report.book, out, tables)


def test_names_with_wildcard_characters_find_their_own_row(tmp_path, soffice):
    """MATCH treats * ? ~ as wildcards: "小*" must not find 小美's row, nor "a?" find "ab"'s."""
    # first the plain name, then the one whose wildcard would match it
    report, compared, bad = _recalculated_tiny(tmp_path, [("小美", 100, 90), ("小*", 100, 40), ("ab", 80, 70),
                                                          ("a?", 80, 20), ("xy", 50, 45), ("x~y", 50, 10)])
    totals = {r.agent.name: r.total for r in report.result.agents}
    assert totals["小美"] != totals["小*"] and totals["ab"] != totals["a?"] and totals["xy"] != totals["x~y"]
    assert compared > 100
    assert not bad, "\n".join(bad[:20])


def test_names_differing_only_in_case_keep_their_own_figures(tmp_path, soffice):
    """MATCH ignores case, so "Amy" and "amy" are referenced by row: right, if not sort-proof."""
    report, compared, bad = _recalculated_tiny(tmp_path, [("Amy", 100, 90), ("amy", 100, 40), ("Bo", 100, 70)])
    assert report.result.agent("Amy").total != report.result.agent("amy").total
    assert compared > 50
    assert not bad, "\n".join(bad[:20])
