"""The shared-strings table of a workbook, streamed and parsed in chunks.

Part of :mod:`xlreports.excel.read.xlsx_scan` (private to it).
"""
from __future__ import annotations

import re
import zipfile
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor

import polars as pl

from xlreports.excel.read.xlsx_scan.kernels import fast_si
from xlreports.excel.read.xlsx_scan.package import Package, XlsxParseError
from xlreports.excel.read.xlsx_scan.text import Markup, bslice, rich_text, unescape

def peek_root(pkg: Package, part: str, pattern: bytes, limit: int = 64 << 20) -> tuple[str, bool] | None:
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


def read_shared_strings(pkg: Package, part: str, chunk_size: int, workers: int = 1, fast: bool = True) -> pl.Series:
    """The shared-strings table, streamed in chunks of whole ``<si>`` items (parsed by ``workers`` threads;
    ``fast``: with the numpy kernel where the XML allows)."""
    found = peek_root(pkg, part, rb"<(?:([A-Za-z_][\w.-]*):)?sst\b[^>]*?(/?)>")
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
                    out.append(_si_chunk(pkg, part, data, prefix, fast))
                    continue
                pending.append(pool.submit(_si_chunk, pkg, part, data, prefix, fast))
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


def _si_chunk(pkg: Package, part: str, data: bytes, p: str, fast: bool) -> pl.Series:
    if b"<!" in data:
        raise XlsxParseError(f"{pkg.label}：{part} 含有本读取器不支持的 XML 结构（CDATA 或注释）")
    si, e = f"<{p}si>", re.escape(p)
    close = f"</{p}si>".encode()
    cut = data.rfind(close) + len(close) if close in data else 0
    tail = data[cut:].strip()
    if tail and not tail.startswith(f"</{p}sst>".encode()):
        raise XlsxParseError(f"{pkg.label}：{part} 中有未闭合的共享字符串")
    data = data[:cut]
    if p == "" and fast:
        fast = fast_si(data)
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
        bslice(v, pl.col("start"), pl.col("end") - pl.col("start")).cast(pl.String).alias("value"),
        (pl.col("start").is_not_null() & (bslice(v, pl.col("end")) == t_close)).fill_null(False).alias("fast"))
    value = df["value"]
    if not df["fast"].all():
        idx = df["fast"].not_().arg_true()
        item = df["v"].gather(idx).str.extract(rf"(?s)^(.*?)</{e}si>\s*$", 1)
        if item.null_count():
            raise XlsxParseError(f"{pkg.label}：{part} 中有无法识别的共享字符串")
        value = value.scatter(idx, rich_text(item, Markup(p)))
    return unescape(value)


