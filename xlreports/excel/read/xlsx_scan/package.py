"""The zip package of an .xlsx: its sheet list, its parts, and parts streamed in chunks of whole elements.

Part of :mod:`xlreports.excel.read.xlsx_scan` (private to it). Every failure is an
:class:`XlsxFormatError` naming the file.
"""
from __future__ import annotations

import posixpath
import queue
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

from xlreports.errors import XlreportsError
from xlreports.excel.ooxml import parse_rels, rels_path

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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class Package:
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
        rels_part = rels_path(part)
        if not self.has(rels_part):
            if part:
                raise self._missing(rels_part)
            return {}
        try:
            xml = self.read(rels_part).decode("utf-8")
        except UnicodeDecodeError:
            raise self.corrupt(rels_part) from None
        return {r.id: (r.part, r.type) for r in parse_rels(xml.replace("\\", "/"), part) if r.part is not None}

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

    def __init__(self, pkg: Package, part: str, end_tag: bytes, chunk_size: int):
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


