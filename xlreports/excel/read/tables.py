"""Raw rows → typed records, for every input sheet (agent data, roster, history, scheme tables).

The reader finds the header row (below title rows, or the leaf row of a
two-row grouped header), maps each header to a field through an ``aliases``
function, coerces each cell by the field's kind and collects every problem of
the sheet before raising :class:`~xlreports.errors.InputErrors` once.

>>> t = read_table(SheetRows("十月", [["客服绩效报表"], [], ["客服", "询单数", "询单->最终付款人数"],
...                                   ["张三", "40", 30], ["汇总值", 40, 30]]))
>>> t.header_row, t.columns
(3, {'客服': 1, '询单人数': 2, '最终付款人数': 3})
>>> [(r.row, r.values) for r in t.records]
[(4, {'客服': '张三', '询单人数': 40, '最终付款人数': 30})]
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable

from xlreports.a1 import col_letter
from xlreports.model import fields
from xlreports.errors import InputErrors, Problem, XlreportsError, raise_if_errors
from xlreports.excel.read.source import SheetRows
from xlreports.excel.read.values import BLANK_TOKENS, NOT_A_NUMBER, TOO_LARGE, folded, parse_number, unwrap
from xlreports.model.cells import MAX_NUMBER, safe_text

KINDS = ("text", "number", "rate", "month", "date")
MONTH_FIELD = "月份"
DATE_FIELD = "日期"  # a 日期 column makes the agent rows days (rolled up to the month by engine/rollup.py)
DATE_HEADERS = ("日期", "统计日期", "数据日期", "date", "day")
NO_DATA = "没有数据行（未找到表头或表头下没有数据）"

_MONTH_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(\s*[-/.]?\s*\d{1,2}\s*日?)?([ T].*)?")
_DAY_RE = re.compile(r"(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")  # 10月1日, 10-01: the year comes from elsewhere
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?([ T].*)?")
_SUMMARY = {fields.normalize_header(s) for s in fields.SUMMARY_LABELS}


# ---------------------------------------------------------------- records


@dataclass
class Record:
    """One data row: canonical field → coerced value, plus where each value came from."""

    row: int  # Excel row number
    values: dict[str, object]  # canonical field → coerced value (None when blank)
    cols: dict[str, int]  # canonical field → 1-based column (shared dict from the table)
    sheet: str

    def cell(self, field: str) -> str:
        """The address of this record's cell for ``field``.

        >>> Record(7, {"询单人数": 3}, {"询单人数": 4}, "十月").cell("询单人数")
        'D7'
        """
        return f"{col_letter(self.cols[field])}{self.row}"


@dataclass
class Table:
    """A sheet read as records under one header row."""

    sheet: str
    header_row: int  # Excel row number of the (leaf) header row
    columns: dict[str, int]  # canonical field → 1-based column
    headers: dict[str, str]  # canonical field → header text as found in the file
    extra_headers: list[str]  # headers found that map to no known field (kept, not an error)
    records: list[Record]
    warnings: list[Problem] = field(default_factory=list)

    def months(self) -> list[str]:
        """The months present in the 月份 column, sorted ([] without one).

        >>> t = read_table(SheetRows("s", [["客服", "月份"], ["甲", "2026/9"], ["甲", "2026年10月"]]))
        >>> t.months()
        ['2026-09', '2026-10']
        """
        return sorted({r.values[MONTH_FIELD] for r in self.records if r.values.get(MONTH_FIELD)})

    def for_month(self, month: str) -> list[Record]:
        """The records of ``month`` when the sheet has a 月份 column, else all records.

        >>> t = read_table(SheetRows("s", [["客服", "月份"], ["甲", "2026-09"], ["甲", "2026-10"]]))
        >>> [r.row for r in t.for_month("2026/10")]
        [3]
        """
        if MONTH_FIELD not in self.columns:
            return list(self.records)
        try:
            wanted = coerce(month, "month")
        except ValueError as e:
            raise XlreportsError(f"月份「{month}」{e}") from None
        found = [r for r in self.records if r.values.get(MONTH_FIELD) == wanted]
        if not found:
            col = col_letter(self.columns[MONTH_FIELD])
            header = self.headers[MONTH_FIELD]
            present = "、".join(self.months()) or "（无）"
            raise InputErrors([Problem(self.sheet, col, f"没有 {wanted} 的数据；「{header}」列中的月份有：{present}")])
        return found


# ---------------------------------------------------------------- coercion


def coerce(value: object, kind: str) -> object:
    """Convert a raw cell value to ``kind``; blank → None; raise ValueError(message) when it cannot.

    >>> coerce("1,234.50", "number"), coerce('="123"', "number"), coerce("75%", "number")
    (1234.5, 123, 0.75)
    >>> coerce(82.5, "rate"), coerce("'182", "text"), coerce("2026年10月", "month")
    (0.825, '182', '2026-10')
    >>> coerce("2026/10/5", "date")
    datetime.date(2026, 10, 5)
    """
    if kind == "text":
        return _to_text(value)
    if kind == "number":
        return _to_number(value)[0]
    if kind == "rate":
        return _to_rate(value)
    if kind == "month":
        return _to_month(value)
    if kind == "date":
        return _to_date(value)
    raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        s = unwrap(value)
        return None if s == "" or s.lower() == "null" else s
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _to_number(value: object) -> tuple[int | float | None, bool]:
    """(number, written as percent) — "75%" is 0.75."""
    if value is None:
        return None, False
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(NOT_A_NUMBER)
    if isinstance(value, str):
        return parse_number(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(NOT_A_NUMBER)
    if abs(value) > MAX_NUMBER:
        raise ValueError(TOO_LARGE)
    return value, False


def _to_rate(value: object) -> float | None:
    number, percent = _to_number(value)
    if number is None or percent or abs(number) <= 1:
        return number
    return float(Decimal(str(number)) / 100)  # percent points: 82.5 → 0.825


def _month(year: int, month: int) -> str:
    if not (1900 <= year <= 2200 and 1 <= month <= 12):
        raise ValueError
    return f"{year:04d}-{month:02d}"


def _matched(value: object, digits: str, pattern: re.Pattern) -> re.Match | None:
    """A text cell folded and matched by ``digits`` (202610, 20261005) or ``pattern``; None for a blank
    token; ValueError for anything else."""
    if not isinstance(value, str):
        raise ValueError
    s = folded(value)
    if s.lower() in BLANK_TOKENS:
        return None
    m = re.fullmatch(digits, s) or pattern.fullmatch(s)
    if not m:
        raise ValueError
    return m


def _to_month(value: object) -> str | None:
    try:
        if value is None:
            return None
        if isinstance(value, (dt.date, dt.datetime)):
            return _month(value.year, value.month)
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, float) and not value.is_integer():  # 2026.1 typed as 2026.10
            year = int(value)
            return _month(year, round((value - year) * 100))
        if isinstance(value, (int, float)):
            value = str(int(value))
        m = _matched(value, r"(\d{4})(\d{2})(\d{2})?", _MONTH_RE)
        return None if m is None else _month(int(m.group(1)), int(m.group(2)))
    except (ValueError, OverflowError):  # inf, nan and 1e300 are no month
        raise ValueError("应为月份，如 2026-10") from None


def _to_date(value: object) -> dt.date | None:
    from openpyxl.utils.datetime import from_excel

    try:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not 1 <= value < 2958466:
                raise ValueError
            return from_excel(value).date()
        m = _matched(value, r"(\d{4})(\d{2})(\d{2})", _DATE_RE)
        return None if m is None else dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except (ValueError, OverflowError):
        raise ValueError("应为日期，如 2026-10-05") from None


# ---------------------------------------------------------------- header


class _Resolver:
    """Which wanted field a header fills (``field``), and whether it names any known field (``known``)."""

    def __init__(self, wanted: Iterable[str] | None, aliases: Callable[[object], str | None], key: str | None):
        self.aliases = aliases
        self.everything = wanted is None
        names = [] if wanted is None else list(wanted)
        if key and key not in names:
            names.append(key)
        self.by_alias: dict[str, str] = {}
        self.by_text: dict[str, str] = {}
        for name in names:
            known = aliases(name)
            if known is not None:
                self.by_alias.setdefault(known, name)
            else:
                self.by_text.setdefault(fields.normalize_header(name), name)

    def field(self, header: object) -> str | None:
        if _is_empty(header):
            return None
        known = self.aliases(header)
        if known is not None:
            if self.everything:
                return known
            if known in self.by_alias:
                return self.by_alias[known]
        return self.by_text.get(fields.normalize_header(header))

    def known(self, header: object) -> str | None:
        return self.field(header) or (None if _is_empty(header) else self.aliases(header))


@dataclass
class _Header:
    index: int  # 0-based row index of the (leaf) header row
    texts: dict[int, str]  # 0-based column → header text
    score: int  # distinct known fields
    leaf_hits: int  # distinct known fields named by the row's own cells
    has_key: bool


def _header(rows: list[list[object]], index: int, group_index: int | None,
            resolver: _Resolver, key: str | None) -> _Header:
    """Read row ``index`` as a header; with a group row, empty leaf cells take the group cell."""
    leaf = rows[index]
    group = rows[group_index] if group_index is not None else []
    texts: dict[int, str] = {}
    hits: set[str] = set()
    leaf_hits: set[str] = set()
    label = None  # the group label spanning this column (merged cells keep it in their first column)
    for c in range(max(len(leaf), len(group))):
        g = group[c] if c < len(group) else None
        label = str(g).strip() if not _is_empty(g) else label
        v = leaf[c] if c < len(leaf) else None
        if not _is_empty(v):
            text, known = str(v), resolver.known(v)
            if known is None and label and resolver.known(label + str(v).strip()):
                text = label + str(v).strip()  # "询单->下单" over "人数"
                known = resolver.known(text)
            if known:
                leaf_hits.add(known)
        elif not _is_empty(g):
            text, known = str(g), resolver.known(g)
        else:
            continue
        texts[c] = text
        if known:
            hits.add(known)
    has_key = key is not None and any(resolver.field(t) == key for t in texts.values())
    return _Header(index, texts, len(hits), len(leaf_hits), has_key)


def _find_header(rows: list[list[object]], resolver: _Resolver, key: str | None, scan: int) -> _Header | None:
    """The row with the most known headers (≥2, or the key); joined with a group row above or a leaf row below."""
    best = None
    for i in range(min(len(rows), scan)):
        h = _header(rows, i, None, resolver, key)
        if (h.score >= 2 or h.has_key) and (best is None or h.score > best.score):
            best = h
    if best is None:
        return None
    i = best.index
    if i + 1 < len(rows):
        below = _header(rows, i + 1, i, resolver, key)
        if below.leaf_hits >= 2 and below.score >= best.score:
            return below
    if i >= 1 and sum(not _is_empty(v) for v in rows[i - 1]) >= 2:
        joined = _header(rows, i, i - 1, resolver, key)
        if joined.score > best.score:
            return joined
    return best


def _alias_hint(name: str, resolver: _Resolver) -> str:
    fd = fields.FIELDS_BY_NAME.get(resolver.aliases(name) or name)
    if fd is None:
        return ""
    names = [n for n in dict.fromkeys((fd.name, *fd.aliases)) if resolver.field(n) == name]
    return f"（可用列名：{'、'.join(names)}）" if names else ""


# ---------------------------------------------------------------- rows


def _is_summary(row: list[object], key_col: int | None) -> bool:
    """A 汇总值/平均值/同行… row: the key cell, or the row's first non-empty cell, is a summary label."""
    cells = [row[key_col - 1]] if key_col and key_col <= len(row) else []
    cells += [next((v for v in row if not _is_empty(v)), None)]
    for v in cells:
        text = _to_text(v) if not _is_empty(v) else None
        if text and (fields.normalize_header(text) in _SUMMARY or text.startswith("同行")):
            return True
    return False


