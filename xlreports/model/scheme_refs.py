"""Where each value of a parsed scheme sits on the 考核方案 sheet: plain data for formulas and errors.

Formulas point at these cells (so editing the sheet recalculates), and problems name them.

>>> refs = SchemeRefs(kpis={"响应时间": {"max_score": (12, 11)}})
>>> refs.ref(refs.kpis["响应时间"]["max_score"])
"'考核方案'!$K$12"
>>> str(refs.problem((12, 11), "应为数字", "abc"))
'考核方案!K12: 应为数字（实际为 "abc"）'
"""
from __future__ import annotations

from dataclasses import dataclass, field

from xlreports.a1 import addr, quote_sheet
from xlreports.errors import Problem

SHEET_NAME = "考核方案"

Pos = tuple[int, int]


@dataclass
class SchemeRefs:
    """Where each value of a parsed scheme sits on the sheet, for formulas and errors.

    ``kpis[name][attr]`` (the 【指标】 row, plus a kind's own parameters such as 线性评分's
    ``best``/``worst``), ``bands[name][i][attr]`` (i in the model's list order), and lists for
    levels, commission tiers, result bands and streak rules.
    """

    sheet: str = SHEET_NAME
    settings: dict[str, Pos] = field(default_factory=dict)
    kpis: dict[str, dict[str, Pos]] = field(default_factory=dict)
    bands: dict[str, list[dict[str, Pos]]] = field(default_factory=dict)
    rules: dict[str, list[dict[str, Pos]]] = field(default_factory=dict)
    deductions: dict[str, list[dict[str, Pos]]] = field(default_factory=dict)
    levels: list[dict[str, Pos]] = field(default_factory=list)
    commission: list[dict[str, Pos]] = field(default_factory=list)
    result_bands: list[dict[str, Pos]] = field(default_factory=list)
    streaks: list[dict[str, Pos]] = field(default_factory=list)
    sections: dict[str, Pos] = field(default_factory=dict)  # section → its title cell

    def ref(self, pos: Pos) -> str:
        """An absolute reference to a scheme cell from another sheet: '考核方案'!$C$9."""
        quoted = quote_sheet(self.sheet)
        return f"{quoted}!{addr(pos[0], pos[1], absolute=True)}"

    def cell(self, pos: Pos | None) -> str | None:
        """The A1 address of a position, or None."""
        return addr(*pos) if pos else None

    def problem(self, pos: Pos | None, message: str, found: object = None) -> Problem:
        """A problem located at a scheme cell (the sheet as a whole when ``pos`` is None)."""
        return Problem(self.sheet, self.cell(pos), message, found)
