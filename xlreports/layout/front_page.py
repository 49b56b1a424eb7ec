"""首页: the month at a glance, the sheet the workbook opens on.

Team 总分 (average, highest, lowest — the spread is shown as highest and lowest, which an owner reads
at once, rather than a standard deviation), head count per 结果档位, the best and the worst three by
排名, team 询单转化率 and sales with last month's and the change, the run's warnings, where the data
came from and when this was made, and a 目录 linking every tab.

The figures are formulas over 考核汇总 and 考核数据 (AVERAGE, MAX, MIN, COUNTIF, INDEX/MATCH on
考核汇总's 名次序号 — functions every spreadsheet program shares), so a score typed on a form moves
them too. Last month's figures are numbers from 考核历史 and last month's data ("—" when there is none).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from xlreports.a1 import addr, quote_sheet
from xlreports.errors import Problem
from xlreports.kinds.base import quote
from xlreports.layout.context import BookContext
from xlreports.layout.data_sheet import DataRefs
from xlreports.layout.localize import Translator
from xlreports.layout.spec import (BODY, FMT_MONEY, FMT_NUMBER, FMT_PERCENT, FMT_SCORE, HEADER, LABEL, NOTE, TITLE,
                                   PageSetup, SheetSpec)
from xlreports.layout.summary import NO_VALUE, SummaryRefs, rank_order
from xlreports.layout.tabs import TAB_NOTES, tab_key

#: Team figures from 考核数据: 询单转化率 = Σ最终付款人数 / Σ询单人数, and sales.
PAYERS, INQUIRIES, SALES = "最终付款人数", "询单人数", "客服销售额"
TOP = 3  # best and worst three
WIDTHS = (14, 16, 12, 12, 12, 22)  # A..F: one portrait A4 page wide
LINK = BODY.but(color="0563C1")


@dataclass
class FrontFacts:
    """What 首页 shows besides the results: the data's source (book and sheet), when the run was made,
    the run's warnings, the tabs in their final order (visible ones), and last month's team sales
    and counts from the data (None: no last month in the data)."""

    source: str
    generated: str
    warnings: list[Problem] = field(default_factory=list)
    tabs: list[str] = field(default_factory=list)
    last_totals: dict[str, float] | None = None


def team_totals(values: list[dict], columns: tuple[str, ...] = (PAYERS, INQUIRIES, SALES)) -> dict[str, float]:
    """Σ of each column over agents' value dicts (blank = 0); only columns some agent has.

    >>> team_totals([{"询单人数": 10, "最终付款人数": 4}, {"询单人数": 5, "最终付款人数": None}])
    {'最终付款人数': 4.0, '询单人数': 15.0}
    """
    return {c: float(sum(v.get(c) or 0 for v in values)) for c in columns if any(c in v for v in values)}


def front_page(ctx: BookContext, summary: SummaryRefs, data: DataRefs, facts: FrontFacts) -> SheetSpec:
    """The 首页 sheet."""
    L = ctx.labels
    spec = SheetSpec(L("首页"), tab_color="C00000",
                     page=PageSetup(orientation="portrait", header_left=ctx.shop,
                                    header_center=f"{L('月度概览')} {ctx.month}", fit_width=1))
    for j, w in enumerate(WIDTHS, start=1):
        spec.col_widths[j] = w
    spec.merge(1, 1, 1, 6, f"{ctx.shop} {L('客服绩效月度概览')} {ctx.month}", style=TITLE.but(h_align="left"))
    spec.row_heights[1] = 30
    spec.merge(2, 1, 2, 6, f"{L('数据来源')}: {facts.source}    {L('生成时间')}: {facts.generated}",
               style=NOTE.but(italic=False))
    row = _overview(spec, ctx, summary, data, facts, 4)
    row = _bands(spec, ctx, summary, row + 1)
    row = _best_worst(spec, ctx, summary, row + 1)
    row = _warnings(spec, ctx, facts.warnings, row + 1)
    row = _contents(spec, ctx, facts.tabs, row + 1)
    spec.page.print_area = f"A1:F{row}"
    return spec


def _section(spec: SheetSpec, row: int, title: str, heads: list[str]) -> int:
    """A section's title row and its header row; returns the first body row."""
    spec.merge(row, 1, row, 6, title, style=LABEL.but(size=12, border=None, fill=None))
    spec.row_heights[row] = 22
    for j, h in enumerate(heads, start=1):
        spec.set(row + 1, j, h, style=HEADER)
    if len(heads) < 6:
        spec.merge(row + 1, len(heads), row + 1, 6, heads[-1], style=HEADER)
    return row + 2


