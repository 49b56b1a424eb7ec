"""The 客户档案: one row per buyer (买家会员名) built from the shop's orders.

Which orders count as purchases (``counted_orders``): paid (订单付款时间 filled in) and neither
closed (订单状态 containing 关闭: 交易关闭, 付款以前，卖家或买家主动关闭交易 …) nor unpaid
(订单状态 containing 等待买家付款). Their net amount is 买家实付金额 − 退款金额 (blank = 0), never
below 0.

>>> from datetime import date, datetime
>>> import polars as pl
>>> o = pl.DataFrame({"订单编号": ["1", "2"], "买家会员名": ["tb_a", "tb_a"],
...     "订单状态": ["交易成功", "交易关闭"], "买家实付金额": [100.0, 50.0], "退款金额": [20.0, None],
...     "订单付款时间": [datetime(2026, 9, 1), datetime(2026, 9, 5)]})
>>> a = build_archive(o, date(2026, 10, 1))
>>> a.select("买家会员名", "购买次数", "累计消费", "距今天数").row(0)
('tb_a', 1, 80.0, 30)
"""
from __future__ import annotations

from datetime import date, datetime

import polars as pl

from xlreports.model.orders import (ADDRESS, BUYER, CHANNEL, CREATED, PAID, PAID_AMOUNT, PHONE, RECEIVER, REFUND,
                                    STATUS, TITLE, order_schema)

NET = "净额"  # column added by counted_orders

# every column of the canonical order frame, so that a frame missing some can be completed
ORDER_SCHEMA: dict[str, pl.DataType] = order_schema()

ARCHIVE_COLUMNS = [
    BUYER, "收货人", "电话", "省", "市", "地址", "来源", "首次购买", "最近购买", "购买次数", "累计消费",
    "客单价", "平均回购周期(天)", "回购频次", "常购商品", "距今天数", "待付款订单",
]


def as_date(today: date | datetime) -> date:
    """A datetime is taken at its calendar day."""
    return today.date() if isinstance(today, datetime) else today


def complete(orders: pl.DataFrame) -> pl.DataFrame:
    """The orders with every canonical column present (missing ones added blank, of their type)."""
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in ORDER_SCHEMA.items() if c not in orders.columns]
    return orders.with_columns(missing) if missing else orders


def is_closed() -> pl.Expr:
    """订单状态 contains 关闭 (交易关闭, 交易自动关闭, 付款以前，卖家或买家主动关闭交易)."""
    return pl.col(STATUS).str.contains("关闭", literal=True).fill_null(False)


def is_unpaid() -> pl.Expr:
    """订单状态 contains 等待买家付款."""
    return pl.col(STATUS).str.contains("等待买家付款", literal=True).fill_null(False)


def is_counted() -> pl.Expr:
    """Counts as a purchase: paid, not closed, not waiting for payment (a blank status counts)."""
    return pl.col(PAID).is_not_null() & ~is_closed() & ~is_unpaid()


def net_amount() -> pl.Expr:
    """买家实付金额 − 退款金额 (blank = 0), floored at 0."""
    net = pl.col(PAID_AMOUNT).fill_null(0.0) - pl.col(REFUND).fill_null(0.0)
    return pl.max_horizontal(net, pl.lit(0.0))


def days_before(today: date | datetime, column: str) -> pl.Expr:
    """Calendar days from the column's day to today (today − day; same day = 0, later = negative)."""
    return (pl.lit(as_date(today)) - pl.col(column).dt.date()).dt.total_days()


def counted_orders(orders: pl.DataFrame) -> pl.DataFrame:
    """The orders that count as purchases, with their net amount in column 净额.

    >>> from datetime import datetime
    >>> o = pl.DataFrame({"买家会员名": ["a", "a", "b"], "订单状态": ["交易成功", "等待买家付款", "卖家已发货，等待买家确认"],
    ...     "买家实付金额": [30.0, 9.0, 5.0], "退款金额": [40.0, None, None],
    ...     "订单付款时间": [datetime(2026, 1, 1), None, datetime(2026, 1, 2)]})
    >>> counted_orders(o)["净额"].to_list()
    [0.0, 5.0]
    """
    return complete(orders).filter(is_counted()).with_columns(net_amount().alias(NET))


def keyed(orders: pl.DataFrame) -> pl.DataFrame:
    """The orders with a buyer name (trimmed); orders without one cannot be keyed and are left out."""
    o = complete(orders).with_columns(pl.col(BUYER).str.strip_chars())
    return o.filter(pl.col(BUYER).is_not_null() & (pl.col(BUYER) != ""))


def _keyed(orders: pl.DataFrame) -> pl.DataFrame:
    """The keyed orders with their place in time, _k: 1 = oldest by 订单创建时间 (else 订单付款时间;
    neither = oldest of all), input order breaking ties. (A rank, not a sort: sorting would copy every
    text column.)"""
    o = keyed(orders)
    t = pl.coalesce(CREATED, PAID)
    return o.with_row_index("_i").with_columns(
        pl.when(t.is_null()).then(0).otherwise(t.rank("ordinal")).cast(pl.Int64).alias("_k")
    )


def _latest(column: str | pl.Expr) -> pl.Expr:
    """In a group: the value of the latest order (largest _k) that has one."""
    value = pl.col(column) if isinstance(column, str) else column
    return value.get(pl.when(value.is_not_null()).then(pl.col("_k")).arg_max())


