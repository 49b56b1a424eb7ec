"""The output zip (xlreports.excel.write.xlsx.zipraw): raw copies and parallel-deflated streams."""
from __future__ import annotations

import os
import struct
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openpyxl
import pytest

from xlreports.errors import XlreportsError
from xlreports.excel.write.xlsx import zipraw
from xlreports.excel.write.xlsx.zipraw import ZipOut


def raw_bytes(path: Path, name: str) -> bytes:
    """A member's compressed bytes, straight from the file."""
    with zipfile.ZipFile(path) as archive, open(path, "rb") as fp:
        info = archive.getinfo(name)
        fp.seek(info.header_offset)
        fields = struct.unpack(zipfile.structFileHeader, fp.read(zipfile.sizeFileHeader))
        fp.seek(fields[10] + fields[11], 1)  # file name and extra field lengths
        return fp.read(info.compress_size)


@pytest.fixture
def source(tmp_path) -> Path:
    """An openpyxl workbook plus a big incompressible member and a stored (uncompressed) one."""
    path = tmp_path / "源.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "数据"
    for row in range(1, 2001):
        wb.active.append([f"客服{row}", row * 1.5])
    wb.save(path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/media/noise.bin", os.urandom(300_000), zipfile.ZIP_DEFLATED)
        archive.writestr("xl/media/stored.bin", b"stored " * 1000, zipfile.ZIP_STORED)
    return path


def copy_all(source: Path, target: Path) -> None:
    with zipfile.ZipFile(source) as archive, open(source, "rb") as raw, \
            ThreadPoolExecutor(2) as pool, ZipOut(target, pool) as out:
        for info in archive.infolist():
            out.copy_raw(raw, info)


def test_raw_copy_is_byte_identical_with_right_crc_and_sizes(source, tmp_path):
    target = tmp_path / "副本.xlsx"
    copy_all(source, target)
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(target) as b:
        assert a.namelist() == b.namelist()
        assert b.testzip() is None  # every CRC checks out
        for info in a.infolist():
            copied = b.getinfo(info.filename)
            assert (copied.CRC, copied.file_size, copied.compress_size, copied.compress_type) == \
                   (info.CRC, info.file_size, info.compress_size, info.compress_type)
            assert raw_bytes(target, info.filename) == raw_bytes(source, info.filename)
            assert b.read(info.filename) == a.read(info.filename)
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["数据"] and wb["数据"]["A2000"].value == "客服2000"


def test_stream_deflates_in_blocks_and_reopens(tmp_path, monkeypatch):
    monkeypatch.setattr(zipraw, "BLOCK_BYTES", 1000)  # many independently deflated blocks
    monkeypatch.setattr(zipraw, "MAX_PENDING", 2)
    text = "".join(f"<row r=\"{i}\"><c><v>{i}</v></c></row>" for i in range(5000))
    target = tmp_path / "流.zip"
    with ThreadPoolExecutor(2) as pool, ZipOut(target, pool) as out:
        out.writestr("first.xml", "<a/>")
        stream = out.stream("big.xml")
        for start in range(0, len(text), 777):
            stream.write(text[start:start + 777])
        stream.write(text.encode()[:2500])  # one write larger than a block, as a polars batch
        stream.close()
        out.writestr("last.xml", "<z/>")
    with zipfile.ZipFile(target) as archive:
        assert archive.testzip() is None
        data = archive.read("big.xml")
        assert data == text.encode() + text.encode()[:2500]
        info = archive.getinfo("big.xml")
        assert info.CRC == zlib.crc32(data) and info.file_size == len(data)
        assert info.compress_size < len(data) // 3
        assert archive.namelist() == ["first.xml", "big.xml", "last.xml"]


def test_a_stream_over_the_zip32_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(zipraw, "ZIP32_LIMIT", 100)  # zip64 members would not open in Excel
    with ThreadPoolExecutor(2) as pool, ZipOut(tmp_path / "大.zip", pool) as out:
        stream = out.stream("xl/worksheets/sheet1.xml")
        stream.write("x" * 200)
        with pytest.raises(XlreportsError, match="超过 4 GB"):
            stream.close()


def test_a_truncated_source_member_is_an_error(source, tmp_path):
    data = source.read_bytes()
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("xl/media/noise.bin")
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(data[: info.header_offset + 1000])
    with open(broken, "rb") as raw, ThreadPoolExecutor(2) as pool, ZipOut(tmp_path / "出.zip", pool) as out:
        with pytest.raises(zipfile.BadZipFile, match="truncated"):
            out.copy_raw(raw, info)
