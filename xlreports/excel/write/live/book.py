"""A workbook spec into the workbook open in Excel: the write plan's tabs, carried out safely.

:func:`xlreports.excel.write.plan.plan_tabs` decides which tabs are replaced, removed and added,
their order and the active tab, as for the file writer. Carrying it out in a live book: each
replaced tab is renamed aside (``~xlr-old-N``) and its new tab added in its place; new tabs are
added where the plan puts them; every spec sheet is rendered; only then are the old and removed
tabs deleted. If anything fails, the new tabs are deleted and the old ones renamed back, so the
book is as it was, and the error is raised. Screen updating is off and calculation manual
meanwhile (the user's settings restored).

>>> taken = {"~xlr-old-1"}; aside_name(taken), sorted(taken)
('~xlr-old-2', ['~xlr-old-1', '~xlr-old-2'])
"""
from __future__ import annotations

from typing import Any, Callable

from xlreports.excel.write.live.report import LiveRender, default_com, safe
from xlreports.excel.write.live.sheet import render_sheet
from xlreports.excel.write.plan import (MARK_NAME, TabPlan, check_sheet_names, mark_formula, owned_tabs, plan_tabs,
                                        read_mark, sheet_key)
from xlreports.layout.spec import WorkbookSpec

__all__ = ["apply_workbook_spec", "aside_name", "sheet_marks"]


def apply_workbook_spec(book, spec: WorkbookSpec, *, before: str | None = None, com: bool | None = None,
                        progress: Callable[[str], None] | None = None, owned_only: bool = False) -> LiveRender:
    """Replace the spec's sheets in the live ``book`` and render them; other sheets are left alone.

    The tabs are as :func:`~xlreports.excel.write.plan.plan_tabs` says (spec sheets take their
    namesakes' places, new ones go before ``before`` or at the end, the user's active tab stays
    active); on failure the book is put back as it was and the error raised. ``com``: drive the
    Windows object model (default: on Windows); ``progress`` gets a line per sheet;
    ``owned_only`` (as :class:`~xlreports.excel.write.LiveWriter` always asks): replace or delete
    only tabs xlreports wrote (marked, or ``spec.adopt``), else stop before changing anything.
    Returns the sheets written and the features skipped.
    """
    check_sheet_names(s.name for s in spec.sheets)
    com = default_com() if com is None else com
    result = LiveRender()
    with _Fast(book.app):
        existing = {sheet.name: sheet for sheet in book.sheets}
        hidden = [name for name, sheet in existing.items() if not safe(lambda s=sheet: s.visible, True)]
        hidden += [s.name for s in spec.sheets if s.state != "visible"]
        owned = owned_tabs(existing, sheet_marks(existing.values()), spec.adopt) if owned_only else None
        tabs = plan_tabs(list(existing), [s.name for s in spec.sheets], remove=spec.remove, hidden=hidden,
                         active=safe(lambda: book.sheets.active.name), before=before, owned=owned,
                         rename=spec.rename, arrange=spec.order, activate=spec.active)
        created: dict[str, Any] = {}
        aside: list[tuple[Any, str]] = []  # (old sheet renamed aside, its name): deleted once all rendered
        kept_renamed: list[tuple[Any, str]] = []  # (tab kept under a new name, its old name)
        try:
            for old, new in tabs.renamed.items():  # e.g. the old 考核方案 kept by init --replace
                existing[old].name = new
                kept_renamed.append((existing[old], old))
            _add_tabs(book, tabs, existing, created, aside)
            for n, sheet_spec in enumerate(spec.sheets, 1):
                if progress:
                    progress(f"正在写入「{sheet_spec.name}」（{n}/{len(spec.sheets)}）")
                render_sheet(created[sheet_spec.name], sheet_spec, com=com, report=result)
                _mark(created[sheet_spec.name], sheet_spec.name, com)
        except BaseException:
            _roll_back(created, aside + kept_renamed)
            _restore_order(book, list(existing.values()))
            raise
        for sheet in [old for old, _ in aside] + [existing[name] for name in tabs.removed]:
            _delete(sheet)
        active = created.get(tabs.active) or existing.get(tabs.active)
        if active is not None:
            safe(active.activate)  # adding sheets activated the new ones
    result.sheets = list(tabs.written)
    return result


