"""Forms an agent signs and the warnings that matter (issue 9, items 6 and 7).

The demo's three months (the shop's 考核方案 with 店铺名称, a roster with 工号) and scheme B's October
with its supervisor scores blank are appraised once per module; each test reads the written file.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, strategies as st

from test_fuzz import FUZZ  # one fuzz budget (FUZZ_EXAMPLES) for every property
from office_ops import perform
from xlreports.engine.pay import TOP_LEVEL_ADVICE, level_advice
from xlreports.excel.read.values import NOT_A_SCORE, parse_score
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.jobs.init import init_book
from xlreports.layout.forms import SIGNATURES, SIGNATURE_HEIGHT, WIDTHS, standard_text
from xlreports.layout.text_fit import fitted_height
from xlreports.rules.scheme_files import builtin_scheme
from xlreports.samples import AGENTS, ROSTER, SHOP, build_sample, sample_scheme

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
MANUAL_B = ("聊天记录抽查·应答时间", "聊天记录抽查·服务态度", "产品知识考试", "岗位操作考试", "工作总结")


def _demo(folder: Path, scheme: str, scores: bool = True) -> Path:
    book = build_sample(folder / "shop_sample.xlsx", supervisor_scores=scores)
    init_book(book, sample_scheme(scheme), backup=False)
    for month in ("2026-08", "2026-09", "2026-10"):
        appraise(book, AppraiseOptions(month=month, backup=False))
    return book


@pytest.fixture(scope="module")
def demo_a(tmp_path_factory) -> Path:
    return _demo(tmp_path_factory.mktemp("demo_a"), "A")


@pytest.fixture(scope="module")
def blank_b(tmp_path_factory):
    """Scheme B's October on the sample without supervisor scores: (report, book)."""
    book = build_sample(tmp_path_factory.mktemp("blank_b") / "shop.xlsx")
    return appraise(book, AppraiseOptions(month="2026-10", scheme="B", backup=False)), book


def _values(path: Path):
    """The workbook with each formula's cached value (what the engine computed)."""
    return openpyxl.load_workbook(path, data_only=True)


def _row_of(ws, label: str, col: int = 1) -> int:
    rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, col).value == label]
    assert len(rows) == 1, (ws.title, label, rows)
    return rows[0]


# ------------------------------------------------------------------ advice and the level ladder

def test_advice_never_promotes_beyond_the_top_level():
    a = builtin_scheme("A")
    assert [level_advice(a, lv, "建议升2级") for lv in ("初级", "中级", "高级")] == \
        ["建议升2级", "建议升1级", TOP_LEVEL_ADVICE]
    assert level_advice(a, "高级", "建议升1级或不变") == "建议不变（已是最高级别）"
    assert level_advice(a, "中级", "建议升1级或不变") == "建议升1级或不变"
    assert level_advice(a, "高级", "建议降级,给予一定考察期") == "建议降级,给予一定考察期"


def test_the_top_agent_at_the_top_level_is_not_advised_to_move_up(demo_a):
    wb = _values(demo_a)
    ws = wb["考核表-小美"]
    band_row = _row_of(ws, "结果档位")
    assert ws.cell(band_row, 2).value == "优秀" and ws.cell(band_row, 6).value == "建议不变（已是最高级别）"
    formula = openpyxl.load_workbook(demo_a)["考核表-小美"].cell(band_row, 6).value
    assert formula.startswith('=IF(ISNUMBER(FIND("升",') and '"建议不变（已是最高级别）"' in formula
    summary = wb["考核汇总"]
    head = next(r for r in range(1, 6) if summary.cell(r, 1).value == "客服")
    cols = {summary.cell(head, c).value: c for c in range(1, summary.max_column + 1)}
    row = next(r for r in range(head + 1, summary.max_row + 1) if summary.cell(r, 1).value == "小美")
    assert summary.cell(row, cols["调整建议"]).value == "建议不变（已是最高级别）"


