"""The section format shared by the rules sheets (考核方案, 会员规则).

A rules sheet is a stack of sections: a title row (【指标】), a header row, data rows. Columns are
found by their header label, so a shop owner may move them; every value read keeps its cell, and
every problem names it.

>>> rows = [["【等级】"], ["等级", "下限"], ["VIP", "1,000"], ["至尊", "abc"]]
>>> reader = CellReader("会员规则")
>>> start = require_sections(rows, ("等级",), reader, "会员规则")["等级"]
>>> [v for v, _ in read_section(rows, start, (Col("等级", "name"), Col("下限", "lo", "number")), "等级", reader)]
[{'name': 'VIP', 'lo': 1000.0}, {'name': '至尊', 'lo': None}]
>>> str(reader.problems[0])
'会员规则!B4: 「下限」应为数字（实际为 "abc"）'
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from xlreports.a1 import addr
from xlreports.errors import InputErrors, Problem
from xlreports.model.cells import MAX_NUMBER, safe_text
from xlreports.model.scheme import OPS
from xlreports.model.scheme_refs import Pos


@dataclass(frozen=True)
class Col:
    """One column of a section: its label, the model attribute and how to read it.

    ``kind`` is "text", "number", "int" or a dict of choices {code: label}.
    """

    label: str
    attr: str
    kind: Any = "text"
    required: bool = False


class CellReader:
    """Collects problems while converting cells, so all of a sheet's problems are reported together."""

    def __init__(self, sheet: str):
        self.sheet = sheet
        self.problems: list[Problem] = []

    def fail(self, pos: Pos | None, message: str, found: Any = None) -> None:
        self.problems.append(Problem(self.sheet, addr(*pos) if pos else None, message, found))

    def convert(self, raw: Any, col: Col, pos: Pos) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if col.required:
                self.fail(pos, f"「{col.label}」不能为空")
            return None
        if isinstance(col.kind, dict):
            text = str(raw).strip()
            aliases = {**{v: k for k, v in col.kind.items()}, **{k: k for k in col.kind}}
            if col.kind is OPS:
                aliases.update({"≥": ">=", "≤": "<=", "＞": ">", "＜": "<"})
            if text in aliases:
                return aliases[text]
            self.fail(pos, f"「{col.label}」应为：" + "、".join(col.kind.values()), raw)
            return None
        if col.kind in ("number", "int"):
            value = _number(raw)
            if value is None:
                self.fail(pos, f"「{col.label}」应为数字", raw)
                return None
            if col.kind == "int":
                if value != int(value):
                    self.fail(pos, f"「{col.label}」应为整数", raw)
                return int(value)
            return value
        if isinstance(raw, (dt.date, dt.time, dt.timedelta)):
            return raw.isoformat() if not isinstance(raw, dt.timedelta) else str(raw)
        text = str(raw).strip()
        if safe_text(text, one_line=True) != text:
            # names here become labels, sheet text and formula strings: a control character makes the workbook unreadable
            self.fail(pos, f"「{col.label}」含有换行、制表符或控制字符，请删去", safe_text(text, one_line=True))
            return safe_text(text, one_line=True)
        return text


def _number(raw: Any) -> float | None:
    """A finite number of a sane size, or None (text, bool, nan, inf, 1e999)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = str(raw).strip().replace(",", "").replace("，", "")
        try:
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            return None
    return value if math.isfinite(value) and abs(value) <= MAX_NUMBER else None


def find_sections(rows: list[list[Any]]) -> dict[str, int]:
    """Section title → 0-based row index of its title."""
    found: dict[str, int] = {}
    for i, row in enumerate(rows):
        first = row[0] if row else None
        if isinstance(first, str) and first.strip().startswith("【") and first.strip().endswith("】"):
            found[first.strip()[1:-1]] = i
    return found


def read_section(rows: list[list[Any]], start: int, cols: tuple[Col, ...], title: str,
                  reader: CellReader) -> list[tuple[dict[str, Any], dict[str, Pos]]]:
    """Read a section's data rows as (values by attr, position by attr)."""
    header = rows[start + 1] if start + 1 < len(rows) else []
    col_of: dict[str, int] = {}
    labels = [str(h).strip() if h is not None else "" for h in header]
    missing = False
    for c in cols:
        if c.label in labels:
            col_of[c.attr] = labels.index(c.label)
        elif c.required or title != "说明":
            reader.fail((start + 2, _first_blank(labels) + 1), f"【{title}】缺少列「{c.label}」（第 {start + 2} 行是表头）")
            missing = True
    if missing:  # the problem is reported; reading on would give rows without that column
        return []
    out = []
    i = start + 2
    while i < len(rows):
        row = rows[i]
        if not any(v not in (None, "") for v in row):
            break
        first = row[0] if row else None
        if isinstance(first, str) and first.strip().startswith("【"):
            break
        values: dict[str, Any] = {}
        where: dict[str, Pos] = {}
        for c in cols:
            j = col_of.get(c.attr)
            if j is None:
                continue
            pos = (i + 1, j + 1)
            where[c.attr] = pos
            values[c.attr] = reader.convert(row[j] if j < len(row) else None, c, pos)
        out.append((values, where))
        i += 1
    return out


SETTING_COLS = (Col("项目", "key"), Col("值", "value"), Col("说明", "note"))  # every 【设置】-style section


def setting_rows(rows: list[list[Any]], start: int, title: str, settings, reader: CellReader):
    """Each row of a settings section (项目 | 值 | 说明) as (its column among ``settings``, the raw 值, the
    值 cell); a 项目 that is none of them is an error naming its cell, with the ones available.

    >>> r = CellReader("规则")
    >>> rows = [["【设置】"], ["项目", "值", "说明"], ["天数", "3", ""], ["颜色", "红", ""]]
    >>> [(c.attr, v) for c, v, _ in setting_rows(rows, 0, "设置", [Col("天数", "days", "int")], r)]
    [('days', '3')]
    >>> [str(p) for p in r.problems]
    ['规则!A4: 未知的设置项（可用：天数）（实际为 "颜色"）']
    """
    by_label = {col.label: col for col in settings}
    for values, where in read_section(rows, start, SETTING_COLS, title, reader):
        col = by_label.get(str(values.get("key") or "").strip())
        if col is None:
            reader.fail(where.get("key"), "未知的设置项（可用：" + "、".join(by_label) + "）", values.get("key"))
            continue
        yield col, values.get("value"), where["value"]


def _first_blank(labels: list[str]) -> int:
    """The 0-based column of the first blank header cell (where a cleared label most likely was)."""
    return next((j for j, text in enumerate(labels) if not text), len(labels))


def require_sections(rows: list[list[Any]], titles: tuple[str, ...], reader: CellReader,
                     what: str) -> dict[str, int]:
    """``find_sections``, raising InputErrors when one of ``titles`` is missing (the sheet is not ``what``)."""
    starts = find_sections(rows)
    for title in titles:
        if title not in starts:
            reader.fail(None, f"找不到【{title}】部分（工作表「{reader.sheet}」不是 xlreports {what}？）")
    if reader.problems:
        raise InputErrors(reader.problems)
    return starts
