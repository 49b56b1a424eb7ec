"""The fast path: canonical sheet and shared-strings XML taken apart with numpy over a chunk's bytes.

Part of :mod:`xlreports.excel.read.xlsx_scan` (private to it). A chunk that breaks an assumption
returns None, and the caller takes the general path (:mod:`.slow`). Needs numpy: the caller
checks that it is installed before calling in.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable

import polars as pl

try:
    import numpy as np
except ImportError:  # pragma: no cover - the caller takes the general path
    np = None

from xlreports.excel.read.xlsx_scan.package import XlsxParseError
from xlreports.excel.read.xlsx_scan.text import compact, unescape, views

# ---------------------------------------------------------------- sheet
#
# Canonical sheet XML (what Excel, XlsxWriter, openpyxl, calamine … write: no namespace prefix, no
# spaces between tags, r="A1" first in every <c>) is taken apart with numpy over the chunk's bytes:
# the positions of every "<" classify the tags, values run from their tag's ">" to the next "<".
# A chunk that breaks any of these assumptions returns None and goes to the polars path below.

# t= codes: 0 number (no t=, t="n"), then:
_T_SHARED, _T_STR, _T_INLINE, _T_BOOL, _T_ERROR, _T_DATE = 1, 2, 3, 4, 5, 6
_T_BY_CHAR = {ord("i"): _T_INLINE, ord("b"): _T_BOOL, ord("e"): _T_ERROR, ord("n"): 0, ord("d"): _T_DATE}
_POWERS = [10 ** k for k in range(1, 19)]  # searchsorted(_POWERS, n, "right") + 1 = digits of n
_T_ATTR = re.compile(rb'\st="([a-zA-Z]*)"')




def _digits(a: np.ndarray, pos: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(value, digit count) of the decimal digits at ``pos`` (at most ``width``)."""
    value = np.zeros(pos.size, np.int64)
    count = np.zeros(pos.size, np.int64)
    ok = np.ones(pos.size, bool)
    for k in range(width):
        d = a.take(pos + k)
        ok &= (d >= 48) & (d <= 57)
        if not ok.any():
            break
        value = np.where(ok, value * 10 + (d.astype(np.int64) - 48), value)
        count += ok
    return value, count


def _pattern(text: bytes, at: int = 0) -> tuple[int, int]:
    """(value, mask) to test 8 bytes read little-endian for ``text`` starting ``at`` bytes in."""
    raw = (b"\0" * at + text).ljust(8, b"\0")[:8]
    mask = (b"\0" * at + b"\xff" * len(text)).ljust(8, b"\0")[:8]
    return int.from_bytes(raw, "little"), int.from_bytes(mask, "little")


def _is(words: np.ndarray, at: np.ndarray, text: bytes, offset: int = 0) -> np.ndarray:
    """Whether ``text`` (≤ 8 bytes) is found at byte ``at + offset`` (``words``: 8-byte windows)."""
    value, mask = _pattern(text)
    at = at + offset
    inside = (at >= 0) & (at < words.size)
    return ((words[np.clip(at, 0, words.size - 1)] & np.uint64(mask)) == np.uint64(value)) & inside


def _code(tag: bytes) -> int:
    return tag[0] << 8 | tag[1]


_RO, _RP, _EX, _V, _T, _C = (_code(t) for t in (b"ro", b"rP", b"ex", b"v>", b"t>", b"c "))
_CLOSE_V, _CLOSE_T, _SI = _code(b"/v"), _code(b"/t"), _code(b"si")
_ODD_C = [_code(t) for t in (b"c>", b"c/", b"c\n", b"c\t", b"c\r")]
_ONE_CHAR_T = _pattern(b' t="', 2)  # bytes 2..5 of the 8 before a cell tag's ">": ' t="X"'


class Parsed:
    """What a chunk parser found: header cells, and the body as a frame (fast) or long cells (general)."""

    __slots__ = ("head", "frame", "cells", "last_row")

    def __init__(self, head, frame, cells, last_row: int):
        self.head, self.frame, self.cells, self.last_row = head, frame, cells, last_row


