"""Manual score columns of 客服数据 (a supervisor score or an exam pre-filled there) read as people type
scores: "9分", "8.5 分" are 9 and 8.5, with a warning naming the cell — as the same score typed on a form
is ("９" and " 9 " the reader takes as numbers already, as in every column).
Text that is no score stays a located error, and the export's numeric columns (sales, counts) keep their
strict reading: only the columns named here are lenient.

The columns are read as text (``read_agent_table(..., kinds=...)``) and turned into numbers here, before
anything adds or compares them.

>>> from xlreports.excel.read.source import SheetRows
>>> from xlreports.excel.read.tables import read_agent_table
>>> rows = SheetRows("客服数据", [["客服", "月份", "工作态度"], ["小美", "2026-10", "4分"], ["阿杰", "2026-10", 3]])
>>> t = read_agent_table(rows, extra=["工作态度"], kinds=text_kinds(["工作态度"]))
>>> read_scores(t, ["工作态度"])
>>> [r.values["工作态度"] for r in t.records], [str(w) for w in t.warnings]
([4, 3], ['客服数据!C2: 「工作态度」填写的「4分」读作 4'])
"""
from __future__ import annotations

import re
from typing import Iterable

from xlreports.errors import Problem, raise_if_errors
from xlreports.excel.read.tables import Table, coerce
from xlreports.excel.read.values import NOT_A_SCORE, parse_score

PLAIN = re.compile(r"-?\d+(\.\d+)?")
#: The warning, worded as a form's (its en.json entry gives the English).
READ_AS = "「{kpi}」填写的「{found}」读作 {value}"


def text_kinds(columns: Iterable[str]) -> dict[str, str]:
    """The kinds that make ``read_agent_table`` keep ``columns`` as typed, for :func:`read_scores`.

    >>> text_kinds(["工作态度"])
    {'工作态度': 'text'}
    """
    return {c: "text" for c in columns}


def read_scores(table: Table, columns: Iterable[str]) -> None:
    """The score ``columns`` of ``table`` as numbers, in place: a plain number as the number columns read it;
    a typed score ("9分") as its number with a warning in ``table.warnings``; anything else raises
    InputErrors naming every such cell (nothing is written).

    >>> from xlreports.excel.read.source import SheetRows
    >>> from xlreports.excel.read.tables import read_agent_table
    >>> t = read_agent_table(SheetRows("客服数据", [["客服", "月份", "工作态度"], ["小美", "2026-10", "优"]]),
    ...                      extra=["工作态度"], kinds=text_kinds(["工作态度"]))
    >>> read_scores(t, ["工作态度"])
    Traceback (most recent call last):
    ...
    xlreports.errors.InputErrors: 客服数据!C2: 「工作态度」应为分数（数字，如 8 或 8.5）（实际为 "优"）
    """
    columns = [c for c in columns if c in table.columns]
    problems: list[Problem] = []
    for rec in table.records:
        for column in columns:
            typed = rec.values.get(column)
            if not isinstance(typed, str):
                continue
            if PLAIN.fullmatch(typed):  # a number held as text (a CSV, an export's ="9"): no warning
                rec.values[column] = coerce(typed, "number")
                continue
            try:
                number = parse_score(typed)
            except ValueError:
                problems.append(Problem(table.sheet, rec.cell(column), f"「{column}」{NOT_A_SCORE}", found=typed))
                continue
            rec.values[column] = number
            if number is None:  # "-", "无": blank, as the number columns read it
                continue
            table.warnings.append(Problem(table.sheet, rec.cell(column),
                                          READ_AS.format(kpi=column, found=typed, value=f"{number:g}"),
                                          severity="warning"))
    raise_if_errors(problems)


__all__ = ["READ_AS", "read_scores", "text_kinds"]
