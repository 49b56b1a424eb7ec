"""One run at a time on a workbook: a lock file beside it, held from before the read until after the write.

The lock for ``店铺.xlsx`` is ``~$店铺.xlsx.xlreports-lock`` in the folder where the workbook really
is (symbolic links followed, like :func:`~xlreports.excel.write.xlsx.save.real_target`, so two
runs through two links meet at one lock). ``~$`` is the prefix of Excel's and WPS's own owner
files: people know such files come and go while a workbook is in use, OneDrive and SharePoint
never sync names starting with ``~$``, and our order-folder scan already skips them; the name
differs from Excel's ``~$店铺.xlsx`` and WPS's ``.~店铺.xlsx``, and its suffix is no workbook's,
so no spreadsheet program opens it or minds it.

The protocol:

1. open (or create) the lock file and take an exclusive, non-blocking OS lock on it
   (``fcntl.flock``; ``msvcrt.locking`` on Windows). The OS drops it when the holder ends,
   however it ends, so two processes can never both hold it and a crash never blocks the next run;
2. held by another process: stop with :class:`~xlreports.errors.FileLocked`, naming the workbook
   and the holder (host, pid, start time) read from the file; nothing is read or written;
3. taken: make sure the file held is still the one under that name (a run finishing meanwhile
   removes it), else start again;
4. read the record left in it, if any. A record from this host is stale (the OS lock proves its
   process is gone) and is taken over; one from another host (an OS lock may not reach across a
   network share) is respected while younger than :data:`STALE_AFTER`, then taken over;
5. write our record — one JSON line: program, pid, host, start time, command;
6. on leaving, remove the file while still holding it, then let go.

Where the OS offers no lock (some network file systems), the record decides alone: a live pid on
this host, or a young record from another host, means another run.

>>> import tempfile, pathlib
>>> book = pathlib.Path(tempfile.mkdtemp()) / "店铺.xlsx"
>>> held = run_lock(book, command="appraise"); lock = held.__enter__()
>>> lock.name, lock.exists()
('~$店铺.xlsx.xlreports-lock', True)
>>> with run_lock(book):  # doctest: +ELLIPSIS
...     pass
Traceback (most recent call last):
...
xlreports.errors.FileLocked: 店铺.xlsx：另一个 xlreports 正在处理这个工作簿（电脑 ...，进程 ...，开始于 ...），本次未读取也未写入任何内容；请等它结束后再运行
>>> _ = held.__exit__(None, None, None); lock.exists()   # released: the file is gone
False
"""
from __future__ import annotations

import errno
import json
import os
import socket
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

from xlreports.errors import FileLocked, os_problem
from xlreports.excel.write.xlsx.save import real_target

__all__ = ["run_lock", "lock_path", "STALE_AFTER", "LOCK_SUFFIX"]

LOCK_PREFIX = "~$"
LOCK_SUFFIX = ".xlreports-lock"
#: A record from another computer older than this is a crashed run's: the longest run seen (a
#: 270,000-row archive) takes minutes, and a crash on one PC must not block the shop for a day.
STALE_AFTER = 2 * 3600.0
ATTEMPTS = 5  # a finishing run may remove the file between our open and our lock
WINDOWS_LOCK_AT = 1 << 30  # msvcrt locks byte ranges (they may lie beyond the end of the file)


def lock_path(workbook) -> Path:
    """The lock file of ``workbook``: beside the file it really is.

    >>> lock_path("/data/店铺.xlsx").name
    '~$店铺.xlsx.xlreports-lock'
    """
    real = Path(os.path.realpath(workbook))
    return real.with_name(f"{LOCK_PREFIX}{real.name}{LOCK_SUFFIX}")


