"""One run of a job on a workbook: lock, read and plan, then write — the frame every writing job shares.

The run holds the workbook's run lock from before the read until after the write; the writer takes the
file's fingerprint before the read, so what staff save in Excel meanwhile is never overwritten.

>>> import tempfile, pathlib
>>> from types import SimpleNamespace
>>> from xlreports.layout.spec import SheetSpec, WorkbookSpec
>>> book = pathlib.Path(tempfile.mkdtemp()) / "店铺.xlsx"
>>> plan = lambda wb: (SimpleNamespace(timings={}), WorkbookSpec([SheetSpec("汇总")]))
>>> r = run_on_book(book, None, plan, command="demo", backup=False)
>>> r.output == book, book.exists(), list(r.timings)
(True, True, ['写入'])
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, TypeVar

from xlreports.errors import XlreportsError
from xlreports.excel.read.source import WorkbookRows
from xlreports.excel.write import FileWriter, Writer
from xlreports.excel.write.lock import run_lock
from xlreports.jobs.timing import PhaseClock
from xlreports.layout.spec import WorkbookSpec

R = TypeVar("R")


def run_on_book(book: str | Path, out: str | Path | None, plan: Callable[[WorkbookRows | None], tuple[R, WorkbookSpec]],
                *, command: str, backup: bool = True, writer: Writer | None = None) -> R:
    """``plan(wb)`` on ``book`` (``wb`` None when the file does not exist yet), then its spec written with
    ``writer`` (default: the zip-level writer into ``out`` or the book itself). The report ``plan``
    returns gets ``output``, ``backup`` (the backup file, if any) and the 写入 lap in ``timings``."""
    book = Path(book)
    output = Path(out) if out else book
    with run_lock(output, command=command):
        exists = book.exists()
        if exists and book.suffix.lower() not in (".xlsx", ".xlsm"):
            raise XlreportsError(f"{book.name} 不是 Excel 工作簿（.xlsx/.xlsm）")
        writer = writer or FileWriter.before_reading(book if exists else None, output, backup=backup)
        if exists:
            with WorkbookRows(book) as wb:
                report, spec = plan(wb)
        else:
            report, spec = plan(None)
        clock = PhaseClock()
        report.output = output
        report.backup = writer.write(spec)
        clock.tick("写入")
    report.timings.update(clock.laps)
    return report
