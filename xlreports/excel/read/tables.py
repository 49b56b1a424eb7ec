"""Raw rows → typed records, for every input sheet (agent data, roster, history, scheme tables).

The reader finds the header row (below title rows, or the leaf row of a
two-row grouped header), maps each header to a field through an ``aliases``
function, coerces each cell by the field's kind (a rate column by one rule for
the whole column, ``values.RATE_RULE``) and collects every problem of the sheet
before raising :class:`~xlreports.errors.InputErrors` once. Exports pasted one
below the other (a second header row mid-sheet) are read block by block, and
several sheets (客服数据-京东, 客服数据-天猫) into one table.

>>> t = read_table(SheetRows("十月", [["客服绩效报表"], [], ["客服", "询单数", "询单->最终付款人数"],
...                                   ["张三", "40", 30], ["汇总值", 40, 30]]))
>>> t.header_row, t.columns
(3, {'客服': 1, '询单人数': 2, '最终付款人数': 3})
>>> [(r.row, r.values) for r in t.records]
[(4, {'客服': '张三', '询单人数': 40, '最终付款人数': 30})]
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from xlreports.a1 import col_letter
from xlreports.model import fields
from xlreports.errors import InputErrors, Problem, XlreportsError, raise_if_errors
from xlreports.excel.read.source import SheetRows
from xlreports.excel.read.values import (AMBIGUOUS_ONE as AMBIGUOUS, BLANK_TOKENS, RateColumn, folded, number_cell, parse_duration,
                                        read_rates, unwrap)
from xlreports.model.cells import safe_text

KINDS = ("text", "number", "rate", "duration", "month", "date")
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
    cols: dict[str, int]  # canonical field → 1-based column (shared dict of the row's header block)
    sheet: str
    platform: str = ""  # the export the row came from (京东 咚咚, 拼多多 …), "" when not recognised

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
    # every header block read: (sheet, Excel row of its header, platform); one for a plain sheet
    sources: list[tuple[str, int, str]] = field(default_factory=list)
    source_columns: list[dict[str, int]] = field(default_factory=list)  # each block's columns, as ``sources``

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
    >>> coerce(82.5, "rate"), coerce("'182", "text"), coerce("2026年10月", "month"), coerce("1分30秒", "duration")
    (0.825, '182', '2026-10', 90)
    >>> coerce("2026/10/5", "date")
    datetime.date(2026, 10, 5)
    """
    if kind == "text":
        return _to_text(value)
    if kind == "number":
        return _to_number(value)[0]
    if kind == "rate":
        return read_rates([value]).values[0]
    if kind == "duration":
        return parse_duration(value)
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
    return number_cell(value)


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
        self.spelled: dict[str, list[str]] = {}  # field → wanted names that are another spelling of it
        for name in names:
            known = aliases(name)
            if known is not None:
                if self.by_alias.setdefault(known, name) != name:
                    self.spelled.setdefault(self.by_alias[known], []).append(name)
            else:
                self.by_text.setdefault(fields.normalize_header(name), name)
        self.header_cache: dict[str, bool] = {}

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

    def names_key(self, text: str, key: str) -> bool:
        """Whether a text cell is a header naming ``key`` (memoised: a data sheet repeats its names)."""
        hit = self.header_cache.get(text)
        if hit is None:
            hit = self.header_cache[text] = self.field(text) == key
        return hit


@dataclass
class _Header:
    index: int  # 0-based row index of the (leaf) header row
    texts: dict[int, str]  # 0-based column → header text
    score: int  # distinct known fields
    leaf_hits: int  # distinct known fields named by the row's own cells
    has_key: bool
    group: int | None = None  # 0-based row index of the group row joined to it


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
    return _Header(index, texts, len(hits), len(leaf_hits), has_key, group_index)


def _find_header(rows: list[list[object]], resolver: _Resolver, key: str | None, scan: int) -> _Header | None:
    """The row with the most known headers (≥2, or the key); joined with a group row above or a leaf row below."""
    best = None
    for i in range(min(len(rows), scan)):
        h = _header(rows, i, None, resolver, key)
        if (h.score >= 2 or h.has_key) and (best is None or h.score > best.score):
            best = h
    return None if best is None else _joined(rows, best, resolver, key)


