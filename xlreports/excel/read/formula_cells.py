"""Which cells of a sheet hold a formula, read from the sheet XML of an .xlsx file.

The rows readers give cached values only (what a formula showed when the file was saved), so a
number typed over a generated formula and the formula itself look alike. This reads the ``<f>``
elements of one sheet — only for our small generated sheets (forms, 工资表, 考核汇总), never for
order exports — without the shared strings or styles: one streaming XML pass over the sheet part.

>>> import tempfile, pathlib, openpyxl
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"
>>> wb = openpyxl.Workbook(); ws = wb.active; ws.title = "工资表"
>>> ws["A1"], ws["B2"], ws["C2"] = "客服", "=1+1", 5
>>> wb.save(p)
>>> read_formulas(p, "工资表")
{(2, 2): '=1+1'}
"""
from __future__ import annotations

from xml.etree import ElementTree as ET

from xlreports.a1 import column_index
from xlreports.excel.read.xlsx_scan.package import Package, XlsxFormatError

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _split_ref(ref: str) -> tuple[int | None, int | None]:
    """"F9" → (9, 6); a ref without its row or column gives None for it."""
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    return (int(digits) if digits else None), (column_index(letters) if letters else None)


def formulas_of(pkg: Package, sheet: str) -> dict[tuple[int, int], str]:
    """``(row, col)`` (1-based) → formula text ("=…"; "=" alone for a shared formula's follower, whose
    text lives in another cell) of every formula cell of ``sheet`` in an open package."""
    out: dict[tuple[int, int], str] = {}
    row = col = 0
    cell: tuple[int, int] | None = None
    with pkg.open(pkg.sheet_part(sheet)) as f:
        try:
            for event, el in ET.iterparse(f, events=("start", "end")):
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
        except ET.ParseError:
            raise pkg.corrupt(pkg.sheet_part(sheet)) from None
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
