"""Store the engine's value with each formula in a saved .xlsx, as Excel itself does.

openpyxl writes ``<f>…</f><v/>``: a formula with no cached value. Excel and WPS
recalculate on open, but readers that do not calculate (pandas, openpyxl with
data_only=True, previewers, mobile apps) then see empty cells. Every formula
cell of a sheet spec already carries the figure the engine computed — the same
one the LibreOffice tests prove the formula gives — so it is written in as the
cached value. The workbook is also flagged to recalculate fully on load.

>>> _cached_xml(7.5)
('', '<v>7.5</v>')
>>> _cached_xml("无数据")
(' t="str"', '<v>无数据</v>')
"""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from xlreports.a1 import addr
from xlreports.layout.spec import WorkbookSpec

# Formula text never holds a raw "<" (XML escapes it), so [^<]* keeps the scan linear; openpyxl
# writes an empty value as <v/> with its own writer and as <v></v> with lxml.
_EMPTY_FORMULA = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f><v\s*(?:/>|></v>)</c>')
_SHEET = re.compile(r'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"')
_REL = re.compile(r'<Relationship [^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"|'
                  r'<Relationship [^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"')


def formula_values(book: WorkbookSpec) -> dict[str, dict[str, object]]:
    """Sheet name → {cell address → engine value} for every formula cell with a value."""
    out: dict[str, dict[str, object]] = {}
    for sheet in book.sheets:
        values = {addr(r, c): cell.value for (r, c), cell in sheet.cells.items()
                  if cell.formula and cell.value is not None}
        if values:
            out[sheet.name] = values
    return out


def _cached_xml(value: object) -> tuple[str, str]:
    """(extra cell attributes, <v> element) for a cached value."""
    if isinstance(value, bool):
        return ' t="b"', f"<v>{int(value)}</v>"
    if isinstance(value, (int, float)):
        return "", f"<v>{float(value)!r}</v>" if isinstance(value, float) else f"<v>{value}</v>"
    return ' t="str"', f"<v>{escape(str(value))}</v>"


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → part name inside the zip, from workbook.xml and its relationships."""
    from html import unescape

    workbook = archive.read("xl/workbook.xml").decode("utf-8")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {}
    for m in _REL.finditer(rels):
        rid, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        targets[rid] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return {unescape(name): targets[rid] for name, rid in _SHEET.findall(workbook) if rid in targets}


def inject_cached_values(path: str | Path, values: dict[str, dict[str, object]]) -> int:
    """Write cached values into the formula cells of a saved workbook, in place; returns how many."""
    path = Path(path)
    tmp = path.with_name(path.name + ".cache.tmp")
    count = 0
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        parts = {part: values[name] for name, part in _sheet_paths(src).items() if name in values}
        for item in src.infolist():
            data = src.read(item.filename)
            sheet_values = parts.get(item.filename)
            if sheet_values:
                def fill(m: re.Match) -> str:
                    nonlocal count
                    value = sheet_values.get(m.group(1))
                    if value is None:
                        return m.group(0)
                    count += 1
                    attrs, v = _cached_xml(value)
                    return f'<c r="{m.group(1)}"{m.group(2)}{attrs}><f>{m.group(3)}</f>{v}</c>'

                data = _EMPTY_FORMULA.sub(fill, data.decode("utf-8")).encode("utf-8")
            dst.writestr(item, data, compress_type=item.compress_type)
    shutil.move(tmp, path)
    return count
