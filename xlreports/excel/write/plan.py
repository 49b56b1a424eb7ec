"""The write plan: decisions every writer shares, made once (no I/O, no Excel library).

A writer (the zip-level xlsx writer, the live xlwings adapter, the openpyxl reference in
the tests) asks this module which sheet names are allowed, which existing tabs a spec
replaces or removes, the final tab order and the active tab, and how a Python value
becomes a cell; it only carries the answers out.

>>> plan = plan_tabs(["说明", "汇总", "旧表"], ["汇总", "工资"], remove=["旧表"], active="汇总")
>>> plan.order, plan.replaced, plan.removed, plan.active
(('说明', '汇总', '工资'), {'汇总': '汇总'}, ('旧表',), '汇总')
>>> owned_tabs(["工资表", "工资表 (2)", "汇总"], {"工资表": "工资表", "工资表 (2)": "工资表"})
frozenset({'工资表'})
>>> cell_value("=1+1")                      # text never becomes a formula
CellValue(kind='text', value='=1+1', number_format=None, quote=True)
"""
from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Collection, Iterable, NamedTuple, Sequence

from xlreports.errors import XlreportsError
from xlreports.layout.spec import INPUT, VALIDATION_ERROR_MESSAGE, VALIDATION_ERROR_TITLE, Style, TableBlock

__all__ = [
    "TabPlan", "plan_tabs", "arranged", "owned_tabs", "MARK_NAME", "mark_formula", "read_mark", "sheet_key", "check_sheet_name", "check_sheet_names",
    "CellValue", "cell_value", "clean_text", "looks_like_formula", "Margins", "margins",
    "paper_size", "list_validation_formula", "table_column_style", "default_format", "formula_text",
    "cm_to_points", "plain_number", "VALIDATION_ERROR_TITLE", "VALIDATION_ERROR_MESSAGE",
]

# --------------------------------------------------------------------------- constants

MAX_SHEET_NAME = 31
MAX_TEXT = 32_767  # characters in a cell; Excel "repairs" (empties) a file with longer ones
# Excel keeps a literal list validation under 256 characters; longer lists corrupt the file.
MAX_LIST_CHARS = 255
MAX_PROMPT_CHARS = 255
# Text starting with these would turn into a formula if typed into Excel.
FORMULA_LEADS = ("=", "+", "-", "@")
# Characters XML 1.0 cannot hold; pasted buyer notes bring them in. The pattern is valid both
# for Python's re and for the Rust regex polars uses.
ILLEGAL_XML_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_ILLEGAL = re.compile(ILLEGAL_XML_CHARS)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")

AUTHOR = "xlreports"  # of comments and new workbooks
PAPER_SIZES = {"A4": 9, "A3": 8, "A5": 11, "LETTER": 1}  # Excel's paperSize / XlPaperSize codes
CM_PER_INCH = 2.54
POINTS_PER_INCH = 72  # Excel's object model measures margins and shapes in points
# Number formats a value gets when its style has none (Excel shows a bare serial otherwise).
DEFAULT_FORMATS = {datetime: "yyyy-mm-dd h:mm:ss", date: "yyyy-mm-dd", time: "h:mm:ss",
                   timedelta: "[hh]:mm:ss"}
# Excel's own 3-colour scale: red (low) → yellow → green (high); ARGB, opaque as Excel writes.
SCALE_LOW, SCALE_MID, SCALE_HIGH = "FFF8696B", "FFFFEB84", "FF63BE7B"
DATA_BAR_COLOR = "FF638EC6"


# --------------------------------------------------------------------------- sheet names


def sheet_key(name: str) -> str:
    """Excel compares sheet names ignoring case.

    >>> sheet_key("Summary") == sheet_key("SUMMARY")
    True
    """
    return name.casefold()


def check_sheet_name(name: str) -> None:
    """Raise XlreportsError when Excel would refuse ``name`` as a sheet name.

    >>> check_sheet_name("考核表-张三")
    >>> check_sheet_name("a/b")
    Traceback (most recent call last):
    ...
    xlreports.errors.XlreportsError: 工作表名称“a/b”无效：不能为空、最多 31 个字符、不能含 [ ] : * ? / \\、不能以单引号开头或结尾、不能叫 History
    """
    if (not name or not name.strip() or len(name) > MAX_SHEET_NAME or _BAD_SHEET_CHARS.search(name)
            or name.startswith("'") or name.endswith("'") or sheet_key(name) == "history"):
        raise XlreportsError(
            f"工作表名称“{name}”无效：不能为空、最多 31 个字符、"
            "不能含 [ ] : * ? / \\、不能以单引号开头或结尾、不能叫 History")


