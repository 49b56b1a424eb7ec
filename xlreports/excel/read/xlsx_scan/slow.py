"""The general path: any sheet XML (prefixed elements, cells without r=, spaces between tags,
formulas, rich text …) taken apart with polars string kernels.

Part of :mod:`xlreports.excel.read.xlsx_scan` (private to it). Every chunk is split on "<c " and
each cell piece taken apart with find/slice; regular expressions only for the few odd cells.
"""
from __future__ import annotations

import polars as pl

from xlreports.a1 import column_index
from xlreports.excel.read.xlsx_scan.package import XlsxParseError
from xlreports.excel.read.xlsx_scan.text import Markup, bslice, fill_from_marks, ref_prefix_index, rich_text, unescape

_ODD_CELLS = object()  # a chunk to normalise and split again


class SlowPath:
    """The cells of a chunk of any sheet XML, as a long frame (row, col, v)."""

    def __init__(self, scan, m: Markup):  # scan: the sheet scan (max_header, sst(), parse_error())
        self.scan, self.m = scan, m

    def parse_error(self, what: str) -> XlsxParseError:
        return self.scan.parse_error(what)

    def cells(self, data: bytes, last_row: int, wanted: set[int] | None, normalised: bool = False
              ) -> tuple[pl.DataFrame, int]:
        m = self.m
        if b"!" in data and b"<!" in data:  # one memchr for a rare byte first
            raise self.parse_error("含有 CDATA 或注释")
        try:
            text = pl.Series("p", [data], dtype=pl.Binary).cast(pl.String)
        except pl.exceptions.PolarsError:
            raise self.parse_error("有无效的 UTF-8 文本") from None
        # piece 0: what precedes the first cell (its <row> tag); piece i: the i-th cell, from its
        # attributes to the next "<c " — the last cell of a row also holds </row><row …> of the next
        pieces = text.str.split(m.cell_open).explode()
        del text
        n = pieces.len()
        cells = pl.DataFrame({"p": pieces}).with_columns(
            pl.col("p").str.contains(m.row_close, literal=True).alias("last"))  # a row's last cell
        del pieces
        at = cells["last"].clone().scatter(0, True).arg_true()  # the pieces with <row> tags
        tags = pl.DataFrame({"piece": at, "tag": cells["p"].gather(at).str.extract_all(m.row_tag)}).explode("tag")
        tags = tags.filter(pl.col("tag").is_not_null())
        ntags = tags.height
        empty = pl.DataFrame(schema={"row": pl.Int64, "col": pl.Int32, "v": pl.String})
        if ntags == 0:
            if n > 1:
                raise self.parse_error("有不在行内的单元格")
            return empty, last_row
        k = pl.int_range(ntags, dtype=pl.Int64, eager=True)
        r = tags["tag"].str.extract(r'\sr="([0-9]+)"', 1).cast(pl.Int64, strict=False)
        rows = ((r - k).forward_fill().fill_null(last_row + 1) + k).alias("_row")  # r=, else previous + 1
        tags = tags.with_columns(rows, pl.int_range(ntags, dtype=pl.Int32).alias("ord"))
        marks = tags.unique("piece", keep="last", maintain_order=True)  # the row the next cells are in
        cells = cells.with_columns(fill_from_marks(n, marks["piece"], marks["ord"], pl.Int32).alias("ord")).slice(1)
        if cells["ord"].null_count():
            raise self.parse_error("有不在行内的单元格")
        cells = cells.with_columns(rows.gather(cells["ord"]).alias("row"))
        values = self._cells(cells, wanted)
        if values is _ODD_CELLS:
            if normalised:
                raise self.parse_error("有无法识别的单元格标签")
            for odd, fixed in m.odd_fix:
                data = data.replace(odd, fixed)
            return self.cells(data, last_row, wanted, normalised=True)
        return values, int(rows[-1])

    def _cells(self, cells: pl.DataFrame, wanted: set[int] | None):
        p = pl.col("p")
        cells = cells.with_columns(
            p.str.find(">", literal=True).alias("gt"),
            (bslice(p, 0, 3) == b'r="').alias("r_first"),
            p.str.slice(3, 3).alias("ref"),
        )
        if cells["gt"].null_count():
            raise self.parse_error("有不完整的单元格标签")
        # column: from r="A1" as the first attribute, else from r= elsewhere, else the previous cell's + 1
        index = {v: ref_prefix_index(v) for v in cells["ref"].unique().to_list()}
        cells = cells.with_columns(
            pl.when("r_first").then(pl.col("ref").replace_strict(index, default=None, return_dtype=pl.Int32))
            .alias("col")).drop("r_first", "ref")
        if cells["col"].null_count():
            cells = self._odd_columns(cells)
        cells = cells.filter(bslice(p, pl.col("gt") - 1, 1) != b"/")  # <c r="B2" s="1"/>: no value
        if wanted is not None:
            cells = cells.filter(pl.col("col").is_in(sorted(wanted)) | (pl.col("row") <= self.scan.max_header))
        values = self._values(cells)
        if values is _ODD_CELLS:
            return values
        return values.select("row", "col", "v").filter(pl.col("v").is_not_null())

    def _odd_columns(self, cells: pl.DataFrame) -> pl.DataFrame:
        """Cells whose r= is not the first attribute, or missing (then: previous cell in the row + 1)."""
        found = bslice(pl.col("p"), 0, pl.col("gt")).cast(pl.String).str.extract(self.m.r_attr, 1)
        letters = cells.filter(pl.col("col").is_null()).select(found).to_series().unique().drop_nulls()
        index = {v: column_index(v) - 1 for v in letters.to_list()}
        cells = cells.with_columns(
            pl.coalesce("col", found.replace_strict(index, default=None, return_dtype=pl.Int32)).alias("col"))
        if cells["col"].null_count():
            k = pl.int_range(pl.len(), dtype=pl.Int32).over("ord")
            base = (pl.col("col") - k).forward_fill().over("ord").fill_null(0)
            cells = cells.with_columns((base + k).cast(pl.Int32).alias("col"))
        return cells

    def _values(self, cells: pl.DataFrame):
        """The cells with their text ``v``, typed by t=, the markup dropped (or _ODD_CELLS)."""
        m = self.m
        p, gt = pl.col("p"), pl.col("gt")
        after = bslice(p, gt + 1)
        is_v = after.bin.starts_with(m.v_open.encode())
        is_is = after.bin.starts_with(m.is_open.encode())
        is_isp = after.bin.starts_with(m.is_open_preserve.encode())
        end = p.str.find("</", literal=True)
        start = (pl.when(is_v).then(gt + 1 + len(m.v_open))
                 .when(is_is).then(gt + 1 + len(m.is_open))
                 .when(is_isp).then(gt + 1 + len(m.is_open_preserve)))
        closing = pl.when(is_v).then(pl.lit(m.v_end)).otherwise(pl.lit(m.is_end))
        tpos = p.str.find('t="', literal=True)
        df = cells.with_columns(
            pl.when(tpos < gt).then(bslice(p, tpos + 3, 2)).alias("t"),
            start.alias("start"), end.alias("end"), closing.alias("closing"),
        ).with_columns(
            bslice(p, pl.col("start"), pl.col("end") - pl.col("start")).alias("v"),
            # the value runs up to the first "</", and nothing but its closing tags follows
            (pl.col("start").is_not_null() & (
                (bslice(p, pl.col("end")) == pl.col("closing"))
                | (pl.col("last") & bslice(p, pl.col("end")).bin.starts_with(pl.col("closing"))))
             ).fill_null(False).alias("fast"),
            (pl.col("end") + pl.col("closing").bin.size()).alias("after"),
        ).drop("start", "closing")
        at = (df["fast"] & df["last"]).arg_true()
        if at.len():  # a row's last cell: after </c> only </row>, blank rows, the next <row>
            sub = df.select(bslice(pl.col("p"), pl.col("after")).cast(pl.String)).to_series().gather(at)
            odd = sub.str.replace_all(m.between_rows, "") != ""
            if odd.any():
                df = df.with_columns(df["fast"].clone().scatter(at.filter(odd), False))
        df = df.with_columns(pl.col("v").cast(pl.String))
        if not df["fast"].all():  # formulas, rich text, <v/>, spaces, …: regular expressions on those few
            idx = df["fast"].not_().arg_true()
            rest = df.select(bslice(pl.col("p"), pl.col("gt") + 1).cast(pl.String)).to_series().gather(idx)
            if rest.str.contains(m.odd_cell).any():
                return _ODD_CELLS
            rich = rest.str.extract(m.is_any, 1)
            if rich.is_not_null().any():
                rich = pl.select(pl.when(rich.is_not_null()).then(rich_text(rich.fill_null(""), m))).to_series()
            slow = pl.select(pl.coalesce(rich, rest.str.extract(m.v_any, 1))).to_series()
            df = df.with_columns(df["v"].scatter(idx, slow))
        df = df.drop("p", "gt", "fast", "end", "last", "after")
        t, v = pl.col("t"), pl.col("v")
        text = t.is_in([b"in", b"st"])  # inlineStr, str (a formula's text)
        if df.select(text.any()).item():
            unescaped = df.select(pl.when(text).then(v)).to_series()
            idx = unescaped.is_not_null().arg_true()
            df = df.with_columns(df["v"].scatter(idx, unescape(unescaped.gather(idx))))
        df = df.with_columns(
            pl.when(text | (t == b's"')).then(v)
            .when(t == b'b"').then(pl.when(v == "1").then(pl.lit("TRUE")).when(v == "0").then(pl.lit("FALSE"))
                                   .otherwise(v))
            .when((t == b'e"') | (v == "")).then(pl.lit(None, pl.String))
            .otherwise(v).alias("v"))
        shared = df.select((pl.col("t") == b's"').fill_null(False)).to_series()
        if shared.any():
            idx = shared.arg_true()
            raw = df["v"].gather(idx)
            pos = raw.cast(pl.UInt32, strict=False)
            sst = self.scan.sst()
            if pos.null_count() != raw.null_count() or (pos.max() or 0) >= sst.len():
                raise self.parse_error("有无效的共享字符串序号")
            df = df.with_columns(df["v"].scatter(idx, sst.gather(pos)))
        return df.drop("t")


