"""Warnings that matter on the month's forms, each naming the agent and the form cells to fill or fix:
supervisor scores left blank (they count 0), scores typed beyond 0–分值 (capped), attendance left blank
(counted as 全勤), and typed scores read leniently ("9分" is 9) or not at all (counted 0).

They are warnings, not errors: the month is computed and written as the formulas compute it, and the
run (console, 首页) says what to check. Messages are keyed by their Chinese text in the labels
(``--lang en`` gives the English).

>>> read_typed_score("工作态度", "９分", 5.0, "考核表-小美", "F14", Labels("zh"))
(9, 9, Problem(sheet='考核表-小美', cell='F14', message='「工作态度」填写的「９分」读作 9', found=None, severity='warning'))
"""
from __future__ import annotations

from typing import Any

from xlreports import kinds
from xlreports.a1 import addr
from xlreports.errors import Problem
from xlreports.excel.read.values import parse_score
from xlreports.layout.context import BookContext
from xlreports.layout.forms import FormRefs
from xlreports.layout.labels import Labels

BLANK_SCORES = "客服「{agent}」的主管评分未填写：{kpis}，这 {points} 分按 0 分计算"
OUT_OF_RANGE = "客服「{agent}」的「{kpi}」填写 {value}，超出 0–{max}，按 {capped} 分计算"
BLANK_ATTENDANCE = "客服「{agent}」的考勤记录未填写（{columns}），按全勤计算"
BLANK_ATTENDANCE_BONUS = "客服「{agent}」的考勤记录未填写（{columns}），按全勤计算（含全勤奖）"
READ_AS = "「{kpi}」填写的「{found}」读作 {value}"
NOT_READ = "「{kpi}」填写的「{found}」不是分数，按 0 分计算；请填 0 到 {max} 之间的数字"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _g(x: float) -> str:
    return f"{x:g}"


def read_typed_score(kpi: str, value: Any, max_score: float, sheet: str, cell: str | None,
                     labels: Labels) -> tuple[float | None, Any, Problem | None]:
    """(number scored, value the cell keeps, warning) of a score typed on a form. Text read as a number
    ("9分", "９", " 9 ") becomes that number in the cell too, so the form's formula scores it as the engine
    does; text that is no number stays as typed and scores 0, as the formula scores it.

    >>> read_typed_score("工作态度", "优", 5.0, "考核表-小美", "F14", Labels("en"))[:2]
    (None, '优')
    """
    try:
        number = parse_score(value)
    except ValueError:
        return None, value, Problem(sheet, cell, labels(NOT_READ).format(kpi=labels(kpi), found=value,
                                                                          max=_g(max_score)), severity="warning")
    if isinstance(value, str) and number is not None:
        return number, number, Problem(sheet, cell, labels(READ_AS).format(kpi=labels(kpi), found=value,
                                                                           value=_g(number)), severity="warning")
    return number, value, None


def form_warnings(ctx: BookContext, forms: dict[str, FormRefs]) -> list[Problem]:
    """Blank supervisor scores, scores beyond 0–分值 and blank attendance on the month's forms, by agent.

    The points a blank score costs are the KPI's weight (its full weighted score)."""
    L, scheme = ctx.labels, ctx.scheme
    scores = [k for k in scheme.kpis if kinds.of(k).typed_score]
    attendance = list(dict.fromkeys(c for k in scheme.kpis for c in kinds.of(k).attendance_columns(k)))
    out: list[Problem] = []
    for r in ctx.result.agents:
        name, f = r.agent.name, forms[r.agent.name]
        typed = {k.name: ctx.inputs.get(ctx.input_key(name, k.name)) for k in scores}
        blank = [k for k in scores if _blank(typed[k.name])]
        if blank:
            points = sum(kinds.effective_weight(scheme, k) for k in blank)
            out.append(Problem(f.sheet, ",".join(addr(*f.value[k.name]) for k in blank), L(BLANK_SCORES).format(
                agent=name, kpis=L("、").join(L(k.name) for k in blank), points=_g(round(points, 2))), severity="warning"))
        for k in scores:
            value = r.agent.number(k.input_field)
            if value is not None and not 0 <= value <= k.max_score:
                out.append(Problem(f.sheet, addr(*f.value[k.name]), L(OUT_OF_RANGE).format(
                    agent=name, kpi=L(k.name), value=_g(value), max=_g(k.max_score),
                    capped=_g(max(0.0, min(k.max_score, value)))), severity="warning"))
        if attendance and all(_blank(ctx.inputs.get(ctx.input_key(name, c))) for c in attendance):
            text = BLANK_ATTENDANCE_BONUS if scheme.attendance_bonus else BLANK_ATTENDANCE
            out.append(Problem(f.sheet, ",".join(addr(*f.attendance[c]) for c in attendance), L(text).format(
                agent=name, columns=L("、").join(L(c) for c in attendance)), severity="warning"))
    return out
