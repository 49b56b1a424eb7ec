"""Daily rows and several accounts → one row per person per month (pure: records in, records out).

Exports come one row per account per day (a 日期 column), and a person works under several
accounts ("店铺名:子账号", one per shop). The appraisal is per person per month, so rows are
rolled up first: counts add; a rate is recomputed from the summed counts when both are there,
else weighted by its base (回复率 by 接待人数 …); a plain average of daily rates is never used.
A group of one row is passed through untouched, so a sheet that is already a month reads as before.

>>> rows = [DayRow("店铺A:小美", "2026-10", date(2026, 10, 1), {"接待人数": 100, "回复率": 0.9}),
...         DayRow("店铺B：小美", "2026-10", date(2026, 10, 2), {"接待人数": 300, "回复率": 1.0})]
>>> book = AccountBook()
>>> book.add("小美", "小美")
>>> r = roll_up(rows, ["接待人数", "回复率"], book)
>>> p = r.rows[0]
>>> p.person, p.values, p.accounts, len(p.missing)
('小美', {'接待人数': 400, '回复率': 0.975}, ['店铺A:小美', '店铺B：小美'], 29)
>>> r.weights["回复率"]
'按「接待人数」加权'
"""
from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from xlreports.model.fields import field_kind

# A rate recomputed from the month's summed counts: rate → (numerator, denominator).
RECOMPUTED: dict[str, tuple[str, str]] = {
    "询单转化率": ("最终付款人数", "询单人数"),
    "回复率": ("回复人数", "接待人数"),
    "支付率": ("付款笔数", "拍下笔数"),
    "退款率": ("退款笔数", "成交笔数"),
    "客服客单价": ("客服销售额", "最终付款人数"),
}
# A rate or average given without its counts: weighted by the first of these bases the data has.
WEIGHTED: dict[str, tuple[str, ...]] = {
    "询单转化率": ("询单人数",),
    "支付率": ("拍下笔数",),
    "回复率": ("接待人数", "咨询人数"),
    "退款率": ("成交笔数",),
    "满意率": ("评价数", "有效接待人数", "有效接待"),
    "客户满意率": ("评价数", "有效接待人数", "有效接待"),
    "平均响应时间": ("对话轮次", "接待人数", "咨询人数"),
    "首次响应时间": ("接待人数", "咨询人数"),
    "3分钟人工响应率": ("对话轮次", "接待人数", "咨询人数"),
    "3分钟人工回复率": ("对话轮次", "接待人数", "咨询人数"),
    "30秒应答率": ("对话轮次", "接待人数", "咨询人数"),
    "客服客单价": ("最终付款人数", "付款笔数"),
    "店铺客单价": ("最终付款人数", "付款笔数"),
    "落实客单价比": ("最终付款人数", "付款笔数"),
}
# One figure for the month per account (a target): the account's last value, added over accounts.
MONTHLY = frozenset({"目标销售额", "上月销售额", "主推单品目标"})
# One figure per person (a supervisor's score): the last value given.
PER_PERSON = frozenset({"工作任务", "工作态度", "应答时间抽查", "服务态度抽查", "产品知识考试", "岗位操作考试",
                        "工作总结"})
_SEPARATORS = re.compile(r"[、,，;；\r\n]+")


@dataclass
class DayRow:
    """One input row: the account it was exported under, its month and day (None when not daily),
    its numbers by canonical column, and ``ref`` (where it came from, handed back untouched)."""

    account: str
    month: str | None
    day: date | None
    values: dict[str, object]
    ref: object = None


@dataclass
class PersonMonth:
    """One person's month: the rolled-up values, the accounts and days that made it, its source rows."""

    person: str
    month: str | None
    values: dict[str, object]
    accounts: list[str]
    days: list[date]
    refs: list[object]

    @property
    def missing(self) -> list[date]:
        """Days of the month without a row (none when the data is not daily).

        >>> PersonMonth("甲", "2026-02", {}, [], [date(2026, 2, d) for d in range(2, 29)], []).missing
        [datetime.date(2026, 2, 1)]
        """
        if not self.days or not self.month:
            return []
        y, m = int(self.month[:4]), int(self.month[5:7])
        present = set(self.days)
        return [date(y, m, d) for d in range(1, calendar.monthrange(y, m)[1] + 1) if date(y, m, d) not in present]

    @property
    def days_in_month(self) -> int:
        """How many days the month has.

        >>> PersonMonth("甲", "2026-10", {}, [], [], []).days_in_month
        31
        """
        return calendar.monthrange(int(self.month[:4]), int(self.month[5:7]))[1] if self.month else 0


@dataclass
class Rollup:
    """The rolled-up rows, how each rolled-up column was formed (only when some rows were merged),
    the accounts that matched no one (account → refs), and rates left blank for want of a base."""

    rows: list[PersonMonth]
    weights: dict[str, str] = field(default_factory=dict)
    unmatched: dict[str, list[object]] = field(default_factory=dict)
    unrolled: list[str] = field(default_factory=list)
    daily: bool = False


def split_accounts(cell: object) -> list[str]:
    """The accounts written in one roster cell (、 , ; or new lines between them).

    >>> split_accounts("店铺A:小美、店铺B：mei;  小美2\\n小美3")
    ['店铺A:小美', '店铺B：mei', '小美2', '小美3']
    >>> split_accounts(None)
    []
    """
    if cell is None:
        return []
    return [a.strip() for a in _SEPARATORS.split(str(cell)) if a.strip()]


def account_key(account: str) -> str:
    """An account folded for matching: full-width → half-width (the colon too), no spaces around it.

    >>> account_key(" 店铺B ： 小美 ")
    '店铺B:小美'
    """
    s = unicodedata.normalize("NFKC", account).strip()
    return re.sub(r"\s*:\s*", ":", s)


