"""The streaming .xlsx sheet reader (xlreports.excel.read.xlsx_scan): writers, markup quirks, chunking, errors."""
from __future__ import annotations

import datetime as dt
import random
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
import xlsxwriter

from xlreports.errors import XlreportsError
from xlreports.excel.read.orders import OrderSource, read_orders
from xlreports.excel.read import xlsx_scan
from xlreports.excel.read.xlsx_scan import shared_strings, slow
from xlreports.excel.read.xlsx_scan import XlsxFormatError, XlsxParseError, read_sheet_strings, sheet_names

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def handmade(path: Path, sheet_data: str, shared: list[str] | None = None, *, sheets=("Sheet1",),
             root: str | None = None) -> Path:
    """A minimal workbook around hand-written ``<sheetData>`` content (every sheet the same).

    ``shared``: the ``<si>`` items (their inner XML) of a shared-strings table. ``root``: the whole
    worksheet XML instead.
    """
    worksheet = root or f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>' \
                        f"{sheet_data}</sheetData></worksheet>"
    entries = "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(sheets))
    rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                   for i in range(len(sheets)))
    if shared is not None:
        rels += f'<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG_NS}"><Relationship Id="rId1" '
                                  f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>{entries}</sheets>'
                                      f"</workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG_NS}">{rels}</Relationships>')
        for i in range(len(sheets)):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", worksheet)
        if shared is not None:
            items = "".join(f"<si>{s}</si>" for s in shared)
            z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN_NS}" count="{len(shared)}" '
                                               f'uniqueCount="{len(shared)}">{items}</sst>')
    return path


def rows_of(frame: pl.DataFrame) -> list[tuple]:
    return frame.rows()


@pytest.fixture(params=["fast", "general"])
def parser(request, monkeypatch):
    """Run a test on both parsers: numpy over canonical XML, and the general one (polars only, as
    without numpy)."""
    if request.param == "general":
        monkeypatch.setattr(xlsx_scan, "np", None)
    elif xlsx_scan.np is None:
        pytest.skip("numpy is not installed")
    return request.param


# ---------------------------------------------------------------- writers

ROWS = [
    ["订单报表（2026年10月）"],
    ["订单编号", "买家会员名", "金额", "下单时间", "已付款", "备注"],
    ["3268123456789012345", "tb_小鱼", 34.5, dt.datetime(2026, 10, 5, 12, 0), True, "A&B <x>"],
    ["3268123456789012346", "tb_阿强", 1234, dt.date(2026, 10, 6), False, None],
    [None, None, None, None, None, None],
    ["3268123456789012347", "  两端空格 ", -0.25, None, None, '"引号" \'单引号\''],
]
HEAD = [["订单报表（2026年10月）"], ["订单编号", "买家会员名", "金额", "下单时间", "已付款", "备注"]]
BODY = [
    (3, "3268123456789012345", "tb_小鱼", "34.5", "46300.5", "TRUE", "A&B <x>"),
    (4, "3268123456789012346", "tb_阿强", "1234", "46301", "FALSE", None),
    (6, "3268123456789012347", "  两端空格 ", "-0.25", None, None, '"引号" \'单引号\''),
]


def write_xlsxwriter(path: Path, rows: list[list], **options) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_urls": False, "strings_to_numbers": False,
                                         "strings_to_formulas": False, **options})
    ws = wb.add_worksheet("订单")
    when = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, (dt.date, dt.datetime)):
                ws.write_datetime(r, c, v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day),
                                  when)
            elif isinstance(v, bool):
                ws.write_boolean(r, c, v)
            elif isinstance(v, (int, float)):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, v)
    wb.close()
    return path


def write_openpyxl(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row, start=1):
            if v is not None:
                ws.cell(r, c, v)
    wb.save(path)
    return path


@pytest.mark.parametrize("writer", ["xlsxwriter-constant-memory", "xlsxwriter-shared-strings", "openpyxl"])
def test_writers(parser, tmp_path, writer):
    path = tmp_path / "a.xlsx"
    if writer == "openpyxl":  # openpyxl 3.1 writes inline strings, and every number with t="n"
        write_openpyxl(path, ROWS)
    else:
        write_xlsxwriter(path, ROWS, constant_memory=writer == "xlsxwriter-constant-memory")
    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert (b't="s"' in sheet) == (writer == "xlsxwriter-shared-strings")
    head, frame = read_sheet_strings(path, max_header_rows=2)
    assert head == HEAD
    assert frame.columns == ["_row", "c0", "c1", "c2", "c3", "c4", "c5"]
    assert frame.schema["_row"] == pl.Int64 and all(frame.schema[c] == pl.String for c in frame.columns[1:])
    assert rows_of(frame) == BODY
    assert sheet_names(path) == ["订单"]
    _, named = read_sheet_strings(path, "订单", max_header_rows=2)
    assert rows_of(named) == BODY


