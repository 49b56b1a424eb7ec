"""Recalculate, print and render workbooks with a real spreadsheet program (LibreOffice, headless).

openpyxl writes formulas but never computes them, so a test that wants to see the
*values* a shop owner will see opens the file in LibreOffice, lets it recalculate and
saves it again; ``openpyxl.load_workbook(out, data_only=True)`` then reads the results.

LibreOffice does not recalculate on load by default (it trusts cached values, and
asks when it is unsure). Every call here therefore runs soffice with a private user
profile, created once per process, whose configuration says "always recalculate"
for both OOXML and ODF files. The private profile also keeps these runs away from a
desktop LibreOffice the developer may have open.

    recalculate(path, outdir) -> Path     the recalculated .xlsx, in outdir
    to_pdf(path, outdir) -> Path          the workbook printed to PDF (after recalculation)
    to_png(path, outdir, dpi=80, ...)     the PDF's pages as PNG files (pdftoppm)
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Callable

__all__ = ["soffice_path", "pdftoppm_path", "recalculate", "to_pdf", "to_png", "convert_copy", "TIMEOUT", "RECALC_REGISTRY"]

TIMEOUT = 120  # seconds for one soffice run

#: A user profile setting that makes LibreOffice recalculate OOXML and ODF files on load (also used by uno_actions.py).
RECALC_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""

_lock = threading.Lock()  # one soffice per profile at a time
_profile: Path | None = None


def soffice_path() -> str | None:
    """The soffice executable (``$SOFFICE`` first, then PATH, then the usual install places), or None."""
    env = os.environ.get("SOFFICE")
    if env and Path(env).is_file():
        return env
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for cand in ("/usr/lib/libreoffice/program/soffice", "/opt/libreoffice/program/soffice",
                 "/Applications/LibreOffice.app/Contents/MacOS/soffice",
                 r"C:\Program Files\LibreOffice\program\soffice.exe"):
        if Path(cand).is_file():
            return cand
    return None


def pdftoppm_path() -> str | None:
    """The pdftoppm executable (poppler-utils), or None."""
    return shutil.which("pdftoppm")


def _profile_dir() -> Path:
    """A private LibreOffice user profile that always recalculates on load (made once per process)."""
    global _profile
    if _profile is None:
        root = Path(tempfile.mkdtemp(prefix="xlreports-lo-profile-"))
        user = root / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(RECALC_REGISTRY, encoding="utf-8")
        atexit.register(shutil.rmtree, root, True)
        _profile = root
    return _profile


def _run_soffice(args: list[str], src: Path) -> subprocess.CompletedProcess:
    exe = soffice_path()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) not found: install it or set $SOFFICE")
    cmd = [exe, f"-env:UserInstallation={_profile_dir().as_uri()}", "--headless", "--norestore",
           "--nologo", "--nodefault", "--nolockcheck", *args, str(src)]
    env = dict(os.environ)
    env.setdefault("SAL_USE_VCLPLUGIN", "svp")
    # Own process group, so a hung soffice.bin can be killed with its wrapper on timeout.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=(os.name != "nt"))
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        if os.name != "nt":
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        else:
            proc.kill()
        out, err = proc.communicate()
        raise RuntimeError(f"soffice timed out after {TIMEOUT}s converting {src}\n"
                           f"command: {cmd}\nstdout: {out}\nstderr: {err}") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _unique_target(outdir: Path, stem: str, suffix: str) -> Path:
    """``outdir/stem.suffix``, or ``stem-2.suffix`` … when taken; reserved by creating it (O_EXCL)."""
    n = 1
    while True:
        name = f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}"
        target = outdir / name
        try:
            fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            n += 1
            continue
        os.close(fd)
        return target


def convert_copy(path, outdir, tag: str, suffix: str, make: Callable[[Path, Path], Path]) -> Path:
    """Run ``make(copy, scratch)`` on a uniquely named copy of ``path`` in a scratch directory;
    the file it returns moves to ``outdir/<stem><tag><suffix>`` (``-2``, ``-3`` … when taken).

    Working on a copy means two inputs with the same stem (or an input that already lives
    in ``outdir``) never overwrite each other. Gnumeric's harness converts the same way.
    """
    src = Path(path)
    if not src.is_file():
        raise FileNotFoundError(src)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlreports-convert-") as tmp:
        work = Path(tmp) / f"in-{uuid.uuid4().hex[:8]}{src.suffix}"
        shutil.copyfile(src, work)
        produced = make(work, Path(tmp))
        target = _unique_target(outdir, f"{src.stem}{tag}", suffix)
        shutil.move(str(produced), target)
        return target


def _convert(path, outdir, convert_to: str, ext: str, tag: str) -> Path:
    """Convert ``path`` with soffice (see :func:`convert_copy`) into ``outdir``."""

    def make(work: Path, scratch: Path) -> Path:
        conv = scratch / "out"
        conv.mkdir()
        with _lock:
            res = _run_soffice(["--convert-to", convert_to, "--outdir", str(conv)], work)
        produced = conv / f"{work.stem}.{ext}"
        if not produced.is_file() or produced.stat().st_size == 0:
            raise RuntimeError(
                f"soffice did not produce a .{ext} for {path} (exit code {res.returncode})\n"
                f"command: {res.args}\nstdout: {res.stdout.strip()}\nstderr: {res.stderr.strip()}")
        return produced

    return convert_copy(path, outdir, tag, f".{ext}", make)


def recalculate(path, outdir) -> Path:
    """Open ``path`` in LibreOffice, recalculate every formula, save as .xlsx in ``outdir``.

    The result is ``outdir/<stem>.recalc.xlsx`` (``-2``, ``-3`` … appended when taken);
    read it with ``openpyxl.load_workbook(result, data_only=True)`` to get the values.
    """
    return _convert(path, outdir, "xlsx:Calc MS Excel 2007 XML", "xlsx", ".recalc")


def to_pdf(path, outdir) -> Path:
    """Print the workbook (recalculated; all sheets, with their page setup) to ``outdir/<stem>.pdf``."""
    return _convert(path, outdir, "pdf:calc_pdf_Export", "pdf", "")


def to_png(path, outdir, *, dpi: int = 80, first_page: int = 1, last_page: int | None = None) -> list[Path]:
    """Render the workbook's printed pages to PNG: PDF via soffice, then ``pdftoppm -png``.

    Returns the page images in page order (``<stem>-<page>.png``, page numbers
    zero-padded by pdftoppm when the document has 10+ pages). A .pdf input is
    rendered directly.
    """
    exe = pdftoppm_path()
    if exe is None:
        raise RuntimeError("pdftoppm not found: install poppler-utils")
    src = Path(path)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xlreports-png-") as tmp:
        pdf = src if src.suffix.lower() == ".pdf" else to_pdf(src, tmp)
        stem = _free_png_stem(outdir, src.stem)
        cmd = [exe, "-png", "-r", str(dpi), "-f", str(first_page)]
        if last_page is not None:
            cmd += ["-l", str(last_page)]
        cmd += [str(pdf), str(outdir / stem)]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        if res.returncode != 0:
            raise RuntimeError(f"pdftoppm failed (exit code {res.returncode})\ncommand: {cmd}\n"
                               f"stdout: {res.stdout.strip()}\nstderr: {res.stderr.strip()}")
    pages = _png_pages(outdir, stem)
    if not pages:
        raise RuntimeError(f"pdftoppm produced no pages for {src} (first_page={first_page}, last_page={last_page})")
    return pages


def _png_pages(outdir: Path, stem: str) -> list[Path]:
    """``outdir/<stem>-<page>.png`` files, in page order."""
    pat = re.compile(re.escape(stem) + r"-(\d+)\.png")
    found = [(int(m.group(1)), p) for p in outdir.iterdir() if (m := pat.fullmatch(p.name))]
    return [p for _, p in sorted(found)]


def _free_png_stem(outdir: Path, stem: str) -> str:
    """``stem``, or ``stem-2`` …, such that no page images of that stem exist in ``outdir`` yet."""
    n = 1
    while True:
        cand = stem if n == 1 else f"{stem}-{n}"
        if not _png_pages(outdir, cand):
            return cand
        n += 1
