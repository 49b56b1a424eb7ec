"""One month's appraisal for a team: scores, total, rank, pay, result band, streak flags.

>>> from xlreports.rules.scheme_files import builtin_scheme
>>> from xlreports.engine.records import AgentMonth
>>> agent = AgentMonth("小美", "2026-10", {"询单人数": 100, "最终付款人数": 80, "拍下笔数": 100, "付款笔数": 90,
...     "客服客单价": 110, "店铺客单价": 100, "接待人数": 200, "回复人数": 199, "平均响应时间": 28,
...     "工作任务": 8, "工作态度": 5, "迟到早退次数": 1, "请假天数": 1})
>>> r = appraise_month(builtin_scheme("A"), [agent], []).agents[0]
>>> r.total, r.perf_pay, r.attendance_bonus
(89.0, 667.5, 0.0)
"""
from __future__ import annotations

from xlreports import kinds
from xlreports.model.scheme import Kpi, Scheme
from xlreports.engine import metrics, pay, streaks
from xlreports.engine.numbers import excel_round
from xlreports.engine.records import AgentMonth, AgentResult, HistoryRow, KpiScore, MonthResult

BONUS_COLUMN = "奖金"


def score_kpi(scheme: Scheme, kpi: Kpi, agent: AgentMonth, totals: dict[str, float],
              available: set[str] | None) -> KpiScore:
    """Value, score and weighted score of one KPI for one agent; the kind (``xlreports.kinds``) scores it.

    Weighted kinds count score × 权重 / 分值; a bonus kind (计数加分) adds its score as it is.
    """
    kind = kinds.get(kpi.kind)
    if kind.uses_metric:
        value = metrics.metric_value(kpi.metric, agent, totals, available)
    else:
        value = kind.measure(kpi, agent)
    score = kind.score(kpi, value)
    weighted = score * kinds.effective_weight(scheme, kpi) / kpi.max_score if kind.weighted else score
    return KpiScore(kpi.name, value, score, weighted, value if kind.deducts else None)


def full_attendance(scheme: Scheme, agent: AgentMonth) -> bool:
    """No late arrival, early leave or day off recorded in any attendance KPI's columns."""
    return all(agent.number0(c) == 0 for k in scheme.kpis for c in kinds.get(k.kind).attendance_columns(k))


def appraise_month(scheme: Scheme, agents: list[AgentMonth], history: list[HistoryRow],
                   available: set[str] | None = None) -> MonthResult:
    """Score and pay every agent of one month. ``history`` holds earlier months' results for the streaks;
    ``available`` is the set of data columns present (decides counts vs an export's ready-made rate)."""
    month = agents[0].month if agents else ""
    share_cols = sorted({k.metric.numerator for k in scheme.kpis if k.metric.kind == "share" and k.metric.numerator})
    totals = metrics.team_totals(agents, share_cols)

    results = []
    for agent in agents:
        kpis = {k.name: score_kpi(scheme, k, agent, totals, available) for k in scheme.kpis}
        total = excel_round(sum(s.weighted for s in kpis.values()), 2)
        results.append(AgentResult(agent=agent, kpis=kpis, total=total))

    team_min = min((r.total for r in results), default=0.0)
    for r in results:
        r.rank = 1 + sum(1 for o in results if o.total > r.total)
        r.is_last = r.total == team_min
    for r in results:
        _pay(scheme, r, month)
        _streaks(scheme, r, month, history, team_min)
        r.gross = excel_round(r.base_wage + r.post_wage + r.allowance + r.perf_pay + r.commission
                              + r.attendance_bonus + r.streak_bonus + r.bonus, 2)
    return MonthResult(month, scheme, results, totals)


def _pay(scheme: Scheme, r: AgentResult, month: str) -> None:
    agent = r.agent
    level = agent.level or scheme.default_level
    r.band = pay.result_band(scheme, r.total)
    r.perf_pay = pay.performance_pay(scheme, r.total, r.band, level)
    r.advice = pay.level_advice(scheme, level, r.band.advice) if r.band else ""
    r.promotion = pay.promotion_note(scheme, level, agent.hire_date, month, r.band.advice if r.band else "")
    lv = scheme.level(level)
    r.base_wage = lv.wage if lv else 0.0
    r.post_wage = scheme.post_wage
    r.allowance = scheme.allowance
    gate = r.kpis[scheme.commission_gate_kpi].value if scheme.commission_gate_kpi in r.kpis else None
    r.commission = pay.commission(scheme, agent.number0(scheme.commission_column), gate)
    r.attendance_bonus = scheme.attendance_bonus if full_attendance(scheme, agent) else 0.0
    r.bonus = agent.number0(BONUS_COLUMN)


def _streaks(scheme: Scheme, r: AgentResult, month: str, history: list[HistoryRow], team_min: float) -> None:
    for rule in scheme.streaks:
        run = streaks.prior_run(rule, r.agent.name, month, history)
        r.prior_runs.append(run)
        if streaks.holds(rule, r.total, r.rank, team_min) and run + 1 >= rule.months:
            r.flags.append(streaks.streak_label(rule))
            if rule.outcome == "bonus":
                r.streak_bonus += rule.amount
