"""An in-memory fake of exactly the xlwings API subset that xlreports uses.

The subset is written down in ``xlreports.excel.xlwings_api``: ``XLWINGS_API_USED`` (xlwings'
own classes, "Class.attribute") and ``XLWINGS_COM_USED`` (the Windows object model behind
``.api``). Every public attribute of the fake classes is checked against those lists on each
access: touching anything else raises AttributeError, so a test run through the fake proves
that the code under test uses nothing beyond the list. (``tests/test_addin.py`` also checks
that every listed attribute exists in the installed xlwings.)

The fake behaves like Excel where it matters to the renderer:

- a str assigned through ``value``/``formula`` is entered as if typed: ``'text`` is text
  without the apostrophe (quote prefix), ``=…`` a formula, ``0012``/``75%``/``1,234`` numbers,
  ``2026-10``/``10/5`` dates, ``TRUE`` a boolean — so a renderer that forgets the apostrophe
  is caught;
- numbers read back as float (Excel stores doubles), formulas read back as their value (None:
  the fake does not calculate);
- merging a block whose covered cells hold values raises (Excel would stop for a prompt);
- a sheet name must be unique (case-insensitively), at most 31 characters; the last visible
  sheet cannot be deleted or hidden; a hidden sheet cannot be activated;
- ``sheet.freeze_panes.freeze_at`` raises NotImplementedError, as xlwings' desktop engines do.

Everything set is recorded on the fake objects (``sheet._cells[(row, col)]`` …), and
``calls`` counts the calls made, per "Class.attribute".
"""
from __future__ import annotations

import copy
import datetime as dt
import re
from collections import Counter, defaultdict
from typing import Any

from xlreports.excel.xlwings_api import XLWINGS_API_USED, XLWINGS_COM_USED

ALLOWED: dict[str, set[str]] = defaultdict(set)
for _entry in XLWINGS_API_USED:
    _cls, _attr = _entry.split(".", 1)
    ALLOWED[_cls].add(_attr)
COM_PATHS = set(XLWINGS_COM_USED)
COM_PREFIXES = {p.rstrip("()").rsplit(".", k)[0] for p in XLWINGS_COM_USED for k in range(1, p.count(".") + 1)}
COM_PREFIXES |= {p.rstrip("()") for p in XLWINGS_COM_USED}

calls: Counter = Counter()


def reset_calls() -> None:
    calls.clear()


def total_calls() -> int:
    return sum(calls.values())


class _Strict:
    """Public attributes only when listed for this class in XLWINGS_API_USED; each use counted."""

    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("_"):
            cls = type(self).__name__
            if name not in ALLOWED[cls]:
                raise AttributeError(f"fake xlwings: {cls}.{name} is not in XLWINGS_API_USED")
            calls[f"{cls}.{name}"] += 1
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_"):
            cls = type(self).__name__
            if name not in ALLOWED[cls]:
                raise AttributeError(f"fake xlwings: {cls}.{name} is not in XLWINGS_API_USED")
            calls[f"{cls}.{name}"] += 1
        object.__setattr__(self, name, value)


def _attr(name: str, convert: Any = None) -> property:
    """A property over the private attribute ``name`` (converted when set)."""
    return property(lambda self: getattr(self, name),
                    lambda self, value: setattr(self, name, convert(value) if convert else value))


def _cell_format(field: str, convert: Any = None, of: str | None = "_range") -> property:
    """A format property of a range (``of``: the attribute holding it, None: the object itself):
    read from its first cell, set on all its cells."""
    def rng(self):
        return getattr(self, of) if of else self

    return property(lambda self: rng(self)._first(field),
                    lambda self, value: rng(self)._set(field, convert(value) if convert else value))


# --------------------------------------------------------------------------- cells and addresses


class FakeCell:
    """What one Excel cell holds."""

    FIELDS = ("value", "formula", "number_format", "bold", "italic", "size", "font_color", "fill", "border",
              "h_align", "v_align", "wrap", "note", "quote_prefix", "locked")
    __slots__ = FIELDS

    def __init__(self) -> None:
        self.value = None
        self.formula = None
        self.number_format = "General"
        self.bold = False
        self.italic = False
        self.size = 11.0
        self.font_color = None
        self.fill = None
        self.border = None
        self.h_align = None
        self.v_align = None
        self.wrap = False
        self.note = None
        self.quote_prefix = False
        self.locked = True

    def state(self) -> tuple:
        return tuple(getattr(self, f) for f in self.FIELDS)

    def is_default(self) -> bool:
        return self.state() == FakeCell().state()

    def __repr__(self) -> str:
        return f"FakeCell({', '.join(f'{f}={getattr(self, f)!r}' for f in self.FIELDS if getattr(self, f) != getattr(_DEFAULT, f))})"


