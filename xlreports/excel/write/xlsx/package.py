"""The source package: the workbook being written into, or the parts of a blank one.

Small parts are read when asked for; the others are copied into the output as their
compressed bytes, unread (:meth:`Package.copy`).

>>> pkg = Package.open(None)
>>> pkg.has("xl/workbook.xml"), pkg.has("xl/vbaProject.bin")
(True, False)
"""
from __future__ import annotations

import zipfile
import zlib
from datetime import datetime
from pathlib import Path

from openpyxl.writer.theme import theme_xml

from xlreports.errors import FileLocked, XlreportsError
from xlreports.excel.ooxml import (
    CT_APP, CT_CORE, CT_RELS, CT_STYLES, CT_THEME, CT_WORKBOOK, NS_APP, NS_CT, NS_MAIN, NS_PKG_REL,
    NS_R, NS_VT, REL_APP, REL_CORE, REL_OFFICE_DOC, REL_STYLES, REL_THEME, XML_DECL,
)
from xlreports.excel.write.plan import AUTHOR
from xlreports.excel.write.xlsx.save import WORKBOOK_SUFFIXES, not_a_workbook
from xlreports.excel.write.xlsx.zipraw import ZipOut

__all__ = ["Package", "blank_workbook"]


class Package:
    """The source workbook's parts: small ones read, the rest copied as compressed bytes."""

    def __init__(self, path: Path | None, archive: zipfile.ZipFile | None,
                 parts: dict[str, bytes] | None):
        self.path = path
        self.archive = archive
        self.parts = parts
        self.names = [i.filename for i in archive.infolist()] if archive else list(parts)
        self._raw = open(path, "rb") if archive is not None else None

    @classmethod
    def open(cls, path: Path | None) -> "Package":
        """The workbook at ``path``, or a blank workbook for None."""
        if path is None:
            return cls(None, None, blank_workbook())
        if path.suffix.lower() not in WORKBOOK_SUFFIXES:
            raise not_a_workbook(path, "")
        if not path.is_file():
            raise XlreportsError(f"找不到文件：{path}")
        try:
            archive = zipfile.ZipFile(path)
        except PermissionError as exc:
            raise FileLocked(path.name, "无法读取：没有权限或文件被占用") from exc
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise not_a_workbook(path) from exc
        try:
            return cls(path, archive, None)
        except OSError as exc:
            archive.close()
            raise FileLocked(path.name, "无法读取：没有权限或文件被占用") from exc

    def has(self, name: str) -> bool:
        """Whether the package holds the part ``name``."""
        return name in self.parts if self.parts is not None else name in self.archive.NameToInfo

    def read(self, name: str) -> bytes:
        """The part's bytes (KeyError when there is none)."""
        if self.parts is not None:
            return self.parts[name]
        try:
            return self.archive.read(name)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise not_a_workbook(self.path, f"：其中的 {name} 已损坏") from exc

    def copy(self, name: str, out: ZipOut) -> None:
        """Put the part into ``out`` unchanged (its compressed bytes, when from a file)."""
        if self.parts is not None:
            out.writestr(name, self.parts[name])
        else:
            out.copy_raw(self._raw, self.archive.getinfo(name))

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
            self._raw.close()

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def blank_workbook() -> dict[str, bytes]:
    """The parts of an empty workbook: what a new file starts from.

    >>> sorted(blank_workbook())[:3]
    ['[Content_Types].xml', '_rels/.rels', 'docProps/app.xml']
    """
    now = datetime.now().replace(microsecond=0).isoformat() + "Z"
    parts = {
        "[Content_Types].xml": (
            f'{XML_DECL}<Types xmlns="{NS_CT}">'
            f'<Default Extension="rels" ContentType="{CT_RELS}"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT_WORKBOOK}"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{CT_STYLES}"/>'
            f'<Override PartName="/xl/theme/theme1.xml" ContentType="{CT_THEME}"/>'
            f'<Override PartName="/docProps/core.xml" ContentType="{CT_CORE}"/>'
            f'<Override PartName="/docProps/app.xml" ContentType="{CT_APP}"/>'
            "</Types>"),
        "_rels/.rels": (
            f'{XML_DECL}<Relationships xmlns="{NS_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL_OFFICE_DOC}" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{REL_CORE}" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL_APP}" Target="docProps/app.xml"/>'
            "</Relationships>"),
        "docProps/core.xml": (
            f'{XML_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:creator>{AUTHOR}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
            "</cp:coreProperties>"),
        "docProps/app.xml": (
            f'{XML_DECL}<Properties xmlns="{NS_APP}" xmlns:vt="{NS_VT}">'
            "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity>"
            "<ScaleCrop>false</ScaleCrop>"
            '<HeadingPairs><vt:vector size="2" baseType="variant">'
            "<vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant>"
            "<vt:variant><vt:i4>0</vt:i4></vt:variant></vt:vector></HeadingPairs>"
            '<TitlesOfParts><vt:vector size="0" baseType="lpstr"></vt:vector></TitlesOfParts>'
            "</Properties>"),
        "xl/workbook.xml": (
            f'{XML_DECL}<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}">'
            "<workbookPr/><bookViews><workbookView/></bookViews><sheets></sheets>"
            '<calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{XML_DECL}<Relationships xmlns="{NS_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL_STYLES}" Target="styles.xml"/>'
            f'<Relationship Id="rId2" Type="{REL_THEME}" Target="theme/theme1.xml"/>'
            "</Relationships>"),
        "xl/styles.xml": (
            f'{XML_DECL}<styleSheet xmlns="{NS_MAIN}">'
            '<fonts count="1"><font><sz val="11"/><color theme="1"/><name val="Calibri"/>'
            '<family val="2"/><scheme val="minor"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
            'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'),
        "xl/theme/theme1.xml": theme_xml,
    }
    return {name: text.encode("utf-8") for name, text in parts.items()}
