"""Number formats display the same everywhere: every format the sample workbook's sheets use, for every
value written, shows the text we intend in Excel (as the npm package ``ssf``, SheetJS's implementation
of Excel's formatting rules, renders it), in Gnumeric and in LibreOffice.

"0.##" showed whole scores as "100." (Excel, WPS, Gnumeric) and "扣0.分"; a bare ¥ in "¥#,##0.00" is
rejected by strict parsers. Here ``intended`` says, independently of any spreadsheet program, what
each format must show; ssf, Gnumeric (ssconvert to CSV, cells as shown) and LibreOffice (soffice to
CSV, cells as shown) must all agree with it.

ssf lives in <repo>/.cache/node (scripts/ensure-spreadsheet-programs.sh installs it with npm); without
node or ssf the ssf test skips locally and fails in CI (CI=1), like the LibreOffice tests.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest

from demo_books import demo_books  # noqa: F401  (a session fixture)
from gnumeric import available as gnumeric_available, ssconvert_path
from xlreports.jobs.appraise import AppraiseOptions, appraise
from xlreports.jobs.archive import ArchiveOptions, archive
from xlreports.samples import build_order_exports, build_sample

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

ROOT = Path(__file__).resolve().parent.parent
SSF = ROOT / ".cache" / "node" / "node_modules" / "ssf"
EPOCH = datetime(1899, 12, 30)

_NODE_SCRIPT = """
const SSF = require(process.argv[1]);
const pairs = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(pairs.map(([f, v]) => { try { return SSF.format(f, v); } catch (e) { return "!" + e; } })));
"""


# --------------------------------------------------------------------------- what each format must show


def _fixed(v: float, places: int, commas: bool = False) -> str:
    """``v`` rounded half away from zero (as Excel does) to ``places`` decimals."""
    q = Decimal(repr(float(v))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(q):,.{places}f}" if commas else f"{abs(q):.{places}f}"
    return ("-" if q < 0 else "") + text


def _general(v: float) -> str:
    return f"{float(v):.10g}" if not float(v).is_integer() else str(int(v))


INTENDED = {
    "General": _general,
    '"扣"General"分"': lambda v: f"扣{_general(v)}分",
    '"¥"#,##0.00': lambda v: ("-" if _fixed(v, 2).startswith("-") else "") + "¥" + _fixed(abs(v), 2, True),
    "#,##0.00": lambda v: _fixed(v, 2, True),
    "#,##0": lambda v: _fixed(v, 0, True),
    "0.00": lambda v: _fixed(v, 2),
    "0.0": lambda v: _fixed(v, 1),
    "0": lambda v: _fixed(v, 0),
    "0.00%": lambda v: _fixed(v * 100, 2) + "%",
    "0%": lambda v: _fixed(v * 100, 0) + "%",
    '0.0"秒"': lambda v: _fixed(v, 1) + "秒",
    '"-"General" pts"': lambda v: f"-{_general(v)} pts",  # --lang en
    '0.0" s"': lambda v: _fixed(v, 1) + " s",
    "yyyy-mm-dd": lambda v: v.strftime("%Y-%m-%d"),
    "yyyy-mm-dd hh:mm": lambda v: v.strftime("%Y-%m-%d %H:%M"),
}


def intended(fmt: str, value) -> str:
    """The text a cell must show.

    >>> [intended(f, v) for f, v in (("General", 19.2), ("General", 100), ('"扣"General"分"', 2),
    ...  ('"¥"#,##0.00', 1174.5), ("0.00%", 0.75), ("0.0", 2.25))]
    ['19.2', '100', '扣2分', '¥1,174.50', '75.00%', '2.3']
    """
    return INTENDED[fmt](value)


def test_intended_texts():
    assert [intended("General", v) for v in (19.2, 100, 0.5, 19.200000000000003, 58742.2)] == [
        "19.2", "100", "0.5", "19.2", "58742.2"]
    assert [intended('"扣"General"分"', v) for v in (0, 2, 1.5)] == ["扣0分", "扣2分", "扣1.5分"]
    assert intended('"¥"#,##0.00', -5) == "-¥5.00" and intended("#,##0.00", 205216.355) == "205,216.36"


# --------------------------------------------------------------------------- the workbook and its cells


@pytest.fixture(scope="module")
def books(demo_books) -> dict[str, Path]:
    """The sample appraised for 2026-09 and 2026-10 with scheme A (plus a customer archive) and with B,
    and for 2026-10 with --lang en (tests/demo_books.py)."""
    return demo_books


def numeric_cells(path: Path) -> dict[str, list[tuple[int, int, str, object]]]:
    """sheet → (row, column, format, value) of every cell holding a number or a date (cached values)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    cells = {}
    for ws in wb.worksheets:
        cells[ws.title] = [(c.row, c.column, c.number_format, c.value) for row in ws.iter_rows() for c in row
                           if isinstance(c.value, (int, float, datetime)) and not isinstance(c.value, bool)]
    return cells