def test_canonical_files_take_the_fast_path(tmp_path, monkeypatch):
    if xlsx_scan.np is None:
        pytest.skip("numpy is not installed")

    def general(*args, **kwargs):
        raise AssertionError("the general path ran")

    monkeypatch.setattr(slow.SlowPath, "cells", general)
    monkeypatch.setattr(shared_strings, "rich_text", general)  # the general shared-strings path needs it
    for i, constant_memory in enumerate((True, False)):
        path = write_xlsxwriter(tmp_path / f"{i}.xlsx", ROWS, constant_memory=constant_memory)
        assert rows_of(read_sheet_strings(path, max_header_rows=2, chunk_size=16)[1]) == BODY
    path = write_openpyxl(tmp_path / "o.xlsx", ROWS)
    assert rows_of(read_sheet_strings(path, max_header_rows=2, chunk_size=16)[1]) == BODY


def test_keep_columns_and_header_rows(parser, tmp_path):
    path = write_xlsxwriter(tmp_path / "a.xlsx", ROWS)
    head, frame = read_sheet_strings(path, keep={0, 5, 9}, max_header_rows=2)
    assert head == HEAD  # the header rows keep every column
    assert frame.columns == ["_row", "c0", "c5", "c9"]
    assert rows_of(frame) == [(3, "3268123456789012345", "A&B <x>", None),
                              (4, "3268123456789012346", None, None),
                              (6, "3268123456789012347", '"引号" \'单引号\'', None)]
    head, frame = read_sheet_strings(path, keep=set(), max_header_rows=1)
    assert head == HEAD[:1] and frame.columns == ["_row"]
    head, frame = read_sheet_strings(path, max_header_rows=0)
    assert head == [] and rows_of(frame)[:2] == [(1, "订单报表（2026年10月）", None, None, None, None, None),
                                                 (2, *HEAD[1])]


def test_keep_chosen_from_the_header_rows(parser, tmp_path):
    path = write_xlsxwriter(tmp_path / "a.xlsx", ROWS)
    seen = []

    def keep(rows):
        seen.append(rows)
        return {rows[1].index("金额"), rows[1].index("订单编号")}

    head, frame = read_sheet_strings(path, keep=keep, max_header_rows=3)
    assert seen == [[*HEAD, ["3268123456789012345", "tb_小鱼", "34.5", "46300.5", "TRUE", "A&B <x>"]]]
    assert head == seen[0]
    assert rows_of(frame) == [(4, "3268123456789012346", "1234"), (6, "3268123456789012347", "-0.25")]


def test_rich_text_shared_and_inline(parser, tmp_path):
    path = tmp_path / "rich.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    bold, red = wb.add_format({"bold": True}), wb.add_format({"font_color": "red"})
    ws.write_string(0, 0, "表头")
    ws.write_rich_string(1, 0, bold, "粗体", "普通", red, " 红色 ")
    ws.write_rich_string(1, 1, "前", bold, "&<后>")
    wb.close()
    _, frame = read_sheet_strings(path, max_header_rows=1)
    assert rows_of(frame) == [(2, "粗体普通 红色 ", "前&<后>")]

    runs = ('<r><rPr><b/><sz val="11"/><color rgb="FFFF0000"/><rFont val="宋体"/><charset val="134"/></rPr>'
            '<t>红</t></r><r><t xml:space="preserve"> 字 </t></r>')
    phonetic = '<t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh><phoneticPr fontId="1"/>'
    path = handmade(tmp_path / "inline.xlsx",
                    f'<row r="1"><c r="A1" t="inlineStr"><is>{runs}</is></c><c r="B1" t="s"><v>0</v></c>'
                    f'<c r="C1" t="s"><v>1</v></c><c r="D1" t="inlineStr"><is>{phonetic}</is></c></row>',
                    shared=[runs, phonetic])
    _, frame = read_sheet_strings(path, max_header_rows=0)
    assert rows_of(frame) == [(1, "红 字 ", "红 字 ", "漢字", "漢字")]


