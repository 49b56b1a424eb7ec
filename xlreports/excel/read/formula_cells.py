"""Which cells of a sheet hold a formula, read from the sheet XML of an .xlsx file.

The rows readers give cached values only (what a formula showed when the file was saved), so a
number typed over a generated formula and the formula itself look alike. This reads the ``<f>``
elements of one sheet — only for our small generated sheets (forms, 工资表, 考核汇总), never for
order exports — without the shared strings or styles: one pass over the sheet part.

>>> import tempfile, pathlib, openpyxl
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"
>>> wb = openpyxl.Workbook(); ws = wb.active; ws.title = "工资表"
>>> ws["A1"], ws["B2"], ws["C2"] = "客服", "=1+1", 5
>>> wb.save(p)
>>> read_formulas(p, "工资表")
{(2, 2): '=1+1'}
"""
from __future__ import annotations

import io
import re
from xml.etree import ElementTree as ET
from xml.sax.saxutils import unescape

from xlreports.a1 import column_index
from xlreports.excel.read.xlsx_scan.package import Package, XlsxFormatError

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _split_ref(ref: str) -> tuple[int | None, int | None]:
    """"F9" → (9, 6); a ref without its row or column gives None for it."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    return (int(digits) if digits else None), (column_index(letters) if letters else None)


_CELL = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3})([0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_ANY_CELL = re.compile(rb"<c[\s>/]")
_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def formulas_of(pkg: Package, sheet: str) -> dict[tuple[int, int], str]:
    """``(row, col)`` (1-based) → formula text ("=…"; "=" alone for a shared formula's follower, whose
    text lives in another cell) of every formula cell of ``sheet`` in an open package.

    Canonical XML (every cell with its r=, no prefixes: what Excel, LibreOffice and our writer save)
    is cut with regular expressions; anything else is parsed element by element."""
    part = pkg.sheet_part(sheet)
    data = pkg.read(part)
    found = _CELL.findall(data)
    if len(found) == len(_ANY_CELL.findall(data)):
        out = {}
        for letters, digits, body in found:
            f = _FORMULA.search(body) if b"<f" in body else None
            if f is not None:
                text = unescape((f.group(1) or b"").decode("utf-8"), _ENTITIES)
                out[(int(digits), column_index(letters.decode()))] = "=" + text
        return out
    try:
        return _parse(data)
    except ET.ParseError:
        raise pkg.corrupt(part) from None


def _parse(data: bytes) -> dict[tuple[int, int], str]:
    """The same, element by element: rows and cells without r= follow on from the previous one."""
    out: dict[tuple[int, int], str] = {}
    row = col = 0
    cell: tuple[int, int] | None = None
    for event, el in ET.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = _local(el.tag)
        if event == "start":
            if tag == "row":
                r = el.get("r")
                row, col = (int(r) if r and r.isdigit() else row + 1), 0
            elif tag == "c":
                r, c = _split_ref(el.get("r") or "")
                row = r or row
                col = c or col + 1
                cell = (row, col)
            continue
        if tag == "f" and cell is not None:
            out[cell] = "=" + (el.text or "")
        elif tag == "c":
            cell = None
            el.clear()
        elif tag == "row":
            el.clear()
    return out


def read_formulas(path, sheet: str) -> dict[tuple[int, int], str]:
    """The formula cells of one sheet of an .xlsx file (see :func:`formulas_of`); XlsxFormatError
    (an XlreportsError naming the file) when the file or the sheet cannot be read."""
    pkg = Package(path)
    try:
        return formulas_of(pkg, sheet)
    finally:
        pkg.close()


__all__ = ["Package", "XlsxFormatError", "formulas_of", "read_formulas"]
