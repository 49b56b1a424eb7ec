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
    """Write into the workbook file ``source`` (None: a new workbook), saved as ``target``.

    ``read_as`` is the source's fingerprint when the job read it (:meth:`before_reading`): if the
    file was saved by someone else since, :meth:`write` writes nothing and says so.
    """

    source: Path | None
    target: Path
    backup: bool = True
    read_as: Any = None  # xlreports.excel.write.xlsx.save.Fingerprint

    @classmethod
    def before_reading(cls, source: Path | None, target: Path, *, backup: bool = True) -> "FileWriter":
        """The writer for a job that is about to read ``source``: the file's fingerprint is taken now.

        >>> import tempfile, pathlib
        >>> from xlreports.layout.spec import SheetSpec
        >>> book = pathlib.Path(tempfile.mkdtemp()) / "店铺.xlsx"
        >>> _ = FileWriter(None, book).write(WorkbookSpec([SheetSpec("汇总")]))
        >>> writer = FileWriter.before_reading(book, book)
        >>> _ = book.write_bytes(book.read_bytes() + b" ")   # saved elsewhere meanwhile
        >>> writer.write(WorkbookSpec([SheetSpec("汇总")]))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        xlreports.errors.ChangedMeanwhile: 店铺.xlsx：工作簿在计算期间被修改并保存过...
        """
        from xlreports.excel.write.xlsx.save import fingerprint

        exists = source is not None and Path(source).is_file()
        return cls(source, target, backup, fingerprint(Path(source)) if exists else None)

    def write(self, spec: WorkbookSpec) -> Path | None:
        from xlreports.excel.write.xlsx import write_sheets

        return write_sheets(self.source, Path(self.target), spec.sheets, remove=spec.remove, backup=self.backup,
                            adopt=spec.adopt, rename=spec.rename, read_as=self.read_as, arrange=spec.order,
                            activate=spec.active)


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
