"""Recalculate workbooks with a second, independent spreadsheet program: Gnumeric's ssconvert.

LibreOffice and Excel share much of their file handling history; Gnumeric is written apart,
reads only what the file says (a cell without its reference is misplaced or dropped) and has
its own function library. ``ssconvert --recalc in.xlsx out.xlsx`` loads the workbook,
recalculates every formula and saves it again; ``openpyxl.load_workbook(out, data_only=True)``
then reads Gnumeric's values.

    ssconvert_path() -> str | None            $SSCONVERT, then PATH
    recalculate(path, outdir) -> Path         the recalculated .xlsx, in outdir
    available() -> str                        ssconvert, or the test skips (fails in CI)
    convert(src, target, *options) -> CompletedProcess   one ssconvert run (messages in stderr)
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from libreoffice import convert_copy

__all__ = ["ssconvert_path", "recalculate", "convert", "required", "available", "TIMEOUT", "EXPORTER"]

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
    """Open ``path`` in Gnumeric, recalculate every formula, save as ``outdir/<stem>.gnumeric.xlsx``
    (``-2``, ``-3`` … appended when taken; the input is never overwritten)."""

    def make(work: Path, scratch: Path) -> Path:
        produced = scratch / "out.xlsx"
        convert(work, produced, "--recalc")
        return produced

    return convert_copy(path, outdir, ".gnumeric", ".xlsx", make)


def required() -> bool:
    """True where a missing Gnumeric must fail the tests (CI, or XLREPORTS_REQUIRE_GNUMERIC=1)."""
    return bool(os.environ.get("CI")) or os.environ.get("XLREPORTS_REQUIRE_GNUMERIC") == "1"


def available() -> str:
    """ssconvert's path for a test; skips the test without Gnumeric, fails it instead where required."""
    path = ssconvert_path()
    if path is None:
        need = required()
        (pytest.fail if need else pytest.skip)(
            "Gnumeric (ssconvert) not found" + (" (required: CI or XLREPORTS_REQUIRE_GNUMERIC=1)" if need else ""))
    return path