def check_sheet_names(names: Iterable[str]) -> None:
    """Each name valid, and no two the same ignoring case.

    >>> check_sheet_names(["汇总", "Sheet", "SHEET"])
    Traceback (most recent call last):
    ...
    xlreports.errors.XlreportsError: 工作表名称“SHEET”重复
    """
    seen: set[str] = set()
    for name in names:
        check_sheet_name(name)
        if sheet_key(name) in seen:
            raise XlreportsError(f"工作表名称“{name}”重复")
        seen.add(sheet_key(name))


# --------------------------------------------------------------------------- ownership

#: The sheet-scoped (localSheetId) defined name that marks a tab as written by xlreports; its
#: value is the text constant of the name the tab was written under. A local name belongs to its
#: sheet: Excel, WPS, LibreOffice and Gnumeric keep it on save, and Excel copies it with the sheet,
#: so a copy or a renamed tab (mark ≠ name) is the user's, and a tab the user makes is unmarked.
MARK_NAME = "_xlreports.sheet"


def mark_formula(name: str) -> str:
    """The mark's value for a tab written as ``name``: a text constant.

    >>> mark_formula('工资"表')
    '"工资""表"'
    """
    return '"' + name.replace('"', '""') + '"'


def read_mark(formula: str | None) -> str | None:
    """The tab name a mark's value holds (with or without a leading "="); None if it is no text constant.

    >>> read_mark('="工资表"'), read_mark(' "a""b" '), read_mark("Sheet1!$A$1")
    ('工资表', 'a"b', None)
    """
    text = (formula or "").strip()
    text = text[1:].strip() if text.startswith("=") else text
    if len(text) < 2 or text[0] != '"' or text[-1] != '"' or '"' in text[1:-1].replace('""', ""):
        return None
    return text[1:-1].replace('""', '"')


def owned_tabs(existing: Iterable[str], marks: dict[str, str], adopt: Iterable[str] = ()) -> frozenset[str]:
    """The existing tabs xlreports may replace or delete: the one rule every writer follows.

    ``marks``: tab → the name its :data:`MARK_NAME` says it was written as. A tab is ours when
    its mark names it (ignoring case). ``adopt``: tabs an earlier version wrote before marks
    existed (vouched for by the job, e.g. from the old manifest); one is ours only while it has no
    mark and no other tab is marked with its name (a renamed-away tab of ours keeps the name's
    claim, so a sheet the user made in its place stays the user's).

    >>> sorted(owned_tabs(["考核历史", "工资表", "旧"], {"旧": "工资表"}, adopt=["考核历史", "工资表"]))
    ['考核历史']
    """
    marked_as = {sheet_key(v) for v in marks.values()}
    adopted = {sheet_key(a) for a in adopt}
    ours = set()
    for name in existing:
        mark = marks.get(name)
        if mark is not None:
            if sheet_key(mark) == sheet_key(name):
                ours.add(name)
        elif sheet_key(name) in adopted and sheet_key(name) not in marked_as:
            ours.add(name)
    return frozenset(ours)


def not_ours_error(names: Sequence[str]) -> XlreportsError:
    """The refusal when spec sheets would overwrite tabs xlreports did not write.

    >>> print(not_ours_error(["工资表"]))
    工作簿中已有工作表「工资表」，但它不是 xlreports 生成的。为免覆盖其中的内容，本次没有写入任何内容。请把它改名（例如「工资表-自制」）或移到别的工作簿后重新运行。
    """
    listed = "「" + "」「".join(names) + "」"
    return XlreportsError(f"工作簿中已有工作表{listed}，但{'它' if len(names) == 1 else '它们'}不是 xlreports 生成的。"
                          "为免覆盖其中的内容，本次没有写入任何内容。"
                          f"请把{'它' if len(names) == 1 else '它们'}改名（例如「{names[0]}-自制」）或移到别的工作簿后重新运行。")


# --------------------------------------------------------------------------- tabs


