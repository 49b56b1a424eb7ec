"""Scheme files ⇄ model ⇄ 考核方案 sheet rows, and the checks that name the cell to fix."""
from __future__ import annotations

import copy
import json
import re
from string import ascii_uppercase

import pytest

from xlreports.errors import InputErrors, XlreportsError
from xlreports.rules.scheme_files import (builtin_scheme, load_scheme_file, resolve_scheme, save_scheme_file,
                                     scheme_from_dict, scheme_to_dict)
from xlreports.kinds import effective_weight, weighted
from xlreports.rules.scheme_rows import SHEET_NAME, parse_scheme_rows, scheme_to_rows
from xlreports.rules.scheme_check import check_scheme

CJK = re.compile(r"[\u4e00-\u9fff]")

# scheme A's data columns (numerators, denominators, attendance), without the exports' rate columns
A_COLUMNS = {"最终付款人数", "询单人数", "付款笔数", "拍下笔数", "客服客单价", "店铺客单价", "回复人数", "接待人数",
             "平均响应时间", "退款笔数", "成交笔数", "迟到早退次数", "请假天数"}


def cell(i: int, j: int) -> str:
    """0-based row i / column j of scheme_to_rows → the Excel address (row i is Excel row i + 1)."""
    return f"{ascii_uppercase[j]}{i + 1}"


def section_start(rows, title: str) -> int:
    return next(i for i, r in enumerate(rows) if r and r[0] == f"【{title}】")


def col(rows, title: str, label: str) -> int:
    return rows[section_start(rows, title) + 1].index(label)


def find_row(rows, title: str, pred) -> int:
    """The index of the first data row of a section for which pred(row) holds."""
    i = section_start(rows, title) + 2
    while i < len(rows) and rows[i]:
        if pred(rows[i]):
            return i
        i += 1
    raise LookupError(title)


def problems_of(rows, columns=None):
    parsed = parse_scheme_rows(rows)
    return check_scheme(parsed.scheme, parsed.refs, columns=columns)


@pytest.fixture(params=["A", "B"])
def code(request):
    return request.param


@pytest.fixture
def rows_a():
    return copy.deepcopy(scheme_to_rows(builtin_scheme("A")))


# ---------------------------------------------------------------- lossless round trips


def test_sheet_rows_round_trip_is_lossless(code):
    scheme = builtin_scheme(code)
    parsed = parse_scheme_rows(scheme_to_rows(scheme))
    assert parsed.scheme == scheme
    assert check_scheme(parsed.scheme, parsed.refs) == []


def test_json_file_round_trip_is_lossless(code, tmp_path):
    scheme = builtin_scheme(code)
    path = tmp_path / f"scheme_{code}.json"
    save_scheme_file(scheme, path)
    assert load_scheme_file(path) == scheme
    assert resolve_scheme(str(path)) == scheme
    assert scheme_from_dict(json.loads(path.read_text(encoding="utf-8"))) == scheme
    assert scheme_from_dict(scheme_to_dict(scheme)) == scheme


def test_sheet_then_file_round_trip(code, tmp_path):
    scheme = builtin_scheme(code)
    path = tmp_path / "s.json"
    save_scheme_file(parse_scheme_rows(scheme_to_rows(scheme)).scheme, path)
    assert parse_scheme_rows(scheme_to_rows(load_scheme_file(path))).scheme == scheme


def test_scheme_a_weights_add_to_100():
    a = builtin_scheme("A")
    weights = {k.name: effective_weight(a, k) for k in weighted(a)}
    assert weights == {"询单转化率": 35, "支付率": 20, "落实客单价比": 10, "回复率": 5, "响应时间": 5,
                       "工作任务": 10, "工作态度": 5, "考勤": 10}
    assert sum(weights.values()) == 100
    assert effective_weight(a, a.kpi("退款率")) == 0      # shown, not scored (reading)
    assert a.pay_pool == 750 and a.post_wage == 200 and a.allowance == 200 and a.attendance_bonus == 50
    assert a.level("初级").wage == 800


