"""The workbook-level parts: ``xl/workbook.xml`` (tabs, defined names, active tab, calculation),
its relationships, ``[Content_Types].xml`` and ``docProps/app.xml``, edited as text.

Entries are added, existing ones never renumbered. Names: print titles/areas and the filter
range of our sheets are (re)written; names scoped to a removed or replaced sheet are dropped,
other local names re-indexed; global names pointing at a removed sheet become ``#REF!`` as
when Excel deletes it. ``fullCalcOnLoad`` is set so Excel computes the formulas on open.
The functions take a :class:`~xlreports.excel.write.xlsx.parts.PackagePlan`.

>>> ref_removed("SUM(旧表!A1,'其它 表'!B2)", {"旧表"})
"SUM(#REF!A1,'其它 表'!B2)"
"""
from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from xlreports.a1 import absolute, quote_sheet
from xlreports.errors import XlreportsError
from xlreports.excel.ooxml import (
    CT_CHART, CT_COMMENTS, CT_DRAWING, CT_RELS, CT_STYLES, CT_VML, CT_WORKSHEET, NS_APP, NS_CT, NS_R,
    NS_VT, REL_STYLES, REL_WORKSHEET, XML_DECL, attr, attrs, free_id, ns_prefix, rel_xml, rels_xml,
    set_attrs, text as xml_text,
)
from xlreports.excel.write.plan import MARK_NAME, mark_formula, read_mark, sheet_key
from xlreports.layout.spec import SheetSpec, print_setup

__all__ = ["OldSheet", "NewSheet", "content_types", "workbook_rels", "workbook_xml", "app_xml",
           "ref_removed", "sheet_marks"]


@dataclass(eq=False)
class OldSheet:
    """A tab of the source workbook, as its ``<sheet>`` element in workbook.xml says."""

    name: str
    element: str  # <sheet .../> as written
    attrs: dict[str, str]
    rel_id: str
    part: str | None
    visible: bool
    new_name: str | None = None  # kept under another name (plan.rename)


@dataclass(eq=False)
class NewSheet:
    """A spec sheet: its ``<sheet>`` entry and the parts it is written to."""

    spec: SheetSpec
    part: str
    rel_id: str
    sheet_id: int
    old: OldSheet | None = None
    selected: bool = False
    drawing: str | None = None
    charts: list[str] = field(default_factory=list)
    comments: str | None = None
    vml: str | None = None


def _name(item: OldSheet | NewSheet) -> str:
    return (item.new_name or item.name) if isinstance(item, OldSheet) else item.spec.name


def sheet_marks(wb_text: str, prefix: str, names: list[str]) -> dict[str, str]:
    """Tab → the name its :data:`~xlreports.excel.write.plan.MARK_NAME` says it was written as.

    ``names``: the tabs in workbook.xml order (localSheetId is an index into them).

    >>> xml = ('<definedNames><definedName name="_xlreports.sheet" localSheetId="1" hidden="1">'
    ...        '&quot;工资表&quot;</definedName></definedNames>')
    >>> sheet_marks(xml, "", ["说明", "工资表"])
    {'工资表': '工资表'}
    """
    marks: dict[str, str] = {}
    for m in re.finditer(rf"<{prefix}definedName\b([^>]*?)>(.*?)</{prefix}definedName>", wb_text, re.S):
        a = attrs(m.group(1))
        if a.get("name", "").casefold() != MARK_NAME.casefold() or not a.get("localSheetId", "").isdigit():
            continue
        index = int(a["localSheetId"])
        value = read_mark(html.unescape(m.group(2)))
        if index < len(names) and value is not None:
            marks[names[index]] = value
    return marks


