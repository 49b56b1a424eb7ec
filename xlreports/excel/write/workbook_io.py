"""Open and save users' workbooks without ever losing their data.

Saving writes a temporary file beside the target and swaps it in with one
atomic ``os.replace``: a crash, a full disk or an exception half-way leaves
the original file as it was. The original is first copied to a timestamped
backup, and macros (``.xlsm``), other sheets and defined names are carried
through.

>>> import tempfile, pathlib
>>> from xlreports.layout.spec import SheetSpec, WorkbookSpec
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_new(WorkbookSpec([SheetSpec("汇总")]), folder / "报表.xlsx") is None   # nothing to back up
True
>>> load_for_update(folder / "报表.xlsx").sheetnames
['汇总']
"""
from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.properties import CalcProperties

from xlreports.errors import XlreportsError
from xlreports.layout.spec import WorkbookSpec
from xlreports.excel.write.cached_values import inject_cached_values
from xlreports.excel.write.openpyxl_render import new_workbook

__all__ = ["load_for_update", "save_atomically", "write_new", "backup_path"]

MACRO_SUFFIXES = {".xlsm", ".xltm"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
# Encrypted workbooks and old .xls files are OLE compound files, not zips.
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

# Where load_for_update notes what it read, to spot edits made meanwhile in Excel.
_LOADED_FROM = "_xlreports_loaded_from"
# ... and the package relationships of a custom ribbon (customUI), which openpyxl drops.
_RIBBON_RELS = "_xlreports_ribbon_rels"
RIBBON_REL_TYPES = (
    "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility",
    "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
)


def load_for_update(path) -> openpyxl.Workbook:
    """Open a workbook to change and save back, keeping macros and external links.

    >>> load_for_update("客服数据.csv")
    Traceback (most recent call last):
    ...
    xlreports.errors.XlreportsError: 客服数据.csv 不是 Excel 工作簿（.xlsx/.xlsm）
    """
    path = Path(path)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise _not_a_workbook(path)
    if not path.is_file():
        raise XlreportsError(f"找不到文件：{path}")
    try:
        wb = openpyxl.load_workbook(
            path,
            keep_vba=path.suffix.lower() in MACRO_SUFFIXES,  # so xl/vbaProject.bin survives
            keep_links=True,
            rich_text=True,  # otherwise partly-bold cell text comes back plain
        )
    except PermissionError as exc:
        raise XlreportsError(f"无法读取 {path.name}：没有权限或文件被占用") from exc
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        # A renamed .xls/.csv, a half-downloaded file, or a password-protected workbook
        # (Excel stores those encrypted, not as a zip) all end up here.
        raise _not_a_workbook(path, _hint(path)) from exc
    setattr(wb, _LOADED_FROM, _fingerprint(path))
    if wb.vba_archive is not None:
        setattr(wb, _RIBBON_RELS, _ribbon_relations(path))
    return wb


def _not_a_workbook(path: Path, hint: str = "") -> XlreportsError:
    return XlreportsError(f"{path.name} 不是 Excel 工作簿（.xlsx/.xlsm）{hint}")


def _hint(path: Path) -> str:
    """Name the two usual culprits: an encrypted workbook or an old .xls renamed."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError:
        return ""
    if head == OLE_MAGIC:
        return "：它可能设置了打开密码，或是由旧版 .xls 改名而来，请在 Excel 中另存为 .xlsx"
    return ""


def _fingerprint(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def save_atomically(wb, target, *, backup: bool = True, source=None,
                    cached: dict[str, dict[str, object]] | None = None) -> Path | None:
    """Save ``wb`` onto ``target`` atomically; return the backup's path, if one was made.

    ``cached`` (sheet → cell → value, see ``render.cached_values``) is stored as the formulas'
    cached results, so readers that do not calculate still see the figures.

    ``source`` is the file ``wb`` was read from (by default the one ``load_for_update``
    read). If it changed on disk since then — someone saved it in Excel meanwhile —
    saving is refused rather than overwriting their edits.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "报表.xlsx"
    >>> save_atomically(openpyxl.Workbook(), target) is None
    True
    >>> save_atomically(openpyxl.Workbook(), target).name.startswith("报表.bak-")
    True
    """
    target = Path(target)
    _check_suffix(wb, target)
    if not target.parent.is_dir():
        raise XlreportsError(f"找不到文件夹：{target.parent}")
    _check_unchanged(wb, source)
    _recalculate_on_open(wb)
    temp = _temp_path(target)
    backup_file = None
    try:
        wb.save(temp)
        if cached:
            inject_cached_values(temp, cached)
        _restore_ribbon(temp, getattr(wb, _RIBBON_RELS, ()))
        _flush_to_disk(temp)
        _copy_mode(target, temp)
        if backup and target.exists():
            backup_file = _make_backup(target)
        os.replace(temp, target)
    except BaseException as exc:
        _remove_quietly(temp)
        if backup_file is not None:
            _remove_quietly(backup_file)  # the target is untouched, so the copy isn't needed
        if isinstance(exc, PermissionError):
            raise XlreportsError(
                f"无法写入 {target.name}：文件可能正在 Excel 中打开，请关闭后重试") from exc
        raise
    _note_saved(wb, target)
    return backup_file


def _recalculate_on_open(wb) -> None:
    """openpyxl writes formulas without cached results: have Excel compute them on open."""
    if wb.calculation is None:  # a workbook.xml without <calcPr> loads this way
        wb.calculation = CalcProperties()
    wb.calculation.fullCalcOnLoad = True


def write_new(spec: WorkbookSpec, target, *, backup: bool = True) -> Path | None:
    """Build a fresh workbook from ``spec`` and save it atomically; return the backup path.

    >>> import tempfile, pathlib
    >>> from xlreports.layout.spec import SheetSpec, WorkbookSpec
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "考核.xlsx"
    >>> write_new(WorkbookSpec([SheetSpec("考核汇总")]), target) is None
    True
    """
    return save_atomically(new_workbook(spec), target, backup=backup)


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


def _make_backup(target: Path) -> Path:
    """Copy ``target`` to a new backup file; 'x' mode never overwrites an older backup."""
    while True:
        path = backup_path(target)
        try:
            with open(target, "rb") as src, open(path, "xb") as dst:
                shutil.copyfileobj(src, dst)
        except FileExistsError:
            continue  # another run took this name between the check and the open
        shutil.copystat(target, path)
        return path


def _check_suffix(wb, target: Path) -> None:
    """Excel refuses a macro workbook named .xlsx (and the reverse), so stop before writing."""
    suffix = target.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES:
        raise XlreportsError(f"{target.name} 不是 Excel 工作簿（.xlsx/.xlsm）")
    has_macros = getattr(wb, "vba_archive", None) is not None
    if has_macros and suffix not in MACRO_SUFFIXES:
        raise XlreportsError(f"工作簿含有宏，不能保存为 {target.name}，请使用 .xlsm 文件名")
    if not has_macros and suffix in MACRO_SUFFIXES:
        raise XlreportsError(f"工作簿不含宏，不能保存为 {target.name}，请使用 .xlsx 文件名")


def _check_unchanged(wb, source) -> None:
    loaded = getattr(wb, _LOADED_FROM, None)
    if loaded is None:
        return
    path = Path(source) if source is not None else Path(loaded[0])
    if str(path.resolve()) != loaded[0] or not path.exists():
        return
    if _fingerprint(path) != loaded:
        raise XlreportsError(
            f"{path.name} 在读取后又被修改过（可能已在 Excel 中保存），"
            "为免覆盖这些修改，本次未保存；请重新运行")


def _note_saved(wb, target: Path) -> None:
    """After saving onto the file we read, that file is the new baseline for the next save."""
    loaded = getattr(wb, _LOADED_FROM, None)
    if loaded is not None and loaded[0] == str(target.resolve()):
        setattr(wb, _LOADED_FROM, _fingerprint(target))


def _ribbon_relations(path: Path) -> list[dict[str, str]]:
    """The workbook's customUI relationships (its ribbon), as attribute dicts."""
    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("_rels/.rels"))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return []
    return [dict(rel.attrib) for rel in root if rel.get("Type") in RIBBON_REL_TYPES]


