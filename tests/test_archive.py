"""End-to-end tests of the customer-archive job (xlreports.jobs.archive.archive).

Every test builds small order exports in tmp_path the way 淘宝 writes them (GBK CSV with a trailing
comma, ``="3268…"`` ids, ``'182…`` phones, ``'null`` remarks, headers with trailing spaces such as
``收货地址 `` and ``宝贝标题 ``; .xlsx with real Excel dates), runs the job and reads the workbook back
with openpyxl (cached values) or straight from the zip. Expected values are worked out by hand.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from xlreports.jobs.archive import ArchiveOptions, archive
from xlreports.engine.customers import aftersales
from xlreports.errors import XlreportsError

TODAY = dt.date(2026, 11, 23)
SHOP = "小鱼服饰"
SHEETS = ["会员规则", "客户档案", "会员分层", "客户分群", "关怀提醒", "售后登记", "会员等级历史", "关怀记录", "导入报告"]

# The old (with 买家会员名) layout as exported, trailing spaces included; 发货时间 as in later versions of it.
HEADER = ["订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "总金额", "买家实际支付金额",
          "订单状态", "买家留言", "收货人姓名", "收货地址 ", "联系电话 ", "联系手机", "订单创建时间", "订单付款时间",
          "宝贝标题 ", "宝贝种类 ", "物流单号 ", "物流公司", "订单备注", "宝贝总数量", "店铺名称", "订单关闭原因",
          "退款金额", "确认收货时间", "发货时间"]
AMOUNT_COL = get_column_letter(HEADER.index("买家实际支付金额") + 1)  # G
ID_COL = get_column_letter(HEADER.index("订单编号") + 1)  # A

STREET = "江苏省 苏州市 吴江区 松陵镇 梅石路1号"
MASKED_STREET = "江苏省 苏州市 吴江区 ****"
LOCAL_STREET = "吴江区 松陵镇 梅石路1号"  # 客户档案's 地址: what follows 省 and 市 (issue 11)
LOCAL_MASKED = "吴江区 ****"


def oid(n: int) -> str:
    return f"32680000000000000{n:02d}"  # 19 digits: must never pass through a float


def phone(n: int) -> str:
    return f"182000000{n:02d}"


def masked(n: int) -> str:
    return f"182****00{n:02d}"


def order(n: int | None, buyer: str, amount, status: str = "交易成功", created="2026-10-05 12:30:45",
          paid="2026-10-05 12:31:02", **values) -> list:
    """One export row; ``n`` numbers the order id (None: no id) and the buyer's phone."""
    row = {"订单编号": "" if n is None else f'="{oid(n)}"', "买家会员名": buyer, "买家支付宝账号": "a***@163.com",
           "买家应付货款": amount, "买家应付邮费": "0.00", "总金额": amount, "买家实际支付金额": amount,
           "订单状态": status, "买家留言": "'null", "收货人姓名": "王小鱼", "收货地址": STREET, "联系电话": "'null",
           "联系手机": f"'{phone(n or 0)}", "订单创建时间": created, "订单付款时间": paid, "宝贝标题": "夏季新款连衣裙",
           "宝贝种类": "1", "物流单号": "'YT1234567890", "物流公司": "圆通速递", "订单备注": "'null", "宝贝总数量": "1",
           "店铺名称": SHOP, "订单关闭原因": "订单未关闭", "退款金额": "0.00", "确认收货时间": "", "发货时间": ""}
    unknown = set(values) - set(row)
    assert not unknown, unknown
    row.update(values)
    return [row[h.strip()] for h in HEADER]