def _overview(spec, ctx: BookContext, summary: SummaryRefs, data: DataRefs, facts: FrontFacts, row: int) -> int:
    """人数, 平均/最高/最低总分, 询单转化率, 销售额: this month (formulas), last month, the change."""
    L, agents = ctx.labels, ctx.result.agents
    row = _section(spec, row, L("本月概况"), [L("项目"), L("本月"), L("上月"), L("变化"), L("说明")])
    totals = summary.column_range("总分")
    last = list(ctx.previous.values())
    scores = [a.total for a in agents]
    now = team_totals([a.agent.values for a in agents])
    before = facts.last_totals
    lines = [("人数", len(agents), f"COUNTA({summary.column_range('客服')})", len(last) or None, FMT_NUMBER,
              "考核汇总中的客服"),
             ("平均总分", sum(scores) / len(scores) if scores else None, f"AVERAGE({totals})",
              sum(h.total for h in last) / len(last) if last else None, FMT_SCORE, "团队总分的平均"),
             ("最高总分", max(scores, default=None), f"MAX({totals})",
              max((h.total for h in last), default=None), FMT_SCORE, "总分的分布：最高"),
             ("最低总分", min(scores, default=None), f"MIN({totals})",
              min((h.total for h in last), default=None), FMT_SCORE, "总分的分布：最低")]
    if PAYERS in now and INQUIRIES in now:  # a formula over 考核数据 when it has the columns, else the figure
        rate = now[PAYERS] / now[INQUIRIES] if now[INQUIRIES] else None
        was = before[PAYERS] / before[INQUIRIES] if before and before.get(INQUIRIES) and PAYERS in before else None
        sums = f"SUM({_column(data, PAYERS)})", f"SUM({_column(data, INQUIRIES)})"
        live = PAYERS in data.cols and INQUIRIES in data.cols
        lines.append(("询单转化率", rate, f'IF({sums[1]}=0,"{NO_VALUE}",{sums[0]}/{sums[1]})' if live else None, was,
                      FMT_PERCENT, "团队：最终付款人数 ÷ 询单人数"))
    if SALES in now:
        lines.append(("销售额", now[SALES], f"SUM({_column(data, SALES)})" if SALES in data.cols else None,
                      before.get(SALES) if before else None, FMT_MONEY, "团队：客服销售额合计"))
    for label, value, formula, was, fmt, note in lines:
        spec.set(row, 1, L(label), style=BODY)
        spec.set(row, 2, NO_VALUE if value is None else value, formula=formula and "=" + formula,
                 style=BODY.but(number_format=fmt, bold=True, h_align="right"))
        spec.set(row, 3, NO_VALUE if was is None else was, style=BODY.but(number_format=fmt, h_align="right"))
        b, c = addr(row, 2), addr(row, 3)
        change = value - was if isinstance(value, (int, float)) and was is not None else NO_VALUE
        spec.set(row, 4, change, formula=f'=IF(AND(ISNUMBER({b}),ISNUMBER({c})),{b}-{c},"{NO_VALUE}")',
                 style=BODY.but(number_format=fmt, h_align="right"))
        spec.merge(row, 5, row, 6, L(note), style=BODY.but(size=9, color="595959"))
        row += 1
    return row


def _column(data: DataRefs, column: str) -> str:
    return data.column_range(column) if column in data.cols else ""


