"""What every appraisal layout needs: the month's results, the scheme and where its cells are,
the labels, and the values to put in cells people type into.

>>> safe_sheet_name("考核表-a/b:c*?[x]")
'考核表-a_b_c___x_'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from xlreports import kinds
from xlreports.engine.records import MonthResult
from xlreports.model.scheme import Kpi, Scheme
from xlreports.model.scheme_refs import SchemeRefs
from xlreports.layout.labels import Labels
from xlreports.layout.spec import FMT_MONEY, FMT_NUMBER, FMT_PERCENT, FMT_RATIO, FMT_SECONDS

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")  # line breaks, tabs, XML-illegal

VALUE_FORMATS = {"percent": FMT_PERCENT, "seconds": FMT_SECONDS, "ratio": FMT_RATIO, "number": FMT_NUMBER,
                 "money": FMT_MONEY}


def safe_sheet_name(name: str, taken: set[str] | None = None) -> str:
    r"""A valid, unique Excel sheet name: no []:*?/\ or control characters, no edge apostrophes, at most
    31 characters, unique ignoring case (a clash after truncation gets "(2)", "(3)" … — never one shared tab).

    >>> taken = set()
    >>> [safe_sheet_name("考核表-" + n, taken) for n in ("张\n三", "A" * 40 + "1", "a" * 40 + "2")]
    ['考核表-张 三', '考核表-AAAAAAAAAAAAAAAAAAAAAAAAAAA', '考核表-aaaaaaaaaaaaaaaaaaaaaaaa(2)']
    """
    base = _tidy(_INVISIBLE.sub(" ", _FORBIDDEN.sub("_", name)))
    taken = taken if taken is not None else set()
    candidate, n = base, 2
    while candidate.lower() in {t.lower() for t in taken} or candidate.lower() == "history":
        suffix = f"({n})"
        candidate = _tidy(base[: 31 - len(suffix)]) + suffix
        n += 1
    taken.add(candidate)
    return candidate


def _tidy(name: str) -> str:
    """At most 31 characters, without the apostrophes and spaces Excel refuses at either end."""
    name = name[:31].strip(" '")
    return name if name.strip() else "_"  # all blank (U+3000, U+0085 …) is no name either


def value_format(kpi: Kpi) -> str:
    """Number format for a KPI's 数据 cell: the kind's own (attendance shows points deducted), else by 格式.

    >>> value_format(Kpi("考勤", "attendance")), value_format(Kpi("响应时间", "linear", fmt="seconds"))
    ('"扣"General"分"', '0.0"秒"')
    """
    return kinds.of(kpi).number_format or VALUE_FORMATS.get(kpi.fmt, FMT_NUMBER)


@dataclass
class BookContext:
    """Inputs of the appraisal layouts.

    ``inputs`` maps an input key (see ``input_key``) to the value its cell gets: what a person
    typed on an earlier run, else the value pre-filled from the data.
    """

    result: MonthResult
    refs: SchemeRefs
    labels: Labels
    shop: str
    data_columns: list[str]  # columns shown in 考核数据, in order
    rate_columns: dict[str, str] = field(default_factory=dict)  # KPI → rate column used instead of counts
    inputs: dict[str, Any] = field(default_factory=dict)
    prefills: dict[str, Any] = field(default_factory=dict)  # input key → value from the data (before carry-over)
    forms_mode: str = "tabs"
    previous: dict[str, Any] = field(default_factory=dict)  # agent → last month's engine.records.HistoryRow

    @property
    def scheme(self) -> Scheme:
        return self.result.scheme

    @property
    def month(self) -> str:
        return self.result.month

    def input_key(self, agent: str, name: str) -> str:
        """Key of one input cell, scoped by month so October's scores never fill November's forms."""
        return f"{self.month}|{agent}|{name}"