class AccountBook:
    """Accounts → people, from the 客服名册. A data account "店铺名:子账号" matches a roster account
    given in full, else one given as the part after the colon.

    >>> book = AccountBook()
    >>> book.add("小美", "mei"), book.add("阿杰", "店铺B:jie"), book.add("阿杰", "mei")
    (None, None, '小美')
    >>> book.person("店铺A：mei"), book.person("店铺B:jie"), book.person("店铺C:jie"), book.person("mei")
    ('小美', '阿杰', None, '小美')
    """

    def __init__(self) -> None:
        self.by_key: dict[str, str] = {}
        self.people: list[str] = []

    def add(self, person: str, account: str) -> str | None:
        """Give ``account`` to ``person``; returns the other person who already has it (nothing is changed)."""
        if person not in self.people:
            self.people.append(person)
        key = account_key(account)
        owner = self.by_key.setdefault(key, person)
        return owner if owner != person else None

    def person(self, account: str) -> str | None:
        """Whose account this is, or None."""
        key = account_key(account)
        if key in self.by_key:
            return self.by_key[key]
        if ":" in key:
            return self.by_key.get(key.split(":", 1)[1])
        return None


def roll_up(rows: Iterable[DayRow], columns: Iterable[str], book: AccountBook | None = None) -> Rollup:
    """One :class:`PersonMonth` per (person, month), in the order people first appear.

    ``columns`` are the numeric columns to roll up; ``book`` maps accounts to people (None: every
    account is a person). Rows of an account nobody has go to ``unmatched`` and are not rolled up.

    >>> days = [DayRow("甲", "2026-10", date(2026, 10, d), {"询单人数": n, "询单转化率": r})
    ...         for d, n, r in ((1, 10, 0.2), (2, 90, 0.8))]
    >>> roll_up(days, ["询单人数", "询单转化率"]).rows[0].values
    {'询单人数': 100, '询单转化率': 0.74}
    """
    columns = list(columns)
    groups: dict[tuple, list[DayRow]] = {}
    unmatched: dict[str, list[object]] = {}
    daily = False
    for row in rows:
        person = row.account if book is None else book.person(row.account)
        if person is None:
            unmatched.setdefault(row.account, []).append(row.ref)
            continue
        daily = daily or row.day is not None
        groups.setdefault((person, row.month), []).append(row)
    rules = _rules(columns)
    out, unrolled, merged = [], set(), False
    for (person, month), group in groups.items():
        accounts = list(dict.fromkeys(r.account for r in group))
        days = sorted({r.day for r in group if r.day is not None})
        if len(group) == 1:
            values = dict(group[0].values)
        else:
            merged = True
            values = {c: _rolled(c, rules[c], group) for c in columns}
            unrolled |= {c for c in columns if rules[c][0] == "none"}
        out.append(PersonMonth(person, month, values, accounts, days, [r.ref for r in group]))
    weights = {c: _describe(rule) for c, rule in rules.items() if rule[0] != "sum"} if merged else {}
    return Rollup(out, weights, unmatched, sorted(unrolled, key=columns.index), daily)


def _rules(columns: list[str]) -> dict[str, tuple]:
    """How each column rolls up, decided once for the table: ("sum",), ("ratio", num, den),
    ("weighted", base), ("monthly",), ("person",) or ("none",) (a rate without a base: left blank)."""
    have = set(columns)
    rules: dict[str, tuple] = {}
    for c in columns:
        if c in RECOMPUTED and set(RECOMPUTED[c]) <= have:
            rules[c] = ("ratio", *RECOMPUTED[c])
        elif c in WEIGHTED or field_kind(c) == "rate" or c.endswith("率"):
            base = next((b for b in WEIGHTED.get(c, ()) if b in have), None)
            rules[c] = ("weighted", base) if base else ("none",)
        elif c in MONTHLY:
            rules[c] = ("monthly",)
        elif c in PER_PERSON:
            rules[c] = ("person",)
        else:
            rules[c] = ("sum",)
    return rules


def _describe(rule: tuple) -> str:
    kind = rule[0]
    if kind == "ratio":
        return f"由月合计重算：「{rule[1]}」÷「{rule[2]}」"
    if kind == "weighted":
        return f"按「{rule[1]}」加权"
    if kind == "monthly":
        return "每个账号取本月的值，各账号相加"
    if kind == "person":
        return "取最后填写的值"
    return "数据中没有可用于加权的列，无法汇总（留空）"


def _number(v: object) -> float | int | None:
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _sum(values: Iterable[object]) -> float | int | None:
    nums = [n for n in map(_number, values) if n is not None]
    return sum(nums) if nums else None


def _rolled(column: str, rule: tuple, group: list[DayRow]) -> object:
    kind = rule[0]
    if kind == "sum":
        return _sum(r.values.get(column) for r in group)
    if kind == "ratio":
        num, den = _sum(r.values.get(rule[1]) for r in group), _sum(r.values.get(rule[2]) for r in group)
        return None if not den else (num or 0) / den
    if kind == "weighted":
        pairs = [(_number(r.values.get(column)), _number(r.values.get(rule[1]))) for r in group]
        pairs = [(v, w) for v, w in pairs if v is not None and w]
        total = sum(w for _, w in pairs)
        return sum(v * w for v, w in pairs) / total if total else None
    if kind in ("monthly", "person"):
        last: dict[str, object] = {}
        for r in group:
            v = _number(r.values.get(column))
            if v is not None:
                last[r.account if kind == "monthly" else ""] = v
        return _sum(last.values())
    return None
