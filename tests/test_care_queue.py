"""关怀提醒 as a work queue, run by the archive job on real files over three consecutive days, and the
会员分层 misfit warning on the demo. Expected values are worked out by hand from the rules
(engine/customers/queue.py, care.py; DOMAIN.md §7).
"""
from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from test_archive import order, rows_of, set_cells, write_csv

from xlreports.cli import main
from xlreports.engine.customers.care import Reminder
from xlreports.engine.customers.queue import Carried, work_queue
from xlreports.jobs.archive import ArchiveOptions, archive

DAY1, DAY2, DAY3 = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
WAITING_SHIPMENT = "买家已付款，等待卖家发货"
UNPAID = "等待买家付款"


def export(folder, day: date, rows: list[list]):
    """The day's full order export (a new file each day; the later one wins)."""
    folder.mkdir(exist_ok=True)
    return write_csv(folder / f"ExportOrderList{day:%Y%m%d}.csv", rows)


def queue(book) -> list[dict]:
    rows = rows_of(book, "关怀提醒")
    header = rows[3]
    return [{h: v for h, v in zip(header, r) if h} for r in rows[4:] if any(v is not None for v in r)]


def by_order(book) -> dict[str, dict]:
    return {r["订单编号"]: r for r in queue(book)}


def type_into(book, oid: str, **values) -> None:
    """A member of staff types into the row of order ``oid`` (found by header, as the job does)."""
    rows = rows_of(book, "关怀提醒")
    header = list(rows[3])
    line = next(i for i, r in enumerate(rows, start=1) if i > 4 and r[header.index("订单编号")] == oid)
    set_cells(book, "关怀提醒", {(line, header.index(k) + 1): v for k, v in values.items()})


O1, O2, O3 = "3268000000000000001", "3268000000000000002", "3268000000000000003"


def test_queue_over_three_days(tmp_path):
    book, folder = tmp_path / "客户.xlsx", tmp_path / "exports"
    # day 1: o1 and o2 paid today (付款关怀), o3 unpaid since yesterday (催付, due yesterday 11:00)
    day1 = [order(1, "tb_甲", "59.00", status=WAITING_SHIPMENT, created="2026-11-23 09:00:00",
                  paid="2026-11-23 09:30:00"),
            order(2, "tb_乙", "59.00", status=WAITING_SHIPMENT, created="2026-11-23 13:50:00",
                  paid="2026-11-23 14:00:00"),
            order(3, "tb_丙", "120.00", status=UNPAID, created="2026-11-22 10:00:00", paid="")]
    book_roster(book)
    archive(book, ArchiveOptions(orders=[export(folder, DAY1, day1)], today=DAY1))
    got = by_order(book)
    assert set(got) == {O1, O2, O3}
    assert (got[O3]["场景"], got[O3]["逾期"], got[O3]["提醒时间"]) == ("催付（新买家）", "逾期 1 天", datetime(2026, 11, 22, 11))
    assert (got[O1]["场景"], got[O1]["逾期"], got[O1]["提醒时间"]) == ("付款关怀", None, datetime(2026, 11, 23, 9, 30))
    # priority: 催付 first (urgency), then the two 付款关怀 by due time (same tier and segment)
    assert [r["订单编号"] for r in queue(book)] == [O3, O1, O2]
    assert [r["会员等级"] for r in queue(book)] == ["非会员", "普通会员", "普通会员"]
    assert rows_of(book, "关怀提醒")[0][0] == "关怀提醒 2026-11-23（共 3 条，其中逾期 1 条）"
    type_into(book, O1, 处理人="小美", 处理结果="已联系")

    # day 2: o3 got paid; o1 and o2 are still "paid yesterday" for the engine
    day2 = [day1[0], day1[1], order(3, "tb_丙", "120.00", status=WAITING_SHIPMENT, created="2026-11-22 10:00:00",
                                      paid="2026-11-24 08:30:00")]
    archive(book, ArchiveOptions(orders=[export(folder, DAY2, day2)], today=DAY2))
    got = by_order(book)
    assert O1 not in got  # done on day 1: gone
    assert (got[O2]["场景"], got[O2]["逾期"]) == ("付款关怀", "逾期 1 天")  # open: overdue
    assert got[O3]["场景"] == "付款关怀"  # the 催付 is gone now that the order is paid
    assert [r["场景"] for r in queue(book)].count("催付（新买家）") == 0
    log = rows_of(book, "关怀记录")
    assert log[0][:8] == ("完成日期", "提醒时间", "场景", "买家会员名", "收货人", "订单编号", "处理人", "处理结果")
    assert [r[2:8] for r in log[1:]] == [("付款关怀", "tb_甲", "王小鱼", O1, "小美", "已联系")]
    assert log[1][0] == datetime(2026, 11, 23)
    type_into(book, O2, 处理人="小张")  # taken, not finished

    # day 3: o2 is outside the engine's window (paid two days ago) but still open: carried, 逾期 2 天
    archive(book, ArchiveOptions(orders=[export(folder, DAY3, day2)], today=DAY3))
    got = by_order(book)
    assert (got[O2]["逾期"], got[O2]["处理人"], got[O2]["处理结果"]) == ("逾期 2 天", "小张", None)
    assert O1 not in got and len(rows_of(book, "关怀记录")) == 2  # the log keeps day 1's work, once


