"""客户关怀 reminders, 售后 rules and privacy masking against DOMAIN.md §7.

Every expected value is worked out by hand from the rules, never by asking the engine.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import jinja2.meta
import polars as pl
import pytest

from xlreports.engine.customers import aftersales, privacy
from xlreports.engine.customers.care import Reminder, due_reminders
from xlreports.layout.messages import (
    TEMPLATES,
    VARIABLES,
    MessageTemplateError,
    message_environment,
    message_values,
    reminder_messages,
    render_message,
)

TODAY = date(2026, 10, 8)
SHOP = "好物小店"
DAY = timedelta(days=1)
UNPAID = "等待买家付款"
WAITING_SHIPMENT = "买家已付款，等待卖家发货"
SHIPPED = "卖家已发货，等待买家确认"
SUCCESS = "交易成功"

ORDER_SCHEMA = {
    "订单编号": pl.String, "买家会员名": pl.String, "收货人姓名": pl.String, "联系手机": pl.String,
    "收货地址": pl.String, "订单状态": pl.String, "买家实付金额": pl.Float64, "总金额": pl.Float64,
    "退款金额": pl.Float64, "订单创建时间": pl.Datetime, "订单付款时间": pl.Datetime, "发货时间": pl.Datetime,
    "确认收货时间": pl.Datetime, "商品标题": pl.String, "店铺名称": pl.String,
}
ARCHIVE_SCHEMA = {"买家会员名": pl.String, "购买次数": pl.Int64, "最近购买": pl.Datetime,
                  "平均回购周期(天)": pl.Float64}


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def order(oid: str, status: str, buyer: str | None = None, **kw) -> dict:
    row = {k: None for k in ORDER_SCHEMA}
    row.update({"订单编号": oid, "买家会员名": buyer or f"tb_{oid}", "收货人姓名": f"收货人{oid}",
                "联系手机": "18212345678", "收货地址": "江苏省 苏州市 吴江区 松陵镇 xx路1号",
                "订单状态": status, "买家实付金额": 59.0, "总金额": 59.0, "退款金额": 0.0,
                "商品标题": "保温杯", "店铺名称": SHOP})
    row.update(kw)
    return row


def orders(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=ORDER_SCHEMA)


def archive(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=ARCHIVE_SCHEMA, orient="row")


NO_ARCHIVE = archive()


def run(o: pl.DataFrame, a: pl.DataFrame = NO_ARCHIVE, settings: object = None,
        templates_dir=None) -> list[SimpleNamespace]:
    """The due reminders (engine) with the text each is sent with (layout), as the archive job pairs them."""
    due = due_reminders(o, a, settings, TODAY)
    return [SimpleNamespace(**vars(r), message=m) for r, m in zip(due, reminder_messages(due, SHOP, templates_dir))]


def scenes(reminders: list[Reminder] | list[SimpleNamespace]) -> dict[str, str]:
    return {r.order_id: r.scene for r in reminders}


# --- 未付款提醒 / 催付 ------------------------------------------------------------------------------

def test_unpaid_window_by_creation_day():
    o = orders(
        order("today", UNPAID, 订单创建时间=at(TODAY, 9)),
        order("today2259", UNPAID, 订单创建时间=at(TODAY, 22, 59)),
        order("today2300", UNPAID, 订单创建时间=at(TODAY, 23, 0)),   # within the last hour of today
        order("d1", UNPAID, 订单创建时间=at(TODAY - DAY, 23, 30)),
        order("d3_start", UNPAID, 订单创建时间=at(TODAY - 3 * DAY, 0, 0)),
        order("d3_end", UNPAID, 订单创建时间=at(TODAY - 3 * DAY, 23, 59)),
        order("d4_end", UNPAID, 订单创建时间=at(TODAY - 4 * DAY, 23, 59)),
        order("paid", WAITING_SHIPMENT, 订单创建时间=at(TODAY, 9)),
        order("closed", "交易关闭", 订单创建时间=at(TODAY, 9)),
    )
    got = scenes(run(o))
    assert got == {
        "today": "未付款提醒", "today2259": "未付款提醒",
        "d1": "催付（新买家）", "d3_start": "催付（新买家）", "d3_end": "催付（新买家）",
    }


def test_unpaid_due_one_hour_after_creation():
    o = orders(order("a", UNPAID, 订单创建时间=at(TODAY, 9, 15)),
               order("b", UNPAID, 订单创建时间=at(TODAY - 2 * DAY, 14, 0)))
    due = {r.order_id: r.due for r in run(o)}
    assert due == {"a": at(TODAY, 10, 15), "b": at(TODAY - 2 * DAY, 15, 0)}


def test_chase_script_follows_purchase_count():
    created = at(TODAY - DAY, 10)
    o = orders(order("n0", UNPAID, "tb_new", 订单创建时间=created),
               order("n1", UNPAID, "tb_second", 订单创建时间=created),
               order("n2", UNPAID, "tb_many", 订单创建时间=created),
               order("n5", UNPAID, "tb_five", 订单创建时间=created),
               order("nx", UNPAID, "tb_unknown", 订单创建时间=created))
    last = at(TODAY - 5 * DAY)
    a = archive(("tb_new", 0, None, None), ("tb_second", 1, last, None), ("tb_many", 2, last, 20.0),
                ("tb_five", 5, last, 10.0))
    got = run(o, a)
    assert scenes(got) == {"n0": "催付（新买家）", "n1": "催付（二次回购）", "n2": "催付（多次购买）",
                           "n5": "催付（多次购买）", "nx": "催付（新买家）"}
    text = {r.order_id: r.message for r in got}
    assert "第一次光临" in text["n0"] and "第一次光临" in text["nx"]
    assert "欢迎回到好物小店" in text["n1"]
    assert "一直以来感谢您对好物小店的支持" in text["n2"]


def test_unpaid_reminder_is_gentle():
    text = render_message("未付款提醒.j2", message_values(SHOP, "李雷", "保温杯", 59.0, "T1", 0))
    for pushy in ("尽快付款", "赶紧", "马上付款", "关闭", "催"):
        assert pushy not in text
    assert "您方便的时候" in text


# --- 付款关怀 / 发货提醒 / 签收提醒 / 评价感谢 ---------------------------------------------------------

def test_paid_care_today_or_yesterday_still_waiting_shipment():
    o = orders(
        order("p0", WAITING_SHIPMENT, 订单付款时间=at(TODAY, 0, 1)),
        order("p1", WAITING_SHIPMENT, 订单付款时间=at(TODAY - DAY, 0, 0)),
        order("p2", WAITING_SHIPMENT, 订单付款时间=at(TODAY - 2 * DAY, 23, 59)),
        order("shipped", SHIPPED, 订单付款时间=at(TODAY, 8)),
    )
    got = [r for r in run(o) if r.scene == "付款关怀"]
    # paid at night: due when the service opens (08:00), never at 00:01
    assert [(r.order_id, r.due) for r in got] == [("p1", at(TODAY - DAY, 8)), ("p0", at(TODAY, 8))]


def test_shipping_reminder_today_or_yesterday():
    o = orders(
        order("s0", SHIPPED, 发货时间=at(TODAY, 16)),
        order("s1", SHIPPED, 发货时间=at(TODAY - DAY, 9)),
        order("s2", SHIPPED, 发货时间=at(TODAY - 2 * DAY, 23, 59)),
    )
    got = [(r.order_id, r.due) for r in run(o) if r.scene == "发货提醒"]
    assert got == [("s1", at(TODAY - DAY, 9)), ("s0", at(TODAY, 16))]


def test_sign_reminder_exactly_sign_days_after_shipping():
    o = orders(
        order("d2", SHIPPED, 发货时间=at(TODAY - 2 * DAY, 23, 59)),
        order("d3a", SHIPPED, 发货时间=at(TODAY - 3 * DAY, 0, 0)),
        order("d3b", SHIPPED, 发货时间=at(TODAY - 3 * DAY, 23, 59)),
        order("d4", SHIPPED, 发货时间=at(TODAY - 4 * DAY, 12)),
        order("done", SUCCESS, 发货时间=at(TODAY - 3 * DAY, 12)),
    )
    got = [r for r in run(o) if r.scene == "签收提醒"]
    assert [(r.order_id, r.due) for r in got] == [("d3a", at(TODAY, 10)), ("d3b", at(TODAY, 10))]
    assert "五星好评" in got[0].message
    five = [r.order_id for r in run(o, settings=SimpleNamespace(sign_days=4, revisit_days=90,
                                                                revisit_cycle_factor=1.5))
            if r.scene == "签收提醒"]
    assert five == ["d4"]


def test_review_thanks_after_confirmation():
    o = orders(
        order("c0", SUCCESS, 确认收货时间=at(TODAY, 11)),
        order("c1", SUCCESS, 确认收货时间=at(TODAY - DAY, 20)),
        order("c2", SUCCESS, 确认收货时间=at(TODAY - 2 * DAY, 20)),
        order("closed", "交易关闭", 确认收货时间=at(TODAY, 11)),
    )
    got = [(r.order_id, r.due) for r in run(o) if r.scene == "评价感谢"]
    assert got == [("c1", at(TODAY - DAY, 20)), ("c0", at(TODAY, 11))]


# --- 客户回访 -----------------------------------------------------------------------------------------

def _bought(buyer: str, paid: datetime) -> dict:
    return order(f"o_{buyer}", SUCCESS, buyer, 订单创建时间=paid - timedelta(hours=1), 订单付款时间=paid,
                 确认收货时间=paid + 10 * DAY, 商品标题=f"商品{buyer}", 买家实付金额=88.0)


def test_revisit_without_cycle_uses_revisit_days():
    rows = {"b89": TODAY - 89 * DAY, "b90": TODAY - 90 * DAY, "b91": TODAY - 91 * DAY}
    o = orders(*(_bought(b, at(d, 15)) for b, d in rows.items()))
    a = archive(*((b, 1, at(d, 15), None) for b, d in rows.items()), ("b0", 0, None, None))
    got = [r for r in run(o, a) if r.scene == "客户回访"]
    assert [(r.buyer, r.due) for r in got] == [("b91", at(TODAY - DAY, 10)), ("b90", at(TODAY, 10))]
    assert got[1].order_id == "o_b90" and got[1].product == "商品b90" and got[1].amount == 88.0
    assert got[1].receiver == "收货人o_b90"
    assert "已经90天" in got[1].message and "商品b90" in got[1].message


def test_revisit_with_cycle_uses_cycle_times_factor():
    # cycle 20 days × 1.5 = 30 days
    rows = {"c29": TODAY - 29 * DAY, "c30": TODAY - 30 * DAY, "c31": TODAY - 31 * DAY}
    o = orders(*(_bought(b, at(d, 8)) for b, d in rows.items()))
    a = archive(*((b, 3, at(d, 8), 20.0) for b, d in rows.items()))
    got = [(r.buyer, r.due) for r in run(o, a) if r.scene == "客户回访"]
    assert got == [("c31", at(TODAY - DAY, 10)), ("c30", at(TODAY, 10))]  # revisits are due at 10:00
    custom = SimpleNamespace(revisit_days=90, revisit_cycle_factor=1.45, sign_days=3)  # 29 days
    assert [r.buyer for r in run(o, a, custom) if r.scene == "客户回访"] == ["c31", "c30", "c29"]


def test_revisit_skips_buyers_with_a_newer_open_order():
    last = at(TODAY - 92 * DAY, 12)  # due two days ago: inside the revisit window
    o = orders(_bought("back", last), order("new", UNPAID, "back", 订单创建时间=at(TODAY, 9)),
               _bought("gone", last), order("old", "交易关闭", "gone", 订单创建时间=at(TODAY - 5 * DAY)))
    a = archive(("back", 1, last, None), ("gone", 1, last, None))
    got = [(r.buyer, r.scene) for r in run(o, a)]
    assert got == [("gone", "客户回访"), ("back", "未付款提醒")]


def test_revisit_lists_a_week_of_due_buyers_not_the_whole_backlog():
    # revisit_days 90: due 6 days ago (inside the 7-day window) vs 7 days ago (outside)
    inside, outside = at(TODAY - 96 * DAY, 12), at(TODAY - 97 * DAY, 12)
    o = orders(_bought("inside", inside), _bought("outside", outside))
    a = archive(("inside", 1, inside, None), ("outside", 1, outside, None))
    assert [(r.buyer, r.scene) for r in run(o, a)] == [("inside", "客户回访")]


# --- templates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("scene", sorted(TEMPLATES))
def test_every_template_renders_every_placeholder(scene):
    name = TEMPLATES[scene]
    env = message_environment()
    source = env.loader.get_source(env, name)[0]
    used = jinja2.meta.find_undeclared_variables(env.parse(source))
    assert used and used <= set(VARIABLES)
    values = message_values(SHOP, "李雷", "保温杯", 59.5, "T123", 7, "tb_lilei")
    text = render_message(name, values)
    assert "{{" not in text and "}}" not in text and "#" not in text
    assert text.startswith("亲爱的李雷") and SHOP in text
    for var in used:
        assert values[var] in text


def test_hash_placeholder_template_and_override_folder(tmp_path):
    (tmp_path / "付款关怀.j2").write_text("#收件人#您好，#店铺#已收到订单#订单号#（#收件人姓名#）。#话题#",
                                        encoding="utf-8")
    o = orders(order("T9", WAITING_SHIPMENT, "tb_li", 收货人姓名="李雷", 订单付款时间=at(TODAY, 9)))
    (r,) = run(o, templates_dir=tmp_path)
    assert r.message == "李雷您好，好物小店已收到订单T9（李雷）。#话题#"
    (packaged,) = run(o)
    assert packaged.message.startswith("亲爱的李雷，感谢您购买好物小店的「保温杯」")


def test_buyer_name_is_data_never_code():
    evil = "=cmd|' /C calc'!A0"
    o = orders(order("X1", WAITING_SHIPMENT, evil, 收货人姓名="", 商品标题="{{ 7*7 }}#店铺#",
                     订单付款时间=at(TODAY, 9)))
    (r,) = run(o)
    assert r.buyer == evil and r.receiver == evil
    assert f"亲爱的{evil}，" in r.message
    assert r.product == "{{ 7*7 }}#店铺#" and "「{{ 7*7 }}#店铺#」" in r.message and "49" not in r.message


@pytest.mark.parametrize("source", ["{{ ''.__class__.__mro__ }}", "{{ 收件人.__class__ }}",
                                    "{{ 收件人.__init__.__globals__ }}"])
def test_sandbox_refuses_private_attributes(tmp_path, source):
    (tmp_path / "评价感谢.j2").write_text(source, encoding="utf-8")
    env = message_environment(tmp_path)
    with pytest.raises(MessageTemplateError, match="评价感谢.j2"):
        render_message("评价感谢.j2", message_values(SHOP, "李雷", "杯", 1.0, "T", 0), env)


def test_broken_template_is_a_clear_error(tmp_path):
    values = message_values(SHOP, "李雷", "杯", 1.0, "T", 0)
    (tmp_path / "发货提醒.j2").write_text("亲爱的{{ 收件人 ", encoding="utf-8")
    with pytest.raises(MessageTemplateError, match="发货提醒.j2 第 1 行"):
        render_message("发货提醒.j2", values, message_environment(tmp_path))
    (tmp_path / "签收提醒.j2").write_text("{{ 金额 + 1 }}", encoding="utf-8")
    with pytest.raises(MessageTemplateError, match="签收提醒.j2 无法生成消息"):
        render_message("签收提醒.j2", values, message_environment(tmp_path))
    with pytest.raises(MessageTemplateError, match="找不到消息模板"):
        render_message("../setup.cfg", values, message_environment(tmp_path))


def test_reminders_sorted_by_due_and_fields_filled():
    o = orders(order("late", WAITING_SHIPMENT, 订单付款时间=at(TODAY, 20), 买家实付金额=12.5),
               order("early", UNPAID, 订单创建时间=at(TODAY, 7), 买家实付金额=0.0, 总金额=99.0))
    got = run(o)
    assert [r.order_id for r in got] == ["early", "late"]
    assert due_reminders(o, NO_ARCHIVE, None, TODAY)[0] == Reminder(
        buyer="tb_early", scene="未付款提醒", order_id="early", due=at(TODAY, 8), receiver="收货人early",
        product="保温杯", amount=99.0, days=0)
    assert "¥99.00" in got[0].message and "¥12.50" in got[1].message


# --- 售后 ---------------------------------------------------------------------------------------

REG = datetime(2026, 10, 8, 9, 30)


@pytest.mark.parametrize("case, way, freight", [
    ({"问题类型": "发错货"}, "退货或换货", "卖家承担"),
    ({"问题类型": "发少货"}, "退还差价或补发", "卖家承担"),
    ({"问题类型": "质量问题", "有照片": "是", "可二次销售": "否"}, "退货或换货", "卖家承担"),
    ({"问题类型": "质量问题", "有照片": True}, "退货或换货", "卖家承担"),
    ({"问题类型": "质量问题", "有照片": "否", "可二次销售": "是"}, "退货或换货", "买家承担"),
    ({"问题类型": "质量问题", "有照片": False, "可二次销售": True}, "退货或换货", "买家承担"),
    # issue 11: wording that offers a solution in every case, never 不予退换
    ({"问题类型": "质量问题", "有照片": "否", "可二次销售": "否"}, "请买家补拍照片后按质量问题处理（退货或换货）",
     "补拍照片后卖家承担"),
    ({"问题类型": "质量问题"}, "请买家补拍照片后按质量问题处理（退货或换货）", "补拍照片后卖家承担"),
    ({"问题类型": "物流慢"}, "问题类型不在售后规则中：请从下拉列表选择", ""),
    ({"问题类型": None}, "请选择问题类型", ""),
])
def test_aftersales_rules(case, way, freight):
    d = aftersales.decide({**case, "登记时间": REG})
    assert (d.处理方式, d.运费承担, d.跟进截止) == (way, freight, datetime(2026, 10, 9, 9, 30))


def test_aftersales_dataclass_case_and_overdue():
    case = aftersales.AfterSalesCase("发错货", 登记时间=REG)
    assert aftersales.decide(case) == aftersales.Decision("退货或换货", "卖家承担", datetime(2026, 10, 9, 9, 30))
    assert not aftersales.overdue(case, datetime(2026, 10, 9, 9, 30))
    assert aftersales.overdue(case, datetime(2026, 10, 9, 9, 31))
    case.处理结果 = "已换货"
    assert not aftersales.overdue(case, datetime(2026, 10, 12))
    assert not aftersales.overdue({"问题类型": "发少货"}, datetime(2026, 10, 12))  # no 登记时间
    assert aftersales.decide({"问题类型": "发少货"}).跟进截止 is None
    assert aftersales.decide({"问题类型": "发少货", "登记时间": date(2026, 10, 8)}).跟进截止 == datetime(2026, 10, 9)


# --- privacy -----------------------------------------------------------------------------------

PHONES = {
    "18212345678": "182****5678",
    "182 1234 5678": "182****5678",
    "+86 18212345678": "+86 182****5678",
    "0512-12345678": "0512-****5678",
    "010-1234567": "010-****4567",
    "(0512)12345678": "(0512)****5678",
    "182****5678": "182****5678",
    "10086": "10086",
    "": "",
    "1234567": "****4567",
    "电话18212345678/13912345678": "****",
}

ADDRESSES = {
    "江苏省 苏州市 吴江区 松陵镇 xx路1号": "江苏省 苏州市 吴江区 ****",
    "江苏省苏州市吴江区松陵镇xx路1号": "江苏省苏州市吴江区 ****",
    "北京 北京市 朝阳区 建国路88号": "北京 北京市 朝阳区 ****",
    "上海市浦东新区世纪大道菜市场": "上海市浦东新区 ****",
    "广东省 东莞市 东城街道 xx路1号": "广东省 东莞市 ****",
    "江苏省 苏州市 昆山市 玉山镇 xx路": "江苏省 苏州市 昆山市 ****",
    "新疆维吾尔自治区 乌鲁木齐市 天山区 xx路": "新疆维吾尔自治区 乌鲁木齐市 天山区 ****",
    "江苏省 苏州市 吴江区 ****": "江苏省 苏州市 吴江区 ****",
    "苏州市吴江区xx路1号": "苏州市吴江区 ****",
    "xx路1号": "****",
    "": "",
}


@pytest.mark.parametrize("raw, masked", PHONES.items())
def test_mask_phone(raw, masked):
    assert privacy.mask_phone(raw) == masked


@pytest.mark.parametrize("raw, masked", ADDRESSES.items())
def test_mask_address(raw, masked):
    assert privacy.mask_address(raw) == masked


def test_mask_none_and_numbers():
    assert privacy.mask_phone(None) is None and privacy.mask_address(None) is None
    assert privacy.mask_phone(18212345678) == "182****5678"
    assert privacy.mask_phone(18212345678.0) == "182****5678"


def test_mask_expressions_agree_with_functions():
    phones = pl.DataFrame({"联系手机": [*PHONES, None]})
    addresses = pl.DataFrame({"收货地址": [*ADDRESSES, None]})
    assert phones.select(privacy.mask_phone_expr("联系手机"))["联系手机"].to_list() == [*PHONES.values(), None]
    assert addresses.select(privacy.mask_address_expr(pl.col("收货地址")))["收货地址"].to_list() == [
        *ADDRESSES.values(), None]
    nums = pl.DataFrame({"p": [18212345678.0, None]})
    assert nums.select(privacy.mask_phone_expr("p"))["p"].to_list() == ["182****5678", None]
