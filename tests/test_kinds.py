"""KPI kinds (xlreports/kinds/): every kind complete, and 线性评分 end to end.

The 线性评分 numbers are worked out by hand: 分值 × (value − 最差值) / (最佳值 − 最差值), kept in
[0, 分值]. The spreadsheet tests write each kind's formula next to the 考核方案 sheet it points at,
let LibreOffice (and Gnumeric) calculate it, and demand the engine's figure.
"""
from __future__ import annotations

import copy
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest

from xlreports import kinds
from xlreports.a1 import addr
from xlreports.addin import udfs
from xlreports.errors import InputErrors, XlreportsError
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.kinds.base import KpiKind
from xlreports.kinds.linear import KIND as LINEAR
from xlreports.layout.forms import standard_text
from xlreports.model.scheme import AdjustRule, Kpi, Metric, Scheme
from xlreports.rules.scheme_check import check_scheme
from xlreports.rules.scheme_files import builtin_scheme, load_scheme_file, save_scheme_file
from xlreports.rules.scheme_rows import ParsedScheme, parse_scheme_rows, scheme_to_rows

LINEAR_FILE = Path(__file__).parent / "schemes" / "scheme_a_linear.json"
# 响应时间: 最佳 30 秒, 最差 120 秒 (falling: less is better); 完成率: 最佳 100%, 最差 50% (rising).
RESPONSE_POINTS = [(10.0, 100.0), (30.0, 100.0), (52.5, 75.0), (75.0, 50.0), (97.5, 25.0), (120.0, 0.0),
                   (200.0, 0.0)]
RATE_POINTS = [(0.2, 0.0), (0.5, 0.0), (0.625, 25.0), (0.75, 50.0), (1.0, 100.0), (1.5, 100.0)]


@pytest.fixture(scope="module")
def linear_scheme() -> Scheme:
    return load_scheme_file(LINEAR_FILE)


def response(no_data: str = "zero") -> Kpi:
    return Kpi("响应时间", "linear", Metric("column", "平均响应时间"), weight=5.0, fmt="seconds", no_data=no_data,
               params={"best": 30.0, "worst": 120.0})


def completion(no_data: str = "zero") -> Kpi:
    return Kpi("完成率", "linear", Metric("attainment", "销售额", target=10000.0), weight=5.0, fmt="percent",
               no_data=no_data, params={"best": 1.0, "worst": 0.5})


def two_linear(linear_scheme: Scheme) -> Scheme:
    """The test scheme plus a rising linear KPI (完成率) that scores 得满分 without data."""
    s = copy.deepcopy(linear_scheme)
    s.kpis.append(completion("full"))
    s.kpi("询单转化率").weight = 30.0
    return s


# --------------------------------------------------------------------------- 线性评分: the engine


@pytest.mark.parametrize("value,expected", RESPONSE_POINTS)
def test_linear_falling_best_below_worst(value, expected):
    assert LINEAR.score(response(), value) == expected


@pytest.mark.parametrize("value,expected", RATE_POINTS)
def test_linear_rising_best_above_worst(value, expected):
    assert LINEAR.score(completion(), value) == expected


def test_linear_scales_with_max_score():
    assert LINEAR.score(replace(response(), max_score=10.0), 75.0) == 5.0
    assert LINEAR.score(replace(response(), max_score=10.0), 0.0) == 10.0


def test_linear_no_data_policies():
    assert LINEAR.score(response("zero"), None) == 0.0
    assert LINEAR.score(response("full"), None) == 100.0
    assert LINEAR.score(replace(response("full"), max_score=20.0), None) == 20.0


def test_linear_standard_text_both_directions():
    assert LINEAR.standard(response()) == "≤30秒→100；≥120秒→0；之间按比例"
    assert standard_text(completion()) == "≥100%→100；≤50%→0；之间按比例"


