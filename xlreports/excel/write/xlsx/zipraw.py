"""The output zip: whole members, raw copies of compressed members, and parallel-deflated streams.

The one module that touches :mod:`zipfile` internals (``_writecheck``, ``_didModify``,
``_FH_*``, ``start_dir``): the standard library can neither copy a member's compressed
bytes as they are nor take a member deflated elsewhere. Copying raw is why a run costs
what the new tabs cost (a 100 MB sheet is a file copy instead of ~3 s of zlib); deflating
on a second core while the next piece is formatted halves the time of a big sheet.

>>> import io, zipfile
>>> from concurrent.futures import ThreadPoolExecutor
>>> buf = io.BytesIO()
>>> with ThreadPoolExecutor(2) as pool, ZipOut(buf, pool) as out:
...     out.writestr("a.txt", "一")
...     s = out.stream("b.xml"); s.write("<x/>" * 3); s.close()
>>> zipfile.ZipFile(buf).read("b.xml")
b'<x/><x/><x/>'
"""
from __future__ import annotations

import struct
import time
import zipfile
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

from xlreports.errors import XlreportsError

try:  # ISA-L's deflate: the same format, ~3.5x less CPU than zlib's level 1 on sheet XML, as small
    from isal import isal_zlib as _fast_zlib
except ImportError:  # pragma: no cover - isal is a dependency; without it zlib does the same job slower
    _fast_zlib = zlib

__all__ = ["ZipOut", "DeflateStream", "ZIP32_LIMIT"]

# Deflate level of the sheets we write. Level 1 is ~3x faster than zlib's default 6 on
# sheet XML and the file is ~20 % bigger; Excel rewrites the zip on its next save anyway.
SHEET_LEVEL = 1
PART_LEVEL = 6
BLOCK_BYTES = 2 << 20  # deflated independently (sync-flushed), two at a time
MAX_PENDING = 8  # blocks being deflated while the next batch is formatted
ZIP32_LIMIT = (1 << 32) - 1


class ZipOut:
    """A zip being written (a path or a binary file): whole members, raw copies, and streams."""

    def __init__(self, file, pool: ThreadPoolExecutor):
        self.zip = zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED, compresslevel=PART_LEVEL)
        self.pool = pool

    def __enter__(self) -> "ZipOut":
        return self

    def __exit__(self, *exc) -> None:
        self.zip.close()

    def writestr(self, name: str, data: bytes | str) -> None:
        """A whole member, deflated at the parts' level."""
        info = zipfile.ZipInfo(name, time.localtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        self.zip.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)

    def _begin(self, info: zipfile.ZipInfo, zip64: bool) -> None:
        zf = self.zip
        zf.fp.seek(zf.start_dir)
        info.header_offset = zf.fp.tell()
        zf._writecheck(info)
        zf._didModify = True
        zf.fp.write(info.FileHeader(zip64))

    def _end(self, info: zipfile.ZipInfo, zip64: bool, patch: bool) -> None:
        zf = self.zip
        zf.start_dir = zf.fp.tell()
        if patch:
            zf.fp.seek(info.header_offset)
            zf.fp.write(info.FileHeader(zip64))
            zf.fp.seek(zf.start_dir)
        zf.filelist.append(info)
        zf.NameToInfo[info.filename] = info

    def copy_raw(self, raw: BinaryIO, src: zipfile.ZipInfo) -> None:
        """Copy one member of the zip open as ``raw`` (``src`` its entry): no inflate, no deflate.

        The member is byte-identical by construction; CRC and sizes come from ``src``.
        """
        raw.seek(src.header_offset)
        header = raw.read(zipfile.sizeFileHeader)
        fields = struct.unpack(zipfile.structFileHeader, header)
        if fields[0] != zipfile.stringFileHeader:
            raise zipfile.BadZipFile(f"bad local header for {src.filename}")
        raw.seek(fields[zipfile._FH_FILENAME_LENGTH] + fields[zipfile._FH_EXTRA_FIELD_LENGTH], 1)
        info = zipfile.ZipInfo(src.filename, src.date_time)
        info.compress_type = src.compress_type
        info.CRC = src.CRC
        info.compress_size = src.compress_size
        info.file_size = src.file_size
        info.external_attr = src.external_attr
        info.create_system = src.create_system
        info.flag_bits = src.flag_bits & ~0x08  # sizes are in our header: no data descriptor
        info.extra = b""
        zip64 = src.file_size > ZIP32_LIMIT or src.compress_size > ZIP32_LIMIT
        self._begin(info, zip64)
        left = src.compress_size
        fp = self.zip.fp
        while left:
            block = raw.read(min(left, 1 << 20))
            if not block:
                raise zipfile.BadZipFile(f"{src.filename} is truncated")
            fp.write(block)
            left -= len(block)
        self._end(info, zip64, patch=False)

    def stream(self, name: str) -> "DeflateStream":
        """A member written in pieces (see :class:`DeflateStream`)."""
        return DeflateStream(self, name)


def _deflate(data, level: int) -> bytes:
    """One independently deflated, sync-flushed piece; pieces concatenate (as pigz does).

    Level 1 (our sheets) through ISA-L when installed, any other level through zlib.
    """
    z = _fast_zlib if level == 1 else zlib
    c = z.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)


class DeflateStream:
    """A zip member written in pieces; pieces are deflated on the pool while the next is built.

    Nothing else may be written to the zip until :meth:`close`.
    """

    def __init__(self, out: ZipOut, name: str, level: int = SHEET_LEVEL):
        self.out = out
        self.level = level
        info = self.info = zipfile.ZipInfo(name, time.localtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        info.flag_bits = 0
        info.file_size = info.compress_size = info.CRC = 0
        out._begin(info, False)
        self._parts: list = []
        self._buffered = 0
        self._pending: deque = deque()
        self._crc = 0
        self._size = 0
        self._csize = 0

    def write(self, data) -> None:
        """Append text (UTF-8) or bytes."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not data:
            return
        if len(data) >= BLOCK_BYTES:  # a polars batch: cut it into blocks, no copy
            self._flush_parts()
            view = memoryview(data)
            for start in range(0, len(view), BLOCK_BYTES):
                self._submit(view[start:start + BLOCK_BYTES])
            return
        self._parts.append(data)
        self._buffered += len(data)
        if self._buffered >= BLOCK_BYTES:
            self._flush_parts()

    def _flush_parts(self) -> None:
        if self._parts:
            data = b"".join(self._parts)
            self._parts.clear()
            self._buffered = 0
            self._submit(data)

    def _submit(self, data) -> None:
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)
        self._pending.append(self.out.pool.submit(_deflate, data, self.level))
        while len(self._pending) > MAX_PENDING:
            self._drain_one()

    def _drain_one(self) -> None:
        piece = self._pending.popleft().result()
        self.out.zip.fp.write(piece)
        self._csize += len(piece)

    def close(self) -> None:
        """Finish the member: the last block, then CRC and sizes patched into its header."""
        self._flush_parts()
        while self._pending:
            self._drain_one()
        tail = zlib.compressobj(self.level, zlib.DEFLATED, -15).flush()  # the final block
        self.out.zip.fp.write(tail)
        self._csize += len(tail)
        if self._size > ZIP32_LIMIT or self._csize > ZIP32_LIMIT:
            raise XlreportsError(f"{self.info.filename} 超过 4 GB，Excel 无法打开")
        self.info.CRC = self._crc
        self.info.file_size = self._size
        self.info.compress_size = self._csize
        self.out._end(self.info, False, patch=True)
