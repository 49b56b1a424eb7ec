"""samples/make_sample.py: deterministic, export-shaped, and carrying the story the other tests rely on."""
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "samples" / "make_sample.py"
HEADER_ROW = 4  # title, blank, group row, leaf row


def _make(path: Path) -> Path:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(SCRIPT), str(path)], check=True, capture_output=True, timeout=60)
    assert time.perf_counter() - start < 10  # the script itself must be fast (< 2 s); leave CI some slack
    assert path.is_file()
    return path


def _values(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def _number(v):
    if isinstance(v, str):
        v = v.strip().replace(",", "")
        if v.startswith('="') and v.endswith('"'):
            v = v[2:-1]
        return float(v)
    return v


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return _make(tmp_path_factory.mktemp("sample") / "shop_sample.xlsx")


@pytest.fixture(scope="module")
def data(sample):
    return openpyxl.load_workbook(sample)["客服数据"]


def _header(ws) -> dict:
    return {c.value: c.column for c in ws[HEADER_ROW] if c.value is not None}


def _data_rows(ws):
    """(row number, row values) between the header and the first summary row, blank rows skipped."""
    out = []
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        vals = [c.value for c in ws[r]]
        if vals[0] in ("汇总值", "平均值"):
            break
        if any(v is not None for v in vals):
            out.append((r, vals))
    return out


def test_deterministic(sample, tmp_path):
    again = _make(tmp_path / "again.xlsx")
    assert _values(sample) == _values(again)


def test_sheets(sample):
    wb = openpyxl.load_workbook(sample)
    assert wb.sheetnames == ["客服数据", "客服名册", "说明"]
    roster = wb["客服名册"]
    assert [c.value for c in roster[1]] == ["客服", "入职日期", "岗位", "级别", "工号"]
    assert roster.max_row == 15
    assert 3 <= wb["说明"].max_row <= 6


def test_layout_and_quirks(data):
    assert data["A1"].value.startswith("客服绩效数据 2026-08-01 ~ 2026-10-31")
    assert all(c.value is None for c in data[2])
    assert "A3:A4" in {str(r) for r in data.merged_cells.ranges}
    groups = [c.value for c in data[3] if c.value is not None]
    assert groups == ["客服", "基本信息", "询单->下单", "下单->付款", "客单价", "工作量", "考勤与主管评分"]
    header = _header(data)
    assert "询单→最终付款人数" in header
    assert "销售额 " in header and "销售额" not in header
    assert "平均响应(s)" in header
    rows = _data_rows(data)
    assert len(rows) == 14 * 3
    first, last = rows[0][0], rows[-1][0]
    assert last - first + 1 == 14 * 3 + 1  # exactly one blank row inside the data
    labels = [data.cell(r, 1).value for r in range(last + 1, data.max_row + 1)]
    assert labels == ["汇总值", "平均值"]
    cells = [v for _, vals in rows for v in vals]
    assert any(isinstance(v, str) and v.startswith('="') for v in cells)
    sales = header["销售额 "] - 1
    assert any(isinstance(vals[sales], str) and "," in vals[sales] for _, vals in rows)


def test_months_and_agents(data):
    rows = _data_rows(data)
    month = _header(data)["月份"] - 1
    agents = {}
    for _, vals in rows:
        agents.setdefault(vals[0], []).append(vals[month])
    assert len(agents) == 14
    assert all(ms == ["2026-08", "2026-09", "2026-10"] for ms in agents.values())


def test_band_edge_rows(data):
    header = _header(data)
    rows = {(vals[0], vals[header["月份"] - 1]): vals for _, vals in _data_rows(data)}
    xiaoyu = rows[("客服-小雨", "2026-10")]
    assert _number(xiaoyu[header["询单人数"] - 1]) == 400
    assert _number(xiaoyu[header["询单→最终付款人数"] - 1]) == 300
    assert _number(rows[("阿杰", "2026-10")][header["平均响应(s)"] - 1]) == 30


def test_realistic_ranges(data):
    header = _header(data)
    col = {k: v - 1 for k, v in header.items()}
    for _, vals in _data_rows(data):
        n = {k: _number(vals[i]) for k, i in col.items() if k not in ("月份",)}
        assert 300 <= n["询单人数"] <= 1500
        assert n["询单→最终付款人数"] <= n["下单人数"] <= n["询单人数"] <= n["接待人数"]
        assert n["回复人数"] <= n["接待人数"]
        assert n["付款笔数"] <= n["拍下笔数"] and n["成交笔数"] <= n["付款笔数"]
        assert 1.0 <= n["客服客单价"] / n["店铺客单价"] <= 1.18
        assert 18 <= n["平均响应(s)"] <= 60
        assert 6 <= n["工作任务"] <= 10 and 3 <= n["工作态度"] <= 5 and 0 <= n["经验条数"] <= 12
        paid_value = n["询单→最终付款人数"] * n["客服客单价"]
        assert 0.95 * paid_value <= n["销售额 "] <= 1.05 * paid_value
