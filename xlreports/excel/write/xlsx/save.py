"""Replace a workbook file without ever losing the user's data.

The new file is written to a temporary file beside the target, flushed to disk, and swapped
in with one atomic ``os.replace``: a crash, a full disk or an exception half-way leaves the
original as it was. The original is kept as a timestamped backup first (a hard link where
the file system allows: free). If the source changed on disk since it was read (someone
saved it in Excel meanwhile), nothing is replaced.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "报表.xlsx"
>>> save_atomically(target, lambda temp: temp.write_bytes(b"one")) is None   # nothing to back up
True
>>> backup = save_atomically(target, lambda temp: temp.write_bytes(b"two"))
>>> backup.name.startswith("报表.bak-"), backup.read_bytes(), target.read_bytes()
(True, b'one', b'two')
"""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Callable

from xlreports.errors import FileLocked, NoSpace, NotAWorkbook, XlreportsError

__all__ = ["save_atomically", "backup_path", "fingerprint", "not_a_workbook", "check_target",
           "WORKBOOK_SUFFIXES", "MACRO_SUFFIXES"]

MACRO_SUFFIXES = {".xlsm", ".xltm"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
# Encrypted workbooks and old .xls files are OLE compound files, not zips.
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

Fingerprint = tuple[str, int, int]


def not_a_workbook(path: Path, detail: str | None = None) -> NotAWorkbook:
    """The error for a file that is not an .xlsx/.xlsm, naming the usual culprits.

    >>> str(not_a_workbook(Path("客服数据.csv")))
    '客服数据.csv：不是 Excel 工作簿（.xlsx/.xlsm）'
    """
    return NotAWorkbook(path.name, f"不是 Excel 工作簿（.xlsx/.xlsm）{_hint(path) if detail is None else detail}")


def _hint(path: Path) -> str:
    """An encrypted workbook or an old .xls renamed: both are OLE files."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError:
        return ""
    if head == OLE_MAGIC:
        return "：它可能设置了打开密码，或是由旧版 .xls 改名而来，请在 Excel 中另存为 .xlsx"
    return ""


def check_target(target: Path, has_macros: bool) -> None:
    """Excel refuses a macro workbook named .xlsx (and the reverse), so stop before writing.

    >>> check_target(Path("考核.xlsx"), has_macros=True)
    Traceback (most recent call last):
    ...
    xlreports.errors.XlreportsError: 工作簿含有宏，不能保存为 考核.xlsx，请使用 .xlsm 文件名
    """
    suffix = target.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES:
        raise not_a_workbook(target, "")
    if has_macros and suffix not in MACRO_SUFFIXES:
        raise XlreportsError(f"工作簿含有宏，不能保存为 {target.name}，请使用 .xlsm 文件名")
    if not has_macros and suffix in MACRO_SUFFIXES:
        raise XlreportsError(f"工作簿不含宏，不能保存为 {target.name}，请使用 .xlsx 文件名")


def fingerprint(path: Path) -> Fingerprint:
    """What identifies a version of a file: path, modification time and size."""
    stat = path.stat()
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def save_atomically(target: Path, write: Callable[[Path], object], *, backup: bool = True,
                    unchanged: tuple[Path, Fingerprint] | None = None) -> Path | None:
    """Have ``write(temp)`` write the new file, then swap it in for ``target``; return the backup.

    ``unchanged``: (source, its fingerprint when read); if the source differs now, nothing is
    replaced. The backup's path is returned (None when there was nothing to back up or
    ``backup=False``). See the module example.
    """
    target = Path(target)
    if not target.parent.is_dir():
        raise XlreportsError(f"找不到文件夹：{target.parent}")
    try:
        temp = _temp_path(target)
    except PermissionError as exc:
        raise NoSpace(target.parent, "无法在此文件夹中写入文件：没有权限") from exc
    backup_file = None
    try:
        write(temp)
        _flush_to_disk(temp)
        _copy_mode(target, temp)
        if unchanged is not None and fingerprint(unchanged[0]) != unchanged[1]:
            raise XlreportsError(
                f"{unchanged[0].name} 在读取后又被修改过（可能已在 Excel 中保存），"
                "为免覆盖这些修改，本次未保存；请重新运行")
        if backup and target.exists():
            backup_file = _backup(target)
        os.replace(temp, target)
    except BaseException as exc:
        _remove_quietly(temp)
        if backup_file is not None:
            _remove_quietly(backup_file)  # the target is untouched, so the copy isn't needed
        if isinstance(exc, PermissionError):
            raise FileLocked(target.name, "无法写入：文件可能正在 Excel 中打开，请关闭后重试") from exc
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise NoSpace(target.name, "磁盘空间不足，未保存；原文件没有改动") from exc
        raise
    return backup_file


def backup_path(target, now: datetime | None = None) -> Path:
    """The first free "<stem>.bak-YYYYmmdd-HHMMSS<suffix>" name beside ``target``.

    >>> backup_path("/tmp/no-such-dir/考核.xlsm", datetime(2024, 3, 1, 9, 5, 7)).name
    '考核.bak-20240301-090507.xlsm'
    """
    target = Path(target)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = f"{target.stem}.bak-{stamp}"
    candidate = target.with_name(base + target.suffix)
    n = 0
    while candidate.exists():
        n += 1
        candidate = target.with_name(f"{base}-{n}{target.suffix}")
    return candidate


def _backup(target: Path) -> Path:
    """A backup of ``target``: a hard link (free; ``os.replace`` then gives target a new
    file), or a copy where the file system has no links."""
    while True:
        path = backup_path(target)
        try:
            os.link(target, path)
            return path
        except FileExistsError:
            continue  # another run took this name between the check and the link
        except OSError:
            return _copy_backup(target)


def _copy_backup(target: Path) -> Path:
    """Copy ``target`` to a new backup file; 'x' mode never overwrites an older backup."""
    while True:
        path = backup_path(target)
        try:
            with open(target, "rb") as src, open(path, "xb") as dst:
                shutil.copyfileobj(src, dst)
        except FileExistsError:
            continue
        shutil.copystat(target, path)
        return path


def _temp_path(target: Path) -> Path:
    """A new empty file in target's folder: os.replace is only atomic within one file system."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".tmp")
    os.close(fd)
    return Path(name)


def _flush_to_disk(path: Path) -> None:
    """fsync before the swap, so a power cut can't leave an empty file under the real name."""
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _copy_mode(target: Path, temp: Path) -> None:
    """mkstemp makes 0600 files; keep the target's permissions (or the usual default)."""
    if target.exists():
        shutil.copymode(target, temp)
    else:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