def test_unpaid_reminder_becomes_the_next_days_chase_as_one_item(tmp_path):
    book, folder = tmp_path / "客户.xlsx", tmp_path / "exports"
    rows = [order(3, "tb_丙", "120.00", status=UNPAID, created="2026-11-23 10:00:00", paid="")]
    archive(book, ArchiveOptions(orders=[export(folder, DAY1, rows)], today=DAY1))
    assert [(r["场景"], r["提醒时间"]) for r in queue(book)] == [("未付款提醒", datetime(2026, 11, 23, 11))]
    type_into(book, O3, 处理人="小美")
    archive(book, ArchiveOptions(orders=[export(folder, DAY2, rows)], today=DAY2))
    assert [(r["场景"], r["处理人"]) for r in queue(book)] == [("催付（新买家）", "小美")]


def book_roster(book) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客服名册"
    for row in (["客服", "入职日期"], ["小美", "2025-01-01"], ["小张", "2025-03-01"], ["小美", None]):
        ws.append(row)
    wb.save(book)


def test_handler_drop_down_from_roster_and_live_done_count(tmp_path, soffice):
    from libreoffice import recalculate

    book, folder = tmp_path / "客户.xlsx", tmp_path / "exports"
    rows = [order(1, "tb_甲", "59.00", status=WAITING_SHIPMENT, paid="2026-11-23 09:30:00"),
            order(2, "tb_乙", "88.00", status=WAITING_SHIPMENT, paid="2026-11-23 14:00:00"),
            order(3, "tb_丙", "120.00", status=UNPAID, created="2026-11-23 10:00:00", paid="")]
    book_roster(book)
    archive(book, ArchiveOptions(orders=[export(folder, DAY1, rows)], today=DAY1))
    wb = openpyxl.load_workbook(book)
    ws = wb["关怀提醒"]
    lists = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    assert lists == {"M5:M7": '"小美,小张"', "N5:N7": '"已联系,已付款,无回应,不再联系"'}
    assert ws["B2"].value == '=COUNTIF(N5:N7,"?*")&" / "&3'
    wb.close()
    assert (rows_of(book, "关怀提醒")[1][1], rows_of(book, "关怀提醒")[2][:4]) == (
        "0 / 3", ("未付款提醒 0/1", None, "付款关怀 0/2", None))  # a scene over two merged columns
    type_into(book, O1, 处理结果="已联系")
    type_into(book, O3, 处理结果="已付款")
    done = recalculate(book, tmp_path / "lo")
    top = rows_of(done, "关怀提醒")
    assert top[1][1] == "2 / 3"  # 今日完成, recalculated by LibreOffice from what was typed
    assert top[2][:4] == ("未付款提醒 1/1", None, "付款关怀 1/2", None)


def test_priority_scene_then_tier_then_segment():
    t = datetime(2026, 11, 23, 10)
    due = [Reminder("vip_late", "客户回访", "R1", t, "", "", None, 40),
           Reminder("normal", "付款关怀", "P1", t, "", "", None, 0),
           Reminder("vip", "付款关怀", "P2", t.replace(hour=15), "", "", None, 0),
           Reminder("vip_grow", "付款关怀", "P3", t.replace(hour=15), "", "", None, 0),
           Reminder("new", "催付（新买家）", "C1", t.replace(hour=20), "", "", None, 1)]
    old = Reminder("normal_old", "付款关怀", "P0", datetime(2026, 11, 21, 9), "", "", None, 0)
    profile = {"vip_late": ("至尊VIP", "重要价值客户", None), "normal": ("普通会员", "一般发展客户", None),
               "vip": ("至尊VIP", "重要价值客户", None), "vip_grow": ("至尊VIP", "重要发展客户", None),
               "normal_old": ("普通会员", "一般发展客户", date(2026, 11, 1))}
    q = work_queue(due, [Carried(old)], DAY1 - dt.timedelta(days=1), DAY1, profile, ["至尊VIP", "普通会员", "非会员"])
    assert [(i.reminder.buyer, i.overdue) for i in q.items] == [
        ("new", 0), ("vip", 0), ("vip_grow", 0), ("normal_old", 2), ("normal", 0), ("vip_late", 0)]
    assert q.items[3].last_contact == date(2026, 11, 1)


