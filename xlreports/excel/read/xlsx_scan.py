"""A fast, low-memory reader of one .xlsx/.xlsm sheet as text, for very large sheets (order exports).

fastexcel/calamine materialise the whole sheet before handing it over (a 1,000,000-row export:
~15 s, 1.7 GB). Here the sheet XML is decompressed as a stream (``zipfile.ZipFile.open``, in a
background thread) and cut into chunks of whole rows (after the last ``</row>``); two worker
threads take the chunks apart, and only the wanted columns are kept:

* canonical XML — what Excel, XlsxWriter, openpyxl, calamine … write: no namespace prefix, no
  spaces between tags, ``r="A1"`` first in every ``<c>`` — with numpy over the chunk's bytes (the
  position of every ``<`` classifies the tags; a value runs from its tag to the next ``<``), the
  values then cut out of the chunk with polars (``bin.slice``) and copied into buffers of their own;
* anything else (prefixed elements, cells or rows without ``r=``, pretty-printed XML …) with polars
  string kernels: the chunk split into cells, each taken apart with find/slice, regular
  expressions only for the few odd cells (formulas, rich text). Without numpy, every chunk goes here.

No Python code runs per cell. The shared-strings table is read the same way, once.

    sheet_names(path) -> [str]
    read_sheet_strings(path, sheet=None, *, keep=None, max_header_rows=10) -> (header_rows, frame)

Every cell is text, as stored: numbers as written in the XML (``34``, ``92.90000000000001``), dates
as Excel serial numbers (``46300.52135416667``), booleans as ``TRUE``/``FALSE``, error cells
(``#N/A``…) and empty values as None; strings — inline or from the shared-strings table, rich-text
runs joined, phonetic runs left out — with XML entities, XML line ends and Excel's ``_xHHHH_``
escapes decoded. Formulas are not evaluated (their cached value is read).

>>> import tempfile, pathlib, xlsxwriter
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"
>>> wb = xlsxwriter.Workbook(str(p)); ws = wb.add_worksheet("订单")
>>> _ = ws.write_row(0, 0, ["订单报表"]), ws.write_row(1, 0, ["订单编号", "金额", "备注"])
>>> _ = ws.write_row(2, 0, ["31", 34.5, "A&B"]), ws.write_row(4, 0, ["32", 7])
>>> wb.close()
>>> head, frame = read_sheet_strings(p, keep={0, 2}, max_header_rows=2)
>>> head
[['订单报表'], ['订单编号', '金额', '备注']]
>>> frame.rows()
[(3, '31', 'A&B'), (5, '32', None)]
"""
from __future__ import annotations

import posixpath
import queue
import re
import threading
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree as ET

import polars as pl

try:
    import numpy as np
except ImportError:  # pragma: no cover - without numpy every chunk takes the general (polars) path
    np = None

from xlreports.errors import XlreportsError

__all__ = ["XlsxFormatError", "XlsxParseError", "sheet_names", "read_sheet_strings", "column_index"]

DEFAULT_CHUNK = 4 << 20  # decompressed bytes per chunk (cut after the last </row>); 8 MB: as fast, +100 MB peak
_READ = 1 << 18  # bytes per ZipExtFile.read: larger reads re-copy zlib's unconsumed input

_REL_OFFICE_DOCUMENT = "/officeDocument"
_REL_WORKSHEET = "/worksheet"
_REL_SHARED_STRINGS = "/sharedStrings"


class XlsxFormatError(XlreportsError):
    """The file is no readable workbook: not a zip, corrupt, a part missing, no such sheet."""


class XlsxParseError(XlreportsError):
    """Sheet XML this reader does not take apart (CDATA, comments, odd markup, a bad index …).

    The workbook may well be valid: a caller can fall back to a full parser.
    """


