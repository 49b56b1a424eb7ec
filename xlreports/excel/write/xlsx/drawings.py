"""A sheet's drawing parts: charts (DrawingML ``c:chartSpace``), their drawing, and cell comments.

Charts are written directly for the kinds the specs use: "bar" (clustered columns,
categories along the bottom), "radar" (with markers) and "line" (one line with round markers per
series, categories along the bottom; a blank cell is a gap in its line). Each series takes its values
from a column of the chart's own sheet and its categories (names: 客服, 指标) as text from
``category_col``; one series has no legend (the title says it), several a legend below.

>>> from xlreports.layout.spec import Chart, ChartSeries
>>> xml = chart_xml(Chart("bar", "总分", "E2", 1, [ChartSeries("总分", 2, 2, 4)]), "汇总")
>>> "<c:f>'汇总'!$B$2:$B$4</c:f>" in xml, "<c:legend>" in xml
(True, False)
"""
from __future__ import annotations

import posixpath
from xml.etree import ElementTree as ET

from openpyxl.comments.comment_sheet import CommentRecord, CommentSheet

from xlreports.a1 import addr, col_letter, quote_sheet, split_cell
from xlreports.excel.ooxml import (
    NS_CHART, NS_DRAWING_MAIN, NS_R, NS_XDR, REL_CHART, XML_DECL, rel_xml, rels_xml, text,
)
from xlreports.excel.write.plan import AUTHOR, clean_text
from xlreports.layout.spec import Chart, ChartSeries, SheetSpec

__all__ = ["chart_xml", "drawing_xml", "drawing_rels_xml", "comment_parts"]

EMU_PER_CM = 360_000
_SMOOTH = '<c:smooth val="0"/>'
_LINE_MARKER = '<c:marker><c:symbol val="circle"/><c:size val="6"/></c:marker>'
_CAT_AX, _VAL_AX = 10, 100  # axis ids, as Excel and openpyxl number them


def _rich(title: str) -> str:
    return ("<c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr/></a:pPr>"
            f"<a:r><a:t>{text(clean_text(title))}</a:t></a:r></a:p></c:rich></c:tx>")


def _range(sheet: str, col: int, first: int, last: int) -> str:
    c = col_letter(col)
    return text(f"{quote_sheet(sheet)}!${c}${first}:${c}${last}")


def _series(i: int, series: ChartSeries, category_col: int, sheet: str, kind: str) -> str:
    line = '<c:spPr><a:ln><a:prstDash val="solid"/></a:ln></c:spPr>'
    marker = {"radar": f'<c:marker><c:symbol val="none"/>{line}</c:marker>',
              "line": _LINE_MARKER}.get(kind, "")
    if kind == "line":
        line = '<c:spPr><a:ln w="22225"><a:prstDash val="solid"/></a:ln></c:spPr>'
    return (f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/>'
            f"<c:tx><c:v>{text(clean_text(series.title))}</c:v></c:tx>{line}{marker}"
            f"<c:cat><c:strRef><c:f>{_range(sheet, category_col, series.first_row, series.last_row)}"
            "</c:f></c:strRef></c:cat>"
            f"<c:val><c:numRef><c:f>{_range(sheet, series.col, series.first_row, series.last_row)}"
            f"</c:f></c:numRef></c:val>{_SMOOTH if kind == 'line' else ''}</c:ser>")


def _value_labels(chart: Chart) -> str:
    """Each bar's value printed on it (``Chart.value_labels``), in the series cells' own format."""
    if not chart.value_labels:
        return ""
    flags = "".join(f'<c:{flag} val="{int(flag == "showVal")}"/>' for flag in
                    ("showLegendKey", "showVal", "showCatName", "showSerName", "showPercent", "showBubbleSize"))
    return f'<c:dLbls><c:dLblPos val="outEnd"/>{flags}</c:dLbls>'