_DEFAULT = FakeCell()
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def col_name(col: int) -> str:
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def parse_area(text: str) -> tuple[int, int, int, int]:
    parts = text.strip().upper().split(":")
    points = []
    for p in parts:
        m = _CELL.match(p)
        if not m:
            raise ValueError(f"fake xlwings: unsupported address {text!r}")
        points.append((int(m.group(2)), col_index(m.group(1))))
    (r1, c1), (r2, c2) = points[0], points[-1]
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def area_address(area: tuple[int, int, int, int]) -> str:
    r1, c1, r2, c2 = area
    first = f"{col_name(c1)}{r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:{col_name(c2)}{r2}"


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?%?$")
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?$|^(\d{1,2})[-/](\d{1,2})$")
_TIME = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")


def typed(text: str) -> tuple[str, Any]:
    """What Excel makes of a str entered into a cell: ("text"|"formula"|"number"|"bool"|"date", value)."""
    if text.startswith("'"):
        return "quoted", text[1:]
    s = text.strip()
    if s.startswith("=") and len(s) > 1:
        return "formula", s
    if s and _NUMBER.match(s) and any(ch.isdigit() for ch in s):
        number = float(s.replace(",", "").rstrip("%"))
        return "number", number / 100 if s.endswith("%") else number
    if s.upper() in ("TRUE", "FALSE"):
        return "bool", s.upper() == "TRUE"
    m = _DATE.match(s)
    if m:
        if m.group(1):
            return "date", dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
        return "date", dt.datetime(2026, int(m.group(4)), int(m.group(5)))
    if _TIME.match(s):
        return "date", s
    if s[:1] in ("+", "-", "@") and len(s) > 1:
        return "formula", "=" + s.lstrip("@")
    return "text", text


# --------------------------------------------------------------------------- .api (COM) recorder


class ComError(Exception):
    """What a failing COM call raises in the fake (pywintypes.com_error in real life)."""


class Api:
    """The object behind ``.api``: only the paths in XLWINGS_COM_USED, recorded on its owner."""

    def __init__(self, owner, path: str):
        object.__setattr__(self, "_owner", owner)
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str) -> "Api":
        if name.startswith("_"):
            raise AttributeError(name)
        path = f"{self._path}.{name}"
        if path not in COM_PREFIXES:
            raise AttributeError(f"fake xlwings: {path} is not in XLWINGS_COM_USED")
        return Api(self._owner, path)

    def __setattr__(self, name: str, value: Any) -> None:
        path = f"{self._path}.{name}"
        if path not in COM_PATHS:
            raise AttributeError(f"fake xlwings: {path} is not in XLWINGS_COM_USED")
        calls[path] += 1
        self._owner._com_set(path, value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        path = f"{self._path}()"
        if path not in COM_PATHS:
            raise AttributeError(f"fake xlwings: {path} is not in XLWINGS_COM_USED")
        calls[path] += 1
        return self._owner._com_call(path, args, kwargs)


def _check_com(app) -> None:
    if app._com_fails:
        raise ComError("(-2147352567, '发生意外。', None, None)")


# --------------------------------------------------------------------------- application and book


class App(_Strict):
    def __init__(self) -> None:
        self._status = False
        self._status_log: list = []
        self._alerts: list[dict] = []
        self._answers: list[str] = []
        self._screen_updating = True
        self._calculation = "automatic"
        self._com_fails = False
        self._fail_on_add = False
        self._open_files: Any = False  # what GetOpenFilename returns (False: cancelled)
        self._com_log: list = []
        self._books: list[Book] = []

    @property
    def status_bar(self):
        return self._status

    @status_bar.setter
    def status_bar(self, value) -> None:
        self._status = value
        self._status_log.append(value)

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None,
              callback: str | None = None) -> str:
        if buttons not in ("ok", "ok_cancel", "yes_no", "yes_no_cancel") or mode not in (None, "info", "critical"):
            raise ValueError("fake xlwings: bad alert arguments")
        self._alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        if self._answers:
            return self._answers.pop(0)
        return "ok" if buttons.startswith("ok") else "yes"

    @property
    def screen_updating(self) -> bool:
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self._screen_updating = bool(value)

    @property
    def calculation(self) -> str:
        return self._calculation

    @calculation.setter
    def calculation(self, value: str) -> None:
        if value not in ("automatic", "manual", "semiautomatic"):
            raise ValueError(value)
        self._calculation = value

    api = property(lambda self: Api(self, "App.api"))

    def _com_set(self, path: str, value: Any) -> None:
        _check_com(self)
        self._com_log.append((path, value))
        if path.startswith("App.api.ActiveWindow."):
            book = next((b for b in self._books if b._active is not None), None)
            sheet = book._active if book else None
            if sheet is None:
                raise ComError("no active window")
            sheet._window[path.rsplit(".", 1)[1]] = value
            if path.endswith("FreezePanes"):
                w = sheet._window
                sheet._freeze = (f"{col_name(w.get('SplitColumn', 0) + 1)}{w.get('SplitRow', 0) + 1}"
                                 if value else None)

    def _com_call(self, path: str, args, kwargs) -> Any:
        _check_com(self)
        self._com_log.append((path, args, kwargs))
        if path == "App.api.GetOpenFilename()":
            return self._open_files
        raise AttributeError(path)  # pragma: no cover