def _joined(rows: list[list[object]], best: _Header, resolver: _Resolver, key: str | None) -> _Header:
    """A header row joined with the group row above it, or as the group row of a leaf row below it."""
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


def _blocks(rows: list[list[object]], first: _Header, resolver: _Resolver, key: str | None) -> list[tuple[_Header, int]]:
    """(header, end row index) of every export in the sheet: a later row naming the key column with at least
    two known headers starts another one (two exports pasted one below the other); the title rows just above
    it (one cell or none) belong to neither."""
    blocks: list[tuple[_Header, int]] = []
    header, i = first, first.index + 1
    while key is not None and i < len(rows):
        row = rows[i]
        if any(isinstance(v, str) and v[:1] and not v[:1].isdigit() and resolver.names_key(v, key) for v in row):
            h = _header(rows, i, None, resolver, key)
            if h.score >= 2 and h.has_key:
                h = _joined(rows, h, resolver, key)
                end = h.index if h.group is None else h.group  # a group row belongs to the new header
                while end > header.index + 1 and sum(not _is_empty(v) for v in rows[end - 1]) <= 1:
                    end -= 1
                blocks.append((header, end))
                header, i = h, h.index
        i += 1
    blocks.append((header, len(rows)))
    return blocks


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


def read_table(rows: SheetRows | Sequence[SheetRows], *, required: Iterable[str] = (),
               wanted: Iterable[str] | None = None, kinds: dict[str, str] | None = None, key: str | None = "客服",
               aliases: Callable[[object], str | None] = fields.canonical, max_header_scan: int = 30,
               also_by: Iterable[str] = ()) -> Table:
    """Read a sheet's rows as records of the ``wanted`` fields (None = every field ``aliases`` knows).

    ``kinds`` overrides a field's kind (default: ``fields.field_kind``, "text" for the key).
    ``key`` names the column identifying a row (must be present, non-blank and unique per
    month, and per value of each ``also_by`` column the sheet has, and per platform when the blocks
    come from several); None for sheets without one. Raises InputErrors listing every error of the sheet.
    Several sheets, or several exports in one sheet, are read into one table: ``columns`` and
    ``headers`` are those of the first block that has each field, every record keeps its own.

    >>> t = read_table(SheetRows("名单", [["姓名", "工号"], ["张三", 7]]), wanted=["姓名", "工号"],
    ...                kinds={"工号": "text"}, key="姓名", aliases=lambda h: None)
    >>> t.records[0].values
    {'姓名': '张三', '工号': '7'}
    """
    sheets = [rows] if isinstance(rows, SheetRows) else list(rows)
    resolver = _Resolver(wanted, aliases, key)
    kinds = dict(kinds or {})
    for name, kind in kinds.items():
        if kind not in KINDS:
            raise ValueError(f"kind of {name!r} must be one of {KINDS}, not {kind!r}")
    problems: list[Problem] = []
    seen: dict[tuple, int] = {}
    blocks: list[tuple[SheetRows, _Header, int, dict[str, int], dict[str, str]]] = []
    extra: list[str] = []
    for sheet_rows in sheets:
        header = _find_header(sheet_rows.rows, resolver, key, max_header_scan)
        if header is None:
            problems.append(Problem(sheet_rows.sheet, None, NO_DATA))
            continue
        for block, end in _blocks(sheet_rows.rows, header, resolver, key):
            columns, headers, unknown = _map_columns(block, resolver, sheet_rows.sheet, problems)
            blocks.append((sheet_rows, block, end, columns, headers))
            extra += [h for h in unknown if h not in extra]
    if not blocks:
        raise_if_errors(problems)
    first = blocks[0]
    columns, headers = (first[3], first[4]) if len(blocks) == 1 else _union(blocks)
    sheet, header_row = first[0].sheet, first[1].index + 1
    for name in dict.fromkeys([*([key] if key else []), *required]):
        if name not in columns:
            problems.append(Problem(sheet, str(header_row), f"缺少列「{name}」{_alias_hint(name, resolver)}"))

    records: list[Record] = []
    sources: list[tuple[str, int, str]] = []
    for sheet_rows, block, end, cols, heads in blocks:
        kind_of = {f: kinds.get(f) or ("text" if f == key else fields.field_kind(aliases(f) or f)) for f in cols}
        platform = fields.platform_of(sheet_rows.sheet, heads.values())
        ident = [f for f in ([MONTH_FIELD] if MONTH_FIELD in cols else []) + list(also_by) if f in cols]
        found = _read_records(sheet_rows.rows, block, cols, kind_of, key, sheet_rows.sheet, problems, seen, end,
                              heads, ident, (sheet_rows.sheet, block.index) if len(blocks) > 1 else None)
        for rec in found:
            rec.platform = platform
        records += found
        sources.append((sheet_rows.sheet, block.index + 1, platform))
    if not records:
        problems.append(Problem(sheet, None, NO_DATA))
    raise_if_errors(problems)
    warnings = [p for p in problems if p.severity != "error"]
    return Table(sheet, header_row, columns, headers, extra, records, warnings, sources, [b[3] for b in blocks])