def test_entities_and_escapes(parser, tmp_path):
    texts = ["A&amp;B &lt;x&gt;", "&quot;q&quot; &apos;a&apos;", "&#26684;&#x5F0F;&#10;", "&amp;lt;",
             "a_x000D_b_x005F_x0041_", "line1\r\nline2\rline3", "&amp;#65;"]
    want = ["A&B <x>", "\"q\" 'a'", "格式\n", "&lt;", "a\rb_x0041_", "line1\nline2\nline3", "&#65;"]
    inline = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{t}</t></is></c>' for i, t in enumerate(texts))
    shared = "".join(f'<c r="{chr(65 + i)}2" t="s"><v>{i}</v></c>' for i in range(len(texts)))
    formula = "".join(f'<c r="{chr(65 + i)}3" t="str"><f>A1</f><v>{t}</v></c>' for i, t in enumerate(texts))
    path = handmade(tmp_path / "e.xlsx", f'<row r="1">{inline}</row><row r="2">{shared}</row>'
                                         f'<row r="3">{formula}</row>', shared=[f"<t>{t}</t>" for t in texts])
    head, frame = read_sheet_strings(path, max_header_rows=1)
    assert head == [want]
    assert rows_of(frame) == [(2, *want), (3, *want)]


def test_cells_and_rows_without_r(parser, tmp_path):
    sheet = ('<row><c t="inlineStr"><is><t>a</t></is></c><c><v>1</v></c><c r="E1"><v>5</v></c><c><v>6</v></c></row>'
             '<row r="4"><c><v>x</v></c><c t="s"><v>0</v></c></row>'
             '<row><c r="B5" t="b"><v>1</v></c><c/><c><v>4</v></c></row>'
             '<row r="7" spans="1:3"><c r="C7"><v>7</v></c></row>')
    path = handmade(tmp_path / "nor.xlsx", sheet, shared=["<t>共享</t>"])
    head, frame = read_sheet_strings(path, max_header_rows=1)
    assert head == [["a", "1", None, None, "5", "6"]]
    assert frame.columns == ["_row", "c0", "c1", "c2", "c3"]  # the columns with a value below the header rows
    assert rows_of(frame) == [(4, "x", "共享", None, None), (5, None, "TRUE", None, "4"), (7, None, None, "7", None)]


def test_types_and_empty_cells(parser, tmp_path):
    sheet = ('<row r="2" spans="1:9">'
             '<c r="A2" t="n"><v>46300.52135416667</v></c><c r="B2" s="3" t="b"><v>0</v></c>'
             '<c r="C2" t="e"><v>#N/A</v></c><c r="D2" t="str"><f>"x"&amp;"y"</f><v>xy</v></c>'
             '<c r="E2"><f>1/0</f><v/></c><c r="F2" s="1"/><c r="G2"><v></v></c>'
             '<c r="H2" t="d"><v>2026-10-05T12:30:45</v></c><c r="I2" t="inlineStr"><is><t/></is></c>'
             '<c r="J2" t="inlineStr"><is><t xml:space="preserve">  </t></is></c>'
             '<c r="K2" t="s"><v>1</v></c><c r="L2" s="2" t="n"><v>1.5E-3</v></c></row>'
             '<row r="3"/><row r="4"><c r="AA4"><v>-7</v></c><c r="ZZ4" t="inlineStr"><is><t>宽</t></is></c></row>')
    path = handmade(tmp_path / "t.xlsx", sheet, shared=["<t>x</t>", "<t/>"])
    head, frame = read_sheet_strings(path, max_header_rows=1)
    assert head == [[]]
    assert frame.columns == ["_row", "c0", "c1", "c3", "c7", "c8", "c9", "c10", "c11", "c26", "c701"]
    head, frame = read_sheet_strings(path, keep={*range(12), 26, 701}, max_header_rows=1)
    assert frame.columns == ["_row", *(f"c{i}" for i in range(12)), "c26", "c701"]
    assert rows_of(frame) == [
        (2, "46300.52135416667", "FALSE", None, "xy", None, None, None, "2026-10-05T12:30:45", "", "  ", "", "1.5E-3",
         None, None),
        (4, None, None, None, None, None, None, None, None, None, None, None, None, "-7", "宽"),
    ]


def test_chunk_boundaries_and_workers(parser, tmp_path):
    rng = random.Random(5)
    n = 150 if parser == "fast" else 60
    rows = [["编号", "名称", "数量"]] + [[str(10**18 + i), "名" * rng.randint(0, 30) + "&" * (i % 3), i * 0.5]
                                       for i in range(n)]
    for constant_memory in (True, False):
        path = write_xlsxwriter(tmp_path / f"c{constant_memory}.xlsx", rows, constant_memory=constant_memory)
        want_head, want = read_sheet_strings(path, max_header_rows=1)
        assert want_head == [["编号", "名称", "数量"]]
        assert want.height == n and want.row(n - 1) == (n + 1, str(10**18 + n - 1), rows[n][1], str((n - 1) / 2))
        for size in (1, 37, 500, 4096):  # 1: every chunk one row
            for workers in (1, 2):
                head, frame = read_sheet_strings(path, max_header_rows=1, chunk_size=size, workers=workers)
                assert head == want_head
                assert frame.equals(want), (size, workers)
        head, frame = read_sheet_strings(path, keep=lambda rows: {2}, max_header_rows=1, chunk_size=64)
        assert head == want_head and frame.equals(want.select("_row", "c2"))


