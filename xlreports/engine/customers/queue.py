"""关怀提醒 as a work queue: today's due reminders plus the earlier ones still open, in priority order.

The engine's reminders (``care.due_reminders``) say what is due; this module adds what the last run's
sheet says about them:

- An item is identified by 买家会员名 + 场景 + 订单编号 (the due day when there is no order), never by
  its row, so sorting or inserting rows in Excel changes nothing.
- An item with a 处理结果 typed on an earlier day is done: it leaves the queue (the job logs it).
  One typed today (a second run on the same day) stays, so 今日完成 counts it.
- A 未付款提醒 / 催付 superseded by today's 催付 for the same order is one item (the newer scene).
- An open item stays, marked 逾期 N 天 (N = today − its due day), until someone types a 处理结果 —
  unless the latest export says it no longer applies: 催付 / 未付款提醒 only while the order is still
  unpaid; nothing about an order that is closed; no 客户回访 for a buyer who ordered again.
- Priority, stated on the sheet: scene urgency (催付 and 未付款提醒 first — the platform closes unpaid
  orders —, then 付款关怀, 发货提醒 / 签收提醒, 评价感谢, 客户回访), then 会员等级 (highest first),
  then 客户分群 (the RFM order, 重要价值客户 first), then the most overdue, then the due time.

>>> from datetime import date, datetime
>>> from xlreports.engine.customers.care import Reminder
>>> r = Reminder("tb_li", "客户回访", "T1", datetime(2026, 10, 8, 10), "李雷", "杯", 59.0, 95)
>>> q = work_queue([r], [], date(2026, 10, 8), date(2026, 10, 8), {}, ["VIP", "普通会员"])
>>> [(i.reminder.buyer, i.overdue) for i in q.items]
[('tb_li', 0)]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Iterable

import polars as pl

from xlreports.engine.customers.archive import is_closed, is_unpaid
from xlreports.engine.customers.care import (CHASE_KINDS, PAID_CARE, REVIEW_THANKS, REVISIT, SHIPPING, SIGNING,
                                             UNPAID, Reminder)
from xlreports.engine.customers.segments import SEGMENTS
from xlreports.model.orders import BUYER, CREATED, ORDER_ID

CHASE_SCENES = (UNPAID, *(f"催付（{k}）" for k in CHASE_KINDS))
#: scene → urgency (0 = most urgent)
URGENCY = {**{s: 0 for s in CHASE_SCENES}, PAID_CARE: 1, SHIPPING: 2, SIGNING: 2, REVIEW_THANKS: 3, REVISIT: 4}
PRIORITY_NOTE = ("排序：场景紧急程度（未付款提醒/催付 → 付款关怀 → 发货/签收提醒 → 评价感谢 → 客户回访）"
                 "→ 会员等级（高→低）→ 客户分群（重要价值客户在前）→ 逾期天数（多→少）→ 提醒时间")


@dataclass
class Carried:
    """One row of the last run's 关怀提醒: the reminder it showed and what staff typed."""

    reminder: Reminder
    handler: Any = None
    result: Any = None
    extra: dict[str, Any] = field(default_factory=dict)  # the row's other cells by header (added columns)

    @property
    def done(self) -> bool:
        """A 处理结果 was typed.

        >>> Carried(None, result="  ").done, Carried(None, result="已联系").done
        (False, True)
        """
        return str(self.result or "").strip() != ""


@dataclass
class QueueItem:
    """One line of today's 关怀提醒: the reminder, how many days it is overdue, the buyer's tier, segment
    and last contact (for the order and the columns), and what staff typed on it (处理人, 处理结果, their
    own columns) carried from the last run."""

    reminder: Reminder
    overdue: int  # whole days past the due day (0: due today or later)
    tier: str | None = None
    segment: str | None = None
    last_contact: date | None = None
    handler: Any = None
    result: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Queue:
    """Today's work queue in priority order, and the items done on an earlier day (for 关怀记录)."""

    items: list[QueueItem]  # today's queue, in priority order
    finished: list[Carried]  # done on an earlier day: out of the queue, into the log


def item_key(r: Reminder) -> tuple[str, str, str]:
    """The identity of a reminder: buyer, scene, and the order (or the due day without one).

    >>> item_key(Reminder("b", "客户回访", None, datetime(2026, 10, 8, 10), "", "", None, 1))
    ('b', '客户回访', '2026-10-08')
    """
    due = r.due.date().isoformat() if isinstance(r.due, datetime) else str(r.due or "")
    return (str(r.buyer or ""), str(r.scene or ""), str(r.order_id or "") or due)