@pytest.fixture(scope="module")
def cells(books) -> dict[str, dict[str, list]]:
    return {scheme: numeric_cells(path) for scheme, path in books.items()}


def test_every_format_written_is_one_we_know(cells):
    used = {fmt for book in cells.values() for sheet in book.values() for _, _, fmt, _ in sheet}
    assert used - set(INTENDED) == set()
    assert {"General", '"扣"General"分"', '"¥"#,##0.00', "0.00%"} <= used  # what the layouts write


# --------------------------------------------------------------------------- Excel's rules (ssf)


@pytest.fixture(scope="session")
def node() -> str:
    exe = shutil.which("node")
    if exe is None or not (SSF / "package.json").is_file():
        msg = f"node or the npm package ssf (in {SSF.parent}) not found: scripts/ensure-spreadsheet-programs.sh"
        (pytest.fail if os.environ.get("CI") else pytest.skip)(msg)
    return exe


def ssf_format(node: str, pairs: list[tuple[str, object]]) -> list[str]:
    """Each (format, value) as Excel shows it, by ssf (dates as serial numbers)."""
    data = [(f, (v - EPOCH).total_seconds() / 86400 if isinstance(v, datetime) else v) for f, v in pairs]
    res = subprocess.run([node, "-e", _NODE_SCRIPT, str(SSF)], input=json.dumps(data), capture_output=True,
                         text=True, timeout=60, check=True)
    return json.loads(res.stdout)


def test_ssf_shows_what_we_intend(cells, node):
    pairs = sorted({(fmt, v) for book in cells.values() for sheet in book.values() for _, _, fmt, v in sheet},
                   key=repr)
    shown = ssf_format(node, pairs)
    wrong = [(f, v, s, intended(f, v)) for (f, v), s in zip(pairs, shown) if s != intended(f, v)]
    assert wrong == []
    assert not [s for s in shown if s.endswith(".") or ".分" in s]  # the "100." of "0.##"
    # spot checks of what the issue named
    assert ssf_format(node, [("General", 19.2), ("General", 100), ("General", 0.5), ('"扣"General"分"', 2),
                             ('"¥"#,##0.00', 1174.5), ("0.00%", 0.75)]) == [
        "19.2", "100", "0.5", "扣2分", "¥1,174.50", "75.00%"]


# --------------------------------------------------------------------------- Gnumeric and LibreOffice


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        # Gnumeric writes a negative General number with U+2212 MINUS SIGN: the same reading
        return [[text.replace("\u2212", "-") for text in row] for row in csv.reader(fh)]


def _differences(sheets: dict[str, list], shown: dict[str, list[list[str]]]) -> list:
    wrong = []
    for name, sheet in sheets.items():
        rows = shown[name]
        for r, c, fmt, v in sheet:
            text = rows[r - 1][c - 1] if r <= len(rows) and c <= len(rows[r - 1]) else None
            if text != intended(fmt, v):
                wrong.append((name, r, c, fmt, v, text))
    return wrong