# ------------------------------------------------------------------ the form itself

def test_the_form_prints_the_shop_roster_last_month_and_signature_room(demo_a):
    wb = _values(demo_a)
    ws = wb["考核表-小美"]
    assert ws["C2"].value is None and ws["B2"].value == SHOP == "小美的衣橱"
    assert ws.oddHeader.left.text == "小美的衣橱"
    staff = _row_of(ws, "工号")
    assert ws.cell(staff, 2).value == "KF1001" and ws.cell(staff, 4).value == "入职日期"
    assert ws.cell(staff, 6).value.date().isoformat() == ROSTER[0][1].isoformat() == "2022-03-01"
    # 上月总分 is 考核历史's September figure
    history = wb["考核历史"]
    head = [c.value for c in history[1]]
    sept = next(r for r in history.iter_rows(min_row=2, values_only=True)
                if r[head.index("月份")] == "2026-09" and r[head.index("客服")] == "小美")
    last = _row_of(ws, "上月总分")
    assert ws.cell(last, 8).value == sept[head.index("总分")] == 100
    assert ws.cell(_row_of(ws, "总分"), 8).value == 100
    # the signature block: three tall rows, each with a date
    rows = [_row_of(ws, label) for label in SIGNATURES]
    assert rows == [rows[0], rows[0] + 1, rows[0] + 2]
    for r in rows:
        assert ws.row_dimensions[r].height == SIGNATURE_HEIGHT == 34
        assert ws.cell(r, 4).value == "日期" and ws.cell(r, 2).value is None and ws.cell(r, 6).value is None
        assert {f"B{r}:C{r}", f"F{r}:H{r}"} <= {str(m) for m in ws.merged_cells.ranges}
    assert ws.page_setup.orientation == "portrait" and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 1


def test_reading_notes_stay_on_the_scheme_sheet(demo_a, tmp_path):
    book = _demo(tmp_path, "B")
    for path, note in ((demo_a, "原表此行被截断"), (book, "原表扣分顺序错乱")):
        wb = _values(path)
        forms = [ws for ws in wb.worksheets if ws.title.startswith("考核表")]
        assert len(forms) == 14
        texts = [str(c.value) for ws in forms for row in ws.iter_rows() for c in row if c.value is not None]
        assert not [t for t in texts if "原表" in t or "（解读）" in t]
        assert any(note in str(c.value) for row in wb["考核方案"].iter_rows() for c in row)


def test_scheme_b_rows_are_as_tall_as_their_wrapped_text(tmp_path):
    book = _demo(tmp_path, "B")
    ws = _values(book)["考核表-阿杰"]
    scheme = builtin_scheme("B")
    for kpi in scheme.kpis:
        r = _row_of(ws, kpi.name)
        want = fitted_height([(kpi.name, WIDTHS[0], 10.5), (kpi.description, WIDTHS[1], 9),
                              (standard_text(kpi), WIDTHS[2], 9)])
        assert ws.row_dimensions[r].height == want, kpi.name
        assert ws.cell(r, 2).alignment.wrap_text and ws.cell(r, 2).font.sz == 9
    # the longest description (82 units) takes three 9 pt lines
    assert ws.row_dimensions[_row_of(ws, "销售增长率")].height == 41.8
    # scheme B's demo has supervisor scores: 小美 gets full marks on all five
    me = _values(book)["考核表-小美"]
    assert [me.cell(_row_of(me, k), 6).value for k in MANUAL_B] == [10, 10, 5, 5, 5]


def test_no_staff_row_when_the_roster_has_neither(tmp_path):
    book = build_sample(tmp_path / "s.xlsx")
    wb = openpyxl.load_workbook(book)
    del wb["客服名册"]
    wb.save(book)
    appraise(book, AppraiseOptions(month="2026-10", backup=False))
    ws = _values(book)["考核表-小美"]
    assert not [c for row in ws.iter_rows() for c in row if c.value in ("工号", "入职日期")]
    assert ws["A4"].value == "指标"


