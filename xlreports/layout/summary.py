"""考核汇总: a row per agent — every KPI's value and score, 总分, 排名, 绩效工资, 结果档位, 调整建议, 预警 —
with conditional formats, a bar chart of totals and a radar chart of KPI score rates.

Cells point at the forms, so a score typed on a form moves the total, the rank and the warnings here.
Streak warnings need earlier months: the "此前连续…" columns hold how many months in a row,
before this one, each rule already held (from 考核历史); the 预警 formula adds this month.
"""
from __future__ import annotations

from dataclasses import dataclass

from xlreports import kinds
from xlreports.engine.streaks import condition_text, streak_label
from xlreports.kinds.base import as_number
from xlreports.layout.context import BookContext, value_format
from xlreports.layout.forms import FormRefs, shown_advice
from xlreports.a1 import addr, col_letter
from xlreports.layout.lookup import TableRefs
from xlreports.layout.spec import (
    BODY,
    FMT_MONEY,
    FMT_NUMBER,
    FMT_SCORE,
    HEADER,
    NOTE,
    TITLE,
    Chart,
    ChartSeries,
    ConditionalFormat,
    PageSetup,
    SheetSpec,
    Style,
)

HEAD_ROW = 2
FIRST = 3
WARN = Style(fill="FFC7CE", color="9C0006")


@dataclass
class SummaryRefs(TableRefs):
    """考核汇总's columns ("客服", "总分", "排名", "绩效工资", "预警", "prior:<i>" …); other sheets find an
    agent's figures by name (``lookup``), so sorting the table changes none of them."""


def _streak_header(rule) -> str:
    return f"此前连续{condition_text(rule)}月数"


def summary_sheet(ctx: BookContext, forms: dict[str, FormRefs]) -> tuple[SheetSpec, SummaryRefs]:
    L, scheme, srefs = ctx.labels, ctx.scheme, ctx.refs
    spec = SheetSpec(L("考核汇总"), freeze=f"B{FIRST}", tab_color="70AD47",
                     page=PageSetup(orientation="landscape", header_left=ctx.shop,
                                    header_center=f"客服绩效考核汇总 {ctx.month}", print_title_rows=f"{HEAD_ROW}:{HEAD_ROW}",
                                    print_title_cols="A:A", fit_width=2))
    headers: list[tuple[str, str, float]] = [("客服", "客服", 12), ("岗位", "岗位", 7), ("级别", "级别", 7)]
    for kpi in scheme.kpis:
        headers.append((f"v:{kpi.name}", kpi.name, 10))
        if kinds.of(kpi).scored:
            headers.append((f"s:{kpi.name}", kpi.name + (" " if L.lang == "en" else "") + L("得分"), 9))
    headers += [("总分", "总分", 8), ("排名", "排名", 6), ("绩效工资", "绩效工资", 11), ("结果档位", "结果档位", 9),
                ("调整建议", "调整建议", 22), ("晋级条件", "晋级条件", 26)]
    for i, rule in enumerate(scheme.streaks):
        headers.append((f"prior:{i}", _streak_header(rule), 9))
    headers.append(("预警", "预警", 48))
    cols = {key: j for j, (key, _, _) in enumerate(headers, start=1)}
    spec.merge(1, 1, 1, min(len(headers), 8), f"{ctx.shop} {L('客服绩效考核汇总')} {ctx.month}",
               style=TITLE.but(h_align="left"))
    spec.row_heights[1] = 28
    for key, label, width in headers:
        spec.set(HEAD_ROW, cols[key], label if key.startswith("s:") else L(label), style=HEADER)
        spec.col_widths[cols[key]] = width
    spec.row_heights[HEAD_ROW] = 32

    agents = ctx.result.agents
    last = FIRST + len(agents) - 1
    total_col = col_letter(cols["总分"])
    total_range = f"${total_col}${FIRST}:${total_col}${last}"
    rows: dict[str, int] = {}
    for i, r in enumerate(agents, start=FIRST):
        name, f = r.agent.name, forms[r.agent.name]
        rows[name] = i
        spec.set(i, cols["客服"], name, style=BODY)
        spec.set(i, cols["岗位"], r.agent.post, style=BODY)
        spec.set(i, cols["级别"], r.agent.level or scheme.default_level, style=BODY)
        for kpi in scheme.kpis:
            s, kind = r.kpis[kpi.name], kinds.of(kpi)
            shown = "无数据" if s.value is None and kind.uses_metric else s.value
            spec.set(i, cols[f"v:{kpi.name}"], shown, formula=f"={f.ref(f.value[kpi.name])}"
                     if not kind.typed else f"={as_number(f.ref(f.value[kpi.name]))}",
                     style=BODY.but(number_format=value_format(kpi), h_align="right"))
            if kind.typed:
                spec.cells[(i, cols[f"v:{kpi.name}"])].value = s.value or 0.0
            if kind.scored:
                spec.set(i, cols[f"s:{kpi.name}"], s.score, formula=f"={f.ref(f.score[kpi.name])}",
                         style=BODY.but(number_format=FMT_NUMBER))
        total = addr(i, cols["总分"])
        rank = addr(i, cols["排名"])
        spec.set(i, cols["总分"], r.total, formula=f"={f.ref(f.total)}", style=BODY.but(bold=True, number_format=FMT_SCORE))
        spec.set(i, cols["排名"], r.rank, formula=f"=RANK({total},{total_range})", style=BODY.but(h_align="center"))
        spec.set(i, cols["绩效工资"], r.perf_pay, formula=f"={f.ref(f.perf_pay)}",
                 style=BODY.but(number_format=FMT_MONEY))
        has_bands = bool(scheme.result_bands)
        spec.set(i, cols["结果档位"], r.band.label if r.band else "",
                 formula=f"={f.ref(f.band_label)}" if has_bands else None, style=BODY)
        spec.set(i, cols["调整建议"], shown_advice(ctx, r),
                 formula=f"={f.ref(f.advice)}" if has_bands else None, style=BODY)
        spec.set(i, cols["晋级条件"], r.promotion, style=BODY.but(size=9))
        terms = []
        for k, rule in enumerate(scheme.streaks):
            prior = addr(i, cols[f"prior:{k}"])
            spec.set(i, cols[f"prior:{k}"], r.prior_runs[k], style=BODY.but(h_align="center", color="808080"))
            where = srefs.streaks[k]
            cond = {"below": f"{total}<{srefs.ref(where['threshold'])}" if rule.threshold is not None else "FALSE",
                    "last": f"{total}=MIN({total_range})", "first": f"{rank}=1"}[rule.kind]
            label = streak_label(rule).replace('"', '""')
            terms.append(f'IF(AND({cond},{prior}+1>={srefs.ref(where["months"])}),"{label} ","")')
        spec.set(i, cols["预警"], " ".join(r.flags), formula=f"=TRIM({'&'.join(terms)})" if terms else None,
                 style=BODY.but(size=9))
    if agents:
        _formats(spec, cols, last)
        _charts(ctx, spec, cols, agents, last, len(headers))
    spec.auto_filter = f"A{HEAD_ROW}:{col_letter(len(headers))}{max(last, HEAD_ROW)}"
    note_row = max(last, HEAD_ROW) + 2
    spec.merge(note_row, 1, note_row, min(len(headers), 12),
               "排名按总分从高到低（同分同名次）；预警：连续低分或末位 → 淘汰预警，连续第一 → 额外奖金；"
               "“此前连续…月数”取自「考核历史」，本月是否满足由公式判断。", style=NOTE)
    # Print the table; the charts are for the screen (they would be cut across the table's pages).
    spec.page.print_area = f"A1:{col_letter(len(headers))}{note_row}"
    return spec, SummaryRefs(spec.name, FIRST, last, dict(cols), rows)