class Name(_Strict):
    """A defined name: workbook-level over a range, or sheet-level (``sheet``) over a formula, as
    Excel lists it ("'Sheet'!name")."""

    def __init__(self, name: str, target: "Range | None", refers_to: str | None = None,
                 sheet: "Sheet | None" = None) -> None:
        self._name, self._target, self._refers_to, self._sheet = name, target, refers_to, sheet
        self._visible = True

    @property
    def name(self) -> str:
        if self._sheet is None:
            return self._name
        return f"'{self._sheet._name}'!{self._name}"

    @property
    def refers_to_range(self) -> "Range":
        if self._target is None:
            raise ComError(f"{self._name} does not refer to a range")
        return self._target

    @property
    def refers_to(self) -> str:
        return self._refers_to if self._refers_to is not None else "=" + str(self._target)

    api = property(lambda self: Api(self, "Name.api"))

    def _com_set(self, path: str, value: Any) -> None:
        if path == "Name.api.Visible":
            self._visible = bool(value)


class Names(_Strict):
    """A book's names (its own and every sheet's, as Excel lists them) or one sheet's."""

    def __init__(self, book: "Book", sheet: "Sheet | None" = None) -> None:
        self._book, self._sheet = book, sheet

    def __iter__(self):
        calls["Names.__iter__"] += 1
        if self._sheet is not None:
            return iter(list(self._sheet._names))
        return iter(list(self._book._names) + [n for s in self._book._sheets for n in s._names])

    def add(self, name: str, refers_to: str) -> Name:
        if not re.fullmatch(r"[A-Za-z_\\][\w.]*", name) or not refers_to.startswith("="):
            raise ComError(f"invalid name {name!r} or formula {refers_to!r}")
        owner = self._sheet._names if self._sheet is not None else self._book._names
        owner[:] = [n for n in owner if n._name.casefold() != name.casefold()]  # Excel redefines it
        made = Name(name, None, refers_to, self._sheet)
        owner.append(made)
        return made


class Book(_Strict):
    _caller: "Book | None" = None

    def __init__(self, name: str = "店铺.xlsx", app: App | None = None, sheets: tuple[str, ...] = ("Sheet1",)) -> None:
        self._name = name
        self._app = app or App()
        self._app._books.append(self)
        self._sheets: list[Sheet] = []
        self._names: list[Name] = []
        self._active: Sheet | None = None
        for s in sheets:
            self._sheets.append(Sheet(self, s))
        self._active = self._sheets[0] if self._sheets else None

    @classmethod
    def caller(cls) -> "Book":
        if Book._caller is None:
            raise RuntimeError("fake xlwings: Book.caller() outside Excel (set Book._caller)")
        return Book._caller

    @property
    def name(self) -> str:
        return self._name

    sheets = property(lambda self: Sheets(self))

    @property
    def app(self) -> App:
        return self._app

    names = property(lambda self: Names(self))

    # test helpers
    def _sheet(self, name: str) -> "Sheet":
        for s in self._sheets:
            if s._name.casefold() == name.casefold():
                return s
        raise KeyError(name)

    def _add_name(self, name: str, sheet: str, address: str) -> None:
        self._names.append(Name(name, self._sheet(sheet)._range_of([parse_area(address)])))


