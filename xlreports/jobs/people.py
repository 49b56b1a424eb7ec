"""Between reading 客服数据 and scoring: accounts → people (from 客服名册's 账号), days → months.

The roll-up rules are the engine's (``engine/rollup.py``); this module feeds it the reader's
records and turns its person-months back into records, so everything after it (months, history,
typed inputs keyed by person) works on one row per person per month, as with a monthly export.

>>> from xlreports.excel.read.source import SheetRows
>>> from xlreports.excel.read.tables import read_agent_table, read_table
>>> data = read_agent_table(SheetRows("客服数据", [["日期", "客服", "接待人数"], ["2026-10-01", "店铺A:小美", 3],
...                                                ["2026-10-02", "店铺B：小美", 4], ["2026-10-02", "路人", 1]]))
>>> roster = read_table(SheetRows("客服名册", [["客服", "账号"], ["小美", "小美"]]), wanted=["客服", "账号"],
...                     kinds={"账号": "text"}, aliases=lambda h: h, also_by=["账号"])
>>> table, rolled = people_months(data, account_book(roster))
>>> [(r.row, r.values) for r in table.records]
[(2, {'客服': '小美', '月份': '2026-10', '接待人数': 7, '日期': None})]
>>> [str(p) for p in unmatched_problems(rolled, data)]
['客服数据!B4: 账号「路人」不在「客服名册」的账号中，未计入任何人的考核（请在名册的「账号」列中补上）']
"""
from __future__ import annotations

from dataclasses import replace

from xlreports.engine.rollup import AccountBook, DayRow, Rollup, roll_up, split_accounts
from xlreports.errors import Problem, raise_if_errors
from xlreports.excel.read.tables import DATE_FIELD, MONTH_FIELD, Record, Table
from xlreports.layout.data_sheet import days_text

ACCOUNT_FIELD = "账号"
ROSTER_SHEET = "客服名册"
_FIXED = ("客服", MONTH_FIELD, DATE_FIELD)
_SHOWN = 10  # cells named in one warning before "等"


def account_book(roster: Table | None) -> AccountBook | None:
    """Accounts → people from a 客服名册 with a 账号 column; None without one (each account is a person).

    Raises InputErrors when one account is given to two people."""
    if roster is None or ACCOUNT_FIELD not in roster.columns:
        return None
    book, problems = AccountBook(), []
    for rec in roster.records:
        person = rec.values["客服"]
        for account in split_accounts(rec.values.get(ACCOUNT_FIELD)):
            other = book.add(person, account)
            if other is not None:
                problems.append(Problem(roster.sheet, rec.cell(ACCOUNT_FIELD),
                                        f"账号「{account}」同时属于「{other}」和「{person}」", found=account))
    raise_if_errors(problems)
    for person in list(book.people) + [rec.values["客服"] for rec in roster.records]:
        if book.person(person) is None:  # a person's own name is her account, unless it is someone else's
            book.add(person, person)
    return book


def people_months(table: Table, book: AccountBook | None) -> tuple[Table, Rollup]:
    """``table`` with one record per person per month (a person's accounts and days rolled up).

    A record that alone makes a person's month, under the person's own name, is kept as it is."""
    columns = [c for c in table.columns if c not in _FIXED]
    rows = [DayRow(r.values["客服"], r.values.get(MONTH_FIELD), r.values.get(DATE_FIELD),
                   {c: r.values.get(c) for c in columns}, r) for r in table.records]
    rolled = roll_up(rows, columns, book)
    records = []
    for pm in rolled.rows:
        first: Record = pm.refs[0]
        if len(pm.refs) == 1 and first.values["客服"] == pm.person:
            records.append(first)
            continue
        values = {"客服": pm.person, MONTH_FIELD: pm.month, **pm.values}
        if DATE_FIELD in table.columns:
            values[DATE_FIELD] = None
        records.append(Record(first.row, values, table.columns, table.sheet))
    return replace(table, records=records), rolled


def unmatched_problems(rolled: Rollup, table: Table) -> list[Problem]:
    """One located warning for the accounts in the data that are no one's in 客服名册."""
    if not rolled.unmatched:
        return []
    names = "、".join(f"「{a}」" for a in rolled.unmatched)
    refs = [ref for refs in rolled.unmatched.values() for ref in refs]
    cells = "、".join(ref.cell("客服") for ref in refs[:_SHOWN]) + ("等" if len(refs) > _SHOWN else "")
    return [Problem(table.sheet, cells, f"账号{names}不在「{ROSTER_SHEET}」的账号中，未计入任何人的考核"
                    "（请在名册的「账号」列中补上）", severity="warning")]


def missing_day_problems(rolled: Rollup, month: str, sheet: str) -> list[Problem]:
    """Per person: the days of ``month`` the daily data has no row for (the month is not averaged over them)."""
    out = []
    for pm in rolled.rows:
        if pm.month == month and pm.missing:
            out.append(Problem(sheet, None, f"客服「{pm.person}」{month} 只有 {len(pm.days)}/{pm.days_in_month} 天的数据"
                               f"（缺 {days_text(pm.missing)}），按这些天的合计考核", severity="warning"))
    return out