def test_scheme_b_weights_add_to_100():
    b = builtin_scheme("B")
    weights = {k.name: effective_weight(b, k) for k in weighted(b)}
    quantitative = {"销售额完成率": 30, "销售增长率": 8, "转化率": 5, "主推单品销售比例": 5, "退单率": 5,
                    "咨询量": 5, "交易纠纷": 5, "个人成交占比": 2}
    qualitative = {"聊天记录抽查·应答时间": 10, "聊天记录抽查·服务态度": 10, "产品知识考试": 5, "岗位操作考试": 5,
                   "工作总结": 5}
    assert weights == {**quantitative, **qualitative}
    assert sum(quantitative.values()) == 65 and sum(qualitative.values()) == 35
    assert sum(weights.values()) == 100
    assert [(r.lo, r.multiplier) for r in b.result_bands] == [(100, 1.2), (90, 0.9), (80, 0.8), (60, 0.7),
                                                              (50, 0.6), (None, 0.4)]


def test_builtin_unknown_code():
    with pytest.raises(XlreportsError, match="C"):
        builtin_scheme("C")
    assert builtin_scheme("a") == builtin_scheme("A")


def test_all_data_columns_present_gives_no_problem(rows_a):
    assert problems_of(rows_a, columns=A_COLUMNS) == []


def test_edits_on_the_sheet_reach_the_model(rows_a):
    i = find_row(rows_a, "档位", lambda r: r[0] == "询单转化率" and r[1] == 0.75)
    rows_a[i][col(rows_a, "档位", "下限")] = "80%"            # text percent, as typed in Excel
    j = find_row(rows_a, "档位", lambda r: r[0] == "询单转化率" and r[2] == 0.75)
    rows_a[j][col(rows_a, "档位", "上限")] = 0.8
    k = find_row(rows_a, "指标", lambda r: r[0] == "支付率")
    rows_a[k][col(rows_a, "指标", "权重")] = "15"
    m = find_row(rows_a, "指标", lambda r: r[0] == "询单转化率")
    rows_a[m][col(rows_a, "指标", "权重")] = 40
    parsed = parse_scheme_rows(rows_a)
    assert parsed.scheme.kpi("询单转化率").bands[0].lo == 0.8
    assert parsed.scheme.kpi("支付率").weight == 15.0
    assert check_scheme(parsed.scheme, parsed.refs) == []
    assert parsed.refs.kpis["支付率"]["weight"] == (k + 1, col(rows_a, "指标", "权重") + 1)


# ---------------------------------------------------------------- consistency problems, by cell


def test_overlapping_band(rows_a):
    i = find_row(rows_a, "档位", lambda r: r[0] == "询单转化率" and r[1] == 0.75)
    j = col(rows_a, "档位", "下限")
    rows_a[i][j] = 0.70                     # [0.70, ∞) overlaps [0.65, 0.75)
    problems = problems_of(rows_a)
    assert len(problems) == 1
    p = problems[0]
    assert p.sheet == SHEET_NAME
    assert p.cell == cell(i, j)
    assert CJK.search(p.message) and "重叠" in p.message and "0.75" in p.message
    assert p.severity == "error"


def test_gapped_band(rows_a):
    i = find_row(rows_a, "档位", lambda r: r[0] == "支付率" and r[1] == 0.92)
    j = col(rows_a, "档位", "下限")
    rows_a[i][j] = 0.95                     # nothing scores between 0.92 and 0.95
    problems = problems_of(rows_a)
    assert [p.cell for p in problems] == [cell(i, j)]
    assert "空隙" in problems[0].message and "0.92" in problems[0].message and "0.95" in problems[0].message


def test_band_edges_on_upper_bound_kpi(rows_a):
    i = find_row(rows_a, "档位", lambda r: r[0] == "响应时间" and r[1] == 45.0)
    j = col(rows_a, "档位", "下限")
    rows_a[i][j] = 40.0                     # (40, 55] overlaps (30, 45]
    problems = problems_of(rows_a)
    assert [p.cell for p in problems] == [cell(i, j)]
    assert "响应时间" in problems[0].message and "重叠" in problems[0].message


def test_lowest_band_needs_open_lower_bound(rows_a):
    i = find_row(rows_a, "档位", lambda r: r[0] == "回复率" and r[1] is None)
    j = col(rows_a, "档位", "下限")
    rows_a[i][j] = 0.5                      # values below 0.5 would score nothing
    problems = problems_of(rows_a)
    assert [p.cell for p in problems] == [cell(i, j)]
    assert "应留空" in problems[0].message


