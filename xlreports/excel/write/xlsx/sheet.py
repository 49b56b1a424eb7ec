"""One worksheet part, streamed: view, columns, cells and tables, then merges, conditional
formats, validations, print set-up, and the sheet's drawing and comments.

Tables (:class:`~xlreports.layout.spec.TableBlock`) of 64 rows or more are formatted by polars
~500,000 cells at a time (one string expression per column, joined by ``write_csv`` with '>'
as separator); other rows cell by cell. Conditional formats and validations are serialised
through openpyxl's public rule and validation classes.

>>> from xlreports.layout.spec import ConditionalFormat
>>> conditional_rule(ConditionalFormat("B2:B9", "data_bar")).type
'dataBar'
"""
from __future__ import annotations

import io
import posixpath
from xml.etree import ElementTree as ET

from openpyxl.formatting.formatting import ConditionalFormatting
from openpyxl.formatting.rule import ColorScaleRule, DataBarRule, FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation as XlDataValidation
from openpyxl.worksheet.datavalidation import DataValidationList

from xlreports.a1 import addr, col_letter, split_cell
from xlreports.errors import XlreportsError
from xlreports.excel.ooxml import (
    NS_MAIN, NS_R, REL_COMMENTS, REL_DRAWING, REL_VML, XML_DECL, attr, rel_xml, rels_path, rels_xml,
    text as xml_text,
)
from xlreports.excel.write.plan import (
    DATA_BAR_COLOR, DEFAULT_MARGINS, MAX_PROMPT_CHARS, SCALE_HIGH, SCALE_LOW, SCALE_MID, VALIDATION_ERROR_MESSAGE,
    VALIDATION_ERROR_TITLE, list_validation_formula, margins, paper_size, plain_number, table_column_style,
)
from xlreports.excel.write.xlsx.cells import Block, Column, formula_piece, load_polars, polars_cell, py_piece
from xlreports.excel.write.xlsx.drawings import chart_xml, comment_parts, drawing_rels_xml, drawing_xml
from xlreports.excel.write.xlsx.styles import Styles, color_rgb
from xlreports.excel.write.xlsx.workbook import NewSheet
from xlreports.excel.write.xlsx.zipraw import DeflateStream, ZipOut
from xlreports.layout.spec import MAX_COL, MAX_ROW, ConditionalFormat, DataValidation, PageSetup, Style, print_setup

__all__ = ["SheetWriter", "conditional_rule", "data_validation"]

CHUNK_CELLS = 500_000  # cells formatted per polars batch (~17,000 rows of 30 columns; ~+120 MB)
MIN_POLARS_ROWS = 64  # shorter runs of table rows go through the Python path
DEFAULT_COL_WIDTH = 9.0  # a hidden column without a width of its own (Excel's default is about 8.43)
HIDDEN = ' hidden="1"'


# No password; in OOXML a 0 here *allows* the action on a protected sheet.
SHEET_PROTECTION = ('<sheetProtection sheet="1" objects="1" scenarios="1" formatCells="0" formatColumns="0" '
                    'formatRows="0" sort="0" autoFilter="0"/>')


def conditional_rule(spec: ConditionalFormat):
    """The openpyxl rule of a conditional format (a colour scale, a formula, or a data bar)."""
    if spec.kind == "color_scale":
        return ColorScaleRule(start_type="min", start_color=SCALE_LOW,
                              mid_type="percentile", mid_value=50, mid_color=SCALE_MID,
                              end_type="max", end_color=SCALE_HIGH)
    if spec.kind == "formula":
        if not spec.formula:
            raise ValueError(f"conditional format on {spec.range} needs a formula")
        style = spec.style or Style()
        fill = PatternFill(fill_type="solid", start_color=style.fill, end_color=style.fill) if style.fill else None
        # Only what the style changes, so the rule doesn't reset the cell's own font.
        font = (Font(b=style.bold or None, i=style.italic or None, color=style.color)
                if style.bold or style.italic or style.color else None)
        return FormulaRule(formula=[spec.formula.lstrip("=")], fill=fill, font=font)
    if spec.kind == "data_bar":
        return DataBarRule(start_type="num", start_value=0, end_type="max",
                           color=DATA_BAR_COLOR, showValue=True)
    raise ValueError(f"unknown conditional format kind {spec.kind!r}")


