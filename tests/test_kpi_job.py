"""xlreports kpi end to end: its 客服数据-聊天 is scored by appraise exactly as the same figures typed into 客服数据
(typed through LibreOffice), 聊天抽查 scores reach scheme B's 聊天记录抽查, re-runs keep other months and added columns."""
from __future__ import annotations

from xlreports.a1 import col_letter
from xlreports.cli import main
from xlreports.excel.read.source import WorkbookRows
from xlreports.jobs.kpi import KpiOptions, kpi
from xlreports.jobs.kpi_rows import COLUMNS
from xlreports.samples_chats import build_chat_samples

from office_ops import perform

INPUT_SHEETS = ("客服数据", "客服数据-聊天", "聊天统计", "归因明细", "聊天抽查", "统计规则", "考核方案")


def _sheets(path):
    with WorkbookRows(path) as wb:
        return {n: wb.rows(n).rows for n in wb.names if n not in INPUT_SHEETS and not n.startswith("_")}


def _figures_part(rows):
    """首页 down to its 提醒 section (the figures), which must be equal."""
    end = next(i for i, r in enumerate(rows) if r and str(r[0]).startswith("提醒"))
    return rows[:end]


def _data(path):
    with WorkbookRows(path) as wb:
        return wb.rows("客服数据-聊天").rows


def test_kpi_output_appraised_like_typed_figures(tmp_path, uno_python):
    files = build_chat_samples(tmp_path / "chats")
    (tmp_path / "k").mkdir(), (tmp_path / "h").mkdir()
    k, h = tmp_path / "k" / "店铺.xlsx", tmp_path / "h" / "店铺.xlsx"  # one name: the shop is named after the file
    for book in (k, h):
        assert main(["init", str(book), "--scheme", "B", "--no-backup"]) == 0
    report = kpi(k, KpiOptions(chats=[files["table"]], orders=[files["orders"]], backup=False))
    assert report.month == "2026-10" and "聊天抽查" in report.sheets
    # the supervisor scores two sampled conversations of 小美 in LibreOffice (formulas recalculated on save)
    with WorkbookRows(k) as wb:
        spot = wb.rows("聊天抽查").rows
    rows = [i + 1 for i, r in enumerate(spot) if r and r[0] == "小美"]
    perform(k, [{"op": "set", "sheet": "聊天抽查", "cell": f"L{rows[0]}", "value": 8},
                {"op": "set", "sheet": "聊天抽查", "cell": f"L{rows[1]}", "value": 9},
                {"op": "set", "sheet": "聊天抽查", "cell": f"M{rows[0]}", "value": 10}])
    data = _data(k)
    assert data[0][:len(COLUMNS)] == list(COLUMNS)
    mei = next(r for r in data if r[0] == "小美")
    assert mei[COLUMNS.index("应答时间抽查")] == 8.5 and mei[COLUMNS.index("服务态度抽查")] == 10
    # the same figures typed by hand into 客服数据 of the other book (its header kept, our columns added)
    with WorkbookRows(h) as wb:
        header = wb.rows("客服数据").rows[0]
    header += [c for c in data[0] if c not in header]
    typed = [{"op": "set", "sheet": "客服数据", "cell": f"{col_letter(j + 1)}1", "value": c} for j, c in enumerate(header)]
    typed += [{"op": "set", "sheet": "客服数据", "cell": f"{col_letter(header.index(c) + 1)}{i + 2}", "value": v}
              for i, row in enumerate(data[1:]) for c, v in zip(data[0], row) if v not in (None, "")]
    perform(h, typed)
    for book in (k, h):
        assert main(["appraise", str(book), "--month", "2026-10", "--no-backup"]) == 0
    a, b = _sheets(k), _sheets(h)
    assert a.keys() == b.keys() and len(a) >= 3
    for name in a:
        if name == "首页":  # its 提醒 and 目录 list each book's own warnings and tabs (kpi's sheets): figures only
            a[name], b[name] = _figures_part(a[name]), _figures_part(b[name])
        assert a[name] == b[name], name


def test_rerun_keeps_other_months_added_columns_and_scores(tmp_path):
    files = build_chat_samples(tmp_path / "chats")
    book = tmp_path / "b.xlsx"
    kpi(book, KpiOptions(chats=[files["text"]], orders=[files["orders"]], backup=False))
    import openpyxl

    wb = openpyxl.load_workbook(book)
    ws = wb["客服数据-聊天"]
    ws.cell(1, len(COLUMNS) + 1, "目标销售额")
    ws.cell(2, len(COLUMNS) + 1, 5000)
    ws.append(["老员工", "2026-09", 3])
    spot = wb["聊天抽查"]
    spot["L5"] = 7
    wb.save(book)
    first = _data(book)
    kpi(book, KpiOptions(chats=[files["text"]], orders=[files["orders"]], backup=False))
    data = _data(book)
    assert data[0][len(COLUMNS)] == "目标销售额"
    assert data[1:] != [] and any(r[0] == "老员工" and r[1] == "2026-09" for r in data)
    assert next(r for r in data if r[0] == first[1][0])[len(COLUMNS)] == 5000
    with WorkbookRows(book) as wb2:
        assert wb2.rows("聊天抽查").rows[4][11] == 7  # the typed score was carried over
        assert wb2.rows("统计规则").rows[3] == ["【设置】"]
