"""The harness that does what people do, in LibreOffice through UNO: sort, insert, type, delete a sheet."""
from __future__ import annotations

import openpyxl

from office_ops import perform


def test_sort_insert_type_and_delete_are_done_by_libreoffice(tmp_path, soffice, uno_python):
    path = tmp_path / "book.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表"
    ws.append(["客服", "总分"])
    for name, total in (("小美", 75), ("果果", 92), ("阿杰", 81)):
        ws.append([name, total])
    ws["D2"] = "=INDEX($B$2:$B$4,MATCH(\"小美\",$A$2:$A$4,0))"
    wb.create_sheet("多余")
    wb.save(path)

    got = perform(path, [
        {"op": "sort", "sheet": "表", "range": "A2:B4", "by": 1, "descending": True},
        {"op": "insert_rows", "sheet": "表", "at": 1, "count": 2},
        {"op": "set", "sheet": "表", "cell": "C4", "value": 300},
        {"op": "delete_sheet", "sheet": "多余"},
        {"op": "get", "sheet": "表", "cell": "A3"},
        {"op": "get", "sheet": "表", "cell": "D4"},  # the INDEX/MATCH of D2, moved down by the insert
        {"op": "sheets"},
    ])
    assert got == ["客服", 75.0, ["表"]]
    back = openpyxl.load_workbook(path, data_only=True)["表"]
    assert [[c.value for c in row] for row in back.iter_rows(min_row=3, max_row=6, max_col=3)] == [
        ["客服", "总分", None], ["果果", 92, 300], ["阿杰", 81, None], ["小美", 75, None]]
    assert back["D4"].value == 75  # the formula followed the insert and still finds 小美 after the sort