def _missing_key(key: str) -> str:
    return "缺少客服名称" if key == "客服" else f"缺少{key}"


def read_table(rows: SheetRows, *, required: Iterable[str] = (), wanted: Iterable[str] | None = None,
               kinds: dict[str, str] | None = None, key: str | None = "客服",
               aliases: Callable[[object], str | None] = fields.canonical, max_header_scan: int = 30,
               also_by: Iterable[str] = ()) -> Table:
    """Read a sheet's rows as records of the ``wanted`` fields (None = every field ``aliases`` knows).

    ``kinds`` overrides a field's kind (default: ``fields.field_kind``, "text" for the key).
    ``key`` names the column identifying a row (must be present, non-blank and unique per
    month, and per value of each ``also_by`` column the sheet has); None for sheets without one. Raises InputErrors listing every error of the sheet.

    >>> t = read_table(SheetRows("名单", [["姓名", "工号"], ["张三", 7]]), wanted=["姓名", "工号"],
    ...                kinds={"工号": "text"}, key="姓名", aliases=lambda h: None)
    >>> t.records[0].values
    {'姓名': '张三', '工号': '7'}
    """
    sheet, data = rows.sheet, rows.rows
    resolver = _Resolver(wanted, aliases, key)
    kinds = dict(kinds or {})
    for name, kind in kinds.items():
        if kind not in KINDS:
            raise ValueError(f"kind of {name!r} must be one of {KINDS}, not {kind!r}")

    header = _find_header(data, resolver, key, max_header_scan)
    if header is None:
        raise InputErrors([Problem(sheet, None, NO_DATA)])
    header_row = header.index + 1
    problems: list[Problem] = []
    columns, headers, extra = _map_columns(header, resolver, sheet, problems)

    for name in dict.fromkeys([*([key] if key else []), *required]):
        if name not in columns:
            problems.append(Problem(sheet, str(header_row), f"缺少列「{name}」{_alias_hint(name, resolver)}"))

    kind_of = {f: kinds.get(f) or ("text" if f == key else fields.field_kind(f)) for f in columns}
    ident = [f for f in ([MONTH_FIELD] if MONTH_FIELD in columns else []) + list(also_by) if f in columns]
    records = _read_records(data, header, columns, kind_of, key, sheet, problems, ident)
    if not records:
        problems.append(Problem(sheet, None, NO_DATA))
    raise_if_errors(problems)
    warnings = [p for p in problems if p.severity != "error"]
    return Table(sheet, header_row, columns, headers, extra, records, warnings)


