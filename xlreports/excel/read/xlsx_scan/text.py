"""Sheet and shared-strings text, vectorised: XML unescaping, the markup of one namespace prefix,
byte slices, and copying values out of the chunk they were cut from.

Part of :mod:`xlreports.excel.read.xlsx_scan` (private to it).
"""
from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from xlreports.a1 import column_index

_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_X_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _entity(m: re.Match) -> str:
    name = m.group(1)
    if name[0] != "#":
        return _NAMED[name]
    code = int(name[2:], 16) if name[1] == "x" else int(name[1:])
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return m.group(0)


def _x_escape(m: re.Match) -> str:
    return chr(int(m.group(1), 16))


def _python_fix(s: pl.Series, mask: pl.Series, fn: Callable[[str], str]) -> pl.Series:
    """``fn`` applied to the (few) values where ``mask`` is true."""
    idx = mask.fill_null(False).arg_true()
    if idx.len() == 0:
        return s
    fixed = [fn(v) for v in s.gather(idx).to_list()]
    return s.scatter(idx, pl.Series(fixed, dtype=pl.String))


def unescape(s: pl.Series) -> pl.Series:
    """XML text as parsed: CR LF → LF, entities decoded, then Excel's ``_xHHHH_`` escapes decoded."""
    if s.len() == 0:
        return s
    if s.str.contains("\r", literal=True).any():
        s = s.str.replace_all("\r\n", "\n", literal=True).str.replace_all("\r", "\n", literal=True)
    amp = s.str.contains("&", literal=True)
    if amp.any():
        numeric = s.str.contains("&#", literal=True)
        if numeric.any():  # rare: decode those values in Python, one pass per value
            s = _python_fix(s, numeric, lambda v: _ENTITY.sub(_entity, v))
            amp = amp & ~numeric
        if amp.any():  # one left-to-right pass: "&amp;lt;" → "&lt;"
            s = s.str.replace_many(["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"], ["&", "<", ">", '"', "'"])
    if s.str.contains("_x", literal=True).any():
        s = _python_fix(s, s.str.contains(r"_x[0-9A-Fa-f]{4}_"), lambda v: _X_ESCAPE.sub(_x_escape, v))
    return s


_LETTERS = re.compile(r"[A-Z]{1,3}")


def ref_prefix_index(prefix: str) -> int | None:
    """The first 3 characters of a cell reference ('A2"', 'AB1', 'XFD') → the 0-based column index.

    >>> ref_prefix_index('A2"'), ref_prefix_index("AB1"), ref_prefix_index("1A")
    (0, 27, None)
    """
    m = _LETTERS.match(prefix)
    return column_index(m.group()) - 1 if m else None


# ---------------------------------------------------------------- the sheet's markup


class Markup:
    """Tag literals and patterns of a sheet whose elements carry the namespace prefix ``p`` ('' or 'x:')."""

    def __init__(self, p: str):
        e = re.escape(p)
        self.p = p
        self.cell_open = f"<{p}c "
        self.row = f"<{p}row"
        self.row_close = f"</{p}row>"
        self.row_end = self.row_close.encode()
        self.row_tag = rf"<{e}row(?:\s[^>]*)?>"
        self.v_open = f"<{p}v>"
        self.is_open = f"<{p}is><{p}t>"
        self.is_open_preserve = f'<{p}is><{p}t xml:space="preserve">'
        self.v_end = f"</{p}v></{p}c>".encode()  # all that follows a plain value in its piece
        self.is_end = f"</{p}t></{p}is></{p}c>".encode()
        self.v_any = rf"<{e}v(?:\s[^>]*)?>([^<]*)</{e}v>"
        self.is_any = rf"(?s)<{e}is(?:\s[^>]*)?>(.*?)</{e}is>"
        self.phonetic = rf"(?s)<{e}rPh(?:\s[^>]*)?>.*?</{e}rPh>"
        self.t_any = rf"<{e}t(?:\s[^>]*)?>[^<]*</{e}t>"
        self.r_attr = r'(?:^|\s)r="([A-Z]{1,3})[0-9]*"'
        # what may follow a row's last cell: the row's end, blank rows, the next row's tag, spaces
        self.between_rows = rf"</{e}row>|<{e}row(?:\s[^>]*)?>|\s+"
        # a cell tag the split on "<c " misses ("<c>", "<c/>", "<c\n r=…"): normalised, the chunk split again
        self.odd_cell = rf"<{e}c[>/\s]"
        self.odd_fix = [(f"<{p}c{ch}".encode(), f"<{p}c {ch}".encode()) for ch in (">", "/", "\n", "\t", "\r")]


def bslice(expr: pl.Expr, offset, length=None) -> pl.Expr:
    """A slice by byte offsets (``str.find`` gives bytes, ``str.slice`` counts characters), as Binary."""
    return expr.cast(pl.Binary).bin.slice(offset, length)


def fill_from_marks(n: int, at: pl.Series, values: pl.Series, dtype) -> pl.Series:
    """For pieces 0..n-1: the value marked at the nearest piece before each one (``at`` ascending)."""
    marks = pl.repeat(None, n, dtype=dtype, eager=True).scatter(at, values.cast(dtype))
    return marks.shift(1).forward_fill()


def rich_text(part: pl.Series, m: Markup) -> pl.Series:
    """Text of CT_Rst fragments (``<t>…</t>`` or runs ``<r><rPr/><t>…</t></r>``), phonetic runs left out."""
    frags = part.str.replace_all(m.phonetic, "").str.extract_all(m.t_any)
    return frags.list.eval(pl.element().str.replace(r"^<[^>]*>", "").str.replace(r"<[^>]*>$", "")).list.join("")


def views(data: bytes, start: np.ndarray, end: np.ndarray) -> pl.String:
    """The UTF-8 text between byte offsets ``start`` and ``end`` of ``data``, as a String series.

    The strings are views into one copy of ``data``: see compact.
    """
    if start.size == 0:
        return pl.Series("v", [], dtype=pl.String)
    base = pl.Series("v", [data], dtype=pl.Binary).new_from_index(0, start.size)
    return pl.select(pl.lit(base).bin.slice(pl.Series(start), pl.Series(end - start))).to_series().cast(pl.String)


def compact(s: pl.Series) -> pl.Series:
    """``s`` copied into a buffer of its own, so that it does not keep the chunk it was cut from alive."""
    return pl.select(pl.concat_str([pl.lit(s), pl.lit("\x00")]).str.strip_suffix("\x00")).to_series().alias(s.name)