@dataclass(frozen=True)
class TabPlan:
    """The workbook's tabs after a write, by name.

    ``order``: every tab, in order (spec sheets under their spec names, renamed tabs under their
    new names); ``written``: the spec sheets, in spec order; ``replaced``: spec name → the
    existing tab it takes the place of; ``removed``: existing tabs deleted outright; ``kept``:
    existing tabs left alone (by their old names); ``renamed``: kept tab → its new name;
    ``active``: the tab that is active (and the only one selected) afterwards.
    """

    order: tuple[str, ...]
    written: tuple[str, ...]
    replaced: dict[str, str] = field(default_factory=dict)
    removed: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    active: str = ""
    renamed: dict[str, str] = field(default_factory=dict)

    @property
    def active_index(self) -> int:
        """Position of the active tab in ``order``.

        >>> plan_tabs(["a", "b"], ["c"], active="b").active_index
        1
        """
        return self.order.index(self.renamed.get(self.active, self.active))


def plan_tabs(existing: Sequence[str], sheets: Sequence[str], *, remove: Iterable[str] = (),
              hidden: Collection[str] = (), active: str | None = None,
              before: str | None = None, owned: Collection[str] | None = None,
              rename: dict[str, str] | None = None, arrange: Sequence[str] | None = None,
              activate: str | None = None) -> TabPlan:
    """Which tabs a write replaces, removes and adds, their order, and the active tab.

    ``existing``: the workbook's tab names in order; ``sheets``: the spec sheets' names;
    ``remove``: existing tabs to delete; ``hidden``: names (existing or new) that are not
    visible; ``active``: the active existing tab (None: none); ``before``: new tabs go before
    this tab when it exists, else at the end; ``owned``: the existing tabs xlreports wrote
    (:func:`owned_tabs`; None: all of them); ``rename``: existing tab → new name, kept under it
    (the spec sheet of its old name then goes just before it); ``arrange``: tab names in the order
    they must stand (see :func:`arranged`); ``activate``: the tab to make active (when it exists and
    is visible), whatever was active before. Names compare ignoring case.

    A spec sheet takes the place of the existing tab of the same name — only if that tab is
    ours, else nothing is planned and the refusal naming it is raised; a tab to remove that is
    not ours is kept. The user's active tab stays active (or its replacement does) unless it is
    hidden, else the first visible spec sheet, else the first visible tab.

    >>> p = plan_tabs(["数据", "汇总"], ["汇总", "明细"], before="数据", active="数据")
    >>> p.order, p.kept, p.active
    (('明细', '数据', '汇总'), ('数据',), '数据')
    >>> plan_tabs(["方案"], ["方案"], rename={"方案": "方案(旧)"}, owned=()).order
    ('方案', '方案(旧)')
    >>> plan_tabs(["工资表"], ["工资表"], owned=())
    Traceback (most recent call last):
    ...
    xlreports.errors.XlreportsError: 工作簿中已有工作表「工资表」，但它不是 xlreports 生成的。为免覆盖其中的内容，本次没有写入任何内容。请把它改名（例如「工资表-自制」）或移到别的工作簿后重新运行。
    >>> plan_tabs(["数据"], ["秘"], hidden=["数据", "秘"])
    Traceback (most recent call last):
    ...
    xlreports.errors.XlreportsError: 工作簿中至少要有一个可见的工作表
    """
    rename = dict(rename or {})
    wanted = {sheet_key(s): s for s in sheets}
    ours = None if owned is None else {sheet_key(n) for n in owned}
    not_ours = [n for n in existing if sheet_key(n) in wanted and n not in rename
                and ours is not None and sheet_key(n) not in ours]
    if not_ours:
        raise not_ours_error(not_ours)
    for new_name in rename.values():
        check_sheet_name(new_name)
    final = [sheet_key(rename.get(n, n)) for n in existing if sheet_key(n) not in wanted or n in rename]
    if len(set(final) | set(wanted)) != len(final) + len(wanted):
        raise XlreportsError(f"工作表改名后重名：{'、'.join(rename.values())}")
    dropped = {sheet_key(n) for n in remove if ours is None or sheet_key(n) in ours} | set(wanted)
    before_key = sheet_key(before) if before else None
    order: list[str] = []
    replaced: dict[str, str] = {}
    removed: list[str] = []
    kept: list[str] = []
    placed: set[str] = set()
    insert_at = None
    for name in existing:
        k = sheet_key(name)
        if k == before_key:
            insert_at = len(order)
        if name in rename:
            if k in wanted:  # the new tab goes where the old one was, the old one just after it
                order.append(wanted[k])
                placed.add(wanted[k])
            kept.append(name)
            order.append(rename[name])
        elif k in wanted and wanted[k] not in placed:
            replaced[wanted[k]] = name  # the new tab takes the old one's place
            placed.add(wanted[k])
            order.append(wanted[k])
        elif k in dropped:
            removed.append(name)
        else:
            kept.append(name)
            order.append(name)
    rest = [s for s in sheets if s not in placed]
    if insert_at is None:
        insert_at = len(order)
    if arrange is not None:
        order = arranged(order, rest, arrange)
    else:
        order[insert_at:insert_at] = rest
    hidden_keys = {sheet_key(h) for h in hidden}

    def visible(name: str) -> bool:
        return sheet_key(name) not in hidden_keys

    target = None
    if activate is not None and sheet_key(activate) in {sheet_key(n) for n in order}:
        target = next(n for n in order if sheet_key(n) == sheet_key(activate))
    elif active is not None:
        if active in kept:
            target = active
        else:
            target = next((new for new, old in replaced.items() if old == active), None)
    if target is None or not visible(target):
        target = next((s for s in [*sheets, *order] if visible(s)), None)
    if target is None:
        raise XlreportsError("工作簿中至少要有一个可见的工作表")
    return TabPlan(tuple(order), tuple(sheets), replaced, tuple(removed), tuple(kept), target, rename)


