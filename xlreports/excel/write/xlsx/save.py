"""Replace a workbook file without ever losing the user's data.

The new file is written to a temporary file beside the target, flushed to disk, and swapped
in with one atomic ``os.replace``: a crash, a full disk or an exception half-way leaves the
original as it was. The original is kept as a timestamped backup first (a hard link where
the file system allows: free). If the source changed on disk since it was read (someone
saved it in Excel meanwhile), nothing is replaced. A workbook that is a symbolic link stays one:
the temporary file, the backup and the replace all happen beside the file it points to.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "报表.xlsx"
>>> save_atomically(target, lambda temp: temp.write_bytes(b"one")) is None   # nothing to back up
True
>>> backup = save_atomically(target, lambda temp: temp.write_bytes(b"two"))
>>> backup.name.startswith("报表.bak-"), backup.read_bytes(), target.read_bytes()
(True, b'one', b'two')
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from xlreports.errors import ChangedMeanwhile, FileLocked, NoSpace, NotAWorkbook, ReadOnly, XlreportsError, os_problem

__all__ = ["save_atomically", "backup_path", "fingerprint", "changed_since", "real_target", "not_a_workbook",
           "check_target", "Fingerprint", "CHANGED_MESSAGE", "WORKBOOK_SUFFIXES", "MACRO_SUFFIXES",
           "ChangedMeanwhile", "FileLocked", "NoSpace", "ReadOnly"]  # the errors save_atomically raises

MACRO_SUFFIXES = {".xlsm", ".xltm"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
# Encrypted workbooks and old .xls files are OLE compound files, not zips.
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

HASH_CHUNK = 1 << 20
CHANGED_MESSAGE = ("工作簿在计算期间被修改并保存过（可能是在 Excel 或 WPS 中，或另一次运行），"
                   "为免覆盖这些修改，本次未写入任何内容；请重新运行")


@dataclass(frozen=True)
class Fingerprint:
    """One version of a file: size, modification time and the SHA-256 of its bytes.

    Size and time alone miss a save within the file system's clock step (2 s on FAT, coarse on
    some network shares) that keeps the size; the hash catches it, and SHA-256 reads a 40 MB
    workbook in about 0.05 s.
    """

    size: int
    mtime_ns: int
    sha256: str


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
    """The fingerprint of the file at ``path`` now (size and time from the handle that is hashed).

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "店铺.xlsx"; _ = f.write_bytes(b"abc")
    >>> fp = fingerprint(f); fp.size, fp.sha256[:12]
    (3, 'ba7816bf8f01')
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return Fingerprint(stat.st_size, stat.st_mtime_ns, digest.hexdigest())


def changed_since(path: Path, read_as: Fingerprint) -> bool:
    """Whether ``path`` is another version than when it was fingerprinted: a new size, a new
    modification time, or (same size and time, a save within the clock step) other bytes.
    A deleted file has changed. A file saved again with the same bytes counts as changed too:
    refusing costs a re-run, guessing wrong costs someone's edits.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "店铺.xlsx"; _ = f.write_bytes(b"abc")
    >>> read_as = fingerprint(f); changed_since(f, read_as)
    False
    >>> _ = f.write_bytes(b"abd"); os.utime(f, ns=(read_as.mtime_ns, read_as.mtime_ns))
    >>> changed_since(f, read_as)     # same size, same time: the hash tells
    True
    """
    try:
        stat = os.stat(path)
        if (stat.st_size, stat.st_mtime_ns) != (read_as.size, read_as.mtime_ns):
            return True
        return fingerprint(path).sha256 != read_as.sha256
    except FileNotFoundError:
        return True


def real_target(target) -> Path:
    """The file ``target`` really is: symbolic links followed, so the link keeps pointing at its
    file and that file is the one replaced. A folder, or a folder that does not exist, is an
    error here, before anything is computed.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "真.xlsx").touch(); (folder / "链接.xlsx").symlink_to(folder / "真.xlsx")
    >>> real_target(folder / "链接.xlsx").name
    '真.xlsx'
    >>> real_target(folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    xlreports.errors.NotAWorkbook: ...：是一个文件夹，不是工作簿文件；请给出文件名，例如 ...店铺.xlsx
    """
    target = Path(target)
    real = Path(os.path.realpath(target))
    if real.is_dir():
        raise NotAWorkbook(target, f"是一个文件夹，不是工作簿文件；请给出文件名，例如 {target / '店铺.xlsx'}")
    if not real.parent.is_dir():
        raise XlreportsError(f"找不到文件夹：{target.parent}")
    return real


def save_atomically(target: Path, write: Callable[[Path], object], *, backup: bool = True,
                    unchanged: tuple[Path, Fingerprint] | None = None) -> Path | None:
    """Have ``write(temp)`` write the new file, then swap it in for ``target``; return the backup.

    ``unchanged``: (source, its fingerprint when read); if the source's content differs now,
    nothing is replaced (:class:`~xlreports.errors.ChangedMeanwhile`). Operating-system failures
    (disk full, read-only, no permission) become the project's Chinese errors, with the original
    intact and no temporary file left. The backup's path is returned (None when there was
    nothing to back up or ``backup=False``). See the module example.
    """
    target = Path(target)
    real = real_target(target)
    try:
        temp = _temp_path(real)
    except OSError as exc:
        raise os_problem(exc, real.parent) from exc
    backup_file = None
    try:
        write(temp)
        _flush_to_disk(temp)
        _copy_mode(real, temp)
        if unchanged is not None and changed_since(*unchanged):
            raise ChangedMeanwhile(unchanged[0].name, CHANGED_MESSAGE)
        if backup and real.exists():
            backup_file = _backup(real)
        _replace(temp, real, target)
    except BaseException as exc:
        _remove_quietly(temp)
        if backup_file is not None:
            _remove_quietly(backup_file)  # the target is untouched, so the copy isn't needed
        if isinstance(exc, OSError) and exc.errno is not None:  # reported by the OS, not raised by `write`
            raise os_problem(exc, target.name) from exc
        raise
    return backup_file


def _replace(temp: Path, real: Path, target: Path) -> None:
    """The swap; refused on the file itself (not its folder, which took the temp): Windows says so
    while Excel has the workbook open."""
    try:
        os.replace(temp, real)
    except PermissionError as exc:
        raise FileLocked(target.name, "无法写入：文件可能正在 Excel 中打开（或没有替换它的权限），"
                                      "请关闭后重试；原文件没有改动") from exc


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
    except OSError:  # already gone, or the file system refuses: the original is what matters
        pass
