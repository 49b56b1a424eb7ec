"""客户关怀: which care reminders are due today, for whom and about which order (the message text is
rendered from the shop's templates by ``layout.messages``).

The rules (``today`` is a calendar day; "recent" = today or yesterday):

- 未付款提醒: 订单状态 等待买家付款, created today before 23:00 (one hour before the end of the
  day). A gentle note, the same for every buyer. Due at 订单创建时间 + 1 h.
- 催付（新买家 / 二次回购 / 多次购买）: 等待买家付款, created 1 to 3 calendar days before today
  (the order day is left to 未付款提醒). The script follows the buyer's 购买次数 in the archive:
  0 (or not in the archive) → 新买家, 1 → 二次回购, ≥ 2 → 多次购买. Due at 订单创建时间 + 1 h.
- 付款关怀: 买家已付款，等待卖家发货, 订单付款时间 recent. Due at 订单付款时间.
- 发货提醒: 卖家已发货，等待买家确认, 发货时间 recent. Due at 发货时间.
- 签收提醒: 卖家已发货，等待买家确认, and 发货时间's day + ``sign_days`` is today. Due today 10:00.
- 评价感谢: 交易成功, 确认收货时间 recent. Due at 确认收货时间.
- 客户回访: archive buyers with 购买次数 ≥ 1 whose 最近购买 + their wait falls in the last
  REVISIT_WINDOW_DAYS days (today included); the
  wait is 平均回购周期(天) × ``revisit_cycle_factor`` when they have a cycle, else ``revisit_days``.
  Buyers with any order not closed created after 最近购买 are active and left out. One reminder per
  buyer, about their latest counted order. Due at 10:00 on the day 最近购买 + the wait falls on.

Every due time is moved into service hours (08:00–22:00): a night event is due at the next opening.

Stateless: a reminder is due again on the next run while its rule holds; the caller notes what was
sent.

>>> from datetime import date, datetime
>>> import polars as pl
>>> o = pl.DataFrame({"订单编号": ["T1"], "买家会员名": ["tb_li"], "收货人姓名": ["李雷"],
...     "订单状态": ["买家已付款，等待卖家发货"], "买家实付金额": [59.0], "商品标题": ["保温杯"],
...     "订单付款时间": [datetime(2026, 10, 8, 9, 30)]})
>>> a = pl.DataFrame({"买家会员名": ["tb_li"], "购买次数": [1], "最近购买": [datetime(2026, 10, 8, 9, 30)],
...     "平均回购周期(天)": [None]})
>>> r = due_reminders(o, a, None, date(2026, 10, 8))
>>> [(x.scene, x.order_id, x.receiver, x.amount, x.days) for x in r]
[('付款关怀', 'T1', '李雷', 59.0, 0)]
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import polars as pl

from xlreports.engine.customers.archive import complete, is_closed, is_counted, is_unpaid
from xlreports.model.orders import BUYER, CREATED, ORDER_ID, PAID, PAID_AMOUNT, RECEIVER, STATUS, TITLE

# --- day windows -------------------------------------------------------------------------------
UNPAID_WINDOW_DAYS = 3  # 催付 for unpaid orders created up to 3 calendar days before today
UNPAID_CUTOFF = timedelta(hours=1)  # …and no later than 1 h before the end of today
UNPAID_DUE_AFTER = timedelta(hours=1)  # an unpaid order is due 1 h after it was created
RECENT_DAYS = 1  # 付款关怀 / 发货提醒 / 评价感谢: the event happened today or up to 1 day before
SIGN_DUE_TIME = time(10, 0)  # 签收提醒 is due at 10:00 on its day
REVISIT_DUE_TIME = time(10, 0)  # 客户回访 too: the day counts, not the hour the last purchase was paid
# Service hours: an event at night is due when the service opens (08:00 that day, or the next day after
# 22:00), so the list never asks staff to message a buyer at 03:30.
WORK_START, WORK_END = time(8, 0), time(22, 0)
DEFAULT_REVISIT_DAYS = 90
# 客户回访 lists buyers whose revisit fell due in the last week (today included): the sheet is today's
# work, not the whole backlog of lapsed buyers (on a year of orders that backlog is half the buyers).
REVISIT_WINDOW_DAYS = 7
DEFAULT_REVISIT_CYCLE_FACTOR = 1.5
DEFAULT_SIGN_DAYS = 3

# --- order states (订单状态, full-width comma) --------------------------------------------------
WAITING_SHIPMENT = "等待卖家发货"  # 买家已付款，等待卖家发货
WAITING_CONFIRM = "等待买家确认"  # 卖家已发货，等待买家确认
SUCCESS = "交易成功"
SHIPPED, CONFIRMED = "发货时间", "确认收货时间"

# --- scenes and their templates ------------------------------------------------------------------
UNPAID = "未付款提醒"
PAID_CARE = "付款关怀"
SHIPPING = "发货提醒"
SIGNING = "签收提醒"
REVIEW_THANKS = "评价感谢"
REVISIT = "客户回访"
NEW_BUYER, SECOND_PURCHASE, REPEAT_BUYER = "新买家", "二次回购", "多次购买"
CHASE_KINDS = (NEW_BUYER, SECOND_PURCHASE, REPEAT_BUYER)
SCENE_ORDER = [UNPAID, *(f"催付（{k}）" for k in CHASE_KINDS), PAID_CARE, SHIPPING, SIGNING,
               REVIEW_THANKS, REVISIT]

@dataclass
class Reminder:
    """One care message to send: to whom, why, and when it became due. The wording is layout's
    (``layout.messages``): the engine decides who and when, the shop's templates decide what is said."""

    buyer: str
    scene: str
    order_id: str | None
    due: datetime
    receiver: str
    product: str
    amount: float | None
    days: int | None  # whole days since the event the message is about (天数)