def test_gnumeric_shows_what_we_intend(books, cells, tmp_path):
    gnumeric_available()
    for scheme, path in books.items():
        names = openpyxl.load_workbook(path, read_only=True).sheetnames
        subprocess.run([ssconvert_path(), "-S", "-T", "Gnumeric_stf:stf_assistant", "-O", "format=preserve separator=,",
                        str(path), str(tmp_path / f"{scheme}_%n.csv")], capture_output=True, timeout=300, check=True)
        shown = {name: _read_csv(tmp_path / f"{scheme}_{i}.csv") for i, name in enumerate(names)}
        wrong = _differences(cells[scheme], shown)
        assert (len(wrong), wrong[:20]) == (0, [])


@pytest.fixture(scope="module")
def libreoffice_shown(books, cells, soffice, tmp_path_factory) -> dict[str, dict[str, list[list[str]]]]:
    """book → sheet → rows of cell texts as LibreOffice shows them."""
    tmp = tmp_path_factory.mktemp("lo-csv")
    profile = (tmp / "profile").as_uri()
    out_all = {}
    for scheme, path in books.items():
        out = tmp / scheme
        # 44,34,76: comma, quote, UTF-8; token 9 true: cells as shown; token 12 -1: every sheet, a file each
        subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to",
                        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
                        "--outdir", str(out), str(path)], capture_output=True, timeout=300, check=True)
        out_all[scheme] = {name: _read_csv(out / f"{path.stem}-{name}.csv") for name in cells[scheme]}
    return out_all


def test_libreoffice_shows_what_we_intend(cells, libreoffice_shown):
    for scheme, shown in libreoffice_shown.items():
        wrong = _differences(cells[scheme], shown)
        assert (len(wrong), wrong[:20]) == (0, [])


def test_excel_and_libreoffice_show_every_written_pair_alike(cells, libreoffice_shown, node):
    """Generic, whatever the layouts write: every (format, value) pair of every sheet of the demo books
    (A with the archive, B, --lang en), as ssf (Excel's rules) shows it, never ends in a bare "." and is
    exactly what LibreOffice shows for that cell."""
    where: dict[tuple, tuple] = {}
    for scheme, book in cells.items():
        for name, sheet in book.items():
            for r, c, fmt, v in sheet:
                where.setdefault((fmt, v), (scheme, name, r, c))
    pairs = sorted(where, key=repr)
    shown = dict(zip(pairs, ssf_format(node, pairs)))
    assert len(pairs) > 1000
    dotted = [(p, s) for p, s in shown.items() if s.rstrip("%秒分 pts").endswith(".")]
    assert dotted == []
    differ = []
    for (fmt, v), excel in shown.items():
        scheme, name, r, c = where[(fmt, v)]
        rows = libreoffice_shown[scheme][name]
        calc = rows[r - 1][c - 1] if r <= len(rows) and c <= len(rows[r - 1]) else None
        if calc != excel:
            differ.append((fmt, v, excel, calc, f"{scheme}:{name}!{r},{c}"))
    assert (len(differ), differ[:20]) == (0, [])


def test_data_columns_have_one_format_money_with_cents_counts_whole(books):
    for scheme, path in books.items():
        wb = openpyxl.load_workbook(path)
        ws = wb["Data" if "Data" in wb.sheetnames else "考核数据"]
        head = {c.value: c.column for c in ws[1] if c.value}
        rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value and ws.cell(r, 2).value]
        formats = {h: {ws.cell(r, c).number_format for r in rows} for h, c in head.items()}
        assert all(len(f) == 1 for f in formats.values()), (scheme, formats)
        one = {h: f.pop() for h, f in formats.items()}
        if scheme == "en":
            money, counts = ("Sales", "Agent AOV", "Shop AOV"), ("Inquiries", "Closed orders")
        else:  # B: 目标销售额 and 主推单品目标 are whole in the demo, and money all the same
            money = ("客服销售额", "客服客单价", "店铺客单价", "目标销售额", "上月销售额", "主推单品销售额", "主推单品目标")
            counts = ("询单人数", "成交笔数", "访问量", "退款笔数")
        assert {one[h] for h in money if h in one} == {"#,##0.00"}  # was "58,742.2" beside "205,216.36", "150"
        assert {one[h] for h in counts if h in one} == {"#,##0"}
        seconds = one.get("Avg response (s)" if scheme == "en" else "平均响应时间")
        assert seconds in (None, '0.0"秒"', '0.0" s"')