def _earliest(value: pl.Expr) -> pl.Expr:
    """In a group: the value of the earliest order (smallest _k) that has one."""
    return value.get(pl.when(value.is_not_null()).then(pl.col("_k")).arg_min())


def _favourite(counted: pl.DataFrame) -> pl.DataFrame:
    """常购商品: the 商品标题 bought most often; a tie goes to the title bought most recently."""
    per_title = (
        counted.filter(pl.col(TITLE).is_not_null() & (pl.col(TITLE) != ""))
        .group_by(BUYER, TITLE)
        .agg(pl.len().alias("_n"), pl.col(PAID).max().alias("_last"), pl.col("_i").max().alias("_li"))
    )
    return per_title.group_by(BUYER).agg(
        pl.col(TITLE).sort_by(["_n", "_last", "_li"]).last().alias("常购商品")
    )


def local_address() -> pl.Expr:
    """地址 without the 省 and 市 the row shows beside it: an address that starts with its 省 loses
    its first two parts (an address already without them stays as it is).

    >>> df = pl.DataFrame({"省": ["江苏省", "江苏省", None], "市": ["苏州市", "苏州市", None],
    ...                    "地址": ["江苏省 苏州市 吴江区 梅石路1号", "吴江区 梅石路1号", "杭州"]})
    >>> df.select(local_address())["地址"].to_list()
    ['吴江区 梅石路1号', '吴江区 梅石路1号', '杭州']
    """
    address = pl.col("地址").str.strip_chars()
    starts = address.str.starts_with(pl.col("省")).fill_null(False)
    return pl.when(starts).then(address.str.replace(r"^\S+\s+\S+\s+", "")).otherwise(pl.col("地址")).alias("地址")


def build_archive(orders: pl.DataFrame, today: date | datetime) -> pl.DataFrame:
    """One row per 买家会员名, every buyer with a keyed order (also buyers whose orders are all closed
    or unpaid: they stay reachable for 催付, with 购买次数 0 and 累计消费 0). Columns:

    - 收货人, 电话: 收货人姓名 and 联系手机 of the buyer's most recent order (any status, by 订单创建时间,
      else 订单付款时间) that has one — each field its own latest filled-in value.
    - 省, 市, 地址: the latest filled-in 收货地址; 省 and 市 are its first and second
      space-separated parts ("江苏省 苏州市 吴江区 …" → 江苏省, 苏州市; "北京 北京市 朝阳区" → 北京, 北京市),
      地址 the rest (吴江区 …: not repeating them; an address of fewer parts stays whole).
    - 来源: the channel (订单来源 / 渠道 …) of the buyer's first order that has one; blank when the
      exports have no such column (the shop name is not a channel).
    - 首次购买, 最近购买: 订单付款时间 of the first and the last counted order (blank without one).
    - 购买次数: counted orders. 累计消费: their net amounts summed, to the cent (0 without one).
    - 客单价: 累计消费 / 购买次数, to the cent; blank when 购买次数 = 0.
    - 平均回购周期(天): calendar days from 首次购买 to 最近购买 / (购买次数 − 1), one decimal;
      blank when 购买次数 < 2.
    - 回购频次: 购买次数 − 1, at least 0.
    - 常购商品: the 商品标题 of most counted orders; a tie goes to the title bought most recently.
    - 距今天数: calendar days from 最近购买 to today (blank without a purchase).
    - 待付款订单: orders whose 订单状态 is 等待买家付款.

    Rows come sorted by 累计消费 (highest first), then 买家会员名.
    """
    o = _keyed(orders)
    o = o.with_columns(is_counted().alias("_c"), net_amount().alias(NET))
    counted = o.filter("_c")
    spend = pl.col(NET).filter("_c").sum().round(2, mode="half_away_from_zero")
    main = o.group_by(BUYER).agg(
        _latest(RECEIVER).alias("收货人"),
        _latest(PHONE).alias("电话"),
        _latest(ADDRESS).alias("地址"),
        _earliest(pl.col(CHANNEL)).alias("来源"),
        pl.col(PAID).filter("_c").min().alias("首次购买"),
        pl.col(PAID).filter("_c").max().alias("最近购买"),
        pl.col("_c").sum().cast(pl.Int64).alias("购买次数"),
        spend.alias("累计消费"),
        is_unpaid().sum().cast(pl.Int64).alias("待付款订单"),
    )
    n = pl.col("购买次数")
    address = pl.col("地址").str.strip_chars()
    main = main.join(_favourite(counted), on=BUYER, how="left").with_columns(
        address.str.extract(r"^(\S+)", 1).alias("省"),
        address.str.extract(r"^\S+\s+(\S+)", 1).alias("市"),
        address.str.replace(r"^\S+\s+\S+\s+", "").alias("地址"),
        pl.when(n > 0).then((pl.col("累计消费") / n).round(2, mode="half_away_from_zero")).alias("客单价"),
        pl.when(n > 1)
        .then(
            ((pl.col("最近购买").dt.date() - pl.col("首次购买").dt.date()).dt.total_days() / (n - 1)).round(
                1, mode="half_away_from_zero"
            )
        )
        .cast(pl.Float64)
        .alias("平均回购周期(天)"),
        pl.max_horizontal(n - 1, pl.lit(0)).cast(pl.Int64).alias("回购频次"),
        days_before(today, "最近购买").alias("距今天数"),
    )
    return main.select(ARCHIVE_COLUMNS).sort(["累计消费", BUYER], descending=[True, False])