def data_validation(spec: DataValidation) -> XlDataValidation:
    """A drop-down with a literal list ('"优秀,良好,合格"'), or a decimal range, as an openpyxl validation.

    >>> data_validation(DataValidation("C3:C9", ["优秀", "良好"])).formula1
    '"优秀,良好"'
    >>> v = data_validation(DataValidation("F9", [], kind="decimal", minimum=0, maximum=7.5, error="0–7.5"))
    >>> (v.type, v.operator, v.formula1, v.formula2, v.error)
    ('decimal', 'between', '0', '7.5', '0–7.5')
    """
    if spec.kind == "decimal":
        rule = dict(type="decimal", operator="between", formula1=plain_number(spec.minimum),
                    formula2=plain_number(spec.maximum))
    else:
        rule = dict(type="list", formula1=list_validation_formula(spec.choices, spec.range))
    validation = XlDataValidation(
        **rule, allow_blank=True, showInputMessage=True, showErrorMessage=True,
        errorTitle=spec.error_title or VALIDATION_ERROR_TITLE,
        error=(spec.error or VALIDATION_ERROR_MESSAGE)[:MAX_PROMPT_CHARS])
    if spec.prompt:
        validation.prompt = spec.prompt[:MAX_PROMPT_CHARS]
    validation.add(spec.range)
    return validation


