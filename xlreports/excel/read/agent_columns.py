"""Where agent data is, and what to say when a column the scheme needs is not in it.

>>> agent_sheets(["客服数据", "考核数据"], "客服数据")
['客服数据']
"""
from __future__ import annotations

from difflib import SequenceMatcher
from typing import Iterable

from xlreports.errors import Problem
from xlreports.model import fields


def agent_sheets(names: Iterable[str], sheet: str) -> list[str]:
    """The sheets that hold agent data: ``sheet`` itself and every sheet named ``sheet`` + a separator +
    anything (客服数据-京东, 客服数据（天猫）, 客服数据 拼多多), in workbook order; [] when there is none.

    >>> agent_sheets(["说明", "客服数据-京东", "客服数据-天猫", "客服数据汇总"], "客服数据")
    ['客服数据-京东', '客服数据-天猫']
    >>> agent_sheets(["客服数据", "客服数据_旧"], "客服数据")
    ['客服数据', '客服数据_旧']
    """
    wanted = sheet.strip().casefold()
    found = []
    for name in names:
        folded_name = name.strip().casefold()
        if folded_name == wanted or (folded_name.startswith(wanted) and folded_name[len(wanted):][:1] in _SEPARATORS):
            found.append(name)
    return found


_SEPARATORS = set("-—–_·・ （(【[")


def missing_column(name: str, columns: dict[str, int], headers: dict[str, str], extra: Iterable[str], sheet: str,
                   where: str, *, role: str = "列名", alternative: str | None = None, needed_by: str = "") -> Problem:
    """The error for a column the data lacks, suggesting a column the data has that may be it: one the
    vocabulary reads as something else (``fields.STAND_INS``: an export's 咨询量 is 咨询人数) or an
    unknown header spelled alike. Located at ``where`` (the header row).

    >>> p = missing_column("应答数", {"客服": 1, "咨询人数": 3}, {"客服": "客服", "咨询人数": "咨询量"}, [],
    ...                    "客服数据", "1", role="分子列")
    >>> print(p)
    客服数据!1: 找不到「应答数」；数据中有「咨询量」，如果它就是应答数，请把列名改为应答数或在考核方案中把分子列改为咨询量
    >>> print(missing_column("询单人数", {"客服": 1}, {"客服": "客服"}, ["备注"], "s", "1"))
    s!1: 缺少列「询单人数」
    """
    alt = f"或「{alternative}」" if alternative else ""
    for target, role_of in ((name, role), *(((alternative, "比率列"),) if alternative else ())):
        found = _stand_in(target, columns, headers, extra)
        if found:
            return Problem(sheet, where, f"找不到「{name}」{alt}；数据中有「{found}」，如果它就是{target}，请把列名改为"
                                        f"{target}或在考核方案中把{role_of}改为{found}{needed_by}")
    return Problem(sheet, where, f"缺少列「{name}」{alt}{needed_by}")


def _stand_in(name: str, columns: dict[str, int], headers: dict[str, str], extra: Iterable[str]) -> str | None:
    """The header (as found) of a column that may be ``name`` under another name, or None."""
    for other in fields.STAND_INS.get(fields.canonical(name) or name, ()):
        if other in columns:
            return headers[other]
    folded_name = fields.normalize_header(name)
    for text in extra:
        if SequenceMatcher(None, folded_name, fields.normalize_header(text)).ratio() >= 0.6:
            return text
    return None
