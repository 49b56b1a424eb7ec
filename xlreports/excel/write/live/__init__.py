"""Render sheet specs into a live Excel workbook through xlwings (the add-in's writer).

The twin of the file writer :mod:`xlreports.excel.write.xlsx`: the same
:class:`~xlreports.layout.spec.WorkbookSpec` becomes the same tabs, but in the workbook open in
Excel, without saving, closing or copying it. The shared decisions (tab order and active tab,
sheet names, how a value becomes a cell, default formats, margins, paper sizes, drop-down
limits, colours) come from :mod:`xlreports.excel.write.plan`; this package only carries them
out through xlwings. It never imports xlwings itself: it drives whatever ``xw.Book`` it is
given, so the tests run it against ``tests/fake_xlwings.py``, a fake of exactly the API subset
in :mod:`xlreports.excel.xlwings_api`.

- :mod:`~xlreports.excel.write.live.book`: :func:`apply_workbook_spec`, the tab plan carried
  out with old tabs renamed aside and put back on failure;
- :mod:`~xlreports.excel.write.live.sheet`: :func:`render_sheet`, the order of the steps;
- :mod:`~xlreports.excel.write.live.cells`: values (text quote-prefixed), formulas, tables and
  merges in bulk ranges;
- :mod:`~xlreports.excel.write.live.formats`: formats grouped by value, sizes, notes,
  conditional formats, drop-downs, charts;
- :mod:`~xlreports.excel.write.live.page`: print set-up, freeze panes, tab colour, very hidden
  sheets, filters (Windows COM only; skipped elsewhere and listed in :class:`LiveRender`).

Speed: the number of calls follows the number of distinct formats, merges and formula blocks,
not the number of cells: the 14-agent sample appraisal (22 tabs, ~7,900 cells) takes ~2,600
calls, and a 500-agent appraisal (one 12,500-row forms sheet) stays under 2.5 calls per row and
one ``range.value`` per 10 rows (tested on the fake).
"""
from __future__ import annotations

from xlreports.excel.write.live.book import apply_workbook_spec
from xlreports.excel.write.live.report import LiveRender, default_com
from xlreports.excel.write.live.sheet import render_sheet

__all__ = ["apply_workbook_spec", "render_sheet", "LiveRender", "default_com"]