class SheetWriter:
    """Streams one sheet's XML (and writes its drawing, charts and comments)."""

    def __init__(self, new: NewSheet, styles: Styles, cached: dict[str, object]):
        self.new = new
        self.spec = new.spec
        self.styles = styles
        self.cached = cached
        self.pl = None
        self.blocks = self._blocks()

    # ---- preparing

    def _blocks(self) -> list[Block]:
        spec = self.spec
        blocks = []
        for block in spec.tables:
            if not block.columns and not block.headers:
                continue
            if len(block.headers) != len(block.columns):
                raise ValueError(f"table at row {block.top} of {spec.name!r}: "
                                 f"{len(block.headers)} headers but {len(block.columns)} columns")
            if any(isinstance(c, (list, tuple)) for c in block.columns) or \
                    any(type(c).__module__.startswith("polars") for c in block.columns):
                self.pl = self.pl or load_polars()
            columns = [Column(values, table_column_style(block, j), self.styles, self.pl)
                       for j, values in enumerate(block.columns)]
            lengths = {len(c) for c in columns}
            if len(lengths) > 1:
                raise ValueError(f"table at row {block.top} of {spec.name!r}: columns differ in length {sorted(lengths)}")
            b = Block(block, columns, block.top + 1, block.top + block.n_rows)
            if not (1 <= block.top and b.last <= MAX_ROW and 1 <= block.left and b.right <= MAX_COL):
                raise XlreportsError(f"工作表“{spec.name}”的表格超出 Excel 的范围"
                                     f"（最多 {MAX_ROW:,} 行、{MAX_COL:,} 列）")
            blocks.append(b)
        for i, a in enumerate(blocks):
            for b in blocks[i + 1:]:
                if a.spec.top <= b.last and b.spec.top <= a.last and a.left <= b.right and b.left <= a.right:
                    raise ValueError(f"tables at rows {a.spec.top} and {b.spec.top} of {spec.name!r} overlap")
        for (row, col) in spec.cells:
            if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
                raise ValueError(f"cell ({row}, {col}) of {spec.name!r} is outside the sheet")
            for b in blocks:
                if b.spec.top <= row <= b.last and b.left <= col <= b.right:
                    raise ValueError(f"cell {addr(row, col)} of {spec.name!r} lies inside the table "
                                     f"at row {b.spec.top}")
        return blocks

    # ---- writing

    def write(self, out: ZipOut) -> None:
        stream = out.stream(self.new.part)
        stream.write(self._head())
        self._sheet_data(stream)
        stream.write(self._tail())
        stream.close()
        self._write_parts(out)

    def _dimension(self) -> str:
        rows = [r for r, _ in self.spec.cells] + [b.spec.top for b in self.blocks] + [b.last for b in self.blocks]
        cols = [c for _, c in self.spec.cells] + [b.left for b in self.blocks] + [b.right for b in self.blocks]
        if not rows:
            return "A1"
        first, last = addr(min(rows), min(cols)), addr(max(rows), max(cols))
        return first if first == last else f"{first}:{last}"

    def _head(self) -> str:
        spec = self.spec
        parts = [XML_DECL, f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">']
        pr = []
        if spec.tab_color:
            pr.append(f'<tabColor rgb="{color_rgb(spec.tab_color)}"/>')
        page = print_setup(spec)
        if page is not None and (page.fit_width or page.fit_height):
            # Without fitToPage Excel ignores fitToWidth/fitToHeight and prints at 100 %.
            pr.append('<pageSetUpPr fitToPage="1"/>')
        parts.append(f"<sheetPr>{''.join(pr)}</sheetPr>" if pr else "")
        parts.append(f'<dimension ref="{self._dimension()}"/>')
        parts.append(f"<sheetViews>{self._view()}</sheetViews>")
        parts.append('<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>')
        if spec.col_widths or spec.hidden_cols:
            widths = {c: spec.col_widths.get(c, DEFAULT_COL_WIDTH) for c in {*spec.col_widths, *spec.hidden_cols}}
            cols = "".join(f'<col min="{c}" max="{c}" width="{w:g}"{HIDDEN if c in spec.hidden_cols else ""}'
                           ' customWidth="1"/>' for c, w in sorted(widths.items()))
            parts.append(f"<cols>{cols}</cols>")
        return "".join(parts)

    def _view(self) -> str:
        selected = ' tabSelected="1"' if self.new.selected else ""
        freeze = self.spec.freeze
        if not freeze or freeze.upper() == "A1":
            return f'<sheetView{selected} workbookViewId="0"/>'
        try:
            row, col = split_cell(freeze)
        except ValueError:
            raise ValueError(f"bad freeze cell {freeze!r}") from None
        top_left = addr(row, col)
        x = f' xSplit="{col - 1}"' if col > 1 else ""
        y = f' ySplit="{row - 1}"' if row > 1 else ""
        pane = "bottomRight" if col > 1 and row > 1 else ("bottomLeft" if row > 1 else "topRight")
        selections = ""
        if col > 1 and row > 1:
            selections = '<selection pane="topRight"/><selection pane="bottomLeft"/>'
        selections += f'<selection pane="{pane}" activeCell="{top_left}" sqref="{top_left}"/>'
        return (f'<sheetView{selected} workbookViewId="0"><pane{x}{y} topLeftCell="{top_left}" '
                f'activePane="{pane}" state="frozen"/>{selections}</sheetView>')

    def _tail(self) -> str:
        spec = self.spec
        parts = ["</sheetData>"]
        if spec.protect:
            parts.append(SHEET_PROTECTION)
        if spec.auto_filter:
            parts.append(f'<autoFilter ref="{attr(spec.auto_filter)}"/>')
        if spec.merges:
            merges = "".join(f'<mergeCell ref="{addr(r1, c1)}:{addr(r2, c2)}"/>' for r1, c1, r2, c2 in spec.merges)
            parts.append(f'<mergeCells count="{len(spec.merges)}">{merges}</mergeCells>')
        parts += self._conditional_formats()
        if spec.validations:
            dv = DataValidationList(dataValidation=[data_validation(v) for v in spec.validations])
            parts.append(ET.tostring(dv.to_tree(), encoding="unicode"))
        parts += self._print(print_setup(spec))
        if spec.row_breaks:
            brks = "".join(f'<brk id="{r}" max="16383" man="1"/>' for r in spec.row_breaks)
            n = len(spec.row_breaks)
            parts.append(f'<rowBreaks count="{n}" manualBreakCount="{n}">{brks}</rowBreaks>')
        if self.new.drawing:
            parts.append('<drawing r:id="rIdXlDrawing"/>')
        if self.new.vml:
            parts.append('<legacyDrawing r:id="rIdXlVml"/>')
        parts.append("</worksheet>")
        return "".join(parts)

    def _conditional_formats(self) -> list[str]:
        parts = []
        for priority, fmt in enumerate(self.spec.conditional_formats, start=1):
            rule = conditional_rule(fmt)
            rule.priority = priority
            if rule.dxf is not None:
                rule.dxfId = self.styles.dxf(rule.dxf.to_tree())
                rule.dxf = None
            cf = ConditionalFormatting(sqref=fmt.range, cfRule=[rule])
            parts.append(ET.tostring(cf.to_tree(), encoding="unicode"))
        return parts

    def _print(self, page: PageSetup | None) -> list[str]:
        m = DEFAULT_MARGINS if page is None else margins(page.margins_cm)
        margins_xml = (f'<pageMargins left="{m.left!r}" right="{m.right!r}" top="{m.top!r}" '
                       f'bottom="{m.bottom!r}" header="{m.header!r}" footer="{m.footer!r}"/>')
        if page is None:
            return [margins_xml]
        paper = paper_size(page.paper)
        parts = ['<printOptions horizontalCentered="1"/>'] if page.center_horizontally else []
        parts.append(margins_xml)
        parts.append(f'<pageSetup paperSize="{paper}" orientation="{attr(page.orientation)}" '
                     f'fitToWidth="{page.fit_width}" fitToHeight="{page.fit_height}"/>')
        header = "".join(f"&{code}{text}" for code, text in
                         (("L", page.header_left), ("C", page.header_center), ("R", page.header_right)) if text)
        footer = f"&C{page.footer_center}" if page.footer_center else ""
        if header or footer:
            parts.append("<headerFooter>"
                         + (f"<oddHeader>{xml_text(header)}</oddHeader>" if header else "")
                         + (f"<oddFooter>{xml_text(footer)}</oddFooter>" if footer else "")
                         + "</headerFooter>")
        return parts

    # ---- sheetData

    def _cell_rows(self) -> dict[int, list[tuple[int, str]]]:
        """Rows written cell by cell: spec.cells and table headers, as (col, xml) lists."""
        rows: dict[int, list[tuple[int, str]]] = {}
        styles, cached = self.styles, self.cached
        for (row, col), cell in self.spec.cells.items():
            ref = addr(row, col)
            if cell.formula is not None:
                value = cached.get(ref, cell.value)
                piece = formula_piece(cell, value, styles)
            else:
                piece = py_piece(cell.value, cell.style, styles)
            rows.setdefault(row, []).append((col, f'<c r="{ref}"{piece}>'))
        for b in self.blocks:
            header_style = b.spec.header_style
            for j, header in enumerate(b.spec.headers):
                col = b.left + j
                piece = py_piece(header, header_style, styles)
                rows.setdefault(b.spec.top, []).append((col, f'<c r="{addr(b.spec.top, col)}"{piece}>'))
        return rows

    def _sheet_data(self, stream: DeflateStream) -> None:
        cell_rows = self._cell_rows()
        heights = self.spec.row_heights
        special = sorted(set(cell_rows) | set(heights))
        # Boundaries where the set of covering tables changes, plus every special row.
        bounds = {r for b in self.blocks for r in (b.first, b.last + 1)}
        bounds |= {r for s in special for r in (s, s + 1)}
        bounds = sorted(bounds)
        stream.write("<sheetData>")
        special_set = set(special)
        run: list[int] = []  # [lo, hi) of rows waiting for the Python path

        def flush() -> None:
            if run:
                self._python_rows(stream, run[0], run[1], cell_rows, heights)
                run.clear()

        for lo, hi in zip(bounds, bounds[1:]):
            covering = [b for b in self.blocks if b.first <= lo <= b.last]
            if lo not in special_set and not covering:
                flush()  # a gap: no rows here
                continue
            use_polars = (lo not in special_set and self.pl is not None and hi - lo >= MIN_POLARS_ROWS
                          and all(c.series is not None for b in covering for c in b.columns))
            if use_polars:
                flush()
                self._polars_rows(stream, lo, hi, covering)
            elif run and run[1] == lo:
                run[1] = hi
            else:
                flush()
                run[:] = [lo, hi]
        flush()

    def _row_open(self, row: int, heights: dict[int, float]) -> str:
        height = heights.get(row)
        if height is None:
            return f'<row r="{row}">'
        return f'<row r="{row}" ht="{height:g}" customHeight="1">'

    def _python_rows(self, stream, lo: int, hi: int, cell_rows, heights) -> None:
        styles = self.styles
        out = []
        for row in range(lo, hi):
            cells = list(cell_rows.get(row, ()))
            for b in self.blocks:
                if b.first <= row <= b.last:
                    i = row - b.first
                    for j, col in enumerate(b.columns):
                        piece = py_piece(col.value(i), col.style, styles)
                        cells.append((b.left + j, f'<c r="{addr(row, b.left + j)}"{piece}>'))
            if not cells and row not in heights:
                continue
            cells.sort(key=lambda item: item[0])
            body = "".join(xml for _, xml in cells)
            opened = self._row_open(row, heights)
            out.append(f"{opened}{body}</row>" if cells else opened[:-1] + "/>")
            if len(out) >= 2000:
                stream.write("".join(out))
                out.clear()
        if out:
            stream.write("".join(out))

    def _polars_rows(self, stream, lo: int, hi: int, blocks: list[Block]) -> None:
        """Rows lo..hi-1 of side-by-side tables, formatted in bulk by polars.

        Each cell is built as a string column; ``write_csv`` with '>' as separator and
        line end joins them, which is why the pieces leave out their last '>'.
        """
        pl = self.pl
        blocks = sorted(blocks, key=lambda b: b.left)
        ncols = sum(len(b.columns) for b in blocks)
        chunk = max(1000, CHUNK_CELLS // max(ncols, 1))
        for start in range(lo, hi, chunk):
            stop = min(hi, start + chunk)
            data = {}
            exprs = []
            row_str = pl.col("__row")
            for bi, b in enumerate(blocks):
                offset = start - b.first
                for j, col in enumerate(b.columns):
                    name = f"b{bi}c{j}"
                    data[name] = col.series.slice(offset, stop - start)
                    # Every cell says where it is: Gnumeric (and others) misplace cells without r.
                    head = [f'<c r="{col_letter(b.left + j)}', row_str, '"']
                    exprs.append(polars_cell(pl, col, name, data[name], head).alias(name))
            exprs[0] = pl.concat_str([pl.lit('<row r="'), row_str, pl.lit('">'), exprs[0]]).alias("first")
            exprs[-1] = pl.concat_str([exprs[-1], pl.lit("></row")]).alias("last")
            frame = pl.DataFrame(data).with_columns(
                __row=pl.int_range(start, stop, eager=True).cast(pl.String))
            buf = io.BytesIO()
            frame.select(exprs).write_csv(buf, include_header=False, separator=">",
                                          line_terminator=">", quote_style="never")
            stream.write(buf.getvalue())

    # ---- drawing, charts, comments

    def _write_parts(self, out: ZipOut) -> None:
        new, spec = self.new, self.spec
        rels = []
        sheet_dir = posixpath.dirname(new.part)
        if new.drawing:
            for chart, part in zip(spec.charts, new.charts):
                out.writestr(part, chart_xml(chart, spec.name))
            out.writestr(new.drawing, drawing_xml(spec.charts))
            out.writestr(rels_path(new.drawing), drawing_rels_xml(new.drawing, new.charts))
            rels.append(rel_xml("rIdXlDrawing", REL_DRAWING, posixpath.relpath(new.drawing, sheet_dir)))
        comments = comment_parts(spec) if new.comments else None
        if comments is not None:
            out.writestr(new.comments, comments[0])
            out.writestr(new.vml, comments[1])
            rels.append(rel_xml("rIdXlComments", REL_COMMENTS, posixpath.relpath(new.comments, sheet_dir)))
            rels.append(rel_xml("rIdXlVml", REL_VML, posixpath.relpath(new.vml, sheet_dir)))
        if rels:
            out.writestr(rels_path(new.part), rels_xml(rels))