def test_linear_in_a_month_appraisal(linear_scheme):
    from xlreports.engine.appraisal import appraise_month
    from xlreports.engine.records import AgentMonth

    values = {"询单人数": 100, "最终付款人数": 80, "拍下笔数": 100, "付款笔数": 90, "客服客单价": 110, "店铺客单价": 100,
              "接待人数": 200, "回复人数": 199, "平均响应时间": 75, "工作任务": 8, "工作态度": 5, "迟到早退次数": 1,
              "请假天数": 1}
    r = appraise_month(linear_scheme, [AgentMonth("小美", "2026-10", values)], []).agents[0]
    assert (r.kpis["响应时间"].value, r.kpis["响应时间"].score, r.kpis["响应时间"].weighted) == (75.0, 50.0, 2.5)
    assert r.total == 86.5  # scheme A's worked example (89) with 响应时间 50 × 5% instead of 100 × 5%
    blank = appraise_month(linear_scheme, [AgentMonth("小美", "2026-10", {**values, "平均响应时间": None})], [])
    assert blank.agents[0].kpis["响应时间"].score == 0.0 and blank.agents[0].total == 84.0


# --------------------------------------------------------------------------- every kind is complete


def _samples() -> tuple[ParsedScheme, dict[str, tuple[str, float | None]]]:
    """A parsed scheme holding a KPI of every kind, and (KPI, a value) per kind key."""
    s = copy.deepcopy(load_scheme_file(LINEAR_FILE))
    b = builtin_scheme("B")
    s.kpis.append(replace(b.kpi("销售额完成率"), weight=0.0))
    s.kpis.append(Kpi("经验加分", "count_bonus", input_column="经验条数", bonus_cap=2.0,
                      rules=[AdjustRule(">=", 0.0, "per_step", 1.0, 5.0)]))
    parsed = parse_scheme_rows(scheme_to_rows(s))
    picks = {"band": ("询单转化率", 0.7), "adjust": ("销售额完成率", 0.85), "manual": ("工作态度", 4.0),
             "attendance": ("考勤", 3.0), "count_bonus": ("经验加分", 12.0), "info": ("退款率", 0.02),
             "linear": ("响应时间", 75.0)}
    return parsed, picks


def test_every_registered_kind_provides_score_formula_text_and_check():
    parsed, picks = _samples()
    assert set(picks) == set(kinds.KINDS), "add a sample KPI for the new kind here"
    for key, kind in kinds.KINDS.items():
        assert kinds.get(key) is kind and kind.key == key and kind.label == kinds.LABELS[key]
        for method in ("score", "formula", "standard"):
            assert getattr(type(kind), method) is not getattr(KpiKind, method), (key, method)
        kpi = parsed.scheme.kpi(picks[key][0])
        assert kpi.kind == key
        assert isinstance(kind.score(kpi, picks[key][1]), float)
        formula = kind.formula(kpi, parsed.refs, "F9", "D9")
        assert formula is None if not kind.scored else formula.startswith("=")
        assert kind.standard(kpi)
        assert kind.check(kpi, parsed.refs) == []
    assert check_scheme(parsed.scheme, parsed.refs) == []
    assert [k.key for k in kinds.KINDS.values() if k.weighted] == ["band", "adjust", "manual", "attendance", "linear"]


def test_unknown_kind_is_a_located_error():
    with pytest.raises(XlreportsError, match="未知的指标类型「foo」"):
        kinds.get("foo")
    rows = scheme_to_rows(builtin_scheme("A"))
    row = next(i for i, r in enumerate(rows) if r and r[0] == "退款率")
    rows[row][1] = "线性"
    with pytest.raises(InputErrors) as exc:
        parse_scheme_rows(rows)
    p = exc.value.problems[0]
    assert p.cell == addr(row + 1, 2) and "线性评分" in p.message


# --------------------------------------------------------------------------- 考核方案 sheet and JSON


def _section(rows: list[list], title: str) -> int:
    return next(i for i, r in enumerate(rows) if r and r[0] == f"【{title}】")