def test_weights_adding_to_95(rows_a):
    i = find_row(rows_a, "指标", lambda r: r[0] == "考勤")
    j = col(rows_a, "指标", "权重")
    rows_a[i][j] = 5                        # 35+20+10+5+5+10+5+5 = 95
    problems = problems_of(rows_a)
    assert [p.cell for p in problems] == [cell(i, j)]
    assert "应为 100" in problems[0].message and "95" in problems[0].message


def test_weights_and_multiples_mixed(rows_a):
    i = find_row(rows_a, "指标", lambda r: r[0] == "工作态度")
    rows_a[i][col(rows_a, "指标", "权重")] = None
    rows_a[i][col(rows_a, "指标", "倍数")] = 2
    problems = problems_of(rows_a)
    assert [p.cell for p in problems] == [cell(i, col(rows_a, "指标", "权重"))]
    assert "倍数" in problems[0].message


def test_multiples_on_the_sheet_weigh_correctly(rows_a):
    # 倍数加权法: 35:20:10:5:5:10:5:10 as multiples gives the same weights (Σ = 100)
    for name, m in {"询单转化率": 7, "支付率": 4, "落实客单价比": 2, "回复率": 1, "响应时间": 1, "工作任务": 2,
                    "工作态度": 1, "考勤": 2}.items():
        i = find_row(rows_a, "指标", lambda r, n=name: r[0] == n)
        rows_a[i][col(rows_a, "指标", "权重")] = None
        rows_a[i][col(rows_a, "指标", "倍数")] = m
    parsed = parse_scheme_rows(rows_a)
    assert check_scheme(parsed.scheme, parsed.refs) == []
    s = parsed.scheme
    assert effective_weight(s, s.kpi("询单转化率")) == pytest.approx(35)   # 7 / 20 × 100
    assert effective_weight(s, s.kpi("回复率")) == pytest.approx(5)        # 1 / 20 × 100


def test_unknown_data_column(rows_a):
    i = find_row(rows_a, "指标", lambda r: r[0] == "支付率")
    j = col(rows_a, "指标", "分母列")
    problems = problems_of(rows_a, columns=A_COLUMNS - {"拍下笔数"})
    assert [p.cell for p in problems] == [cell(i, j)]
    assert "拍下笔数" in problems[0].message and "数据中没有列" in problems[0].message
    # the export gives 支付率 itself → the counts are not needed
    assert problems_of(rows_a, columns=(A_COLUMNS - {"拍下笔数"}) | {"支付率"}) == []


def test_unknown_attendance_column(rows_a):
    i = find_row(rows_a, "扣分项", lambda r: r[1] == "请假天数")
    j = col(rows_a, "扣分项", "数据列")
    problems = problems_of(rows_a, columns=A_COLUMNS - {"请假天数"})
    assert [p.cell for p in problems] == [cell(i, j)]
    assert "请假天数" in problems[0].message


def test_default_level_missing_from_levels(rows_a):
    i = find_row(rows_a, "方案设置", lambda r: r[0] == "默认级别")
    j = col(rows_a, "方案设置", "值")
    rows_a[i][j] = "实习"
    problems = problems_of(rows_a)
    assert [p.cell for p in problems] == [cell(i, j)]
    assert "级别工资" in problems[0].message and problems[0].found == "实习"


def test_default_level_renamed_in_levels(rows_a):
    # the other way round: 初级 renamed in 【级别工资】 → the 默认级别 setting no longer matches
    i = find_row(rows_a, "级别工资", lambda r: r[0] == "初级")
    rows_a[i][col(rows_a, "级别工资", "级别")] = "见习"
    k = find_row(rows_a, "方案设置", lambda r: r[0] == "默认级别")
    problems = problems_of(rows_a)
    assert [p.cell for p in problems] == [cell(k, col(rows_a, "方案设置", "值"))]


def test_gate_kpi_unknown(rows_a):
    i = find_row(rows_a, "方案设置", lambda r: r[0] == "提成门槛指标")
    j = col(rows_a, "方案设置", "值")
    rows_a[i][j] = "成交率"
    problems = problems_of(rows_a)
    assert [p.cell for p in problems] == [cell(i, j)]
    assert "【指标】" in problems[0].message


def test_per_step_rule_needs_a_step():
    rows = copy.deepcopy(scheme_to_rows(builtin_scheme("B")))
    i = find_row(rows, "加减规则", lambda r: r[0] == "交易纠纷")
    j = col(rows, "加减规则", "步长")
    rows[i][j] = None
    problems = problems_of(rows)
    assert [p.cell for p in problems] == [cell(i, j)]
    assert "步长" in problems[0].message


