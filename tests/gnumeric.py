"""Recalculate workbooks with a second, independent spreadsheet program: Gnumeric's ssconvert.

LibreOffice and Excel share much of their file handling history; Gnumeric is written apart,
reads only what the file says (a cell without its reference is misplaced or dropped) and has
its own function library. ``ssconvert --recalc in.xlsx out.xlsx`` loads the workbook,
recalculates every formula and saves it again; ``openpyxl.load_workbook(out, data_only=True)``
then reads Gnumeric's values.

    ssconvert_path() -> str | None            $SSCONVERT, then PATH
    recalculate(path, outdir) -> Path         the recalculated .xlsx, in outdir
    convert(src, target, *options) -> CompletedProcess   one ssconvert run (messages in stderr)
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

__all__ = ["ssconvert_path", "recalculate", "convert", "required", "TIMEOUT", "EXPORTER"]

TIMEOUT = 120  # seconds for one ssconvert run
EXPORTER = "Gnumeric_Excel:xlsx2"  # ISO/IEC 29500 (Excel 2010 and later)


def ssconvert_path() -> str | None:
    """The ssconvert executable (``$SSCONVERT`` first, then PATH), or None."""
    env = os.environ.get("SSCONVERT")
    if env and Path(env).is_file():
        return env
    return shutil.which("ssconvert")


def convert(src: Path, target: Path, *options: str) -> subprocess.CompletedProcess:
    """Run ``ssconvert [options] src target`` (xlsx out); raises when no file comes out."""
    exe = ssconvert_path()
    if exe is None:
        raise RuntimeError("Gnumeric (ssconvert) not found: install the gnumeric package or set $SSCONVERT")
    cmd = [exe, *options, "-T", EXPORTER, str(src), str(target)]
    env = dict(os.environ)
    env.setdefault("NO_AT_BRIDGE", "1")  # no accessibility bus to look for: quieter, faster start
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"ssconvert timed out after {TIMEOUT}s converting {src}\ncommand: {cmd}") from exc
    if res.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        raise RuntimeError(f"ssconvert did not produce {target.name} from {src} (exit code {res.returncode})\n"
                           f"command: {cmd}\nstderr: {res.stderr.strip()[-2000:]}")
    return res


def recalculate(path, outdir) -> Path:
    """Open ``path`` in Gnumeric, recalculate every formula, save as ``outdir/<stem>.gnumeric.xlsx``.

    ``-2``, ``-3`` … are appended when the name is taken. The input is copied under a unique
    name first, so an input already in ``outdir`` is never overwritten.
    """
    src = Path(path)
    if not src.is_file():
        raise FileNotFoundError(src)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlreports-gnm-") as tmp:
        work = Path(tmp) / f"in-{uuid.uuid4().hex[:8]}{src.suffix}"
        shutil.copyfile(src, work)
        produced = Path(tmp) / "out.xlsx"
        convert(work, produced, "--recalc")
        target = _free_name(outdir, f"{src.stem}.gnumeric", ".xlsx")
        shutil.move(str(produced), target)
    return target


def _free_name(outdir: Path, stem: str, suffix: str) -> Path:
    """``outdir/stem.suffix``, or ``stem-2.suffix`` …, reserved by creating it (O_EXCL)."""
    n = 1
    while True:
        target = outdir / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            n += 1
            continue
        return target


def required() -> bool:
    """True where a missing Gnumeric must fail the tests (CI, or XLREPORTS_REQUIRE_GNUMERIC=1)."""
    return bool(os.environ.get("CI")) or os.environ.get("XLREPORTS_REQUIRE_GNUMERIC") == "1"
