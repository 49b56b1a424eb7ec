"""Dump every cell of a workbook (value, formula, style) to JSON, or compare two workbooks cell by cell.

Used to show that a refactor leaves the generated sheets unchanged:

    python scripts/sheet_snapshot.py dump book.xlsx snap.json
    python scripts/sheet_snapshot.py diff before.xlsx after.xlsx   # prints differences, exit 1 if any
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import openpyxl


def _style(cell) -> dict:
    f, fill, b, a, p = cell.font, cell.fill, cell.border, cell.alignment, cell.protection
    return {
        "fmt": cell.number_format,
        "font": [f.name, f.sz, f.b, f.i, f.u, getattr(f.color, "rgb", None) if f.color else None],
        "fill": [fill.fill_type, getattr(fill.fgColor, "rgb", None)],
        "border": [s.style if s else None for s in (b.left, b.right, b.top, b.bottom)],
        "align": [a.horizontal, a.vertical, a.wrap_text, a.indent, a.shrink_to_fit],
        "locked": p.locked,
    }


def snapshot(path: Path) -> dict:
    """Every sheet's cells, merges, sizes, validations, conditional formats and page set-up."""
    wb = openpyxl.load_workbook(path, keep_vba=path.suffix == ".xlsm")
    out = {"order": wb.sheetnames, "active": wb.active.title if wb.active else None,
           "names": sorted(f"{n}={d.attr_text}" for n, d in wb.defined_names.items()), "sheets": {}}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                v = c.value
                cells[c.coordinate] = {"v": v if isinstance(v, (int, float, str, bool, type(None))) else str(v),
                                       "t": c.data_type, **_style(c)}
        out["sheets"][ws.title] = {
            "state": ws.sheet_state,
            "cells": cells,
            "merges": sorted(str(m) for m in ws.merged_cells.ranges),
            "widths": {k: d.width for k, d in ws.column_dimensions.items() if d.width},
            "heights": {str(k): d.height for k, d in ws.row_dimensions.items() if d.height},
            "freeze": ws.freeze_panes,
            "validations": sorted(f"{dv.sqref}|{dv.type}|{dv.formula1}|{dv.formula2}|{dv.operator}"
                                  for dv in ws.data_validations.dataValidation),
            "cf": sorted(f"{rng.sqref}|{r.type}|{r.formula}|{r.operator}"
                         for rng in ws.conditional_formatting for r in rng.rules),
            "print": [ws.print_area, ws.print_title_rows, ws.print_title_cols, ws.page_setup.orientation,
                      ws.page_setup.paperSize, ws.page_setup.fitToWidth, ws.page_setup.fitToHeight,
                      ws.oddHeader.center.text, ws.oddFooter.center.text],
            "charts": len(ws._charts),
            "autofilter": ws.auto_filter.ref,
            "tab": getattr(ws.sheet_properties.tabColor, "rgb", None) if ws.sheet_properties.tabColor else None,
        }
    return out


def diff(a: dict, b: dict, limit: int = 40) -> list[str]:
    """Human-readable differences between two snapshots (first `limit`)."""
    found: list[str] = []
    for key in ("order", "active", "names"):
        if a[key] != b[key]:
            found.append(f"{key}: {a[key]!r} != {b[key]!r}")
    for name in sorted(set(a["sheets"]) | set(b["sheets"])):
        sa, sb = a["sheets"].get(name), b["sheets"].get(name)
        if sa is None or sb is None:
            found.append(f"{name}: only in {'after' if sa is None else 'before'}")
            continue
        for key in sa:
            if key == "cells":
                for ref in sorted(set(sa["cells"]) | set(sb["cells"])):
                    if sa["cells"].get(ref) != sb["cells"].get(ref):
                        found.append(f"{name}!{ref}: {sa['cells'].get(ref)} != {sb['cells'].get(ref)}")
            elif sa[key] != sb.get(key):
                found.append(f"{name} {key}: {sa[key]!r} != {sb.get(key)!r}")
    return found[:limit] + ([f"… {len(found) - limit} more"] if len(found) > limit else [])


def main(argv: list[str]) -> int:
    if argv[:1] == ["dump"]:
        Path(argv[2]).write_text(json.dumps(snapshot(Path(argv[1])), ensure_ascii=False, indent=0))
        return 0
    if argv[:1] == ["diff"]:
        load = lambda p: json.loads(Path(p).read_text()) if p.endswith(".json") else snapshot(Path(p))  # noqa: E731
        found = diff(load(argv[1]), load(argv[2]))
        print("\n".join(found) if found else "same, cell for cell")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