# ------------------------------------------------------------------ validation of typed scores

def test_typed_score_cells_take_0_to_their_full_score(blank_b):
    _, book = blank_b
    ws = _values(book)["考核表-小美"]
    found = {}
    for v in ws.data_validations.dataValidation:
        if v.type == "decimal":
            (cell,) = str(v.sqref).split()
            found[cell] = v
    rows = {k: _row_of(ws, k) for k in MANUAL_B}
    assert sorted(found) == sorted(f"F{r}" for r in rows.values())
    scheme = builtin_scheme("B")
    for kpi, r in rows.items():
        v = found[f"F{r}"]
        full = ws.cell(r, 4).value  # the form's 分值 cell (cached from 考核方案)
        assert (v.operator, float(v.formula1), float(v.formula2)) == ("between", 0.0, full) == \
            ("between", 0.0, scheme.kpi(kpi).max_score)
        assert v.showErrorMessage and v.errorStyle in (None, "stop")
        assert v.error == f"「{kpi}」应为 0 到 {full:g} 之间的数字（分值 {full:g} 分）"
        assert v.prompt == f"主管评分：0 到 {full:g} 分"


def test_libreoffice_reads_the_score_validation(blank_b, soffice, uno_python, tmp_path):
    _, book = blank_b
    copy = shutil.copy(book, tmp_path / "lo.xlsx")
    ws = _values(copy)["考核表-小美"]
    r = _row_of(ws, "聊天记录抽查·应答时间")
    (got,) = perform(copy, [{"op": "validation", "sheet": "考核表-小美", "cell": f"F{r}"}], out=tmp_path / "o.xlsx")
    assert (got["type"], got["operator"], float(got["formula1"]), float(got["formula2"])) == \
        ("DECIMAL", "BETWEEN", 0.0, 10.0)
    assert got["show_error"] and got["style"] == "STOP"
    assert got["error"] == "「聊天记录抽查·应答时间」应为 0 到 10 之间的数字（分值 10 分）"
    assert not float(got["formula1"]) <= 12 <= float(got["formula2"])  # typing 12 is refused


# ------------------------------------------------------------------ warnings

def test_blank_supervisor_scores_are_named_by_agent_and_cell(blank_b):
    report, book = blank_b
    blank = [w for w in report.warnings if "主管评分未填写" in w.message]
    assert [w.sheet for w in blank] == [f"考核表-{a}" for a in AGENTS]
    assert {w.severity for w in blank} == {"warning"}
    assert str(blank[0]) == ("考核表-小美!F14,F15,F16,F17,F18: 客服「小美」的主管评分未填写：聊天记录抽查·应答时间、"
                             "聊天记录抽查·服务态度、产品知识考试、岗位操作考试、工作总结，这 35 分按 0 分计算")
    ws = _values(book)["考核表-小美"]
    assert [ws.cell(r, 1).value for r in range(14, 19)] == list(MANUAL_B)
    assert all(ws.cell(r, 6).value is None for r in range(14, 19))


def test_warnings_in_english(tmp_path):
    book = build_sample(tmp_path / "s.xlsx")
    report = appraise(book, AppraiseOptions(month="2026-10", scheme="B", lang="en", backup=False))
    assert str(report.warnings[-14]) == (
        "Scorecard-小美!F14,F15,F16,F17,F18: Supervisor scores for 小美 are blank: Chat check: response, "
        "Chat check: manner, Product exam, Operations exam, Work summary; these 35 points count as 0")
    ws = _values(book)["Scorecard-小美"]
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert ["Agent's signature", "Appraiser's signature", "Manager's approval"] == \
        [x for x in labels if x and "signature" in x or x == "Manager's approval"]
    assert "Last month's total" in labels and "Staff ID" in labels