def chase_kind(purchases: int | None) -> str:
    """The 催付 script for a buyer with this many counted purchases.

    >>> chase_kind(0), chase_kind(None), chase_kind(1), chase_kind(5)
    ('新买家', '新买家', '二次回购', '多次购买')
    """
    n = purchases or 0
    return NEW_BUYER if n <= 0 else SECOND_PURCHASE if n == 1 else REPEAT_BUYER


def _setting(settings: object, name: str, default: float) -> float:
    value = getattr(settings, name, None)
    return default if value is None else value


def _frame(o: pl.DataFrame, scene: pl.Expr, due: pl.Expr, anchor: pl.Expr) -> pl.DataFrame:
    """The common shape of every scene's due rows."""
    amount = pl.when(pl.col(PAID_AMOUNT) > 0).then(pl.col(PAID_AMOUNT)).otherwise(
        pl.coalesce("总金额", PAID_AMOUNT))
    return o.select(
        scene.cast(pl.String).alias("_scene"),
        pl.col(ORDER_ID).cast(pl.String),
        pl.col(BUYER),
        pl.coalesce(pl.col(RECEIVER).str.strip_chars().replace("", None), pl.col(BUYER)).alias("_receiver"),
        pl.col(TITLE).cast(pl.String).fill_null("").alias("_product"),
        amount.cast(pl.Float64).alias("_amount"),
        working_hours(due.cast(pl.Datetime("us"))).alias("_due"),
        anchor.cast(pl.Datetime("us")).alias("_anchor"),
    )


def working_hours(due: pl.Expr) -> pl.Expr:
    """``due`` moved into service hours: before 08:00 → 08:00 that day; after 22:00 → 08:00 the next day.

    >>> f = pl.DataFrame({"t": [datetime(2026, 10, 8, 2, 30), datetime(2026, 10, 8, 9, 0),
    ...                         datetime(2026, 10, 8, 22, 30)]})
    >>> [t.strftime("%d %H:%M") for t in f.select(working_hours(pl.col("t")))["t"]]
    ['08 08:00', '08 09:00', '09 08:00']
    """
    day = due.dt.truncate("1d")
    start = day + pl.duration(hours=WORK_START.hour, minutes=WORK_START.minute)
    end = day + pl.duration(hours=WORK_END.hour, minutes=WORK_END.minute)
    return (pl.when(due < start).then(start).when(due > end).then(start + pl.duration(days=1)).otherwise(due))


def _recent(column: str, today: date) -> pl.Expr:
    day = pl.col(column).dt.date()
    return (day <= today) & (day >= today - timedelta(days=RECENT_DAYS))


def _status(text: str) -> pl.Expr:
    return pl.col(STATUS).str.contains(text, literal=True).fill_null(False)


