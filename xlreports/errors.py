"""Errors that say where: every problem names the sheet, the cell and what was expected.

A reader collects all problems of a sheet before raising, so a user fixes
them in one pass instead of one per run.

>>> p = Problem("客服数据", "D7", "应为数字", found="abc")
>>> str(p)
'客服数据!D7: 应为数字（实际为 "abc"）'
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Problem:
    """One located problem in the user's input."""

    sheet: str
    cell: str | None  # "D7", "D" (a whole column), "7" (a whole row) or None (the sheet)
    message: str  # what was expected, in the user's language
    found: object = None
    severity: str = "error"  # "error" stops the run; "warning" is reported and the run goes on

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        text = f"{where}: {self.message}"
        if self.found not in (None, ""):
            text += f"（实际为 \"{self.found}\"）"
        return text


class XlreportsError(Exception):
    """Base of every error the command line reports without a traceback."""


class InputErrors(XlreportsError):
    """One or more located problems; raised after a whole sheet was checked.

    >>> e = InputErrors([Problem("客服数据", "B3", "缺少客服名称")])
    >>> e.problems[0].cell
    'B3'
    """

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def raise_if_errors(problems: Iterable[Problem]) -> None:
    """Raise InputErrors when any problem is an error (warnings pass)."""
    problems = list(problems)
    if any(p.severity == "error" for p in problems):
        raise InputErrors([p for p in problems if p.severity == "error"])


class FileProblem(XlreportsError):
    """A workbook file that cannot be read or replaced; the message says which file and what to do.

    >>> e = FileLocked("店铺.xlsx", "文件正被 Excel 打开，请关闭后重试")
    >>> (isinstance(e, XlreportsError), e.path, str(e))
    (True, '店铺.xlsx', '店铺.xlsx：文件正被 Excel 打开，请关闭后重试')
    """

    def __init__(self, path, message: str):
        self.path = str(path)
        super().__init__(f"{path}：{message}")


class NotAWorkbook(FileProblem):
    """The file is not an .xlsx/.xlsm/.csv the program can read (wrong type, encrypted, damaged)."""


class FileLocked(FileProblem):
    """Another program holds the file (open in Excel/WPS, or another run is writing it)."""


class NoSpace(FileProblem):
    """The disk is full or the folder is read-only: nothing was replaced."""
