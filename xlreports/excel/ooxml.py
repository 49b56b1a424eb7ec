"""OOXML package vocabulary shared by the readers and writers: namespaces, content types,
relationship types, and the one parser of relationship parts (``_rels/*.rels``).

Parsing is textual (a regex per element) so a relationship can be written back exactly as
it was; targets are resolved to part names inside the zip.

>>> xml = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
...        '<Relationship Id="rId1" Type="t" Target="worksheets/sheet1.xml"/>'
...        '<Relationship Id="rId2" Type="t" Target="http://x" TargetMode="External"/></Relationships>')
>>> [(r.id, r.part) for r in parse_rels(xml, "xl/workbook.xml")]
[('rId1', 'xl/worksheets/sheet1.xml'), ('rId2', None)]
"""
from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote
from xml.sax.saxutils import escape

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
NS_APP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
NS_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS_DRAWING_MAIN = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"

REL = NS_R + "/"
REL_OFFICE_DOC = REL + "officeDocument"
REL_WORKSHEET = REL + "worksheet"
REL_STYLES = REL + "styles"
REL_THEME = REL + "theme"
REL_CALC_CHAIN = REL + "calcChain"
REL_DRAWING = REL + "drawing"
REL_CHART = REL + "chart"
REL_COMMENTS = REL + "comments"
REL_VML = REL + "vmlDrawing"
REL_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
REL_APP = REL + "extended-properties"

CT_WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_THEME = "application/vnd.openxmlformats-officedocument.theme+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_APP = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"

XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_ATTR = re.compile(r'([\w:.-]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_REL_ELEMENT = re.compile(r"<(?:\w+:)?Relationship\b[^>]*?/>"
                          r"|<(?:\w+:)?Relationship\b[^>]*?>\s*</(?:\w+:)?Relationship>")


def attr(value: str) -> str:
    """``value`` escaped for a double-quoted attribute.

    >>> attr('a"<b')
    'a&quot;&lt;b'
    """
    return escape(value, {'"': "&quot;"})


def text(value: str) -> str:
    """``value`` escaped as element text.

    >>> text("a&b")
    'a&amp;b'
    """
    return escape(value)


def attrs(tag: str) -> dict[str, str]:
    """Attributes of one start tag, values unescaped, in document order.

    >>> attrs('<sheet name="A&amp;B" sheetId=\\'3\\'/>')
    {'name': 'A&B', 'sheetId': '3'}
    """
    return {m.group(1): html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR.finditer(tag)}


def set_attrs(tag: str, changes: dict[str, str | None]) -> str:
    """A start tag with attributes set (None: removed), the others kept as written.

    >>> set_attrs('<workbookView activeTab="2" firstSheet="1"/>', {"activeTab": "0", "firstSheet": None})
    '<workbookView activeTab="0"/>'
    """
    for name, value in changes.items():
        pattern = rf'(\s){re.escape(name)}\s*=\s*(?:"[^"]*"|\'[^\']*\')'
        if value is None:
            tag = re.sub(pattern, "", tag)
        elif re.search(pattern, tag):
            tag = re.sub(pattern, lambda m: f'{m.group(1)}{name}="{attr(value)}"', tag)
        else:
            end = len(tag) - (2 if tag.endswith("/>") else 1)
            tag = f'{tag[:end]} {name}="{attr(value)}"{tag[end:]}'
    return tag


def root_prefix(xml: str, local: str) -> str:
    """The namespace prefix (with its colon) of the root element ``local``, or "".

    >>> root_prefix('<x:workbook xmlns:x="...">', "workbook")
    'x:'
    """
    m = re.search(rf"<(\w+:)?{local}\b", xml)
    return m.group(1) or "" if m else ""


def ns_prefix(xml: str, uri: str) -> str | None:
    """The prefix bound to namespace ``uri`` in ``xml``, or None.

    >>> ns_prefix('<w xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">', NS_R)
    'r'
    """
    m = re.search(rf'xmlns:(\w+)\s*=\s*["\']{re.escape(uri)}["\']', xml)
    return m.group(1) if m else None


# --------------------------------------------------------------------------- relationships


@dataclass
class Rel:
    """One relationship: ``part`` is the resolved target part, None for an external target."""

    id: str
    type: str
    target: str  # as written
    part: str | None
    raw: str  # the element's text


def rels_path(part: str) -> str:
    """The relationship part of ``part``.

    >>> rels_path("xl/workbook.xml"), rels_path("")
    ('xl/_rels/workbook.xml.rels', '_rels/.rels')
    """
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def rels_source(rels_part: str) -> str | None:
    """The part a relationship part belongs to ("" for the package), None if it is not one.

    >>> rels_source("xl/worksheets/_rels/sheet1.xml.rels"), rels_source("_rels/.rels"), rels_source("a.xml")
    ('xl/worksheets/sheet1.xml', '', None)
    """
    if not rels_part.endswith(".rels") or "/_rels/" not in "/" + rels_part:
        return None
    folder, base = posixpath.split(rels_part)
    return posixpath.join(posixpath.dirname(folder), base[:-5]) if base != ".rels" else ""


def resolve(source_part: str, target: str) -> str:
    """A relationship target as a part name, relative to the part that holds it.

    >>> resolve("xl/worksheets/sheet1.xml", "../drawings/drawing1.xml"), resolve("xl/workbook.xml", "/xl/a%20b.xml")
    ('xl/drawings/drawing1.xml', 'xl/a b.xml')
    """
    target = unquote(target)
    if target.startswith("/"):
        return target.lstrip("/")
    folder = posixpath.dirname(source_part)
    return posixpath.normpath(posixpath.join(folder, target)).lstrip("/")


def parse_rels(xml: str, source_part: str) -> list[Rel]:
    """The relationships in a ``.rels`` part (see the module example)."""
    rels = []
    for m in _REL_ELEMENT.finditer(xml):
        a = attrs(m.group(0)[: m.group(0).index(">") + 1])
        external = a.get("TargetMode", "").lower() == "external"
        target = a.get("Target", "")
        rels.append(Rel(a.get("Id", ""), a.get("Type", ""), target,
                        None if external else resolve(source_part, target), m.group(0)))
    return rels


def rels_xml(elements: list[str]) -> str:
    """A relationship part holding ``elements`` (as :func:`rel_xml` writes them).

    >>> rels_xml([rel_xml("rId1", REL_STYLES, "styles.xml")]).count("<Relationship ")
    1
    """
    return f'{XML_DECL}<Relationships xmlns="{NS_PKG_REL}">{"".join(elements)}</Relationships>'


def rel_xml(rel_id: str, rel_type: str, target: str) -> str:
    """One ``<Relationship>`` element.

    >>> rel_xml("rId1", "t", "a.xml")
    '<Relationship Id="rId1" Type="t" Target="a.xml"/>'
    """
    return f'<Relationship Id="{attr(rel_id)}" Type="{attr(rel_type)}" Target="{attr(target)}"/>'


def free_id(taken: set[str], stem: str = "rId") -> str:
    """The first ``stem<n>`` not in ``taken`` (which it joins).

    >>> free_id({"rId1", "rId3"})
    'rId2'
    """
    n = 1
    while f"{stem}{n}" in taken:
        n += 1
    taken.add(f"{stem}{n}")
    return f"{stem}{n}"
