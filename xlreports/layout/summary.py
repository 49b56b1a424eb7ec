"""考核汇总: a row per agent in 排名 order — the results first (客服, 总分, 排名, 结果档位, 绩效工资, 应发合计,
预警, 上月总分, 排名变化; one landscape page wide), then the detail (岗位, 级别, every KPI's value and score,
调整建议, 晋级条件, 上月排名, the streak counters) — with conditional formats, a bar chart of totals
(sorted, with value labels) and a radar chart of KPI score rates, printed on a page of their own.

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
from xlreports.layout.lookup import KEY_COLUMN, TableRefs
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


#: The results, first and on the first printed page; the KPI detail follows them.
RESULT_COLUMNS = ("客服", "总分", "排名", "结果档位", "绩效工资", "应发合计", "预警", "上月总分", "排名变化")
NO_VALUE = "—"  # no last month


def rank_order(agents: list) -> list:
    """The agents by 排名 (ties in data order): the order 考核汇总's rows are written in.

    >>> from types import SimpleNamespace as A
    >>> [a.n for a in rank_order([A(n="a", rank=2), A(n="b", rank=1), A(n="c", rank=2)])]
    ['b', 'a', 'c']
    """
    return sorted(agents, key=lambda a: a.rank)


def order_scale(n: int) -> int:
    """名次序号 = 排名 × scale + the row's place when written: unique, in 排名 order, the same wherever
    the row is sorted to (首页 finds the k-th best by SMALL, the k-th worst by LARGE).

    >>> order_scale(14), order_scale(100)
    (100, 1000)
    """
    return 10 ** len(str(max(n, 1)))


def _headers(ctx: BookContext) -> list[tuple[str, str, float]]:
    """(key, header, width) of every column: the results, then the detail. A typed score (主管评分)
    is its own value: one column, its 得分."""
    L, scheme = ctx.labels, ctx.scheme
    headers = [("客服", "客服", 12), ("总分", "总分", 8), ("排名", "排名", 6), ("结果档位", "结果档位", 9),
               ("绩效工资", "绩效工资", 11), ("应发合计", "应发合计", 12), ("预警", "预警", 30),
               ("上月总分", "上月总分", 8), ("排名变化", "排名变化", 8),
               ("岗位", "岗位", 7), ("级别", "级别", 7)]
    for kpi in scheme.kpis:
        kind = kinds.of(kpi)
        if not (kind.typed and kind.scored):
            headers.append((f"v:{kpi.name}", kpi.name, 10))
        if kind.scored:
            headers.append((f"s:{kpi.name}", kpi.name + (" " if L.lang == "en" else "") + L("得分"), 9))
    headers += [("调整建议", "调整建议", 22), ("晋级条件", "晋级条件", 26), ("上月排名", "上月排名", 8)]
    for i, rule in enumerate(scheme.streaks):
        headers.append((f"prior:{i}", _streak_header(rule), 9))
    headers.append(("名次序号", "名次序号", 8))  # 排名 with ties told apart: 首页 finds the k-th by it
    return headers


def summary_sheet(ctx: BookContext, forms: dict[str, FormRefs]) -> tuple[SheetSpec, SummaryRefs]:
    L, scheme, srefs = ctx.labels, ctx.scheme, ctx.refs
    headers = _headers(ctx)
    cols = {key: j for j, (key, _, _) in enumerate(headers, start=1)}
    results_end = len(RESULT_COLUMNS)
    spec = SheetSpec(L("考核汇总"), freeze=f"B{FIRST}", tab_color="70AD47",
                     page=PageSetup(orientation="landscape", header_left=ctx.shop,
                                    header_center=f"客服绩效考核汇总 {ctx.month}", print_title_rows=f"{HEAD_ROW}:{HEAD_ROW}",
                                    print_title_cols="A:A", fit_width=0))  # 100 %: results one page wide
    spec.merge(1, 1, 1, results_end, f"{ctx.shop} {L('客服绩效考核汇总')} {ctx.month}",
               style=TITLE.but(h_align="left"))
    spec.row_heights[1] = 28
    for key, label, width in headers:
        spec.set(HEAD_ROW, cols[key], label if key.startswith("s:") else L(label), style=HEADER)
        spec.col_widths[cols[key]] = width
    spec.row_heights[HEAD_ROW] = 32

    agents = rank_order(ctx.result.agents)
    last = FIRST + len(agents) - 1
    total_col = col_letter(cols["总分"])
    scale = order_scale(len(agents))
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
            if f"v:{kpi.name}" in cols:
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
        seq = i - FIRST + 1  # a constant of the row: it moves with it when the table is sorted
        spec.set(i, cols["名次序号"], r.rank * scale + seq, formula=f"={rank}*{scale}+{seq}",
                 style=BODY.but(h_align="center", color="808080"))
        spec.set(i, cols["绩效工资"], r.perf_pay, formula=f"={f.ref(f.perf_pay)}",
                 style=BODY.but(number_format=FMT_MONEY))
        spec.set(i, cols["应发合计"], r.gross, style=BODY.but(number_format=FMT_MONEY))  # formula: link_payroll
        has_bands = bool(scheme.result_bands)
        spec.set(i, cols["结果档位"], r.band.label if r.band else "",
                 formula=f"={f.ref(f.band_label)}" if has_bands else None, style=BODY.but(h_align="center"))
        spec.set(i, cols["调整建议"], shown_advice(ctx, r),
                 formula=f"={f.ref(f.advice)}" if has_bands else None, style=BODY)
        spec.set(i, cols["晋级条件"], r.promotion, style=BODY.but(size=9))
        _last_month(spec, cols, i, ctx.previous.get(name))
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
                 style=BODY.but(size=9, wrap=True))
        if r.flags:  # ~18 characters a line at 9 pt in the column: room for the wrapped warning
            spec.row_heights[i] = 13.5 * max(1, -(-len(" ".join(r.flags)) // 18))
    note_row = max(last, HEAD_ROW) + 2
    spec.merge(note_row, 1, note_row, results_end,
               "按排名排列；排名按总分从高到低（同分同名次）；排名变化 = 上月排名 − 本月排名（正数为上升）；"
               "预警：连续低分或末位 → 淘汰预警，连续第一 → 额外奖金；“此前连续…月数”取自「考核历史」，"
               "本月是否满足由公式判断。各项指标明细在右侧各列。", style=NOTE)
    spec.row_heights[note_row] = 30
    end = note_row
    if agents:
        _formats(spec, cols, last)
        end = _charts(ctx, spec, cols, agents, note_row)
    spec.auto_filter = f"A{HEAD_ROW}:{col_letter(len(headers))}{max(last, HEAD_ROW)}"
    # Page 1: the results; then the charts on a page of their own; then the KPI detail columns.
    results = col_letter(results_end)
    spec.row_breaks.append(note_row)
    spec.page.print_area = (f"A1:{results}{end},{col_letter(results_end + 1)}{HEAD_ROW}:"
                            f"{col_letter(len(headers))}{max(last, HEAD_ROW)}")
    return spec, SummaryRefs(spec.name, FIRST, last, dict(cols), rows)


def _last_month(spec: SheetSpec, cols: dict[str, int], i: int, before) -> None:
    """上月总分 and 上月排名 from 考核历史 (numbers), 排名变化 = 上月排名 − 排名 (a formula; "—" without last month)."""
    centre = BODY.but(h_align="center")
    if before is None:
        spec.set(i, cols["上月总分"], NO_VALUE, style=centre)
        spec.set(i, cols["上月排名"], NO_VALUE, style=centre)
    else:
        spec.set(i, cols["上月总分"], before.total, style=centre.but(number_format=FMT_SCORE))
        spec.set(i, cols["上月排名"], before.rank, style=centre)
    was, now = addr(i, cols["上月排名"]), addr(i, cols["排名"])
    change = spec.cells[(i, cols["排名"])].value
    spec.set(i, cols["排名变化"], NO_VALUE if before is None else before.rank - change,
             formula=f'=IF(ISNUMBER({was}),{was}-{now},"{NO_VALUE}")', style=centre.but(number_format=FMT_NUMBER))


def link_payroll(spec: SheetSpec, refs: SummaryRefs, payroll: SheetSpec, labels) -> None:
    """考核汇总's 应发合计: each agent's, looked up by name in 工资表 (found by its headers, so the
    payroll's own layout may change)."""
    head = next(((r, c) for (r, c), cell in sorted(payroll.cells.items()) if cell.value == labels("应发合计")), None)
    if head is None:
        return
    name_col = next((c for (r, c), cell in payroll.cells.items() if r == head[0] and cell.value == labels("客服")), None)
    body = [r for (r, c), cell in payroll.cells.items() if c == name_col and cell.value in refs.rows and r > head[0]]
    if name_col is None or not body:
        return
    rows = {payroll.cells[(r, name_col)].value: r for r in body}
    pay = TableRefs(payroll.name, min(body), max(body), {KEY_COLUMN: name_col, "应发合计": head[1]}, rows)
    for name, row in refs.rows.items():
        spec.cells[(row, refs.cols["应发合计"])].formula = f"={pay.lookup(name, '应发合计')}"


def _formats(spec: SheetSpec, cols: dict[str, int], last: int) -> None:
    def rng(key: str) -> str:
        c = col_letter(cols[key])
        return f"{c}{FIRST}:{c}{last}"

    spec.conditional_formats.append(ConditionalFormat(rng("总分"), "color_scale"))
    spec.conditional_formats.append(ConditionalFormat(rng("绩效工资"), "data_bar"))
    warn_top = f"{col_letter(cols['预警'])}{FIRST}"
    spec.conditional_formats.append(ConditionalFormat(rng("预警"), "formula", f"=LEN({warn_top})>0", WARN))


def _charts(ctx: BookContext, spec: SheetSpec, cols: dict[str, int], agents, note_row: int) -> int:
    """Bar chart of totals (rows are in 排名 order, so the bars are sorted), with value labels; radar of
    KPI score rates (team average, best, last) from a small helper table. Returns the last row used."""
    L, scheme, srefs = ctx.labels, ctx.scheme, ctx.refs
    first, last = FIRST, FIRST + len(agents) - 1
    chart_row = note_row + 2
    width = max(16.0, min(20.0, 1.2 * len(agents)))  # inside the printed columns
    spec.charts.append(Chart("bar", L("总分"), f"A{chart_row}", cols["客服"],
                             [ChartSeries(L("总分"), cols["总分"], first, last)], y_title=L("分"),
                             width_cm=width, height_cm=6.5, value_labels=True))
    scored = kinds.weighted(scheme)
    if len(scored) < 3:
        return chart_row + 13
    top = chart_row + 14
    spec.set(top, 1, L("指标得分率(%)"), style=HEADER)
    for j, label in enumerate(["团队平均", "第一名", "最后一名"], start=2):
        spec.set(top, j, L(label), style=HEADER)
    total_col = col_letter(cols["总分"])
    totals = f"${total_col}${first}:${total_col}${last}"
    best = max(a.total for a in agents)
    worst = min(a.total for a in agents)
    best_agent = next(a for a in agents if a.total == best)
    worst_agent = next(a for a in agents if a.total == worst)
    for i, kpi in enumerate(scored, start=top + 1):
        c = col_letter(cols[f"s:{kpi.name}"])
        scores = f"${c}${first}:${c}${last}"
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
    spec.charts.append(Chart("radar", L("指标得分率(%)"), f"E{top}", 1,
                             [ChartSeries(L(s), j, top + 1, end) for j, s in
                              enumerate(["团队平均", "第一名", "最后一名"], start=2)],
                             width_cm=12.0, height_cm=7.5, y_max=100))
    return max(end, top + 14)
