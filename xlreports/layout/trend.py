"""趋势: each agent's 总分, 排名 and 绩效工资 over the months 考核历史 holds, as tables and line charts.

One section per figure: a table with the months down and the agents across (this month's agents in
排名 order, then those seen only in earlier months), and for 总分 and 绩效工资 a line chart with one
line per agent below it (a line chart's series are columns here; a month an agent was not appraised is
a blank cell, a gap in her line). 排名 has no chart: a line going up would mean a worse rank.

The figures are values, copied from 考核历史 as this run writes it: that sheet holds values (each
month recomputed from its data and typed scores by every run), both are rewritten together, and a
value left blank shows as a gap where a SUMIFS would give 0 and drop the line to the floor.

>>> from xlreports.engine.records import HistoryRow as H
>>> grid = month_grid([H("2026-09", "小美", 80.0, 1, 2), H("2026-10", "阿杰", 70.0, 2, 2),
...                    H("2026-10", "小美", 90.0, 1, 2)], "2026-10", ["小美", "阿杰"])
>>> grid.months, grid.agents, grid.value("2026-09", "阿杰", "总分"), grid.value("2026-10", "小美", "排名")
(['2026-09', '2026-10'], ['小美', '阿杰'], None, 1)
"""
from __future__ import annotations

from dataclasses import dataclass, field

from xlreports.engine.numbers import excel_round
from xlreports.engine.records import HistoryRow
from xlreports.layout.context import BookContext
from xlreports.layout.spec import (BODY, FMT_MONEY, FMT_SCORE, HEADER, LABEL, NOTE, TITLE, Chart, ChartSeries,
                                   PageSetup, SheetSpec)

MAX_MONTHS = 12  # the latest twelve months up to this one
#: (figure, its number format, the team column after the agents, with a chart)
SECTIONS = (("总分", FMT_SCORE, "团队平均", True), ("排名", "0", "人数", False), ("绩效工资", FMT_MONEY, "合计", True))
CHART_HEIGHT_CM = 10.0
CHART_ROWS = 20  # rows of 15 pt (0.53 cm) kept free under a table for its chart
STEPS = {"总分": 10, "绩效工资": 100}  # the value axis starts at a multiple of this below the lowest value


@dataclass
class MonthGrid:
    """考核历史 as months × agents: ``rows[(month, agent)]`` the HistoryRow."""

    months: list[str]
    agents: list[str]
    rows: dict[tuple[str, str], HistoryRow] = field(default_factory=dict)

    def value(self, month: str, agent: str, figure: str):
        """One agent's 总分, 排名 or 绩效工资 in one month; None when she was not appraised then."""
        h = self.rows.get((month, agent))
        if h is None:
            return None
        return {"总分": h.total, "排名": h.rank, "绩效工资": h.perf_pay}[figure]

    def team(self, month: str, figure: str):
        """The team column: 团队平均 of 总分, 人数 beside 排名, 合计 of 绩效工资 (None: no one that month)."""
        rows = [h for (m, _), h in self.rows.items() if m == month]
        if not rows:
            return None
        if figure == "总分":
            return excel_round(sum(h.total for h in rows) / len(rows), 2)
        if figure == "排名":
            return len(rows)
        return excel_round(sum(h.perf_pay for h in rows), 2)


def month_grid(history: list[HistoryRow], month: str, current: list[str]) -> MonthGrid:
    """The latest ``MAX_MONTHS`` months of ``history`` up to ``month``; agents: ``current`` (this month's,
    in their order) then the others of those months by name."""
    months = sorted({h.month for h in history if h.month <= month})[-MAX_MONTHS:]
    rows = {(h.month, h.agent): h for h in history if h.month in months}
    others = sorted({a for _, a in rows} - set(current))
    return MonthGrid(months, [*current, *others], rows)


def trend_sheet(ctx: BookContext, history: list[HistoryRow]) -> SheetSpec:
    """趋势 from ``history`` (考核历史 with this month merged in)."""
    L = ctx.labels
    ranked = [r.agent.name for r in sorted(ctx.result.agents, key=lambda r: (r.rank, r.agent.name))]
    grid = month_grid(history, ctx.month, ranked)
    width = len(grid.agents) + 2
    spec = SheetSpec(L("趋势"), tab_color="70AD47", freeze="B1",
                     page=PageSetup(orientation="landscape", header_left=ctx.shop,
                                    header_center=f"{L('趋势')} {ctx.month}", print_title_cols="A:A"))
    spec.merge(1, 1, 1, width, f"{ctx.shop} {L('趋势')} {grid.months[0]} — {grid.months[-1]}", style=TITLE)
    spec.row_heights[1] = 28
    spec.col_widths[1] = 10
    for j in range(2, width + 1):
        spec.col_widths[j] = 11
    row = 3
    for k, (figure, fmt, team, charted) in enumerate(SECTIONS):
        if k:
            spec.row_breaks.append(row - 1)
        row = _section(spec, grid, row, figure, fmt, team, charted, L)
    spec.merge(row, 1, row, width, L("数值取自「考核历史」（每次运行时按各月数据和填写的分数重算）；空白表示该月未考核。"),
               style=NOTE.but(wrap=False))
    return spec


def _section(spec: SheetSpec, grid: MonthGrid, top: int, figure: str, fmt: str, team: str, charted: bool,
             L) -> int:
    """One figure's table (and chart) from row ``top``; returns the first row after it."""
    width = len(grid.agents) + 2
    spec.merge(top, 1, top, width, L(figure), style=LABEL.but(h_align="left"))
    head = top + 1
    spec.set(head, 1, L("月份"), style=HEADER)
    for j, agent in enumerate(grid.agents, start=2):
        spec.set(head, j, agent, style=HEADER)
    spec.set(head, width, L(team), style=HEADER)
    cell = BODY.but(number_format=fmt, h_align="center")
    for i, month in enumerate(grid.months, start=head + 1):
        spec.set(i, 1, month, style=BODY.but(h_align="center"))
        for j, agent in enumerate(grid.agents, start=2):
            spec.set(i, j, grid.value(month, agent, figure), style=cell)
        spec.set(i, width, grid.team(month, figure), style=cell.but(bold=True, fill="F2F2F2"))
    last = head + len(grid.months)
    if not charted:
        return last + 2
    spec.charts.append(Chart("line", L(f"{figure}（各月）"), f"A{last + 2}", 1,
                             [ChartSeries(agent, j, head + 1, last) for j, agent in enumerate(grid.agents, start=2)],
                             y_title=L("元") if fmt == FMT_MONEY else L("分"), height_cm=CHART_HEIGHT_CM,
                             width_cm=max(16.0, sum(_cm(w) for w in spec.col_widths.values())),
                             y_min=axis_floor([grid.value(m, a, figure) for m in grid.months for a in grid.agents],
                                              STEPS[figure])))
    return last + 2 + CHART_ROWS + 1


def axis_floor(values, step: float) -> float:
    """Where a chart's value axis starts: a multiple of ``step`` at least one step below the lowest value,
    not below 0 (lines of 44–70 points drawn from 0 look flat).

    >>> axis_floor([70.0, 44.0, None], 10), axis_floor([400.0, 1050.0], 100), axis_floor([5.0], 10)
    (30, 300, 0)
    """
    low = min((v for v in values if v is not None), default=0.0)
    return max(0, int(low // step) * step - step)


def _cm(width: float) -> float:
    """A column of ``width`` characters in centimetres (7 px a character and 5 px padding at 96 dpi)."""
    return (width * 7 + 5) / 96 * 2.54