def _bands(spec, ctx: BookContext, summary: SummaryRefs, row: int) -> int:
    """Head count per 结果档位 (COUNTIF over 考核汇总) and its share of the team."""
    L, bands, agents = ctx.labels, ctx.scheme.result_bands, ctx.result.agents
    if not bands:
        return row
    row = _section(spec, row, L("结果档位人数"), [L("结果档位"), L("人数"), L("占比"), L("调整建议")])
    labels = summary.column_range("结果档位")
    count_of = f"COUNTA({summary.column_range('客服')})"
    for band in bands:
        n = sum(1 for a in agents if a.band is not None and a.band.label == band.label)
        spec.set(row, 1, L(band.label), style=BODY)
        spec.set(row, 2, n, formula=f"=COUNTIF({labels},{quote(band.label)})", style=BODY.but(h_align="center"))
        spec.set(row, 3, n / len(agents) if agents else 0, formula=f"=IF({count_of}=0,0,{addr(row, 2)}/{count_of})",
                 style=BODY.but(number_format="0%", h_align="center"))
        spec.merge(row, 4, row, 6, L(band.advice), style=BODY)
        row += 1
    return row


def _best_worst(spec, ctx: BookContext, summary: SummaryRefs, row: int) -> int:
    """The best and the worst three by 排名: the k-th smallest (largest) of 考核汇总's 名次序号."""
    L = ctx.labels
    ordered = rank_order(ctx.result.agents)
    n = len(ordered)
    key = summary.column_range("名次序号")
    for title, picks in ((L("前三名"), [(k, f"SMALL({key},{k})") for k in range(1, min(TOP, n) + 1)]),
                         (L("后三名"), [(n + 1 - k, f"LARGE({key},{k})") for k in range(1, min(TOP, n) + 1)])):
        row = _section(spec, row, title, [L("排名"), L("客服"), L("总分"), L("结果档位"), L("预警")])
        for position, which in picks:
            agent = ordered[position - 1]
            match = f"MATCH({which},{key},0)"
            figures = [("排名", agent.rank, BODY.but(h_align="center")), ("客服", agent.agent.name, BODY),
                       ("总分", agent.total, BODY.but(number_format=FMT_SCORE)),
                       ("结果档位", agent.band.label if agent.band else "", BODY.but(h_align="center"))]
            for j, (column, value, style) in enumerate(figures, start=1):
                spec.set(row, j, value, formula=f"=INDEX({summary.column_range(column)},{match})", style=style)
            spec.merge(row, 5, row, 6, " ".join(agent.flags), style=BODY.but(size=9, wrap=True),
                       formula=f"=INDEX({summary.column_range('预警')},{match})")
            row += 1
        row += 1
    return row - 1


def _warnings(spec, ctx: BookContext, warnings: list[Problem], row: int) -> int:
    """The run's warnings, one a row, where each was found first."""
    L = ctx.labels
    spec.merge(row, 1, row, 6, f"{L('提醒')} ({len(warnings)})", style=LABEL.but(size=12, border=None, fill=None))
    spec.row_heights[row] = 22
    row += 1
    if not warnings:
        spec.merge(row, 1, row, 6, L("本次运行没有提醒"), style=BODY)
        return row + 1
    warn = BODY.but(size=9, wrap=True, v_align="top", fill="FFF2CC")
    tr = Translator(L, {a.agent.name for a in ctx.result.agents} | {ctx.shop}) if L.lang != "zh" else None
    for p in warnings:
        text = tr.problem(p) if tr else str(p)  # English messages; cells and names as found
        spec.merge(row, 1, row, 6, text, style=warn)
        spec.row_heights[row] = 14 * max(1, -(-len(text) // 60))  # ~60 characters a line at 9 pt
        row += 1
    return row


def _contents(spec, ctx: BookContext, tabs: list[str], row: int) -> int:
    """目录: a link to every tab (HYPERLINK to its A1) and what it holds."""
    L = ctx.labels
    row = _section(spec, row, L("目录"), [L("工作表"), L("内容")])
    for name in tabs:
        target = f"#{quote_sheet(name)}!A1"
        spec.merge(row, 1, row, 2, name, style=LINK.but(h_align="left"),
                   formula=f"=HYPERLINK({quote(target)},{quote(name)})")
        key = tab_key(name, L)
        spec.merge(row, 3, row, 6, L(TAB_NOTES[key]) if key in TAB_NOTES else "", style=BODY.but(size=9))
        row += 1
    return row - 1


__all__ = ["FrontFacts", "front_page", "team_totals"]