def _restore_ribbon(saved: Path, relations) -> None:
    """Put back the ribbon's relationships that openpyxl leaves out of _rels/.rels.

    With keep_vba openpyxl copies the customUI/ parts but rewrites the package
    relationships without them, so Excel would silently stop showing the ribbon.
    """
    if not relations:
        return
    with zipfile.ZipFile(saved) as archive:
        names = set(archive.namelist())
        rels_xml = archive.read("_rels/.rels").decode("utf-8")
    taken = {rel.get("Id") for rel in ElementTree.fromstring(rels_xml)}
    added = []
    for n, rel in enumerate(relations, start=1):
        if rel.get("Target", "").lstrip("/") not in names or rel["Target"] in rels_xml:
            continue
        rel_id = rel.get("Id") if rel.get("Id") not in taken else f"rIdXlreportsUi{n}"
        added.append(f'<Relationship Id="{_attr(rel_id)}" Type="{_attr(rel["Type"])}" '
                     f'Target="{_attr(rel["Target"])}"/>')
    if added:
        rels_xml = rels_xml.replace("</Relationships>", "".join(added) + "</Relationships>")
        _replace_member(saved, "_rels/.rels", rels_xml.encode("utf-8"))


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _replace_member(path: Path, name: str, data: bytes) -> None:
    """Rewrite one member of a zip (zipfile can't edit in place) via a sibling temp file."""
    rewritten = _temp_path(path)
    try:
        with zipfile.ZipFile(path) as src, \
                zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                dst.writestr(item, data if item.filename == name else src.read(item.filename))
        os.replace(rewritten, path)
    finally:
        _remove_quietly(rewritten)


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