def _map_columns(header: _Header, resolver: _Resolver, sheet: str, problems: list[Problem]):
    """Header texts → (columns, headers, extra_headers); a field named twice keeps its first column."""
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    extra: list[str] = []
    for c, text in sorted(header.texts.items()):
        name = resolver.field(text)
        if name is None:
            if resolver.aliases(text) is None:
                extra.append(text)
        elif name in columns:
            where = f"{col_letter(c + 1)}{header.index + 1}"
            problems.append(Problem(sheet, where, f"列「{text}」与「{headers[name]}」都对应「{name}」，只使用第一列",
                                    severity="warning"))
        else:
            columns[name] = c + 1
            headers[name] = text
    return columns, headers, extra


def _read_records(data, header: _Header, columns, kind_of, key, sheet, problems, ident) -> list[Record]:
    key_col = columns.get(key) if key else None
    month_col = columns.get(MONTH_FIELD)
    headed = sorted(header.texts)
    seen: dict[tuple, int] = {}
    records: list[Record] = []
    for index in range(header.index + 1, len(data)):
        raw, r = data[index], index + 1
        if all(c >= len(raw) or _is_empty(raw[c]) for c in headed) or _is_summary(raw, key_col):
            continue
        values: dict[str, object] = {}
        for name, col in columns.items():
            value = raw[col - 1] if col <= len(raw) else None
            try:
                values[name] = coerce(value, kind_of[name])
            except ValueError as e:
                problems.append(Problem(sheet, f"{col_letter(col)}{r}", str(e), found=value))
                values[name] = None
            if isinstance(values[name], str):
                values[name] = _made_safe(values[name], name == key, f"{col_letter(col)}{r}", sheet, problems)
        record = Record(r, values, columns, sheet)
        if key_col:
            _check_key(record, key, ident, seen, problems)
        if month_col and values[MONTH_FIELD] is None and _is_empty(_cell(raw, month_col)):
            problems.append(Problem(sheet, record.cell(MONTH_FIELD), "缺少月份，此行不计入任何月份",
                                    severity="warning"))
        records.append(record)
    return records


