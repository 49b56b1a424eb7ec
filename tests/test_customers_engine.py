"""The customer engine (archive, 会员等级, analyses, health, RFM) against DOMAIN.md §7.

Every expected number is worked out by hand in the comments, never by asking the engine.
"today" is 2026-10-01 throughout; "N days ago" counts calendar days.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from xlreports.engine.customers import (
    ARCHIVE_COLUMNS,
    MembershipRules,
    Tier,
    assign_tiers,
    build_archive,
    counted_orders,
    default_rules,
    health,
    rfm,
    segment_table,
    shares_for_thresholds,
    thresholds_for_shares,
    tier_changes,
    tier_table,
)
from xlreports.engine.customers.archive import ORDER_SCHEMA as ORDER_COLUMNS

TODAY = date(2026, 10, 1)
OK = "交易成功"
CLOSED = "交易关闭"
UNPAID = "等待买家付款"
TO_SHIP = "买家已付款，等待卖家发货"
SHIPPED = "卖家已发货，等待买家确认"


def ago(days: int, hour: int = 12) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days), datetime.min.time()).replace(hour=hour)


def orders(*rows: dict) -> pl.DataFrame:
    """Orders with every canonical column; unspecified values are blank. ``paid`` defaults to
    ``created`` for paid statuses."""
    filled = []
    for i, r in enumerate(rows):
        r = dict(r)
        r.setdefault("订单编号", str(1000 + i))
        r.setdefault("订单状态", OK)
        if "订单付款时间" not in r:
            r["订单付款时间"] = None if r["订单状态"] == UNPAID else r.get("订单创建时间")
        filled.append({c: r.get(c) for c in ORDER_COLUMNS})
    return pl.DataFrame(filled, schema=ORDER_COLUMNS)


def buy(buyer: str, amount: float, when: datetime, status: str = OK, **more) -> dict:
    return {"买家会员名": buyer, "买家实付金额": amount, "订单创建时间": when, "订单状态": status, **more}


def row(frame: pl.DataFrame, buyer: str) -> dict:
    found = frame.filter(pl.col("买家会员名") == buyer)
    assert found.height == 1, buyer
    return found.row(0, named=True)


# ---------------------------------------------------------------- archive

@pytest.fixture(scope="module")
def archive_example() -> pl.DataFrame:
    addr_js = "江苏省 苏州市 吴江区 松陵镇 xx路1号"
    addr_zj = "浙江省 杭州市 西湖区 文三路2号"
    o = orders(
        # tb_li: 120 − 20 refund = 100 on 08-01, 50 on 08-31; a paid-then-closed 300 on 09-10 (not counted,
        # but it is the most recent order: its address and phone are the archive's)
        buy("tb_li", 120.0, datetime(2026, 8, 1, 10), 退款金额=20.0, 商品标题="连衣裙", 收货人姓名="李四",
            联系手机="13800000001", 收货地址=addr_js, 店铺名称="小店A"),
        buy("tb_li", 50.0, datetime(2026, 8, 31, 9), 商品标题="T恤", 收货人姓名="李四", 联系手机="13800000001",
            收货地址=addr_js, 店铺名称="小店B"),
        buy("tb_li", 300.0, datetime(2026, 9, 10, 8), CLOSED, 商品标题="大衣", 收货人姓名="李四",
            联系手机="13900000002", 收货地址=addr_zj, 店铺名称="小店B"),
        # tb_wang: one unpaid order, one closed before payment → no purchase, kept for 催付
        buy("tb_wang", 99.0, datetime(2026, 9, 29, 20), UNPAID, 收货人姓名="王五", 收货地址="北京 北京市 朝阳区 建国路8号",
            _来源="ExportOrderList.csv"),
        buy("tb_wang", 59.0, datetime(2026, 9, 20, 20), CLOSED, 订单付款时间=None, _来源="ExportOrderList.csv"),
        # tb_zhao: A, B, A → 常购 A although B is not older; 09-01, 09-11, 09-30
        buy("tb_zhao", 10.0, datetime(2026, 9, 1, 12), 商品标题="A"),
        buy("tb_zhao", 20.0, datetime(2026, 9, 11, 12), SHIPPED, 商品标题="B"),
        buy("tb_zhao", 30.5, datetime(2026, 9, 30, 12), TO_SHIP, 商品标题="A"),
        # tb_qian: refund larger than the payment → net 0, still one purchase
        buy("tb_qian", 30.0, datetime(2026, 9, 15, 12), 退款金额=40.0, 商品标题="袜子"),
        # no buyer name: cannot be keyed, left out
        buy(None, 77.0, datetime(2026, 9, 15, 12)),
    )
    return build_archive(o, TODAY)


def test_archive_has_every_buyer_and_the_columns(archive_example):
    assert archive_example.columns == ARCHIVE_COLUMNS
    assert sorted(archive_example["买家会员名"].to_list()) == ["tb_li", "tb_qian", "tb_wang", "tb_zhao"]


def test_archive_refund_netting_and_closed_orders(archive_example):
    li = row(archive_example, "tb_li")
    assert li["购买次数"] == 2  # the closed 300 does not count
    assert li["累计消费"] == 150.0  # (120 − 20) + 50
    assert li["客单价"] == 75.0
    assert li["首次购买"] == datetime(2026, 8, 1, 10)
    assert li["最近购买"] == datetime(2026, 8, 31, 9)
    assert li["平均回购周期(天)"] == 30.0  # 08-01 → 08-31 = 30 days, one interval
    assert li["回购频次"] == 1
    assert li["常购商品"] == "T恤"  # 连衣裙 1 : T恤 1 → the more recent one
    assert li["距今天数"] == 31  # 08-31 → 10-01
    assert li["待付款订单"] == 0
    assert li["来源"] is None  # no channel column: blank, not the shop's name (issue 11)


def test_archive_contact_from_most_recent_order_and_province_split(archive_example):
    li = row(archive_example, "tb_li")
    assert (li["收货人"], li["电话"]) == ("李四", "13900000002")
    assert (li["省"], li["市"], li["地址"]) == ("浙江省", "杭州市", "西湖区 文三路2号")  # 地址 without 省/市
    wang = row(archive_example, "tb_wang")
    assert (wang["省"], wang["市"]) == ("北京", "北京市")


def test_archive_buyer_without_purchase_is_kept(archive_example):
    wang = row(archive_example, "tb_wang")
    assert wang["购买次数"] == 0 and wang["累计消费"] == 0.0 and wang["回购频次"] == 0
    assert wang["客单价"] is None and wang["平均回购周期(天)"] is None and wang["距今天数"] is None
    assert wang["首次购买"] is None and wang["常购商品"] is None
    assert wang["待付款订单"] == 1
    assert wang["来源"] is None  # not the export's file name either
    assert wang["收货人"] == "王五"


def test_archive_frequency_beats_recency_and_cycle(archive_example):
    zhao = row(archive_example, "tb_zhao")
    assert zhao["常购商品"] == "A"
    assert zhao["购买次数"] == 3  # 卖家已发货 and 买家已付款 count
    assert zhao["累计消费"] == 60.5
    assert zhao["客单价"] == 20.17  # 60.5 / 3 = 20.1666…
    assert zhao["平均回购周期(天)"] == 14.5  # 09-01 → 09-30 = 29 days / 2
    assert zhao["距今天数"] == 1


def test_archive_refund_above_payment_floors_at_zero(archive_example):
    qian = row(archive_example, "tb_qian")
    assert qian["购买次数"] == 1 and qian["累计消费"] == 0.0


def test_counted_orders():
    o = orders(
        buy("a", 10.0, ago(1)),
        buy("a", 10.0, ago(1), CLOSED),
        buy("a", 10.0, ago(1), UNPAID),
        buy("a", 10.0, ago(1), "付款以前，卖家或买家主动关闭交易", 订单付款时间=None),
        buy("a", 10.0, ago(1), SHIPPED),
        buy("a", 10.0, ago(1), TO_SHIP, 订单付款时间=None),  # no payment time: not counted
    )
    assert counted_orders(o)["订单编号"].to_list() == ["1000", "1004"]


# ---------------------------------------------------------------- tiers

def test_tier_boundaries():
    o = orders(
        buy("top", 888.0, ago(5)),
        buy("top_by_refund", 900.0, ago(5), 退款金额=12.0),  # 888 net
        buy("vip_just_below", 887.99, ago(5)),
        buy("vip", 688.0, ago(5)),
        buy("senior", 399.0, ago(5)),
        buy("senior_two_orders", 199.5, ago(50)), buy("senior_two_orders", 199.5, ago(5)),
        buy("plain_just_below", 398.99, ago(5)),
        buy("plain", 10.0, ago(5)),
        buy("nobody", 999.0, ago(5), CLOSED),
        buy("nobody", 999.0, ago(5), UNPAID),
    )
    tiers = assign_tiers(build_archive(o, TODAY), default_rules(), TODAY)
    got = dict(zip(tiers["买家会员名"].to_list(), tiers["会员等级"].to_list()))
    assert got == {
        "top": "至尊VIP", "top_by_refund": "至尊VIP", "vip_just_below": "VIP", "vip": "VIP",
        "senior": "高级会员", "senior_two_orders": "高级会员", "plain_just_below": "普通会员",
        "plain": "普通会员", "nobody": None,
    }
    table = tier_table(tiers, default_rules())
    # 8 members: 2 / 2 / 2 / 2; spend 1776 / 1575.99 / 798 / 408.99 of 4558.98
    assert [(t.name, t.count, t.share) for t in table] == [
        ("至尊VIP", 2, 0.25), ("VIP", 2, 0.25), ("高级会员", 2, 0.25), ("普通会员", 2, 0.25)]
    assert [t.spend for t in table] == [1776.0, 1575.99, 798.0, 408.99]
    assert table[0].spend_share == pytest.approx(1776 / 4558.98)
    assert [t.threshold for t in table] == [888.0, 688.0, 399.0, None]
    assert [t.target_share for t in table] == [0.01, 0.05, 0.15, 0.80]


def test_analysis_a_thresholds_for_shares():
    spends = [float(s) for s in range(1, 1001)]
    # top 1% = 10 buyers (1000…991), top 6% = 60 (…941), top 21% = 210 (…791)
    assert thresholds_for_shares(spends, default_rules()) == [991.0, 941.0, 791.0]
    # 150 buyers: ceil(1.5) = 2 → 149, ceil(9) = 9 → 142, ceil(31.5) = 32 → 119
    assert thresholds_for_shares([float(s) for s in range(150, 0, -1)], default_rules()) == [149.0, 142.0, 119.0]
    assert thresholds_for_shares([], default_rules()) == [None, None, None]


def test_analysis_b_shares_for_thresholds():
    spends = pl.Series([float(s) for s in range(1, 1001)])
    # ≥ 888: 888…1000 = 113; 688…887 = 200; 399…687 = 289; 1…398 = 398
    assert shares_for_thresholds(spends, default_rules()) == pytest.approx([0.113, 0.2, 0.289, 0.398])


def test_updown_moves_a_buyer_down_upgrade_keeps_him():
    o = orders(
        buy("x", 1000.0, ago(400)), buy("x", 100.0, ago(10)),  # big spend outside the 365-day period
        buy("y", 700.0, ago(100)),
        buy("edge_in", 400.0, ago(364)),  # the 365 days end today: 364 days ago is inside
        buy("edge_out", 400.0, ago(365)),  # 365 days ago is outside
        buy("z", 500.0, ago(20)),
    )
    archive = build_archive(o, TODAY)
    updown = MembershipRules(mode="updown")
    down = assign_tiers(archive, updown, TODAY, {"x": "至尊VIP"}, orders=o)
    got = dict(zip(down["买家会员名"].to_list(), down["会员等级"].to_list()))
    assert got == {"x": "普通会员", "y": "VIP", "edge_in": "高级会员", "edge_out": "普通会员", "z": "高级会员"}
    assert row(down, "x")["计级消费"] == 100.0

    up = assign_tiers(archive, default_rules(), TODAY, {"x": "至尊VIP", "z": "VIP", "y": "已删除的等级"})
    got = dict(zip(up["买家会员名"].to_list(), up["会员等级"].to_list()))
    # x: 1100 cumulative; z: 500 would be 高级会员 but was VIP; y: unknown previous name ignored
    assert got == {"x": "至尊VIP", "y": "VIP", "edge_in": "高级会员", "edge_out": "高级会员", "z": "VIP"}

    changes = tier_changes({"x": "至尊VIP", "y": "VIP", "gone": "VIP"}, down)
    # in the archive's order (累计消费 highest first: x 1100, y 700, z 500, edge_in 400, edge_out 400);
    # y unchanged, gone absent from the archive → not reported
    assert [tuple(c) for c in changes] == [
        ("x", "至尊VIP", "普通会员", "降级"),
        ("z", None, "高级会员", "入会"),
        ("edge_in", None, "高级会员", "入会"),
        ("edge_out", None, "普通会员", "入会"),
    ]


def test_updown_needs_orders():
    archive = build_archive(orders(buy("x", 1.0, ago(1))), TODAY)
    with pytest.raises(ValueError):
        assign_tiers(archive, MembershipRules(mode="updown"), TODAY)


def test_tier_changes_directions():
    prev = {"a": "VIP", "b": "普通会员", "c": "高级会员"}
    current = {"a": "至尊VIP", "b": "普通会员", "c": None, "d": "VIP"}
    assert tier_changes(prev, current) == [
        ("a", "VIP", "至尊VIP", "升级"), ("c", "高级会员", None, "退出"), ("d", None, "VIP", "入会")]


def test_rules_validation():
    with pytest.raises(ValueError):
        MembershipRules(tiers=[Tier("VIP", 688.0, 0.1), Tier("至尊VIP", 888.0, 0.1), Tier("普通会员", None, 0.8)])
    with pytest.raises(ValueError):
        MembershipRules(tiers=[Tier("VIP", 688.0, 0.2)])
    with pytest.raises(ValueError):
        MembershipRules(mode="sometimes")


# ---------------------------------------------------------------- health

def test_health_figures():
    # today 2026-10-01; windows 30 (new, spend), 90 (active), 180 (churn)
    o = orders(
        buy("A", 100.0, datetime(2026, 9, 20, 12)),  # first purchase 11 days ago: new, active
        buy("B", 80.0, datetime(2026, 1, 1, 12)),  # 273 days ago
        buy("B", 200.0, datetime(2026, 9, 25, 12)),  # 6 days ago: member spend
        buy("C", 60.0, datetime(2026, 3, 1, 12)),  # 214 days ago: churned
        buy("D", 60.0, datetime(2026, 6, 1, 12)),  # 122 days ago: neither active nor churned
        buy("E", 50.0, datetime(2026, 9, 30, 12), UNPAID),  # not a member
        buy("F", 50.0, datetime(2026, 9, 2, 12)),  # 29 days ago: new
        buy("F", 999.0, datetime(2026, 9, 3, 12), CLOSED),  # closed: no spend
        buy("G", 70.0, datetime(2026, 9, 1, 12)),  # 30 days ago: outside the 30 days, not new
        buy("G", 30.0, datetime(2026, 9, 28, 12), 退款金额=10.0),  # net 20, member spend
        buy("H", 40.0, datetime(2026, 4, 4, 12)),  # exactly 180 days ago: not "more than 180"
    )
    archive = build_archive(o, TODAY)
    figures = {f.name: f for f in health(assign_tiers(archive, default_rules(), TODAY), o, default_rules(), TODAY)}
    assert list(figures) == ["会员新增率", "会员消费占比", "会员活跃度", "会员流失率"]
    # members A B C D F G H = 7
    assert figures["会员新增率"].value == pytest.approx(2 / 7)  # A, F
    # window spend: A 100 (first purchase), B 200, F 50 (first purchase), G 20 → 220 / 370
    assert figures["会员消费占比"].value == pytest.approx(220 / 370)
    assert figures["会员活跃度"].value == pytest.approx(4 / 7)  # A 11, B 6, F 29, G 3 days
    assert figures["会员流失率"].value == pytest.approx(1 / 7)  # C
    assert [f.window for f in figures.values()] == [30, 30, 90, 180]
    assert "30天" in figures["会员新增率"].definition and "180天" in figures["会员流失率"].definition


def test_health_without_members():
    o = orders(buy("E", 50.0, ago(1), UNPAID))
    figures = health(build_archive(o, TODAY), o, default_rules(), TODAY)
    assert [f.value for f in figures] == [None, None, None, None]


# ---------------------------------------------------------------- RFM

def test_rfm_scores_and_segments():
    # ten members m1…m10; R = i days, F and M as below; one non-member left out
    f = [5, 1, 2, 1, 3, 1, 1, 2, 1, 1]
    m = [1000.0, 800.0, 50.0, 20.0, 900.0, 30.0, 700.0, 10.0, 600.0, 40.0]
    names = [f"m{i}" for i in range(1, 11)]
    archive = pl.DataFrame({
        "买家会员名": names + ["m0"],
        "购买次数": f + [0],
        "累计消费": m + [0.0],
        "最近购买": [ago(i, hour=21) for i in range(1, 11)] + [None],
    })
    scored = rfm(archive, TODAY)
    assert scored.height == 10
    by = {r["买家会员名"]: r for r in scored.iter_rows(named=True)}
    # R: worse = members with more days = 10 − i; score 1 + ⌊(10 − i)/2⌋; mean 3
    assert [by[n]["R分"] for n in names] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    # F: six 1s (worse 0 → 1), two 2s (worse 6 → 4), 3 (worse 8 → 5), 5 (worse 9 → 5); mean 2.4
    assert [by[n]["F分"] for n in names] == [5, 1, 4, 1, 5, 1, 1, 4, 1, 1]
    # M ascending 10 20 30 40 50 600 700 800 900 1000 → 1 1 2 2 3 3 4 4 5 5; mean 3
    assert [by[n]["M分"] for n in names] == [5, 4, 3, 1, 5, 2, 4, 1, 3, 2]
    assert [by[n]["距今天数"] for n in names] == list(range(1, 11))
    assert [by[n]["客户分群"] for n in names] == [
        "重要价值客户",  # m1 R5 F5 M5
        "重要发展客户",  # m2 R5 F1 M4
        "一般价值客户",  # m3 R4 F4 M3 (3 is not above the mean 3)
        "一般发展客户",  # m4 R4 F1 M1
        "重要保持客户",  # m5 R3 F5 M5
        "一般挽留客户",  # m6 R3 F1 M2
        "重要挽留客户",  # m7 R2 F1 M4
        "一般保持客户",  # m8 R2 F4 M1
        "一般挽留客户",  # m9 R1 F1 M3
        "一般挽留客户",  # m10 R1 F1 M2
    ]
    table = segment_table(scored)
    assert [t.name for t in table] == [
        "重要价值客户", "重要发展客户", "重要保持客户", "重要挽留客户",
        "一般价值客户", "一般发展客户", "一般保持客户", "一般挽留客户"]
    assert [t.rule for t in table][:2] == ["R高F高M高", "R高F低M高"]
    assert [t.count for t in table] == [1, 1, 1, 1, 1, 1, 1, 3]
    assert [t.spend for t in table] == [1000.0, 800.0, 900.0, 700.0, 50.0, 20.0, 10.0, 670.0]
    assert table[-1].share == pytest.approx(0.3)
    assert table[-1].spend_share == pytest.approx(670 / 4150)


def test_rfm_all_equal_scores_low():
    archive = pl.DataFrame({"买家会员名": ["a", "b"], "购买次数": [1, 1], "累计消费": [5.0, 5.0],
                            "最近购买": [ago(3), ago(3)]})
    scored = rfm(archive, TODAY)
    assert scored["R分"].to_list() == [1, 1] and scored["客户分群"].to_list() == ["一般挽留客户"] * 2
