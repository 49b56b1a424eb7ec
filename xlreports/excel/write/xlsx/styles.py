"""xl/styles.xml: the workbook's styles, with ours appended (or found, when identical).

Existing entries are never renumbered, so the cells of the sheets copied unread keep their
look. Spec :class:`~xlreports.layout.spec.Style` s map as in the openpyxl reference renderer:
the theme's minor font (Excel picks its East-Asian face), solid fills, four-sided borders.

>>> from xlreports.layout.spec import HEADER
>>> styles = Styles(None)
>>> styles.xf(HEADER), styles.xf(HEADER), styles.xf(None)
(1, 1, 0)
>>> b'<b/>' in styles.to_xml()
True
"""
from __future__ import annotations

import re
from typing import Iterable
from xml.etree import ElementTree as ET

from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE

from xlreports.excel.ooxml import NS_MAIN, attr, root_prefix, set_attrs
from xlreports.excel.write.xlsx.package import blank_workbook
from xlreports.layout.spec import Style

__all__ = ["Styles", "color_rgb"]

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _node(el) -> tuple:
    """An element as (tag, attrs, children), namespaces dropped: comparable and renderable."""
    return (_local(el.tag), tuple((_local(k), v) for k, v in el.attrib.items()),
            tuple(_node(c) for c in el))


def _canon(node: tuple) -> tuple:
    tag, attrs, children = node
    return tag, tuple(sorted(attrs)), tuple(_canon(c) for c in children)


def _render(node: tuple, prefix: str) -> str:
    tag, attrs, children = node
    a = "".join(f' {k}="{attr(v)}"' for k, v in attrs)
    if not children:
        return f"<{prefix}{tag}{a}/>"
    return f"<{prefix}{tag}{a}>{''.join(_render(c, prefix) for c in children)}</{prefix}{tag}>"


def _n(tag: str, attrs: Iterable[tuple[str, str]] = (), children: Iterable[tuple] = ()) -> tuple:
    return tag, tuple(attrs), tuple(children)


_SECTIONS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
             "dxfs", "tableStyles", "colors", "extLst")