def test_linear_section_on_the_sheet(linear_scheme):
    rows = scheme_to_rows(linear_scheme)
    top = _section(rows, "线性评分")
    assert rows[top + 1] == ["指标", "最佳值", "最差值"]
    assert rows[top + 2] == ["响应时间", 30.0, 120.0]
    assert _section(rows, "扣分项") < top < _section(rows, "级别工资")
    parsed = parse_scheme_rows(rows)
    assert parsed.refs.kpis["响应时间"]["best"] == (top + 3, 2)
    assert parsed.refs.kpis["响应时间"]["worst"] == (top + 3, 3)
    for code in ("A", "B"):  # schemes without a linear KPI keep their sheet as it was
        assert not any(r and r[0] == "【线性评分】" for r in scheme_to_rows(builtin_scheme(code)))


def test_linear_scheme_round_trips_sheet_and_json(linear_scheme, tmp_path):
    assert linear_scheme.kpi("响应时间").params == {"best": 30.0, "worst": 120.0}
    parsed = parse_scheme_rows(scheme_to_rows(linear_scheme))
    assert parsed.scheme == linear_scheme
    assert check_scheme(parsed.scheme, parsed.refs) == []
    path = tmp_path / "s.json"
    save_scheme_file(parsed.scheme, path)
    assert load_scheme_file(path) == linear_scheme
    assert parse_scheme_rows(scheme_to_rows(load_scheme_file(path))).scheme == linear_scheme
    both = two_linear(linear_scheme)
    assert parse_scheme_rows(scheme_to_rows(both)).scheme == both


def _linear_rows(linear_scheme) -> tuple[list[list], int]:
    rows = copy.deepcopy(scheme_to_rows(linear_scheme))
    return rows, _section(rows, "线性评分") + 2  # the 响应时间 row (0-based)


def test_best_equal_to_worst_names_the_cell(linear_scheme):
    rows, r = _linear_rows(linear_scheme)
    rows[r][2] = 30
    parsed = parse_scheme_rows(rows)
    problems = check_scheme(parsed.scheme, parsed.refs)
    assert [(p.cell, p.message) for p in problems] == [
        (addr(r + 1, 3), "「响应时间」的最佳值与最差值相同，无法按比例评分")]


@pytest.mark.parametrize("col,raw,message", [
    (1, None, "「最佳值」不能为空"), (2, "", "「最差值」不能为空"), (1, "三十", "「最佳值」应为数字"),
    (2, "120秒", "「最差值」应为数字")])
def test_missing_or_text_value_names_the_cell(linear_scheme, col, raw, message):
    rows, r = _linear_rows(linear_scheme)
    rows[r][col] = raw
    with pytest.raises(InputErrors) as exc:
        parse_scheme_rows(rows)
    assert [(p.sheet, p.cell, p.message) for p in exc.value.problems] == [("考核方案", addr(r + 1, col + 1), message)]


def test_linear_kpi_without_its_row_names_the_kind_cell(linear_scheme):
    rows, r = _linear_rows(linear_scheme)
    del rows[r]
    parsed = parse_scheme_rows(rows)
    problems = check_scheme(parsed.scheme, parsed.refs)
    kind_cell = parsed.refs.kpis["响应时间"]["kind"]
    assert [p.cell for p in problems] == [addr(*kind_cell)]
    assert "【线性评分】" in problems[0].message and "最佳值和最差值" in problems[0].message


def test_duplicate_and_unknown_rows_in_the_linear_section(linear_scheme):
    rows, r = _linear_rows(linear_scheme)
    rows.insert(r + 1, ["响应时间", 20, 100])
    rows.insert(r + 2, ["回复时间", 20, 100])
    with pytest.raises(InputErrors) as exc:
        parse_scheme_rows(rows)
    assert [(p.cell, p.message) for p in exc.value.problems] == [
        (addr(r + 2, 1), "指标「响应时间」在【线性评分】中重复"), (addr(r + 3, 1), "【指标】中没有这个指标")]