def content_types(plan, add_styles: bool) -> str:
    """[Content_Types].xml: the source's entries less the dropped parts, plus ours."""
    text = plan.package.read("[Content_Types].xml").decode("utf-8")
    defaults, overrides = [], []
    default_exts: set[str] = set()
    ours = {n.lower() for new in plan.new_sheets
            for n in (new.part, new.drawing, new.comments, new.vml, *new.charts) if n}
    for m in re.finditer(r"<(?:\w+:)?(Default|Override)\b[^>]*?(?:/>|>\s*</(?:\w+:)?\1>)", text):
        a = attrs(m.group(0))
        if m.group(1) == "Default":
            defaults.append(m.group(0))
            default_exts.add(a.get("Extension", "").lower())
        else:
            part = a.get("PartName", "").lstrip("/").lower()
            if part not in plan.dropped_lower and part not in ours:
                overrides.append(m.group(0))
    for ext, ctype in (("rels", CT_RELS), ("xml", "application/xml"), ("vml", CT_VML)):
        if ext not in default_exts and (ext != "vml" or any(n.vml for n in plan.new_sheets)):
            defaults.append(f'<Default Extension="{ext}" ContentType="{ctype}"/>')
    added = []
    for new in plan.new_sheets:
        added.append((new.part, CT_WORKSHEET))
        if new.drawing:
            added.append((new.drawing, CT_DRAWING))
            added += [(chart, CT_CHART) for chart in new.charts]
        if new.comments:
            added.append((new.comments, CT_COMMENTS))
    if add_styles:
        added.append((f"{plan.wb_dir}/styles.xml".lstrip("/"), CT_STYLES))
    overrides += [f'<Override PartName="/{attr(part)}" ContentType="{ctype}"/>' for part, ctype in added]
    return f'{XML_DECL}<Types xmlns="{NS_CT}">{"".join(defaults)}{"".join(overrides)}</Types>'


def workbook_rels(plan, add_styles: bool) -> str:
    """The workbook's relationships: the kept ones, our sheets' (and styles.xml if it had none)."""
    cut_ids = {r.id for r in plan.wb_rels if r.part in plan.cut}
    elements = [r.raw for r in plan.wb_rels if r.id not in cut_ids]
    taken = {r.id for r in plan.wb_rels}
    for new in plan.new_sheets:
        elements.append(rel_xml(new.rel_id, REL_WORKSHEET, posixpath.relpath(new.part, plan.wb_dir or ".")))
    if add_styles:
        elements.append(rel_xml(free_id(taken), REL_STYLES, "styles.xml"))
    return rels_xml(elements)


def workbook_xml(plan) -> str:
    """workbook.xml with the new tab list, defined names, calcPr and active tab."""
    p = plan.wb_prefix
    text = plan.wb_text
    rel_prefix = ns_prefix(text, NS_R)
    id_attr = f"{rel_prefix}:id" if rel_prefix else f'xmlns:r="{NS_R}" r:id'
    # <sheets>
    elements = []
    for item in plan.order:
        if isinstance(item, OldSheet):
            elements.append(set_attrs(item.element, {"name": item.new_name}) if item.new_name else item.element)
        else:
            state = f' state="{item.spec.state}"' if item.spec.state != "visible" else ""
            elements.append(f'<{p}sheet name="{attr(item.spec.name)}" sheetId="{item.sheet_id}"'
                            f'{state} {id_attr}="{attr(item.rel_id)}"/>')
    text = _replace_once(text, rf"<{p}sheets\b[^>]*?(?:/>|>.*?</{p}sheets>)",
                         f"<{p}sheets>{''.join(elements)}</{p}sheets>")
    # <definedNames>
    names = _defined_names(plan)
    names_block = f"<{p}definedNames>{''.join(names)}</{p}definedNames>" if names else ""
    existing = re.search(rf"<{p}definedNames\b[^>]*?(?:/>|>.*?</{p}definedNames>)", text, re.S)
    if existing:
        text = text[: existing.start()] + names_block + text[existing.end():]
    elif names_block:
        text = _insert_after_last(text, [rf"</{p}sheets>", rf"<{p}functionGroups\b[^>]*/>",
                                         rf"</{p}functionGroups>", rf"</{p}externalReferences>"],
                                  names_block)
    # <calcPr fullCalcOnLoad="1">: formulas are computed when Excel opens the file
    calc = re.search(rf"<{p}calcPr\b[^>]*?/?>", text)
    if calc:
        text = text[: calc.start()] + set_attrs(calc.group(0), {"fullCalcOnLoad": "1"}) + text[calc.end():]
    else:
        text = _insert_after_last(text, [rf"</{p}sheets>", rf"</{p}functionGroups>",
                                         rf"<{p}functionGroups\b[^>]*/>", rf"</{p}externalReferences>",
                                         rf"</{p}definedNames>"],
                                  f'<{p}calcPr calcId="191029" fullCalcOnLoad="1"/>')
    # <workbookView activeTab=…>
    changes = {"activeTab": str(plan.active_index),
               "firstSheet": str(plan.first_sheet) if plan.first_sheet else None}
    text = re.sub(rf"<{p}workbookView\b[^>]*?/?>", lambda m: set_attrs(m.group(0), changes), text)
    return text


