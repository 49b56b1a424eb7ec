"""Saving a workbook safely (xlreports.excel.write.xlsx.save through write_sheets), checked on the files.

Moved from the tests of the old openpyxl save path: atomic replace, backup naming, the
unchanged-since-read check, macros (.xlsm) and a custom ribbon kept, Chinese errors.
"""
from __future__ import annotations

import errno
import os
import re
import stat
import zipfile
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest

from test_render import full_sheet, spec_with
from test_xlsx_stream import vba_bin, xlsm  # noqa: F401 - fixtures: a macro workbook and its VBA part
from xlreports.errors import (ChangedMeanwhile, FileLocked, FileProblem, NoSpace, NotAWorkbook, ReadOnly,
                              XlreportsError)
from xlreports.excel.write.xlsx import save as xlsx_save
from xlreports.excel.write.xlsx import write_sheets
from xlreports.excel.write.xlsx.save import backup_path, fingerprint, save_atomically

RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def sheets_of(spec) -> list:
    return list(spec.sheets)


def test_xlsm_keeps_vba_sheets_and_names(xlsm, vba_bin):
    original = xlsm.read_bytes()
    backup = write_sheets(xlsm, xlsm, [full_sheet()])

    assert member(xlsm, "xl/vbaProject.bin") == vba_bin.read_bytes()
    content_types = member(xlsm, "[Content_Types].xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in content_types
    assert b'fullCalcOnLoad="1"' in member(xlsm, "xl/workbook.xml")
    again = openpyxl.load_workbook(xlsm, keep_vba=True)
    assert again.sheetnames == ["客服数据", "考核汇总"]
    assert again["客服数据"]["B2"].value == 12345.5
    assert again["考核汇总"]["A1"].value == "三月客服考核汇总"
    assert again.defined_names["提成比例"].attr_text == "客服数据!$B$2"
    assert backup is not None and backup.read_bytes() == original
    assert re.fullmatch(r"店铺考核\.bak-\d{8}-\d{6}\.xlsm", backup.name)
    again.vba_archive.close()


def rewrite_zip(path: Path, edit, added: dict[str, str] | None = None) -> None:
    """Rewrite the zip at ``path``: each member's bytes through ``edit(name, data)``, plus ``added``."""
    with zipfile.ZipFile(path) as src:
        members = [(item, src.read(item.filename)) for item in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item, data in members:
            dst.writestr(item, edit(item.filename, data))
        for name, text in (added or {}).items():
            dst.writestr(name, text)


def add_ribbon(path: Path) -> None:
    """Add a customUI part the way Excel's ribbon editors do: a part + a package relationship."""
    rel = f'<Relationship Id="rIdUi" Type="{RIBBON_REL}" Target="customUI/customUI14.xml"/></Relationships>'
    rewrite_zip(path, lambda name, data: data.replace(b"</Relationships>", rel.encode())
                if name == "_rels/.rels" else data,
                {"customUI/customUI14.xml": '<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"/>'})


def test_custom_ribbon_survives(xlsm):
    add_ribbon(xlsm)
    for _ in range(2):  # and is not duplicated by a second run
        write_sheets(xlsm, xlsm, [full_sheet()], backup=False)
        rels = ElementTree.fromstring(member(xlsm, "_rels/.rels"))
        ribbon = [r for r in rels if r.get("Type") == RIBBON_REL]
        assert [r.get("Target") for r in ribbon] == ["customUI/customUI14.xml"]
        assert len({r.get("Id") for r in rels}) == len(rels)
        assert b"customui" in member(xlsm, "customUI/customUI14.xml")
    assert sorted(p.name for p in xlsm.parent.iterdir()) == ["店铺考核.xlsm"]  # no temp file, no backup


def test_failed_write_leaves_the_original_untouched(xlsm):
    original = xlsm.read_bytes()
    before = sorted(p.name for p in xlsm.parent.iterdir())

    def broken_write(temp: Path):
        temp.write_bytes(b"half a zip")  # fail part-way, as a full disk would
        raise OSError("磁盘已满")

    with pytest.raises(OSError, match="磁盘已满"):
        save_atomically(xlsm, broken_write)
    assert xlsm.read_bytes() == original
    assert sorted(p.name for p in xlsm.parent.iterdir()) == before  # no temp file, no backup


def test_full_disk_is_a_no_space_error(xlsm):
    def full(temp: Path):
        raise OSError(28, "No space left on device")

    with pytest.raises(xlsx_save.NoSpace, match="磁盘空间不足"):
        save_atomically(xlsm, full)


def test_failed_replace_leaves_the_original_and_no_leftovers(xlsm, monkeypatch):
    original = xlsm.read_bytes()
    before = sorted(p.name for p in xlsm.parent.iterdir())

    def locked(src, dst):
        raise PermissionError("locked by Excel")

    monkeypatch.setattr(xlsx_save.os, "replace", locked)
    with pytest.raises(FileLocked, match="正在 Excel 中打开"):
        write_sheets(xlsm, xlsm, [full_sheet()])
    assert xlsm.read_bytes() == original
    assert sorted(p.name for p in xlsm.parent.iterdir()) == before


def test_no_backup_when_asked_or_nothing_to_back_up(tmp_path):
    target = tmp_path / "新.xlsx"
    assert write_sheets(None, target, [full_sheet()]) is None
    assert write_sheets(None, target, [full_sheet()], backup=False) is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["新.xlsx"]
    assert openpyxl.load_workbook(target).sheetnames == ["考核汇总"]


def test_formulas_recalculate_on_open_even_without_calc_properties(tmp_path):
    path = tmp_path / "考核.xlsx"
    openpyxl.Workbook().save(path)
    rewrite_zip(path, lambda name, data: re.sub(rb"<calcPr[^>]*/>", b"", data) if name == "xl/workbook.xml" else data)
    assert b"calcPr" not in member(path, "xl/workbook.xml")
    write_sheets(path, path, [full_sheet()])
    assert re.search(rb'<calcPr[^>]*fullCalcOnLoad="1"', member(path, "xl/workbook.xml"))


def test_missing_folder_is_a_chinese_error(tmp_path):
    with pytest.raises(XlreportsError, match="找不到文件夹"):
        write_sheets(None, tmp_path / "没有" / "考核.xlsx", [full_sheet()])


def test_backup_names_never_collide(tmp_path):
    target = tmp_path / "考核.xlsx"
    moment = datetime(2024, 3, 1, 9, 5, 7)
    first = backup_path(target, moment)
    assert first.name == "考核.bak-20240301-090507.xlsx"
    first.write_bytes(b"1")
    second = backup_path(target, moment)
    assert second.name == "考核.bak-20240301-090507-1.xlsx"
    second.write_bytes(b"2")
    assert backup_path(target, moment).name == "考核.bak-20240301-090507-2.xlsx"


def test_two_saves_in_one_second_keep_both_backups(tmp_path):
    target = tmp_path / "考核.xlsx"
    write_sheets(None, target, sheets_of(spec_with("一")))
    first_content = target.read_bytes()
    b1 = write_sheets(None, target, sheets_of(spec_with("二")))
    second_content = target.read_bytes()
    b2 = write_sheets(None, target, sheets_of(spec_with("三")))
    assert b1 != b2
    assert (b1.read_bytes(), b2.read_bytes()) == (first_content, second_content)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_permissions_of_the_target_survive(tmp_path):
    target = tmp_path / "考核.xlsx"
    write_sheets(None, target, sheets_of(spec_with("一")))
    os.chmod(target, 0o640)
    write_sheets(target, target, sheets_of(spec_with("二")))
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_not_a_workbook_is_a_chinese_error(tmp_path):
    fake = tmp_path / "客服数据.xlsx"
    fake.write_text("客服,销售额\n张三,1\n", encoding="utf-8")
    with pytest.raises(NotAWorkbook, match=r"^客服数据\.xlsx：不是 Excel 工作簿（\.xlsx/\.xlsm）$"):
        write_sheets(fake, fake, [full_sheet()])
    csv = tmp_path / "客服数据.csv"
    csv.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(NotAWorkbook, match="不是 Excel 工作簿"):
        write_sheets(csv, tmp_path / "out.xlsx", [full_sheet()])
    ole = tmp_path / "加密.xlsx"
    ole.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    with pytest.raises(NotAWorkbook, match="密码"):
        write_sheets(ole, ole, [full_sheet()])
    with pytest.raises(XlreportsError, match="找不到文件"):
        write_sheets(tmp_path / "没有.xlsx", tmp_path / "没有.xlsx", [full_sheet()])


def test_macro_workbook_cannot_be_saved_as_xlsx(xlsm, tmp_path):
    with pytest.raises(XlreportsError, match=r"\.xlsm"):
        write_sheets(xlsm, tmp_path / "out.xlsx", [full_sheet()])
    assert not (tmp_path / "out.xlsx").exists()


def test_edits_made_since_reading_are_not_overwritten(tmp_path):
    target = tmp_path / "考核.xlsx"
    write_sheets(None, target, sheets_of(spec_with("一")))
    read_as = fingerprint(target)
    edited = openpyxl.load_workbook(target)  # the user saves in Excel meanwhile
    edited["一"]["B1"] = "用户刚填的"
    edited.save(target)
    os.utime(target, ns=(1, 1))
    edited_bytes = target.read_bytes()
    with pytest.raises(XlreportsError, match="被修改"):
        save_atomically(target, lambda temp: temp.write_bytes(b"new"), unchanged=(target, read_as))
    assert target.read_bytes() == edited_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["考核.xlsx"]
    write_sheets(target, target, sheets_of(spec_with("二")))  # a fresh read saves fine, twice
    write_sheets(target, target, sheets_of(spec_with("三")))
    assert openpyxl.load_workbook(target).sheetnames == ["一", "二", "三"]


def test_the_fingerprint_taken_when_read_is_the_reference(tmp_path):
    target = tmp_path / "考核.xlsx"
    write_sheets(None, target, sheets_of(spec_with("一")))
    read_as = fingerprint(target)
    assert (read_as.size, len(read_as.sha256)) == (target.stat().st_size, 64)
    edited_bytes = save_edit(target)  # saved in Excel after the read, before the writer opens it
    with pytest.raises(ChangedMeanwhile, match="工作簿在计算期间被修改并保存过"):
        write_sheets(target, target, sheets_of(spec_with("二")), read_as=read_as)
    assert target.read_bytes() == edited_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["考核.xlsx"]
    write_sheets(target, target, sheets_of(spec_with("二")), read_as=fingerprint(target))
    assert openpyxl.load_workbook(target).sheetnames == ["一", "二"]


def save_edit(path: Path) -> bytes:
    edited = openpyxl.load_workbook(path)
    edited.active["B1"] = "用户刚填的"
    edited.save(path)
    return path.read_bytes()


def test_a_symlink_keeps_pointing_at_its_file_which_is_replaced(tmp_path):
    real = tmp_path / "真" / "考核.xlsx"
    real.parent.mkdir()
    write_sheets(None, real, sheets_of(spec_with("一")))
    before = real.read_bytes()
    link = tmp_path / "链接.xlsx"
    link.symlink_to(real)
    backup = write_sheets(link, link, sheets_of(spec_with("二")))
    assert link.is_symlink() and link.resolve() == real
    assert openpyxl.load_workbook(real).sheetnames == ["一", "二"]
    assert backup.parent == real.parent and backup.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["真", "链接.xlsx"]


def test_os_faults_while_saving_are_chinese_errors_with_the_original_intact(xlsm, monkeypatch):
    original = xlsm.read_bytes()
    cases = [(errno.ENOSPC, NoSpace, "磁盘空间不足"), (errno.EROFS, ReadOnly, "只读"),
             (errno.EACCES, ReadOnly, "没有写入此文件夹的权限"), (errno.EIO, FileProblem, "操作系统报告错误")]
    for code, kind, text in cases:
        def failing(temp: Path, code=code):
            temp.write_bytes(b"half a zip")
            raise OSError(code, os.strerror(code))

        with pytest.raises(kind, match=text):
            save_atomically(xlsm, failing)
        assert xlsm.read_bytes() == original
        assert sorted(p.name for p in xlsm.parent.iterdir()) == ["店铺考核.xlsm"]