# --------------------------------------------------------------------------- XLR_SCORE


def test_udf_scores_linear(linear_scheme):
    assert udfs.score(75, "响应时间", linear_scheme) == 50.0
    assert udfs.score("52.5", "响应时间", linear_scheme) == 75.0
    assert udfs.score(None, "响应时间", linear_scheme) == 0.0
    assert udfs.score(10, "响应时间", linear_scheme) == 100.0
    both = two_linear(linear_scheme)
    assert udfs.score("75%", "完成率", both) == 50.0
    assert udfs.score("", "完成率", both) == 100.0  # 无数据: 得满分
    with pytest.raises(XlreportsError, match="不是档位评分、加减评分或线性评分"):
        udfs.score(1, "工作态度", linear_scheme)


# --------------------------------------------------------------------------- the formula in a spreadsheet


def _formula_book(scheme: Scheme, path: Path, points: dict[str, list[float | None]]) -> dict[tuple[str, int], str]:
    """考核方案 + a 计算 sheet: per KPI and point, 数据 in A, 分值 in B (from the scheme), 得分 formula in C.

    openpyxl stores no cached values, so every number read back was computed by the spreadsheet program.
    """
    parsed = parse_scheme_rows(scheme_to_rows(scheme))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "考核方案"
    for row in scheme_to_rows(scheme):
        ws.append(row)
    calc = wb.create_sheet("计算")
    where: dict[tuple[str, int], str] = {}
    r = 1
    for name, values in points.items():
        kpi = parsed.scheme.kpi(name)
        for i, value in enumerate(values):
            calc.cell(r, 1, value)
            calc.cell(r, 2, f"={parsed.refs.ref(parsed.refs.kpis[name]['max_score'])}")
            calc.cell(r, 3, kinds.of(kpi).formula(kpi, parsed.refs, f"A{r}", f"B{r}"))
            where[(name, i)] = f"C{r}"
            r += 1
    wb.save(path)
    return where


def _check_against_engine(scheme: Scheme, recalculated: Path, where, points) -> int:
    ws = openpyxl.load_workbook(recalculated, data_only=True)["计算"]
    compared = 0
    for (name, i), cell in where.items():
        kpi = scheme.kpi(name)
        expected = kinds.of(kpi).score(kpi, points[name][i])
        got = ws[cell].value
        assert isinstance(got, (int, float)) and abs(got - expected) <= 1e-9, (name, points[name][i], expected, got)
        compared += 1
    return compared


POINTS = {"响应时间": [v for v, _ in RESPONSE_POINTS] + [None, 60.0],
          "完成率": [v for v, _ in RATE_POINTS] + [None, 0.9]}


def test_linear_formula_equals_engine_in_libreoffice(linear_scheme, soffice, tmp_path):
    from libreoffice import recalculate

    scheme = two_linear(linear_scheme)
    where = _formula_book(scheme, tmp_path / "linear.xlsx", POINTS)
    out = recalculate(tmp_path / "linear.xlsx", tmp_path / "out")
    assert _check_against_engine(scheme, out, where, POINTS) == 17


def test_editing_best_and_worst_on_the_sheet_recalculates(linear_scheme, soffice, tmp_path):
    """The formula points at 最佳值/最差值: a shop owner's edit there moves the score like a re-run would."""
    from libreoffice import recalculate

    scheme = two_linear(linear_scheme)
    where = _formula_book(scheme, tmp_path / "linear.xlsx", POINTS)
    refs = parse_scheme_rows(scheme_to_rows(scheme)).refs
    wb = openpyxl.load_workbook(tmp_path / "linear.xlsx")
    for name, best, worst in (("响应时间", 60, 20), ("完成率", 0.9, 0.6)):  # 响应时间 now rises (odd, but allowed)
        wb["考核方案"].cell(*refs.kpis[name]["best"]).value = best
        wb["考核方案"].cell(*refs.kpis[name]["worst"]).value = worst
        scheme.kpi(name).params = {"best": float(best), "worst": float(worst)}
    wb.save(tmp_path / "edited.xlsx")
    out = recalculate(tmp_path / "edited.xlsx", tmp_path / "out")
    assert _check_against_engine(scheme, out, where, POINTS) == 17
    assert LINEAR.score(scheme.kpi("响应时间"), 52.5) == 81.25  # 100 × (52.5 − 20) / (60 − 20)