def _union(blocks) -> tuple[dict[str, int], dict[str, str]]:
    """The columns and headers of several blocks: each field where it is first found."""
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    for _, _, _, cols, heads in blocks:
        for name, col in cols.items():
            if name not in columns:
                columns[name], headers[name] = col, heads[name]
    return columns, headers


def _map_columns(header: _Header, resolver: _Resolver, sheet: str, problems: list[Problem]):
    """Header texts → (columns, headers, extra_headers); a field named twice keeps its first column; a wanted
    name that is another spelling of a field (a scheme's 咨询量) reads that field's column too."""
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
    for name, spellings in resolver.spelled.items():
        for other in spellings if name in columns else ():
            columns[other], headers[other] = columns[name], headers[name]
    return columns, headers, extra


def _read_records(data, header: _Header, columns, kind_of, key, sheet, problems, seen: dict | None = None,
                  end: int | None = None, headers: dict[str, str] | None = None, ident: Sequence[str] = (),
                  export: tuple | None = None) -> list[Record]:
    key_col = columns.get(key) if key else None
    month_col = columns.get(MONTH_FIELD)
    headed = sorted(header.texts)
    seen = {} if seen is None else seen
    records: list[Record] = []
    indexes = [i for i in range(header.index + 1, len(data) if end is None else end)
               if not all(c >= len(data[i]) or _is_empty(data[i][c]) for c in headed)
               and not _is_summary(data[i], key_col)]
    rates = _rate_columns(data, indexes, columns, kind_of, sheet, problems, headers or {})
    for k, index in enumerate(indexes):
        raw, r = data[index], index + 1
        values: dict[str, object] = {}
        for name, col in columns.items():
            value = raw[col - 1] if col <= len(raw) else None
            try:
                if name in rates:
                    values[name] = rates[name].values[k]
                    if k in rates[name].errors:
                        raise ValueError(rates[name].errors[k])
                else:
                    values[name] = coerce(value, kind_of[name])
            except ValueError as e:
                problems.append(Problem(sheet, f"{col_letter(col)}{r}", str(e), found=value))
                values[name] = None
            if isinstance(values[name], str):
                values[name] = _made_safe(values[name], name == key, f"{col_letter(col)}{r}", sheet, problems)
        record = Record(r, values, columns, sheet)
        if key_col:
            _check_key(record, key, ident, seen, problems, export)
        if month_col and values[MONTH_FIELD] is None and _is_empty(_cell(raw, month_col)):
            problems.append(Problem(sheet, record.cell(MONTH_FIELD), "缺少月份，此行不计入任何月份",
                                    severity="warning"))
        records.append(record)
    return records


