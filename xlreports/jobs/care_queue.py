"""The archive job's 关怀提醒 part: read what the last list and the log say, build today's queue
(``engine.customers.queue``) and lay out 关怀提醒 and 关怀记录.

What staff typed is never lost: an item done on an earlier day leaves the queue for 关怀记录 with
its 处理人, 处理结果 and added columns; open items stay in the queue; the log is rewritten whole.
Rows are found by their headers, items by buyer + scene + order (``queue.item_key``), never by row.

>>> as_datetime("2026-11-23 10:00"), as_datetime(None)
(datetime.datetime(2026, 11, 23, 10, 0), None)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from xlreports.engine.customers.care import Reminder
from xlreports.engine.customers.queue import PRIORITY_NOTE, Carried, item_key, still_applies, work_queue
from xlreports.jobs.carry import added_headers, read_sheet_table
from xlreports.layout.care_sheet import (CARE_COLUMNS, CARE_LOG_SHEET, CARE_SHEET, LOG_COLUMNS,
                                         care_log_sheet, care_sheet, overdue_text)
from xlreports.layout.spec import SheetSpec
from xlreports.model.membership import NON_MEMBER
from xlreports.model.orders import BUYER

ROSTER_SHEET = "客服名册"
ROSTER_NAMES = ("客服", "姓名", "客服昵称", "旺旺")  # the name column of 客服名册 (as appraise reads it)
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass
class CareState:
    """What the workbook says before this run: the last list, its day, the log, the staff names."""

    carried: list[Carried] = field(default_factory=list)
    day: date | None = None  # the day of the last list (from its title)
    added: list[str] = field(default_factory=list)  # columns staff added to 关怀提醒
    log: list[dict[str, Any]] = field(default_factory=list)
    handlers: list[str] = field(default_factory=list)


def as_datetime(value: Any) -> datetime | None:
    """A 提醒时间 / 完成日期 cell as read back (datetime, date or ISO text)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    try:
        return datetime.fromisoformat(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def read_care_state(wb) -> CareState:
    """The last 关怀提醒 (rows by header), 关怀记录 and 客服名册's names, from a RowsSource."""
    state = CareState()
    name = wb.find(CARE_SHEET)
    if name:
        rows = wb.rows(name)
        header, table = read_sheet_table(rows)
        state.added = added_headers(header, CARE_COLUMNS)
        first = " ".join(str(v) for v in (rows.rows[0] if rows.rows else []) if v is not None)
        m = _DAY.search(first)
        state.day = date(int(m[1]), int(m[2]), int(m[3])) if m else None
        for rec in table:
            if not rec.get(BUYER) or not rec.get("场景"):
                continue
            amount = rec.get("金额")
            r = Reminder(str(rec[BUYER]), str(rec["场景"]), str(rec.get("订单编号") or "") or None,
                         as_datetime(rec.get("提醒时间")), str(rec.get("收货人") or ""), str(rec.get("商品") or ""),
                         amount if isinstance(amount, (int, float)) else None, None)
            state.carried.append(Carried(r, rec.get("处理人"), rec.get("处理结果"), rec))
    log = wb.find(CARE_LOG_SHEET)
    if log:
        header, state.log = read_sheet_table(wb.rows(log))
        state.added += [h for h in added_headers(header, LOG_COLUMNS) if h not in state.added]
    roster = wb.find(ROSTER_SHEET)
    if roster:
        state.handlers = _roster_names(wb.rows(roster).rows)
    return state


def _roster_names(rows: list[list[Any]]) -> list[str]:
    for i, row in enumerate(rows[:5]):
        labels = [str(v or "").strip() for v in row]
        at = next((labels.index(n) for n in ROSTER_NAMES if n in labels), None)
        if at is not None:
            names = (str(r[at]).strip() for r in rows[i + 1:] if at < len(r) and r[at] not in (None, ""))
            return list(dict.fromkeys(n for n in names if n))
    return []


@dataclass
class CareResult:
    """关怀提醒 and 关怀记录 as sheet specs, with the counts and lines the run reports."""

    sheets: list[SheetSpec]
    items: int
    overdue: int
    finished: int  # items moved to 关怀记录 by this run
    messages: list[str]


def care_sheets(state: CareState, due: list[Reminder], texts: list[str], arch, rules, orders,
                today: date) -> CareResult:
    """关怀提醒 (today's queue) and 关怀记录 (the log, with the items done on the last list's day)."""
    log_rows = list(state.log)
    last_contact = _last_contacts(log_rows)
    queue = work_queue(due, state.carried, state.day, today, _profile(arch, last_contact), [*rules.names, NON_MEMBER],
                       still_applies(orders, [c.reminder for c in state.carried]))
    done_day = state.day
    for c in queue.finished:
        log_rows.append({**c.extra, "完成日期": done_day or c.reminder.due})
        if done_day:
            last_contact[c.reminder.buyer] = max(done_day, last_contact.get(c.reminder.buyer, done_day))
    fresh = {item_key(r): t for r, t in zip(due, texts)}
    rows = []
    for i in queue.items:
        r = i.reminder
        message = fresh.get(item_key(r), i.extra.get("话术"))
        contact = last_contact.get(r.buyer, i.last_contact)
        rows.append([r.due, overdue_text(i.overdue), r.scene, i.tier, i.segment, r.buyer, r.receiver, r.order_id,
                     r.product, r.amount, contact, message, i.handler, i.result, *(i.extra.get(c) for c in state.added)])
    overdue = sum(1 for i in queue.items if i.overdue > 0)
    handlers, messages = _usable_handlers(state.handlers)
    sheets = [care_sheet(rows, today.isoformat(), overdue, handlers, state.added, PRIORITY_NOTE),
              care_log_sheet(_log_columns(log_rows, state.added), state.added)]
    return CareResult(sheets, len(rows), overdue, len(queue.finished), messages)


def _usable_handlers(names: list[str]) -> tuple[list[str], list[str]]:
    """客服名册's names for the drop-down, or none (free text) when Excel could not store the list."""
    listed = ",".join(names)
    if any("," in n or '"' in n for n in names) or len(listed) > 255:
        return [], [f"「{ROSTER_SHEET}」的姓名合计超过 Excel 下拉列表的长度（或含英文逗号），关怀提醒的处理人改为自由填写"]
    return names, []


def _profile(arch, last_contact: dict[str, date]) -> dict[str, tuple]:
    cols = [c for c in (BUYER, "会员等级", "客户分群") if c in arch.columns]
    return {row[0]: (row[1] if len(row) > 1 else None, row[2] if len(row) > 2 else None, last_contact.get(row[0]))
            for row in arch.select(cols).iter_rows()}


def _last_contacts(log: list[dict[str, Any]]) -> dict[str, date]:
    out: dict[str, date] = {}
    for rec in log:
        when = as_datetime(rec.get("完成日期"))
        buyer = rec.get(BUYER)
        if when and buyer:
            out[buyer] = max(when.date(), out.get(buyer, when.date()))
    return out


def _log_columns(log: list[dict[str, Any]], added: list[str]) -> dict[str, list[Any]]:
    seen, kept = set(), []
    for rec in log:  # one line per item: a list rerun on the same day must not log an item twice
        key = (rec.get(BUYER), rec.get("场景"), rec.get("订单编号"), str(rec.get("完成日期")))
        if key not in seen:
            seen.add(key)
            kept.append(rec)
    return {h: [rec.get(h) for rec in kept] for h in (*LOG_COLUMNS, *added)}