def _made_safe(text: str, is_key: bool, where: str, sheet: str, problems: list[Problem]) -> str | None:
    """``text`` without what a workbook cannot hold; a key (an agent's name: a sheet name and a lookup
    key too) also on one line. A change is a warning naming the cell, so the name used everywhere is
    the one the warning shows."""
    clean = safe_text(text, one_line=is_key)
    if clean != text:
        shown = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
        what = "换行、制表符或控制字符" if is_key else "控制字符"
        problems.append(Problem(sheet, where, f"含有{what}，已按「{clean}」使用", found=shown, severity="warning"))
    return clean or None


def _cell(raw: list[object], col: int) -> object:
    return raw[col - 1] if col <= len(raw) else None


def _check_key(record: Record, key: str, by: list[str], seen: dict, problems: list[Problem]) -> None:
    name = record.values[key]
    if name is None:
        problems.append(Problem(record.sheet, record.cell(key), _missing_key(key)))
        return
    ident = (name, *(record.values.get(f) for f in by))
    if ident in seen:
        problems.append(Problem(record.sheet, record.cell(key), f"{key}「{name}」重复（与第 {seen[ident]} 行相同）"))
    else:
        seen[ident] = record.row


def read_agent_table(rows: SheetRows, required: Iterable[str] = (), extra: Iterable[str] = ()) -> Table:
    """Agent month data: every AGENT_FIELDS column, plus ``extra`` shop columns matched by name; key 客服.

    >>> t = read_agent_table(SheetRows("s", [["旺旺昵称", "询单数", "好评数"], ["甲", 3, 2]]), extra=["好评数"])
    >>> t.records[0].values
    {'客服': '甲', '询单人数': 3, '好评数': 2}
    """
    wanted = list(dict.fromkeys([f.name for f in fields.AGENT_FIELDS] + list(extra) + [DATE_FIELD]))
    table = read_table(rows, required=required, wanted=wanted, key="客服", aliases=_agent_alias,
                       kinds={DATE_FIELD: "text"}, also_by=[DATE_FIELD])
    if DATE_FIELD in table.columns:
        _read_days(table)
    problems = [p for rec in table.records for p in implausible(rec)]
    raise_if_errors(problems)
    table.warnings += problems
    return table