class Sheets(_Strict):
    def __init__(self, book: Book) -> None:
        self._book = book

    def __iter__(self):
        calls["Sheets.__iter__"] += 1
        return iter(list(self._book._sheets))

    @property
    def active(self) -> "Sheet":
        if self._book._active is None:
            raise ComError("no active sheet")
        return self._book._active

    def add(self, name: str | None = None, before: "Sheet | None" = None, after: "Sheet | None" = None) -> "Sheet":
        _check_add(self._book)
        book = self._book
        name = name or f"Sheet{len(book._sheets) + 1}"
        _check_name(book, name, None)
        sheet = Sheet(book, name)
        if before is not None:
            book._sheets.insert(book._sheets.index(before), sheet)
        elif after is not None:
            book._sheets.insert(book._sheets.index(after) + 1, sheet)
        else:
            active = book._sheets.index(book._active) if book._active in book._sheets else 0
            book._sheets.insert(active, sheet)
        book._active = sheet  # Excel activates the new sheet
        return sheet


def _check_add(book: Book) -> None:
    if book._app._fail_on_add:
        raise ComError("cannot add sheet")


def _check_name(book: Book, name: str, sheet: "Sheet | None") -> None:
    if not name or len(name) > 31 or re.search(r"[\[\]:*?/\\]", name):
        raise ComError(f"invalid sheet name {name!r}")
    for other in book._sheets:
        if other is not sheet and other._name.casefold() == name.casefold():
            raise ComError(f"sheet name {name!r} is taken")


class Sheet(_Strict):
    def __init__(self, book: Book, name: str) -> None:
        self._book = book
        self._name = name
        self._cells: dict[tuple[int, int], FakeCell] = {}
        self._merges: list[tuple[int, int, int, int]] = []
        self._covered: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        self._col_widths: dict[int, float] = {}
        self._row_heights: dict[int, float] = {}
        self._charts: list[Chart] = []
        self._conditional: list[tuple] = []
        self._validations: list[dict] = []
        self._print_area: str | None = None
        self._visible: Any = True  # True | False | "veryHidden"
        self._tab_color: int | None = None
        self._autofilter: str | None = None
        self._freeze: str | None = None
        self._page: dict[str, Any] = {}
        self._breaks: list[int] = []
        self._protection: dict | None = None  # Protect()'s named arguments
        self._window: dict[str, Any] = {}
        self._selection: tuple[int, int] | None = None
        self._deleted = False
        self._names: list[Name] = []  # sheet-level names: they go with the sheet (renamed, deleted)

    # ---- the API
    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        _check_name(self._book, value, self)
        self._name = value

    @property
    def book(self) -> Book:
        return self._book

    def range(self, first, second=None) -> "Range":
        if isinstance(first, tuple):
            r1, c1 = first
            r2, c2 = second if second is not None else first
            return self._range_of([(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))])
        if second is not None:
            raise ValueError("fake xlwings: range(str, second) is not used")
        areas = [parse_area(part) for part in str(first).split(",")]
        return self._range_of(areas)

    @property
    def used_range(self) -> "Range":
        used = [k for k, c in self._cells.items() if not c.is_default()]
        if not used:
            return self._range_of([(1, 1, 1, 1)])
        rows = [r for r, _ in used]
        cols = [c for _, c in used]
        return self._range_of([(min(rows), min(cols), max(rows), max(cols))])

    def move(self, before: "Sheet | None" = None, after: "Sheet | None" = None) -> None:
        """xlwings ≥ 0.37.5: exactly one of ``before`` / ``after``, a sheet of the same book."""
        if (before is None) == (after is None):
            raise ValueError("Provide exactly one of before or after")
        target = before if before is not None else after
        if target._book is not self._book:
            raise ValueError("both sheets must belong to the same Book")
        sheets = self._book._sheets
        sheets.remove(self)
        sheets.insert(sheets.index(target) + (after is not None), self)

    def delete(self) -> None:
        book = self._book
        visible = [s for s in book._sheets if s._visible is True]
        if visible == [self]:
            raise ComError("a workbook must contain at least one visible worksheet")
        if self._visible == "veryHidden":
            raise ComError("cannot delete a very hidden sheet")
        book._sheets.remove(self)
        self._deleted = True
        if book._active is self:
            book._active = next((s for s in book._sheets if s._visible is True), None)

    def activate(self) -> None:
        if self._visible is not True:
            raise ComError("cannot activate a hidden sheet")
        self._book._active = self

    @property
    def visible(self) -> bool:
        return self._visible is True

    @visible.setter
    def visible(self, value: bool) -> None:
        if not value:
            others = [s for s in self._book._sheets if s is not self and s._visible is True]
            if not others:
                raise ComError("a workbook must contain at least one visible worksheet")
            self._visible = False
            if self._book._active is self:
                self._book._active = others[0]
        else:
            self._visible = True

    charts = property(lambda self: Charts(self))

    names = property(lambda self: Names(self._book, self))

    page_setup = property(lambda self: PageSetup(self))

    freeze_panes = property(lambda self: FreezePanes(self))

    api = property(lambda self: Api(self, "Sheet.api"))

    # ---- COM
    def _com_set(self, path: str, value: Any) -> None:
        _check_com(self._book._app)
        self._book._app._com_log.append((self._name, path, value))
        if path == "Sheet.api.Tab.Color":
            self._tab_color = value
        elif path == "Sheet.api.Visible":
            if value == 2:
                others = [s for s in self._book._sheets if s is not self and s._visible is True]
                if not others:
                    raise ComError("a workbook must contain at least one visible worksheet")
                self._visible = "veryHidden"
                if self._book._active is self:
                    self._book._active = others[0]
            else:
                self._visible = bool(value)
        elif path.startswith("Sheet.api.PageSetup."):
            self._page[path.rsplit(".", 1)[1]] = value

    def _com_call(self, path: str, args, kwargs) -> Any:
        _check_com(self._book._app)
        if path == "Sheet.api.HPageBreaks.Add()":
            target = (args[0] if args else kwargs["Before"])._owner
            self._breaks.append(target._areas[0][0] - 1)
            return None
        if path == "Sheet.api.Protect()":
            self._protection = dict(kwargs)
            return None
        raise AttributeError(path)  # pragma: no cover

    # ---- helpers
    def _range_of(self, areas) -> "Range":
        return Range(self, list(areas))

    def _cell(self, row: int, col: int) -> FakeCell:
        cell = self._cells.get((row, col))
        if cell is None:
            cell = self._cells[(row, col)] = FakeCell()
        return cell

    def _enter(self, row: int, col: int, value: Any) -> None:
        """Put a value into a cell as Excel does (str entered as if typed)."""
        cell = self._cell(row, col)
        cell.formula = None
        cell.quote_prefix = False
        if value is None or value == "":
            cell.value = None
            return
        if isinstance(value, str):
            kind, parsed = typed(value)
            if kind == "formula":
                cell.formula, cell.value = parsed, None
            else:
                cell.value = parsed
                cell.quote_prefix = kind == "quoted"
            return
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        if isinstance(value, dt.datetime) and cell.number_format == "General":
            # Excel gives a date entered into a General cell its (locale's) date format
            cell.number_format = "m/d/yyyy" if value.time() == dt.time() else "m/d/yyyy h:mm"
        if isinstance(value, (bool, int, float, dt.datetime)):
            cell.value = value
            return
        raise TypeError(f"fake xlwings: Excel cannot hold {type(value).__name__} values")

    def _read(self, row: int, col: int) -> Any:
        cell = self._cells.get((row, col))
        if cell is None or cell.formula is not None:
            return None
        v = cell.value
        if isinstance(v, int) and not isinstance(v, bool):
            return float(v)  # Excel stores doubles
        return v

    def _merged_at(self, row: int, col: int):
        return self._covered.get((row, col))