def still_applies(orders: pl.DataFrame, earlier: Iterable[Reminder] = ()) -> Callable[[Reminder], bool]:
    """A test of the ``earlier`` reminders against the latest export (rules in the module docstring);
    only their orders and buyers are looked at, so a 1M-order export costs one filter.

    Orders not in the export (an older export was left out) keep their reminders."""
    earlier = list(earlier)
    ids = sorted({str(r.order_id) for r in earlier if r.order_id})
    buyers = sorted({str(r.buyer) for r in earlier if r.buyer})
    o = orders.with_columns(pl.col(ORDER_ID).cast(pl.String), pl.col(BUYER).cast(pl.String).str.strip_chars())
    o = o.filter(pl.col(ORDER_ID).is_in(ids) | pl.col(BUYER).is_in(buyers))
    unpaid = set(o.filter(is_unpaid()).get_column(ORDER_ID).to_list())
    closed = set(o.filter(is_closed()).get_column(ORDER_ID).to_list())
    known = set(o.get_column(ORDER_ID).to_list())
    latest = dict(o.filter(~is_closed()).group_by(BUYER).agg(pl.col(CREATED).max()).iter_rows())

    def test(r: Reminder) -> bool:
        oid = str(r.order_id or "")
        if r.scene in CHASE_SCENES:
            return oid not in known or oid in unpaid
        if oid in closed:
            return False
        if r.scene == REVISIT:
            # the buyer ordered again since it fell due (before, the engine would not have listed it)
            last = latest.get(r.buyer)
            return last is None or not isinstance(r.due, datetime) or last.date() < r.due.date()
        return True

    return test


def work_queue(due: list[Reminder], carried: Iterable[Carried], carried_day: date | None, today: date,
               profile: dict[str, tuple[str | None, str | None, date | None]], tiers: list[str],
               applies: Callable[[Reminder], bool] | None = None) -> Queue:
    """Today's queue from today's due reminders and the last sheet's rows (``carried``, written on
    ``carried_day``; None when unknown: then every typed 处理结果 counts as an earlier day's).

    ``profile``: buyer → (会员等级, 客户分群, 上次联系); ``tiers``: tier names, highest first."""
    earlier = carried_day is None or carried_day < today
    by_key: dict[tuple, Carried] = {}
    finished: list[Carried] = []
    for c in carried:
        if c.done and earlier:
            finished.append(c)
        else:
            by_key[item_key(c.reminder)] = c
    done_keys = {item_key(c.reminder) for c in finished}
    chased = _chases(by_key)
    items: dict[tuple, QueueItem] = {}
    for r in due:
        key = item_key(r)
        if key in done_keys or key in items:
            continue
        c = by_key.pop(key, None)
        if c is None and r.scene in CHASE_SCENES and r.order_id:
            # yesterday's 未付款提醒 becomes today's 催付 for the same order: one item, what staff typed kept
            c = by_key.pop(chased.get(r.order_id), None)
        items[key] = _item(r, c, today, profile)
    for key, c in by_key.items():
        if key not in items and (applies is None or applies(c.reminder)):
            items[key] = _item(c.reminder, c, today, profile)
    rank_tier = {t: i for i, t in enumerate(tiers)}
    rank_segment = {s: i for i, s in enumerate(SEGMENTS)}
    ordered = sorted(items.values(), key=lambda i: (
        URGENCY.get(i.reminder.scene, len(URGENCY)), rank_tier.get(i.tier, len(rank_tier)),
        rank_segment.get(i.segment, len(rank_segment)), -i.overdue, i.reminder.due or datetime.max,
        str(i.reminder.order_id or ""), str(i.reminder.buyer or "")))
    return Queue(ordered, finished)


def _chases(by_key: dict[tuple, Carried]) -> dict[str, tuple]:
    """Order → the key of its open 未付款提醒 / 催付 from the last list."""
    return {c.reminder.order_id: key for key, c in by_key.items()
            if c.reminder.scene in CHASE_SCENES and c.reminder.order_id}


def _item(r: Reminder, c: Carried | None, today: date, profile: dict) -> QueueItem:
    tier, segment, last = profile.get(r.buyer, (None, None, None))
    due_day = r.due.date() if isinstance(r.due, datetime) else r.due
    overdue = max(0, (today - due_day).days) if isinstance(due_day, date) else 0
    if c is None:
        return QueueItem(r, overdue, tier, segment, last)
    return QueueItem(r, overdue, tier, segment, last, c.handler, c.result, c.extra)