def arranged(existing: Sequence[str], new: Sequence[str], arrange: Sequence[str]) -> list[str]:
    """The tabs ``existing`` (in their order now) and ``new`` in the order ``arrange`` gives.

    Tabs named in ``arrange`` (ignoring case) stand in its order, wherever they stood. Every other
    tab (the user's) stays right after the arranged tab it followed; one that followed none stays
    right before the arranged tab that came after it, else at the end — so the user's tabs keep
    their order among themselves and their neighbours.

    >>> arranged(["说明", "数据", "我的", "汇总"], ["首页"], ["首页", "汇总", "数据"])
    ['首页', '汇总', '说明', '数据', '我的']
    """
    rank = {sheet_key(n): i for i, n in enumerate(arrange)}
    ranked = sorted((n for n in [*existing, *new] if sheet_key(n) in rank), key=lambda n: rank[sheet_key(n)])
    after: dict[str, list[str]] = {}
    before: dict[str, list[str]] = {}
    pending: list[str] = []  # the user's tabs before any arranged tab
    anchor = None
    for name in existing:
        if sheet_key(name) in rank:
            anchor = name
            if pending:
                before[name], pending = pending, []
        elif anchor is None:
            pending.append(name)
        else:
            after.setdefault(anchor, []).append(name)
    out: list[str] = []
    for name in ranked:
        out += [*before.get(name, []), name, *after.get(name, [])]
    return out + pending


# --------------------------------------------------------------------------- cell values


class CellValue(NamedTuple):
    """What a writer stores: ``kind`` is "blank", "text", "bool", "number" or "date".

    ``value`` is ready to store: text cleaned and cut to Excel's limit, numbers finite, dates
    without time zone; ``number_format`` is the default format for dates and times (used when
    the cell's style has none); ``quote`` marks text that would read as a formula if typed, which
    is stored as text with Excel's quote prefix.
    """

    kind: str
    value: object = None
    number_format: str | None = None
    quote: bool = False


BLANK = CellValue("blank")


def clean_text(text: str) -> str:
    """Text as a cell can hold it: XML-illegal characters removed, at most 32,767 characters.

    >>> clean_text("a\\x00b\\x1fc"), len(clean_text("x" * 40_000))
    ('abc', 32767)
    """
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    return text[:MAX_TEXT] if len(text) > MAX_TEXT else text


def looks_like_formula(text: str) -> bool:
    """True for text Excel would take as a formula if it were typed in.

    >>> looks_like_formula("-5%"), looks_like_formula("5-")
    (True, False)
    """
    return text.startswith(FORMULA_LEADS)


def cell_value(value) -> CellValue:
    """How a Python value becomes a cell. Strings are always text, never formulas.

    >>> cell_value(float("nan")), cell_value(True)
    (CellValue(kind='blank', value=None, number_format=None, quote=False), CellValue(kind='bool', value=True, number_format=None, quote=False))
    >>> cell_value(date(2026, 10, 1)).number_format
    'yyyy-mm-dd'
    """
    if value is None:
        return BLANK
    if isinstance(value, str):
        text = clean_text(value)
        return CellValue("text", text, None, text.startswith(FORMULA_LEADS)) if text else BLANK
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return cell_value(value.item())  # numpy scalars from pandas/polars
    if isinstance(value, bool):
        return CellValue("bool", value)
    if isinstance(value, (datetime, date, time, timedelta)):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)  # Excel has no time zones; keep wall time
        return CellValue("date", value, default_format(value))
    if isinstance(value, (numbers.Number, Decimal)) and not isinstance(value, complex):
        if not isinstance(value, int) and not math.isfinite(value):
            return BLANK  # Excel has no NaN/inf; "nan" in the XML makes the file unreadable
        return CellValue("number", value)
    raise TypeError(f"cannot write {type(value).__name__} value {value!r} into a cell")