# ---------------------------------------------------------------- package: workbook, rels, parts


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Package:
    """The zip and the workbook's sheet list; every failure an XlsxFormatError naming the file."""

    def __init__(self, path):
        self.path = Path(path)
        self.label = self.path.name
        try:
            self.zip = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise XlsxFormatError(f"找不到文件：{self.path}") from None
        except PermissionError:
            raise XlsxFormatError(f"无法读取 {self.label}：没有权限，或文件正在 Excel 中打开（请关闭后再试）") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            raise XlsxFormatError(f"{self.label} 不是有效的 .xlsx 工作簿（文件已损坏或不是 zip 格式）") from None
        try:
            self.parts = {n.lstrip("/").lower(): n for n in self.zip.namelist()}
            self.workbook = self._office_document()
            root = self._xml(self.workbook)
            rels = self._rels(self.workbook)
            self.sheets: list[tuple[str, str | None]] = []  # (name, part or None for a chartsheet …)
            for el in root.iter():
                if _local(el.tag) != "sheet":
                    continue
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id" and "relationships" in k), None)
                target, kind = rels.get(rid, (None, ""))
                self.sheets.append((el.get("name", ""), target if kind.endswith(_REL_WORKSHEET) else None))
            shared = [t for t, k in rels.values() if k.endswith(_REL_SHARED_STRINGS)]
            default = posixpath.join(posixpath.dirname(self.workbook), "sharedStrings.xml")
            self.shared_strings = next((t for t in shared if self.has(t)), default if self.has(default) else None)
        except BaseException:
            self.zip.close()
            raise

    def close(self) -> None:
        self.zip.close()

    def has(self, part: str) -> bool:
        return part.lower() in self.parts

    def _missing(self, part: str) -> XlsxFormatError:
        return XlsxFormatError(f"{self.label} 已损坏或不是 Excel 工作簿：缺少 {part}")

    def corrupt(self, part: str) -> XlsxFormatError:
        return XlsxFormatError(f"{self.label} 已损坏：无法解压或解析 {part}")

    def open(self, part: str):
        name = self.parts.get(part.lower())
        if name is None:
            raise self._missing(part)
        try:
            return self.zip.open(name)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            raise self.corrupt(part) from None

    def read(self, part: str) -> bytes:
        with self.open(part) as f:
            try:
                return f.read()
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
                raise self.corrupt(part) from None

    def _xml(self, part: str) -> ET.Element:
        try:
            return ET.fromstring(self.read(part))
        except ET.ParseError:
            raise self.corrupt(part) from None

    def _office_document(self) -> str:
        if self.has("_rels/.rels"):
            for target, kind in self._rels("").values():
                if kind.endswith(_REL_OFFICE_DOCUMENT) and self.has(target):
                    return target
        if self.has("xl/workbook.xml"):
            return "xl/workbook.xml"
        raise self._missing("xl/workbook.xml")

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId → (part, relationship type) of ``part``'s relationships ("" = the package's)."""
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", f"{name}.rels")
        if not self.has(rels_part):
            if part:
                raise self._missing(rels_part)
            return {}
        out = {}
        for el in self._xml(rels_part).iter():
            if _local(el.tag) != "Relationship" or el.get("TargetMode") == "External":
                continue
            target = el.get("Target", "").replace("\\", "/")
            target = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            out[el.get("Id")] = (posixpath.normpath(target).lstrip("/"), el.get("Type", ""))
        return out

    def sheet_part(self, sheet: str | None) -> str:
        if not self.sheets:
            raise XlsxFormatError(f"{self.label} 中没有工作表")
        if sheet is None:
            name, part = self.sheets[0]
        else:
            found = [s for s in self.sheets if s[0] == sheet]
            if not found:
                names = "、".join(n for n, _ in self.sheets)
                raise XlsxFormatError(f"{self.label} 中找不到工作表「{sheet}」；工作簿中有：{names}")
            name, part = found[0]
        if part is None:
            raise XlsxFormatError(f"{self.label} 的「{name}」不是工作表（可能是图表），无法读取")
        if not self.has(part):
            raise self._missing(part)
        return part

    def stream(self, part: str, end_tag: bytes, chunk_size: int) -> Iterator[bytes]:
        """``part`` decompressed in a background thread, as chunks that end just after an ``end_tag``.

        The last chunk is whatever follows the last ``end_tag``. Each chunk holds at least
        ``chunk_size`` bytes unless it is the last (or a single element is longer).
        """
        return _Prefetch(self, part, end_tag, chunk_size)


class _Prefetch:
    """A reader thread filling a small queue, so zlib runs on one core while polars parses on the other."""

    _END = object()

    def __init__(self, pkg: _Package, part: str, end_tag: bytes, chunk_size: int):
        self.pkg, self.part, self.end_tag, self.size = pkg, part, end_tag, max(1, chunk_size)
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="xlsx-scan-inflate", daemon=True)
        self.thread.start()

    def _put(self, item) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            with self.pkg.open(self.part) as f:
                buf = bytearray()
                read = min(_READ, self.size)
                while not self.stop.is_set():
                    try:
                        data = f.read(read)
                    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
                        raise self.pkg.corrupt(self.part) from None
                    if not data:
                        break
                    buf += data
                    if len(buf) >= self.size:
                        cut = buf.rfind(self.end_tag)
                        if cut >= 0:
                            cut += len(self.end_tag)
                            with memoryview(buf) as view:
                                chunk = bytes(view[:cut])  # one copy
                            if not self._put(chunk):
                                return
                            del chunk, buf[:cut]
                self._put(bytes(buf))
            self._put(self._END)
        except BaseException as e:  # handed to the consumer
            self._put(e)

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        item = self.queue.get()
        if item is self._END:
            self.close()
            raise StopIteration
        if isinstance(item, BaseException):
            self.close()
            raise item
        return item

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


# ---------------------------------------------------------------- text decoding (vectorised)

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


def _unescape(s: pl.Series) -> pl.Series:
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


# ---------------------------------------------------------------- columns


def column_index(letters: str) -> int:
    """Column letters → 0-based index (A → 0, Z → 25, AA → 26).

    >>> column_index("A"), column_index("AA"), column_index("XFD")
    (0, 26, 16383)
    """
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


_LETTERS = re.compile(r"[A-Z]{1,3}")


def _ref_prefix_index(prefix: str) -> int | None:
    """The first 3 characters of a cell reference ('A2"', 'AB1', 'XFD') → the column index."""
    m = _LETTERS.match(prefix)
    return column_index(m.group()) if m else None


# ---------------------------------------------------------------- the sheet's markup


class _Markup:
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


def _bslice(expr: pl.Expr, offset, length=None) -> pl.Expr:
    """A slice by byte offsets (``str.find`` gives bytes, ``str.slice`` counts characters), as Binary."""
    return expr.cast(pl.Binary).bin.slice(offset, length)


def _fill_from_marks(n: int, at: pl.Series, values: pl.Series, dtype) -> pl.Series:
    """For pieces 0..n-1: the value marked at the nearest piece before each one (``at`` ascending)."""
    marks = pl.repeat(None, n, dtype=dtype, eager=True).scatter(at, values.cast(dtype))
    return marks.shift(1).forward_fill()


def _rich_text(part: pl.Series, m: _Markup) -> pl.Series:
    """Text of CT_Rst fragments (``<t>…</t>`` or runs ``<r><rPr/><t>…</t></r>``), phonetic runs left out."""
    frags = part.str.replace_all(m.phonetic, "").str.extract_all(m.t_any)
    return frags.list.eval(pl.element().str.replace(r"^<[^>]*>", "").str.replace(r"<[^>]*>$", "")).list.join("")


# ---------------------------------------------------------------- shared strings


def _peek_root(pkg: _Package, part: str, pattern: bytes, limit: int = 64 << 20) -> tuple[str, bool] | None:
    """(namespace prefix '' or 'x:', self-closing?) of the first element matching ``pattern`` near the start."""
    head = b""
    with pkg.open(part) as f:
        while len(head) < limit:
            try:
                data = f.read(1 << 16)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
                raise pkg.corrupt(part) from None
            if not data:
                break
            head += data
            found = re.search(pattern, head)
            if found is not None:
                p = found.group(1)
                return (p.decode("ascii", "replace") + ":" if p else ""), bool(found.group(2))
    return None


def _read_shared_strings(pkg: _Package, part: str, chunk_size: int, workers: int = 1) -> pl.Series:
    """The shared-strings table, streamed in chunks of whole ``<si>`` items (parsed by ``workers`` threads)."""
    found = _peek_root(pkg, part, rb"<(?:([A-Za-z_][\w.-]*):)?sst\b[^>]*?(/?)>")
    if found is None:
        raise XlsxParseError(f"{pkg.label}：无法识别 {part} 的内容")
    prefix, empty = found
    out: list = []
    if not empty:
        stream = pkg.stream(part, f"</{prefix}si>".encode(), chunk_size)
        pool = ThreadPoolExecutor(workers, "xlsx-scan-sst") if workers > 1 else None
        pending: deque = deque()
        try:
            for data in stream:
                if pool is None:
                    out.append(_si_chunk(pkg, part, data, prefix))
                    continue
                pending.append(pool.submit(_si_chunk, pkg, part, data, prefix))
                del data
                while len(pending) > workers:  # a few chunks in flight, not the whole table
                    out.append(pending.popleft().result())
            while pending:
                out.append(pending.popleft().result())
        finally:
            for f in pending:
                f.cancel()
            if pool:
                pool.shutdown(wait=True)
            stream.close()
    return pl.concat(out, rechunk=True) if out else pl.Series("v", [], dtype=pl.String)


def _si_chunk(pkg: _Package, part: str, data: bytes, p: str) -> pl.Series:
    if b"<!" in data:
        raise XlsxParseError(f"{pkg.label}：{part} 含有本读取器不支持的 XML 结构（CDATA 或注释）")
    si, e = f"<{p}si>", re.escape(p)
    close = f"</{p}si>".encode()
    cut = data.rfind(close) + len(close) if close in data else 0
    tail = data[cut:].strip()
    if tail and not tail.startswith(f"</{p}sst>".encode()):
        raise XlsxParseError(f"{pkg.label}：{part} 中有未闭合的共享字符串")
    data = data[:cut]
    if p == "" and np is not None:
        fast = _fast_si(data)
        if fast is not None:
            return fast
    for odd in (f"<{p}si/>", f"<{p}si />"):
        if odd.encode() in data:
            data = data.replace(odd.encode(), f"<{p}si></{p}si>".encode())
    try:
        text = pl.Series("v", [data], dtype=pl.Binary).cast(pl.String)
    except Exception:
        raise XlsxParseError(f"{pkg.label}：{part} 不是有效的 UTF-8 文本") from None
    pieces = text.str.split(si).explode().slice(1)  # piece 0: what precedes the first <si>
    if pieces.len() == 0:
        return pieces
    t_open, t_pre, t_close = f"<{p}t>", f'<{p}t xml:space="preserve">', f"</{p}t></{p}si>".encode()
    v = pl.col("v")
    end = v.str.find("</", literal=True)
    start = (pl.when(v.str.starts_with(t_open)).then(len(t_open))
             .when(v.str.starts_with(t_pre)).then(len(t_pre)))
    df = pl.DataFrame({"v": pieces}).with_columns(start.alias("start"), end.alias("end")).with_columns(
        _bslice(v, pl.col("start"), pl.col("end") - pl.col("start")).cast(pl.String).alias("value"),
        (pl.col("start").is_not_null() & (_bslice(v, pl.col("end")) == t_close)).fill_null(False).alias("fast"))
    value = df["value"]
    if not df["fast"].all():
        idx = df["fast"].not_().arg_true()
        item = df["v"].gather(idx).str.extract(rf"(?s)^(.*?)</{e}si>\s*$", 1)
        if item.null_count():
            raise XlsxParseError(f"{pkg.label}：{part} 中有无法识别的共享字符串")
        value = value.scatter(idx, _rich_text(item, _Markup(p)))
    return _unescape(value)


def _fast_si(data: bytes) -> pl.Series | None:
    """The strings of a chunk of whole ``<si>`` items, numpy-style (see _fast_cells); None: not plain."""
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
    ti, t_start, t_self = _text_runs(a, w8, lt, code)
    if ti is None or (code[np.minimum(ti + 1, code.size - 1)] != _CLOSE_T).any():
        return None
    owner = np.searchsorted(si, ti) - 1
    if (owner < 0).any():
        return None
    runs = np.bincount(owner, minlength=si.size)
    text = _views(data, t_start, lt[ti + 1])
    if b"&" in data or b"\r" in data or text.str.contains("_x", literal=True).any():
        text = _unescape(text)
    if (runs == 1).all():
        return _compact(text)
    joined = (pl.DataFrame({"si": owner, "v": text})
              .group_by("si", maintain_order=True).agg(pl.col("v").str.join("")))
    out = pl.repeat("", si.size, dtype=pl.String, eager=True)
    return _compact(out.scatter(joined["si"], joined["v"]))


def _text_runs(a, w8, lt, code) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
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


# ---------------------------------------------------------------- sheet: the fast path (numpy)
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


def _views(data: bytes, start: np.ndarray, end: np.ndarray) -> pl.String:
    """The UTF-8 text between byte offsets ``start`` and ``end`` of ``data``, as a String series.

    The strings are views into one copy of ``data``: see _compact.
    """
    if start.size == 0:
        return pl.Series("v", [], dtype=pl.String)
    base = pl.Series("v", [data], dtype=pl.Binary).new_from_index(0, start.size)
    return pl.select(pl.lit(base).bin.slice(pl.Series(start), pl.Series(end - start))).to_series().cast(pl.String)


def _compact(s: pl.Series) -> pl.Series:
    """``s`` copied into a buffer of its own, so that it does not keep the chunk it was cut from alive."""
    return pl.select(pl.concat_str([pl.lit(s), pl.lit("\x00")]).str.strip_suffix("\x00")).to_series().alias(s.name)


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


class _Parsed:
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


def _fast_cells(data: bytes, wanted: np.ndarray | None, max_header: int, sst: Callable[[], pl.Series],
                ) -> _Parsed | None:
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
        return _Parsed([], None, None, last_row)
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
    ti, t_start, t_self = _text_runs(a, w8, lt, code)
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
    text = _views(data, start[tsel], end[tsel])
    strings = (types[tsel] == _T_STR) | inline[tsel]
    if strings.any():
        idx = np.flatnonzero(strings)
        sub = text.gather(idx)
        if b"&" in data or b"\r" in data or sub.str.contains("_x", literal=True).any():
            text = text.scatter(idx, _unescape(sub))
    parts = [_compact(text)]
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
        return _Parsed(head, None, None, last_row)

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
    return _Parsed(head, pl.DataFrame(out), None, last_row)


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
        text = _unescape(_views(data, t_start[want], lt[ti[want] + 1]))
        joined = (pl.DataFrame({"cell": t_cell[want], "v": text})
                  .group_by("cell", maintain_order=True).agg(pl.col("v").str.join("")))
        by_cell = dict(zip(joined["cell"].to_list(), joined["v"].to_list()))
        for i in rich.tolist():
            out[i] = by_cell.get(int(cells[i]))
    for i in np.flatnonzero(has_is[cells] & (runs[cells] == 0)).tolist():
        out[i] = ""
    return pl.Series("v", out, dtype=pl.String)


# ---------------------------------------------------------------- sheet: the general path (polars)
#
# Any sheet XML: prefixed elements, cells without r=, spaces between tags, formulas, rich text …
# Every chunk is split on "<c " and each cell piece taken apart with polars string kernels.

_ODD_CELLS = object()  # a chunk to normalise and split again


class _SlowPath:
    def __init__(self, scan: "_SheetScan", m: _Markup):
        self.scan, self.m = scan, m

    def parse_error(self, what: str) -> XlsxParseError:
        return self.scan.parse_error(what)

    def cells(self, data: bytes, last_row: int, wanted: set[int] | None, normalised: bool = False
              ) -> tuple[pl.DataFrame, int]:
        m = self.m
        if b"!" in data and b"<!" in data:  # one memchr for a rare byte first
            raise self.parse_error("含有 CDATA 或注释")
        try:
            text = pl.Series("p", [data], dtype=pl.Binary).cast(pl.String)
        except pl.exceptions.PolarsError:
            raise self.parse_error("有无效的 UTF-8 文本") from None
        # piece 0: what precedes the first cell (its <row> tag); piece i: the i-th cell, from its
        # attributes to the next "<c " — the last cell of a row also holds </row><row …> of the next
        pieces = text.str.split(m.cell_open).explode()
        del text
        n = pieces.len()
        cells = pl.DataFrame({"p": pieces}).with_columns(
            pl.col("p").str.contains(m.row_close, literal=True).alias("last"))  # a row's last cell
        del pieces
        at = cells["last"].clone().scatter(0, True).arg_true()  # the pieces with <row> tags
        tags = pl.DataFrame({"piece": at, "tag": cells["p"].gather(at).str.extract_all(m.row_tag)}).explode("tag")
        tags = tags.filter(pl.col("tag").is_not_null())
        ntags = tags.height
        empty = pl.DataFrame(schema={"row": pl.Int64, "col": pl.Int32, "v": pl.String})
        if ntags == 0:
            if n > 1:
                raise self.parse_error("有不在行内的单元格")
            return empty, last_row
        k = pl.int_range(ntags, dtype=pl.Int64, eager=True)
        r = tags["tag"].str.extract(r'\sr="([0-9]+)"', 1).cast(pl.Int64, strict=False)
        rows = ((r - k).forward_fill().fill_null(last_row + 1) + k).alias("_row")  # r=, else previous + 1
        tags = tags.with_columns(rows, pl.int_range(ntags, dtype=pl.Int32).alias("ord"))
        marks = tags.unique("piece", keep="last", maintain_order=True)  # the row the next cells are in
        cells = cells.with_columns(_fill_from_marks(n, marks["piece"], marks["ord"], pl.Int32).alias("ord")).slice(1)
        if cells["ord"].null_count():
            raise self.parse_error("有不在行内的单元格")
        cells = cells.with_columns(rows.gather(cells["ord"]).alias("row"))
        values = self._cells(cells, wanted)
        if values is _ODD_CELLS:
            if normalised:
                raise self.parse_error("有无法识别的单元格标签")
            for odd, fixed in m.odd_fix:
                data = data.replace(odd, fixed)
            return self.cells(data, last_row, wanted, normalised=True)
        return values, int(rows[-1])

    def _cells(self, cells: pl.DataFrame, wanted: set[int] | None):
        p = pl.col("p")
        cells = cells.with_columns(
            p.str.find(">", literal=True).alias("gt"),
            (_bslice(p, 0, 3) == b'r="').alias("r_first"),
            p.str.slice(3, 3).alias("ref"),
        )
        if cells["gt"].null_count():
            raise self.parse_error("有不完整的单元格标签")
        # column: from r="A1" as the first attribute, else from r= elsewhere, else the previous cell's + 1
        index = {v: _ref_prefix_index(v) for v in cells["ref"].unique().to_list()}
        cells = cells.with_columns(
            pl.when("r_first").then(pl.col("ref").replace_strict(index, default=None, return_dtype=pl.Int32))
            .alias("col")).drop("r_first", "ref")
        if cells["col"].null_count():
            cells = self._odd_columns(cells)
        cells = cells.filter(_bslice(p, pl.col("gt") - 1, 1) != b"/")  # <c r="B2" s="1"/>: no value
        if wanted is not None:
            cells = cells.filter(pl.col("col").is_in(sorted(wanted)) | (pl.col("row") <= self.scan.max_header))
        values = self._values(cells)
        if values is _ODD_CELLS:
            return values
        return values.select("row", "col", "v").filter(pl.col("v").is_not_null())

    def _odd_columns(self, cells: pl.DataFrame) -> pl.DataFrame:
        """Cells whose r= is not the first attribute, or missing (then: previous cell in the row + 1)."""
        found = _bslice(pl.col("p"), 0, pl.col("gt")).cast(pl.String).str.extract(self.m.r_attr, 1)
        letters = cells.filter(pl.col("col").is_null()).select(found).to_series().unique().drop_nulls()
        index = {v: column_index(v) for v in letters.to_list()}
        cells = cells.with_columns(
            pl.coalesce("col", found.replace_strict(index, default=None, return_dtype=pl.Int32)).alias("col"))
        if cells["col"].null_count():
            k = pl.int_range(pl.len(), dtype=pl.Int32).over("ord")
            base = (pl.col("col") - k).forward_fill().over("ord").fill_null(0)
            cells = cells.with_columns((base + k).cast(pl.Int32).alias("col"))
        return cells

    def _values(self, cells: pl.DataFrame):
        """The cells with their text ``v``, typed by t=, the markup dropped (or _ODD_CELLS)."""
        m = self.m
        p, gt = pl.col("p"), pl.col("gt")
        after = _bslice(p, gt + 1)
        is_v = after.bin.starts_with(m.v_open.encode())
        is_is = after.bin.starts_with(m.is_open.encode())
        is_isp = after.bin.starts_with(m.is_open_preserve.encode())
        end = p.str.find("</", literal=True)
        start = (pl.when(is_v).then(gt + 1 + len(m.v_open))
                 .when(is_is).then(gt + 1 + len(m.is_open))
                 .when(is_isp).then(gt + 1 + len(m.is_open_preserve)))
        closing = pl.when(is_v).then(pl.lit(m.v_end)).otherwise(pl.lit(m.is_end))
        tpos = p.str.find('t="', literal=True)
        df = cells.with_columns(
            pl.when(tpos < gt).then(_bslice(p, tpos + 3, 2)).alias("t"),
            start.alias("start"), end.alias("end"), closing.alias("closing"),
        ).with_columns(
            _bslice(p, pl.col("start"), pl.col("end") - pl.col("start")).alias("v"),
            # the value runs up to the first "</", and nothing but its closing tags follows
            (pl.col("start").is_not_null() & (
                (_bslice(p, pl.col("end")) == pl.col("closing"))
                | (pl.col("last") & _bslice(p, pl.col("end")).bin.starts_with(pl.col("closing"))))
             ).fill_null(False).alias("fast"),
            (pl.col("end") + pl.col("closing").bin.size()).alias("after"),
        ).drop("start", "closing")
        at = (df["fast"] & df["last"]).arg_true()
        if at.len():  # a row's last cell: after </c> only </row>, blank rows, the next <row>
            sub = df.select(_bslice(pl.col("p"), pl.col("after")).cast(pl.String)).to_series().gather(at)
            odd = sub.str.replace_all(m.between_rows, "") != ""
            if odd.any():
                df = df.with_columns(df["fast"].clone().scatter(at.filter(odd), False))
        df = df.with_columns(pl.col("v").cast(pl.String))
        if not df["fast"].all():  # formulas, rich text, <v/>, spaces, …: regular expressions on those few
            idx = df["fast"].not_().arg_true()
            rest = df.select(_bslice(pl.col("p"), pl.col("gt") + 1).cast(pl.String)).to_series().gather(idx)
            if rest.str.contains(m.odd_cell).any():
                return _ODD_CELLS
            rich = rest.str.extract(m.is_any, 1)
            if rich.is_not_null().any():
                rich = pl.select(pl.when(rich.is_not_null()).then(_rich_text(rich.fill_null(""), m))).to_series()
            slow = pl.select(pl.coalesce(rich, rest.str.extract(m.v_any, 1))).to_series()
            df = df.with_columns(df["v"].scatter(idx, slow))
        df = df.drop("p", "gt", "fast", "end", "last", "after")
        t, v = pl.col("t"), pl.col("v")
        text = t.is_in([b"in", b"st"])  # inlineStr, str (a formula's text)
        if df.select(text.any()).item():
            unescaped = df.select(pl.when(text).then(v)).to_series()
            idx = unescaped.is_not_null().arg_true()
            df = df.with_columns(df["v"].scatter(idx, _unescape(unescaped.gather(idx))))
        df = df.with_columns(
            pl.when(text | (t == b's"')).then(v)
            .when(t == b'b"').then(pl.when(v == "1").then(pl.lit("TRUE")).when(v == "0").then(pl.lit("FALSE"))
                                   .otherwise(v))
            .when((t == b'e"') | (v == "")).then(pl.lit(None, pl.String))
            .otherwise(v).alias("v"))
        shared = df.select((pl.col("t") == b's"').fill_null(False)).to_series()
        if shared.any():
            idx = shared.arg_true()
            raw = df["v"].gather(idx)
            pos = raw.cast(pl.UInt32, strict=False)
            sst = self.scan.sst()
            if pos.null_count() != raw.null_count() or (pos.max() or 0) >= sst.len():
                raise self.parse_error("有无效的共享字符串序号")
            df = df.with_columns(df["v"].scatter(idx, sst.gather(pos)))
        return df.drop("t")


# ---------------------------------------------------------------- sheet: the stream


def _trim_malloc() -> None:
    """Hand freed heap memory back to the system (glibc keeps it in per-thread arenas otherwise)."""
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        try:
            import ctypes

            _MALLOC_TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


_MALLOC_TRIM = None


class _SheetScan:
    """Chunks in order → header rows and frames; state carried from chunk to chunk."""

    def __init__(self, pkg: _Package, keep, max_header_rows: int, chunk_size: int, workers: int):
        self.pkg = pkg
        self.label = pkg.label
        self.keep_spec = keep
        self.keep: set[int] | None = None if callable(keep) else (None if keep is None else set(keep))
        self.keep_resolved = not callable(keep)
        self.max_header = max(0, int(max_header_rows))
        self.chunk_size = chunk_size
        self.workers = workers
        self.header_cells: list[tuple[int, int, str | None]] = []  # (row, col, value)
        self.frames: list[pl.DataFrame] = []
        self.last_row = 0  # row number of the last <row> seen
        self._sst: pl.Series | None = None
        self._sst_lock = threading.Lock()
        self.m: _Markup | None = None
        self.slow: _SlowPath | None = None

    def parse_error(self, what: str) -> XlsxParseError:
        return XlsxParseError(f"{self.label}：工作表 XML 中{what}，无法快速读取")

    def sst(self) -> pl.Series:
        """The shared-strings table (read once, before the sheet)."""
        with self._sst_lock:
            if self._sst is None:
                part = self.pkg.shared_strings
                if part is None:
                    raise self.parse_error("引用了共享字符串，但工作簿没有共享字符串表")
                self._sst = _read_shared_strings(self.pkg, part, self.chunk_size, self.workers)
            return self._sst

    def resolve_keep(self) -> None:
        if not self.keep_resolved:
            wanted = self.keep_spec(self.header_rows())
            self.keep = None if wanted is None else {int(c) for c in wanted}
            self.keep_resolved = True

    def header_rows(self) -> list[list[str | None]]:
        rows: list[list[str | None]] = [[] for _ in range(self.max_header)]
        for r, c, v in self.header_cells:
            row = rows[r - 1]
            if len(row) <= c:
                row.extend([None] * (c + 1 - len(row)))
            row[c] = v
        for row in rows:
            while row and row[-1] is None:
                row.pop()
        return rows

    def _wanted(self):
        if not self.keep_resolved or self.keep is None:
            return None
        mask = np.zeros(max(self.keep, default=-1) + 2, bool)  # a last False for columns past the end
        mask[sorted(self.keep)] = True
        return mask

    # -- the stream
    def run(self, part: str) -> None:
        found = _peek_root(self.pkg, part, rb"<(?:([A-Za-z_][\w.-]*):)?sheetData\b[^>]*?(/?)>")
        if found is None:
            raise self.parse_error("找不到 sheetData")
        prefix, empty = found
        self.m = m = _Markup(prefix)
        self.slow = _SlowPath(self, m)
        if not empty and self.pkg.shared_strings is not None:
            self.sst()  # here, before the workers start
        fast = prefix == "" and np is not None
        if not empty:
            stream = self.pkg.stream(part, m.row_end, self.chunk_size)
            pool = ThreadPoolExecutor(self.workers, "xlsx-scan") if fast and self.workers > 1 else None
            pending: deque = deque()
            started = False
            try:
                for data in stream:
                    if not started:
                        at = re.search(rb"<" + re.escape(prefix.encode()) + rb"sheetData\b[^>]*>", data)
                        if at is None:  # the peek found it, so it is in the first chunk
                            raise self.parse_error("找不到 sheetData")
                        data, started = data[at.end():], True
                    end = data.rfind(m.row_end)
                    body = data[:end + len(m.row_end)] if end >= 0 else b""
                    tail = data[end + len(m.row_end):] if end >= 0 else data
                    del data
                    if tail.strip() and not self._is_sheet_end(tail):
                        # chunks are cut after a </row>: what follows the last one is the end of sheetData
                        raise self.parse_error("有未闭合的行")
                    if not body:
                        continue
                    if pool is not None and self.keep_resolved:
                        pending.append((body, pool.submit(_fast_cells, body, self._wanted(), self.max_header,
                                                          self.sst)))
                        while len(pending) > self.workers or (pending and pending[0][1].done()):
                            self._take(*pending.popleft())
                    else:
                        self._take(body, None)
                while pending:
                    self._take(*pending.popleft())
            finally:
                for _, future in pending:
                    future.cancel()
                if pool is not None:
                    pool.shutdown(wait=True)
                stream.close()
        self.resolve_keep()

    def _is_sheet_end(self, tail: bytes) -> bool:
        p = self.m.p.encode()
        t = re.sub(rb"<" + re.escape(p) + rb"row(?:\s[^>]*)?/>", b"", tail).lstrip()  # blank rows
        return t.startswith(b"</" + p + b"sheetData>")

    def _take(self, body: bytes, future) -> None:
        """One chunk (parsed by a worker, else here) → header cells and a frame."""
        wanted = self.keep if self.keep_resolved else None
        if future is not None:
            got = future.result()
        elif self.m.p == "" and np is not None:
            got = _fast_cells(body, self._wanted(), self.max_header, self.sst)
        else:
            got = None
        if got is None:  # not canonical XML: the general path
            cells, last_row = self.slow.cells(body, self.last_row, wanted)
            got = _Parsed([], None, cells, last_row)
            if self.max_header:
                head = cells.filter(pl.col("row") <= self.max_header)
                if head.height:
                    got.head = list(head.iter_rows())
                    got.cells = cells.filter(pl.col("row") > self.max_header)
        del body
        self.last_row = got.last_row
        self.header_cells.extend(got.head)
        if got.frame is None and (got.cells is None or got.cells.height == 0):
            if self.last_row > self.max_header:
                self.resolve_keep()
            return
        self.resolve_keep()  # a row below the header rows: they are complete
        if got.frame is not None:
            frame = got.frame
            if wanted is None and self.keep is not None:  # parsed before the header was known
                frame = frame.select("_row", *(pl.col(f"c{c}") if f"c{c}" in frame.columns
                                               else pl.lit(None, pl.String).alias(f"c{c}") for c in sorted(self.keep)))
            self.frames.append(frame)
            return
        cells = got.cells
        if wanted is None and self.keep is not None:
            cells = cells.filter(pl.col("col").is_in(sorted(self.keep)))
        self._wide(cells)

    def _wide(self, cells: pl.DataFrame) -> None:
        """Long (row, col, v) → one row per sheet row with a value, columns c<col>."""
        if cells.height == 0:
            return
        uniq = cells["row"].unique().sort()
        n = uniq.len()
        cells = cells.with_columns(uniq.search_sorted(cells["row"]).alias("ord"))
        cols = sorted(self.keep) if self.keep is not None else sorted(cells["col"].unique().to_list())
        data = {"_row": uniq.cast(pl.Int64).alias("_row")}
        parts = cells.partition_by("col", as_dict=True, include_key=False)
        for c in cols:
            part = parts.get((c,))
            column = pl.repeat(None, n, dtype=pl.String, eager=True)
            if part is not None:
                column = _compact(column.scatter(part["ord"], part["v"]))  # its own buffer
            data[f"c{c}"] = column
        self.frames.append(pl.DataFrame(data))

    def frame(self) -> pl.DataFrame:
        if self.keep is not None:
            cols = [f"c{c}" for c in sorted(self.keep)]
        else:
            seen = {c for f in self.frames for c in f.columns if c != "_row"}
            cols = sorted(seen, key=lambda c: int(c[1:]))
        schema = {"_row": pl.Int64, **{c: pl.String for c in cols}}
        if not self.frames:
            return pl.DataFrame(schema=schema)
        frames = [f.select(pl.col(c) if c in f.columns else pl.lit(None, pl.String).alias(c) for c in schema)
                  for f in self.frames]
        self.frames = []
        return pl.concat(frames, how="vertical", rechunk=False)


# ---------------------------------------------------------------- API


def sheet_names(path) -> list[str]:
    """The sheet names of an .xlsx/.xlsm workbook, in workbook order."""
    pkg = _Package(path)
    try:
        return [name for name, _ in pkg.sheets]
    finally:
        pkg.close()


def read_sheet_strings(path, sheet: str | None = None, *,
                       keep: Iterable[int] | Callable[[list[list[str | None]]], Iterable[int] | None] | None = None,
                       max_header_rows: int = 10, chunk_size: int = DEFAULT_CHUNK, workers: int = 2,
                       ) -> tuple[list[list[str | None]], pl.DataFrame]:
    """Read one sheet (``None``: the first) as text: (the first rows as lists, the rest as a frame).

    ``header_rows[i]`` is sheet row i+1 (``max_header_rows`` lists, empty for a blank row), indexed
    by absolute 0-based column, trailing empty cells cut. ``frame`` holds the rows below them:
    ``_row`` (Int64, the 1-based sheet row) and String columns ``c<column>`` — only the columns in
    ``keep`` (0-based indices) when given, else every column that has a value. A row with no value
    in those columns may be missing from the frame.

    ``keep`` may also be a function of the header rows returning the column set (or None for all):
    the header is searched and the body read in the same pass.

    Raises XlsxFormatError (a corrupt zip, a missing part, no such sheet) and XlsxParseError (XML
    this reader does not take apart: a full parser may still read it); both are XlreportsError with
    a message naming the file.
    """
    pkg = _Package(path)
    try:
        part = pkg.sheet_part(sheet)
        scan = _SheetScan(pkg, keep, max_header_rows, chunk_size, workers)
        scan.run(part)
        result = scan.header_rows(), scan.frame()
        del scan
        _trim_malloc()  # the chunks' scratch memory, freed in the worker threads' heaps
        return result
    except (pl.exceptions.PolarsError, OverflowError) as e:
        raise XlsxParseError(f"{pkg.label}：工作表内容无法快速读取（{type(e).__name__}）") from None
    finally:
        pkg.close()
