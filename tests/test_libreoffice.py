"""tests/libreoffice.py really recalculates: formulas written without (or with stale) values come back computed."""
import time

import openpyxl
import pytest

from libreoffice import recalculate, to_pdf, to_png


@pytest.fixture(scope="module")
def recalculated(soffice, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("recalc")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "计算"
    ws["A1"], ws["A2"], ws["A3"] = 2, 3, "=A1*A2"
    ws["B1"] = '=IF(A1>=2,"高","低")'
    ws["C1"] = "=INDEX(A1:A2,MATCH(3,A1:A2,0))"
    ws["D1"] = "=RANK(A2,A1:A2)"
    ws["E1"] = "=ROUND(2.675,2)"
    person = wb.create_sheet("考核表-张三")
    person["A1"] = 87.5
    person["A2"] = "=A1*2"
    summary = wb.create_sheet("汇总")
    summary["A1"] = "='考核表-张三'!A1"
    summary["A2"] = "='考核表-张三'!A2+计算!A3"
    src = tmp / "formulas.xlsx"
    wb.save(src)
    start = time.perf_counter()
    out = recalculate(src, tmp / "out")
    print(f"\nrecalculate took {time.perf_counter() - start:.2f}s")
    return openpyxl.load_workbook(out, data_only=True)


def test_basic_formulas_are_computed(recalculated):
    ws = recalculated["计算"]
    assert ws["A3"].value == 6
    assert ws["B1"].value == "高"
    assert ws["C1"].value == 3
    assert ws["D1"].value == 1
    assert ws["E1"].value == pytest.approx(2.68)


def test_chinese_hyphenated_sheet_reference(recalculated):
    assert recalculated.sheetnames == ["计算", "考核表-张三", "汇总"]
    assert recalculated["汇总"]["A1"].value == 87.5
    assert recalculated["汇总"]["A2"].value == 181


def test_stale_cached_value_is_replaced(soffice, tmp_path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    src = tmp_path / "stale.xlsx"
    book = xlsxwriter.Workbook(str(src))
    sheet = book.add_worksheet()
    sheet.write("A1", 2)
    sheet.write("A2", 3)
    sheet.write_formula("A3", "=A1*A2", None, 999)
    book.close()
    assert openpyxl.load_workbook(src, data_only=True).active["A3"].value == 999  # the stale cache
    out = recalculate(src, tmp_path)
    assert openpyxl.load_workbook(out, data_only=True).active["A3"].value == 6


def test_same_stem_does_not_clash(soffice, tmp_path):
    outs = []
    for sub, value in (("a", 1), ("b", 2)):
        (tmp_path / sub).mkdir()
        wb = openpyxl.Workbook()
        wb.active["A1"] = value
        wb.active["A2"] = "=A1*10"
        wb.save(tmp_path / sub / "book.xlsx")
        outs.append(recalculate(tmp_path / sub / "book.xlsx", tmp_path / "out"))
    # converting a file that already sits in outdir does not overwrite it either
    outs.append(recalculate(outs[0], tmp_path / "out"))
    assert len({p.name for p in outs}) == 3
    values = [openpyxl.load_workbook(p, data_only=True).active["A2"].value for p in outs]
    assert values == [10, 20, 10]


def test_unloadable_file_raises(soffice, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not a zip archive" + bytes(range(256)) * 8)
    with pytest.raises(RuntimeError, match="did not produce"):
        recalculate(bad, tmp_path / "out")
    with pytest.raises(FileNotFoundError):
        recalculate(tmp_path / "missing.xlsx", tmp_path / "out")


def test_pdf_and_png(soffice, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "考核表-张三"
    ws["A1"], ws["B1"] = "询单转化率", "=300/400"
    src = tmp_path / "form.xlsx"
    wb.save(src)
    pdf = to_pdf(src, tmp_path / "out")
    assert pdf.suffix == ".pdf" and pdf.read_bytes()[:5] == b"%PDF-"
    pages = to_png(pdf, tmp_path / "png", dpi=40)
    assert len(pages) == 1
    assert pages[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