def _add_tabs(book, tabs: TabPlan, existing: dict[str, Any], created: dict[str, Any],
              aside: list[tuple[Any, str]]) -> None:
    """Add the plan's tabs, each just after its predecessor in the plan's order (a replaced tab's
    old sheet renamed aside first); kept tabs the plan places elsewhere are moved there (``Sheet.move``,
    public since xlwings 0.37.5), so the book ends in the plan's order as the file writer's does."""
    taken = {sheet_key(name) for name in (*existing, *tabs.written, *tabs.renamed.values())}
    back = {new: old for old, new in tabs.renamed.items()}
    for new, old in tabs.replaced.items():
        sheet = existing[old]
        sheet.name = aside_name(taken)
        aside.append((sheet, old))
    written = set(tabs.written)
    previous = None
    for name in tabs.order:
        if name not in written:  # a kept tab (perhaps renamed): after its predecessor in the plan
            sheet = existing[back.get(name, name)]
            if previous is not None and _index(book, sheet) != _index(book, previous) + 1:
                sheet.move(after=previous)
            previous = sheet
        elif previous is not None:
            created[name] = previous = book.sheets.add(name, after=previous)
        else:  # first in the plan's order: before whatever tab is first now
            first = next(iter(book.sheets), None)
            created[name] = previous = book.sheets.add(name, before=first)


def _index(book, sheet) -> int:
    return next(i for i, s in enumerate(book.sheets) if s.name == sheet.name)


def aside_name(taken: set[str]) -> str:
    """A free temporary name for an old tab being replaced (added to ``taken``); see the module example."""
    n = 1
    while sheet_key(f"~xlr-old-{n}") in taken:
        n += 1
    taken.add(sheet_key(f"~xlr-old-{n}"))
    return f"~xlr-old-{n}"


def sheet_marks(sheets) -> dict[str, str]:
    """Tab → the name its :data:`~xlreports.excel.write.plan.MARK_NAME` (a sheet-scoped name) says
    it was written as; Excel shows a sheet-scoped name as ``'Sheet'!name``."""
    marks: dict[str, str] = {}
    for sheet in sheets:
        for name in safe(lambda s=sheet: list(s.names), []):
            local = safe(lambda n=name: n.name, "").rsplit("!", 1)[-1]
            if local.casefold() == MARK_NAME.casefold():
                value = read_mark(safe(lambda n=name: n.refers_to))
                if value is not None:
                    marks[sheet.name] = value
    return marks


def _mark(sheet, name: str, com: bool) -> None:
    """Record that xlreports wrote ``sheet`` as ``name`` (hidden from the Name Manager on Windows)."""
    mark = sheet.names.add(MARK_NAME, "=" + mark_formula(name))
    if com:
        safe(lambda: setattr(mark.api, "Visible", False))


def _roll_back(created: dict[str, Any], renamed: list[tuple[Any, str]]) -> None:
    for sheet in created.values():
        safe(lambda s=sheet: _delete(s))
    for sheet, name in renamed:
        safe(lambda s=sheet, n=name: setattr(s, "name", n))


def _restore_order(book, sheets: list[Any]) -> None:
    """Put the book's sheets back in their order before the run (kept tabs may have been moved)."""
    for previous, sheet in zip(sheets, sheets[1:]):
        if _index(book, sheet) != _index(book, previous) + 1:
            safe(lambda s=sheet, p=previous: s.move(after=p))


def _delete(sheet) -> None:
    if not sheet.visible:
        sheet.visible = True  # a (very) hidden sheet cannot always be deleted as it is
    sheet.delete()


class _Fast:
    """Screen updating off and manual calculation while rendering; the user's settings restored."""

    def __init__(self, app):
        self.app = app
        self.saved: dict[str, Any] = {}

    def __enter__(self) -> "_Fast":
        for attr, value in (("screen_updating", False), ("calculation", "manual")):
            try:
                self.saved[attr] = getattr(self.app, attr)
                setattr(self.app, attr, value)
            except Exception:  # e.g. calculation while a cell is being edited
                self.saved.pop(attr, None)
        return self

    def __exit__(self, *exc) -> bool:
        for attr, value in reversed(list(self.saved.items())):
            safe(lambda a=attr, v=value: setattr(self.app, a, v))
        return False