@contextmanager
def run_lock(workbook, *, command: str = "") -> Iterator[Path]:
    """Hold the run lock of ``workbook`` (which may not exist yet) for the ``with`` block; yield the
    lock file's path. Another run holding it: :class:`~xlreports.errors.FileLocked`. A folder, a
    missing folder or a read-only one: the usual Chinese errors, before anything is read.
    See the module example.
    """
    workbook = Path(workbook)
    path = lock_path(real_target(workbook))
    handle = _acquire(path, workbook, command)
    try:
        yield path
    finally:
        _release(handle, path)


def _acquire(path: Path, workbook: Path, command: str) -> int:
    for _ in range(ATTEMPTS):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise os_problem(exc, path.parent) from exc
        try:
            os_locked = _os_lock(fd)
            if os_locked is None:
                raise _busy(workbook, _read_record(fd))
            if not _still_named(fd, path):
                os.close(fd)
                continue
            record = _read_record(fd)
            if record and not _stale(record, os_locked):
                raise _busy(workbook, record)
            _write_record(fd, command)
            return fd
        except OSError as exc:
            os.close(fd)
            raise os_problem(exc, path.parent) from exc
        except BaseException:
            os.close(fd)
            raise
    raise _busy(workbook, {})


def _release(fd: int, path: Path) -> None:
    """Remove the file while holding it (POSIX), so the next run creates a fresh one; then let go."""
    try:
        if os.name == "nt":  # Windows wants its byte-range locks undone before the close
            import msvcrt

            os.lseek(fd, WINDOWS_LOCK_AT, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        elif _still_named(fd, path):
            path.unlink()
    except OSError:
        pass  # a lock file left behind is taken over by the next run
    finally:
        os.close(fd)
    if os.name == "nt":  # Windows can't remove an open file: remove it after closing, if no one opened it
        try:
            path.unlink()
        except OSError:
            pass


def _os_lock(fd: int) -> bool | None:
    """True: the OS lock is ours; None: another process holds it; False: the OS offers none here."""
    try:
        if os.name == "nt":
            import msvcrt

            os.lseek(fd, WINDOWS_LOCK_AT, os.SEEK_SET)  # a byte past the record, so others can read it
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            os.lseek(fd, 0, os.SEEK_SET)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES, errno.EDEADLK):
            return None
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, getattr(errno, "ENOTSUP", -1)):
            return False
        raise


def _still_named(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _read_record(fd: int) -> dict:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 4096).decode("utf-8", "replace").strip()
        record = json.loads(text) if text else {}
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _write_record(fd: int, command: str) -> None:
    now = time.time()
    record = {"program": "xlreports", "pid": os.getpid(), "host": socket.gethostname(), "time": now,
              "started": datetime.fromtimestamp(now).strftime("%Y-%m-%d %H:%M:%S"), "command": command}
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))


def _stale(record: dict, os_locked: bool) -> bool:
    """Whether a record found in a lock file we could take belongs to a run that is gone."""
    if record.get("host") == socket.gethostname():
        if os_locked:
            return True
        alive = _alive(record.get("pid"))
        if alive is not None:
            return not alive
    try:
        return time.time() - float(record.get("time", 0)) > STALE_AFTER
    except (TypeError, ValueError):
        return True


def _alive(pid) -> bool | None:
    """Whether process ``pid`` of this host runs; None where that can't be asked safely (Windows:
    ``os.kill(pid, 0)`` would end it)."""
    if not isinstance(pid, int) or pid <= 0 or pid == os.getpid():
        return False
    if os.name == "nt":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by another user
        return True
    return True


def _busy(workbook: Path, record: dict) -> FileLocked:
    who = "，".join(str(x) for x in (record.get("host") and f"电脑 {record['host']}",
                                     record.get("pid") and f"进程 {record['pid']}",
                                     record.get("started") and f"开始于 {record['started']}") if x)
    return FileLocked(workbook.name, f"另一个 xlreports 正在处理这个工作簿（{who or '刚刚开始'}），"
                                     "本次未读取也未写入任何内容；请等它结束后再运行")