def test_prefixed_and_indented_xml_take_the_general_path(tmp_path):
    root = (f'<?xml version="1.0"?>\n<x:worksheet xmlns:x="{MAIN_NS}">\n <x:sheetData>\n'
            '  <x:row r="1">\n   <x:c r="A1" t="inlineStr"><x:is><x:t>甲&amp;乙</x:t></x:is></x:c>\n'
            '   <x:c r="C1" t="s"><x:v>0</x:v></x:c>\n  </x:row>\n'
            '  <x:row r="2"><x:c r="B2"><x:v>2.5</x:v></x:c></x:row>\n </x:sheetData>\n</x:worksheet>')
    path = handmade(tmp_path / "p.xlsx", "", shared=["<t>共享</t>"], root=root)
    path2 = handmade(tmp_path / "q.xlsx", "", shared=["<t>共享</t>"], root=root.replace("x:", ""))
    for p in (path, path2):
        for size in (1, 1 << 20):
            head, frame = read_sheet_strings(p, max_header_rows=1, chunk_size=size)
            assert head == [["甲&乙", None, "共享"]]
            assert rows_of(frame) == [(2, "2.5")] and frame.columns == ["_row", "c1"]


def to_text(value) -> str | None:
    """openpyxl's value as the scan gives it (numbers compared as numbers by the caller)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    raise TypeError(value)


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter-shared-strings", "xlsxwriter-constant-memory"])
def test_same_as_openpyxl_on_thousands_of_rows(parser, tmp_path, writer):
    rng = random.Random(11)
    alphabet = "abcXYZ 0123 订单买家地址&<>\"'_x\t\n;#"

    def value(c: int):
        kind = rng.randrange(7)
        if kind == 0:
            return None
        if kind == 1:
            return rng.randint(-10**12, 10**12)
        if kind == 2:
            return rng.uniform(-1e6, 1e6)
        if kind == 3:
            return rng.random() < 0.5
        if kind == 4:
            return dt.datetime(2020, 1, 1) + dt.timedelta(seconds=rng.randrange(10**8))
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25))).strip() or "x"

    rows = [[f"列{c}" for c in range(9)]] + [[value(c) for c in range(9)] for _ in range(3000)]
    path = tmp_path / "big.xlsx"
    if writer == "openpyxl":
        write_openpyxl(path, rows)
    else:
        write_xlsxwriter(path, rows, constant_memory=writer == "xlsxwriter-constant-memory")
    ws = openpyxl.load_workbook(path, read_only=True).active
    expected = [list(r) for r in ws.iter_rows(values_only=True)]
    head, frame = read_sheet_strings(path, max_header_rows=1, chunk_size=20_000)
    assert head == [[f"列{c}" for c in range(9)]]
    got = {r[0]: r[1:] for r in frame.rows()}
    assert len(expected) == 3001
    for i, want in enumerate(expected[1:], start=2):
        have = got.get(i, (None,) * 9)
        for c, w in enumerate(want):
            h = have[c]
            if isinstance(w, dt.datetime):
                assert openpyxl.utils.datetime.from_excel(float(h)) == w, (i, c)
            elif isinstance(w, (int, float)) and not isinstance(w, bool):
                assert float(h) == w, (i, c)
            else:
                assert h == to_text(w), (i, c)


# ---------------------------------------------------------------- errors


def test_errors_name_the_file(tmp_path):
    text = tmp_path / "文本.xlsx"
    text.write_text("不是工作簿", encoding="utf-8")
    with pytest.raises(XlsxFormatError) as e:
        read_sheet_strings(text)
    assert str(e.value) == "文本.xlsx 不是有效的 .xlsx 工作簿（文件已损坏或不是 zip 格式）"
    assert isinstance(e.value, XlreportsError)

    with zipfile.ZipFile(tmp_path / "空.xlsx", "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(XlsxFormatError) as e:
        sheet_names(tmp_path / "空.xlsx")
    assert str(e.value) == "空.xlsx 已损坏或不是 Excel 工作簿：缺少 xl/workbook.xml"

    path = handmade(tmp_path / "b.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>', sheets=("一", "二"))
    with pytest.raises(XlsxFormatError) as e:
        read_sheet_strings(path, "三")
    assert str(e.value) == "b.xlsx 中找不到工作表「三」；工作簿中有：一、二"
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(tmp_path / "c.xlsx", "w") as out:
        for info in z.infolist():
            if info.filename != "xl/worksheets/sheet2.xml":
                out.writestr(info, z.read(info))
    assert sheet_names(tmp_path / "c.xlsx") == ["一", "二"]
    with pytest.raises(XlsxFormatError) as e:
        read_sheet_strings(tmp_path / "c.xlsx", "二")
    assert str(e.value) == "c.xlsx 已损坏或不是 Excel 工作簿：缺少 xl/worksheets/sheet2.xml"

    big = write_xlsxwriter(tmp_path / "big.xlsx", [[f"行{i}", i] for i in range(20000)], constant_memory=True)
    data = big.read_bytes()
    info = zipfile.ZipFile(big).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    broken = bytearray(data)
    broken[start + 5000:start + 5400] = bytes(400)  # garbage inside the compressed sheet
    (tmp_path / "坏.xlsx").write_bytes(bytes(broken))
    with pytest.raises(XlsxFormatError) as e:
        read_sheet_strings(tmp_path / "坏.xlsx")
    assert str(e.value) == "坏.xlsx 已损坏：无法解压或解析 xl/worksheets/sheet1.xml"


def test_unsupported_markup_is_a_parse_error(tmp_path):
    path = handmade(tmp_path / "注释.xlsx", '<row r="1"><!-- 备注 --><c r="A1" t="inlineStr"><is><t>订单编号</t></is></c>'
                                          '</row><row r="2"><c r="A2" t="inlineStr"><is><t>9</t></is></c></row>')
    with pytest.raises(XlsxParseError) as e:
        read_sheet_strings(path)
    assert str(e.value) == "注释.xlsx：工作表 XML 中含有 CDATA 或注释，无法快速读取"


# ---------------------------------------------------------------- orders on top of the scan


def test_orders_read_through_the_scan(tmp_path):
    path = write_openpyxl(tmp_path / "ExportOrderList.xlsx", [
        ["淘宝订单导出"], [],
        ["订单编号", "买家会员名", "买家实际支付金额", "订单创建时间"],
        ["3268123456789012345", "tb_甲", 34.5, dt.datetime(2026, 10, 6, 9, 15)],
        [None, None, None, None],
        ["3268123456789012346", "tb_乙", "1,234.50", dt.datetime(2026, 10, 5, 12, 30, 45, 500000)],
    ])
    intake = read_orders([OrderSource(path)])
    assert intake.orders.select("订单编号", "买家会员名", "买家实付金额", "订单创建时间", "_行").rows() == [
        ("3268123456789012345", "tb_甲", 34.5, dt.datetime(2026, 10, 6, 9, 15), 4),
        ("3268123456789012346", "tb_乙", 1234.5, dt.datetime(2026, 10, 5, 12, 30, 45, 500000), 6),
    ]
    assert intake.rows_read == 2 and intake.skipped == []


def test_orders_row_numbers_across_blank_rows(tmp_path):
    rows = [["订单编号", "买家会员名", "备注"]] + [[str(1000 + i), f"tb_{i}", None] for i in range(40)]
    rows[20] = [None, None, None]  # a blank row, past the rows searched for the header
    rows[30] = [None, None, "只有备注"]  # a row with a value only in an unknown column
    path = write_openpyxl(tmp_path / "ExportOrderList.xlsx", rows)
    intake = read_orders([OrderSource(path)])
    got = intake.orders.select("订单编号", "_行").rows()
    assert got == [(str(1000 + i), i + 2) for i in range(40) if i not in (19, 29)]
    assert intake.rows_read == 38 and intake.skipped == []


def test_orders_fall_back_to_fastexcel(tmp_path):
    path = handmade(tmp_path / "ExportOrderList.xlsx",
                    '<row r="1"><!-- 备注 --><c r="A1" t="inlineStr"><is><t>订单编号</t></is></c>'
                    '<c r="B1" t="inlineStr"><is><t>买家会员名</t></is></c></row>'
                    '<row r="2"><c r="A2" t="inlineStr"><is><t>9</t></is></c>'
                    '<c r="B2" t="inlineStr"><is><t>甲</t></is></c></row>')
    intake = read_orders([OrderSource(path)])
    assert intake.orders.select("订单编号", "买家会员名", "_行").rows() == [("9", "甲", 2)]