def test_blank_attendance_is_named_as_full_attendance(tmp_path):
    book = build_sample(tmp_path / "s.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["客服数据"]
    for c in range(1, ws.max_column + 1):
        if ws.cell(4, c).value in ("迟到早退次数", "请假天数"):
            ws.cell(4, c).value = f"旧{ws.cell(4, c).value}"  # the export lacks both columns
    wb.save(book)
    report = appraise(book, AppraiseOptions(month="2026-10", backup=False))
    att = [w for w in report.warnings if "考勤记录未填写" in w.message]
    assert [w.sheet for w in att] == [f"考核表-{a}" for a in AGENTS]
    form = _values(book)["考核表-阿磊"]
    late, leave = _row_of(form, "迟到早退次数"), _row_of(form, "请假天数")
    assert str(att[6]) == (f"考核表-阿磊!C{late},C{leave}: 客服「阿磊」的考勤记录未填写（迟到早退次数、请假天数），"
                           "按全勤计算（含全勤奖）")


def test_scores_typed_as_text_or_beyond_range(demo_a, tmp_path):
    book = Path(shutil.copy(demo_a, tmp_path / "typed.xlsx"))
    wb = openpyxl.load_workbook(book)
    cells = {}
    for agent, value in (("小美", "9分"), ("阿杰", "９"), ("果果", " 9 "), ("橙子", 12), ("阿磊", "优")):
        ws = wb[f"考核表-{agent}"]
        r = _row_of(ws, "工作任务")
        ws.cell(r, 6).value = value
        cells[agent] = f"F{r}"
    wb.save(book)
    report = appraise(book, AppraiseOptions(month="2026-10", backup=False))
    said = {(w.sheet, w.cell): w.message for w in report.warnings}
    assert said[("考核表-小美", cells["小美"])] == "「工作任务」填写的「9分」读作 9"
    assert said[("考核表-阿杰", cells["阿杰"])] == "「工作任务」填写的「９」读作 9"
    assert said[("考核表-果果", cells["果果"])] == "「工作任务」填写的「 9 」读作 9"
    assert said[("考核表-橙子", cells["橙子"])] == "客服「橙子」的「工作任务」填写 12，超出 0–10，按 10 分计算"
    assert said[("考核表-阿磊", cells["阿磊"])] == "「工作任务」填写的「优」不是分数，按 0 分计算；请填 0 到 10 之间的数字"
    wb = _values(book)
    for agent, shown, score in (("小美", 9, 9), ("阿杰", 9, 9), ("果果", 9, 9), ("橙子", 12, 10), ("阿磊", "优", 0)):
        ws = wb[f"考核表-{agent}"]
        r = _row_of(ws, "工作任务")
        assert (ws.cell(r, 6).value, ws.cell(r, 7).value) == (shown, score), agent
        assert report.result.agent(agent).kpis["工作任务"].score == score


# ------------------------------------------------------------------ the score parser

def test_parse_score_reads_what_people_type():
    assert [parse_score(v) for v in ("9分", "９", " 9 ", "9.5 分", "１０分", 8, 7.5, None, "")] == \
        [9, 9, 9, 9.5, 10, 8, 7.5, None, None]
    for bad in ("优", "90%", "分", "9分分", "nine", True):
        with pytest.raises(ValueError, match=NOT_A_SCORE.split("（")[0]):
            parse_score(bad)


@FUZZ
@given(st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                 st.text(max_size=10), st.sampled_from(["9分", "９", " 9 ", "10 分", "１０分", "9.5分", "-1分"])))
def test_parse_score_answers_a_number_none_or_its_own_error(value):
    try:
        got = parse_score(value)
    except ValueError as e:
        assert str(e) == NOT_A_SCORE
        return
    assert got is None or isinstance(got, (int, float)) and not isinstance(got, bool)


@FUZZ
@given(st.integers(0, 100), st.sampled_from(["{}", "{}分", " {} ", "{} 分"]), st.booleans())
def test_parse_score_reads_any_whole_score_however_written(n, pattern, wide):
    text = pattern.format(n)
    if wide:
        text = text.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    assert parse_score(text) == n
