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

A private package: this module holds the entry points and the stream of chunks; ``package`` the
zip and its parts, ``text`` unescaping and markup, ``kernels`` the numpy fast path,
``slow`` the general path, ``shared_strings`` the shared-strings table.

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

import re
import threading
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import polars as pl

try:
    import numpy as np
except ImportError:  # pragma: no cover - without numpy every chunk takes the general (polars) path
    np = None

from xlreports.excel.read.xlsx_scan.kernels import Parsed, fast_cells
from xlreports.excel.read.xlsx_scan.package import Package, XlsxFormatError, XlsxParseError
from xlreports.excel.read.xlsx_scan.shared_strings import peek_root, read_shared_strings
from xlreports.excel.read.xlsx_scan.slow import SlowPath
from xlreports.excel.read.xlsx_scan.text import Markup, compact

__all__ = ["XlsxFormatError", "XlsxParseError", "sheet_names", "read_sheet_strings"]

DEFAULT_CHUNK = 4 << 20  # decompressed bytes per chunk (cut after the last </row>); 8 MB: as fast, +100 MB peak


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

    def __init__(self, pkg: Package, keep, max_header_rows: int, chunk_size: int, workers: int):
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
        self.m: Markup | None = None
        self.slow: SlowPath | None = None

    def parse_error(self, what: str) -> XlsxParseError:
        return XlsxParseError(f"{self.label}：工作表 XML 中{what}，无法快速读取")

    def sst(self) -> pl.Series:
        """The shared-strings table (read once, before the sheet)."""
        with self._sst_lock:
            if self._sst is None:
                part = self.pkg.shared_strings
                if part is None:
                    raise self.parse_error("引用了共享字符串，但工作簿没有共享字符串表")
                self._sst = read_shared_strings(self.pkg, part, self.chunk_size, self.workers, fast=np is not None)
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
        found = peek_root(self.pkg, part, rb"<(?:([A-Za-z_][\w.-]*):)?sheetData\b[^>]*?(/?)>")
        if found is None:
            raise self.parse_error("找不到 sheetData")
        prefix, empty = found
        self.m = m = Markup(prefix)
        self.slow = SlowPath(self, m)
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
                        pending.append((body, pool.submit(fast_cells, body, self._wanted(), self.max_header,
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
            got = fast_cells(body, self._wanted(), self.max_header, self.sst)
        else:
            got = None
        if got is None:  # not canonical XML: the general path
            cells, last_row = self.slow.cells(body, self.last_row, wanted)
            got = Parsed([], None, cells, last_row)
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
                column = compact(column.scatter(part["ord"], part["v"]))  # its own buffer
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
    pkg = Package(path)
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
    pkg = Package(path)
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