_DATE_KEYS = {fields.normalize_header(h) for h in DATE_HEADERS}


def _agent_alias(header: object) -> str | None:
    return DATE_FIELD if fields.normalize_header(header) in _DATE_KEYS else fields.canonical(header)


def _read_days(table: Table) -> None:
    """The 日期 column as dates, and each row's 月份 from its date (the 日期 column stands in for a
    missing 月份 column). "10月1日" takes its year from the row's 月份, else from the sheet's full dates."""
    problems: list[Problem] = []
    texts = [(rec, rec.values[DATE_FIELD]) for rec in table.records]
    full: dict[int, dt.date] = {}
    for i, (rec, text) in enumerate(texts):
        try:
            full[i] = _day_value(text)
        except ValueError:
            pass
    years = sorted({d.year for d in full.values() if d})
    has_month = MONTH_FIELD in table.columns
    if not has_month:
        table.columns[MONTH_FIELD] = table.columns[DATE_FIELD]  # shared with every record's cols
        table.headers[MONTH_FIELD] = table.headers[DATE_FIELD]
    for i, (rec, text) in enumerate(texts):
        day = full.get(i)
        if text is None and not has_month:
            table.warnings.append(Problem(table.sheet, rec.cell(DATE_FIELD), "缺少日期，此行不计入任何月份",
                                          severity="warning"))
        elif i not in full:
            month = rec.values.get(MONTH_FIELD) if has_month else None
            year = int(month[:4]) if month else (years[0] if len(years) == 1 else None)
            m = _DAY_RE.fullmatch(folded(str(text)))
            try:
                day = dt.date(year, int(m.group(1)), int(m.group(2))) if m and year else None
            except ValueError:
                day = None
            if day is None:
                hint = "，且无法确定年份：请写成 2026-10-01 或加一列月份" if m and not year else ""
                problems.append(Problem(table.sheet, rec.cell(DATE_FIELD), f"应为日期，如 2026-10-01{hint}", found=text))
        rec.values[DATE_FIELD] = day
        if day is not None and not has_month:
            rec.values[MONTH_FIELD] = f"{day.year:04d}-{day.month:02d}"
        elif not has_month:
            rec.values[MONTH_FIELD] = None
    raise_if_errors(problems)