def write_csv(path: Path, rows: list[list], header: list[str] = HEADER, encoding: str = "gbk") -> Path:
    """As 淘宝 writes it: ="…" unquoted, other values quoted only when needed, a comma after each line."""
    def cell(v) -> str:
        v = "" if v is None else str(v)
        if v.startswith('="'):
            return v
        if any(ch in v for ch in ',"\n'):
            return '"' + v.replace('"', '""') + '"'
        return v
    path.write_bytes("".join(",".join(cell(v) for v in r) + ",\n" for r in [header, *rows]).encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list], header: list[str] = HEADER, sheet: str = "ExportOrderList") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate([header, *rows], start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            cell = ws.cell(r, c, value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, as in the export, not a formula
    wb.save(path)
    return path


CMD = "=cmd|' /C calc'!A0"

# Rows of the CSV export (data row i is sheet row i + 2).
CSV_ROWS = [
    order(1, "tb_至尊", "900.00", 退款金额="12.00"),  # 888.00 net
    order(2, "tb_差一分", "887.99", created="2026-10-06 08:00:00", paid="2026-10-06 08:01:00", 收货人姓名="李雷"),
    order(3, "tb_退款", "500.00", created="2026-10-02 10:00:00", paid="2026-10-02 10:00:30", 退款金额="200.00"),
    order(4, "tb_退款", "100.00", created="2026-11-01 10:00:00", paid="2026-11-01 10:00:30"),
    order(5, "tb_关闭", "100.00", status="交易关闭", paid="", 订单关闭原因="买家不想买了"),
    order(6, "tb_未付", "59.00", status="等待买家付款", created="2026-11-21 10:00:00", paid="", 收货人姓名="韩梅梅"),
    order(7, "tb_发货", "88.00", status="卖家已发货,等待买家确认", created="2026-11-19 10:00:00",
          paid="2026-11-19 10:01:00", 发货时间="2026-11-20 09:00:00"),
    order(8, "tb_双十一", "120.00", status="卖家已发货，等待买家确认", created="2026-11-11 00:01:00",
          paid="2026-11-11 00:02:00", 发货时间="2026-11-12 09:00:00"),
    order(None, "tb_至尊", "300.00"),  # no 订单编号: skipped
    order(9, "tb_至尊", "abc"),  # bad amount: skipped
]
NO_ID_ROW, BAD_AMOUNT_ROW = 10, 11
# Rows of the later .xlsx export: order 8 again (now 交易成功), and two more buyers, with real Excel dates.
XLSX_ROWS = [
    order(8, "tb_双十一", "120.00", created="2026-11-11 00:01:00", paid="2026-11-11 00:02:00",
          发货时间="2026-11-12 09:00:00", 确认收货时间="2026-11-22 09:00:00"),
    order(10, CMD, "20.00", created=dt.datetime(2026, 11, 2, 9, 0), paid=dt.datetime(2026, 11, 2, 9, 1)),
    order(11, "tb_小鱼", 34.0, created=dt.datetime(2026, 10, 20, 9, 0), paid=dt.datetime(2026, 10, 20, 9, 5)),
]
# buyer → (n of phone(n), 购买次数, 累计消费, 会员等级) after both exports
EXPECTED = {
    "tb_至尊": (1, 1, 888.0, "至尊VIP"),
    "tb_差一分": (2, 1, 887.99, "VIP"),
    "tb_退款": (4, 2, 400.0, "高级会员"),  # the phone of the latest order
    "tb_双十一": (8, 1, 120.0, "普通会员"),
    "tb_发货": (7, 1, 88.0, "普通会员"),
    CMD: (10, 1, 20.0, "普通会员"),
    "tb_小鱼": (11, 1, 34.0, "普通会员"),
    "tb_关闭": (5, 0, 0.0, "非会员"),
    "tb_未付": (6, 0, 0.0, "非会员"),
}


@pytest.fixture
def exports(tmp_path) -> tuple[Path, Path]:
    folder = tmp_path / "exports"
    folder.mkdir()
    return (write_csv(folder / "ExportOrderList202610.csv", CSV_ROWS),
            write_xlsx(folder / "ExportOrderList202611.xlsx", XLSX_ROWS))


def run(book: Path, orders, **options):
    return archive(book, ArchiveOptions(orders=list(orders), today=options.pop("today", TODAY), **options))


# ---------------------------------------------------------------- reading back


def rows_of(book: Path, sheet: str) -> list[tuple]:
    wb = openpyxl.load_workbook(book, data_only=True)
    try:
        return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def table(book: Path, sheet: str, header_row: int = 1) -> list[dict]:
    """Rows below the header as dicts (blank rows left out)."""
    rows = rows_of(book, sheet)
    header = rows[header_row - 1]
    return [{h: v for h, v in zip(header, r) if h is not None} for r in rows[header_row:]
            if any(v is not None for v in r)]


def aftersales_cases(book: Path) -> list[dict]:
    """售后登记's cases: rows with a 登记时间 or 问题类型 (the 【售后规则】 block right of them left out)."""
    return [c for c in table(book, "售后登记", header_row=2) if c["登记时间"] or c["问题类型"]]


def archive_rows(book: Path) -> dict[str, dict]:
    return {r["买家会员名"]: r for r in table(book, "客户档案")}


def report_lines(book: Path) -> dict[str, object]:
    """导入报告 label → value (the lines above the skipped-row list)."""
    out = {}
    for r in rows_of(book, "导入报告")[2:]:
        if r[0] is None or str(r[0]).startswith("【"):
            break
        out[r[0]] = r[1]
    return out


def skipped_list(book: Path) -> list[tuple]:
    rows = rows_of(book, "导入报告")
    start = next(i for i, r in enumerate(rows) if r[0] == "工作表/文件")
    return [tuple(r[:4]) for r in rows[start + 1:] if r[0] is not None]


def care_rows(book: Path) -> list[dict]:
    return table(book, "关怀提醒", header_row=4)  # rows 1-3: title, 今日完成, per-scene counts


def sheet_xml(book: Path) -> dict[str, bytes]:
    """Sheet name → the bytes of its worksheet XML part."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    with zipfile.ZipFile(book) as z:
        workbook = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels.findall("p:Relationship", ns)}
        out = {}
        for s in workbook.find("m:sheets", ns).findall("m:sheet", ns):
            target = targets[s.get(f"{{{ns['r']}}}id")].lstrip("/")
            out[s.get("name")] = z.read(target if target.startswith("xl/") else "xl/" + target)
        return out


def zip_parts(book: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(book) as z:
        return {n: z.read(n) for n in z.namelist()}


def set_cells(book: Path, sheet: str, values: dict[tuple[int, int], object]) -> None:
    """What a member of staff does in Excel: type into cells and save."""
    wb = openpyxl.load_workbook(book)
    ws = wb[sheet]
    for (r, c), v in values.items():
        ws.cell(r, c, v)
    wb.save(book)


def find_row(book: Path, sheet: str, col: int, value) -> int:
    rows = rows_of(book, sheet)
    return next(i for i, r in enumerate(rows, start=1) if len(r) >= col and r[col - 1] == value)


# ---------------------------------------------------------------- 1. first run


def test_first_run_on_a_new_workbook(tmp_path, exports):
    book = tmp_path / "客户档案.xlsx"
    report = run(book, exports)

    assert openpyxl.load_workbook(book, read_only=True).sheetnames == SHEETS
    assert report.sheets == SHEETS and report.output == book and report.backup is None
    assert any("会员规则" in m for m in report.messages)
    rules = rows_of(book, "会员规则")
    assert ("至尊VIP", 888, 0.01) in [r[:3] for r in rules] and ("VIP", 688, 0.05) in [r[:3] for r in rules]

    rows = archive_rows(book)
    assert len(table(book, "客户档案")) == len(rows) == report.buyers == 9  # one row per buyer
    assert report.members == 7 and report.orders == 10 and report.skipped == 2 and report.kept_absent == 0
    assert {b: (r["购买次数"], r["累计消费"], r["会员等级"]) for b, r in rows.items()} == {
        b: e[1:] for b, e in EXPECTED.items()}
    # masked by default; province and city stay
    assert {b: r["电话"] for b, r in rows.items()} == {b: masked(e[0]) for b, e in EXPECTED.items()}
    assert {r["地址"] for r in rows.values()} == {LOCAL_MASKED}
    # 来源 is the channel: these exports have no channel column, so it stays blank (not the shop's name)
    assert {(r["省"], r["市"], r["来源"]) for r in rows.values()} == {("江苏省", "苏州市", None)}

    refunds = rows["tb_退款"]  # 500 − 200 on 10-02, 100 on 11-01
    assert (refunds["首次购买"], refunds["最近购买"]) == (dt.datetime(2026, 10, 2, 10, 0, 30),
                                                       dt.datetime(2026, 11, 1, 10, 0, 30))
    assert (refunds["客单价"], refunds["平均回购周期(天)"], refunds["回购频次"]) == (200.0, 30.0, 1)
    assert rows["tb_差一分"]["收货人"] == "李雷" and rows["tb_未付"]["收货人"] == "韩梅梅"
    for never in ("tb_关闭", "tb_未付"):  # no counted purchase, but kept for 催付
        assert rows[never]["首次购买"] is None and rows[never]["客单价"] is None

    # no full phone number anywhere in the worksheets (or any other part of the file)
    parts = zip_parts(book)
    assert any(n.startswith("xl/worksheets/") and n.endswith(".xml") for n in parts)
    for name, data in parts.items():
        for b, e in EXPECTED.items():
            assert phone(e[0]).encode() not in data, (name, b)
        assert STREET.encode() not in data and "梅石路".encode() not in data, name
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            assert not re.search(rb"(?<!\d)1[3-9]\d{9}(?!\d)", data), name
    assert "已脱敏" in str(report_lines(book)["电话、地址"])


def test_no_mask_shows_phone_and_address(tmp_path, exports):
    book = tmp_path / "老板私用.xlsx"
    run(book, exports, mask=False)
    rows = archive_rows(book)
    assert {b: r["电话"] for b, r in rows.items()} == {b: phone(e[0]) for b, e in EXPECTED.items()}
    assert {r["地址"] for r in rows.values()} == {LOCAL_STREET}
    assert "未脱敏" in str(report_lines(book)["电话、地址"])


def test_masked_rebuild_masks_rows_kept_from_an_unmasked_run(tmp_path, exports):
    """A --no-mask run, then a default run whose export lacks most buyers: the kept rows are masked too."""
    book = tmp_path / "客户.xlsx"
    run(book, exports, mask=False)
    only = write_csv(tmp_path / "ExportOrderList202612.csv", [CSV_ROWS[1]])
    report = run(book, [only])
    assert report.kept_absent == 8
    rows = archive_rows(book)
    assert {b: r["电话"] for b, r in rows.items()} == {b: masked(e[0]) for b, e in EXPECTED.items()}
    assert {r["地址"] for r in rows.values()} == {LOCAL_MASKED}
    for data in sheet_xml(book).values():
        assert not re.search(rb"(?<!\d)1[3-9]\d{9}(?!\d)", data) and "梅石路".encode() not in data


# ---------------------------------------------------------------- 2. rebuild keeps staff input


def test_rebuild_keeps_staff_cells_extra_columns_and_absent_buyers(tmp_path, exports):
    book = tmp_path / "客户.xlsx"
    run(book, exports)
    header = list(rows_of(book, "客户档案")[0])
    col = {h: i for i, h in enumerate(header, start=1)}
    extra = len(header) + 1
    lilei, top = find_row(book, "客户档案", 1, "tb_差一分"), find_row(book, "客户档案", 1, "tb_至尊")
    set_cells(book, "客户档案", {
        (lilei, col["备注"]): "老客户，只穿连衣裙", (lilei, col["消费习惯"]): "爱囤货", (lilei, col["年龄段"]): 30,
        (1, extra): "微信号", (lilei, extra): "wx_lilei",
        (top, col["备注"]): "生日送券", (top, extra): "wx_top",
    })

    # the next month's export: order 4 closed (refunded), most buyers not in it
    later = write_xlsx(tmp_path / "ExportOrderList202612.xlsx", [
        CSV_ROWS[1], CSV_ROWS[2],
        order(4, "tb_退款", "100.00", status="交易关闭", created="2026-11-01 10:00:00", paid="2026-11-01 10:00:30",
              退款金额="100.00"),
        CSV_ROWS[5]])
    report = run(book, [later])
    # in it: tb_差一分, tb_退款, tb_未付; kept: tb_至尊, tb_双十一, tb_发货, =cmd…, tb_小鱼, tb_关闭
    assert report.kept_absent == 6
    rows = archive_rows(book)
    assert set(rows) == set(EXPECTED)
    assert rows_of(book, "客户档案")[0][-1] == "微信号"
    assert (rows["tb_差一分"]["备注"], rows["tb_差一分"]["消费习惯"], rows["tb_差一分"]["年龄段"],
            rows["tb_差一分"]["微信号"]) == ("老客户，只穿连衣裙", "爱囤货", 30, "wx_lilei")
    assert (rows["tb_至尊"]["备注"], rows["tb_至尊"]["微信号"]) == ("生日送券", "wx_top")
    assert (rows["tb_至尊"]["购买次数"], rows["tb_至尊"]["累计消费"]) == (1, 888.0)  # absent: as it was
    assert (rows["tb_退款"]["购买次数"], rows["tb_退款"]["累计消费"]) == (1, 300.0)  # the closed order left out
    assert rows["tb_退款"]["会员等级"] == "高级会员"  # 升级模式: never down
    assert report_lines(book)["本次导出中没有、保留原档案的买家"] == report.kept_absent

    first = rows_of(book, "客户档案")
    again = run(book, [later])
    assert again.kept_absent == report.kept_absent
    assert rows_of(book, "客户档案") == first


# ---------------------------------------------------------------- 3. merging and skipped rows


def test_two_exports_later_wins_and_skipped_rows_are_reported(tmp_path, exports):
    book = tmp_path / "客户.xlsx"
    run(book, exports)
    lines = report_lines(book)
    assert lines["订单来源"] == "ExportOrderList202610.csv；ExportOrderList202611.xlsx"
    assert lines["导出格式"] == "旧版"
    assert (lines["读取行数"], lines["合并后订单数"], lines["重复订单（以较晚的导出为准）"], lines["跳过的行"]) == (
        13, 10, 1, 2)
    assert lines["  跳过：缺少订单编号"] == 1 and lines["  跳过：买家实付金额应为数字"] == 1
    assert skipped_list(book) == [
        ("ExportOrderList202610.csv", f"{ID_COL}{NO_ID_ROW}", "缺少订单编号", None),
        ("ExportOrderList202610.csv", f"{AMOUNT_COL}{BAD_AMOUNT_ROW}", "买家实付金额应为数字", "abc"),
    ]
    # the good rows of the same buyer are still used, the bad ones not (888 = 900 − 12 only)
    assert archive_rows(book)["tb_至尊"]["累计消费"] == 888.0
    # order 8: 卖家已发货，等待买家确认 in the first export, 交易成功 in the later one → 评价感谢, counted once
    about_8 = [(r["场景"], r["订单编号"]) for r in care_rows(book) if r["订单编号"] == oid(8)]
    assert about_8 == [("评价感谢", oid(8))]
    assert (archive_rows(book)["tb_双十一"]["购买次数"], archive_rows(book)["tb_双十一"]["累计消费"]) == (1, 120.0)

    # the other way round the CSV is the later export: still shipped, no thanks for a review
    other = tmp_path / "反序.xlsx"
    run(other, exports[::-1])
    assert report_lines(other)["重复订单（以较晚的导出为准）"] == 1
    assert [r for r in care_rows(other) if r["订单编号"] == oid(8)] == []


# ---------------------------------------------------------------- 4. 会员分层 and 会员规则


def _rules_cell(book: Path, label: str) -> tuple[int, int]:
    return find_row(book, "会员规则", 1, label), 2


def _history(book: Path) -> list[tuple]:
    return [tuple(r) for r in rows_of(book, "会员等级历史")[1:]]


def _tiers(book: Path) -> dict[str, str]:
    return {b: r["会员等级"] for b, r in archive_rows(book).items()}


def _tier_table(book: Path) -> dict[str, tuple]:
    rows = rows_of(book, "会员分层")
    section = next(i for i, r in enumerate(rows) if r[0] == "【等级分布】")  # below the misfit warning, if any
    start = section + 2
    return {r[0]: (r[1], r[3]) for r in rows[start:start + 4]}


def test_tier_boundaries_rule_edits_history_and_updown(tmp_path, exports):
    book = tmp_path / "客户.xlsx"
    run(book, exports)
    assert _tiers(book)["tb_至尊"] == "至尊VIP" and _tiers(book)["tb_差一分"] == "VIP"  # 888.00 / 887.99
    assert _tier_table(book) == {"至尊VIP": (888, 1), "VIP": (688, 1), "高级会员": (399, 1), "普通会员": (None, 4)}
    assert "升级模式" in rows_of(book, "会员分层")[0][0]
    first = [("2026-11", b, None, e[3], e[2]) for b, e in EXPECTED.items() if e[1]]
    assert Counter(_history(book)) == Counter(first)  # first assignments

    # 升级模式: raising the threshold does not move anyone down
    set_cells(book, "会员规则", {_rules_cell(book, "至尊VIP"): 1000})
    run(book, exports)
    assert _tiers(book)["tb_至尊"] == "至尊VIP" and Counter(_history(book)) == Counter(first)
    # … lowering it moves 887.99 up, and the change is written to the history (earlier rows kept)
    set_cells(book, "会员规则", {_rules_cell(book, "至尊VIP"): 887})
    run(book, exports)
    assert _tiers(book)["tb_差一分"] == "至尊VIP"
    up = ("2026-11", "tb_差一分", "VIP", "至尊VIP", 887.99)
    assert Counter(_history(book)) == Counter([*first, up])
    changes = rows_of(book, "会员分层")
    assert ("tb_差一分", "VIP", "至尊VIP", "升级") in [r[:4] for r in changes]
    run(book, exports)  # nothing changed: nothing added
    assert Counter(_history(book)) == Counter([*first, up])

    # 升降级模式: 888 → 1000 moves tb_至尊 down to VIP (spend of the last 365 days)
    set_cells(book, "会员规则", {_rules_cell(book, "至尊VIP"): 1000, _rules_cell(book, "等级模式"): "升降级模式"})
    run(book, exports)
    assert "升降级模式" in rows_of(book, "会员分层")[0][0]
    assert (_tiers(book)["tb_至尊"], _tiers(book)["tb_差一分"]) == ("VIP", "VIP")
    assert ("2026-11", "tb_至尊", "至尊VIP", "VIP", 888.0) in _history(book)
    assert ("2026-11", "tb_差一分", "至尊VIP", "VIP", 887.99) in _history(book)
    # a 30-day period: spend of October falls out of it
    set_cells(book, "会员规则", {_rules_cell(book, "升降级周期(天)"): 30})
    run(book, exports)
    tiers = _tiers(book)
    assert (tiers["tb_至尊"], tiers["tb_差一分"], tiers["tb_退款"]) == ("普通会员",) * 3  # 0, 0 and 100 in 30 days
    assert ("2026-11", "tb_退款", "高级会员", "普通会员", 400.0) in _history(book)
    assert ("tb_至尊", "VIP", "普通会员", "降级") in [r[:4] for r in rows_of(book, "会员分层")]


# ---------------------------------------------------------------- 5. 关怀提醒


def test_care_reminders_rendered_and_staff_columns_carried(tmp_path, exports):
    book = tmp_path / "客户.xlsx"
    report = run(book, exports)
    rows = care_rows(book)
    assert report.reminders == len(rows) == 3
    assert rows_of(book, "关怀提醒")[0][0] == "关怀提醒 2026-11-23（共 3 条，其中逾期 2 条）"
    got = {(r["场景"], r["买家会员名"], r["订单编号"]): r for r in rows}
    assert set(got) == {("催付（新买家）", "tb_未付", oid(6)),  # unpaid, created 2 days ago
                        ("签收提醒", "tb_发货", oid(7)),  # shipped 3 days ago
                        ("评价感谢", "tb_双十一", oid(8))}  # confirmed yesterday
    chase, sign = got[("催付（新买家）", "tb_未付", oid(6))], got[("签收提醒", "tb_发货", oid(7))]
    assert (chase["提醒时间"], chase["收货人"], chase["金额"]) == (dt.datetime(2026, 11, 21, 11, 0), "韩梅梅", 59.0)
    assert sign["提醒时间"] == dt.datetime(2026, 11, 23, 10, 0)
    for r in rows:
        assert r["收货人"] in r["话术"] and SHOP in r["话术"], r
        assert "{{" not in r["话术"] and "}}" not in r["话术"] and "#" not in r["话术"], r
    assert oid(6) in chase["话术"] and "59.00" in chase["话术"] and "第一次" in chase["话术"]

    line = find_row(book, "关怀提醒", 8, oid(6))
    set_cells(book, "关怀提醒", {(line, 13): "小张", (line, 14): "已联系"})
    run(book, exports)
    again = {(r["场景"], r["订单编号"]): r for r in care_rows(book)}
    assert len(again) == 3
    assert (again[("催付（新买家）", oid(6))]["处理人"], again[("催付（新买家）", oid(6))]["处理结果"]) == ("小张", "已联系")
    assert again[("签收提醒", oid(7))]["处理人"] is None


def test_care_with_shop_name_and_own_templates(tmp_path, exports):
    own = tmp_path / "话术"
    own.mkdir()
    (own / "签收提醒.j2").write_text("#收件人#您好，{{ 店铺 }}提醒您查收「{{ 商品 }}」。", encoding="utf-8")
    book = tmp_path / "客户.xlsx"
    run(book, exports, shop="好物小店", templates=own)
    messages = {r["场景"]: r["话术"] for r in care_rows(book)}
    assert messages["签收提醒"] == "王小鱼您好，好物小店提醒您查收「夏季新款连衣裙」。"
    assert "好物小店" in messages["评价感谢"] and SHOP not in messages["评价感谢"]


# ---------------------------------------------------------------- 6. 售后登记


def test_aftersales_cases_filled_by_the_rules(tmp_path, exports):
    book = tmp_path / "客户.xlsx"
    run(book, exports)
    yesterday_10 = dt.datetime(2026, 11, 22, 10, 0)
    today_9 = dt.datetime(2026, 11, 23, 9, 0)
    set_cells(book, "售后登记", {
        (3, 1): yesterday_10, (3, 2): oid(2), (3, 3): "tb_差一分", (3, 4): "质量问题", (3, 5): "否", (3, 6): "是",
        (4, 1): today_9, (4, 2): oid(7), (4, 3): "tb_发货", (4, 4): "发错货", (4, 7): "发成了蓝色",
    })
    run(book, exports)
    cases = aftersales_cases(book)
    assert len(cases) == 2
    quality, wrong = cases
    assert (quality["处理方式"], quality["运费承担"]) == (aftersales.RETURN_OR_EXCHANGE, aftersales.BUYER)
    assert (quality["处理方式"], quality["运费承担"]) == ("退货或换货", "买家承担")
    assert quality["跟进截止"] == yesterday_10 + dt.timedelta(hours=24)
    assert quality["状态"] == "已逾期"  # the end of today is past yesterday 10:00 + 24 h
    assert (quality["登记时间"], quality["订单编号"], quality["有照片"], quality["可二次销售"]) == (
        yesterday_10, oid(2), "否", "是")
    assert (wrong["处理方式"], wrong["运费承担"], wrong["跟进截止"], wrong["状态"]) == (
        "退货或换货", "卖家承担", dt.datetime(2026, 11, 24, 9, 0), "待跟进")
    assert wrong["问题描述"] == "发成了蓝色"

    # handled: no longer overdue, and the staff's result stays
    set_cells(book, "售后登记", {(3, 12): "已换货", (3, 13): "小李"})
    run(book, exports)
    quality = aftersales_cases(book)[0]
    assert (quality["状态"], quality["处理结果"], quality["处理人"]) == ("已处理", "已换货", "小李")


# ---------------------------------------------------------------- 7. safety


def test_formula_like_buyer_name_stays_text(tmp_path, exports):
    book = tmp_path / "客户.xlsx"
    run(book, exports)
    assert CMD in archive_rows(book)
    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == CMD:
                    assert cell.data_type in ("s", "inlineStr"), (ws.title, cell.coordinate)
    for name, data in sheet_xml(book).items():
        assert not re.search(rb"<f[^>]*>[^<]*cmd", data), name
    found = [n for n, data in sheet_xml(book).items() if CMD.replace("'", "&apos;").encode() in data
             or CMD.encode() in data]
    assert {"客户档案", "客户分群", "会员等级历史"} <= set(found)


def _macro_book(path: Path, vba: bytes) -> Path:
    import xlsxwriter

    (path.parent / "vbaProject.bin").write_bytes(vba)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("说明")
    ws.write("A1", "按钮：刷新客户档案")
    ws.write("B2", 42)
    ws.write_formula("C3", "=B2*2", None, 84)
    wb.add_worksheet("订货计划").write("A1", "下月备货")
    wb.add_vba_project(str(path.parent / "vbaProject.bin"))
    wb.close()
    return path


def test_macro_workbook_keeps_vba_and_other_sheets_byte_identical(tmp_path, exports):
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4
    book = _macro_book(tmp_path / "客户.xlsm", vba)
    before_file = book.read_bytes()
    before = sheet_xml(book)
    report = run(book, exports)

    parts = zip_parts(book)
    assert parts["xl/vbaProject.bin"] == vba
    assert b"vbaProject" in parts["[Content_Types].xml"] and b"macroEnabled" in parts["[Content_Types].xml"]
    after = sheet_xml(book)
    assert list(after) == ["说明", "订货计划", *SHEETS]
    assert after["说明"] == before["说明"] and after["订货计划"] == before["订货计划"]
    assert report.backup is not None and report.backup.read_bytes() == before_file
    assert report.backup.suffix == ".xlsm"

    # a second run: the generated tabs are replaced in place, the rest still untouched
    second = run(book, exports)
    assert zip_parts(book)["xl/vbaProject.bin"] == vba
    assert list(sheet_xml(book)) == list(after)
    assert sheet_xml(book)["说明"] == before["说明"]
    assert second.backup is not None and second.backup != report.backup


def test_backup_of_the_previous_file(tmp_path, exports):
    book = tmp_path / "客户.xlsx"
    assert run(book, exports).backup is None  # nothing to back up
    previous = book.read_bytes()
    report = run(book, exports)
    assert report.backup.parent == tmp_path and report.backup.name.startswith("客户.bak-")
    assert report.backup.read_bytes() == previous
    listing = sorted(p.name for p in tmp_path.iterdir())
    assert run(book, exports, backup=False).backup is None
    assert sorted(p.name for p in tmp_path.iterdir()) == listing

    out = tmp_path / "副本.xlsx"  # -o: the book is read, the copy written
    before = book.read_bytes()
    report = run(book, exports, out=out)
    assert report.output == out and report.backup is None and book.read_bytes() == before
    assert openpyxl.load_workbook(out, read_only=True).sheetnames == SHEETS


NEW_HEADER = ["订单编号", "支付单号", "买家应付货款", "买家应付邮费", "总金额", "买家实付金额", "订单状态", "收货地址",
              "运送方式", "订单创建时间", "商品标题", "宝贝种类", "物流单号", "物流公司", "备注标签", "商家备注",
              "宝贝总数量", "开票信息", "手机订单", "商品属性SKU", "发货时间"]


def test_new_layout_without_buyer_is_refused_and_the_book_untouched(tmp_path, exports):
    book = tmp_path / "客户.xlsx"
    run(book, exports)
    before, listing = book.read_bytes(), sorted(p.name for p in tmp_path.iterdir())
    new = write_xlsx(tmp_path / "订单报表-新版.xlsx", [[
        f'="{oid(20)}"', "2026112322001", "59.00", "0.00", "59.00", "59.00", "交易成功", "浙江省 杭州市 **** ", "快递",
        "2026-11-20 12:30:45", "羊毛围巾", "1", "SF100", "顺丰速运", "红旗", "'null", "1", "", "是", "颜色分类:灰色",
        "2026-11-21 09:00:00"]], header=NEW_HEADER)
    for orders in ([new], [exports[0], new]):
        with pytest.raises(XlreportsError, match="买家会员名"):
            run(book, orders)
        assert book.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir() if p != new) == listing  # no backup, no temp file


def test_non_workbook_order_file_is_a_clear_error(tmp_path, exports):
    book = tmp_path / "客户.xlsx"
    run(book, exports)
    before = book.read_bytes()
    fake = tmp_path / "ExportOrderList202612.xlsx"
    fake.write_text("这不是表格", encoding="utf-8")
    pdf = tmp_path / "订单.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    for bad in (fake, pdf):
        content = bad.read_bytes()
        with pytest.raises(XlreportsError, match=re.escape(bad.name) + ".*不是 Excel 工作簿"):
            run(book, [*exports, bad])
        assert book.read_bytes() == before and bad.read_bytes() == content
    with pytest.raises(XlreportsError, match="找不到订单文件"):
        run(book, [tmp_path / "没有这个文件.csv"])
    fresh = tmp_path / "新档案.xlsx"
    with pytest.raises(XlreportsError):
        run(fresh, [fake])
    assert not fresh.exists()
    assert not [p for p in tmp_path.iterdir() if ".bak-" in p.name]


# ---------------------------------------------------------------- 8. folder input


def test_folder_of_exports(tmp_path, exports):
    folder = exports[0].parent
    (folder / "~$ExportOrderList202611.xlsx").write_bytes(b"\x00lock")  # Excel's lock file: ignored
    (folder / "说明.txt").write_text("十一月的导出", encoding="utf-8")  # not an export: ignored
    by_files, by_folder = tmp_path / "按文件.xlsx", tmp_path / "按文件夹.xlsx"
    run(by_files, exports)
    report = run(by_folder, [folder])
    assert report.orders == 10 and report.buyers == 9 and report.skipped == 2
    assert report_lines(by_folder)["订单来源"] == "ExportOrderList202610.csv；ExportOrderList202611.xlsx"
    assert rows_of(by_folder, "客户档案") == rows_of(by_files, "客户档案")
    assert rows_of(by_folder, "关怀提醒") == rows_of(by_files, "关怀提醒")