class PageSetup(_Strict):
    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    @property
    def print_area(self) -> str | None:
        return self._sheet._print_area

    @print_area.setter
    def print_area(self, value: str | None) -> None:
        if value is not None:
            for part in value.split(","):
                parse_area(part)
        self._sheet._print_area = value


class FreezePanes(_Strict):
    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    def freeze_at(self, frozen_range) -> None:
        raise NotImplementedError()  # as xlwings' Windows and macOS engines


# --------------------------------------------------------------------------- ranges


class Range(_Strict):
    def __init__(self, sheet: Sheet, areas: list[tuple[int, int, int, int]], ndim: int | None = None) -> None:
        self._sheet = sheet
        self._areas = areas
        self._ndim = ndim

    def _cells_of(self):
        for r1, c1, r2, c2 in self._areas:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    yield r, c

    def _single(self) -> tuple[int, int, int, int]:
        if len(self._areas) != 1:
            raise ComError("this operation needs a single-area range")
        return self._areas[0]

    def __repr__(self) -> str:
        return f"<Range [{self._sheet._name}]{','.join(area_address(a) for a in self._areas)}>"

    # ---- values
    def options(self, convert: Any = None, **options: Any) -> "Range":
        if convert is not None or set(options) - {"ndim"}:
            raise AttributeError("fake xlwings: only options(ndim=…) is used")
        return Range(self._sheet, self._areas, options.get("ndim"))

    @property
    def value(self) -> Any:
        r1, c1, r2, c2 = self._single()
        grid = [[self._sheet._read(r, c) for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        if self._ndim == 2:
            return grid
        if r1 == r2 and c1 == c2:
            return grid[0][0]
        if r1 == r2:
            return grid[0]
        if c1 == c2:
            return [row[0] for row in grid]
        return grid

    @value.setter
    def value(self, data: Any) -> None:
        self._write(data)

    @property
    def formula(self) -> Any:
        r1, c1, r2, c2 = self._single()
        out = []
        for r in range(r1, r2 + 1):
            row = []
            for c in range(c1, c2 + 1):
                cell = self._sheet._cells.get((r, c))
                row.append("" if cell is None else cell.formula or ("" if cell.value is None else str(cell.value)))
            out.append(row)
        return out[0][0] if (r1, c1) == (r2, c2) else out

    @formula.setter
    def formula(self, data: Any) -> None:
        self._write(data)

    def _write(self, data: Any) -> None:
        r1, c1, _, _ = self._single()
        if not isinstance(data, (list, tuple)):
            grid = [[data]]
        elif data and all(isinstance(x, (list, tuple)) for x in data):
            grid = [list(x) for x in data]
        else:
            grid = [list(data)]
        if len({len(row) for row in grid}) > 1:
            raise ComError("fake xlwings: ragged 2-D list")
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                self._sheet._enter(r1 + i, c1 + j, v)

    # ---- formats
    def _set(self, field: str, value: Any) -> None:
        for r, c in self._cells_of():
            setattr(self._sheet._cell(r, c), field, value)

    def _first(self, field: str) -> Any:
        r1, c1 = self._areas[0][:2]
        return getattr(self._sheet._cells.get((r1, c1), _DEFAULT), field)

    number_format = _cell_format("number_format", of=None)

    font = property(lambda self: Font(self))

    @property
    def color(self):
        fill = self._first("fill")
        return None if fill is None else tuple(int(fill[i:i + 2], 16) for i in (0, 2, 4))

    @color.setter
    def color(self, value) -> None:
        self._set("fill", _hex(value))

    borders = property(lambda self: Borders(self))

    @property
    def horizontal_alignment(self):
        return self._first("h_align")

    @horizontal_alignment.setter
    def horizontal_alignment(self, value: str) -> None:
        if value not in ("general", "left", "center", "right", "fill", "justify", "center_across_selection",
                         "distributed"):
            raise ValueError(value)
        self._set("h_align", value)

    @property
    def vertical_alignment(self):
        return self._first("v_align")

    @vertical_alignment.setter
    def vertical_alignment(self, value: str) -> None:
        if value not in ("top", "center", "bottom", "justify", "distributed"):
            raise ValueError(value)
        self._set("v_align", value)

    wrap_text = _cell_format("wrap", bool, of=None)

    def merge(self, across: bool = False) -> None:
        if across:
            raise AttributeError("fake xlwings: merge(across=True) is not used")
        for area in self._areas:
            r1, c1, r2, c2 = area
            block = [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
            for r, c in block:
                if self._sheet._merged_at(r, c):
                    raise ComError("overlapping merge")
                cell = self._sheet._cells.get((r, c))
                if (r, c) != (r1, c1) and cell is not None and (cell.value is not None or cell.formula is not None):
                    raise ComError("Excel would ask: merging keeps only the upper-left value")
            self._sheet._merges.append(area)
            for key in block:
                self._sheet._covered[key] = area

    column_width = property(lambda self: self._sheet._col_widths.get(self._areas[0][1]),
                            lambda self, value: self._size(self._sheet._col_widths, 1, value))
    row_height = property(lambda self: self._sheet._row_heights.get(self._areas[0][0]),
                          lambda self, value: self._size(self._sheet._row_heights, 0, value))

    def _size(self, sizes: dict[int, float], axis: int, value: float) -> None:
        """Set a column width (axis 1) or row height (axis 0) over every column/row of the range."""
        for area in self._areas:
            for i in range(area[axis], area[axis + 2] + 1):
                sizes[i] = value

    def add_note(self, text: str) -> None:
        r1, c1, r2, c2 = self._single()
        if (r1, c1) != (r2, c2):
            raise ValueError("A note can only be added to a single cell")
        if not isinstance(text, str) or not text:
            raise ValueError("Note text must be a non-empty string")
        cell = self._sheet._cell(r1, c1)
        if cell.note is not None:
            raise ValueError("This cell already has a note")
        cell.note = text

    @property
    def last_cell(self) -> "Range":
        r1, c1, r2, c2 = self._single()
        return Range(self._sheet, [(r2, c2, r2, c2)])

    @property
    def row(self) -> int:
        return self._areas[0][0]

    @property
    def column(self) -> int:
        return self._areas[0][1]

    @property
    def sheet(self) -> Sheet:
        return self._sheet

    def select(self) -> None:
        if self._sheet._book._active is not self._sheet:
            raise ComError("Select method of Range class failed (sheet not active)")
        self._sheet._selection = self._single()[:2]

    conditional_formats = property(lambda self: ConditionalFormats(self))

    data_validation = property(lambda self: DataValidation(self))

    api = property(lambda self: Api(self, "Range.api"))

    # ---- COM
    def _com_set(self, path: str, value: Any) -> None:
        sheet = self._sheet
        _check_com(sheet._book._app)
        sheet._book._app._com_log.append((sheet._name, path, ",".join(area_address(a) for a in self._areas), value))
        if path == "Range.api.Locked":
            self._set("locked", bool(value))
        elif path.startswith("Range.api.Validation."):
            key = ",".join(area_address(a) for a in self._areas)
            for v in sheet._validations:
                if v["range"] == key:
                    v[path.rsplit(".", 1)[1]] = value
                    return
            raise ComError("no validation on this range")

    def _com_call(self, path: str, args, kwargs) -> Any:
        sheet = self._sheet
        _check_com(sheet._book._app)
        if path == "Range.api.AutoFilter()":
            sheet._autofilter = area_address(self._single())
            return True
        raise AttributeError(path)  # pragma: no cover


def _hex(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.lstrip("#").upper()
    if isinstance(value, tuple):
        return "".join(f"{int(x):02X}" for x in value)
    raise TypeError(f"fake xlwings: colour {value!r}")


class Font(_Strict):
    def __init__(self, rng: Range) -> None:
        self._range = rng

    bold = _cell_format("bold", bool)
    italic = _cell_format("italic", bool)
    size = _cell_format("size", float)
    color = _cell_format("font_color", _hex)


class Borders(_Strict):
    def __init__(self, rng: Range) -> None:
        self._range = rng

    def set(self, which="all", *, line_style=None, weight=None, color=None) -> None:
        if which != "all":
            raise AttributeError("fake xlwings: only borders.set('all', …) is used")
        if weight not in (None, "hairline", "thin", "medium", "thick"):
            raise ValueError(weight)
        if line_style in (None, "none"):
            self._range._set("border", None)
        else:
            self._range._set("border", weight or "thin")


class ConditionalFormats(_Strict):
    def __init__(self, rng: Range) -> None:
        self._range = rng

    def _add(self, kind: str, args: dict) -> None:
        self._range._sheet._conditional.append(
            (",".join(area_address(a) for a in self._range._areas), kind, args))

    def add_color_scale(self, colors, *, thresholds=None, threshold_type="number") -> None:
        if len(colors) not in (2, 3):
            raise ValueError("colors")
        self._add("color_scale", {"colors": [_hex(c) for c in colors], "thresholds": thresholds})

    def add_data_bar(self, color, *, minimum=None, maximum=None, threshold_type="number", gradient=True,
                     show_value=True) -> None:
        self._add("data_bar", {"color": _hex(color), "minimum": minimum, "maximum": maximum})

    def add_custom(self, formula: str, *, fill_color=None, font_color=None, font_bold=None, font_italic=None,
                   stop_if_true=False) -> None:
        if not formula.startswith("="):
            raise ValueError("formula must start with =")
        sel = self._range._sheet._selection
        self._add("formula", {"formula": formula, "fill": _hex(fill_color), "font_color": _hex(font_color),
                              "bold": font_bold, "italic": font_italic,
                              # Excel reads the formula's relative references from the active cell
                              "relative_to": None if sel is None else f"{col_name(sel[1])}{sel[0]}"})


class DataValidation(_Strict):
    def __init__(self, rng: Range) -> None:
        self._range = rng

    def set_list(self, source, *, in_cell_dropdown: bool = True) -> None:
        values = [str(v) for v in source]
        if not values or any("," in v or ";" in v for v in values) or len(",".join(values)) > 255:
            raise ValueError("bad list source")
        self._range._sheet._validations.append(
            {"range": ",".join(area_address(a) for a in self._range._areas), "choices": values})

    def set_decimal(self, operator, formula1, formula2=None) -> None:
        if operator != "between" or formula2 is None or not all(isinstance(f, (int, float)) for f in (formula1, formula2)):
            raise ValueError("bad decimal rule")
        self._range._sheet._validations.append(
            {"range": ",".join(area_address(a) for a in self._range._areas), "decimal": (formula1, formula2)})


# --------------------------------------------------------------------------- charts


class Charts(_Strict):
    def __init__(self, sheet: Sheet) -> None:
        self._sheet = sheet

    def add(self, left: float = 0, top: float = 0, width: float = 355, height: float = 211, chart_type=None,
            source=None, plot_by=None, name=None, anchor: Range | None = None, style=227) -> "Chart":
        if anchor is not None and (left or top):
            raise ValueError("You must either provide 'anchor' or 'top'/'left', but not both.")
        chart = Chart(self._sheet, anchor, width, height)
        self._sheet._charts.append(chart)
        return chart


class Chart(_Strict):
    def __init__(self, sheet: Sheet, anchor: Range | None, width: float, height: float) -> None:
        self._sheet = sheet
        self._anchor = None if anchor is None else area_address(anchor._single())
        self._width, self._height = width, height
        self._type = "column_clustered"
        self._title = None
        self._series: list[ChartSeries] = []
        self._categories: str | None = None
        self._legend = ChartLegend()
        self._value_axis = ChartAxis()

    def set_source_data(self, source: Range, plot_by=None) -> None:
        if plot_by != "columns":
            raise AttributeError("fake xlwings: set_source_data(plot_by='columns') is used")
        self._series = []
        for r1, c1, r2, c2 in source._areas:
            for c in range(c1, c2 + 1):
                self._series.append(ChartSeries(area_address((r1, c, r2, c))))

    chart_type = _attr("_type")

    def set_x_axis_values(self, source: Range) -> None:
        if not self._series:
            raise ComError("no series")
        self._categories = area_address(source._single())

    title = _attr("_title")

    @property
    def series(self) -> "ChartSeriesCollection":
        return ChartSeriesCollection(self._series)

    @property
    def legend(self) -> "ChartLegend":
        return self._legend

    @property
    def value_axis(self) -> "ChartAxis":
        return self._value_axis


class ChartSeriesCollection(_Strict):
    def __init__(self, items: list) -> None:
        self._items = items

    def __getitem__(self, index: int) -> "ChartSeries":
        calls["ChartSeriesCollection.__getitem__"] += 1
        return self._items[index]


class ChartSeries(_Strict):
    def __init__(self, values: str) -> None:
        self._values = values
        self._name = None

    name = _attr("_name")


class ChartLegend(_Strict):
    def __init__(self) -> None:
        self._visible = True
        self._position = "right"

    visible = _attr("_visible", bool)

    @property
    def position(self) -> str:
        return self._position

    @position.setter
    def position(self, value: str) -> None:
        if value not in ("top", "bottom", "left", "right", "corner"):
            raise ValueError(value)
        self._position, self._visible = value, True


class ChartAxis(_Strict):
    def __init__(self) -> None:
        self._title = None
        self._maximum = None
        self._minimum = None

    title = _attr("_title")
    maximum_scale = _attr("_maximum")
    minimum_scale = _attr("_minimum")


# --------------------------------------------------------------------------- helpers for tests


def book_from_openpyxl(path, name: str | None = None, app: App | None = None) -> Book:
    """A fake book holding what an .xlsx file holds (values as stored, formulas, number formats, merges)."""
    import openpyxl
    from pathlib import Path

    wb = openpyxl.load_workbook(path)
    book = Book(name or Path(path).name, app, sheets=())
    for ws in wb.worksheets:
        sheet = Sheet(book, ws.title)
        book._sheets.append(sheet)
        for row in ws.iter_rows():
            for xc in row:
                if xc.value is None and xc.number_format == "General":
                    continue
                cell = sheet._cell(xc.row, xc.column)
                if xc.data_type == "f":
                    cell.formula = str(xc.value)
                else:
                    v = xc.value
                    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                        v = dt.datetime(v.year, v.month, v.day)
                    cell.value = v
                cell.number_format = xc.number_format
        for m in ws.merged_cells.ranges:
            area = (m.min_row, m.min_col, m.max_row, m.max_col)
            sheet._merges.append(area)
            for r in range(area[0], area[2] + 1):
                for c in range(area[1], area[3] + 1):
                    sheet._covered[(r, c)] = area
        if ws.sheet_state != "visible":
            sheet._visible = "veryHidden" if ws.sheet_state == "veryHidden" else False
    book._active = book._sheets[wb.index(wb.active)] if book._sheets else None
    return book


def snapshot(book: Book) -> list:
    """Everything the fake book holds, for "the book is unchanged" assertions."""
    out = []
    for s in book._sheets:
        cells = sorted((k, c.state()) for k, c in s._cells.items() if not c.is_default())
        out.append((s._name, s._visible, cells, sorted(s._merges), sorted(s._col_widths.items()),
                    sorted(s._row_heights.items()), len(s._charts), copy.deepcopy(s._conditional),
                    copy.deepcopy(s._validations), s._print_area, s._tab_color, s._autofilter, s._freeze,
                    sorted(s._page.items()), list(s._breaks)))
    return out