def _formats(spec: SheetSpec, cols: dict[str, int], last: int) -> None:
    def rng(key: str) -> str:
        c = col_letter(cols[key])
        return f"{c}{FIRST}:{c}{last}"

    spec.conditional_formats.append(ConditionalFormat(rng("总分"), "color_scale"))
    spec.conditional_formats.append(ConditionalFormat(rng("绩效工资"), "data_bar"))
    warn_top = f"{col_letter(cols['预警'])}{FIRST}"
    spec.conditional_formats.append(ConditionalFormat(rng("预警"), "formula", f"=LEN({warn_top})>0", WARN))


def _charts(ctx: BookContext, spec: SheetSpec, cols: dict[str, int], agents, last: int, width: int) -> None:
    """Bar chart of totals; radar of KPI score rates (team average, best, last) from a small helper table."""
    L, scheme, srefs = ctx.labels, ctx.scheme, ctx.refs
    chart_row = last + 4
    spec.charts.append(Chart("bar", L("总分"), f"A{chart_row}", cols["客服"],
                             [ChartSeries(L("总分"), cols["总分"], FIRST, last)], y_title=L("分"),
                             width_cm=max(16.0, min(40.0, 1.2 * len(agents))), height_cm=8.0))
    scored = kinds.weighted(scheme)
    if len(scored) < 3:
        return
    top = chart_row + 18
    spec.set(top, 1, L("指标得分率(%)"), style=HEADER)
    for j, label in enumerate(["团队平均", "第一名", "最后一名"], start=2):
        spec.set(top, j, L(label), style=HEADER)
    total_col = col_letter(cols["总分"])
    totals = f"${total_col}${FIRST}:${total_col}${last}"
    best = max(a.total for a in agents)
    worst = min(a.total for a in agents)
    best_agent = next(a for a in agents if a.total == best)
    worst_agent = next(a for a in agents if a.total == worst)
    for i, kpi in enumerate(scored, start=top + 1):
        c = col_letter(cols[f"s:{kpi.name}"])
        scores = f"${c}${FIRST}:${c}${last}"
        mx = srefs.ref(srefs.kpis[kpi.name]["max_score"])
        spec.set(i, 1, kpi.name, style=BODY)
        avg = sum(a.kpis[kpi.name].score for a in agents) / len(agents) / kpi.max_score * 100
        spec.set(i, 2, avg, formula=f"=AVERAGE({scores})/{mx}*100", style=BODY.but(number_format="0.0"))
        spec.set(i, 3, best_agent.kpis[kpi.name].score / kpi.max_score * 100,
                 formula=f"=INDEX({scores},MATCH(MAX({totals}),{totals},0))/{mx}*100",
                 style=BODY.but(number_format="0.0"))
        spec.set(i, 4, worst_agent.kpis[kpi.name].score / kpi.max_score * 100,
                 formula=f"=INDEX({scores},MATCH(MIN({totals}),{totals},0))/{mx}*100",
                 style=BODY.but(number_format="0.0"))
    end = top + len(scored)
    spec.charts.append(Chart("radar", L("指标得分率(%)"), f"F{top}", 1,
                             [ChartSeries(L(s), j, top + 1, end) for j, s in
                              enumerate(["团队平均", "第一名", "最后一名"], start=2)],
                             width_cm=14.0, height_cm=10.0, y_max=100))
