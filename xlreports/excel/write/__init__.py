"""Writers: where a job's sheets go. A job plans (reads, checks, computes, lays out) and hands the
:class:`~xlreports.layout.spec.WorkbookSpec` to whichever writer its caller chose:

* :class:`FileWriter` — the zip-level writer (:mod:`xlreports.excel.write.xlsx`): a workbook file,
  untouched parts copied byte for byte, replaced atomically with a backup (the command line);
* :class:`LiveWriter` — an open Excel workbook through xlwings (:mod:`xlreports.excel.write.live`;
  the add-in).

Both take their shared decisions (which tabs, their order, the active tab, names, how a value
becomes a cell) from :mod:`xlreports.excel.write.plan`.

>>> import tempfile, pathlib
>>> from xlreports.layout.spec import SheetSpec, WorkbookSpec
>>> target = pathlib.Path(tempfile.mkdtemp()) / "店铺.xlsx"
>>> FileWriter(None, target).write(WorkbookSpec([SheetSpec("汇总")])) is None   # nothing to back up
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from xlreports.layout.spec import WorkbookSpec


class Writer(Protocol):
    """Replaces the spec's sheets (and removes ``spec.remove``) in one workbook — only tabs xlreports
    wrote (:func:`~xlreports.excel.write.plan.owned_tabs`), else it stops with nothing written;
    returns the backup it made, or None."""

    def write(self, spec: WorkbookSpec) -> Path | None: ...


@dataclass
class FileWriter:
    """Write into the workbook file ``source`` (None: a new workbook), saved as ``target``."""

    source: Path | None
    target: Path
    backup: bool = True

    def write(self, spec: WorkbookSpec) -> Path | None:
        from xlreports.excel.write.xlsx import write_sheets

        return write_sheets(self.source, Path(self.target), spec.sheets, remove=spec.remove, backup=self.backup,
                            adopt=spec.adopt, rename=spec.rename)


@dataclass
class LiveWriter:
    """Render into an open xlwings ``book``; ``skipped`` lists what this platform could not set
    (page set-up and other COM-only details on macOS)."""

    book: Any
    com: bool | None = None
    progress: Callable[[str], None] | None = None
    skipped: list[str] = field(default_factory=list)

    def write(self, spec: WorkbookSpec) -> None:
        from xlreports.excel.write.live import apply_workbook_spec

        self.skipped = apply_workbook_spec(self.book, spec, com=self.com, progress=self.progress,
                                           owned_only=True).skipped
        return None