def _day_value(text: str | None) -> dt.date | None:
    """A full date from a 日期 cell read as text: 2026-10-01, 20261001, or an Excel serial (45931)."""
    if text is None:
        return None
    if re.fullmatch(r"\d{5}(\.0+)?", text.strip()):
        return _to_date(int(float(text)))
    return _to_date(text.split(" ")[0] if re.match(r"\d{4}-\d{2}-\d{2} ", text) else text)


def implausible(record: Record) -> list[Problem]:
    """Values of an agent row that cannot be right: a negative count, amount or rate (error), a rate above
    100% (error), a count above the count it is part of (``fields.SUBSETS``: error or warning).

    >>> rec = Record(5, {"询单人数": 10, "最终付款人数": 12, "回复率": 1.2, "接待人数": -1},
    ...              {"询单人数": 3, "最终付款人数": 4, "回复率": 5, "接待人数": 6}, "客服数据")
    >>> [str(p) for p in implausible(rec)]  # doctest: +NORMALIZE_WHITESPACE
    ['客服数据!E5: 「回复率」不能超过 100%（实际为 "1.2"）', '客服数据!F5: 「接待人数」不能为负数（实际为 "-1"）',
     '客服数据!D5: 「最终付款人数」不能大于「询单人数」（C5 为 10）（实际为 "12"）']
    """
    out = []
    values = record.values
    for name, value in values.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if fields.field_kind(name) == "rate" and value > 1 + 1e-9:
            out.append(Problem(record.sheet, record.cell(name), f"「{name}」不能超过 100%", found=value))
        if value < 0 and fields.non_negative(name):
            out.append(Problem(record.sheet, record.cell(name), f"「{name}」不能为负数", found=value))
    for part, whole, severity in fields.SUBSETS:
        a, b = values.get(part), values.get(whole)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a > b >= 0:
            out.append(Problem(record.sheet, record.cell(part), f"「{part}」不能大于「{whole}」（{record.cell(whole)} 为 {b:g}）",
                               found=a, severity=severity))
    return out