class Styles:
    """xl/styles.xml: entries are appended (or found, when identical); never renumbered.

    ``data``: the source's styles part (None: a blank workbook's).
    """

    def __init__(self, data: bytes | None):
        if data is None:
            data = blank_workbook()["xl/styles.xml"]
        self.text = data.decode("utf-8")
        self.prefix = root_prefix(self.text, "styleSheet")
        root = ET.fromstring(data)
        self.index: dict[str, dict[tuple, int]] = {}
        self.count: dict[str, int] = {}
        self.added: dict[str, list[tuple]] = {}
        for section in ("fonts", "fills", "borders", "cellXfs", "dxfs", "cellStyleXfs"):
            el = root.find(f"{{{NS_MAIN}}}{section}")
            children = list(el) if el is not None else []
            self.count[section] = len(children)
            self.added[section] = []
            known: dict[tuple, int] = {}
            for i, child in enumerate(children):
                known.setdefault(_canon(_node(child)), i)
            self.index[section] = known
        self.formats: dict[str, int] = {}
        self.added["numFmts"] = []
        el = root.find(f"{{{NS_MAIN}}}numFmts")
        self.count["numFmts"] = len(el) if el is not None else 0
        for fmt in (el if el is not None else []):
            try:
                self.formats.setdefault(fmt.get("formatCode"), int(fmt.get("numFmtId")))
            except (TypeError, ValueError):
                continue
        self.next_format = max([163, *self.formats.values()]) + 1
        self._xf_cache: dict[tuple, int] = {}
        self._keep: list = []  # styles whose id() is a cache key stay alive

    def _add(self, section: str, node: tuple) -> int:
        key = _canon(node)
        found = self.index[section].get(key)
        if found is None:
            found = self.index[section][key] = self.count[section]
            self.count[section] += 1
            self.added[section].append(node)
        return found

    def _format_id(self, code: str | None) -> int:
        if not code or code == "General":
            return 0
        builtin = BUILTIN_FORMATS_REVERSE.get(code)
        if builtin is not None:
            return builtin
        found = self.formats.get(code)
        if found is None:
            found = self.formats[code] = self.next_format
            self.next_format += 1
            self.count["numFmts"] += 1
            self.added["numFmts"].append(_n("numFmt", [("numFmtId", str(found)), ("formatCode", code)]))
        return found

    def xf(self, style: Style | None, default_format: str | None = None, quote: bool = False) -> int:
        """The cellXfs index for ``style`` (None: the workbook's default look)."""
        key = (id(style), default_format, quote)
        found = self._xf_cache.get(key)
        if found is None:
            found = self._xf_cache[key] = self._build_xf(style, default_format, quote)
            self._keep.append(style)
        return found

    def _build_xf(self, style: Style | None, default_format: str | None, quote: bool) -> int:
        if style is None and default_format is None and not quote:
            return 0
        number_format = (style.number_format if style is not None else None) or default_format
        fmt_id = self._format_id(number_format)
        attrs = [("numFmtId", str(fmt_id))]
        children = []
        if style is None:
            attrs += [("fontId", "0"), ("fillId", "0"), ("borderId", "0"), ("xfId", "0")]
        else:
            font = self._add("fonts", _font_node(style))
            fill = self._add("fills", _fill_node(style.fill)) if style.fill else 0
            border = self._add("borders", _border_node(style.border)) if style.border else 0
            attrs += [("fontId", str(font)), ("fillId", str(fill)), ("borderId", str(border)), ("xfId", "0")]
        if quote:
            attrs.append(("quotePrefix", "1"))
        if fmt_id:
            attrs.append(("applyNumberFormat", "1"))
        if style is not None:
            attrs.append(("applyFont", "1"))
            if style.fill:
                attrs.append(("applyFill", "1"))
            if style.border:
                attrs.append(("applyBorder", "1"))
            align = [(k, v) for k, v in (("horizontal", style.h_align), ("vertical", style.v_align),
                                         ("wrapText", "1" if style.wrap else None)) if v]
            if align:
                attrs.append(("applyAlignment", "1"))
                children.append(_n("alignment", align))
            if not style.locked:
                attrs.append(("applyProtection", "1"))
                children.append(_n("protection", [("locked", "0")]))
        if self.count["cellStyleXfs"] == 0:  # xfId="0" must point at a cell style xf
            self._add("cellStyleXfs", _n("xf", [("numFmtId", "0"), ("fontId", "0"), ("fillId", "0"),
                                                ("borderId", "0")]))
        return self._add("cellXfs", _n("xf", attrs, children))

    def dxf(self, element) -> int:
        """The dxfs index of a differential format (an element, e.g. from openpyxl's to_tree)."""
        return self._add("dxfs", _node(element))

    def to_xml(self) -> bytes:
        """The styles part: the source's text with the added entries and counts."""
        text = self.text
        p = self.prefix
        for section in _SECTIONS:
            nodes = self.added.get(section)
            if not nodes:
                continue
            body = "".join(_render(n, p) for n in nodes)
            count = self.count[section]
            start = re.search(rf"<{p}{section}\b[^>]*?(/?)>", text)
            if start is None:
                # After the nearest earlier section (those are never nested), else first.
                at = None
                for earlier in reversed(_SECTIONS[: _SECTIONS.index(section)]):
                    m = re.search(rf"</{p}{earlier}>|<{p}{earlier}\b[^>]*/>", text)
                    if m:
                        at = m.end()
                        break
                if at is None:
                    at = re.search(rf"<{p}styleSheet\b[^>]*>", text).end()
                text = text[:at] + f'<{p}{section} count="{count}">{body}</{p}{section}>' + text[at:]
                continue
            head = set_attrs(start.group(0), {"count": str(count)})
            if start.group(1):  # <dxfs count="0"/>
                head = head[:-2].rstrip() + ">"
                text = text[: start.start()] + head + body + f"</{p}{section}>" + text[start.end():]
            else:
                close = text.index(f"</{p}{section}>", start.end())
                text = text[: start.start()] + head + text[start.end():close] + body + text[close:]
        return text.encode("utf-8")


def color_rgb(color: str) -> str:
    """A spec colour (6 or 8 hex digits) as ARGB.

    >>> color_rgb("d9e1f2")
    '00D9E1F2'
    """
    return color.upper() if len(color) == 8 else "00" + color.upper()


def _font_node(style: Style) -> tuple:
    """As the reference renderer's font: the theme's minor font, so Excel picks its East-Asian face."""
    children = []
    if style.bold:
        children.append(_n("b"))
    if style.italic:
        children.append(_n("i"))
    children.append(_n("sz", [("val", f"{style.size or 11:g}")]))
    children.append(_n("color", [("rgb", color_rgb(style.color))] if style.color else [("theme", "1")]))
    children += [_n("name", [("val", "Calibri")]), _n("family", [("val", "2")]), _n("scheme", [("val", "minor")])]
    return _n("font", (), children)


def _fill_node(color: str) -> tuple:
    rgb = color_rgb(color)
    return _n("fill", (), [_n("patternFill", [("patternType", "solid")],
                              [_n("fgColor", [("rgb", rgb)]), _n("bgColor", [("rgb", rgb)])])])


def _border_node(kind: str) -> tuple:
    sides = [_n(side, [("style", kind)]) for side in ("left", "right", "top", "bottom")]
    return _n("border", (), [*sides, _n("diagonal")])