def unselected(sheet_xml: bytes) -> bytes:
    """A kept sheet's XML with its sheet view no longer selected (another tab is active now); only
    the first ``<sheetView …>`` tag, at the top of the part, is touched.

    >>> unselected(b'<worksheet><sheetViews><sheetView tabSelected="1" workbookViewId="0"/>')
    b'<worksheet><sheetViews><sheetView workbookViewId="0"/>'
    """
    view = re.search(rb"<(?:\w+:)?sheetView\b[^>]*>", sheet_xml)
    if view is None or b"tabSelected" not in view.group(0):
        return sheet_xml
    tag = re.sub(rb'\s+tabSelected\s*=\s*("[^"]*"|\'[^\']*\')', b"", view.group(0))
    return sheet_xml[:view.start()] + tag + sheet_xml[view.end():]


def _defined_names(plan) -> list[str]:
    """Kept names (local ones re-indexed), then print titles/areas/filters of our sheets."""
    p = plan.wb_prefix
    index_now = {id(item): i for i, item in enumerate(plan.order)}
    old_index = {i: old for i, old in enumerate(plan.old_sheets)}
    removed_keys = {sheet_key(s.name) for s in plan.removed}
    out = []
    block = re.search(rf"<{p}definedNames\b[^>]*?>(.*?)</{p}definedNames>", plan.wb_text, re.S)
    for m in re.finditer(rf"<{p}definedName\b([^>]*?)(?:/>|>(.*?)</{p}definedName>)",
                         block.group(1) if block else "", re.S):
        a = attrs(m.group(1))
        element = m.group(0)
        if "localSheetId" in a:
            try:
                owner = old_index.get(int(a["localSheetId"]))
            except ValueError:
                owner = None
            if owner is None or id(owner) not in index_now:
                continue  # scoped to a removed or replaced sheet
            start = element[: element.index(">") + 1]
            element = set_attrs(start, {"localSheetId": str(index_now[id(owner)])}) + element[len(start):]
            if owner.new_name and m.group(2):  # its own print area, filter… follow it to its new name
                formula = html.unescape(m.group(2))
                moved = ref_renamed(formula, {sheet_key(owner.name): owner.new_name})
                if moved != formula:
                    start = element[: element.index(">") + 1]
                    element = f"{start}{xml_text(moved)}</{p}definedName>"
        if removed_keys and m.group(2):
            formula = html.unescape(m.group(2))
            fixed = ref_removed(formula, removed_keys)
            if fixed != formula:
                start = element[: element.index(">") + 1]
                element = f"{start}{xml_text(fixed)}</{p}definedName>"
        out.append(element)
    for new in plan.new_sheets:
        idx = index_now[id(new)]
        quoted = quote_sheet(new.spec.name)
        page = print_setup(new.spec)
        out.append(f'<{p}definedName name="{MARK_NAME}" localSheetId="{idx}" hidden="1">'
                   f"{xml_text(mark_formula(new.spec.name))}</{p}definedName>")
        if new.spec.auto_filter:
            out.append(f'<{p}definedName name="_xlnm._FilterDatabase" localSheetId="{idx}" hidden="1">'
                       f"{xml_text(quoted + '!' + absolute(new.spec.auto_filter))}</{p}definedName>")
        if page is not None and page.print_area:
            area = ",".join(f"{quoted}!{absolute(part)}" for part in page.print_area.split(","))
            out.append(f'<{p}definedName name="_xlnm.Print_Area" localSheetId="{idx}">'
                       f"{xml_text(area)}</{p}definedName>")
        if page is not None and (page.print_title_rows or page.print_title_cols):
            parts = []
            if page.print_title_cols:
                parts.append(f"{quoted}!{absolute(page.print_title_cols)}")
            if page.print_title_rows:
                parts.append(f"{quoted}!{absolute(page.print_title_rows)}")
            out.append(f'<{p}definedName name="_xlnm.Print_Titles" localSheetId="{idx}">'
                       f"{xml_text(','.join(parts))}</{p}definedName>")
    return out