@pytest.mark.skipif(shutil.which("ssconvert") is None, reason="Gnumeric (ssconvert) not installed")
def test_linear_formula_equals_engine_in_gnumeric(linear_scheme, tmp_path):
    scheme = two_linear(linear_scheme)
    where = _formula_book(scheme, tmp_path / "linear.xlsx", POINTS)
    out = tmp_path / "gnumeric.xlsx"
    subprocess.run(["ssconvert", "--recalc", str(tmp_path / "linear.xlsx"), str(out)], check=True,
                   capture_output=True, timeout=120)
    assert _check_against_engine(scheme, out, where, POINTS) == 17


# --------------------------------------------------------------------------- through appraise


HEADER = ["客服", "月份", "询单人数", "最终付款人数", "拍下笔数", "付款笔数", "客服客单价", "店铺客单价", "接待人数",
          "回复人数", "平均响应时间", "工作任务", "工作态度", "迟到早退次数", "请假天数"]
ROWS = [["张三", "2026-10", 100, 80, 100, 90, 110, 100, 200, 199, 75, 8, 5, 1, 1],
        ["李四", "2026-10", 100, 80, 100, 90, 110, 100, 200, 199, 52.5, 8, 5, 1, 1],
        ["王五", "2026-10", 100, 80, 100, 90, 110, 100, 200, 199, None, 8, 5, 1, 1]]


def test_appraise_with_a_linear_kpi(soffice, tmp_path):
    from libreoffice import recalculate

    book = tmp_path / "shop.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "客服数据"
    for row in [HEADER, *ROWS]:
        wb.active.append(row)
    wb.save(book)
    report = appraise(book, AppraiseOptions(month="2026-10", scheme=str(LINEAR_FILE), forms="tabs"))
    totals = {r.agent.name: (r.kpis["响应时间"].score, r.total) for r in report.result.agents}
    assert totals == {"张三": (50.0, 86.5), "李四": (75.0, 87.75), "王五": (0.0, 84.0)}

    form = report.book.sheet("考核表-张三")
    row = next(r for (r, c), cell in form.cells.items() if c == 1 and cell.value == "响应时间")
    assert form.cells[(row, 3)].value == "≤30秒→100；≥120秒→0；之间按比例"
    parsed = parse_scheme_rows([[c.value for c in r] for r in openpyxl.load_workbook(book)["考核方案"].iter_rows()])
    assert parsed.scheme == load_scheme_file(LINEAR_FILE)  # the written 考核方案 sheet reads back the same
    best, worst = (parsed.refs.ref(parsed.refs.kpis["响应时间"][a]) for a in ("best", "worst"))
    assert best in form.cells[(row, 7)].formula and worst in form.cells[(row, 7)].formula

    # Strip the cached values (openpyxl keeps formulas only), let LibreOffice compute every formula.
    stripped = tmp_path / "stripped.xlsx"
    openpyxl.load_workbook(book).save(stripped)
    values = openpyxl.load_workbook(recalculate(stripped, tmp_path / "out"), data_only=True)
    compared = 0
    for spec in report.book.sheets:
        for (r, c), cell in spec.cells.items():
            if cell.formula and spec.name in values.sheetnames:
                got, want = values[spec.name].cell(r, c).value, cell.value
                if isinstance(want, (int, float)) and not isinstance(want, bool):
                    assert isinstance(got, (int, float)) and abs(got - want) <= 1e-9, (spec.name, r, c, want, got)
                else:
                    assert (got or "") == (want or ""), (spec.name, r, c, want, got)
                compared += 1
    assert compared > 100
