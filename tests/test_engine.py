"""The pure-Python engine against the business rules of DOMAIN.md §3–§6.

Every expected number here is worked out by hand from the rules (and from the tiers and
amounts written in templates/schemes/*.json), never by asking the engine.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from xlreports.engine import pay
from xlreports.engine.appraisal import appraise_month
from xlreports.engine.numbers import excel_round, steps
from xlreports.engine.records import AgentMonth, HistoryRow
from xlreports.kinds import effective_weight
from xlreports.rules.scheme_files import builtin_scheme
from xlreports.model.scheme import AdjustRule, Kpi, Level, Scheme

MONTH = "2026-10"


@pytest.fixture(scope="module")
def scheme_a() -> Scheme:
    return builtin_scheme("A")


@pytest.fixture(scope="module")
def scheme_b() -> Scheme:
    return builtin_scheme("B")


def agent(name: str = "小美", **values) -> AgentMonth:
    return AgentMonth(name, MONTH, values=dict(values))


def one(scheme: Scheme, values: dict, *, name: str = "小美", available: set[str] | None = None, **kw):
    """Appraise a single agent and return its AgentResult."""
    a = AgentMonth(name, MONTH, values=dict(values), **kw)
    return appraise_month(scheme, [a], [], available).agents[0]


# A perfect scheme-A month: every KPI in its top band, full marks, no attendance deduction → 100.
A_PERFECT = {"询单人数": 100, "最终付款人数": 80, "拍下笔数": 100, "付款笔数": 95, "客服客单价": 115,
             "店铺客单价": 100, "接待人数": 100, "回复人数": 100, "平均响应时间": 20, "工作任务": 10, "工作态度": 5}

# The worked example of the brief: 80%, 90%, 1.10, 99.5%, 28 s, 8, 5, one late arrival, one day off.
A_EXAMPLE = {"询单人数": 100, "最终付款人数": 80, "拍下笔数": 100, "付款笔数": 90, "客服客单价": 110,
             "店铺客单价": 100, "接待人数": 200, "回复人数": 199, "平均响应时间": 28, "工作任务": 8,
             "工作态度": 5, "迟到早退次数": 1, "请假天数": 1, "客服销售额": 86000}


# ---------------------------------------------------------------- scheme A: worked example


def test_scheme_a_worked_example_to_the_cent(scheme_a):
    r = one(scheme_a, A_EXAMPLE)
    expected = {  # KPI: (value, score, weighted)
        "询单转化率": (0.80, 100, 35),   # 80% ≥ 75% → 100 × 35%
        "支付率": (0.90, 80, 16),         # 85% ≤ 90% < 92% → 80 × 20%
        "落实客单价比": (1.10, 80, 8),    # 1.08 ≤ 1.10 < 1.12 → 80 × 10%
        "回复率": (0.995, 100, 5),        # ≥ 99% → 100 × 5%
        "响应时间": (28, 100, 5),         # ≤ 30 s → 100 × 5%
        "工作任务": (8, 8, 8),
        "工作态度": (5, 5, 5),
        "考勤": (3, 7, 7),                # 10 − 2×1 − 1×1
    }
    for name, (value, score, weighted) in expected.items():
        k = r.kpis[name]
        assert k.value == pytest.approx(value), name
        assert k.score == score, name
        assert k.weighted == pytest.approx(weighted), name
    assert r.kpis["考勤"].detail == 3
    # 退款率 is shown only (weight 0); its columns are absent → no data, no points
    assert r.kpis["退款率"].value is None and r.kpis["退款率"].weighted == 0
    assert r.total == 89.0                 # 35 + 16 + 8 + 5 + 5 + 8 + 5 + 7
    assert r.perf_pay == 667.50            # 750 × 89 / 100
    assert r.attendance_bonus == 0.0       # late once, one day off → no 全勤奖
    assert r.base_wage == 800.0            # 初级 (default level)
    assert r.post_wage == 200.0
    assert r.allowance == 200.0
    # progressive, gate 询单转化率 80% ≥ 50%: 50000 × 0.5% + 36000 × 0.8% = 250 + 288
    assert r.commission == 538.00
    assert r.streak_bonus == 0.0 and r.bonus == 0.0
    assert r.gross == 2405.50              # 800 + 200 + 200 + 667.50 + 538 + 0
    assert r.band.label == "合格" and r.band.advice == "建议不变"
    assert r.promotion == ""               # the advice has no 升
    assert r.rank == 1 and r.flags == []


def test_full_attendance_earns_bonus_and_bonus_column_adds_to_gross(scheme_a):
    r = one(scheme_a, {**A_PERFECT, "奖金": 120})
    assert r.total == 100.0
    assert r.kpis["考勤"].score == 10 and r.kpis["考勤"].detail == 0
    assert r.perf_pay == 750.0
    assert r.attendance_bonus == 50.0
    assert r.bonus == 120.0
    assert r.commission == 0.0             # no 客服销售额
    assert r.gross == 2120.0               # 800 + 200 + 200 + 750 + 50 + 120


def test_attendance_never_below_zero(scheme_a):
    r = one(scheme_a, {"迟到早退次数": 4, "请假天数": 5})   # 8 + 5 = 13 points off a 10-point KPI
    assert r.kpis["考勤"].detail == 13
    assert r.kpis["考勤"].score == 0
    assert r.kpis["考勤"].weighted == 0


@pytest.mark.parametrize("total, expected", [(50.0, 375.0), (100.0, 750.0), (89.0, 667.5), (0.0, 0.0),
                                             (33.33, 249.98),  # 249.975 rounds half up
                                             (71.11, 533.33)])  # 533.325 → 533.33
def test_performance_pay_pool(scheme_a, total, expected):
    assert pay.performance_pay(scheme_a, total, None, "初级") == expected


# ---------------------------------------------------------------- scheme A: every band edge

BAND_EDGES = [
    # 询单转化率: ≥75 → 100; [65, 75) → 80; [50, 65) → 60; < 50 → 0
    ("询单转化率", {"最终付款人数": 75, "询单人数": 100}, 100),
    ("询单转化率", {"最终付款人数": 3, "询单人数": 4}, 100),
    ("询单转化率", {"最终付款人数": 7499, "询单人数": 10000}, 80),
    ("询单转化率", {"最终付款人数": 65, "询单人数": 100}, 80),
    ("询单转化率", {"最终付款人数": 13, "询单人数": 20}, 80),
    ("询单转化率", {"最终付款人数": 6499, "询单人数": 10000}, 60),
    ("询单转化率", {"最终付款人数": 50, "询单人数": 100}, 60),
    ("询单转化率", {"最终付款人数": 1, "询单人数": 2}, 60),
    ("询单转化率", {"最终付款人数": 4999, "询单人数": 10000}, 0),
    ("询单转化率", {"最终付款人数": 0, "询单人数": 10}, 0),
    # 支付率: ≥92 → 100; [85, 92) → 80; [72, 85) → 60; < 72 → 0
    ("支付率", {"付款笔数": 92, "拍下笔数": 100}, 100),
    ("支付率", {"付款笔数": 23, "拍下笔数": 25}, 100),
    ("支付率", {"付款笔数": 9199, "拍下笔数": 10000}, 80),
    ("支付率", {"付款笔数": 85, "拍下笔数": 100}, 80),
    ("支付率", {"付款笔数": 17, "拍下笔数": 20}, 80),
    ("支付率", {"付款笔数": 8499, "拍下笔数": 10000}, 60),
    ("支付率", {"付款笔数": 72, "拍下笔数": 100}, 60),
    ("支付率", {"付款笔数": 18, "拍下笔数": 25}, 60),
    ("支付率", {"付款笔数": 7199, "拍下笔数": 10000}, 0),
    # 落实客单价比: ≥1.12 → 100; [1.08, 1.12) → 80; [1.06, 1.08) → 60; < 1.06 → 0
    ("落实客单价比", {"客服客单价": 112, "店铺客单价": 100}, 100),
    ("落实客单价比", {"客服客单价": 56, "店铺客单价": 50}, 100),
    ("落实客单价比", {"客服客单价": 111.99, "店铺客单价": 100}, 80),
    ("落实客单价比", {"客服客单价": 108, "店铺客单价": 100}, 80),
    ("落实客单价比", {"客服客单价": 27, "店铺客单价": 25}, 80),
    ("落实客单价比", {"客服客单价": 107.99, "店铺客单价": 100}, 60),
    ("落实客单价比", {"客服客单价": 106, "店铺客单价": 100}, 60),
    ("落实客单价比", {"客服客单价": 53, "店铺客单价": 50}, 60),
    ("落实客单价比", {"客服客单价": 105.99, "店铺客单价": 100}, 0),
    # prices in yuan and fen, where the float division lands a hair under the exact ratio
    ("落实客单价比", {"客服客单价": 11.2, "店铺客单价": 10}, 100),      # 1.12 exactly
    ("落实客单价比", {"客服客单价": 15.12, "店铺客单价": 13.5}, 100),   # 1.12 exactly
    ("落实客单价比", {"客服客单价": 12.69, "店铺客单价": 11.75}, 80),   # 1.08 exactly
    ("落实客单价比", {"客服客单价": 69.96, "店铺客单价": 66}, 60),      # 1.06 exactly
    # 回复率: ≥99 → 100; [97, 99) → 80; [95, 97) → 60; < 95 → 0
    ("回复率", {"回复人数": 99, "接待人数": 100}, 100),
    ("回复率", {"回复人数": 9899, "接待人数": 10000}, 80),
    ("回复率", {"回复人数": 97, "接待人数": 100}, 80),
    ("回复率", {"回复人数": 9699, "接待人数": 10000}, 60),
    ("回复率", {"回复人数": 95, "接待人数": 100}, 60),
    ("回复率", {"回复人数": 19, "接待人数": 20}, 60),
    ("回复率", {"回复人数": 9499, "接待人数": 10000}, 0),
    # 响应时间 (含上限): ≤30 → 100; (30, 45] → 80; (45, 55] → 60; > 55 → 0
    ("响应时间", {"平均响应时间": 20}, 100),
    ("响应时间", {"平均响应时间": 30}, 100),
    ("响应时间", {"平均响应时间": 30.01}, 80),
    ("响应时间", {"平均响应时间": 45}, 80),
    ("响应时间", {"平均响应时间": 45.01}, 60),
    ("响应时间", {"平均响应时间": 55}, 60),
    ("响应时间", {"平均响应时间": 55.01}, 0),
    # averages computed upstream, a hair over the edge in binary (30.000000000000004 …): a spreadsheet sees 30
    ("响应时间", {"平均响应时间": 69.0 / 2.3}, 100),
    ("响应时间", {"平均响应时间": 97.65 / 2.17}, 80),
    ("响应时间", {"平均响应时间": 62.15 / 1.13}, 60),
]


@pytest.mark.parametrize("kpi, values, expected", BAND_EDGES,
                         ids=[f"{k}-{'/'.join(str(v) for v in vals.values())}" for k, vals, _ in BAND_EDGES])
def test_scheme_a_band_edges(scheme_a, kpi, values, expected):
    r = one(scheme_a, values)
    assert r.kpis[kpi].score == expected
    weight = {"询单转化率": 35, "支付率": 20, "落实客单价比": 10, "回复率": 5, "响应时间": 5}[kpi]
    assert r.kpis[kpi].weighted == pytest.approx(expected * weight / 100)


# ---------------------------------------------------------------- no data


def test_zero_denominator_is_no_data_and_scores_zero_in_a(scheme_a):
    values = {**A_EXAMPLE, "询单人数": 0, "最终付款人数": 0}
    del values["平均响应时间"]
    r = one(scheme_a, values)
    assert r.kpis["询单转化率"].value is None
    assert r.kpis["询单转化率"].score == 0 and r.kpis["询单转化率"].weighted == 0
    assert r.kpis["响应时间"].value is None        # blank column → no data, not 0 s
    assert r.kpis["响应时间"].score == 0
    assert r.total == 49.0                          # 89 − 35 − 5
    assert r.commission == 0.0                      # the gate KPI has no data → no commission
    assert r.perf_pay == 367.5                      # 750 × 49 / 100


def test_blank_counts_are_no_data_too(scheme_a):
    r = one(scheme_a, {})
    for name in ("询单转化率", "支付率", "落实客单价比", "回复率", "响应时间", "退款率"):
        assert r.kpis[name].value is None, name
        assert r.kpis[name].score == 0, name
    assert r.total == 10.0                          # only 考勤 (nothing deducted)


def test_no_data_full_in_b(scheme_b):
    r = one(scheme_b, {"成交笔数": 10, "访问量": 0, "应答数": 450})
    assert r.kpis["转化率"].value is None
    assert r.kpis["转化率"].score == 5 and r.kpis["转化率"].weighted == 5


# ---------------------------------------------------------------- an export giving the rate itself


def test_rate_column_used_when_counts_absent(scheme_a):
    available = {"客服", "询单转化率", "付款笔数", "拍下笔数"}
    r = one(scheme_a, {"询单转化率": 0.7, "付款笔数": 90, "拍下笔数": 100}, available=available)
    assert r.kpis["询单转化率"].value == 0.7
    assert r.kpis["询单转化率"].score == 80 and r.kpis["询单转化率"].weighted == 28
    assert r.kpis["支付率"].value == 0.9            # counts present → computed from counts


def test_rate_column_gates_commission(scheme_a):
    available = {"询单转化率", "客服销售额"}
    assert one(scheme_a, {"询单转化率": 0.5, "客服销售额": 86000}, available=available).commission == 538.0
    assert one(scheme_a, {"询单转化率": 0.49, "客服销售额": 86000}, available=available).commission == 0.0


def test_counts_win_over_rate_column_when_both_present(scheme_a):
    available = {"询单转化率", "询单人数", "最终付款人数"}
    r = one(scheme_a, {"询单转化率": 0.7, "询单人数": 100, "最终付款人数": 80}, available=available)
    assert r.kpis["询单转化率"].value == 0.8 and r.kpis["询单转化率"].score == 100


# ---------------------------------------------------------------- scheme B, one rule at a time

B_RULES = [
    # 销售额完成率 (30): −1 per full 5% below 100%; +2 when ≥ 110%
    ("销售额完成率", {"客服销售额": 85000, "目标销售额": 100000}, 27),
    ("销售额完成率", {"客服销售额": 100000, "目标销售额": 100000}, 30),
    ("销售额完成率", {"客服销售额": 110000, "目标销售额": 100000}, 32),
    ("销售额完成率", {"客服销售额": 150000, "目标销售额": 100000}, 32),
    ("销售额完成率", {"客服销售额": 105000, "目标销售额": 100000}, 30),
    ("销售额完成率", {"客服销售额": 96000, "目标销售额": 100000}, 30),   # not a full 5% below
    ("销售额完成率", {"客服销售额": 95000, "目标销售额": 100000}, 29),
    ("销售额完成率", {"客服销售额": 90000, "目标销售额": 100000}, 28),
    ("销售额完成率", {"客服销售额": 80000, "目标销售额": 100000}, 26),
    ("销售额完成率", {"客服销售额": 0, "目标销售额": 100000}, 10),       # 20 steps of 5%
    ("销售额完成率", {"客服销售额": 12.54, "目标销售额": 11.4}, 32),     # 110% exactly, float 1.0999…
    ("销售额完成率", {"客服销售额": 80000}, 30),                          # no target → no data → full
    # 销售增长率 (8, cap +2): +1 per full 5%; < −20% → −1; < −40% → −2
    ("销售增长率", {"客服销售额": 112000, "上月销售额": 100000}, 10),
    ("销售增长率", {"客服销售额": 105000, "上月销售额": 100000}, 9),
    ("销售增长率", {"客服销售额": 130000, "上月销售额": 100000}, 10),     # +6 capped at +2
    ("销售增长率", {"客服销售额": 100000, "上月销售额": 100000}, 8),
    ("销售增长率", {"客服销售额": 90000, "上月销售额": 100000}, 8),
    ("销售增长率", {"客服销售额": 80000, "上月销售额": 100000}, 8),       # −20% is not below −20%
    ("销售增长率", {"客服销售额": 75000, "上月销售额": 100000}, 7),
    ("销售增长率", {"客服销售额": 60000, "上月销售额": 100000}, 7),       # −40% is not below −40%
    ("销售增长率", {"客服销售额": 55000, "上月销售额": 100000}, 6),
    ("销售增长率", {"客服销售额": 55000}, 8),                             # no last month → full
    # 转化率 (5): < 1.5% → −2; < 1% → −3; < 0.5% → 0
    ("转化率", {"成交笔数": 12, "访问量": 1000}, 3),
    ("转化率", {"成交笔数": 8, "访问量": 1000}, 2),
    ("转化率", {"成交笔数": 4, "访问量": 1000}, 0),
    ("转化率", {"成交笔数": 20, "访问量": 1000}, 5),
    ("转化率", {"成交笔数": 15, "访问量": 1000}, 5),
    ("转化率", {"成交笔数": 10, "访问量": 1000}, 3),
    ("转化率", {"成交笔数": 5, "访问量": 1000}, 2),
    # 主推单品销售比例 (5, cap +1): ≥ 100% → +1; 80–100% → 0; < 80% → −1
    ("主推单品销售比例", {"主推单品销售额": 20000, "主推单品目标": 20000}, 6),
    ("主推单品销售比例", {"主推单品销售额": 30000, "主推单品目标": 20000}, 6),
    ("主推单品销售比例", {"主推单品销售额": 18000, "主推单品目标": 20000}, 5),
    ("主推单品销售比例", {"主推单品销售额": 16000, "主推单品目标": 20000}, 5),
    ("主推单品销售比例", {"主推单品销售额": 8.28, "主推单品目标": 10.35}, 5),  # 80% exactly, float 0.7999…
    ("主推单品销售比例", {"主推单品销售额": 14000, "主推单品目标": 20000}, 4),
    # 退单率 (5): ≥ 1% → −5
    ("退单率", {"退款笔数": 1, "成交笔数": 100}, 0),
    ("退单率", {"退款笔数": 9, "成交笔数": 1000}, 5),
    ("退单率", {"退款笔数": 0, "成交笔数": 100}, 5),
    # 咨询量 (5) vs 450 a month: < 80% → −2; < 60% → −3; < 30% → −5
    ("咨询量", {"应答数": 350}, 3),
    ("咨询量", {"应答数": 250}, 2),
    ("咨询量", {"应答数": 100}, 0),
    ("咨询量", {"应答数": 400}, 5),
    ("咨询量", {"应答数": 360}, 5),    # 80% exactly
    ("咨询量", {"应答数": 270}, 3),    # 60% exactly
    ("咨询量", {"应答数": 135}, 2),    # 30% exactly
    # 交易纠纷 (5): −1 per dispute
    ("交易纠纷", {"交易纠纷次数": 2}, 3),
    ("交易纠纷", {"交易纠纷次数": 0}, 5),
    ("交易纠纷", {"交易纠纷次数": 1}, 4),
    ("交易纠纷", {"交易纠纷次数": 7}, 0),
    ("交易纠纷", {}, 5),               # blank → no data → full
]


@pytest.mark.parametrize("kpi, values, expected", B_RULES,
                         ids=[f"{k}-{'/'.join(str(v) for v in vals.values())}" for k, vals, _ in B_RULES])
def test_scheme_b_rules(scheme_b, kpi, values, expected):
    r = one(scheme_b, values)
    assert r.kpis[kpi].score == expected
    assert r.kpis[kpi].weighted == expected   # weight = 分值 in scheme B


def test_scheme_b_personal_share_of_team(scheme_b):
    team = [agent(n, 成交笔数=c, 应答数=450) for n, c in (("甲", 8), ("乙", 4), ("丙", 12), ("丁", 76))]
    res = appraise_month(scheme_b, team, [])
    assert res.team_totals["成交笔数"] == 100
    share = {a.agent.name: a.kpis["个人成交占比"] for a in res.agents}
    assert share["甲"].value == pytest.approx(0.08) and share["甲"].score == 0   # 2 − 2
    assert share["乙"].value == pytest.approx(0.04) and share["乙"].score == 0   # below 5% → 0
    assert share["丙"].value == pytest.approx(0.12) and share["丙"].score == 2
    assert share["丁"].score == 2


def test_scheme_b_share_edges(scheme_b):
    team = [agent(n, 成交笔数=c) for n, c in (("甲", 10), ("乙", 5), ("丙", 85))]
    share = {a.agent.name: a.kpis["个人成交占比"].score for a in appraise_month(scheme_b, team, []).agents}
    assert share == {"甲": 2, "乙": 0, "丙": 2}   # 10% is not below 10%


def test_scheme_b_supervisor_scores_clamped(scheme_b):
    r = one(scheme_b, {"应答时间抽查": 12, "服务态度抽查": -1, "产品知识考试": 4.5, "工作总结": 5})
    assert r.kpis["聊天记录抽查·应答时间"].score == 10
    assert r.kpis["聊天记录抽查·服务态度"].score == 0
    assert r.kpis["产品知识考试"].score == 4.5
    assert r.kpis["岗位操作考试"].score == 0          # blank
    assert r.kpis["工作总结"].score == 5


B_FULL_AGENT = {
    "客服销售额": 95000, "目标销售额": 100000,         # 95% → 29
    "上月销售额": 80000,                               # +18.75% → 3 steps, capped +2 → 10
    "成交笔数": 30, "访问量": 2500,                    # 1.2% → 3
    "主推单品销售额": 18000, "主推单品目标": 20000,    # 90% → 5
    "退款笔数": 0,                                     # 0% → 5
    "应答数": 400,                                     # 88.9% → 5
    "交易纠纷次数": 2,                                 # → 3
    # 个人成交占比: alone in the team → 100% → 2
    "应答时间抽查": 9, "服务态度抽查": 8, "产品知识考试": 4, "岗位操作考试": 5, "工作总结": 4,  # 30
}


def test_scheme_b_total_band_and_pay(scheme_b):
    r = one(scheme_b, B_FULL_AGENT, hire_date=date(2026, 1, 10))
    scores = {k: s.score for k, s in r.kpis.items()}
    assert scores == {"销售额完成率": 29, "销售增长率": 10, "转化率": 3, "主推单品销售比例": 5, "退单率": 5,
                      "咨询量": 5, "交易纠纷": 3, "个人成交占比": 2, "聊天记录抽查·应答时间": 9,
                      "聊天记录抽查·服务态度": 8, "产品知识考试": 4, "岗位操作考试": 5, "工作总结": 4}
    assert r.total == 92.0                  # 62 + 30
    assert r.band.label == "良好" and r.band.multiplier == 0.9
    assert r.band.advice == "建议升1级或不变"
    assert r.perf_pay == 900.0              # 绩效基数 1000 (初级) × 0.9
    assert r.base_wage == 2500.0
    assert r.post_wage == 0 and r.allowance == 0 and r.commission == 0 and r.attendance_bonus == 0
    assert r.gross == 3400.0
    assert "可升中级" in r.promotion        # hired 2026-01 → 9 months ≥ 6


@pytest.mark.parametrize("extra, total, label, multiplier, advice, perf", [
    ({"应答时间抽查": 10, "服务态度抽查": 10, "产品知识考试": 5, "岗位操作考试": 5, "工作总结": 5},
     100.0, "优秀", 1.2, "建议升2级", 1200.0),
    ({"应答时间抽查": 10, "服务态度抽查": 10, "产品知识考试": 5, "岗位操作考试": 5, "工作总结": 5,
      "客服销售额": 110000, "目标销售额": 100000}, 102.0, "优秀", 1.2, "建议升2级", 1200.0),
    ({"应答时间抽查": 10, "服务态度抽查": 10, "产品知识考试": 5, "岗位操作考试": 5},
     95.0, "良好", 0.9, "建议升1级或不变", 900.0),
    ({"应答时间抽查": 10, "服务态度抽查": 10}, 85.0, "合格", 0.8, "建议不变", 800.0),
    ({"应答时间抽查": 5}, 70.0, "基本合格", 0.7, "建议不变", 700.0),
])
def test_scheme_b_result_bands_end_to_end(scheme_b, extra, total, label, multiplier, advice, perf):
    # 应答数 450 → 咨询量 full; every other quantitative KPI has no data → full: 65 points
    r = one(scheme_b, {"应答数": 450, **extra})
    assert r.total == total
    assert (r.band.label, r.band.multiplier, r.band.advice) == (label, multiplier, advice)
    assert r.perf_pay == perf
    assert r.gross == 2500.0 + perf


@pytest.mark.parametrize("manual, total, multiplier, advice, perf", [
    ({"应答时间抽查": 10, "工作总结": 5}, 55.0, 0.6, "建议降级,给予一定考察期", 600.0),
    ({"应答时间抽查": 10}, 50.0, 0.6, "建议降级,给予一定考察期", 600.0),
    ({"应答时间抽查": 9.99}, 49.99, 0.4, "建议辞退", 400.0),
    ({}, 40.0, 0.4, "建议辞退", 400.0),
])
def test_scheme_b_low_bands_end_to_end(scheme_b, manual, total, multiplier, advice, perf):
    # 销售额 0 of 100000 → 30 − 20 = 10; 5 disputes → 0; 应答数 450 → 5; the rest no data → 8+5+5+5+2
    r = one(scheme_b, {"客服销售额": 0, "目标销售额": 100000, "交易纠纷次数": 5, "应答数": 450, **manual})
    assert r.total == total
    assert r.band.multiplier == multiplier and r.band.advice == advice
    assert r.perf_pay == perf
    assert r.promotion == ""


@pytest.mark.parametrize("total, multiplier", [
    (120.0, 1.2), (100.0, 1.2), (99.99, 0.9), (90.0, 0.9), (89.99, 0.8), (80.0, 0.8), (79.99, 0.7),
    (60.0, 0.7), (59.99, 0.6), (50.0, 0.6), (49.99, 0.4), (0.0, 0.4),
])
def test_scheme_b_result_band_edges(scheme_b, total, multiplier):
    band = pay.result_band(scheme_b, total)
    assert band.multiplier == multiplier
    assert pay.performance_pay(scheme_b, total, band, "初级") == excel_round(1000 * multiplier, 2)
    assert pay.performance_pay(scheme_b, total, band, "中级") == {1.2: 1440.0, 0.9: 1080.0, 0.8: 960.0,
                                                                  0.7: 840.0, 0.6: 720.0, 0.4: 480.0}[multiplier]


# ---------------------------------------------------------------- 倍数加权法


def multiples_scheme() -> Scheme:
    return Scheme("M", "倍数", kpis=[Kpi(f"k{m}", "manual", multiple=m, input_column=f"k{m}")
                                     for m in range(1, 11)],
                  levels=[Level("初级", 0.0)], pay_pool=750.0)


def test_multiples_weighting():
    s = multiples_scheme()
    for m in range(1, 11):
        assert effective_weight(s, s.kpi(f"k{m}")) == pytest.approx(m / 55 * 100)
    assert effective_weight(s, s.kpi("k1")) == pytest.approx(1.818181818)
    assert effective_weight(s, s.kpi("k10")) == pytest.approx(18.181818182)
    everyone = one(s, {f"k{m}": 100 for m in range(1, 11)})
    assert everyone.total == 100.0
    assert everyone.perf_pay == 750.0
    only_top = one(s, {"k10": 100})
    assert only_top.total == 18.18          # 10/55 × 100 = 18.1818…
    half = one(s, {f"k{m}": 50 for m in range(1, 11)})
    assert half.total == 50.0


# ---------------------------------------------------------------- commission


@pytest.mark.parametrize("sales, progressive, flat", [
    (30000, 150.0, 150.0),        # 30000 × 0.5%
    (50000, 250.0, 400.0),        # progressive 50000 × 0.5%; flat reaches the 0.8% tier
    (86000, 538.0, 688.0),        # 250 + 36000 × 0.8%; flat 86000 × 0.8%
    (100000, 650.0, 1000.0),      # 250 + 400; flat 1%
    (120000, 850.0, 1200.0),      # 250 + 400 + 200; flat 1%
    (12345.67, 61.73, 61.73),     # 61.72835 → 61.73
    (0, 0.0, 0.0),
])
def test_commission_flat_vs_progressive(scheme_a, sales, progressive, flat):
    assert pay.commission(scheme_a, sales, 0.8) == progressive
    assert pay.commission(replace(scheme_a, commission_mode="flat"), sales, 0.8) == flat


@pytest.mark.parametrize("gate, expected", [(None, 0.0), (0.4999, 0.0), (0.0, 0.0), (0.5, 538.0), (0.9, 538.0)])
def test_commission_gate(scheme_a, gate, expected):
    assert pay.commission(scheme_a, 86000, gate) == expected


def test_commission_gate_end_to_end(scheme_a):
    blocked = one(scheme_a, {**A_EXAMPLE, "最终付款人数": 49})     # 49% < 50%
    assert blocked.commission == 0.0
    at_gate = one(scheme_a, {**A_EXAMPLE, "最终付款人数": 50})     # exactly 50%
    assert at_gate.commission == 538.0


def test_commission_without_gate(scheme_a):
    no_gate = replace(scheme_a, commission_gate_kpi=None, commission_gate_value=None)
    assert pay.commission(no_gate, 86000, None) == 538.0


# ---------------------------------------------------------------- ranking


def test_ranking_ties_share_a_rank(scheme_a):
    team = [agent("甲", 工作任务=10), agent("乙", 工作任务=5), agent("丙", 工作任务=5), agent("丁")]
    res = appraise_month(scheme_a, team, [])
    ranks = {a.agent.name: (a.total, a.rank, a.is_last) for a in res.agents}
    assert ranks == {"甲": (20.0, 1, False), "乙": (15.0, 2, False), "丙": (15.0, 2, False),
                     "丁": (10.0, 4, True)}


# ---------------------------------------------------------------- streaks

XIAOMEI = {"询单人数": 100, "最终付款人数": 80, "工作任务": 10, "工作态度": 5}   # 35 + 10 + 5 + 10 = 60


def team_a():
    return [agent("小美", **XIAOMEI), agent("阿杰")]   # 阿杰: only 考勤 → 10


def hist(month, **totals):
    ordered = sorted(totals.items(), key=lambda kv: -kv[1])
    return [HistoryRow(month, name, total, 1 + sum(1 for _, t in ordered if t > total), len(totals))
            for name, total in ordered]


def test_two_months_below_35_warns(scheme_a):
    history = hist("2026-09", 小美=60, 阿杰=30)
    res = appraise_month(scheme_a, team_a(), history)
    jie, mei = res.agent("阿杰"), res.agent("小美")
    assert jie.total == 10.0 and mei.total == 60.0
    assert jie.flags == ["淘汰预警：连续2个月低于35分"]
    assert mei.flags == []


def test_gap_month_breaks_the_streak(scheme_a):
    history = hist("2026-08", 小美=60, 阿杰=30)       # nothing kept for 2026-09
    assert appraise_month(scheme_a, team_a(), history).agent("阿杰").flags == []
    history = hist("2026-08", 小美=60, 阿杰=30) + hist("2026-09", 小美=30, 阿杰=40)   # 09 not below
    assert appraise_month(scheme_a, team_a(), history).agent("阿杰").flags == []


def test_last_three_months_warns(scheme_a):
    history = hist("2026-08", 小美=60, 阿杰=40) + hist("2026-09", 小美=70, 阿杰=45)
    jie = appraise_month(scheme_a, team_a(), history).agent("阿杰")
    assert jie.flags == ["淘汰预警：连续3个月末位"]       # 40 and 45 are not below 35
    history = hist("2026-09", 小美=70, 阿杰=45)
    assert appraise_month(scheme_a, team_a(), history).agent("阿杰").flags == []


def test_first_three_months_earns_bonus(scheme_a):
    history = hist("2026-08", 小美=60, 阿杰=40) + hist("2026-09", 小美=70, 阿杰=45)
    mei = appraise_month(scheme_a, team_a(), history).agent("小美")
    assert mei.flags == ["额外奖金：连续3个月第一"]
    assert mei.streak_bonus == 200.0
    # 800 + 200 + 200 + 750 × 60 / 100 + 全勤奖 50 + 额外奖金 200
    assert mei.perf_pay == 450.0
    assert mei.gross == 1900.0


def test_first_only_two_months_no_bonus(scheme_a):
    history = hist("2026-08", 小美=40, 阿杰=60) + hist("2026-09", 小美=70, 阿杰=45)
    mei = appraise_month(scheme_a, team_a(), history).agent("小美")
    assert mei.flags == []
    assert mei.streak_bonus == 0.0
    assert mei.gross == 1700.0


def test_streak_across_year_end(scheme_a):
    team = [AgentMonth("小美", "2027-01", dict(XIAOMEI)), AgentMonth("阿杰", "2027-01", {})]
    history = hist("2026-11", 小美=60, 阿杰=40) + hist("2026-12", 小美=70, 阿杰=45)
    res = appraise_month(scheme_a, team, history)
    assert res.agent("小美").streak_bonus == 200.0
    assert res.agent("阿杰").flags == ["淘汰预警：连续3个月末位"]


# ---------------------------------------------------------------- promotion


def test_promotion_needs_six_months_as_junior(scheme_a):
    early = one(scheme_a, A_PERFECT, hire_date=date(2026, 6, 1))     # 4 months by 2026-10
    assert early.band.advice == "建议升2级"
    assert "未满 6 个月" in early.promotion and "暂不可升中级" in early.promotion
    ready = one(scheme_a, A_PERFECT, hire_date=date(2026, 3, 1))     # 7 months
    assert ready.promotion.startswith("可升中级")
    assert "7 个月" in ready.promotion


def test_promotion_note_only_when_advice_says_up(scheme_a):
    assert pay.promotion_note(scheme_a, "初级", date(2025, 1, 1), MONTH, "建议不变") == ""
    assert pay.promotion_note(scheme_a, "初级", date(2025, 1, 1), MONTH, "建议辞退") == ""
    assert pay.promotion_note(scheme_a, "初级", date(2025, 1, 1), MONTH, "建议升1级或不变").startswith("可升中级")
    assert pay.promotion_note(scheme_a, "中级", date(2026, 1, 1), MONTH, "建议升2级").endswith("暂不可升高级")
    assert pay.promotion_note(scheme_a, "高级", date(2020, 1, 1), MONTH, "建议升2级") == "已是最高级别"
    assert "入职日期" in pay.promotion_note(scheme_a, "初级", None, MONTH, "建议升2级")
    # the same month of hire counts 0 full months
    assert pay.months_between(date(2026, 10, 20), MONTH) == 0
    assert pay.months_between(date(2026, 6, 1), MONTH) == 4
    assert pay.months_between(date(2026, 3, 31), MONTH) == 7


def test_level_decides_base_wage(scheme_a):
    r = one(scheme_a, A_PERFECT, level="中级")
    assert r.base_wage == 1000.0
    assert r.gross == 2200.0        # 1000 + 200 + 200 + 750 + 50


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("value, digits, expected", [
    (2.675, 2, 2.68), (667.5, 2, 667.5), (-2.675, 2, -2.68), (-0.5, 0, -1.0), (0.5, 0, 1.0),
    (1.005, 2, 1.01), (-1.005, 2, -1.01), (0.125, 2, 0.13), (2.5, 0, 3.0), (-2.5, 0, -3.0),
    (249.975, 2, 249.98), (1234.5678, 2, 1234.57), (0.0, 2, 0.0),
])
def test_excel_round(value, digits, expected):
    assert excel_round(value, digits) == expected


@pytest.mark.parametrize("distance, step, expected", [
    (0.15, 0.05, 3), (1 - 0.85, 0.05, 3), (0.1, 0.05, 2), (0.04999, 0.05, 0), (0.2, 0.05, 4),
    (1 - 0.8, 0.05, 4), (2.0, 1.0, 2), (0.1875, 0.05, 3),
])
def test_steps(distance, step, expected):
    assert steps(distance, step) == expected


# ---------------------------------------------------------------- 计数加分 (count bonus)


def test_count_bonus_adds_on_top():
    bonus = Kpi("经验加分", "count_bonus", input_column="经验条数", bonus_cap=2.0,
                rules=[AdjustRule(">=", 0.0, "per_step", 1.0, 5.0)])
    s = replace(builtin_scheme("A"), kpis=[*builtin_scheme("A").kpis, bonus])
    assert effective_weight(s, bonus) == 0.0
    for count, points in ((4, 0), (5, 1), (12, 2), (30, 2)):   # +1 per full 5, at most +2
        r = one(s, {**A_PERFECT, "经验条数": count})
        assert r.kpis["经验加分"].score == points
        assert r.total == 100.0 + points