def app_xml(plan, data: bytes) -> bytes:
    """Sheet names in docProps/app.xml's TitlesOfParts follow the new tab list.

    Only the worksheet group (the one holding the old sheet names) is rewritten;
    Excel rebuilds the whole part on its next save and never checks it on open.
    """
    try:
        text = data.decode("utf-8")
        root = ET.fromstring(data)
    except (UnicodeDecodeError, ET.ParseError):
        return data
    vt = ns_prefix(text, NS_VT)
    pairs_el = root.find(f"{{{NS_APP}}}HeadingPairs/{{{NS_VT}}}vector")
    titles_el = root.find(f"{{{NS_APP}}}TitlesOfParts/{{{NS_VT}}}vector")
    if vt is None or pairs_el is None or titles_el is None or not root.tag.startswith(f"{{{NS_APP}}}"):
        return data
    if re.search(r"<\w+:Properties\b", text):
        return data  # a prefixed root: leave it as it is
    variants = [v[0] for v in pairs_el]
    groups = []
    for label_el, count_el in zip(variants[::2], variants[1::2]):
        try:
            groups.append([label_el.text or "", int(count_el.text or 0)])
        except ValueError:
            return data
    titles = [t.text or "" for t in titles_el]
    if sum(c for _, c in groups) != len(titles):
        return data
    old_names = {s.name for s in plan.old_sheets}
    spans, start = [], 0
    for _, count in groups:
        spans.append(titles[start:start + count])
        start += count
    scores = [sum(t in old_names for t in span) for span in spans]
    if not groups or (old_names and max(scores) == 0):
        return data
    g = scores.index(max(scores)) if old_names else 0
    kept_other = {s.name for s in plan.old_sheets if s.name not in spans[g]}  # chart sheets etc.
    names = [_name(item) for item in plan.order]
    spans[g] = [n for n in names if n not in kept_other]
    groups[g][1] = len(spans[g])
    all_titles = [t for span in spans for t in span]
    pairs_xml = "".join(f"<{vt}:variant><{vt}:lpstr>{xml_text(label)}</{vt}:lpstr></{vt}:variant>"
                        f"<{vt}:variant><{vt}:i4>{count}</{vt}:i4></{vt}:variant>" for label, count in groups)
    titles_xml = "".join(f"<{vt}:lpstr>{xml_text(t)}</{vt}:lpstr>" for t in all_titles)
    text = _replace_once(text, r"<HeadingPairs>.*?</HeadingPairs>",
                         f'<HeadingPairs><{vt}:vector size="{2 * len(groups)}" baseType="variant">'
                         f"{pairs_xml}</{vt}:vector></HeadingPairs>")
    text = _replace_once(text, r"<TitlesOfParts>.*?</TitlesOfParts>",
                         f'<TitlesOfParts><{vt}:vector size="{len(all_titles)}" baseType="lpstr">'
                         f"{titles_xml}</{vt}:vector></TitlesOfParts>")
    return text.encode("utf-8")


def _replace_once(text: str, pattern: str, new: str) -> str:
    m = re.search(pattern, text, re.S)
    if m is None:
        raise XlreportsError("工作簿结构无法识别，请在 Excel 中另存后重试")
    return text[: m.start()] + new + text[m.end():]


def _insert_after_last(text: str, patterns: list[str], new: str) -> str:
    ends = [m.end() for pattern in patterns for m in re.finditer(pattern, text, re.S)]
    if not ends:
        raise XlreportsError("工作簿结构无法识别，请在 Excel 中另存后重试")
    at = max(ends)
    return text[:at] + new + text[at:]


_SHEET_PREFIX = re.compile(r"(?:'((?:[^']|'')+)'|([^\s'!:,()=+\-*/^&<>;{}\"#\[\]]+))!")


def ref_removed(formula: str, removed_keys: set[str]) -> str:
    """References to deleted sheets become #REF!, as Excel does when a sheet is deleted."""
    def fix(m: re.Match) -> str:
        name = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
        return "#REF!" if sheet_key(name) in removed_keys else m.group(0)
    return _SHEET_PREFIX.sub(fix, formula)


def ref_renamed(formula: str, renamed: dict[str, str]) -> str:
    """References to renamed sheets (by key) follow them to their new names.

    >>> ref_renamed("'方案'!$A$1:$F$9", {"方案": "方案(旧)"})
    "'方案(旧)'!$A$1:$F$9"
    """
    def fix(m: re.Match) -> str:
        name = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
        new = renamed.get(sheet_key(name))
        return quote_sheet(new) + "!" if new else m.group(0)
    return _SHEET_PREFIX.sub(fix, formula)