def test_demo_warns_that_the_tiers_do_not_fit(tmp_path, capsys):
    assert main(["demo", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "按当前会员规则，至尊VIP 占会员 59.2%（目标 1.0%）" in out
    book = next(tmp_path.glob("*.xlsx"))
    rows = rows_of(book, "会员分层")
    assert rows[0][0].startswith("会员分层（2026-11，升级模式；会员 130 人")
    assert rows[2][0].startswith("⚠ 当前会员规则不适合本店：至尊VIP 59.2%（目标 1.0%）")
    at = next(i for i, r in enumerate(rows) if r[0] == "【建议的会员规则】（格式同「会员规则」的【会员等级】）")
    assert rows[at + 1][:3] == ("等级", "累计消费下限", "目标占比")
    suggested = [r[:3] for r in rows[at + 2:at + 6]]
    a = next(i for i, r in enumerate(rows) if r[0] == "【分析一：保持目标占比，应设的下限】")
    analysis_a = {r[0]: r[2] for r in rows[a + 2:a + 6]}
    assert [s[0] for s in suggested] == ["至尊VIP", "VIP", "高级会员", "普通会员"]
    assert [s[1] for s in suggested[:3]] == [analysis_a["至尊VIP"], analysis_a["VIP"], analysis_a["高级会员"]]
    assert suggested[3][1] is None and [s[2] for s in suggested] == [0.01, 0.05, 0.15, 0.8]
    # never applied: 会员规则 still holds the defaults
    rules = rows_of(book, "会员规则")
    assert ("至尊VIP", 888, 0.01) in [r[:3] for r in rules]
    table = next(i for i, r in enumerate(rows) if r[0] == "【等级分布】")
    shares = {r[0]: r[4] for r in rows[table + 2:table + 6]}
    assert shares["至尊VIP"] == pytest.approx(77 / 130)  # members, not buyers (77/132 = 58.33% before)
    with zipfile.ZipFile(book) as z:
        assert b"#,##0" in z.read("xl/styles.xml")
    shutil.rmtree(tmp_path / "lo", ignore_errors=True)


@pytest.mark.parametrize("days, near, far, wording, not_in", [
    (7, 30, 90, "您7天前买的", "好久不见"),  # the "好久不见…已经7天啦" no more
    (14, 30, 90, "您14天前买的", "好久不见"),
    (45, 30, 90, "距离您上次购物已经45天了", "好久不见"),
    (90, 30, 90, "好久不见！距离您上次在小鱼服饰购物已经90天啦", "天前买的"),
    (20, 10, 60, "距离您上次购物已经20天了", "好久不见"),  # the shop's own bands
])
def test_revisit_wording_follows_the_real_gap(days, near, far, wording, not_in):
    from xlreports.layout.messages import reminder_messages
    from xlreports.model.membership import MembershipRules

    r = Reminder("tb_li", "客户回访", "T1", datetime(2026, 11, 23, 10), "李雷", "保温杯", 59.0, days)
    (text,) = reminder_messages([r], "小鱼服饰", rules=MembershipRules(revisit_near_days=near, revisit_far_days=far))
    assert wording in text and not_in not in text and text.startswith("亲爱的李雷")


def test_revisit_bands_are_rules_rows_with_located_errors():
    from xlreports.errors import InputErrors
    from xlreports.model.membership import MembershipRules
    from xlreports.rules.membership_rows import membership_rows, parse_membership_rows

    rules = MembershipRules(revisit_near_days=14, revisit_far_days=60)
    rows = membership_rows(rules)
    near = next(i for i, r in enumerate(rows) if r[:1] == ["回访话术·近期(天)"])
    far = next(i for i, r in enumerate(rows) if r[:1] == ["回访话术·久别(天)"])
    assert rows[near][1] == 14 and rows[far][1] == 60
    assert parse_membership_rows(rows) == rules
    rows[far][1] = 10  # 久别 below 近期
    with pytest.raises(InputErrors) as e:
        parse_membership_rows(rows)
    assert [str(p) for p in e.value.problems] == [
        f"会员规则!B{far + 1}: 「回访话术·久别(天)」应大于「回访话术·近期(天)」（14）（实际为 \"10\"）"]
    old = [r for r in membership_rows(MembershipRules()) if r[:1] != ["回访话术·近期(天)"] and r[:1] != ["回访话术·久别(天)"]]
    assert parse_membership_rows(old) == MembershipRules()  # a 会员规则 written before: the default bands