def chart_xml(chart: Chart, sheet: str) -> str:
    """The chart part of ``chart``, whose data lie on the sheet named ``sheet``."""
    if chart.kind not in ("bar", "radar", "line"):
        raise ValueError(f"unknown chart kind {chart.kind!r}; expected 'bar', 'radar' or 'line'")
    radar = chart.kind == "radar"
    series = "".join(_series(i, s, chart.category_col, sheet, chart.kind) for i, s in enumerate(chart.series))
    axes_ids = f'<c:axId val="{_CAT_AX}"/><c:axId val="{_VAL_AX}"/>'
    if radar:
        plot = f'<c:radarChart><c:radarStyle val="marker"/>{series}{axes_ids}</c:radarChart>'
    elif chart.kind == "line":
        plot = (f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>{series}'
                f'<c:marker val="1"/>{axes_ids}</c:lineChart>')
    else:
        plot = (f'<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/>{series}'
                f'{_value_labels(chart)}<c:gapWidth val="150"/>{axes_ids}</c:barChart>')
    ticks = '<c:majorTickMark val="none"/><c:minorTickMark val="none"/>'
    y_max = f'<c:max val="{chart.y_max:g}"/>' if chart.y_max is not None else ""
    y_max += f'<c:min val="{chart.y_min:g}"/>' if chart.y_min is not None else ""  # max before min (schema)
    y_title = f"<c:title>{_rich(chart.y_title)}</c:title>" if chart.y_title else ""
    # delete="0": axis labels show (openpyxl >= 3.1 hides them by default).
    cat_ax = (f'<c:catAx><c:axId val="{_CAT_AX}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
              f'<c:delete val="0"/><c:axPos val="{"l" if radar else "b"}"/>{ticks}'
              f'<c:crossAx val="{_VAL_AX}"/><c:lblOffset val="100"/></c:catAx>')
    val_ax = (f'<c:valAx><c:axId val="{_VAL_AX}"/><c:scaling><c:orientation val="minMax"/>{y_max}'
              f'</c:scaling><c:delete val="0"/><c:axPos val="l"/><c:majorGridlines/>{y_title}{ticks}'
              f'<c:crossAx val="{_CAT_AX}"/></c:valAx>')
    legend = '<c:legend><c:legendPos val="b"/></c:legend>' if len(chart.series) > 1 else ""
    return (f'{XML_DECL}<c:chartSpace xmlns:c="{NS_CHART}" xmlns:a="{NS_DRAWING_MAIN}" xmlns:r="{NS_R}">'
            f"<c:chart><c:title>{_rich(chart.title)}</c:title><c:plotArea>{plot}{cat_ax}{val_ax}"
            f'</c:plotArea>{legend}<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
            "</c:chartSpace>")


def drawing_xml(charts: list[Chart]) -> str:
    """The drawing part placing ``charts`` (the i-th through relationship ``rId<i+1>``).

    >>> xml = drawing_xml([Chart("bar", "t", "E2", 1, [], width_cm=16, height_cm=8)])
    >>> "<xdr:col>4</xdr:col>" in xml and '<xdr:ext cx="5760000" cy="2880000"/>' in xml
    True
    """
    anchors = []
    for i, chart in enumerate(charts, start=1):
        row, col = split_cell(chart.anchor)
        anchors.append(
            f"<xdr:oneCellAnchor><xdr:from><xdr:col>{col - 1}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f'<xdr:ext cx="{round(chart.width_cm * EMU_PER_CM)}" cy="{round(chart.height_cm * EMU_PER_CM)}"/>'
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{i}" name="Chart {i}"/>'
            "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
            '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
            f'<a:graphic><a:graphicData uri="{NS_CHART}"><c:chart r:id="rId{i}"/></a:graphicData>'
            "</a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor>")
    return (f'{XML_DECL}<xdr:wsDr xmlns:xdr="{NS_XDR}" xmlns:a="{NS_DRAWING_MAIN}" '
            f'xmlns:c="{NS_CHART}" xmlns:r="{NS_R}">{"".join(anchors)}</xdr:wsDr>')


def drawing_rels_xml(drawing_part: str, chart_parts: list[str]) -> str:
    """The drawing's relationships: ``rId<i+1>`` → the i-th chart part.

    >>> "Target=\\"../charts/chart3.xml\\"" in drawing_rels_xml("xl/drawings/drawing1.xml", ["xl/charts/chart3.xml"])
    True
    """
    folder = posixpath.dirname(drawing_part)
    return rels_xml([rel_xml(f"rId{i}", REL_CHART, posixpath.relpath(part, folder))
                     for i, part in enumerate(chart_parts, start=1)])


def comment_parts(spec: SheetSpec) -> tuple[bytes, bytes] | None:
    """The comments part and its VML shapes (how Excel shows them) for the cells with a comment.

    >>> s = SheetSpec("汇总"); _ = s.set(1, 1, 5); s.cells[(1, 1)].comment = "说明"
    >>> comments, vml = comment_parts(s)
    >>> "说明" in comments.decode(), b":Row>0<" in vml
    (True, True)
    """
    records = []
    for (row, col), cell in sorted(spec.cells.items()):
        if cell.comment:
            record = CommentRecord(ref=addr(row, col), author=AUTHOR)
            record.text.t = clean_text(cell.comment)
            records.append(record)
    if not records:
        return None
    sheet = CommentSheet.from_comments(records)
    vml = sheet.write_shapes()
    return (ET.tostring(sheet.to_tree(), encoding="utf-8"),
            vml if isinstance(vml, bytes) else vml.encode("utf-8"))

