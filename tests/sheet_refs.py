"""Does every ``<row>`` and ``<c>`` of a worksheet part say where it is?

The references are optional in the file format, but programs differ in how they place cells
without them (Gnumeric dropped most of a table's cells), so we write them all.

    reference_problems(xml) -> (cells, problems)     one worksheet part
    worksheet_parts(path) -> {part name: bytes}      every worksheet of an .xlsx
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from xlreports.a1 import split_cell

__all__ = ["MAIN", "reference_problems", "worksheet_parts"]

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW, _CELL = f"{{{MAIN}}}row", f"{{{MAIN}}}c"


def reference_problems(xml: bytes) -> tuple[int, list[str]]:
    """How many cells the part has, and each row or cell whose reference is missing or out of place.

    Rows must go down and cells right, each cell in its row: that is where Excel puts them.
    """
    cells, problems = 0, []
    row, last_row, last_col = None, 0, 0
    for _, el in ElementTree.iterparse(io.BytesIO(xml), events=("start",)):
        if el.tag == _ROW:
            r = el.get("r")
            row = int(r) if r is not None and r.isdigit() else None
            if row is None or row <= last_row:
                problems.append(f"row after row {last_row} has r={r!r}")
            last_row, last_col = row or last_row, 0
        elif el.tag == _CELL:
            cells += 1
            ref = el.get("r")
            where = split_cell(ref) if ref is not None and re.fullmatch(r"[A-Z]{1,3}[1-9][0-9]*", ref) else None
            if where is None or where[0] != row or where[1] <= last_col:
                problems.append(f"cell after column {last_col} of row {row} has r={ref!r}")
            else:
                last_col = where[1]
    return cells, problems


def worksheet_parts(path: Path) -> dict[str, bytes]:
    """Every worksheet part of the .xlsx at ``path``, by part name."""
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()
                if re.fullmatch(r"xl/worksheets/[^/]+\.xml", name)}