def default_format(value) -> str | None:
    """The number format a date/time value shows with when its style sets none.

    >>> default_format(datetime(2026, 1, 1)), default_format(3)
    ('yyyy-mm-dd h:mm:ss', None)
    """
    for kind in (datetime, date, time, timedelta):
        if isinstance(value, kind):
            return DEFAULT_FORMATS[kind]
    return None


def formula_text(formula: str) -> str:
    """A spec formula as Excel's object model and openpyxl take it: with its leading "=".

    >>> formula_text("SUM(C3:C4)"), formula_text("=C5*2")
    ('=SUM(C3:C4)', '=C5*2')
    """
    return formula if formula.startswith("=") else "=" + formula


# --------------------------------------------------------------------------- print and validation


@dataclass(frozen=True)
class Margins:
    """Page margins in inches, as Excel stores them."""

    left: float
    right: float
    top: float
    bottom: float
    header: float
    footer: float


DEFAULT_MARGINS = Margins(0.75, 0.75, 1.0, 1.0, 0.5, 0.5)  # Excel's "Normal" margins


def margins(margins_cm: tuple[float, float, float, float]) -> Margins:
    """(top, right, bottom, left) in cm → inches; header/footer halfway into the margin (≤ 0.8 cm).

    >>> m = margins((1.27, 1.27, 2.54, 2.54)); (m.top, m.left, m.header, m.footer)
    (0.5, 1.0, 0.25, 0.31496062992125984)
    """
    top, right, bottom, left = margins_cm
    # Header/footer sit halfway into the margin so they never overlap the body.
    return Margins(left=left / CM_PER_INCH, right=right / CM_PER_INCH, top=top / CM_PER_INCH,
                   bottom=bottom / CM_PER_INCH, header=min(0.8, top / 2) / CM_PER_INCH,
                   footer=min(0.8, bottom / 2) / CM_PER_INCH)


def cm_to_points(cm: float) -> float:
    """Centimetres → points (1/72 inch), the unit of Excel's object model.

    >>> cm_to_points(2.54), round(cm_to_points(16), 2)
    (72.0, 453.54)
    """
    return cm / CM_PER_INCH * POINTS_PER_INCH


def paper_size(paper: str) -> int:
    """Excel's paper size code.

    >>> paper_size("a4")
    9
    """
    code = PAPER_SIZES.get(paper.upper())
    if code is None:
        raise ValueError(f"unknown paper size {paper!r}; known: {sorted(PAPER_SIZES)}")
    return code


def plain_number(value: float | None) -> str:
    """A number as a validation bound is written: no exponent, no trailing ".0" (None: 0).

    >>> plain_number(10.0), plain_number(7.5), plain_number(None)
    ('10', '7.5', '0')
    """
    return format(float(value or 0), ".15g")


def list_validation_formula(choices: Sequence[str], where: str) -> str:
    """The formula of a drop-down with a literal list; refuses what Excel can't store.

    >>> list_validation_formula(["优秀", "良好"], "C3:C9")
    '"优秀,良好"'
    >>> list_validation_formula(["a,b"], "C3")
    Traceback (most recent call last):
    ...
    xlreports.errors.XlreportsError: 下拉选项“a,b”不能包含英文逗号
    """
    for choice in choices:
        if "," in choice:
            raise XlreportsError(f"下拉选项“{choice}”不能包含英文逗号")
    listed = ",".join(choice.replace('"', '""') for choice in choices)
    if len(listed) > MAX_LIST_CHARS:
        raise XlreportsError(f"{where} 的下拉选项合计超过 {MAX_LIST_CHARS} 个字符，Excel 无法保存")
    return f'"{listed}"'


def table_column_style(block: TableBlock, j: int) -> Style | None:
    """The data style of a table's column ``j``: ``styles[j]``, or INPUT for an unstyled input column.

    >>> block = TableBlock(1, 1, ["客服", "备注"], [[], []], [], input_columns=frozenset({"备注"}))
    >>> table_column_style(block, 0) is None, table_column_style(block, 1) is INPUT
    (True, True)
    """
    style = block.styles[j] if j < len(block.styles) else None
    if style is None and block.headers[j] in block.input_columns:
        return INPUT
    return style