_LOCAL = threading.local()


def _scratch(n: int) -> np.ndarray:
    """A bool array of ``n`` for this thread, reused from chunk to chunk (no fresh pages each time)."""
    buf = getattr(_LOCAL, "scratch", None)
    if buf is None or buf.size < n:
        buf = _LOCAL.scratch = np.empty(max(n + n // 4, 1 << 20), bool)
    return buf[:n]


def fast_cells(data: bytes, wanted: np.ndarray | None, max_header: int, sst: Callable[[], pl.Series],
                ) -> Parsed | None:
    """The cells of a chunk of canonical sheet XML (None if it is not): header rows' cells, and a
    frame of the other rows — the ``wanted`` columns (a mask by column; None: all)."""
    n = len(data)
    if n < 16 or not data.endswith(b"</row>"):
        return None
    a = np.frombuffer(data, np.uint8)
    w2 = np.ndarray((n - 1,), ">u2", data, 0, (1,))  # w2[i]: bytes i, i+1
    w8 = np.ndarray((n - 7,), "<u8", data, 0, (1,))  # w8[i]: bytes i … i+7
    lt = np.flatnonzero(np.equal(a, 60, out=_scratch(n))).astype(np.int32)  # every tag (int32: chunks < 2 GB)
    code = w2[lt + 1]  # each tag's first two characters
    if (b"!" in data and (code >> 8 == 33).any()) or (b"?" in data and (code >> 8 == 63).any()):
        return None  # comments, CDATA, processing instructions
    first = code >> 8
    is_cell = code == _C
    odd = np.flatnonzero((first == 99) & ~is_cell)  # <c…> but not "<c ": rich text's <color>, <charset>
    if (odd.size and np.isin(code[odd], _ODD_C).any()) or (code == _EX).any():
        return None  # <c> <c/> "<c\n r=": cells the general path normalises; <extLst>
    rp = np.flatnonzero(code == _RP)
    if rp.size and (a.take(lt[rp] + 3) == 104).any():
        return None  # <rPh>: phonetic runs

    # rows: <row r="7" …>
    is_row = code == _RO
    ri = np.flatnonzero(is_row)
    if ri.size == 0:
        return None
    rq = lt[ri]
    if not _is(w8, rq, b'<row r="').all():
        return None
    row_of_tag, nd = _digits(a, rq + 8, 8)
    if (nd == 0).any() or (a.take(rq + 8 + nd) != 34).any():
        return None
    last_row = int(row_of_tag[-1])

    # cells: <c r="AB12" …>, in their row
    ci = np.flatnonzero(is_cell)
    if ci.size == 0:
        return Parsed([], None, None, last_row)
    q = lt[ci]
    gt = lt[ci + 1] - 1  # a cell's tag is followed by a tag (the chunk ends with </row>)
    if (a.take(gt) != 62).any() or not _is(w8, q, b'<c r="').all():
        return None
    l0, l1, l2 = a.take(q + 6).astype(np.int32), a.take(q + 7).astype(np.int32), a.take(q + 8).astype(np.int32)
    if ((l0 < 65) | (l0 > 90)).any():
        return None
    i1 = (l1 >= 65) & (l1 <= 90)
    i2 = i1 & (l2 >= 65) & (l2 <= 90)
    col = l0 - 64
    col = np.where(i1, col * 26 + l1 - 64, col)
    col = (np.where(i2, col * 26 + l2 - 64, col) - 1).astype(np.int32)
    row_no = np.searchsorted(ri, ci) - 1  # the row tag before each cell
    if row_no[0] < 0:
        return None
    row = row_of_tag[row_no]
    del row_no
    blank = a.take(gt - 1) == 47  # <c r="B2" s="1"/>

    # t="…": the tag's last attribute as writers put it; else looked for
    types = np.zeros(ci.size, np.uint8)
    tail = w8[gt - 8]
    value, mask = _ONE_CHAR_T
    one = ((tail & np.uint64(mask)) == np.uint64(value)) & (a.take(gt - 1) == 34)
    kind = a.take(gt - 2)
    for ch, c in _T_BY_CHAR.items():
        types[one & (kind == ch)] = c
    types[one & (kind == 115)] = _T_SHARED
    found = one | blank
    cand = np.flatnonzero(~found & (kind == 114))  # …r": str, inlineStr
    if cand.size:
        hit = _is(w8, gt[cand], b' t="str"', -8)
        types[cand[hit]] = _T_STR
        found[cand[hit]] = True
        cand = cand[~hit]
        hit = _is(w8, gt[cand], b'lineStr"', -8) & _is(w8, gt[cand], b' t="in', -14)
        types[cand[hit]] = _T_INLINE
        found[cand[hit]] = True
    rest = np.flatnonzero(~found)
    if rest.size:  # no t= last: r="A1">, r="A1" s="3">, else search the tag
        digits = np.searchsorted(_POWERS, row[rest], "right")  # the row number's digits - 1
        after = q[rest] + 9 + i1[rest] + i2[rest] + digits  # past the closing quote of r="A12"
        if (a.take(after - 1) != 34).any():  # the cell's row is not its <row>'s
            return None
        plain = after == gt[rest]
        inner = gt[rest] - after - 5  # s="…" and nothing else: at most 5 characters to the last quote
        styled = _is(w8, after, b' s="') & (a.take(gt[rest] - 1) == 34) & (inner >= 1) & (inner <= 5)
        for k in rest[~(plain | styled)].tolist():  # other attributes (cm=, vm=, t= before s=): rare
            m = _T_ATTR.search(data, int(q[k]), int(gt[k]))
            if m and m.group(1):
                t = m.group(1)
                types[k] = _T_SHARED if t == b"s" else _T_STR if t == b"str" else _T_BY_CHAR.get(t[0], 0)

    # values: <v>…</v> and the <t>…</t> runs of inline strings, up to the next "<" that closes them
    vi = np.flatnonzero(code == _V)
    odd_v = np.flatnonzero((first == 118) & (code != _V))  # <v/>, <v />: no value
    if odd_v.size and ((a.take(lt[odd_v + 1] - 1) != 62) | (a.take(lt[odd_v + 1] - 2) != 47)).any():
        return None
    ti, t_start, t_self = text_runs(a, w8, lt, code)
    if ti is None:
        return None
    if (code[vi + 1] != _CLOSE_V).any() or (code[ti + 1] != _CLOSE_T).any():
        return None
    del code, first, is_cell, is_row
    v_cell, t_cell, s_cell = (np.searchsorted(ci, x) - 1 for x in (vi, ti, t_self))  # the cell before each
    if (v_cell < 0).any() or (t_cell < 0).any() or (s_cell < 0).any():
        return None

    # the cells wanted: not blank, in a wanted column or a header row; where each one's value comes from
    need = ~blank
    if wanted is not None:
        need &= wanted[np.minimum(col, wanted.size - 1)] | (row <= max_header)
    cell_v = np.full(ci.size, -1, np.int64)
    cell_v[v_cell] = vi
    runs = np.bincount(t_cell, minlength=ci.size)
    inline = types == _T_INLINE
    first_run = np.full(ci.size, -1, np.int64)
    first_run[t_cell[::-1]] = np.arange(ti.size - 1, -1, -1)
    has_is = inline & (runs > 0)
    if s_cell.size:
        has_is[s_cell[inline[s_cell]]] = True
    has_v = (cell_v >= 0) & ~has_is
    src = np.zeros(ci.size, np.uint8)  # 0: no value
    src[has_v & ((types == 0) | (types == _T_STR) | (types == _T_DATE) | inline)] = _SRC_TEXT
    src[has_is & (runs == 1)] = _SRC_TEXT
    src[has_is & (runs != 1)] = _SRC_MISC  # rich text (runs joined), <is><t/></is>
    src[has_v & (types == _T_BOOL)] = _SRC_MISC
    src[has_v & (types == _T_SHARED)] = _SRC_SHARED
    src[~need] = 0
    v_at = np.maximum(cell_v, 0)
    r_at = ti[np.maximum(first_run, 0)] if ti.size else v_at
    start = np.where(has_v, lt[v_at] + 3, t_start[np.maximum(first_run, 0)] if ti.size else 0)
    end = np.where(has_v, lt[v_at + 1], lt[r_at + 1])
    src[(src == _SRC_TEXT) & (start == end) & ~inline & (types != _T_STR)] = 0  # <v></v>: no value

    # the wanted cells' values: their text copied out of the chunk in one go, shared strings looked up
    nc = np.flatnonzero(src)
    s_nc = src[nc]
    tsel = nc[s_nc == _SRC_TEXT]
    text = views(data, start[tsel], end[tsel])
    strings = (types[tsel] == _T_STR) | inline[tsel]
    if strings.any():
        idx = np.flatnonzero(strings)
        sub = text.gather(idx)
        if b"&" in data or b"\r" in data or sub.str.contains("_x", literal=True).any():
            text = text.scatter(idx, unescape(sub))
    parts = [compact(text)]
    pos = np.full(ci.size, -1, np.int64)  # a cell's value: its index in `values`
    pos[tsel] = np.arange(tsel.size)
    size = tsel.size
    ssel = nc[s_nc == _SRC_SHARED]
    if ssel.size:  # shared strings: the index, looked up
        v0, v1 = lt[cell_v[ssel]] + 3, lt[cell_v[ssel] + 1]
        index, nd = _digits(a, v0, 10)
        if (nd != v1 - v0).any() or (nd == 0).any():
            return None
        table = sst()
        if int(index.max()) >= table.len():
            raise XlsxParseError("共享字符串序号超出范围")
        parts.append(table.gather(pl.Series(index, dtype=pl.UInt32)))
        pos[ssel] = size + np.arange(ssel.size)
        size += ssel.size
    msel = nc[s_nc == _SRC_MISC]
    if msel.size:  # booleans, rich text, empty inline strings
        parts.append(_misc_values(data, a, lt, msel, types, cell_v, has_is, runs, t_cell, t_start, ti))
        pos[msel] = size + np.arange(msel.size)
        size += msel.size
    missing = size
    parts.append(pl.Series("v", [None], dtype=pl.String))
    values = pl.concat(parts, rechunk=True)

    head: list[tuple[int, int, str | None]] = []
    if max_header and row[0] <= max_header:
        h = nc[row[nc] <= max_header]
        head = list(zip(row[h].tolist(), col[h].tolist(), values.gather(pos[h]).to_list()))
    body = nc[row[nc] > max_header]
    if body.size == 0:
        return Parsed(head, None, None, last_row)

    # the frame: one row per sheet row; each column gathered on its own (so that a caller dropping
    # a column frees its views)
    rows, cols = row[body], col[body]
    step = np.diff(rows)
    if (step >= 0).all():  # document order
        new = np.concatenate([[True], step != 0])
        ords, uniq = np.cumsum(new) - 1, rows[new]
    else:
        uniq, ords = np.unique(rows, return_inverse=True)
    keep_cols = np.flatnonzero(wanted[:-1]) if wanted is not None else np.unique(cols)
    slot = np.full(int(max(cols.max(), keep_cols.max(initial=0))) + 1, -1, np.int64)
    slot[keep_cols] = np.arange(keep_cols.size)
    grid = np.full((keep_cols.size, uniq.size), missing, np.int64)
    ok = slot[cols] >= 0
    grid[slot[cols[ok]], ords[ok]] = pos[body[ok]]
    out = {"_row": pl.Series("_row", uniq, dtype=pl.Int64)}
    for j, c in enumerate(keep_cols.tolist()):
        out[f"c{c}"] = values.gather(pl.Series(grid[j]))
    return Parsed(head, pl.DataFrame(out), None, last_row)


_SRC_TEXT, _SRC_SHARED, _SRC_MISC = 1, 2, 3


def _misc_values(data, a, lt, cells, types, cell_v, has_is, runs, t_cell, t_start, ti) -> pl.Series:
    """The values of booleans, rich text (runs joined) and empty inline strings."""
    out = [None] * cells.size
    b = np.flatnonzero(types[cells] == _T_BOOL)
    for i, ch in zip(b.tolist(), a.take(lt[cell_v[cells[b]]] + 3).tolist()):
        out[i] = "TRUE" if ch == 49 else "FALSE" if ch == 48 else None
    rich = np.flatnonzero(has_is[cells] & (runs[cells] > 1))
    if rich.size:
        want = np.isin(t_cell, cells[rich])
        text = unescape(views(data, t_start[want], lt[ti[want] + 1]))
        joined = (pl.DataFrame({"cell": t_cell[want], "v": text})
                  .group_by("cell", maintain_order=True).agg(pl.col("v").str.join("")))
        by_cell = dict(zip(joined["cell"].to_list(), joined["v"].to_list()))
        for i in rich.tolist():
            out[i] = by_cell.get(int(cells[i]))
    for i in np.flatnonzero(has_is[cells] & (runs[cells] == 0)).tolist():
        out[i] = ""
    return pl.Series("v", out, dtype=pl.String)


# ---------------------------------------------------------------- shared strings


def fast_si(data: bytes) -> pl.Series | None:
    """The strings of a chunk of whole ``<si>`` items, numpy-style (see fast_cells); None: not plain."""
    n = len(data)
    if n < 16:
        return None
    a = np.frombuffer(data, np.uint8)
    w2 = np.ndarray((n - 1,), ">u2", data, 0, (1,))
    w8 = np.ndarray((n - 7,), "<u8", data, 0, (1,))
    lt = np.flatnonzero(a == 60).astype(np.int32)
    if lt.size == 0 or lt[-1] + 2 >= n:
        return None
    code = w2[lt + 1]
    if b"!" in data and (code >> 8 == 33).any():
        return None
    si = np.flatnonzero(code == _SI)
    if si.size == 0 or (a.take(lt[si] + 3) != 62).any():  # "<si>" exactly
        return None
    rp = np.flatnonzero(code == _RP)
    if rp.size and (a.take(lt[rp] + 3) == 104).any():
        return None  # phonetic runs
    ti, t_start, t_self = text_runs(a, w8, lt, code)
    if ti is None or (code[np.minimum(ti + 1, code.size - 1)] != _CLOSE_T).any():
        return None
    owner = np.searchsorted(si, ti) - 1
    if (owner < 0).any():
        return None
    runs = np.bincount(owner, minlength=si.size)
    text = views(data, t_start, lt[ti + 1])
    if b"&" in data or b"\r" in data or text.str.contains("_x", literal=True).any():
        text = unescape(text)
    if (runs == 1).all():
        return compact(text)
    joined = (pl.DataFrame({"si": owner, "v": text})
              .group_by("si", maintain_order=True).agg(pl.col("v").str.join("")))
    out = pl.repeat("", si.size, dtype=pl.String, eager=True)
    return compact(out.scatter(joined["si"], joined["v"]))


def text_runs(a, w8, lt, code) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """(tag numbers, text starts) of the ``<t>`` runs with text, and the tag numbers of ``<t/>``."""
    ti = np.flatnonzero(code == _T)
    t_start = lt[ti] + 3
    t_other = np.flatnonzero((code >> 8 == 116) & (code != _T))
    t_self = t_other[:0]
    if t_other.size:  # <t xml:space="preserve">, <t/>
        at = lt[t_other]
        if ((a.take(at + 2) != 32) & (a.take(at + 2) != 47)).any():
            return None, t_start, t_self
        preserve = (_is(w8, at, b' xml:spa', 2) & _is(w8, at, b'ce="pres', 10)
                    & _is(w8, at, b'erve">', 18))
        closed = (a.take(lt[t_other + 1] - 1) == 62) & (a.take(lt[t_other + 1] - 2) == 47)
        if not (preserve | closed).all():
            return None, t_start, t_self
        t_self = t_other[closed & ~preserve]
        ti = np.concatenate([ti, t_other[preserve]])
        t_start = np.concatenate([t_start, at[preserve] + 24])
        order = np.argsort(ti, kind="stable")
        ti, t_start = ti[order], t_start[order]
    return ti, t_start, t_self