def _order_rows(o: pl.DataFrame, archive: pl.DataFrame, today: date, sign_days: int) -> list[pl.DataFrame]:
    start = datetime.combine(today, time())
    counts = archive.select(pl.col(BUYER).cast(pl.String).str.strip_chars(),
                            pl.col("购买次数").cast(pl.Int64)).unique(BUYER, keep="first")
    unpaid = o.filter(is_unpaid() & (pl.col(CREATED) >= start - timedelta(days=UNPAID_WINDOW_DAYS))
                      & (pl.col(CREATED) < start + timedelta(days=1) - UNPAID_CUTOFF))
    unpaid = unpaid.join(counts, on=BUYER, how="left")
    n = pl.col("购买次数").fill_null(0)
    kind = pl.when(n <= 0).then(pl.lit(NEW_BUYER)).when(n == 1).then(pl.lit(SECOND_PURCHASE)).otherwise(
        pl.lit(REPEAT_BUYER))
    unpaid_scene = pl.when(pl.col(CREATED) >= start).then(pl.lit(UNPAID)).otherwise(
        pl.concat_str(pl.lit("催付（"), kind, pl.lit("）")))
    created = pl.col(CREATED)
    signing_day = today - timedelta(days=int(sign_days))
    return [
        _frame(unpaid, unpaid_scene, created + UNPAID_DUE_AFTER, created),
        _frame(o.filter(_status(WAITING_SHIPMENT) & _recent(PAID, today)), pl.lit(PAID_CARE),
               pl.col(PAID), pl.col(PAID)),
        _frame(o.filter(_status(WAITING_CONFIRM) & _recent(SHIPPED, today)), pl.lit(SHIPPING),
               pl.col(SHIPPED), pl.col(SHIPPED)),
        _frame(o.filter(_status(WAITING_CONFIRM) & (pl.col(SHIPPED).dt.date() == signing_day)),
               pl.lit(SIGNING), pl.lit(datetime.combine(today, SIGN_DUE_TIME)), pl.col(SHIPPED)),
        _frame(o.filter(_status(SUCCESS) & _recent(CONFIRMED, today)), pl.lit(REVIEW_THANKS),
               pl.col(CONFIRMED), pl.col(CONFIRMED)),
    ]


def _revisit_rows(o: pl.DataFrame, archive: pl.DataFrame, today: date, days: float,
                  factor: float) -> pl.DataFrame:
    cycle = pl.col("平均回购周期(天)").cast(pl.Float64)
    wait = pl.when(cycle.is_not_null() & (cycle > 0)).then(cycle * factor).otherwise(pl.lit(float(days)))
    a = archive.select(
        pl.col(BUYER).cast(pl.String).str.strip_chars(), pl.col("购买次数").cast(pl.Int64),
        pl.col("最近购买").cast(pl.Datetime("us")).alias("_last"),
        (pl.col("最近购买").cast(pl.Datetime("us"))
         + pl.duration(seconds=(wait * 86400).round(0).cast(pl.Int64))).alias("_revisit_due"),
    ).filter((pl.col("购买次数") >= 1) & pl.col("_last").is_not_null()
             & pl.col("_revisit_due").dt.date().is_between(today - timedelta(days=REVISIT_WINDOW_DAYS - 1), today)
             ).unique(BUYER, keep="first")
    since = o.join(a.select(BUYER, "_last"), on=BUYER).filter(
        ~is_closed() & (pl.col(CREATED) > pl.col("_last")))
    a = a.join(since.select(BUYER).unique(), on=BUYER, how="anti")
    latest = (o.filter(is_counted()).sort(PAID, nulls_last=False)
              .group_by(BUYER, maintain_order=True).last())
    rows = a.join(latest, on=BUYER, how="left")
    due = pl.col("_revisit_due").dt.truncate("1d") + pl.duration(hours=REVISIT_DUE_TIME.hour)
    return _frame(rows, pl.lit(REVISIT), due, pl.col("_last"))


def due_reminders(orders: pl.DataFrame, archive: pl.DataFrame, settings: object, today: date) -> list[Reminder]:
    """Every care reminder due on ``today`` (rules in the module docstring), oldest due first.

    ``settings``: any object with ``revisit_days``, ``revisit_cycle_factor`` and ``sign_days``
    (missing or None → 90, 1.5, 3).
    """
    today = today.date() if isinstance(today, datetime) else today
    sign_days = int(_setting(settings, "sign_days", DEFAULT_SIGN_DAYS))
    o = complete(orders).with_columns(pl.col(BUYER).str.strip_chars())
    o = o.filter(pl.col(BUYER).is_not_null() & (pl.col(BUYER) != ""))
    frames = _order_rows(o, archive, today, sign_days)
    frames.append(_revisit_rows(o, archive, today, _setting(settings, "revisit_days", DEFAULT_REVISIT_DAYS),
                                _setting(settings, "revisit_cycle_factor", DEFAULT_REVISIT_CYCLE_FACTOR)))
    rank = {s: i for i, s in enumerate(SCENE_ORDER)}
    due = (pl.concat(frames, how="vertical_relaxed")
           .with_columns(pl.col("_scene").replace_strict(rank, default=len(rank)).alias("_rank"),
                         (pl.lit(today) - pl.col("_anchor").dt.date()).dt.total_days().alias("_days"))
           .sort(["_due", "_rank", ORDER_ID, BUYER], nulls_last=True))
    return [Reminder(buyer=row[BUYER], scene=row["_scene"], order_id=row["订单编号"], due=row["_due"],
                     receiver=row["_receiver"], product=row["_product"], amount=row["_amount"], days=row["_days"])
            for row in due.iter_rows(named=True)]