def _rate_columns(data, indexes: list[int], columns: dict[str, int], kind_of: dict[str, str], sheet: str,
                  problems: list[Problem], headers: dict[str, str]) -> dict[str, RateColumn]:
    """Each rate column of a block read whole (``values.RATE_RULE``); a column of bare 0s and 1s is a warning."""
    out: dict[str, RateColumn] = {}
    for name, col in columns.items():
        if kind_of[name] != "rate":
            continue
        out[name] = rates = read_rates([_cell(data[i], col) for i in indexes])
        if rates.ambiguous:
            cells = [f"{col_letter(col)}{indexes[k] + 1}" for k in rates.ambiguous]
            shown = "、".join(cells[:5]) + ("…" if len(cells) > 5 else "")
            problems.append(Problem(sheet, cells[0], f"「{headers.get(name, name)}」列 {shown} 为 1，该列{AMBIGUOUS}",
                                    severity="warning"))
    return out


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


def _check_key(record: Record, key: str, by: Sequence[str], seen: dict, problems: list[Problem],
               export: tuple | None = None) -> None:
    """A row's key must be unique per value of the ``by`` fields (月份, 日期 …) within one export: the
    same agent in two exports (two sheets, or two pasted one below the other — two platforms or shops)
    for one month is two rows of one person, summed by the roll-up."""
    name = record.values[key]
    if name is None:
        problems.append(Problem(record.sheet, record.cell(key), _missing_key(key)))
        return
    ident = (name, *(record.values.get(f) for f in by), export)
    if ident in seen:
        problems.append(Problem(record.sheet, record.cell(key), f"{key}「{name}」重复（与第 {seen[ident]} 行相同）"))
        return
    seen[ident] = record.row
    # Excel's lookups and sheet names ignore case: "Amy" and "amy" are two people here but one to MATCH.
    folded = ("casefold", str(name).casefold(), *ident[1:])
    other = seen.setdefault(folded, (name, record.row))
    if other[0] != name:
        problems.append(Problem(record.sheet, record.cell(key),
                                f"{key}「{name}」与第 {other[1]} 行的「{other[0]}」只有大小写不同：Excel 查找时不分大小写，"
                                "两人的数字在表格排序后可能取错行；如果是同一人，请统一写法", severity="warning"))


def read_agent_table(rows: SheetRows | Sequence[SheetRows], required: Iterable[str] = (),
                     extra: Iterable[str] = (), kinds: dict[str, str] | None = None) -> Table:
    """Agent month data: every AGENT_FIELDS column, plus ``extra`` shop columns matched by name; key 客服
    (``kinds``: as ``read_table``'s, e.g. score columns kept as typed for ``score_columns.read_scores``).
    Several sheets or pasted exports: a block without an ``extra`` column another block has is a warning
    (its rows have no data there).

    >>> t = read_agent_table(SheetRows("s", [["旺旺昵称", "询单数", "好评数"], ["甲", 3, 2]]), extra=["好评数"])
    >>> t.records[0].values
    {'客服': '甲', '询单人数': 3, '好评数': 2}
    """
    extra = list(extra)
    wanted = list(dict.fromkeys([f.name for f in fields.AGENT_FIELDS] + extra + [DATE_FIELD]))
    table = read_table(rows, required=required, wanted=wanted, key="客服", aliases=_agent_alias,
                       kinds={DATE_FIELD: "text", **(kinds or {})}, also_by=[DATE_FIELD])
    if DATE_FIELD in table.columns:
        _read_days(table)
    problems = [p for rec in table.records for p in implausible(rec)]
    raise_if_errors(problems)
    table.warnings += problems
    if len(table.sources) > 1:
        for (sheet, header_row, platform), cols in zip(table.sources, table.source_columns):
            lacking = [c for c in extra if c in table.columns and c not in cols]
            if lacking:
                where = f"（{platform}）" if platform else ""
                table.warnings.append(Problem(sheet, str(header_row), f"这部分数据{where}没有「{'」「'.join(lacking)}」列，"
                                                                      "其中各行按无数据计算", severity="warning"))
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