# ---------------------------------------------------------------- parse errors


def test_parse_errors_are_all_reported_with_cells(rows_a):
    w = find_row(rows_a, "指标", lambda r: r[0] == "支付率")
    wj = col(rows_a, "指标", "权重")
    rows_a[w][wj] = "abc"
    t = find_row(rows_a, "指标", lambda r: r[0] == "回复率")
    tj = col(rows_a, "指标", "类型")
    rows_a[t][tj] = "打分"
    s = find_row(rows_a, "档位", lambda r: r[0] == "响应时间" and r[1] == 30.0)
    sj = col(rows_a, "档位", "得分")
    rows_a[s][sj] = "八十"
    with pytest.raises(InputErrors) as exc:
        parse_scheme_rows(rows_a)
    problems = exc.value.problems
    by_cell = {p.cell: p for p in problems}
    assert set(by_cell) == {cell(w, wj), cell(t, tj), cell(s, sj)}
    assert by_cell[cell(w, wj)].message == "「权重」应为数字" and by_cell[cell(w, wj)].found == "abc"
    assert by_cell[cell(s, sj)].message == "「得分」应为数字"
    kind = by_cell[cell(t, tj)]
    assert kind.found == "打分"
    assert kind.message.startswith("「类型」应为：") and "档位评分" in kind.message and "考勤扣分" in kind.message
    assert all(p.sheet == SHEET_NAME for p in problems)
    assert f"{SHEET_NAME}!{cell(w, wj)}" in str(exc.value)


def test_parse_error_required_cell_empty(rows_a):
    i = find_row(rows_a, "级别工资", lambda r: r[0] == "中级")
    j = col(rows_a, "级别工资", "级别工资")
    rows_a[i][j] = None
    with pytest.raises(InputErrors) as exc:
        parse_scheme_rows(rows_a)
    assert [(p.cell, p.message) for p in exc.value.problems] == [(cell(i, j), "「级别工资」不能为空")]


def test_parse_error_unknown_kpi_in_bands(rows_a):
    i = find_row(rows_a, "档位", lambda r: r[0] == "支付率" and r[1] == 0.92)
    rows_a[i][0] = "付款率"
    with pytest.raises(InputErrors) as exc:
        parse_scheme_rows(rows_a)
    assert [p.cell for p in exc.value.problems] == [cell(i, 0)]
    assert exc.value.problems[0].found == "付款率"


def test_not_a_scheme_sheet():
    with pytest.raises(InputErrors) as exc:
        parse_scheme_rows([["随便什么"], [1, 2, 3]])
    assert {p.cell for p in exc.value.problems} == {None}
    assert any("【方案设置】" in p.message for p in exc.value.problems)
    assert any("【指标】" in p.message for p in exc.value.problems)


# ---------------------------------------------------------------- scheme JSON files


def test_unknown_key_in_scheme_file(tmp_path):
    data = scheme_to_dict(builtin_scheme("A"))
    data["bonus_pool"] = 100
    path = tmp_path / "a.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(XlreportsError, match="bonus_pool"):
        load_scheme_file(path)


def test_unknown_nested_key_in_scheme_file(tmp_path):
    data = scheme_to_dict(builtin_scheme("A"))
    data["kpis"][1]["bands"][0]["colour"] = "green"
    path = tmp_path / "a.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(XlreportsError) as exc:
        load_scheme_file(path)
    assert "colour" in str(exc.value) and "kpis[1]" in str(exc.value)


def test_invalid_json_scheme_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"code": "A", "name": ', encoding="utf-8")
    with pytest.raises(XlreportsError, match="broken.json"):
        load_scheme_file(path)


def test_missing_scheme_file(tmp_path):
    with pytest.raises(XlreportsError, match="找不到"):
        resolve_scheme(str(tmp_path / "nope.json"))


def test_json_ints_read_as_floats(tmp_path):
    data = scheme_to_dict(builtin_scheme("A"))
    data["pay_pool"] = 750
    data["kpis"][0]["weight"] = 35
    path = tmp_path / "a.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    loaded = load_scheme_file(path)
    assert loaded == builtin_scheme("A")
    assert isinstance(loaded.pay_pool, float) and isinstance(loaded.kpis[0].weight, float)
