"""Did a spreadsheet program compute what the engine computed? Shared by the LibreOffice and Gnumeric tests.

Our writers store the engine's figure as each formula's cached value, so a program that merely
loads and saves the file would "agree" without computing anything. :func:`poisoned` therefore
makes a copy whose formula cells cache a wrong number first; a value read back after the
program recalculated that copy was computed by the program.

    poisoned(path, outdir) -> (copy, count)          formula caches replaced by POISON
    compare_formulas(book, recalculated) -> (n, mismatches)
    assert_all_equal(book, recalculated, program) -> n   every formula cell equal, or a listing
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

from xlreports.a1 import addr
from xlreports.layout.spec import WorkbookSpec

__all__ = ["POISON", "poisoned", "equal", "compare_formulas", "assert_all_equal"]

POISON = "-987654.25"
_FORMULA_CELL = re.compile(r"<c\b([^>]*)>(<f\b[^>]*>.*?</f>)<v>[^<]*</v>", re.S)


def poisoned(path: Path, outdir: Path) -> tuple[Path, int]:
    """A copy of ``path`` in ``outdir`` whose formula cells cache POISON; and how many were poisoned."""
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / path.name
    count = 0

    def poison(m: re.Match) -> str:
        nonlocal count
        count += 1
        attrs = re.sub(r'\s+t="[^"]*"', "", m.group(1))
        return f"<c{attrs}>{m.group(2)}<v>{POISON}</v>"

    with zipfile.ZipFile(path) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", item.filename):
                data = _FORMULA_CELL.sub(poison, data.decode("utf-8")).encode("utf-8")
            dst.writestr(item, data)
    return target, count


def equal(expected, got) -> bool:
    """Engine value vs. recalculated cell: numbers within 1e-9, text exactly, None/"" ≡ empty."""
    if expected in (None, "") and got in (None, ""):
        return True
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected == got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return abs(expected - got) <= 1e-9
    return type(expected) is type(got) and expected == got


def compare_formulas(book: WorkbookSpec, recalculated: Path) -> tuple[int, list[tuple]]:
    """Compare every formula cell of ``book`` with the value the program computed at the same address."""
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    compared, mismatches = 0, []
    for spec in book.sheets:
        assert spec.name in wb.sheetnames, f"sheet {spec.name!r} missing from {recalculated.name}"
        ws = wb[spec.name]
        for (r, c), cell in sorted(spec.cells.items()):
            if cell.formula is None:
                continue
            compared += 1
            got = ws.cell(r, c).value
            if not equal(cell.value, got):
                mismatches.append((spec.name, addr(r, c), cell.value, got, cell.formula))
    return compared, mismatches


def assert_all_equal(book: WorkbookSpec, recalculated: Path, program: str = "LibreOffice") -> int:
    """Every formula cell of ``book`` equals ``program``'s value; returns how many were compared."""
    compared, mismatches = compare_formulas(book, recalculated)
    shown = "\n".join(f"{s}!{a}: expected {e!r}, got {g!r}   {f}" for s, a, e, g, f in mismatches[:40])
    assert not mismatches, f"{program}: {len(mismatches)} of {compared} formula cells differ:\n{shown}"
    return compared
