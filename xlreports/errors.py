"""Errors that say where: every problem names the sheet, the cell and what was expected.

A reader collects all problems of a sheet before raising, so a user fixes
them in one pass instead of one per run.

>>> p = Problem("客服数据", "D7", "应为数字", found="abc")
>>> str(p)
'客服数据!D7: 应为数字（实际为 "abc"）'
"""
from __future__ import annotations

import errno
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
    """The disk is full (or the user's quota is used up): nothing was replaced."""


class ReadOnly(FileProblem):
    """The folder or its disk cannot be written (read-only file system, no permission): nothing was replaced."""


class ChangedMeanwhile(FileProblem):
    """The workbook was saved by someone else (Excel, WPS, another run) after this run read it: nothing was
    written, so their edits are kept."""


def os_problem(exc: OSError, path) -> FileProblem:
    """The project's error for an operating-system failure while writing ``path``, in Chinese.

    >>> import errno
    >>> str(os_problem(OSError(errno.ENOSPC, "No space left on device"), "店铺.xlsx"))
    '店铺.xlsx：磁盘空间不足，未保存；原文件没有改动'
    >>> type(os_problem(OSError(errno.EROFS, "Read-only file system"), "共享盘")).__name__
    'ReadOnly'
    """
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return NoSpace(path, "磁盘空间不足，未保存；原文件没有改动")
    if code == errno.EROFS:
        return ReadOnly(path, "所在的磁盘或共享文件夹是只读的，未保存；原文件没有改动。"
                              "请把工作簿复制到可以写入的文件夹，或用 -o 另存到别处")
    if code in (errno.EACCES, errno.EPERM):
        return ReadOnly(path, "没有写入此文件夹的权限，未保存；原文件没有改动。"
                              "请检查文件夹权限，或用 -o 另存到别处")
    if code == errno.EISDIR:
        return NotAWorkbook(path, "是一个文件夹，不是工作簿文件；请给出文件名，例如 店铺.xlsx")
    if code == errno.ENOENT:
        return FileProblem(path, "找不到文件或文件夹，未保存；原文件没有改动")
    return FileProblem(path, f"操作系统报告错误（{exc.strerror or exc}），未保存；原文件没有改动")
