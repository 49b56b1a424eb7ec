"""Which parts the new package holds: copied unread, rewritten, written new, or dropped.

:class:`PackagePlan` reads the source's workbook part and relationships, asks
:func:`xlreports.excel.write.plan.plan_tabs` for the tabs, leaves out the parts only the
removed or replaced sheets reach (and ``calcChain.xml``: Excel rebuilds it), names the new
parts without clashing, then writes everything in one pass.

>>> from xlreports.excel.write.xlsx.package import Package
>>> from xlreports.layout.spec import SheetSpec
>>> plan = PackagePlan(Package.open(None), [SheetSpec("汇总")], [], Path("new.xlsx"))
>>> [(new.spec.name, new.part, new.rel_id, new.sheet_id) for new in plan.new_sheets]
[('汇总', 'xl/worksheets/sheet1.xml', 'rId3', 1)]
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

from xlreports.errors import XlreportsError
from xlreports.excel.ooxml import (
    NS_MAIN, REL_APP, REL_CALC_CHAIN, REL_OFFICE_DOC, REL_STYLES, Rel, attrs, free_id, parse_rels,
    rels_path, rels_source, root_prefix,
)
from xlreports.excel.write.plan import TabPlan, owned_tabs, plan_tabs
from xlreports.excel.write.xlsx import workbook
from xlreports.excel.write.xlsx.workbook import NewSheet, OldSheet
from xlreports.excel.write.xlsx.package import Package
from xlreports.excel.write.xlsx.save import check_target, not_a_workbook
from xlreports.excel.write.xlsx.sheet import SheetWriter
from xlreports.excel.write.xlsx.styles import Styles
from xlreports.excel.write.xlsx.zipraw import ZipOut
from xlreports.layout.spec import SheetSpec

__all__ = ["PackagePlan"]


class PackagePlan:
    """What the new package holds (see the module docstring)."""

    def __init__(self, package: Package, specs: list[SheetSpec], remove: list[str], target: Path, *,
                 adopt: list[str] | None = None, rename: dict[str, str] | None = None,
                 arrange: list[str] | None = None, activate: str | None = None):
        self.package = package
        self.specs = specs
        self._find_workbook()
        check_target(target, any(n.lower().endswith("vbaproject.bin") for n in package.names))
        self.wb_text = package.read(self.wb_part).decode("utf-8")
        self.wb_prefix = root_prefix(self.wb_text, "workbook")
        root_tag = re.search(r"<(?:\w+:)?workbook\b[^>]*>", self.wb_text)
        if root_tag is None or NS_MAIN not in root_tag.group(0):
            raise XlreportsError("工作簿使用了 Strict Open XML 格式，请在 Excel 中另存为普通 .xlsx 后重试")
        self.wb_rels_part = rels_path(self.wb_part)
        self.wb_rels = (parse_rels(package.read(self.wb_rels_part).decode("utf-8"), self.wb_part)
                        if package.has(self.wb_rels_part) else [])
        self.old_sheets = self._old_sheets()
        self._order(remove, adopt, rename or {}, arrange, activate)
        self._drop_parts()
        self._name_new_parts()

    # ---- reading the source

    def _root_rels(self) -> list[Rel]:
        try:
            return parse_rels(self.package.read("_rels/.rels").decode("utf-8"), "")
        except KeyError:
            return []

    def _find_workbook(self) -> None:
        pkg = self.package
        docs = [r.part for r in self._root_rels() if r.type == REL_OFFICE_DOC and r.part]
        if not docs or not pkg.has(docs[0]):
            raise not_a_workbook(pkg.path or Path("?"), None if pkg.path else "")
        self.wb_part = docs[0]
        self.wb_dir = posixpath.dirname(self.wb_part)

    def _old_sheets(self) -> list[OldSheet]:
        p = self.wb_prefix
        block = re.search(rf"<{p}sheets\b[^>]*?(?:/>|>(.*?)</{p}sheets>)", self.wb_text, re.S)
        if block is None:
            raise not_a_workbook(self.package.path or Path("?"))
        rels = {r.id: r for r in self.wb_rels}
        sheets = []
        for m in re.finditer(rf"<{p}sheet\b[^>]*?(?:/>|>\s*</{p}sheet>)", block.group(1) or ""):
            a = attrs(m.group(0))
            rel_id = next((v for k, v in a.items() if k.endswith(":id") or k == "id"), "")
            rel = rels.get(rel_id)
            sheets.append(OldSheet(a.get("name", ""), m.group(0), a, rel_id, rel.part if rel else None,
                                   a.get("state", "visible") == "visible"))
        return sheets

    def workbook_view(self) -> dict[str, str]:
        """The attributes of the source's first ``<workbookView>``."""
        view = re.search(rf"<{self.wb_prefix}workbookView\b[^>]*?/?>", self.wb_text)
        return attrs(view.group(0)) if view else {}

    # ---- deciding

    def _order(self, remove: list[str], adopt: list[str] | None, rename: dict[str, str],
               arrange: list[str] | None = None, activate: str | None = None) -> None:
        """Final tab order and active tab (plan_tabs, with the tabs that are ours), then part and
        relationship ids."""
        old, view = self.old_sheets, self.workbook_view()
        active = int(view.get("activeTab", 0) or 0)
        hidden = [s.name for s in old if not s.visible] + [s.name for s in self.specs if s.state != "visible"]
        names = [s.name for s in old]
        owned = (None if adopt is None
                 else owned_tabs(names, workbook.sheet_marks(self.wb_text, self.wb_prefix, names), adopt))
        tabs: TabPlan = plan_tabs(names, [s.name for s in self.specs], remove=remove, owned=owned,
                                  rename=rename, hidden=hidden, arrange=arrange, activate=activate,
                                  active=old[active].name if 0 <= active < len(old) else None)
        old_by_name = {s.name: s for s in old}
        for old_name, new_name in tabs.renamed.items():
            old_by_name[old_name].new_name = new_name
            old_by_name[new_name] = old_by_name[old_name]
        taken_ids = {r.id for r in self.wb_rels}
        max_sheet_id = max((int(s.attrs.get("sheetId", 0) or 0) for s in old), default=0)
        by_name: dict[str, NewSheet] = {}
        specs = {s.name: s for s in self.specs}
        for spec_name, old_name in tabs.replaced.items():  # in the source's tab order
            was = old_by_name[old_name]
            new = NewSheet(specs[spec_name], "", was.rel_id or free_id(taken_ids),
                           int(was.attrs.get("sheetId", 0) or 0) or max_sheet_id + 1, was)
            max_sheet_id = max(max_sheet_id, new.sheet_id)
            by_name[spec_name] = new
        for spec in self.specs:
            if spec.name not in by_name:
                max_sheet_id += 1
                by_name[spec.name] = NewSheet(spec, "", free_id(taken_ids), max_sheet_id)
        self.new_sheets = [by_name[s.name] for s in self.specs]
        self.order: list[OldSheet | NewSheet] = [by_name.get(n) or old_by_name[n] for n in tabs.order]
        self.replaced = [old_by_name[n] for n in tabs.replaced.values()]
        self.removed = [old_by_name[n] for n in tabs.removed]
        for new in self.new_sheets:
            new.selected = new.spec.name == tabs.active
        self.active_index = tabs.active_index
        # The tab that was active and is kept, when another is active now: its sheet view must not
        # stay selected too (Excel would open with both tabs grouped, typing into both).
        was = old[active].name if 0 <= active < len(old) else None
        self.unselect = (old_by_name[was] if was in tabs.kept and tabs.active != was and old_by_name[was].part
                         else None)
        first = view.get("firstSheet")
        first_old = old[int(first)].name if first and first.isdigit() and int(first) < len(old) else None
        self.first_sheet = (tabs.order.index(tabs.renamed.get(first_old, first_old))
                            if first_old in tabs.kept else None)
        if self.first_sheet is not None and self.first_sheet > self.active_index:
            self.first_sheet = None  # the tab strip starts where the active tab shows

    def _drop_parts(self) -> None:
        """Parts only the removed/replaced sheets (or calcChain) reach are left out."""
        pkg = self.package
        graph: dict[str, list[str]] = {}
        self.rels_of: dict[str, list[Rel]] = {}
        for name in pkg.names:
            source = rels_source(name)
            if source is None:
                continue
            try:
                rels = parse_rels(pkg.read(name).decode("utf-8"), source)
            except UnicodeDecodeError:
                continue
            self.rels_of[source] = rels
            graph[source] = [r.part for r in rels if r.part]
        cut = {s.part for s in [*self.replaced, *self.removed] if s.part}
        cut |= {r.part for r in self.wb_rels if r.type == REL_CALC_CHAIN and r.part}
        self.cut = cut

        def reach(skip: set[str]) -> set[str]:
            seen, todo = {""}, [""]
            while todo:
                for part in graph.get(todo.pop(), ()):
                    if part not in seen and part not in skip:
                        seen.add(part)
                        todo.append(part)
            return seen

        gone = (reach(set()) - reach(cut)) | cut
        gone |= {rels_path(p) for p in gone}
        gone = {g.lower() for g in gone}  # part names compare case-insensitively (OPC)
        self.dropped = {n for n in pkg.names if n.lower() in gone}
        self.dropped_lower = gone

    def _name_new_parts(self) -> None:
        taken = {n.lower() for n in self.package.names if n not in self.dropped}

        def free(pattern: str) -> str:
            n = 1
            while pattern.format(n).lower() in taken:
                n += 1
            name = pattern.format(n)
            taken.add(name.lower())
            return name

        d = self.wb_dir + "/" if self.wb_dir else ""
        for new in self.new_sheets:
            new.part = free(d + "worksheets/sheet{}.xml")
        for new in self.new_sheets:
            if new.spec.charts:
                new.drawing = free(d + "drawings/drawing{}.xml")
                new.charts = [free(d + "charts/chart{}.xml") for _ in new.spec.charts]
            if any(c.comment for c in new.spec.cells.values()):
                new.comments = free(d + "comments{}.xml")
                new.vml = free(d + "drawings/vmlDrawing{}.vml")

    def app_part(self) -> str | None:
        """docProps/app.xml (or wherever the package says it is), if kept."""
        part = next((r.part for r in self._root_rels() if r.type == REL_APP and r.part), None)
        return part if part and self.package.has(part) and part not in self.dropped else None

    # ---- writing

    def write(self, out: ZipOut, cached: dict[str, dict[str, object]]) -> None:
        """Write the new package into ``out``; ``cached``: sheet → cell → cached formula result."""
        pkg = self.package
        rewritten = {"[Content_Types].xml", self.wb_part, self.wb_rels_part}
        styles_part = next((r.part for r in self.wb_rels if r.type == REL_STYLES and r.part), None)
        if styles_part is not None:
            rewritten.add(styles_part)
        app_part = self.app_part()
        if app_part is not None:
            rewritten.add(app_part)
        styles = Styles(pkg.read(styles_part) if styles_part and pkg.has(styles_part) else None)
        # Checked before anything is written: a bad spec fails fast, not after copying.
        writers = [SheetWriter(new, styles, cached.get(new.spec.name, {})) for new in self.new_sheets]
        out.writestr("[Content_Types].xml", workbook.content_types(self, styles_part is None))
        unselect = self.unselect.part if self.unselect is not None and pkg.has(self.unselect.part) else None
        for name in pkg.names:
            if name == unselect:
                out.writestr(name, workbook.unselected(pkg.read(name)))
            elif name not in rewritten and name not in self.dropped:
                pkg.copy(name, out)
        for writer in writers:
            writer.write(out)
        out.writestr(styles_part or f"{self.wb_dir}/styles.xml".lstrip("/"), styles.to_xml())
        out.writestr(self.wb_part, workbook.workbook_xml(self))
        out.writestr(self.wb_rels_part, workbook.workbook_rels(self, styles_part is None))
        if app_part is not None:
            out.writestr(app_part, workbook.app_xml(self, pkg.read(app_part)))

