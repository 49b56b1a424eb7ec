"""Write sheet specs straight into an .xlsx/.xlsm package, without loading the workbook.

Loading a whole workbook to save it again costs minutes and gigabytes with a customer
archive of 270,000 rows in it. This writer works on the zip instead, so a run costs what
the *new* tabs cost:

* every part of the source that is not touched — other sheets, ``xl/vbaProject.bin``,
  pivot caches, images, the ribbon — is copied as its compressed bytes, unread
  (:mod:`~xlreports.excel.write.xlsx.zipraw`);
* the workbook-level parts are edited as text, entries added, none renumbered
  (:mod:`~xlreports.excel.write.xlsx.workbook`, :mod:`~xlreports.excel.write.xlsx.styles`);
* each spec sheet is streamed as XML, big tables formatted by polars and deflated on a
  second core (:mod:`~xlreports.excel.write.xlsx.sheet`, :mod:`~xlreports.excel.write.xlsx.cells`),
  with its charts and comments (:mod:`~xlreports.excel.write.xlsx.drawings`);
* the file is replaced atomically after a backup (:mod:`~xlreports.excel.write.xlsx.save`).

Which tabs are replaced, their order, the active tab, sheet-name rules and how values become
cells are decided by :mod:`xlreports.excel.write.plan`, shared with the other writers.

>>> import tempfile, pathlib, openpyxl
>>> from xlreports.layout.spec import SheetSpec, HEADER
>>> s = SheetSpec("汇总"); _ = s.set(1, 1, "客服", style=HEADER); _ = s.set(2, 1, "=1+1")
>>> target = pathlib.Path(tempfile.mkdtemp()) / "报表.xlsx"
>>> write_sheets(None, target, [s]) is None        # nothing to back up yet
True
>>> ws = openpyxl.load_workbook(target)["汇总"]
>>> ws["A2"].value, ws["A2"].data_type              # buyer text stays text
('=1+1', 's')
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable

from xlreports.excel.write.plan import check_sheet_names
from xlreports.excel.write.xlsx.package import Package
from xlreports.excel.write.xlsx.parts import PackagePlan
from xlreports.excel.write.xlsx.save import Fingerprint, fingerprint, save_atomically
from xlreports.excel.write.xlsx.zipraw import ZipOut
from xlreports.layout.spec import SheetSpec

__all__ = ["write_sheets"]


def write_sheets(source: Path | None, target: Path, sheets: list[SheetSpec], *,
                 remove: Iterable[str] = (), backup: bool = True,
                 cached: dict[str, dict[str, object]] | None = None, adopt: Iterable[str] | None = None,
                 rename: dict[str, str] | None = None, read_as: Fingerprint | None = None,
                 arrange: list[str] | None = None, activate: str | None = None) -> Path | None:
    """Write ``sheets`` into the workbook ``source`` (None: a new one), saved as ``target``.

    Each sheet replaces an existing sheet of the same name (case-insensitive, as in
    Excel) in place; new sheets go at the end; sheets named in ``remove`` are deleted.
    Everything else in ``source`` is carried over byte for byte. ``target`` is
    replaced atomically, after a backup of it (unless ``backup=False``); the backup's
    path is returned (None when there was nothing to back up). ``cached`` (sheet →
    cell address → value) overrides the cached results stored with formulas. With ``adopt``
    (a list, the jobs' :class:`~xlreports.excel.write.FileWriter` always passes one) only tabs
    xlreports wrote are replaced or removed: ``adopt`` names those an earlier version wrote
    (:func:`~xlreports.excel.write.plan.owned_tabs`); None: this primitive replaces any tab.
    ``rename``: existing tabs kept under new names. ``read_as``: the source's fingerprint when
    the job read it; when ``target`` is the source and its content differs now, nothing is
    written (without it, the file as opened here is the reference). ``arrange`` / ``activate``:
    the tabs' order and the active tab (:func:`~xlreports.excel.write.plan.plan_tabs`).

    >>> import tempfile, pathlib
    >>> from xlreports.layout.spec import SheetSpec
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_sheets(None, folder / "a.xlsx", [SheetSpec("一"), SheetSpec("二")])
    >>> backup = write_sheets(folder / "a.xlsx", folder / "a.xlsx", [SheetSpec("三")], remove=["一"])
    >>> import openpyxl; openpyxl.load_workbook(folder / "a.xlsx").sheetnames
    ['二', '三']
    >>> backup.name.startswith("a.bak-")
    True
    """
    target = Path(target)
    source = Path(source) if source is not None else None
    sheets = list(sheets)
    check_sheet_names(s.name for s in sheets)
    for spec in sheets:
        if spec.state not in ("visible", "hidden", "veryHidden"):
            raise ValueError(f"unknown sheet state {spec.state!r}")
    same_file = source is not None and target.exists() and _same_file(source, target)
    with Package.open(source) as package:
        unchanged = (source, read_as or fingerprint(source)) if same_file else None
        plan = PackagePlan(package, sheets, [str(n) for n in remove], target, adopt=None if adopt is None else list(adopt),
                           rename=rename, arrange=arrange, activate=activate)

        def write(temp: Path) -> None:
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="xlsx-deflate") as pool:
                with ZipOut(temp, pool) as out:
                    plan.write(out, cached or {})

        return save_atomically(target, write, backup=backup, unchanged=unchanged)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False
