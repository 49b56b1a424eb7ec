"""考核数据: the month's cleaned inputs, one row per agent — the cells every form formula reads.

Values, not formulas: they come from the 客服数据 sheet (whatever export it was)
after header mapping and number coercion, so formulas never meet "1,234.50"
text or title rows. Correct the data in 客服数据 and re-run.
"""
from __future__ import annotations

from dataclasses import dataclass

from xlreports.model.fields import field_kind
from xlreports.layout.context import BookContext
from xlreports.layout.lookup import TableRefs
from xlreports.a1 import col_letter
from xlreports.layout.spec import BODY, FMT_PERCENT, HEADER, PageSetup, SheetSpec

FIRST_ROW = 2
FIXED = ("客服", "月份", "岗位", "级别")


@dataclass
class DataRefs(TableRefs):
    """考核数据's columns; formulas find an agent's values by name (``lookup``), never by row."""


def data_sheet(ctx: BookContext) -> tuple[SheetSpec, DataRefs]:
    """The 考核数据 sheet and the positions of its cells."""
    L = ctx.labels
    spec = SheetSpec(L("考核数据"), freeze="B2", tab_color="808080",
                     page=PageSetup(orientation="landscape", header_center=f"{ctx.shop} {ctx.month} 考核数据"))
    columns = list(FIXED) + ctx.data_columns
    cols = {name: j for j, name in enumerate(columns, start=1)}
    for name, j in cols.items():
        spec.set(1, j, L(name), style=HEADER)
        spec.col_widths[j] = max(9, min(16, len(name) * 2 + 2))
    rows: dict[str, int] = {}
    for i, r in enumerate(ctx.result.agents, start=FIRST_ROW):
        agent = r.agent
        rows[agent.name] = i
        fixed = {"客服": agent.name, "月份": agent.month, "岗位": agent.post,
                 "级别": agent.level or ctx.scheme.default_level}
        for name, j in cols.items():
            value = fixed[name] if name in fixed else agent.values.get(name)
            fmt = FMT_PERCENT if field_kind(name) == "rate" else ("#,##0.##" if name not in fixed else None)
            spec.set(i, j, value, style=BODY.but(number_format=fmt))
    last = FIRST_ROW + len(ctx.result.agents) - 1
    spec.auto_filter = f"A1:{col_letter(len(columns))}{max(last, FIRST_ROW)}"
    return spec, DataRefs(spec.name, FIRST_ROW, last, cols, rows)
